with

source as (
    select * from {{ ref('provinces') }}
),

renamed as (
    select
        code as province_code,
        iso_3166_2 as province_iso_code,
        province_vi as province_name,
        province_en as province_name_en,
        region_vi as region_name,
        merged_into_2025_vi as merged_into_2025
    from source
)

select * from renamed
