with

source as (
    select * from {{ ref('units') }}
),

renamed as (
    select
        -- ids
        unit_code,
        parent_unit_code,
        -- strings
        unit_name_vi as unit_name,
        unit_name_en,
        unit_type,
        code_source,
        -- dates
        valid_from,
        valid_to
    from source
)

select * from renamed
