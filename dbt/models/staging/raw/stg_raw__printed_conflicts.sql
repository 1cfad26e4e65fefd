with

source as (
    select * from {{ source('raw', 'printed_conflicts') }}
),

renamed as (
    select
        -- ids
        release_id,
        unit_code,
        component_code,
        score_kind,
        measure,
        -- strings
        unit_name,
        unit_type,
        status,
        printings,
        evidence,
        decision_reason,
        source_ref,
        -- numerics
        candidate_value,
        support,
        -- flags
        is_published,
        -- lineage
        file_sha256,
        source_file,
        source_row,
        loaded_at
    from source
)

select * from renamed
