{#- The departments responsible for a component of a unit's index in a year, as each plan names them
    (plan × index × year × unit × component); only the partitions being rebuilt. -#}
with

owners as (
    select * from {{ ref('int_component_owners__named') }}
    where {{ partition_filter() }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

final as (
    select
        -- ids
        owners.plan_id,
        owners.index_code,
        owners.year,
        units.unit_key,
        owners.unit_code,
        owners.component_code,
        -- strings
        owners.owner_vi,
        owners.named_in,
        -- lineage
        owners.source_ref
    from owners
    left join units
        on units.unit_code = owners.unit_code
        and units.unit_type = owners.unit_type
        and make_date(owners.year, 12, 31) between units.valid_from and coalesce(units.valid_to, date '9999-12-31')
)

select * from final
