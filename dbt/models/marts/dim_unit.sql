{#- Units with their validity (SCD2, one row per version), built from the reference files because their dates
    are known facts, not changes the warehouse happened to observe:
    - the 63 provinces of 2008-08-01 to 2025-06-30, each with the province it became part of on 1 July 2025;
    - the 34 provinces from 2025-07-01 (official codes; a code can pass from an old province to a new one);
    - a province's departments and districts (data/reference/units.csv); districts end on 2025-06-30. -#}
with

provinces as (
    select * from {{ ref('stg_reference__provinces') }}
),

provinces_2025 as (
    select * from {{ ref('stg_reference__provinces_2025') }}
),

local_units as (
    select * from {{ ref('stg_reference__units') }}
),

regions_2025 as (
    -- A new province keeps its predecessors' region only where they all had the same one.
    select
        merged_into_2025 as province_name,
        case when count(distinct region_name) = 1 then min(region_name) end as region_name
    from provinces
    group by merged_into_2025
),

provinces_until_reform as (
    select
        'province:' || province_code || '@2008-08-01' as unit_key,
        province_code as unit_code,
        province_name as unit_name,
        province_name_en as unit_name_en,
        'province'::text as unit_type,
        null::text as parent_unit_code,
        region_name,
        merged_into_2025,
        date '2008-08-01' as valid_from,
        date '2025-06-30' as valid_to,
        province_iso_code as iso_3166_2
    from provinces
),

provinces_from_reform as (
    select
        'province:' || provinces_2025.province_code || '@2025-07-01' as unit_key,
        provinces_2025.province_code as unit_code,
        provinces_2025.province_name as unit_name,
        provinces_2025.province_name_en as unit_name_en,
        'province'::text as unit_type,
        null::text as parent_unit_code,
        regions_2025.region_name,
        null::text as merged_into_2025,
        date '2025-07-01' as valid_from,
        null::date as valid_to,
        -- ISO 3166-2:VN has no codes of the 34 provinces in our sources (nor Superset's map shapes of them).
        null::text as iso_3166_2
    from provinces_2025
    left join regions_2025 on regions_2025.province_name = provinces_2025.province_name
),

units_of_a_province as (
    select
        local_units.unit_type || ':' || local_units.unit_code || '@' || local_units.valid_from as unit_key,
        local_units.unit_code,
        local_units.unit_name,
        local_units.unit_name_en,
        local_units.unit_type,
        local_units.parent_unit_code,
        parent.region_name,
        null::text as merged_into_2025,
        local_units.valid_from,
        local_units.valid_to,
        null::text as iso_3166_2
    from local_units
    left join provinces_until_reform as parent
        on parent.unit_code = local_units.parent_unit_code
        and local_units.valid_from between parent.valid_from and parent.valid_to
),

final as (
    select * from provinces_until_reform
    union all
    select * from provinces_from_reform
    union all
    select * from units_of_a_province
)

select * from final
