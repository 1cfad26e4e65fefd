{#- The departments responsible for a component of a unit's index in a year, as each plan names them
    (plan × index × year × unit × component); only the partitions being rebuilt. -#}
with

owners as (
    select * from {{ ref('int_component_owners__named') }}
    where {{ partition_filter() }}
),

final as (
    select
        -- ids
        owners.plan_id,
        owners.index_code,
        owners.year,
        owners.unit_code,
        owners.component_code,
        -- strings
        owners.owner_vi,
        owners.named_in,
        -- lineage
        owners.source_ref
    from owners
)

select * from final
