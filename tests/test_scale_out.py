"""Scale-out on Celery: the compose file's `celery` profile on this machine — Debian's redis-server as broker, the
metadata database as result backend, two `airflow celery worker` processes — runs the annual DAG end to end on a
small generated national dataset (`govwh generate-national-scale --scale 0.01`: every index for ten years, 34
synthetic communes). The ingest is mapped over the release groups, and the task instances show both workers
loading releases at the same time."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest

from ingest.core.config import PROJECT_ROOT
from ingest.sources import packages
from ingest.wap import pipeline
from tests.conftest import production_deployment, query

# The real services with Celery: a few minutes. `make prod-check` selects -m production; `make test-fast` leaves it
# out (airflow, slow).
pytestmark = [pytest.mark.db, pytest.mark.airflow, pytest.mark.slow, pytest.mark.production]


@pytest.fixture(scope="module")
def national_data(settings):
    # Inside the project (like make bench's data): dbt writes the compiled seeds below its target folder only then.
    out = settings.state_dir / "tests" / "scale_out_data"
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run([sys.executable, "-m", "ingest.cli", "generate-national-scale", "--scale", "0.01",
                           "--out", str(out)], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**os.environ, **settings.environment()})
    assert done.returncode == 0, done.stderr
    yield out
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="module")
def celery(settings, national_data, request):
    with production_deployment(settings, "scale_out", request, executor="CeleryExecutor", data_dir=national_data,
                               celery_workers=2) as running:
        yield running


def _time(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_the_annual_dag_runs_on_two_celery_workers_at_once(celery, national_data):
    api = celery.api()
    api.wait_for_dags(["annual_release"])
    # Unpaused at creation (as in compose): the scheduler runs the latest yearly interval, every release package.
    run = api.wait_for_new_run("annual_release", set(), run_type="scheduled", timeout=300, alive=celery.check_alive)
    assert api.wait_for_run("annual_release", run["dag_run_id"], timeout=900, alive=celery.check_alive)["state"] \
        == "success"

    tis = api.task_instances("annual_release", run["dag_run_id"])
    assert {ti["state"] for ti in tis} == {"success"}
    loads = [ti for ti in tis if ti["task_id"] == "ingest_release"]
    deployed = celery.settings   # what its tasks built: the national data, the production warehouse
    assert deployed.data_dir == national_data
    assert sorted(ti["rendered_map_index"] for ti in loads) == pipeline.release_groups(deployed, None, None)
    # Every task ran on a Celery worker (their host names: worker1.<host>, worker2.<host>), none in the scheduler.
    hosts = {ti["hostname"] for ti in tis}
    assert {host.split(".")[0] for host in hosts} == {"worker1", "worker2"}, hosts
    # Two workers loaded releases at the same time: task instances on different workers whose runs overlap.
    together = [(a["rendered_map_index"], b["rendered_map_index"]) for a in loads for b in loads
                if a["hostname"] < b["hostname"] and _time(a["start_date"]) < _time(b["end_date"])
                and _time(b["start_date"]) < _time(a["end_date"])]
    assert together, [(ti["hostname"], ti["pid"], ti["start_date"], ti["end_date"]) for ti in loads]
    assert len({ti["pid"] for ti in loads}) == len(loads)   # each in a task process of its own

    manifests = packages.discover(deployed.releases_dir)
    assert query(deployed, "select count(*) from marts.dim_release") == [(len(manifests),)]
    assert query(deployed, "select score, rank, rank_of from marts.v_component_score where index_code = 'PAR_INDEX' "
                           "and year = 2024 and unit_name = 'Lai Châu' and component_code = 'TOTAL'") == [
        (Decimal("85.97"), 56, 63)]                                      # the real release, copied as it is
    assert query(deployed, "select count(distinct year), bool_or(is_synthetic) from marts.fct_component_score "
                           "where index_code = 'PCI'") == [(11, True)]
    assert query(deployed, "select count(distinct unit_code) from marts.fct_unit_score_history "
                           "where unit_type = 'commune'") == [(34,)]
