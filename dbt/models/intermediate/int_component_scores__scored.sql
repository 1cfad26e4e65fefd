with

scores as (
    select * from {{ ref('stg_raw__component_scores') }}
),

editions as (
    select * from {{ ref('int_releases__editions') }}
    where is_current
),

components as (
    select * from {{ ref('int_methodology_components__resolved') }}
),

corrections as (
    select * from {{ ref('stg_raw__announced_corrections') }}
),

joined as (
    select
        editions.index_code,
        editions.year,
        editions.edition,
        editions.methodology_version,
        scores.release_id,
        scores.unit_code,
        scores.component_code,
        scores.unit_name,
        scores.unit_type,
        scores.source_ref,
        scores.rank as published_rank,
        scores.rank_of as published_rank_of,
        scores.is_synthetic,
        scores.file_sha256,
        scores.source_file,
        scores.source_row,
        -- An announced correction replaces the published score, visibly (correction_reason, audit.corrections).
        coalesce(corrections.new_score, scores.score) as score,
        scores.score as published_score,
        corrections.reason as correction_reason,
        components.max_score,
        components.level,
        components.comparable_with_previous,
        -- A complete release ranks every unit on the components its methodology requires of every unit.
        editions.coverage = 'complete' and components.required as is_ranked
    from scores
    inner join editions on editions.release_id = scores.release_id
    inner join components
        on components.index_code = editions.index_code
        and components.methodology_version = editions.methodology_version
        and components.component_code = scores.component_code
    left join corrections
        on corrections.index_code = editions.index_code
        and corrections.year = editions.year
        and corrections.unit_code = scores.unit_code
        and corrections.component_code = scores.component_code
),

ranked as (
    select
        joined.*,
        case when is_ranked then rank() over (partition by release_id, component_code order by score desc) end
            as computed_rank,
        case when is_ranked then count(*) over (partition by release_id, component_code) end as computed_rank_of
    from joined
),

current_scores as (
    select
        ranked.*,
        -- The published rank wherever it is printed; computed from a complete release elsewhere.
        coalesce(published_rank, computed_rank)::integer as rank,
        (case when published_rank is not null then published_rank_of else computed_rank_of end)::integer as rank_of
    from ranked
),

with_previous as (
    select
        current_scores.*,
        previous.score as previous_score,
        previous.rank as previous_rank,
        previous.rank_of as previous_rank_of,
        -- Within one methodology version every component compares; across versions only comparable ones.
        previous.methodology_version = current_scores.methodology_version
            or current_scores.comparable_with_previous as is_comparable
    from current_scores
    left join current_scores as previous
        on previous.index_code = current_scores.index_code
        and previous.year = current_scores.year - 1
        and previous.unit_code = current_scores.unit_code
        and previous.component_code = current_scores.component_code
),

scored as (
    select
        with_previous.*,
        round(score / nullif(max_score, 0) * 100, 2) as pct_of_max,
        -- 100 = best of the ranked units, 0 = last: compares ranks across years with different counts.
        {{ rank_percentile('rank', 'rank_of') }} as rank_percentile,
        case when is_comparable then score - previous_score end as delta_vs_previous,
        -- Positive = moved up. Raw ranks compare only among the same number of ranked units.
        case when rank_of = previous_rank_of then previous_rank - rank end as rank_change_vs_previous
    from with_previous
)

select * from scored
