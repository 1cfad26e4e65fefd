with

indices as (
    select * from {{ ref('stg_reference__indices') }}
),

final as (
    select
        index_code,
        index_name,
        index_name_en,
        publisher,
        score_unit,
        higher_is_better
    from indices
)

select * from final
