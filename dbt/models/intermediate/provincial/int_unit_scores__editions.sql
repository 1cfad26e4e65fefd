{#- Unit scores of every edition with their release, the unit's group and the maximum that applies to it.
    An edition replaces, for its index and year, every score kind it delivers: the latest edition delivering a
    kind is the one the marts show for that kind (a self-assessment snapshot, then appraisal, then final). -#}
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
        -- 100 = first of the group, 0 = last: compares ranks across groups and years of different sizes.
        case
            when with_release.rank is not null and with_release.rank_of > 1
                then round((with_release.rank_of - with_release.rank)::numeric / (with_release.rank_of - 1) * 100, 2)
        end as rank_percentile,
        with_release.edition = max(with_release.edition) over (
            partition by with_release.index_code, with_release.year, with_release.score_kind
        ) as is_latest_for_kind
    from with_release
    left join scales
        on scales.index_code = with_release.index_code
        and scales.methodology_version = with_release.methodology_version
        and scales.unit_code = with_release.unit_code
        and scales.component_code = with_release.component_code
)

select * from scored
