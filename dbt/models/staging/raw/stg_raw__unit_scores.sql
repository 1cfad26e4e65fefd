with

source as (
    select * from {{ source('raw', 'unit_scores') }}
),

renamed as (
    select
        -- ids
        release_id,
        unit_code,
        component_code,
        score_kind,
        -- strings
        unit_name,
        unit_type,
        source_ref,
        -- numerics
        score,
        pct_of_max as pct_of_max_printed,
        rank,
        rank_of,
        change_printed,
        rank_change_printed,
        -- lineage
        file_sha256,
        source_row,
        loaded_at
    from source
)

select * from renamed
