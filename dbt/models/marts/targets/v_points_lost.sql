{{ config(materialized='view') }}
{#- Points lost (maximum − score) by field and criterion, with the department responsible: the one named for
    the component itself, else the one named for its field. -#}
with

scores as (
    select * from {{ ref('fct_component_score') }}
),

components as (
    select * from {{ ref('dim_methodology_component') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

owners as (
    select
        index_code,
        year,
        unit_code,
        component_code,
        string_agg(distinct owner_vi, '; ') as owner_vi,
        string_agg(distinct source_ref, '; ') as owner_source_ref
    from {{ ref('fct_component_owner') }}
    group by index_code, year, unit_code, component_code
),

lost as (
    select
        scores.index_code,
        scores.year,
        scores.release_id,
        scores.unit_code,
        units.unit_name,
        scores.component_code,
        components.component_name,
        components.level,
        components.parent_code,
        components.position as component_position,
        scores.score,
        scores.max_score,
        scores.max_score - scores.score as points_lost,
        scores.pct_of_max,
        coalesce(own.owner_vi, field.owner_vi) as owner_vi,
        case
            when own.owner_vi is not null then scores.component_code
            when field.owner_vi is not null then components.parent_code
        end as owner_named_for,
        coalesce(own.owner_source_ref, field.owner_source_ref) as owner_source_ref,
        scores.source_ref
    from scores
    inner join components on components.methodology_component_key = scores.methodology_component_key
    inner join units on units.unit_key = scores.unit_key
    left join owners as own
        on own.index_code = scores.index_code
        and own.year = scores.year
        and own.unit_code = scores.unit_code
        and own.component_code = scores.component_code
    left join owners as field
        on field.index_code = scores.index_code
        and field.year = scores.year
        and field.unit_code = scores.unit_code
        and field.component_code = components.parent_code
        and components.level = 'criterion'
    -- Published figures only: a generated value of an anchored synthetic national release loses no real points.
    where components.level in ('field', 'criterion') and scores.max_score is not null and not scores.is_synthetic
)

select * from lost
