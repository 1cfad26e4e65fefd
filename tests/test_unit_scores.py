"""The province's own index of its departments and districts: reference units, methodology, the unit_scores
layout, the packages built from the report, the marts after a real quarterly DAG run, and the 2025 reform."""
from __future__ import annotations

import csv
import datetime as dt
import filecmp
import json
import shutil
from dataclasses import replace
from decimal import Decimal

import pytest

from ingest.core.errors import InputError
from ingest.curation import packaging
from ingest.local import airflow_local
from ingest.reports import summary
from ingest.sources import methodology, readers
from ingest.sources.reference import unit_directory
from ingest.wap import checks, pipeline
from tests.conftest import BUNDLED, PROJECT, linked_data_dir, make_database, query, rewrite_release

REPORT = BUNDLED.data_dir / "reports/provincial_par_2023_units"
HEADER = ",".join(readers.UNIT_SCORE_COLUMNS + readers.UNIT_SCORE_OPTIONAL) + "\n"


def _report_rows() -> list[dict]:
    with (REPORT / "scores.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- reference units and methodology (no database) -------------------------------------------------------

@pytest.mark.unit
def test_unit_names_resolve_to_the_version_valid_that_year():
    units = unit_directory(BUNDLED.reference_dir)
    assert units.resolve_on("province", "Lào Cai", dt.date(2024, 12, 31)) == "10"
    assert units.resolve_on("province", "Lào Cai", dt.date(2026, 12, 31)) == "15"   # Yên Bái's code since 2025-07-01
    assert units.resolve_on("province", "Yên Bái", dt.date(2026, 12, 31)) is None
    assert units.resolve_on("district", "Huyện Than Uyên", dt.date(2023, 12, 31)) == "110"
    assert units.resolve_on("district", "Huyện Than Uyên", dt.date(2025, 7, 1)) is None
    assert units.resolve("department", "Sở Nội vụ") == "12-SNV"
    assert units.resolve("province", "Lai Châu") == "12"   # undated resolution keeps the 63 provinces


@pytest.mark.unit
def test_methodology_ranks_three_groups_and_scales_units():
    method = methodology.load("PROVINCIAL_PAR", "2023", BUNDLED.methodology_dir)
    assert [(g.code, g.unit_type, len(g.units)) for g in method.unit_groups] == [
        ("department_100", "department", 15), ("department_below_100", "department", 5), ("district", "district", 8)]
    assert method.components["TOTAL"].max_score == Decimal("100")
    scales = {(s.target, s.component_code): (s.max_score, s.assessed) for s in method.unit_scales}
    assert scales[("12-VPUBND", "TOTAL")] == (Decimal("65"), "yes")
    assert scales[("12-BQLKKT", "2")] == (None, "no")
    assert scales[("department", "8.KTXH")] == (None, "no")


@pytest.mark.unit
def test_methodology_scale_must_name_a_known_group(tmp_path):
    folder = tmp_path / "provincial_par"
    folder.mkdir()
    text = methodology.methodology_path("PROVINCIAL_PAR", "2023", BUNDLED.methodology_dir).read_text(encoding="utf-8")
    (folder / "2023.yaml").write_text(text.replace("- {unit_type: department, component: '8.KTXH'",
                                                   "- {group: nowhere, component: '8.KTXH'", 1), encoding="utf-8")
    with pytest.raises(InputError, match="scale names group 'nowhere'"):
        methodology.load("PROVINCIAL_PAR", "2023", root=tmp_path)


# --- the unit_scores layout -------------------------------------------------------------------------------

def _read(tmp_path, body: str, year: int = 2023):
    path = tmp_path / "scores.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return readers.read_unit_scores(path, methodology.load("PROVINCIAL_PAR", "2023", BUNDLED.methodology_dir), unit_directory(BUNDLED.reference_dir), year).rows


@pytest.mark.unit
def test_unit_scores_read_points_percentages_and_changes(tmp_path):
    rows = _read(tmp_path, "Sở Nội vụ,department,TOTAL,final,84.59,84.59,5,15,-1.62,-4,L236\n"
                           "Sở Nội vụ,department,TD,self,60.39,,,,,,synthetic\n"
                           "Sở Xây dựng,department,1,final,,,,,15.48,,L507\n")
    assert [(r.unit_code, r.component_code, r.score_kind, r.score, r.rank, r.rank_change_printed) for r in rows] == [
        ("12-SNV", "TOTAL", "final", Decimal("84.59"), 5, -4), ("12-SNV", "TD", "self", Decimal("60.39"), None, None),
        ("12-SXD", "1", "final", None, None, None)]
    assert rows[2].change_printed == Decimal("15.48")


@pytest.mark.parametrize("body, year, row, column, message", [
    ("Sở Nội vụ,department,TOTAL,guessed,84.59,,,,,,\n", 2023, 2, "score_kind", "score_kind must be one of"),
    ("Sở Nội vụ,department,TOTAL,final,,,,,,,\n", 2023, 2, "score", "no score, no pct_of_max and no change_printed"),
    ("Huyện Than Uyên,district,TOTAL,final,79.52,,,,,,\n", 2026, 2, "unit_name",
     "district 'Huyện Than Uyên' is valid 2023-01-01–2025-06-30, not on 2026-12-31"),
    ("Sở Nội vụ,department,TD,self,1,,,,,,\nSở Nội vụ,department,TD,self,2,,,,,,\n", 2023, 3, "component_code",
     "already given at row 2"),
    ("Sở Nội vụ,department,TOTAL,final,84.59,,,,,down,\n", 2023, 2, "rank_change_printed", "whole number"),
])
@pytest.mark.unit
def test_bad_unit_score_rows_name_file_row_and_column(tmp_path, body, year, row, column, message):
    with pytest.raises(InputError) as caught:
        _read(tmp_path, body, year)
    assert (caught.value.row, caught.value.column) == (row, column)
    assert message in str(caught.value)


# --- packages built from the report ------------------------------------------------------------------------

@pytest.mark.unit
def test_unit_packages_are_rebuilt_identically_from_the_report(tmp_path):
    written = packaging.build(BUNDLED, REPORT, releases_dir=tmp_path)
    assert [m.relative_to(tmp_path).as_posix() for m in written] == [
        "provincial_par/2023/1/release.yaml", "provincial_par/2023/2/release.yaml"]
    for manifest in written:
        committed = BUNDLED.releases_dir / manifest.relative_to(tmp_path)
        for name in ("release.yaml", "scores.csv"):
            assert filecmp.cmp(manifest.parent / name, committed.parent / name, shallow=False), name


@pytest.mark.unit
def test_edition_2_carries_every_printed_fact_and_edition_1_is_labelled_synthetic():
    printed = _report_rows()
    assert not any(r["score_kind"] == "self" for r in printed)     # the report prints no self-assessed points
    with (BUNDLED.releases_dir / "provincial_par/2023/2/scores.csv").open(encoding="utf-8") as handle:
        edition_2 = list(csv.DictReader(handle))
    assert len(edition_2) == len(printed) == 253
    assert all(not r["source_ref"].startswith("SYNTHETIC") for r in edition_2)
    text = (BUNDLED.releases_dir / "provincial_par/2023/1/release.yaml").read_text(encoding="utf-8")
    assert "synthetic: true" in text and "# SYNTHETIC" in text
    with (BUNDLED.releases_dir / "provincial_par/2023/1/scores.csv").open(encoding="utf-8") as handle:
        edition_1 = list(csv.DictReader(handle))
    assert {r["score_kind"] for r in edition_1} == {"self"} and len(edition_1) == 28 + 8
    assert all(r["source_ref"].startswith("SYNTHETIC: appraised ") for r in edition_1)


# --- a quarterly delivery through Airflow, and the marts ---------------------------------------------------

@pytest.mark.unit
@pytest.mark.airflow
def test_quarterly_dag_shares_the_annual_tasks():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT / "dags"))
    assert bag.import_errors == {}
    annual, quarterly = bag.dags["annual_release"], bag.dags["unit_scores_quarterly"]
    assert [t.task_id for t in quarterly.topological_sort()] == [t.task_id for t in annual.topological_sort()] == [
        "list_releases", "ingest_release", "finish_ingest", "build_candidate", "validate_candidate", "publish_marts"]
    assert all(task.retries >= 1 for task in quarterly.tasks) and quarterly.max_active_runs == 1
    assert [a.name for a in quarterly.get_task("publish_marts").outlets] == ["marts.fct_unit_score"]
    assert checks.suites_for(["PROVINCIAL_PAR/2023"]) == ["fct_unit_score", "fct_unit_score_history"]
    assert checks.suites_for(["PAR_INDEX/2024"]) == ["fct_component_score", "par_index", "sipas", "papi", "pci",
                                                     "national_release", "fct_target", "fct_target_attainment"]
    assert checks.suites_for([]) == list(checks.SUITES)


