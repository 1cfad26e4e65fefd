"""The check that a unit's final score equals its parts (expectations/fct_unit_score.json, unit_final_equals_its_parts)
walks the methodology once and joins the data set-wise. It must return what the per-level walk over the data returned
(kept below as the reference) on the sample and on planted cases, and report a slip as a warning through the suite."""
from __future__ import annotations

import json

import pytest

from ingest.core import db
from ingest.wap import checks
from tests.conftest import PROJECT

pytestmark = [pytest.mark.db, pytest.mark.slow]

CHECK = "unit_final_equals_its_parts"
# The query before the rewrite: one recursion level per tree level, each joined with the data.
OLD_QUERY = (
    "with recursive parts_scored as (select b.index_code, b.year, b.unit_code, b.component_code from {batch} "
    "as b where b.score_kind in ('appraised', 'survey') and b.score is not null), walk as (select "
    "f.release_id, f.index_code, f.year, f.unit_code, f.component_code as final_code, f.score as "
    "final_score, f.source_ref, c.methodology_version, c.component_code as code from {batch} as f join "
    "dim_methodology_component as p on p.methodology_component_key = f.methodology_component_key join "
    "dim_methodology_component as c on c.index_code = p.index_code and c.methodology_version = "
    "p.methodology_version and c.parent_code = p.component_code where f.score_kind = 'final' and f.score is "
    "not null union all select w.release_id, w.index_code, w.year, w.unit_code, w.final_code, w.final_score, "
    "w.source_ref, c.methodology_version, c.component_code from walk as w join dim_methodology_component as "
    "c on c.index_code = w.index_code and c.methodology_version = w.methodology_version and c.parent_code = "
    "w.code where not exists (select 1 from parts_scored as s where s.index_code = w.index_code and s.year = "
    "w.year and s.unit_code = w.unit_code and s.component_code = w.code)), sums as (select w.release_id, "
    "w.unit_code, w.final_code, w.final_score, w.source_ref, sum(s.score) as parts_sum, count(*) as "
    "parts_found, string_agg(w.code, ' + ' order by w.code) as parts from walk as w join {batch} as s on "
    "s.index_code = w.index_code and s.year = w.year and s.unit_code = w.unit_code and s.component_code = "
    "w.code and s.score_kind in ('appraised', 'survey') and s.score is not null group by 1, 2, 3, 4, 5) "
    "select release_id, unit_code, final_code as component_code, final_score::text as observed, parts || ' = "
    "' || parts_sum as expected, source_ref from sums where abs(final_score - parts_sum) > 0.011 * "
    "parts_found"
)


def _query(name: str = CHECK) -> str:
    doc = json.loads((PROJECT / "expectations/fct_unit_score.json").read_text(encoding="utf-8"))
    (query,) = [e["kwargs"]["unexpected_rows_query"] for e in doc["expectations"] if e["meta"].get("check") == name]
    return query


def _add(unit: str, code: str, kind: str, score: str) -> str:
    """A score of `unit` for `code`, in the release and methodology version of the unit's final TOTAL."""
    return ("insert into fct_unit_score (release_id, index_code, year, unit_code, methodology_component_key, "
            "component_code, score_kind, score, source_ref) select release_id, index_code, year, unit_code, "
            f"regexp_replace(methodology_component_key, '[^/]*$', '{code}'), '{code}', '{kind}', {score}, 'test' "
            f"from fct_unit_score where unit_code = '{unit}' and component_code = 'TOTAL' and score_kind = 'final'")


def _drop(unit: str, code: str, kind: str) -> str:
    return (f"delete from fct_unit_score where unit_code = '{unit}' and component_code = '{code}' "
            f"and score_kind = '{kind}'")


TOTAL_PLUS_ONE = ("update fct_unit_score set score = score + 1 "
                  "where unit_code = '12-SNGV' and component_code = 'TOTAL' and score_kind = 'final'")
