{#- One row per current release edition, unit and component; only the partitions being rebuilt. -#}
with

scores as (
    select * from {{ ref('int_component_scores__scored') }}
    where {{ partition_filter() }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

conflicts as (
    select * from {{ ref('int_printed_conflicts__by_score') }}
),

final as (
    select
        -- ids
        scores.release_id,
        scores.index_code,
        scores.year,
        scores.edition,
        units.unit_key,
        scores.unit_code,
        scores.index_code || '/' || scores.methodology_version || '/' || scores.component_code
            as methodology_component_key,
        scores.component_code,
        -- numerics
        scores.score,
        scores.published_score,
        scores.correction_reason,
        scores.max_score,
        scores.pct_of_max,
        scores.rank,
        scores.rank_of,
        scores.rank_percentile,
        -- Rank among the units of the same region (the region of the unit version valid at the year's end).
        case when scores.is_ranked then
            rank() over (partition by scores.release_id, scores.component_code, units.region_name
                         order by scores.score desc)
        end::integer as region_rank,
        case when scores.is_ranked then
            count(*) over (partition by scores.release_id, scores.component_code, units.region_name)
        end::integer as region_rank_of,
        scores.published_rank,
        scores.computed_rank::integer as computed_rank,
        scores.delta_vs_previous,
        scores.rank_change_vs_previous,
        scores.previous_score,
        scores.previous_rank,
        -- flags and lineage
        scores.is_synthetic,
        -- The source report prints this score or rank with different values (fct_printed_conflict).
        conflicts.printed_conflict,
        conflicts.printed_conflict_note,
        scores.source_ref,
        scores.source_file,
        scores.file_sha256,
        scores.source_row
    from scores
    -- The unit version valid at the end of the release's year.
    left join units on {{ unit_valid_at_year_end('scores', 'units') }}
    left join conflicts
        on
            conflicts.release_id = scores.release_id
            and conflicts.unit_code = scores.unit_code
            and conflicts.component_code = scores.component_code
)

select * from final
