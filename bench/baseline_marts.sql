-- The baseline's marts: one hand-written INSERT … SELECT per mart over the COPYed files (bench/baseline.py).
-- Plain SQL, no checks, no lineage, no candidate schema: the fastest way to compute the same facts as the
-- project's marts from the same files. Each statement follows a line naming its mart.

-- mart: dim_unit
insert into baseline.dim_unit
select 'province:' || code || '@2008-08-01', code, province_vi, 'province', region_vi, date '2008-08-01', date '2025-06-30'
from baseline.provinces
union all
select 'province:' || p.code || '@2025-07-01', p.code, p.province_vi, 'province',
       (select case when count(distinct o.region_vi) = 1 then min(o.region_vi) end
        from baseline.provinces o where o.merged_into_2025_vi = p.province_vi),
       date '2025-07-01', null
from baseline.provinces_2025 p
union all
select u.unit_type || ':' || u.unit_code || '@' || u.valid_from, u.unit_code, u.unit_name_vi, u.unit_type, null,
       u.valid_from, u.valid_to
from baseline.units u;

-- mart: fct_component_score_history
insert into baseline.fct_component_score_history
select r.release_id, r.index_code, r.year, r.edition, u.unit_code, s.component_code, s.score, s.rank, s.rank_of
from baseline.component_scores_file s
join baseline.releases r using (release_id)
join baseline.dim_unit u
  on u.unit_name = s.unit_name and u.unit_type = 'province'
 and make_date(r.year, 12, 31) between u.valid_from and coalesce(u.valid_to, date '9999-12-31');

-- mart: fct_component_score
insert into baseline.fct_component_score
with current_editions as (
    select * from baseline.releases r
    where r.index_code <> 'PROVINCIAL_PAR'
      and r.edition = (select max(edition) from baseline.releases x where x.index_code = r.index_code and x.year = r.year)
), scored as (
    select h.release_id, h.index_code, h.year, h.unit_code, h.component_code, h.score, c.max_score,
           round(h.score / nullif(c.max_score, 0) * 100, 2) as pct_of_max,
           coalesce(h.rank, rank() over (partition by h.release_id, h.component_code order by h.score desc))::integer as rank,
           coalesce(h.rank_of, count(*) over (partition by h.release_id, h.component_code))::integer as rank_of,
           rank() over (partition by h.release_id, h.component_code, u.region_name order by h.score desc)::integer
               as region_rank
    from baseline.fct_component_score_history h
    join current_editions e using (release_id)
    join baseline.components c
      on c.index_code = e.index_code and c.methodology_version = e.methodology_version
     and c.component_code = h.component_code
    join baseline.dim_unit u
      on u.unit_code = h.unit_code and u.unit_type = 'province'
     and make_date(h.year, 12, 31) between u.valid_from and coalesce(u.valid_to, date '9999-12-31')
)
select s.*, s.score - p.score as delta_vs_previous, p.rank - s.rank as rank_change_vs_previous
from scored s
left join scored p
  on p.index_code = s.index_code and p.year = s.year - 1 and p.unit_code = s.unit_code
 and p.component_code = s.component_code;

-- mart: fct_unit_score_history
insert into baseline.fct_unit_score_history
with scored as not materialized (
    select s.release_id, r.index_code, r.year, r.edition, u.unit_code, u.parent_unit_code, s.component_code,
           s.score_kind, s.score, c.max_score, round(s.score / nullif(c.max_score, 0) * 100, 2) as pct_of_max,
           s.rank, s.rank_of
    from baseline.unit_scores_file s
    join baseline.releases r using (release_id)
    join baseline.units u
      on u.unit_name_vi = s.unit_name and u.unit_type = s.unit_type
     and make_date(r.year, 12, 31) between u.valid_from and coalesce(u.valid_to, date '9999-12-31')
    left join baseline.components c
      on c.index_code = r.index_code and c.methodology_version = r.methodology_version
     and c.component_code = s.component_code
), ranks as (   -- only the rows with a printed rank are ranked
    select release_id, unit_code, component_code, score_kind,
           rank() over (partition by release_id, parent_unit_code, component_code, score_kind
                        order by pct_of_max desc)::integer as rank_by_pct_of_max
    from scored where rank is not null
)
select s.release_id, s.index_code, s.year, s.edition, s.unit_code, s.component_code, s.score_kind, s.score,
       s.max_score, s.pct_of_max, s.rank, s.rank_of, ranks.rank_by_pct_of_max
from scored s
left join ranks using (release_id, unit_code, component_code, score_kind);

-- mart: fct_unit_score
insert into baseline.fct_unit_score
select h.*
from baseline.fct_unit_score_history h
join (select index_code, year, score_kind, max(edition) as edition
      from baseline.fct_unit_score_history group by index_code, year, score_kind) latest
  using (index_code, year, score_kind, edition);

-- mart: fct_unit_score_gap
insert into baseline.fct_unit_score_gap
select a.index_code, a.year, a.unit_code, a.component_code, s.score, a.score, s.score - a.score, s.score > a.score
from baseline.fct_unit_score a
join baseline.fct_unit_score s
  on s.index_code = a.index_code and s.year = a.year and s.unit_code = a.unit_code
 and s.component_code = a.component_code and s.score_kind = 'self'
where a.score_kind = 'appraised' and a.score is not null and s.score is not null;

-- mart: fct_unit_points_lost
insert into baseline.fct_unit_points_lost
select index_code, year, unit_code, component_code, score_kind, score, max_score, max_score - score, 100 - pct_of_max
from baseline.fct_unit_score
where score_kind <> 'self';
