"""Targets and verdicts: plans checked row by row on the way in, verdicts computed from the published results."""
from __future__ import annotations

import shutil
import textwrap
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.core.errors import InputError
from ingest.sources import packages, plans
from ingest.sources.reference import unit_directory
from ingest.wap import transform
from tests.conftest import BUNDLED, linked_data_dir, query

HEADER = "index_code,target_year,unit_name_vi,unit_type,component_code,metric,value,bound,source_ref\n"
MET_SCORE_NOT_RANK = "Đạt tỷ lệ điểm nhưng thứ hạng không đạt"
RANK_BEAT = "Tỷ lệ điểm không đạt nhưng thứ hạng vượt"


def write_plan(root: Path, plan_id: str, rows: str, header: str = HEADER) -> Path:
    """A plan folder (plan.yaml + targets.csv) with honest sha256."""
    folder = root / plan_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "targets.csv").write_text(header + textwrap.dedent(rows).lstrip(), encoding="utf-8")
    (folder / "plan.yaml").write_text(
        f"plan_id: {plan_id}\nplan_ref: Test plan {plan_id}\nissued_by: tests\nsource: tests/test_targets.py\n"
        f"files:\n  - name: targets.csv\n    sha256: \"{packages.sha256_of(folder / 'targets.csv')}\"\n",
        encoding="utf-8")
    return folder / "plan.yaml"


# --- the real plans against the published results --------------------------------------------------------------

@pytest.mark.db
@pytest.mark.slow
def test_2024_verdicts_per_field_match_the_report_where_it_is_consistent(published_db):
    rows = query(published_db, """
        select distinct component_code, verdict, verdict_printed, verdict_agrees, difference_note
        from marts.fct_target_attainment where plan_id = 'kh_2205_2024'""")
    verdicts = {code: (verdict, printed, agrees) for code, verdict, printed, agrees, _ in rows}
    assert verdicts == {
        "TOTAL": ("Không đạt", "Không đạt", True),
        "1": (MET_SCORE_NOT_RANK, MET_SCORE_NOT_RANK, True),
        # The targets table judges rank 49, the rank the marts publish (the printed change −15 from 34 supports it,
        # not the first results table's 22): the verdicts agree.
        "2": ("Không đạt", "Không đạt", True),
        "3": (MET_SCORE_NOT_RANK, MET_SCORE_NOT_RANK, True),     # 22 (published) or 49: outside 5-7 either way
        "4": ("Không đạt", "Không đạt", True),
        "5": ("Không đạt", "Không đạt", True),
        "6": (RANK_BEAT, RANK_BEAT, True),
        "7": ("Không đạt", "Không đạt", True),
        "8.1": (RANK_BEAT, RANK_BEAT, True),
        # The targets table judges the SIPAS index's own rank (55); the marts hold the PAR points' rank 43.
        "8.2": ("Đạt", "Tỷ lệ điểm đạt nhưng thứ hạng không đạt", False),
    }
    notes = {code: note for code, _, _, _, note in rows}
    assert notes["8.2"] == ("the report judged other results than the marts hold: printed 55 "
                            "(par_index_2024_analysis L234), marts 43 (par_index_2024_analysis L125)")
    assert {code for code, note in notes.items() if note} == {"8.2"}
    findings = query(published_db, "select component_code, observed, source_ref from audit.findings "
                                   "where expectation = 'printed_verdict_agrees' order by component_code")
    assert findings == [("8.2", "Tỷ lệ điểm đạt nhưng thứ hạng không đạt", "par_index_2024_analysis L231")]


