{#- Where the points a rank target needs can come from: for each target of fct_points_needed, every criterion
    under its component that lost points (maximum − score), the department that leads it (the first unit of the
    province the plan's owner cell names), the department's lost points in all and its place, and how much the
    other ranked units moved on the criterion (or on its field, where the national release has no criteria)
    since the previous year. Only the partitions (index × year) being rebuilt. -#}
with

targets as (
    select * from {{ ref('fct_points_needed') }}
),

lost as (
    select * from {{ ref('v_points_lost') }}
    where level = 'criterion' and points_lost > 0 and {{ partition_filter() }}
),

scores as (
    select * from {{ ref('fct_component_score') }}
    where {{ partition_filter() }}
),

province_units as (
    select * from {{ ref('dim_unit') }}
    where unit_type in ('department', 'district')
),

leads as (
    -- The department (or district) an owner cell names first leads; the others it names take part.
    select distinct on (lost.release_id, lost.unit_code, lost.component_code)
        lost.release_id,
        lost.unit_code,
        lost.component_code,
        province_units.unit_code as lead_department_code,
        province_units.unit_name as lead_department_name
    from lost
    inner join province_units
        on province_units.parent_unit_code = lost.unit_code
        and make_date(lost.year, 12, 31)
        between province_units.valid_from and coalesce(province_units.valid_to, date '9999-12-31')
        and strpos(lower(lost.owner_vi), lower(province_units.unit_name)) > 0
    order by
        lost.release_id, lost.unit_code, lost.component_code,
        strpos(lower(lost.owner_vi), lower(province_units.unit_name)), length(province_units.unit_name) desc
),

in_scope as (
    -- A total's target counts every criterion, a field's its own criteria, a criterion's itself.
    select
        targets.target_key,
        targets.plan_id,
        targets.index_code,
        targets.year,
        targets.release_id,
        targets.unit_code,
        targets.unit_name,
        targets.component_code as target_component_code,
        targets.points_needed,
        lost.component_code,
        lost.component_name,
        lost.parent_code as field_code,
        lost.component_position,
        lost.score,
        lost.max_score,
        lost.points_lost,
        lost.owner_vi,
        lost.owner_named_for,
        lost.owner_source_ref,
        lost.source_ref,
        leads.lead_department_code,
        coalesce(leads.lead_department_name, 'Chưa nêu đơn vị chủ trì') as lead_department_name
    from targets
    inner join lost
        on lost.release_id = targets.release_id
        and lost.unit_code = targets.unit_code
        and case targets.level
            when 'total' then true
            when 'criterion' then lost.component_code = targets.component_code
            else lost.parent_code = targets.component_code
        end
    left join leads
        on leads.release_id = lost.release_id
        and leads.unit_code = lost.unit_code
        and leads.component_code = lost.component_code
),

others_moved as (
    -- The other ranked units' mean change since the previous year, per component of the national release.
    select
        targets.target_key,
        scores.component_code,
        avg(scores.delta_vs_previous) as mean_change,
        count(*) as units_compared,
        bool_or(scores.is_synthetic) as any_synthetic
    from targets
    inner join scores
        on scores.release_id = targets.release_id
        and scores.unit_code <> targets.unit_code
        and scores.rank is not null
        and scores.delta_vs_previous is not null
    group by targets.target_key, scores.component_code
),

measured as (
    select
        in_scope.*,
        coalesce(own_moved.component_code, field_moved.component_code) as national_component_code,
        round(coalesce(own_moved.mean_change, field_moved.mean_change), 2) as others_mean_change,
        coalesce(own_moved.units_compared, field_moved.units_compared)::integer as others_compared,
        coalesce(own_moved.any_synthetic, field_moved.any_synthetic) as movement_is_synthetic,
        sum(in_scope.points_lost) over (
            partition by in_scope.target_key, in_scope.lead_department_name
        ) as department_points_lost
    from in_scope
    left join others_moved as own_moved
        on own_moved.target_key = in_scope.target_key
        and own_moved.component_code = in_scope.component_code
    left join others_moved as field_moved
        on field_moved.target_key = in_scope.target_key
        and field_moved.component_code = in_scope.field_code
),

final as (
    select
        -- ids
        target_key,
        plan_id,
        index_code,
        year,
        release_id,
        unit_code,
        target_component_code,
        component_code,
        lead_department_code,
        -- strings
        unit_name,
        component_name,
        field_code,
        owner_vi,
        owner_named_for,
        lead_department_name,
        national_component_code,
        -- numerics
        score,
        max_score,
        points_lost,
        points_needed,
        department_points_lost,
        dense_rank() over (partition by target_key order by department_points_lost desc)::integer
            as department_rank,
        row_number() over (
            partition by target_key, lead_department_name order by points_lost desc, component_position
        )::integer as rank_in_department,
        others_mean_change,
        others_compared,
        case when others_mean_change is not null then
            dense_rank() over (partition by target_key order by others_mean_change desc nulls last)
        end::integer as movement_rank,
        component_position,
        -- flags
        points_needed > 0 and department_points_lost >= points_needed as covers_gap_alone,
        movement_is_synthetic,
        -- lineage
        source_ref,
        owner_source_ref
    from measured
)

select * from final
