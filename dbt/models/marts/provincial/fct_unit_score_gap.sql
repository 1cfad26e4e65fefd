{#- Self-assessed against appraised points, per unit and component: a positive gap is over-scoring. -#}
with

scores as (
    select * from {{ ref('fct_unit_score') }}
),

self_assessed as (
    select * from scores where score_kind = 'self' and score is not null
),

appraised as (
    select * from scores where score_kind = 'appraised' and score is not null
),

units as (
    select * from {{ ref('dim_unit') }}
),

final as (
    select
        -- ids
        appraised.index_code,
        appraised.year,
        appraised.unit_key,
        appraised.unit_code,
        appraised.unit_type,
        appraised.unit_group_code,
        appraised.methodology_component_key,
        appraised.component_code,
        -- numerics
        self_assessed.score as self_score,
        appraised.score as appraised_score,
        self_assessed.score - appraised.score as gap,
        appraised.max_score,
        round((self_assessed.score - appraised.score) / nullif(appraised.max_score, 0) * 100, 2) as gap_pct_of_max,
        -- flags
        self_assessed.score > appraised.score as is_over_scored,
        self_assessed.is_synthetic or appraised.is_synthetic as is_synthetic,
        -- lineage
        self_assessed.release_id as self_release_id,
        appraised.release_id as appraised_release_id,
        self_assessed.source_ref as self_source_ref,
        appraised.source_ref as appraised_source_ref,
        -- added last: the unit's name, for BI
        units.unit_name
    from appraised
    left join units on units.unit_key = appraised.unit_key
    inner join self_assessed
        on self_assessed.index_code = appraised.index_code
        and self_assessed.year = appraised.year
        and self_assessed.unit_code = appraised.unit_code
        and self_assessed.component_code = appraised.component_code
)

select * from final