# Each case changes the sample's fct_unit_score (or methodology) and names findings it must produce (unit,
# component, observed, expected) and units it must not report. The sample itself is clean.
CASES = {
    "sample": ([], set(), set()),
    "final_plus_one": ([TOTAL_PLUS_ONE], {("12-SNGV", "TOTAL", "50.72", "8.DT + TD = 49.72")}, set()),
    # TD gone: its fields (all scored) stand for it.
    "part_deleted_deeper_used": (
        [_drop("12-BDT", "TD", "appraised")] + [_add("12-BDT", str(n), "appraised", "6.00") for n in range(1, 8)],
        {("12-BDT", "TOTAL", "58.23", "1 + 2 + 3 + 4 + 5 + 6 + 7 + 8.DT = 54.27")}, set()),
    # TD gone, field 1 unscored: its criteria two levels below TOTAL stand for it; 2.1 lies below a scored field.
    "two_levels_down_adds_up": (
        [_drop("12-BQLKKT", "TD", "appraised"), _add("12-BQLKKT", "1.1", "appraised", "20.00"),
         _add("12-BQLKKT", "1.2", "appraised", "20.00"), _add("12-BQLKKT", "2", "appraised", "4.86"),
         _add("12-BQLKKT", "2.1", "appraised", "1.00")], set(), {"12-BQLKKT"}),
    "part_with_null_score": (
        ["update fct_unit_score set score = null where unit_code = '12-SCT' and component_code = '8.SIPAS'"],
        {("12-SCT", "TOTAL", "74.14", "8.DT + TD = 64.44")}, set()),
    # 105: 8.KTXH unscored, its sub-criteria three levels below TOTAL count; 106: 8.KTXH scored hides 8.KTXH.1.
    "parts_at_different_depths": (
        [_drop("105", "8.KTXH", "appraised"), _add("105", "8.KTXH.1", "appraised", "0.25"),
         _add("105", "8.KTXH.2", "appraised", "0.25"), _add("106", "8.KTXH.1", "appraised", "5.00")],
        {("105", "TOTAL", "78.99", "8.DT + 8.KTXH.1 + 8.KTXH.2 + 8.SIPAS + TD = 79.49")}, {"106"}),
    "appraised_and_survey_of_one_part": (
        [_add("107", "TD", "survey", "1.00")],
        {("107", "TOTAL", "75.87", "8.DT + 8.KTXH + 8.SIPAS + TD + TD = 76.87")}, set()),
    # The same final row twice (another year, same release and source): one finding, its parts counted twice.
    "one_finding_for_identical_finals": (
        ["create temp table twin as select * from fct_unit_score where unit_code = '12-BDT'",
         "update twin set year = year + 1", "insert into fct_unit_score select * from twin"],
        {("12-BDT", "TOTAL", "58.23", "8.DT + 8.DT + TD + TD = 116.46")}, set()),
    "no_release_or_source": (
        [TOTAL_PLUS_ONE, "update fct_unit_score set release_id = null, source_ref = null "
                         "where unit_code = '12-SNGV' and component_code = 'TOTAL' and score_kind = 'final'"],
        {("12-SNGV", "TOTAL", "50.72", "8.DT + TD = 49.72")}, set()),
    # Rows of another index than their methodology key: the first parts come from the key's methodology, the
    # deeper ones from the rows' index, as the walk did (8.1 is PAR_INDEX's, below 8 in both).
    "index_other_than_the_methodology_key": (
        ["update fct_unit_score set index_code = 'PAR_INDEX' where unit_code = '108'",
         _add("108", "8.1", "appraised", "10.00")], {("108", "TOTAL", "71.37", "8.1 + TD = 59.42")}, set()),
    # 8.DT made a parent of 8 as well: a cycle, which a scored 8.DT ends for every unit.
    "cycle_ended_by_a_score": (
        [TOTAL_PLUS_ONE, "create temp table loop_back as select * from dim_methodology_component where "
                         "index_code = 'PROVINCIAL_PAR' and methodology_version = '2023' and component_code = '8'",
         "update loop_back set parent_code = '8.DT'",
         "insert into dim_methodology_component select * from loop_back"],
        {("12-SNGV", "TOTAL", "50.72", "8.DT + TD = 49.72")}, set()),
    "methodology_row_twice": (
        ["insert into dim_methodology_component select * from dim_methodology_component "
         "where index_code = 'PROVINCIAL_PAR' and methodology_version = '2023' and component_code = '8.SIPAS'"],
        {("12-SCT", "TOTAL", "74.14", "8.DT + 8.SIPAS + 8.SIPAS + TD = 83.84")}, set()),
}


