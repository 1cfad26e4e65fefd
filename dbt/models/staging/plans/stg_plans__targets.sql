with

plans as (
    select * from {{ ref('stg_plans__plans') }}
),

targets as (
    select * from {{ source('plans', 'targets') }}
),

renamed as (
    select
        -- ids
        plans.plan_id,
        targets.index_code,
        targets.target_year as year,
        targets.unit_code,
        targets.unit_type,
        targets.component_code,
        targets.metric,
        -- strings
        plans.plan_ref,
        targets.unit_name,
        targets.bound,
        targets.target_printed,
        targets.owner_vi,
        targets.verdict_printed,
        targets.result_source_ref,
        targets.section,
        targets.source_ref,
        -- numerics
        targets.value,
        targets.result_printed,
        -- lineage
        targets.plan_load_id,
        targets.file_sha256,
        targets.source_file,
        targets.source_row
    from targets
    inner join plans on plans.plan_load_id = targets.plan_load_id
)

select * from renamed
