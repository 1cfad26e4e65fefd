{#- A province's own index as it stands: year × unit × component × score kind, each kind from the latest
    edition that delivered it (DESIGN's fct_unit_score). -#}
with

history as (
    select * from {{ ref('fct_unit_score_history') }}
),

final as (
    select
        -- ids
        index_code,
        year,
        release_id,
        edition,
        unit_key,
        unit_code,
        unit_type,
        unit_group_code,
        methodology_component_key,
        component_code,
        score_kind,
        -- numerics
        score,
        max_score,
        upper_bound,
        pct_of_max,
        pct_of_max_printed,
        rank,
        rank_of,
        rank_percentile,
        change_printed,
        rank_change_printed,
        -- flags
        assessed,
        is_synthetic,
        -- lineage
        source_ref,
        file_sha256,
        source_row
    from history
    where is_latest_for_kind
)

select * from final
