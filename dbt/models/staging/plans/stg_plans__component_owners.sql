with

plans as (
    select * from {{ ref('stg_plans__plans') }}
),

owners as (
    select * from {{ source('plans', 'component_owners') }}
),

renamed as (
    select
        -- ids
        plans.plan_id,
        owners.index_code,
        owners.year,
        owners.unit_code,
        owners.unit_type,
        owners.component_code,
        -- strings
        owners.owner_vi,
        owners.source_ref,
        -- lineage
        owners.source_file,
        owners.source_row
    from owners
    inner join plans on plans.plan_load_id = owners.plan_load_id
)

select * from renamed
