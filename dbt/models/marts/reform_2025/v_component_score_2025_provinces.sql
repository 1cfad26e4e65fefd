{{ config(materialized='view') }}
{#- National results before and after the 2025 reform for the 34 provinces: a result of an old province is
    shown under the province it became part of, one row per predecessor (never an average of them); results
    from 2025 on belong to the new province itself. Compare ranks across the reform with rank_percentile. -#}
with

scores as (
    select * from {{ ref('fct_component_score') }}
),

units as (
    select * from {{ ref('dim_unit') }}
    where unit_type = 'province'
),

successions as (
    select * from {{ ref('dim_unit_succession') }}
),

merged_from as (
    select successor_unit_key, count(*) as predecessors_count
    from successions
    group by successor_unit_key
),

components as (
    select * from {{ ref('dim_methodology_component') }}
),

final as (
    select
        coalesce(successions.successor_code, units.unit_code) as province_2025_code,
        coalesce(successions.successor_name, units.unit_name) as province_2025_name,
        units.unit_code as scored_unit_code,
        units.unit_name as scored_unit_name,
        successions.predecessor_unit_key is not null as scored_before_reform,
        coalesce(successions.predecessors_count, merged_from.predecessors_count, 1) as predecessors_count,
        scores.index_code,
        scores.year,
        scores.edition,
        scores.release_id,
        scores.component_code,
        components.component_name,
        components.level,
        components.position as component_position,
        scores.score,
        scores.max_score,
        scores.pct_of_max,
        scores.rank,
        scores.rank_of,
        scores.rank_percentile,
        scores.source_ref,
        scores.is_synthetic
    from scores
    inner join units on units.unit_key = scores.unit_key
    inner join components on components.methodology_component_key = scores.methodology_component_key
    left join successions on successions.predecessor_unit_key = units.unit_key
    left join merged_from on merged_from.successor_unit_key = units.unit_key
)

select * from final
