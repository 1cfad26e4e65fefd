{{ config(materialized='view') }}
{#- Final results ranked within each group as the report prints them, beside the rank their index % gives.
    Built on the tables (not on v_unit_score): publish recreates views one by one. -#}
with

scores as (
    select * from {{ ref('fct_unit_score') }}
    where score_kind = 'final'
),

units as (
    select * from {{ ref('dim_unit') }}
),

groups as (
    select * from {{ ref('dim_unit_group') }}
),

components as (
    select * from {{ ref('dim_methodology_component') }}
    where level = 'total'
),

final as (
    select
        scores.index_code,
        scores.year,
        scores.edition,
        scores.is_synthetic,
        scores.unit_group_code,
        groups.unit_group_name,
        scores.unit_code,
        units.unit_name,
        units.unit_type,
        scores.score,
        scores.max_score,
        scores.pct_of_max,
        scores.rank,
        scores.rank_of,
        rank() over (
            partition by scores.index_code, scores.year, scores.unit_group_code order by scores.pct_of_max desc
        ) as rank_by_pct_of_max,
        scores.rank_percentile,
        scores.change_printed,
        scores.rank_change_printed,
        scores.source_ref
    from scores
    inner join components on components.methodology_component_key = scores.methodology_component_key
    inner join units on units.unit_key = scores.unit_key
    left join groups
        on groups.index_code = scores.index_code
        and groups.methodology_version = components.methodology_version
        and groups.unit_code = scores.unit_code
)

select * from final
