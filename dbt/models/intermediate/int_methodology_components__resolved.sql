with

components as (
    select * from {{ ref('stg_raw__methodology_components') }}
),

children as (
    -- Parts (appraisal / survey shares) are an alternative split of their parent, never extra points.
    select
        index_code,
        methodology_version,
        parent_code,
        sum(max_score) as children_max_total,
        count(*) as children_count,
        count(max_score) as children_with_max
    from components
    where level <> 'part' and parent_code is not null
    group by index_code, methodology_version, parent_code
),

resolved as (
    select
        components.*,
        coalesce(
            components.comparable_declared,
            previous.max_score is not null and previous.max_score = components.max_score
        ) as comparable_with_previous,
        coalesce(children.children_count, 0) as children_count,
        -- The parent = sum of children check applies only where the children make up the whole maximum.
        coalesce(
            children.children_count = children.children_with_max
            and children.children_max_total = components.max_score,
            false
        ) as children_cover_max
    from components
    left join components as previous
        on previous.index_code = components.index_code
        and previous.methodology_version = components.previous_version
        and previous.component_code = components.component_code
    left join children
        on children.index_code = components.index_code
        and children.methodology_version = components.methodology_version
        and children.parent_code = components.component_code
)

select * from resolved
