with

source as (
    select * from {{ source('raw', 'releases') }}
),

files as (
    select
        release_id,
        string_agg(file_name || ':' || file_sha256, ', ' order by file_name) as file_hashes,
        sum(row_count) as file_rows
    from {{ source('raw', 'release_files') }}
    group by release_id
),

renamed as (
    select
        -- ids
        source.release_id,
        source.index_code,
        source.year,
        source.edition,
        source.methodology_version,
        -- strings
        source.publisher,
        source.source,
        source.coverage,
        source.reason,
        source.manifest_path,
        source.manifest_sha256,
        files.file_hashes,
        -- numerics and flags
        files.file_rows,
        source.is_synthetic,
        -- dates
        source.published_on,
        source.loaded_at
    from source
    left join files on files.release_id = source.release_id
)

select * from renamed
