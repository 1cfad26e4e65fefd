{#- Units with their validity. Provinces: the 63 of 2008-08-01 to 2025-06-30 (the reform of 1 July 2025
    merged them into 34; later versions come with that reform's data). -#}
with

provinces as (
    select * from {{ ref('stg_reference__provinces') }}
),

final as (
    select
        -- ids
        'province:' || province_code || '@2008-08-01' as unit_key,
        province_code as unit_code,
        -- strings
        province_name as unit_name,
        province_name_en as unit_name_en,
        'province'::text as unit_type,
        null::text as parent_unit_code,
        region_name,
        merged_into_2025,
        -- dates
        date '2008-08-01' as valid_from,
        date '2025-06-30' as valid_to
    from provinces
)

select * from final
