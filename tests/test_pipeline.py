"""dbt, Great Expectations and publish on the sample (no Airflow): values in the marts, checks that block."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import psycopg2
import pytest

from ingest.wap import checks, pipeline
from tests.conftest import copy_release, linked_data_dir, query, rewrite_release

FIELDS = """select component_code, score, max_score, pct_of_max, rank, rank_of, delta_vs_previous,
                   rank_change_vs_previous
            from marts.v_component_score
            where unit_name = 'Lai Châu' and index_code = 'PAR_INDEX' and year = %s and component_code = any(%s)
            order by component_position"""


@pytest.mark.db
@pytest.mark.slow
def test_headline_in_marts(published_db):
    rows = query(published_db, FIELDS, (2024, ["TOTAL"]))
    assert rows == [("TOTAL", Decimal("85.97"), Decimal("100.0"), Decimal("85.97"), 56, 63, Decimal("0.19"), -7)]


@pytest.mark.db
@pytest.mark.slow
def test_field_rows_in_marts(published_db):
    codes = ["1", "2", "3", "4", "5", "6", "7", "8.1", "8.2"]
    rows = {r[0]: r[1:] for r in query(published_db, FIELDS, (2024, codes))}
    assert list(rows) == codes
    assert rows["1"] == (Decimal("9.41"), Decimal("9.5"), Decimal("99.05"), 28, 63, Decimal("-0.03"), -9)
    assert rows["6"] == (Decimal("9.35"), Decimal("12.0"), Decimal("77.92"), 53, 63, Decimal("-0.10"), 4)
    assert rows["8.2"] == (Decimal("8.16"), Decimal("10.0"), Decimal("81.60"), 43, 63, Decimal("0.19"), -2)
    assert {code: row[3] for code, row in rows.items()} == {
        "1": 28, "2": 49, "3": 22, "4": 43, "5": 42, "6": 53, "7": 36, "8.1": 50, "8.2": 43}   # 2 and 3: the
    # ranks the report's record supports (conflicts.csv), not its first results table's 22 and 49


@pytest.mark.db
@pytest.mark.slow
def test_facts_printed_with_different_values_are_recorded_and_flagged(published_db):
    """PAR INDEX 2024: fields 2 and 3 carry the ranks the report's record supports (49 and 22, with the printed rank
    changes −15 and −15), and the conflict is queryable with every candidate and visible to BI."""
    rows = query(published_db, """
        select component_code, rank, rank_change_vs_previous, printed_conflict, printed_conflict_note
        from marts.v_component_score where unit_name = 'Lai Châu' and index_code = 'PAR_INDEX' and year = 2024
          and component_code in ('1', '2', '3', '8.2') order by component_position""")
    assert [r[:4] for r in rows] == [("1", 28, -9, None), ("2", 49, -15, "resolved"), ("3", 22, -15, "resolved"),
                                     ("8.2", 43, -2, "resolved")]
    assert rows[1][4] == "rank 49 (L177; L323) supported by the record; also printed 22 (L48; L735)"
    candidates = query(published_db, """
        select component_code, measure, candidate_value, published_value, is_published, status, printings, support
        from marts.fct_printed_conflict
        where index_code = 'PAR_INDEX' and year = 2024 and unit_code = '12' order by 1, 2, 3""")
    assert candidates == [
        ("2", "rank", Decimal("22"), Decimal("49"), False, "resolved", "L48; L735", 2),
        ("2", "rank", Decimal("49"), Decimal("49"), True, "resolved", "L177; L323", 3),
        ("3", "rank", Decimal("22"), Decimal("22"), True, "resolved", "L185", 2),
        ("3", "rank", Decimal("49"), Decimal("22"), False, "resolved", "L59", 1),
        ("8.2", "rank", Decimal("43"), Decimal("43"), True, "resolved", "L125", 2),
        ("8.2", "rank", Decimal("55"), Decimal("43"), False, "resolved", "L233", 1),
        ("8.2", "score", Decimal("8.15"), Decimal("8.16"), False, "resolved", "L716", 1),
        ("8.2", "score", Decimal("8.16"), Decimal("8.16"), True, "resolved", "L125", 2)]
    # Only the package with a conflicts.csv has conflicts; BI reads the mart.
    assert query(published_db, "select distinct release_id from marts.fct_printed_conflict") == [("PAR_INDEX/2024/1",)]


@pytest.mark.db
@pytest.mark.slow
def test_no_delta_where_methodology_changed(published_db):
    rows = dict(query(published_db, "select component_code, delta_vs_previous from marts.fct_component_score "
                                    "where year = 2024 and index_code = 'PAR_INDEX' and unit_code = '12' "
                                    "and component_code in ('3.2', '4.1.survey')"))
    assert rows["3.2"] is None                       # max 3.0 in 2023, 3.5 in 2024: "không so sánh"
    assert rows["4.1.survey"] == Decimal("-0.19")     # same maximum both years


@pytest.mark.db
@pytest.mark.slow
def test_rank_percentile_and_lineage(published_db):
    (row,) = query(published_db, "select rank_percentile, source_ref, source_row, file_sha256 from marts.fct_component_score "
                                 "where year = 2024 and index_code = 'PAR_INDEX' and unit_code = '12' "
                                 "and component_code = 'TOTAL'")
    assert row[0] == Decimal("11.29") and row[1] == "par_index_2024_analysis L7" and row[2] == 2 and len(row[3]) == 64


@pytest.mark.db
@pytest.mark.slow
def test_warning_is_published_and_recorded(published_db):
    """Field 5 is printed as 12.38 but its criteria add up to 12.30: published as printed, with a finding."""
    assert query(published_db, "select score from marts.fct_component_score where year = 2024 and index_code = 'PAR_INDEX' "
                              "and unit_code = '12' and component_code = '5'") \
        == [(Decimal("12.38"),)]
    findings = query(published_db, "select severity, expectation, observed, source_ref from audit.findings "
                                   "where component_code = '5'")
    assert findings == [("warning", "parent_equals_sum_of_children", "12.38", "par_index_2024_analysis L81")]
    (run,) = query(published_db, "select success, blocking_failed, warnings, evaluated from audit.validation_runs "
                                 "where suite_name = 'fct_component_score'")
    assert run == (True, 0, 2, 8)    # the other warning: PAR INDEX 2019 appraisal + survey ≠ total (79.09 vs 79.51)


@pytest.mark.db
@pytest.mark.slow
def test_bi_reader_reads_marts_only(published_db):
    assert query(published_db, "select count(*) from marts.v_component_score", user="bi_reader") \
        == query(published_db, "select count(*) from marts.fct_component_score")
    for statement in ("select count(*) from raw.component_scores", "select count(*) from audit.findings",
                      "delete from marts.fct_component_score", "create table marts.x (a int)"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            query(published_db, statement, user="bi_reader")


@pytest.mark.db
@pytest.mark.slow
def test_blocking_failure_publishes_nothing(published_db, tmp_path):
    """A corrected edition with a score above its maximum fails the checks; the marts stay as they were."""
    before = query(published_db, "select * from marts.fct_component_score order by release_id, unit_code, component_code")
    manifest = copy_release(tmp_path, "PAR_INDEX", 2024)
    text = (manifest.parent / "scores.csv").read_text(encoding="utf-8").replace(",1,9.41,28,63,", ",1,9.91,28,63,")
    rewrite_release(manifest, data_text=text, edition=2, reason="test: a score above its maximum")
    corrected = replace(published_db, data_dir=linked_data_dir(tmp_path, releases=tmp_path / "releases"))
    with pytest.raises(checks.BlockingCheckFailed, match=r"score_within_min_and_max.*PAR_INDEX/2024/2 12 1: 9.91"):
        pipeline.run_all(corrected, "PAR_INDEX", 2024, pipeline_name="tests")
    after = query(published_db, "select * from marts.fct_component_score order by release_id, unit_code, component_code")
    assert after == before
    # The failed candidate (the run's own schema) stays for inspection until the pipeline's next run replaces it.
    (schema,) = query(published_db, "select nspname from pg_namespace where nspname like 'candidate\\_\\_tests\\_\\_%%'")[0]
    assert query(published_db, f"select score from {schema}.fct_component_score "
                               "where unit_code = '12' and component_code = '1'") == [(Decimal("9.91"),)]
    (finding,) = query(published_db, "select severity, release_id, component_code, observed from audit.findings "
                                     "where expectation = 'score_within_min_and_max'")
    assert finding == ("critical", "PAR_INDEX/2024/2", "1", "9.91")
