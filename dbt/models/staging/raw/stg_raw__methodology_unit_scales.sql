with

versions as (
    select * from {{ ref('stg_raw__methodology_versions') }}
),

scales as (
    select * from {{ source('raw', 'methodology_unit_scales') }}
),

renamed as (
    select
        -- ids
        scales.index_code,
        scales.methodology_version,
        scales.component_code,
        scales.target_kind,
        scales.target,
        -- strings
        scales.assessed,
        scales.note,
        scales.source_ref,
        -- numerics
        scales.max_score
    from scales
    inner join versions using (index_code, methodology_version, file_sha256)
)

select * from renamed
