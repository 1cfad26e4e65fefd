{#- Every component of a methodology version for every unit its groups score, with the maximum that applies to
    that unit: the most specific scale (unit, then group, then unit type), else the component's own maximum.
    upper_bound is the nearest maximum up the tree, so a part without a printed maximum is still bounded. -#}
with recursive

members as (
    select * from {{ ref('stg_raw__methodology_unit_groups') }}
),

components as (
    select * from {{ ref('stg_raw__methodology_components') }}
),

scales as (
    select
        *,
        case target_kind when 'unit' then 1 when 'group' then 2 else 3 end as specificity
    from {{ ref('stg_raw__methodology_unit_scales') }}
),

unit_components as (
    select
        members.index_code,
        members.methodology_version,
        members.group_code,
        members.unit_type,
        members.unit_code,
        components.component_code,
        components.parent_code,
        components.max_score as component_max_score
    from members
    inner join components
        on components.index_code = members.index_code
        and components.methodology_version = members.methodology_version
),

most_specific_scale as (
    select distinct on (unit_components.index_code, unit_components.methodology_version,
                        unit_components.unit_code, unit_components.component_code)
        unit_components.index_code,
        unit_components.methodology_version,
        unit_components.unit_code,
        unit_components.component_code,
        scales.max_score,
        scales.assessed,
        scales.note,
        scales.source_ref
    from unit_components
    inner join scales
        on scales.index_code = unit_components.index_code
        and scales.methodology_version = unit_components.methodology_version
        and scales.component_code = unit_components.component_code
        and (
            (scales.target_kind = 'unit' and scales.target = unit_components.unit_code)
            or (scales.target_kind = 'group' and scales.target = unit_components.group_code)
            or (scales.target_kind = 'unit_type' and scales.target = unit_components.unit_type)
        )
    order by unit_components.index_code, unit_components.methodology_version, unit_components.unit_code,
        unit_components.component_code, scales.specificity
),

resolved as (
    select
        unit_components.*,
        coalesce(most_specific_scale.assessed, 'yes') as assessed,
        case
            when most_specific_scale.assessed = 'no' then null
            else coalesce(most_specific_scale.max_score, unit_components.component_max_score)
        end as max_score,
        most_specific_scale.note as scale_note,
        most_specific_scale.source_ref as scale_source_ref
    from unit_components
    left join most_specific_scale
        using (index_code, methodology_version, unit_code, component_code)
),

ancestors as (
    -- Walk up the tree until a maximum is found.
    select
        index_code, methodology_version, unit_code, component_code,
        parent_code as next_code, max_score as bound, 0 as depth
    from resolved
    union all
    select
        ancestors.index_code, ancestors.methodology_version, ancestors.unit_code, ancestors.component_code,
        resolved.parent_code, resolved.max_score, ancestors.depth + 1 as depth
    from ancestors
    inner join resolved
        on resolved.index_code = ancestors.index_code
        and resolved.methodology_version = ancestors.methodology_version
        and resolved.unit_code = ancestors.unit_code
        and resolved.component_code = ancestors.next_code
    where ancestors.bound is null
),

bounds as (
    select distinct on (index_code, methodology_version, unit_code, component_code)
        index_code, methodology_version, unit_code, component_code, bound as upper_bound
    from ancestors
    where bound is not null
    order by index_code, methodology_version, unit_code, component_code, depth
),

final as (
    select
        resolved.*,
        bounds.upper_bound
    from resolved
    left join bounds using (index_code, methodology_version, unit_code, component_code)
)

select * from final
