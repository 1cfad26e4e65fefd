{{ config(materialized='view') }}
{#- The flat view for BI users: one row per published score with every label a report needs. -#}
with

scores as (
    select * from {{ ref('fct_component_score') }}
),

releases as (
    select * from {{ ref('dim_release') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

components as (
    select * from {{ ref('dim_methodology_component') }}
),

indices as (
    select * from {{ ref('dim_index') }}
),

final as (
    select
        scores.index_code,
        indices.index_name,
        scores.year,
        scores.edition,
        scores.release_id,
        -- This score was generated (anchored synthetic fill), not published.
        scores.is_synthetic,
        releases.methodology_version,
        units.unit_code,
        units.unit_name,
        units.unit_type,
        units.region_name,
        scores.component_code,
        components.component_name,
        components.component_name_en,
        components.level,
        components.parent_code,
        components.part,
        components.position as component_position,
        scores.score,
        scores.max_score,
        scores.pct_of_max,
        scores.rank,
        scores.rank_of,
        scores.rank_percentile,
        scores.delta_vs_previous,
        scores.rank_change_vs_previous,
        scores.previous_score,
        scores.previous_rank,
        scores.source_ref,
        -- Added columns go last: a published view can only gain columns at its end (create or replace view).
        releases.is_synthetic as release_is_synthetic,
        releases.coverage,
        components.comparable_with_previous,
        scores.region_rank,
        scores.region_rank_of,
        scores.published_rank,
        scores.computed_rank,
        scores.printed_conflict,
        scores.printed_conflict_note
    from scores
    inner join releases on releases.release_id = scores.release_id
    inner join units on units.unit_key = scores.unit_key
    inner join components on components.methodology_component_key = scores.methodology_component_key
    inner join indices on indices.index_code = scores.index_code
)

select * from final