@pytest.mark.db
@pytest.mark.slow
def test_2024_actuals_and_metric_verdicts(published_db):
    rows = query(published_db, """
        select metric, target_value, bound, actual_value, attainment, metric_verdict from marts.fct_target_attainment
        where plan_id = 'kh_2205_2024' and component_code in ('TOTAL', '6') order by component_code, metric""")
    assert rows == [
        ("pct_of_max_min", Decimal("78"), "above", Decimal("77.92"), "not_met", "Không đạt"),
        ("rank_max", Decimal("57"), None, Decimal("53"), "met", "Đạt"),
        ("rank_min", Decimal("54"), None, Decimal("53"), "exceeded", "Vượt"),
        ("pct_of_max_min", Decimal("86"), "at_least", Decimal("85.97"), "not_met", "Không đạt"),
        ("rank_gain_max", Decimal("5"), None, Decimal("-7"), "met", "Đạt"),
        ("rank_gain_min", Decimal("3"), None, Decimal("-7"), "not_met", "Không đạt"),
    ]


@pytest.mark.db
@pytest.mark.slow
def test_a_target_printed_twice_with_two_values_is_flagged_not_chosen(published_db):
    rows = query(published_db, """
        select metric, is_conflicting, target_value, printings, printed_values, source_ref from marts.fct_target
        where plan_id = 'lai_chau_2023_par_sipas' and index_code = 'PAR_INDEX' and component_code = 'TOTAL'
          and metric in ('pct_of_max_min', 'rank_min') order by metric""")
    assert rows == [
        ("pct_of_max_min", True, None, 2,
         "87 (at_least) at par_sipas_2023_plan L55; 86 (above) at par_sipas_2023_plan L325",
         "par_sipas_2023_plan L55; par_sipas_2023_plan L325"),
        # The same target printed twice with one value is one target.
        ("rank_min", False, Decimal("20"), 2, "20 at par_sipas_2023_plan L57; 20 at par_sipas_2023_plan L326",
         "par_sipas_2023_plan L57; par_sipas_2023_plan L326"),
    ]
    (attainment,) = query(published_db, """
        select attainment, verdict from marts.fct_target_attainment
        where plan_id = 'lai_chau_2023_par_sipas' and index_code = 'PAR_INDEX' and component_code = 'TOTAL'
          and metric = 'pct_of_max_min'""")
    assert attainment == ("conflicting_target", None)
    assert query(published_db, "select severity, component_code, source_ref from audit.findings "
                               "where expectation = 'target_printed_with_one_value'") \
        == [("warning", "TOTAL", "par_sipas_2023_plan L55; par_sipas_2023_plan L325")]


@pytest.mark.db
@pytest.mark.slow
def test_owners_reach_the_points_lost(published_db):
    rows = query(published_db, """
        select component_code, points_lost, owner_vi, owner_named_for from marts.v_points_lost
        where year = 2024 and component_code in ('8.1', '5.4', '4.3') order by component_code""")
    assert rows == [("4.3", Decimal("0.23"), None, None),                  # no department printed for 4.3
                    ("5.4", Decimal("1.0"), "Sở Nội vụ", "5.4"),
                    ("8.1", Decimal("2.81"), "Sở Kế hoạch và Đầu tư (nay là Sở Tài chính)", "8.1")]
    # 2023: the plan names the owner of field 8 (the socio-economic row, 8.1 in the registry).
    assert query(published_db, "select owner_vi from marts.v_points_lost where year = 2023 and component_code = '8.1'") \
        == [("Các sở, ban, ngành, địa phương (Sở Kế hoạch và Đầu tư chủ trì)",)]


# --- verdict edge cases, through the real dbt models ----------------------------------------------------------

