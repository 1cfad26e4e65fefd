{#- Every edition of a province's own index: release × unit × component × score kind. Earlier quarterly
    deliveries stay queryable here; fct_unit_score shows the latest of each score kind. Only the partitions being rebuilt. -#}
with

scores as (
    select * from {{ ref('int_unit_scores__editions') }}   -- only the partitions being rebuilt
),

units as (
    select * from {{ ref('dim_unit') }}
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
        scores.unit_type,
        scores.unit_group_code,
        scores.index_code || '/' || scores.methodology_version || '/' || scores.component_code
            as methodology_component_key,
        scores.component_code,
        scores.score_kind,
        -- numerics
        scores.score,
        scores.max_score,
        scores.upper_bound,
        scores.pct_of_max,
        scores.pct_of_max_printed,
        scores.rank,
        scores.rank_of,
        scores.rank_percentile,
        scores.rank_by_pct_of_max,
        scores.change_printed,
        scores.rank_change_printed,
        -- flags
        scores.assessed,
        scores.is_synthetic,
        -- lineage
        scores.source_ref,
        scores.file_sha256,
        scores.source_row
    from scores
    -- The unit version valid at the end of the year.
    left join units on {{ unit_valid_at_year_end('scores', 'units') }}
)

select * from final
