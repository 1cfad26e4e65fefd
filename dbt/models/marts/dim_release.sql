with

editions as (
    select * from {{ ref('int_releases__editions') }}
),

final as (
    select
        -- ids
        release_id,
        index_code,
        year,
        edition,
        methodology_version,
        -- strings
        publisher,
        source,
        coverage,
        reason,
        units_not_ranked,
        manifest_path,
        manifest_sha256,
        file_hashes,
        -- numerics and flags
        file_rows,
        is_current,
        is_synthetic,
        -- dates
        published_on
    from editions
)

select * from final
