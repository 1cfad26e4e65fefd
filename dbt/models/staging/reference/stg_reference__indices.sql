with

source as (
    select * from {{ ref('indices') }}
),

renamed as (
    select
        index_code,
        name_vi as index_name,
        name_en as index_name_en,
        publisher_vi as publisher,
        score_unit,
        higher_is_better
    from source
)

select * from renamed
