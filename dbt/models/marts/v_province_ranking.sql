{{ config(materialized='view') }}
{#- The national ranking of one index, year and component: every ranked province with its region rank and the
    ISO 3166-2 code that places it on a map (the 63 provinces; the 34 of 2025 have none). -#}
with

scores as (
    select * from {{ ref('v_component_score') }}
    where unit_type = 'province' and rank is not null
),

units as (
    select * from {{ ref('dim_unit') }}
),

ranking as (
    select
        -- ids
        scores.index_code,
        scores.year,
        scores.release_id,
        scores.component_code,
        scores.unit_code,
        units.iso_3166_2,
        -- strings
        scores.index_name,
        scores.component_name,
        scores.level,
        scores.unit_name,
        scores.region_name,
        -- numerics
        scores.rank,
        scores.rank_of,
        scores.region_rank,
        scores.region_rank_of,
        scores.score,
        scores.max_score,
        scores.pct_of_max,
        scores.delta_vs_previous,
        scores.rank_change_vs_previous,
        -- flags and lineage
        scores.is_synthetic,
        scores.release_is_synthetic,
        scores.coverage,
        scores.source_ref
    from scores
    inner join units on {{ unit_valid_at_year_end('scores', 'units') }}
)

select * from ranking
