with

components as (
    select * from {{ ref('int_methodology_components__resolved') }}
),

final as (
    select
        -- ids
        index_code || '/' || methodology_version || '/' || component_code as methodology_component_key,
        index_code,
        methodology_version,
        component_code,
        parent_code,
        -- strings
        name_vi as component_name,
        name_en as component_name_en,
        level,
        part,
        source_ref,
        -- numerics and flags
        max_score,
        min_score,
        required,
        comparable_with_previous,
        children_cover_max,
        position,
        first_year,
        last_year
    from components
)

select * from final
