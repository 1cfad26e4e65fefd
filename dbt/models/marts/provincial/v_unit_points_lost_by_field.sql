{{ config(materialized='view') }}
{#- Points lost per field (and per part and total) by unit type: sums over the units whose result is printed. -#}
with

lost as (
    select * from {{ ref('fct_unit_points_lost') }}
),

components as (
    select * from {{ ref('dim_methodology_component') }}
),

final as (
    select
        lost.index_code,
        lost.year,
        lost.unit_type,
        lost.component_code,
        components.component_name,
        components.level,
        components.position as component_position,
        count(*) as units_with_result,
        count(lost.points_lost) as units_with_points,
        sum(lost.points_lost) as points_lost,
        count(*) filter (where lost.pct_of_max >= 100) as units_at_full_marks,
        min(lost.pct_of_max) as lowest_pct_of_max,
        max(lost.pct_points_lost) as most_pct_points_lost,
        bool_or(lost.is_synthetic) as includes_synthetic
    from lost
    inner join components on components.methodology_component_key = lost.methodology_component_key
    group by lost.index_code, lost.year, lost.unit_type, lost.component_code, components.component_name,
        components.level, components.position
)

select * from final
