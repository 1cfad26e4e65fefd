{#- Each target against the published result (fct_component_score): the actual value, whether the target is
    met, and a verdict per component in the reports' categories, beside the verdict a report printed. -#}
with

targets as (
    select * from {{ ref('fct_target') }}
),

scores as (
    select * from {{ ref('fct_component_score') }}
),

verdicts as (
    select * from {{ ref('stg_reference__target_verdicts') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

measured as (
    select
        targets.*,
        scores.release_id as actual_release_id,
        scores.source_ref as actual_source_ref,
        case targets.metric
            when 'pct_of_max_min' then scores.pct_of_max
            when 'pct_min' then scores.score
            when 'rank_min' then scores.rank
            when 'rank_max' then scores.rank
            when 'rank_gain_min' then scores.rank_change_vs_previous
            when 'rank_gain_max' then scores.rank_change_vs_previous
        end as actual_value
    from targets
    left join scores
        on scores.index_code = targets.index_code
        and scores.year = targets.year
        and scores.unit_code = targets.unit_code
        and scores.component_code = targets.component_code
),

assessed as (
    select
        measured.*,
        case
            when metric_kind = 'other' then 'not_measurable'
            when is_conflicting then 'conflicting_target'
            when actual_value is null then 'no_actual'
            when metric in ('pct_of_max_min', 'pct_min') then
                case
                    when bound = 'above' and actual_value > target_value then 'met'
                    when bound = 'at_least' and actual_value >= target_value then 'met'
                    else 'not_met'
                end
            -- Rank 1 is best: a rank above the better end of the range beats it ("thứ hạng vượt").
            when metric = 'rank_min' then case when actual_value < target_value then 'exceeded' else 'met' end
            when metric = 'rank_max' then case when actual_value <= target_value then 'met' else 'not_met' end
            when metric = 'rank_gain_min' then case when actual_value >= target_value then 'met' else 'not_met' end
            when metric = 'rank_gain_max' then case when actual_value > target_value then 'exceeded' else 'met' end
        end as attainment
    from measured
),

per_component as (
    -- The score targets and the rank targets of one component, each summed up: unknown (a missing result or a
    -- conflicting target) wins, then not met, then exceeded.
    select
        plan_id,
        index_code,
        year,
        unit_code,
        component_code,
        case
            when count(*) filter (where metric_kind = 'score') = 0 then null
            when bool_or(attainment in ('no_actual', 'conflicting_target')) filter (where metric_kind = 'score')
                then 'unknown'
            when bool_or(attainment = 'not_met') filter (where metric_kind = 'score') then 'not_met'
            else 'met'
        end as score_status,
        case
            when count(*) filter (where metric_kind = 'rank') = 0 then null
            when bool_or(attainment in ('no_actual', 'conflicting_target')) filter (where metric_kind = 'rank')
                then 'unknown'
            when bool_or(attainment = 'not_met') filter (where metric_kind = 'rank') then 'not_met'
            when bool_or(attainment = 'exceeded') filter (where metric_kind = 'rank') then 'exceeded'
            else 'met'
        end as rank_status,
        string_agg(distinct
            case when result_printed <> actual_value then
                'printed ' || result_printed || ' (' || result_source_ref || '), marts ' || actual_value
                || ' (' || actual_source_ref || ')'
            end, '; ') as result_differences
    from assessed
    where metric_kind <> 'other'
    group by plan_id, index_code, year, unit_code, component_code
),

judged as (
    select
        assessed.*,
        per_component.score_status,
        per_component.rank_status,
        per_component.result_differences,
        case
            when score_status = 'unknown' or rank_status = 'unknown' then null
            when score_status is null and rank_status is null then null
            when score_status is null then case when rank_status = 'not_met' then 'not_met' else 'met' end
            when rank_status is null then score_status
            when score_status = 'met' and rank_status = 'not_met' then 'score_met_rank_not_met'
            when score_status = 'met' then 'met'
            when rank_status = 'exceeded' then 'score_not_met_rank_exceeded'
            when rank_status = 'met' then 'score_not_met_rank_met'
            else 'not_met'
        end as verdict_code
    from assessed
    left join per_component
        on per_component.plan_id = assessed.plan_id
        and per_component.index_code = assessed.index_code
        and per_component.year = assessed.year
        and per_component.unit_code = assessed.unit_code
        and per_component.component_code = assessed.component_code
),

final as (
    select
        -- ids
        judged.target_key,
        judged.plan_id,
        judged.index_code,
        judged.year,
        judged.unit_key,
        judged.unit_code,
        judged.component_code,
        judged.metric,
        -- the target
        judged.metric_kind,
        judged.target_value,
        judged.bound,
        judged.target_printed,
        judged.is_conflicting,
        judged.printed_values,
        judged.owner_vi,
        -- the result
        judged.actual_value,
        judged.actual_release_id,
        judged.actual_source_ref,
        judged.attainment,
        case judged.attainment when 'met' then 'Đạt' when 'exceeded' then 'Vượt' when 'not_met' then 'Không đạt' end
            as metric_verdict,
        judged.score_status,
        judged.rank_status,
        judged.verdict_code,
        computed.wording_vi as verdict,
        -- what a report printed beside the target
        judged.verdict_printed,
        printed.verdict_code as verdict_printed_code,
        judged.verdict_code = printed.verdict_code as verdict_agrees,
        judged.result_printed,
        judged.result_source_ref,
        judged.result_printed = judged.actual_value as result_agrees,
        case
            when judged.verdict_code = printed.verdict_code or printed.verdict_code is null
                or judged.verdict_code is null then null
            when judged.result_differences is not null then
                'the report judged other results than the marts hold: ' || judged.result_differences
            else 'the report printed this verdict for the same results'
        end as difference_note,
        -- lineage
        judged.source_ref,
        -- added last: the unit's name, for BI filters by province
        units.unit_name
    from judged
    left join verdicts as computed on computed.verdict_code = judged.verdict_code and computed.is_canonical
    left join verdicts as printed on printed.wording_vi = judged.verdict_printed
    left join units on units.unit_key = judged.unit_key
)

select * from final
