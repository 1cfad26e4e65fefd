{{ config(materialized='view') }}
{#- Each province's series per index and component, one row per year, with what makes years comparable:
    the methodology version, whether the component is comparable with the previous year, percentiles. -#}
with

scores as (
    select * from {{ ref('v_component_score') }}
    where unit_type = 'province'
),

series as (
    select
        index_code,
        index_name,
        unit_code,
        unit_name,
        region_name,
        component_code,
        component_name,
        year,
        methodology_version,
        score,
        max_score,
        pct_of_max,
        rank,
        rank_of,
        rank_percentile,
        region_rank,
        region_rank_of,
        delta_vs_previous,
        rank_change_vs_previous,
        is_synthetic,
        release_is_synthetic,
        source_ref,
        comparable_with_previous,
        -- A break: the previous point of the series was scored under another methodology version, and this
        -- component does not compare with its previous version or its maximum changed.
        coalesce(lag(methodology_version) over w <> methodology_version
            and (not coalesce(comparable_with_previous, false) or lag(max_score) over w is distinct from max_score),
            false) as is_series_break,
        row_number() over w as year_in_series,
        count(*) over (partition by index_code, unit_code, component_code) as years_in_series,
        first_value(year) over w as first_year_in_series
    from scores
    window w as (partition by index_code, unit_code, component_code order by year)
)

select * from series