EDGE_PLANS = {   # plan: rows (Lai Châu 2024 results: field 1 = 99.05 % and rank 28; field 2 = 90.90 % and rank 22)
    "edge_above_at_threshold": "PAR_INDEX,2024,Lai Châu,province,1,pct_of_max_min,99.05,above,L1\n",
    "edge_at_least_at_threshold": "PAR_INDEX,2024,Lai Châu,province,1,pct_of_max_min,99.05,at_least,L1\n",
    "edge_rank_at_worse_end": "PAR_INDEX,2024,Lai Châu,province,1,rank_min,20,,L1\n"
                              "PAR_INDEX,2024,Lai Châu,province,1,rank_max,28,,L1\n",
    "edge_rank_outside": "PAR_INDEX,2024,Lai Châu,province,1,rank_min,20,,L1\n"
                         "PAR_INDEX,2024,Lai Châu,province,1,rank_max,27,,L1\n",
    "edge_rank_better": "PAR_INDEX,2024,Lai Châu,province,1,rank_min,29,,L1\n"
                        "PAR_INDEX,2024,Lai Châu,province,1,rank_max,35,,L1\n",
    # Field 2's published rank is 49 (the rank the report's record supports), inside 45-50.
    "edge_score_missed_rank_inside": "PAR_INDEX,2024,Lai Châu,province,2,pct_of_max_min,95,above,L1\n"
                                     "PAR_INDEX,2024,Lai Châu,province,2,rank_min,45,,L2\n"
                                     "PAR_INDEX,2024,Lai Châu,province,2,rank_max,50,,L2\n",
    "edge_missing_actual": "PAR_INDEX,2024,Lai Châu,province,1.1,rank_max,10,,L1\n"
                           "PAR_INDEX,2024,Lai Châu,province,1.1,pct_of_max_min,90,above,L1\n",
    "edge_conflicting": "PAR_INDEX,2024,Lai Châu,province,1,pct_of_max_min,90,above,L1\n"
                        "PAR_INDEX,2024,Lai Châu,province,1,pct_of_max_min,95,above,L9\n"
                        "PAR_INDEX,2024,Lai Châu,province,1,rank_max,30,,L1\n",
}


@pytest.fixture(scope="module")
def edge_verdicts(published_db, tmp_path_factory):
    """The edge plans loaded beside the real ones and built by dbt into a candidate (never published)."""
    root = tmp_path_factory.mktemp("edge_plans")
    for plan_id, rows in EDGE_PLANS.items():
        assert plans.load_plan(published_db, write_plan(root, plan_id, rows), "tests") == "loaded"
    transform.build_candidate(published_db, "candidate__edge", ["PAR_INDEX/2024"])
    rows = query(published_db, """
        select plan_id, component_code, metric, attainment, verdict from candidate__edge.fct_target_attainment
        where plan_id like 'edge%%' order by plan_id, component_code, metric""")
    transform.drop_candidate(published_db.warehouse, "candidate__edge")
    return rows


def _for(rows, plan_id):
    return [row[1:] for row in rows if row[0] == plan_id]


@pytest.mark.db
@pytest.mark.slow
def test_strictly_above_versus_at_least_at_the_threshold(edge_verdicts):
    assert _for(edge_verdicts, "edge_above_at_threshold") == [("1", "pct_of_max_min", "not_met", "Không đạt")]
    assert _for(edge_verdicts, "edge_at_least_at_threshold") == [("1", "pct_of_max_min", "met", "Đạt")]


@pytest.mark.db
@pytest.mark.slow
def test_rank_inside_outside_and_better_than_the_range(edge_verdicts):
    assert _for(edge_verdicts, "edge_rank_at_worse_end") == [("1", "rank_max", "met", "Đạt"),
                                                             ("1", "rank_min", "met", "Đạt")]
    assert _for(edge_verdicts, "edge_rank_outside") == [("1", "rank_max", "not_met", "Không đạt"),
                                                        ("1", "rank_min", "met", "Không đạt")]
    assert _for(edge_verdicts, "edge_rank_better") == [("1", "rank_max", "met", "Đạt"),
                                                       ("1", "rank_min", "exceeded", "Đạt")]
    assert {row[3] for row in _for(edge_verdicts, "edge_score_missed_rank_inside")} \
        == {"Tỷ lệ điểm không đạt nhưng thứ hạng đạt"}


@pytest.mark.db
@pytest.mark.slow
def test_missing_actual_and_conflicting_target_leave_the_verdict_open(edge_verdicts):
    assert _for(edge_verdicts, "edge_missing_actual") == [("1.1", "pct_of_max_min", "met", None),
                                                          ("1.1", "rank_max", "no_actual", None)]
    assert _for(edge_verdicts, "edge_conflicting") == [("1", "pct_of_max_min", "conflicting_target", None),
                                                       ("1", "rank_max", "met", None)]


