{{ config(materialized='view') }}
{#- Points lost per owner (the unit whose score it is): the total, and its weakest printed field. -#}
with

lost as (
    select * from {{ ref('fct_unit_points_lost') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

components as (
    select * from {{ ref('dim_methodology_component') }}
),

totals as (
    select lost.*
    from lost
    inner join components on components.methodology_component_key = lost.methodology_component_key
    where components.level = 'total'
),

weakest_field as (
    select distinct on (lost.index_code, lost.year, lost.unit_code)
        lost.index_code,
        lost.year,
        lost.unit_code,
        lost.component_code as weakest_field_code,
        components.component_name as weakest_field_name,
        lost.pct_of_max as weakest_field_pct_of_max,
        count(*) over (partition by lost.index_code, lost.year, lost.unit_code) as fields_with_result
    from lost
    inner join components on components.methodology_component_key = lost.methodology_component_key
    where components.level = 'field' and lost.pct_of_max is not null
    order by lost.index_code, lost.year, lost.unit_code, lost.pct_of_max, components.position
),

final as (
    select
        totals.index_code,
        totals.year,
        totals.unit_code as owner_unit_code,
        units.unit_name as owner_unit_name,
        totals.unit_type,
        totals.unit_group_code,
        totals.score as total_score,
        totals.max_score as total_max_score,
        totals.points_lost as total_points_lost,
        totals.pct_points_lost as total_pct_points_lost,
        weakest_field.fields_with_result,
        weakest_field.weakest_field_code,
        weakest_field.weakest_field_name,
        weakest_field.weakest_field_pct_of_max,
        totals.is_synthetic
    from totals
    inner join units on units.unit_key = totals.unit_key
    left join weakest_field
        on weakest_field.index_code = totals.index_code
        and weakest_field.year = totals.year
        and weakest_field.unit_code = totals.unit_code
)

select * from final
