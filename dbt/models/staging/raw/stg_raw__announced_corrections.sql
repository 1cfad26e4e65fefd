with

file_states as (
    -- The latest state of each corrections file; a deleted file ('absent') has no entries in force.
    select distinct on (file_path) file_path, file_sha256
    from {{ source('raw', 'correction_files') }}
    order by file_path, loaded_at desc
),

entries as (
    select * from {{ source('raw', 'announced_corrections') }}
),

renamed as (
    select
        -- ids
        entries.index_code,
        entries.year,
        entries.unit_code,
        entries.component_code,
        -- strings
        entries.reason,
        entries.announced_in,
        entries.file_path,
        -- numerics
        entries.old_score,
        entries.new_score,
        entries.source_row
    from entries
    inner join file_states
        on file_states.file_path = entries.file_path
        and file_states.file_sha256 = entries.file_sha256
)

select * from renamed
