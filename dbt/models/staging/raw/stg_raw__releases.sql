with

source as (
    select * from {{ source('raw', 'releases') }}
),

files as (
    select
        release_id,
        string_agg(file_name || ':' || file_sha256, ', ' order by file_name) as file_hashes,
        sum(row_count) as file_rows,
        bool_or(is_synthetic) as has_synthetic_file
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
        source.units_not_ranked,
        source.manifest_path,
        source.manifest_sha256,
        files.file_hashes,
        -- numerics and flags
        files.file_rows,
        -- A release is synthetic when it says so or when any of its files is generated.
        source.is_synthetic or coalesce(files.has_synthetic_file, false) as is_synthetic,
        -- dates
        source.published_on,
        source.loaded_at
    from source
    left join files on files.release_id = source.release_id
)

select * from renamed
