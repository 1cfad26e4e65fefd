"""The DAGs: they import cleanly without touching the database, and a real run publishes the marts."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal

import pytest

from ingest.core import checksum
from ingest.core.config import PROJECT_ROOT, Settings, Warehouse
from ingest.local import airflow_local
from ingest.reports import summary
from tests.conftest import query

DAG_FILES = sorted((PROJECT_ROOT / "dags").glob("*.py"))
# A warehouse nobody can reach: parsing a DAG file must not try to.
NOWHERE = Settings(Warehouse.from_url("postgresql://nobody@127.0.0.1:1/none"), embedded_server=False)


@pytest.mark.unit
@pytest.mark.airflow
def test_every_dag_file_imports_without_errors():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    assert "annual_release" in bag.dag_ids
    dag = bag.dags["annual_release"]
    assert [t.task_id for t in dag.topological_sort()] == [
        "list_releases", "ingest_release", "finish_ingest", "build_candidate", "validate_candidate", "publish_marts"]
    assert dag.get_task("ingest_release").is_mapped   # one task instance per index-year group of releases
    assert all(task.retries >= 1 for task in dag.tasks)
    assert dag.max_active_runs == 1


@pytest.mark.unit
@pytest.mark.airflow
@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_dag_import_does_no_database_or_heavy_work(dag_file):
    """Parsing a DAG file must not import the database driver, dbt or Great Expectations."""
    code = ("import importlib.util, sys, json;"
            f"spec = importlib.util.spec_from_file_location('d', {str(dag_file)!r});"
            "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module);"
            "print(json.dumps([m for m in ('psycopg2', 'dbt', 'great_expectations', 'ingest.core.db') if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=airflow_local.airflow_env(NOWHERE))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_annual_release_dag_run_publishes_the_marts(fresh_db, capsys):
    """`airflow dags test annual_release`: the real DAG, end to end, then the summary from the marts."""
    assert airflow_local.run_dag(fresh_db, "annual_release", json.dumps({})) == 0
    (total,) = query(fresh_db, "select score, rank, rank_of, delta_vs_previous, rank_change_vs_previous "
                               "from marts.v_component_score where index_code = 'PAR_INDEX' and year = 2024 "
                               "and unit_name = 'Lai Châu' and component_code = 'TOTAL'")
    assert total == (Decimal("85.97"), 56, 63, Decimal("0.19"), -7)
    fields = query(fresh_db, "select component_code, score, rank from marts.v_component_score where year = 2024 "
                             "and index_code = 'PAR_INDEX' and unit_name = 'Lai Châu' "
                             "and (level = 'field' or component_code in ('8.1', '8.2')) order by component_position")
    assert [(c, str(s), r) for c, s, r in fields] == [
        ("1", "9.41", 28), ("2", "9.09", 49), ("3", "12.98", 22), ("4", "9.57", 43), ("5", "12.38", 42),
        ("6", "9.35", 53), ("7", "11.33", 36), ("8", "11.84", None), ("8.1", "3.69", 50), ("8.2", "8.16", 43)]
    (published,) = query(fresh_db, "select partitions, rows from audit.publish_log")
    assert published[0] == "all" and published[1] > 8000
    assert query(fresh_db, "select count(*) from pg_namespace where nspname like 'candidate%%'") == [(0,)]

    text = summary.render(fresh_db.warehouse)
    assert "Total 85.97 / 100 (85.97% of max), rank 56/63; vs 2023: +0.19 points, −7 places (rank 49 → 56)" in text
    assert "8.2* Tác động đến người dân (Chỉ số SIPAS)                  8.16   10.0   81.60   43/63    +0.19      −2" in text
    # Fields 2 and 3 carry the ranks the report's record supports, so their changes are the printed −15 and −15
    # (34 → 49, 7 → 22), not +12 and −42; a footnote says what else the report prints.
    assert "2*     Cải cách thể chế                                       9.09   10.0   90.90   49/63    −0.27     −15" in text
    assert "3*     Cải cách thủ tục hành chính                           12.98   13.0   99.85   22/63    +0.01     −15" in text
    assert "    2 rank 49 (L177; L323) published, supported by the record: rank change = rank 2023 − rank 2024 with " \
           "PAR_INDEX 2024 Lai Châu 2 rank_change -15 (L48; L323), PAR_INDEX 2023 Lai Châu 2 rank 34 (L45); " \
           "also printed 22 (L48; L735)" in text


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_targeted_rerun_rebuilds_only_its_partition_and_is_idempotent(fresh_db):
    """A rerun for one index and year republishes that partition only, and with the same inputs every
    mart stays identical (checksums over the ordered rows)."""
    assert airflow_local.run_dag(fresh_db, "annual_release", "{}") == 0
    before = checksum.mart_checksums(fresh_db.warehouse)
    assert airflow_local.run_dag(fresh_db, "annual_release", json.dumps({"index": "PAR_INDEX", "year": 2024})) == 0
    assert checksum.mart_checksums(fresh_db.warehouse) == before
    assert query(fresh_db, "select partitions from audit.publish_log order by published_at") == [("all",), ("PAR_INDEX/2024",)]
    assert query(fresh_db, "select count(*) from marts.fct_component_score where year = 2024 "
                           "and index_code = 'PAR_INDEX' and not is_synthetic") == [(87,)]


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_tasks_read_the_warehouse_from_the_airflow_connection(published_db, monkeypatch, tmp_path):
    """AIRFLOW_CONN_GOVERNANCE_WAREHOUSE (an Airflow connection in the environment; the UI or a secrets backend
    define the same) wins over the settings' warehouse in every task: with WAREHOUSE_URL pointing nowhere, the
    report DAG still reads the published marts (task_settings puts the connection's warehouse in its Settings)."""
    monkeypatch.setenv("AIRFLOW_CONN_GOVERNANCE_WAREHOUSE", published_db.warehouse.url)   # Airflow's, not ours
    nowhere = replace(published_db, warehouse=Warehouse.from_url("postgresql://pipeline@127.0.0.1:1/nowhere"),
                      embedded_server=False, state_dir=tmp_path)
    assert airflow_local.run_dag(nowhere, "province_report", "{}") == 0
    assert (tmp_path / "reports" / "par_index_2024_lai_chau.html").exists()
