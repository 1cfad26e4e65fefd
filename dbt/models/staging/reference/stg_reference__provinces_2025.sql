with

source as (
    select * from {{ ref('provinces_2025') }}
),

renamed as (
    select
        code as province_code,
        province_vi as province_name,
        official_name_vi as province_official_name,
        province_en as province_name_en,
        source as code_source
    from source
)

select * from renamed
