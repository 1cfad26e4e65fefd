{#- Unit scores of every edition of the partitions being rebuilt that marts does not hold yet, with their
    release, the unit's group, the maximum that applies to it, and the rank the printed ranks should follow (by
    % of the maximum within the group). -#}
{%- set published = published_unit_history() %}
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
    -- Here, not in the mart: PostgreSQL cannot push it below the window function of `ranked`.
    where {{ partition_filter('releases.index_code', 'releases.year') }}
    {%- if published %}
        -- A published release's history does not change: a correction costs its own release's rows.
        and releases.release_id in ({{ unpublished_unit_releases(published) }})
    {%- endif %}
),

scored as not materialized (   -- read twice: inlined, not materialized (millions of rows)
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

ranks as (
    -- Only the rows with a printed rank: a sort of those few rows, not of every score.
    select
        release_id,
        unit_code,
        component_code,
        score_kind,
        rank() over (
            partition by release_id, unit_group_code, component_code, score_kind
            order by pct_of_max desc
        )::integer as rank_by_pct_of_max
    from scored
    where rank is not null
),

ranked as (
    select
        scored.*,
        ranks.rank_by_pct_of_max
    from scored
    left join ranks using (release_id, unit_code, component_code, score_kind)
)

select * from ranked
