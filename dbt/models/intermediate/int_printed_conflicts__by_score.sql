{#- One row per published national score whose score or rank its report prints with different values. -#}
with

conflicts as (
    select * from {{ ref('stg_raw__printed_conflicts') }}
    where score_kind = ''
),

published as (
    select * from conflicts
    where is_published
),

others as (
    select
        release_id,
        unit_code,
        component_code,
        measure,
        string_agg(candidate_value::text || ' (' || printings || ')', ', ' order by candidate_value) as other_values
    from conflicts
    where not is_published
    group by release_id, unit_code, component_code, measure
),

described as (
    select
        published.release_id,
        published.unit_code,
        published.component_code,
        published.status,
        published.measure || ' ' || published.candidate_value::text || ' (' || published.printings || ') '
        || case published.status
            when 'resolved' then 'supported by the record'
            when 'decided' then 'decided: ' || coalesce(published.decision_reason, '')
            else 'unresolved: the evidence ties, the first printing is kept'
        end
        || '; also printed ' || others.other_values as note
    from published
    inner join others
        on
            others.release_id = published.release_id
            and others.unit_code = published.unit_code
            and others.component_code = published.component_code
            and others.measure = published.measure
),

by_score as (
    select
        release_id,
        unit_code,
        component_code,
        -- The weakest settlement of the score's facts: unresolved before decided before resolved.
        case
            when bool_or(status = 'unresolved') then 'unresolved'
            when bool_or(status = 'decided') then 'decided'
            else 'resolved'
        end as printed_conflict,
        string_agg(note, '; ' order by note) as printed_conflict_note
    from described
    group by release_id, unit_code, component_code
)

select * from by_score
