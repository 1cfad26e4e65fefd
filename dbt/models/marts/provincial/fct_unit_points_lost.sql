{#- Points lost by each unit (the owner of its score) per component: maximum − score where both are known,
    and percentage points below the maximum where only a percentage is printed. Self-assessments excluded. -#}
with

scores as (
    select * from {{ ref('fct_unit_score') }}
    where score_kind <> 'self'
),

final as (
    select
        -- ids
        index_code,
        year,
        unit_key,
        unit_code,
        unit_type,
        unit_group_code,
        methodology_component_key,
        component_code,
        score_kind,
        -- numerics
        score,
        max_score,
        pct_of_max,
        max_score - score as points_lost,
        100 - pct_of_max as pct_points_lost,
        -- flags
        is_synthetic,
        -- lineage
        release_id,
        source_ref
    from scores
    where (score is not null and max_score is not null) or pct_of_max is not null
)

select * from final
