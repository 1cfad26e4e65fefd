{#- A methodology file can be corrected: the latest loaded content of each version wins. -#}
with

source as (
    select * from {{ source('raw', 'methodology_versions') }}
),

latest as (
    select distinct on (index_code, methodology_version)
        index_code,
        methodology_version,
        file_sha256,
        file_path,
        first_year,
        last_year
    from source
    order by index_code, methodology_version, loaded_at desc
)

select * from latest
