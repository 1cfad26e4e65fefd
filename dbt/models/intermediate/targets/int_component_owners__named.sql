{#- The departments a plan names for a component: its owners file, else the owners printed beside its targets. -#}
with

owners as (
    select * from {{ ref('stg_plans__component_owners') }}
),

targets as (
    select * from {{ ref('stg_plans__targets') }}
),

from_owners as (
    select
        plan_id,
        index_code,
        year,
        unit_code,
        unit_type,
        component_code,
        owner_vi,
        source_ref,
        'owners' as named_in
    from owners
),

from_targets as (
    select
        plan_id,
        index_code,
        year,
        unit_code,
        unit_type,
        component_code,
        string_agg(distinct owner_vi, '; ') as owner_vi,
        (array_agg(source_ref order by source_row))[1] as source_ref,
        'targets' as named_in
    from targets
    where owner_vi is not null and component_code is not null and metric <> 'other'
    group by plan_id, index_code, year, unit_code, unit_type, component_code
),

combined as (
    select * from from_owners
    union all
    select * from from_targets
    where not exists (
        select 1 from from_owners
        where from_owners.plan_id = from_targets.plan_id
            and from_owners.index_code = from_targets.index_code
            and from_owners.year = from_targets.year
            and from_owners.unit_code = from_targets.unit_code
            and from_owners.component_code = from_targets.component_code
    )
)

select * from combined
