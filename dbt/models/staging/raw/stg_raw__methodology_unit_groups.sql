with

versions as (
    select * from {{ ref('stg_raw__methodology_versions') }}
),

members as (
    select * from {{ source('raw', 'methodology_unit_groups') }}
),

renamed as (
    select
        -- ids
        members.index_code,
        members.methodology_version,
        members.group_code,
        members.unit_code,
        -- strings
        members.unit_type,
        members.name_vi as group_name,
        members.name_en as group_name_en,
        members.source_ref,
        -- numerics
        members.source_row as group_position
    from members
    inner join versions using (index_code, methodology_version, file_sha256)
)

select * from renamed
