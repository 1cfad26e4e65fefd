{#- Unit scores of every edition with their release, the unit's group, the maximum that applies to it, and
    the rank the printed ranks should follow (by % of the maximum within the group). -#}
with

scores as (
    select * from {{ ref('stg_raw__unit_scores') }}
),

releases as (
    select * from {{ ref('stg_raw__releases') }}
),

scales as (
    select * from {{ ref('int_unit_scales__resolved') }}
),

with_release as (
    select
        releases.index_code,
        releases.year,
        releases.edition,
        releases.methodology_version,
        releases.is_synthetic,
        scores.*
    from scores
    inner join releases on releases.release_id = scores.release_id
),

scored as (
    select
        with_release.*,
        scales.group_code as unit_group_code,
        scales.max_score,
        scales.upper_bound,
        scales.assessed,
        coalesce(round(with_release.score / nullif(scales.max_score, 0) * 100, 2), with_release.pct_of_max_printed)
            as pct_of_max,
        -- Within the group: compares ranks across groups and years of different sizes.
        {{ rank_percentile('with_release.rank', 'with_release.rank_of') }} as rank_percentile
    from with_release
    left join scales
        on scales.index_code = with_release.index_code
        and scales.methodology_version = with_release.methodology_version
        and scales.unit_code = with_release.unit_code
        and scales.component_code = with_release.component_code
),

ranked as (
    select
        scored.*,
        case when scored.rank is not null then rank() over (
            partition by scored.release_id, scored.unit_group_code, scored.component_code, scored.score_kind,
                scored.rank is null
            order by scored.pct_of_max desc
        )::integer end as rank_by_pct_of_max
    from scored
)

select * from ranked
