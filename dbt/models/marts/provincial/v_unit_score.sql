{{ config(materialized='view') }}
{#- The flat view of a province's own index for BI users: the latest value of each score kind, with labels. -#}
with

scores as (
    select * from {{ ref('fct_unit_score') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

groups as (
    select * from {{ ref('dim_unit_group') }}
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
        scores.is_synthetic,
        units.unit_code,
        units.unit_name,
        units.unit_name_en,
        units.unit_type,
        units.parent_unit_code,
        units.valid_to as unit_valid_to,
        scores.unit_group_code,
        groups.unit_group_name,
        scores.component_code,
        components.component_name,
        components.component_name_en,
        components.level,
        components.parent_code,
        components.position as component_position,
        scores.score_kind,
        scores.score,
        scores.max_score,
        scores.pct_of_max,
        scores.pct_of_max_printed,
        scores.rank,
        scores.rank_of,
        scores.rank_by_pct_of_max,
        scores.rank_percentile,
        scores.change_printed,
        scores.rank_change_printed,
        scores.source_ref
    from scores
    inner join units on units.unit_key = scores.unit_key
    inner join components on components.methodology_component_key = scores.methodology_component_key
    inner join indices on indices.index_code = scores.index_code
    left join groups
        on groups.index_code = scores.index_code
        and groups.methodology_version = components.methodology_version
        and groups.unit_code = scores.unit_code
)

select * from final
