with

source as (
    select * from {{ source('raw', 'component_scores') }}
),

renamed as (
    select
        -- ids
        release_id,
        unit_code,
        component_code,
        -- strings
        unit_name,
        unit_type,
        source_ref,
        -- numerics
        score,
        rank,
        rank_of,
        -- flags
        is_synthetic,
        -- lineage
        file_sha256,
        source_file,
        source_row,
        loaded_at
    from source
)

select * from renamed
