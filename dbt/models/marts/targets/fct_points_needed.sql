{#- What a rank target asks for in points: for each rank target of a plan (the worse end of a rank band, or a
    number of places gained on the previous year's rank), the score that reached that rank in the published
    national release of the year and the unit's gap to it. The score at rank N is the N-th best score of the
    other ranked units: reaching it ranks the unit N-th or better (equal scores share a rank). Only the
    partitions (index × year) being rebuilt. -#}
with

targets as (
    select * from {{ ref('fct_target') }}
    where {{ partition_filter() }} and metric in ('rank_max', 'rank_gain_min')
),

scores as (
    select * from {{ ref('fct_component_score') }}
    where {{ partition_filter() }}
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

own as (
    select
        targets.target_key,
        targets.plan_id,
        targets.plan_ref,
        targets.index_code,
        targets.year,
        targets.unit_key,
        targets.unit_code,
        targets.component_code,
        targets.metric,
        targets.target_printed,
        targets.target_value,
        targets.is_conflicting,
        targets.source_ref,
        scores.release_id,
        scores.methodology_component_key,
        scores.score,
        scores.max_score,
        scores.rank,
        scores.rank_of,
        scores.previous_rank,
        releases.coverage,
        case
            when targets.is_conflicting then null
            when targets.metric = 'rank_max' then targets.target_value::integer
            -- A gain of N places on last year's rank: rank at most previous rank − N (last year ranked as many).
            when scores.rank_change_vs_previous is not null
                then (scores.previous_rank - targets.target_value)::integer
        end as target_rank
    from targets
    inner join scores
        on scores.index_code = targets.index_code
        and scores.year = targets.year
        and scores.unit_code = targets.unit_code
        and scores.component_code = targets.component_code
    inner join releases on releases.release_id = scores.release_id
),

others as (
    -- The other ranked units of the same release and component, best score first, for each target.
    select
        own.target_key,
        scores.unit_key,
        scores.score,
        scores.is_synthetic,
        scores.source_ref,
        row_number() over (partition by own.target_key order by scores.score desc, scores.unit_code) as place
    from own
    inner join scores
        on scores.release_id = own.release_id
        and scores.component_code = own.component_code
        and scores.unit_code <> own.unit_code
        and scores.rank is not null
    where own.coverage = 'complete'
),

final as (
    select
        -- ids
        own.target_key,
        own.plan_id,
        own.index_code,
        own.year,
        own.release_id,
        own.unit_key,
        own.unit_code,
        own.component_code,
        own.metric,
        -- strings
        own.plan_ref,
        units.unit_name,
        components.component_name,
        components.level,
        own.target_printed,
        case
            when own.is_conflicting then 'the plan prints this target with different values: none is chosen'
            -- a target without its printed words (a plan row that gives only the value) still says its basis
            when own.metric = 'rank_max' then 'the worse end of the printed range ('
                || coalesce(own.target_printed, 'rank ' || own.target_value::integer) || ')'
            when own.target_rank is not null then
                'rank ' || own.previous_rank || ' of ' || (own.year - 1) || ' minus '
                || own.target_value::integer || ' places'
                || coalesce(' (' || own.target_printed || ')', '')
            else 'no rank of ' || (own.year - 1) || ' among as many ranked units to count places from'
        end as target_rank_basis,
        -- numerics
        own.target_rank,
        own.score,
        own.max_score,
        own.max_score - own.score as points_left,
        own.rank,
        own.rank_of,
        threshold.score as threshold_score,
        threshold_unit.unit_code as threshold_unit_code,
        threshold_unit.unit_name as threshold_unit_name,
        threshold.score - own.score as score_gap,
        case
            when own.rank <= own.target_rank then 0::numeric
            when threshold.score is not null then greatest(threshold.score - own.score, 0)
        end as points_needed,
        -- flags
        own.rank <= own.target_rank as is_reached,
        threshold.is_synthetic as threshold_is_synthetic,
        case
            when own.coverage <> 'complete' then 'the release does not rank every unit: no score at that rank'
            when own.target_rank is not null and threshold.score is null then 'no unit is ranked that far'
        end as threshold_note,
        -- lineage
        own.source_ref,
        threshold.source_ref as threshold_source_ref
    from own
    inner join units on units.unit_key = own.unit_key
    inner join components on components.methodology_component_key = own.methodology_component_key
    left join others as threshold
        on threshold.target_key = own.target_key
        and threshold.place = own.target_rank
    left join units as threshold_unit on threshold_unit.unit_key = threshold.unit_key
)

select * from final
