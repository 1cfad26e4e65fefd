{#- Targets of the province's plans: plan × index × year × unit × component × metric; only the partitions
    (index × year) being rebuilt. A target printed twice with two values is flagged (is_conflicting), and
    its value is left empty rather than chosen. -#}
with

targets as (
    select * from {{ ref('int_targets__grouped') }}
    where {{ partition_filter() }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

final as (
    select
        -- ids
        targets.target_key,
        targets.plan_id,
        targets.index_code,
        targets.year,
        units.unit_key,
        targets.unit_code,
        targets.component_code,
        targets.metric,
        -- strings
        targets.plan_ref,
        targets.metric_kind,
        targets.bound,
        targets.target_printed,
        targets.owner_vi,
        targets.verdict_printed,
        targets.section,
        targets.printed_values,
        -- numerics and flags
        targets.target_value,
        targets.is_conflicting,
        targets.printings::integer as printings,
        targets.result_printed,
        targets.result_source_ref,
        -- lineage
        targets.source_ref,
        targets.source_file,
        targets.file_sha256,
        targets.source_row
    from targets
    left join units on {{ unit_valid_at_year_end('targets', 'units') }}
)

select * from final
