{#- The groups a province's own index ranks separately, one row per methodology version and member unit. -#}
with

members as (
    select * from {{ ref('stg_raw__methodology_unit_groups') }}
),

final as (
    select
        -- ids
        index_code || '/' || methodology_version || '/' || unit_code as unit_group_member_key,
        index_code,
        methodology_version,
        group_code as unit_group_code,
        unit_code,
        -- strings
        group_name as unit_group_name,
        group_name_en as unit_group_name_en,
        unit_type,
        source_ref,
        -- numerics
        group_position
    from members
)

select * from final
