{#- The 2025 reform as a bridge: each province version that ended on 2025-06-30 and the province version it
    became part of on 2025-07-01 (data/reference/provinces.csv merged_into_2025_vi). A new province formed from
    several old ones has one row per predecessor; results are shown per predecessor, never averaged. -#}
with

units as (
    select * from {{ ref('dim_unit') }}
    where unit_type = 'province'
),

successions as (
    select
        -- ids
        old.unit_key as predecessor_unit_key,
        new.unit_key as successor_unit_key,
        old.unit_code as predecessor_code,
        new.unit_code as successor_code,
        -- strings
        old.unit_name as predecessor_name,
        new.unit_name as successor_name,
        -- numerics and flags
        count(*) over (partition by new.unit_key) as predecessors_count,
        old.unit_name = new.unit_name as keeps_its_name,
        -- dates
        new.valid_from as effective_on
    from units as old
    inner join units as new
        on new.unit_name = old.merged_into_2025
        and new.valid_from = old.valid_to + 1
)

select * from successions
