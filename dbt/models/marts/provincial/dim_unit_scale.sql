{#- The maximum of each component for each unit a methodology version scores (unit > group > unit type >
    component), whether the unit is assessed on it, and the nearest maximum up the tree (upper_bound). -#}
with

scales as (
    select * from {{ ref('int_unit_scales__resolved') }}
),

final as (
    select
        -- ids
        index_code || '/' || methodology_version || '/' || component_code || '@' || unit_code as unit_scale_key,
        index_code || '/' || methodology_version || '/' || component_code as methodology_component_key,
        index_code,
        methodology_version,
        unit_code,
        group_code as unit_group_code,
        component_code,
        -- strings
        assessed,
        scale_note,
        scale_source_ref,
        -- numerics
        component_max_score,
        max_score,
        upper_bound
    from scales
)

select * from final
