with

versions as (
    -- A methodology file can be corrected: the latest loaded content of each version wins.
    select distinct on (index_code, methodology_version)
        index_code, methodology_version, file_sha256, file_path, first_year, last_year
    from {{ source('raw', 'methodology_versions') }}
    order by index_code, methodology_version, loaded_at desc
),

components as (
    select * from {{ source('raw', 'methodology_components') }}
),

renamed as (
    select
        -- ids
        components.index_code,
        components.methodology_version,
        components.component_code,
        components.parent_code,
        components.previous_version,
        -- strings
        components.level,
        components.part,
        components.name_vi,
        components.name_en,
        components.source_ref,
        versions.file_path,
        -- numerics and flags
        components.max_score,
        components.min_score,
        components.required,
        components.comparable_with_previous as comparable_declared,
        components.source_row as position,
        versions.first_year,
        versions.last_year,
        components.file_sha256
    from components
    inner join versions
        on versions.index_code = components.index_code
        and versions.methodology_version = components.methodology_version
        and versions.file_sha256 = components.file_sha256
)

select * from renamed
