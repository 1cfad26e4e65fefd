{#- One row per candidate value of each fact a current release's source report prints with different values;
    only the partitions (index × year) being rebuilt. -#}
with

conflicts as (
    select * from {{ ref('stg_raw__printed_conflicts') }}
),

editions as (
    select * from {{ ref('int_releases__editions') }}
    where is_current and {{ partition_filter() }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

current_conflicts as (
    select
        conflicts.*,
        editions.index_code,
        editions.year,
        editions.edition
    from conflicts
    inner join editions on editions.release_id = conflicts.release_id
),

final as (
    select
        -- ids
        current_conflicts.release_id,
        current_conflicts.index_code,
        current_conflicts.year,
        current_conflicts.edition,
        units.unit_key,
        current_conflicts.unit_code,
        current_conflicts.component_code,
        current_conflicts.score_kind,
        current_conflicts.measure,
        -- strings
        current_conflicts.unit_name,
        current_conflicts.status,
        current_conflicts.printings,
        current_conflicts.evidence,
        current_conflicts.decision_reason,
        -- numerics and flags
        current_conflicts.candidate_value,
        max(current_conflicts.candidate_value) filter (where current_conflicts.is_published) over (
            partition by current_conflicts.release_id, current_conflicts.unit_code, current_conflicts.component_code,
            current_conflicts.score_kind, current_conflicts.measure
        ) as published_value,
        current_conflicts.is_published,
        current_conflicts.support,
        -- lineage
        current_conflicts.source_ref,
        current_conflicts.source_file,
        current_conflicts.file_sha256,
        current_conflicts.source_row
    from current_conflicts
    -- The unit version valid at the end of the release's year.
    left join units on {{ unit_valid_at_year_end('current_conflicts', 'units') }}
)

select * from final