@pytest.fixture(scope="module")
def sample(published_db):
    conn = db.connect(published_db.warehouse)
    yield conn
    conn.close()


def _rows(cur, query: str) -> list[tuple]:
    # A whole-table batch: Great Expectations puts the table for {batch}.
    cur.execute(query.format(batch="fct_unit_score"))
    return sorted(cur.fetchall(), key=repr)


@pytest.mark.parametrize("case", list(CASES))
def test_the_set_wise_query_returns_what_the_walk_returned(sample, case):
    statements, findings, absent = CASES[case]
    with sample.cursor() as cur:
        try:
            # Temporary copies shadow nothing else: pg_temp comes first in the search path.
            cur.execute("create temp table fct_unit_score as select * from marts.fct_unit_score")
            cur.execute("create temp table dim_methodology_component as "
                        "select * from marts.dim_methodology_component")
            for statement in statements:
                cur.execute(statement)
            old, new = _rows(cur, OLD_QUERY), _rows(cur, _query())
        finally:
            sample.rollback()
    assert new == old
    reported = {(unit, component, observed, expected) for _, unit, component, observed, expected, _ in new}
    assert findings <= reported and not {unit for unit, *_ in reported} & absent
    assert bool(new) == bool(findings)


def test_the_suite_reports_a_slip_as_a_warning(published_db):
    """Through the checkpoint (checks.validate_candidate) on a candidate-like schema with two planted slips."""
    schema, run_id = "parts_check", "test-unit-parts"
    with db.transaction(published_db.warehouse) as cur:
        cur.execute(f"drop schema if exists {schema} cascade")
        cur.execute(f"create schema {schema}")
        cur.execute(f"create table {schema}.fct_unit_score as select * from marts.fct_unit_score")
        cur.execute(f"create table {schema}.dim_methodology_component as "
                    "select * from marts.dim_methodology_component")
        cur.execute(f"set local search_path = {schema}")
        for statement in CASES["final_plus_one"][0] + CASES["parts_at_different_depths"][0]:
            cur.execute(statement)
        cur.execute(OLD_QUERY.format(batch="fct_unit_score"))
        walked = {tuple(row) for row in cur.fetchall()}
    (outcome,) = checks.validate_candidate(published_db, schema, run_id, ["fct_unit_score"])
    assert outcome.success and not outcome.blocking
    found = [f for f in outcome.warnings if f.expectation == CHECK]
    assert {f.severity for f in found} == {"warning"}
    assert {(f.release_id, f.unit_code, f.component_code, f.observed, f.expected, f.source_ref)
            for f in found} == walked
    assert {(f.unit_code, f.expected) for f in found} == {
        ("12-SNGV", "8.DT + TD = 49.72"), ("105", "8.DT + 8.KTXH.1 + 8.KTXH.2 + 8.SIPAS + TD = 79.49")}
    with db.transaction(published_db.warehouse) as cur:
        cur.execute("select severity, unit_code, expected from audit.findings where run_id = %s and expectation = %s "
                    "order by unit_code", (run_id, CHECK))
        assert cur.fetchall() == [("warning", "105", "8.DT + 8.KTXH.1 + 8.KTXH.2 + 8.SIPAS + TD = 79.49"),
                                  ("warning", "12-SNGV", "8.DT + TD = 49.72")]
        cur.execute(f"drop schema {schema} cascade")
