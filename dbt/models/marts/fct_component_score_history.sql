{#- Every edition's published values; only the partitions being rebuilt. -#}
with

scores as (
    select * from {{ ref('stg_raw__component_scores') }}
),

editions as (
    select * from {{ ref('int_releases__editions') }}
    where {{ partition_filter() }}
),

final as (
    select
        -- ids
        scores.release_id,
        editions.index_code,
        editions.year,
        editions.edition,
        editions.is_current,
        scores.unit_code,
        scores.component_code,
        -- numerics
        scores.score,
        scores.rank,
        scores.rank_of,
        -- lineage
        editions.reason,
        scores.source_file,
        scores.source_row
    from scores
    inner join editions on editions.release_id = scores.release_id
)

select * from final
