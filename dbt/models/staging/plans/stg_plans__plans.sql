with

loads as (
    -- The latest load of each plan is in force; 'absent' = its folder was removed (withdrawn).
    select distinct on (plan_id) *
    from {{ source('plans', 'plans') }}
    order by plan_id, plan_load_id desc
),

renamed as (
    select
        -- ids
        plan_load_id,
        plan_id,
        -- strings
        plan_ref,
        title,
        issued_by,
        source,
        manifest_path,
        manifest_sha256,
        -- dates
        issued_on,
        loaded_at
    from loads
    where manifest_sha256 <> 'absent'
)

select * from renamed
