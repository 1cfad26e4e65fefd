with

source as (
    select * from {{ ref('target_verdicts') }}
),

renamed as (
    select
        verdict_code,
        wording_vi,
        is_canonical,
        source_ref
    from source
)

select * from renamed
