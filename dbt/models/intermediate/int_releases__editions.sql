with

releases as (
    select * from {{ ref('stg_raw__releases') }}
),

flagged as (
    select
        releases.*,
        edition = max(edition) over (partition by index_code, year) as is_current
    from releases
)

select * from flagged