@pytest.fixture(scope="module")
def quarterly_db(settings, tmp_path_factory):
    """Edition 1 (with the national releases) through the pipeline, then edition 2 through a real Airflow run
    of `unit_scores_quarterly`. The releases are a copy, so the DAG's own processes see the same packages."""
    root = tmp_path_factory.mktemp("quarterly")
    for package in ("par_index/2023/1", "par_index/2024/1", "provincial_par/2023/1"):
        shutil.copytree(BUNDLED.releases_dir / package, root / "releases" / package)
    quarterly = replace(make_database(settings, "unit_scores"),
                        data_dir=linked_data_dir(root, releases=root / "releases"))
    pipeline.run_all(quarterly, pipeline_name="tests")
    edition_1 = query(quarterly, "select release_id, score_kind, count(*) from marts.fct_unit_score group by 1, 2")
    national = query(quarterly, "select * from marts.fct_component_score order by release_id, unit_code, component_code")
    shutil.copytree(BUNDLED.releases_dir / "provincial_par/2023/2", root / "releases/provincial_par/2023/2")
    assert airflow_local.run_dag(quarterly, "unit_scores_quarterly", json.dumps({"year": 2023})) == 0
    return {"settings": quarterly, "edition_1": edition_1, "national": national}


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_quarterly_dag_loads_a_second_edition_and_both_stay_queryable(quarterly_db):
    wh = quarterly_db["settings"]
    assert quarterly_db["edition_1"] == [("PROVINCIAL_PAR/2023/1", "self", 36)]
    assert query(wh, "select edition, count(*) from marts.fct_unit_score_history group by 1 order by 1") == [
        (1, 36), (2, 253)]
    # Each score kind shows its latest delivery: self from edition 1, the rest from edition 2.
    assert query(wh, "select score_kind, min(edition), max(edition), count(*) from marts.fct_unit_score "
                     "group by 1 order by 1") == [
        ("appraised", 2, 2, 36), ("final", 2, 2, 166), ("self", 1, 1, 36), ("survey", 2, 2, 51)]
    assert query(wh, "select release_id, is_current, is_synthetic from marts.dim_release "
                     "where index_code = 'PROVINCIAL_PAR' order by 1") == [
        ("PROVINCIAL_PAR/2023/1", False, True), ("PROVINCIAL_PAR/2023/2", True, False)]
    # The quarterly run published its partition only: the national facts are untouched.
    assert query(wh, "select * from marts.fct_component_score order by release_id, unit_code, component_code") \
        == quarterly_db["national"]
    assert query(wh, "select partitions from audit.publish_log order by published_at") == [
        ("all",), ("PROVINCIAL_PAR/2023",)]


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_every_final_score_and_rank_equals_the_report(quarterly_db):
    printed = {(r["unit_name_vi"], r["unit_type"]): (Decimal(r["score"]), int(r["rank"]), int(r["rank_of"]))
               for r in _report_rows() if r["component_code"] == "TOTAL"}
    published = {(name, unit_type): (score, rank, rank_of) for name, unit_type, score, rank, rank_of in query(
        quarterly_db["settings"], "select unit_name, unit_type, score, rank, rank_of from marts.v_unit_score "
                            "where year = 2023 and component_code = 'TOTAL' and score_kind = 'final'")}
    assert len(printed) == 28 and published == printed
    text = summary.render_units(quarterly_db["settings"].warehouse)
    assert "     1/5  Văn phòng UBND tỉnh                         55.97 / 65.0    86.10%   +4.76" in text
    assert "24 of 36 over-scored" in text and "SYNTHETIC self-assessment" in text
    groups = query(quarterly_db["settings"], "select unit_group_code, count(*), bool_and(rank = rank_by_pct_of_max) "
                                       "from marts.v_unit_score where rank is not null group by 1 order by 1")
    assert groups == [("department_100", 15, True), ("department_below_100", 5, True), ("district", 8, True)]


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_scores_use_the_maximum_of_their_unit(quarterly_db):
    rows = dict(((c, k), (s, m, p, pp)) for c, k, s, m, p, pp in query(
        quarterly_db["settings"], "select component_code, score_kind, score, max_score, pct_of_max, pct_of_max_printed "
                            "from marts.fct_unit_score where unit_code = '12-SNGV'"))
    assert rows[("TOTAL", "final")] == (Decimal("49.72"), Decimal("69.0"), Decimal("72.06"), Decimal("72.06"))
    assert rows[("2", "final")] == (Decimal("3"), Decimal("5.0"), Decimal("60.00"), Decimal("60"))
    assert ("8.SIPAS", "survey") not in rows
    (bound,) = query(quarterly_db["settings"], "select max_score, upper_bound from marts.fct_unit_score "
                                         "where unit_code = '12-TTT' and component_code = 'TD' and score_kind = 'appraised'")
    assert bound == (None, Decimal("73.0"))


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_self_vs_appraised_gap(quarterly_db):
    gaps = query(quarterly_db["settings"], "select unit_code, component_code, self_score, appraised_score, gap, "
                                     "is_over_scored, is_synthetic from marts.fct_unit_score_gap order by 1, 2")
    assert len(gaps) == 36                                   # TD of the 28 units, 8.KTXH of the 8 districts
    assert all(gap == self - appraised and over == (gap > 0) for _, _, self, appraised, gap, over, _ in gaps)
    assert {row[:5] for row in gaps} >= {("12-STTTT", "TD", Decimal("64.27"), Decimal("62.77"), Decimal("1.50")),
                                         ("12-SLDTBXH", "TD", Decimal("61.70"), Decimal("62.20"), Decimal("-0.50"))}
    # The report prints no unit's self-assessed points, so every gap here is labelled synthetic.
    assert all(row[6] for row in gaps)


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_points_lost_per_field_and_per_owner(quarterly_db):
    wh = quarterly_db["settings"]
    assert query(wh, "select total_score, total_max_score, total_points_lost, weakest_field_code, "
                     "weakest_field_pct_of_max from marts.v_unit_points_lost_by_owner where owner_unit_code = '12-TTT'") \
        == [(Decimal("48.59"), Decimal("73.0"), Decimal("24.41"), "5", Decimal("33.33"))]
    fields = {code: (units, points, lowest) for code, units, points, lowest in query(
        wh, "select component_code, units_with_result, points_lost, lowest_pct_of_max "
            "from marts.v_unit_points_lost_by_field where unit_type = 'department'")}
    assert fields["2"] == (9, Decimal("2.0"), Decimal("60.00"))   # Sở Ngoại vụ: 3 of 5 points
    assert fields["TOTAL"][0] == 20


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_unit_history_and_province_counts(quarterly_db):
    wh = quarterly_db["settings"]
    assert query(wh, "select unit_key, valid_from, valid_to from marts.dim_unit where unit_name = 'Huyện Sìn Hồ'") == [
        ("district:108@2023-01-01", dt.date(2023, 1, 1), dt.date(2025, 6, 30))]
    counts = dict(query(wh, "select y, count(*) from marts.dim_unit, (values (2024), (2026)) as years (y) "
                            "where unit_type = 'province' "
                            "and make_date(y, 12, 31) between valid_from and coalesce(valid_to, date '9999-12-31') "
                            "group by y"))
    assert counts == {2024: 63, 2026: 34}
    assert query(wh, "select unit_code, unit_name, valid_from, valid_to from marts.dim_unit "
                     "where unit_type = 'province' and unit_code = '15' order by valid_from") == [
        ("15", "Yên Bái", dt.date(2008, 8, 1), dt.date(2025, 6, 30)), ("15", "Lào Cai", dt.date(2025, 7, 1), None)]


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_national_results_are_shown_per_predecessor_of_the_2025_provinces(quarterly_db):
    wh = quarterly_db["settings"]
    assert query(wh, "select predecessor_name, predecessor_code from marts.dim_unit_succession "
                     "where successor_name = 'Lào Cai' order by 1") == [("Lào Cai", "10"), ("Yên Bái", "15")]
    rows = query(wh, "select province_2025_code, province_2025_name, scored_unit_name, scored_before_reform, "
                     "predecessors_count, year, rank, rank_of, rank_percentile from marts.v_component_score_2025_provinces "
                     "where component_code = 'TOTAL' and province_2025_name = 'Lai Châu' order by year")
    assert rows == [("12", "Lai Châu", "Lai Châu", True, 1, 2023, 49, 63, Decimal("22.58")),
                    ("12", "Lai Châu", "Lai Châu", True, 1, 2024, 56, 63, Decimal("11.29"))]


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_printed_slips_are_kept_and_recorded(quarterly_db):
    """The report truncates three index percentages (86.10 for 55.97/65 = 86.108): published, with findings."""
    findings = query(quarterly_db["settings"], "select distinct unit_code, observed, source_ref, severity from audit.findings "
                                         "where expectation = 'unit_printed_pct_equals_score_over_max' order by 1")
    assert findings == [("12-BDT", "79.76", "provincial_par_2023_units L319", "warning"),
                        ("12-BQLKKT", "83.69", "provincial_par_2023_units L317", "warning"),
                        ("12-VPUBND", "86.10", "provincial_par_2023_units L315", "warning")]
    assert query(quarterly_db["settings"], "select pct_of_max_printed from marts.fct_unit_score "
                                     "where unit_code = '12-VPUBND' and component_code = 'TOTAL'") == [(Decimal("86.10"),)]


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_bi_reader_reads_the_unit_views(quarterly_db):
    assert query(quarterly_db["settings"], "select count(*) from marts.v_unit_score", user="bi_reader") == [(289,)]


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_blocking_unit_checks_publish_nothing(quarterly_db):
    """An edition with a score above its unit's scale and a district missing fails; the marts stay as they were."""
    wh = quarterly_db["settings"]
    before = query(wh, "select * from marts.fct_unit_score_history order by release_id, unit_code, component_code, "
                       "score_kind")
    releases = quarterly_db["settings"].releases_dir / "provincial_par/2023"
    shutil.copytree(releases / "2", releases / "3")
    try:
        lines = (releases / "3/scores.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line.replace(",TOTAL,final,55.97,", ",TOTAL,final,66.00,") for line in lines
                if not line.startswith("Huyện Sìn Hồ,")]
        # The district left out is declared (else ingest refuses the edition): the checks still apply to it.
        rewrite_release(releases / "3/release.yaml", data_text="".join(kept), edition=3,
                        reason="test: a score above the unit's scale and a missing district",
                        changes={"units": "test: Huyện Sìn Hồ left out"})
        with pytest.raises(checks.BlockingCheckFailed) as caught:
            pipeline.run_all(wh, "PROVINCIAL_PAR", 2023, pipeline_name="tests")
        assert "unit_score_within_max" in str(caught.value) and "unit_present_in_each_edition" in str(caught.value)
        found = query(wh, "select expectation, release_id, unit_code, observed from audit.findings "
                          "where severity = 'critical' order by 1")
        assert found == [("unit_present_in_each_edition", "PROVINCIAL_PAR/2023/3", "108", "missing"),
                         ("unit_score_within_max", "PROVINCIAL_PAR/2023/3", "12-VPUBND", "66.00 points 101.54%")]
        assert query(wh, "select * from marts.fct_unit_score_history order by release_id, unit_code, "
                         "component_code, score_kind") == before
    finally:
        shutil.rmtree(releases / "3", ignore_errors=True)