# --- plans on the way in ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("row, row_no, column, message", [
    ("PAR_INDEX,2024,Lai Châu,province,1,rank_best,5,,L1", 2, "metric", "unknown metric 'rank_best'"),
    ("PAR_INDEX,2024,Lai Châu,province,1,pct_of_max_min,99,,L1", 2, "bound", "needs a bound"),
    ("PAR_INDEX,2024,Lai Châu,province,1,pct_of_max_min,120,above,L1", 2, "value", "between 0 and 100"),
    ("PAR_INDEX,2024,Lai Châu,province,1,rank_max,7.5,,L1", 2, "value", "a whole number of places"),
    ("PAR_INDEX,2024,Lai Chau X,province,1,rank_max,7,,L1", 2, "unit_name_vi", "unknown province"),
    ("PAR_INDEX,2024,Lai Châu,province,1,pct_of_max_min,9 9,above,L1", 2, "value", "expected a number"),
    ("PAR_INDEX,2024,Lai Châu,province,1,rank_min,30,,L1\nPAR_INDEX,2024,Lai Châu,province,1,rank_max,20,,L1", 3,
     "value", "rank_min is after rank_max"),
    ("PAR_INDEX,2024,Lai Châu,province,,rank_max,7,,L1", 2, "component_code", "needs a component_code"),
])
@pytest.mark.unit
def test_bad_plan_rows_name_file_row_and_column(tmp_path, row, row_no, column, message):
    manifest = write_plan(tmp_path, "bad", row + "\n")
    with pytest.raises(InputError, match=message) as caught:
        plans.read_plan(manifest, unit_directory(BUNDLED.reference_dir))
    assert (caught.value.row, caught.value.column) == (row_no, column)
    assert caught.value.path.endswith("bad/targets.csv")


@pytest.mark.unit
def test_a_changed_file_must_be_declared_in_plan_yaml(tmp_path):
    manifest = write_plan(tmp_path, "changed", "PAR_INDEX,2024,Lai Châu,province,1,rank_max,7,,L1\n")
    (manifest.parent / "targets.csv").write_text(HEADER + "PAR_INDEX,2024,Lai Châu,province,1,rank_max,8,,L1\n",
                                                 encoding="utf-8")
    with pytest.raises(InputError, match="sha256 is .* but plan.yaml says"):
        plans.read_plan(manifest, unit_directory(BUNDLED.reference_dir))


@pytest.mark.db
def test_plan_loads_unchanged_new_version_and_withdrawn(fresh_db, tmp_path):
    own = tmp_path / "plans"
    settings = replace(fresh_db, data_dir=linked_data_dir(tmp_path, plans=own))
    manifest = write_plan(own, "plan_a", "PAR_INDEX,2024,Lai Châu,province,1,rank_max,7,,L1\n")
    write_plan(own, "plan_b", "PAR_INDEX,2024,Lai Châu,province,2,rank_max,9,,L1\n")
    assert plans.load_all(settings, "run1") == ["plan_a", "plan_b"]
    plans.load_all(settings, "run2")                                   # same content: nothing new
    write_plan(own, "plan_a", "PAR_INDEX,2024,Lai Châu,province,1,rank_max,8,,L1\n")
    assert manifest.exists()
    shutil.rmtree(own / "plan_b")
    plans.load_all(settings, "run3")
    loads = query(fresh_db, "select plan_id, manifest_sha256 = 'absent' from raw.plans order by plan_load_id")
    assert loads == [("plan_a", False), ("plan_b", False), ("plan_a", False), ("plan_b", True)]
    assert query(fresh_db, "select t.value from raw.targets as t join raw.plans as p using (plan_load_id) "
                           "where p.plan_id = 'plan_a' order by plan_load_id") == [(Decimal("7"),), (Decimal("8"),)]
    assert query(fresh_db, "select action, count(*) from audit.load_log group by action order by action") \
        == [("loaded", 3), ("unchanged", 2)]
