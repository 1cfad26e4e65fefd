{#- A province's own index as it stands: year × unit × component × score kind (DESIGN's fct_unit_score).
    An edition replaces, for its index and year, every score kind it delivers: each kind comes from the latest
    edition that delivered it (a self-assessment snapshot, then the appraisal and survey, then the final).
    A partial run's fct_unit_score_history holds the new releases only: the earlier editions of the same
    partitions come from the published history. -#}
{%- set published = published_unit_history() %}
-- depends_on: {{ ref('stg_raw__releases') }} (a partial run lists its partitions' releases: partition_releases())
with

-- Read twice (the latest editions, then their rows): scanned twice rather than materialized, which copied the
-- millions of rows of the history into a temporary store first (6 s of CPU at national scale, 3.8 s this way).
history as not materialized (
    select * from {{ ref('fct_unit_score_history') }}
    {%- if published %}
    union all
    select * from {{ published }} as held
    where held.release_id in ({{ partition_releases() }})
    {%- endif %}
),

latest_editions as (
    select index_code, year, score_kind, max(edition) as edition
    from history
    group by index_code, year, score_kind
),

final as (
    select history.*
    from history
    inner join latest_editions using (index_code, year, score_kind, edition)
)

select * from final
