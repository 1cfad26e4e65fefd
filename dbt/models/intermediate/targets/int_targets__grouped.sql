{#- One row per target (plan × index × year × unit × component × metric). A plan may print the same target in
    several places: one value = one target; two values = a conflicting target, flagged and never chosen. -#}
with

targets as (
    select * from {{ ref('stg_plans__targets') }}
),

keyed as (
    select
        targets.*,
        case
            when metric in ('pct_of_max_min', 'pct_min') then 'score'
            when metric like 'rank%' then 'rank'
            else 'other'
        end as metric_kind,
        -- A target the marts cannot measure ('other') stays one row per printed place.
        concat_ws('/', plan_id, index_code, year, unit_code, coalesce(component_code, '-'), metric)
            || case when metric = 'other' then ' @ ' || source_ref else '' end as target_key
    from targets
),

grouped as (
    select
        -- ids
        target_key,
        plan_id,
        index_code,
        year,
        unit_code,
        unit_type,
        component_code,
        metric,
        metric_kind,
        -- strings
        min(plan_ref) as plan_ref,
        string_agg(distinct target_printed, '; ') as target_printed,
        string_agg(distinct owner_vi, '; ') as owner_vi,
        string_agg(distinct verdict_printed, '; ') as verdict_printed,
        (array_agg(result_source_ref order by source_row) filter (where result_printed is not null))[1]
            as result_source_ref,
        string_agg(distinct section, ', ') as section,
        string_agg(source_ref, '; ' order by source_row) as source_ref,
        string_agg(coalesce(value::text, '–') || coalesce(' (' || bound || ')', '') || ' at ' || source_ref, '; '
            order by source_row) as printed_values,
        -- numerics and flags
        count(*) as printings,
        -- distinct (value, bound) is a row value, not a call: sqlfluff reads it as distinct(...)
        -- noqa: disable=ST08,LT01
        count(distinct (value, coalesce(bound, ''))) > 1 as is_conflicting,
        case when count(distinct (value, coalesce(bound, ''))) = 1 then min(value) end as target_value,
        case when count(distinct (value, coalesce(bound, ''))) = 1 then min(bound) end as bound,
        -- noqa: enable=ST08,LT01
        (array_agg(result_printed order by source_row) filter (where result_printed is not null))[1]
            as result_printed,
        -- lineage (the first printing)
        (array_agg(source_file order by source_row))[1] as source_file,
        (array_agg(file_sha256 order by source_row))[1] as file_sha256,
        min(source_row) as source_row
    from keyed
    group by target_key, plan_id, index_code, year, unit_code, unit_type, component_code, metric, metric_kind
)

select * from grouped
