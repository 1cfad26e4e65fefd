"""Production mode, for real: Airflow's api-server, scheduler, dag-processor and triggerer started from the venv
with the settings of docker/compose.yaml (LocalExecutor, metadata in PostgreSQL, SimpleAuthManager), on this
machine's PostgreSQL. As a user and an operator would: the scheduler starts the yearly and quarterly runs by itself,
runs are triggered through the REST API, a task process is killed with SIGKILL in the middle of its run, bad input
and a wrong Airflow connection fail with a clear message in the task log, and the marts end as a clean run leaves
them. The services start once for the module (about a minute); the tests run in order on them."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal

import psycopg2
import pytest

from ingest.core import checksum, config, db
from ingest.local import airflow_services, compose
from tests.conftest import production_deployment, query

# The real services: a few minutes for the module. `make prod-check` selects -m production; `make test-fast` leaves
# them out (airflow, slow).
pytestmark = [pytest.mark.db, pytest.mark.airflow, pytest.mark.slow, pytest.mark.production]

DAGS = ["annual_release", "unit_scores_quarterly", "province_report", "publish_docs"]
LAI_CHAU_2024 = ("select score, rank, rank_of, delta_vs_previous, rank_change_vs_previous from marts.v_component_score "
                 "where index_code = 'PAR_INDEX' and year = 2024 and unit_name = 'Lai Châu' and component_code = 'TOTAL'")
OFFICE_2023 = ("select score, rank, rank_of from marts.v_unit_score where year = 2023 and component_code = 'TOTAL' "
               "and score_kind = 'final' and unit_name = 'Văn phòng UBND tỉnh'")
CLEAN: dict = {}   # what the first (scheduled) runs published: the reference of the later tests


@pytest.fixture(scope="module")
def deployment(settings, request):
    with production_deployment(settings, "production", request) as running:
        yield running


@pytest.fixture(scope="module")
def api(deployment):
    client = deployment.api()
    client.wait_for_dags(DAGS)
    return client


@pytest.fixture(scope="module")
def deployed(deployment):
    """The settings the deployment's tasks build: the production warehouse as the pipeline role."""
    return deployment.settings


def _checksums(deployed) -> dict:
    return checksum.mart_checksums(deployed.warehouse)


def _wait(api, deployment, dag_id: str, run_id: str) -> dict:
    return api.wait_for_run(dag_id, run_id, timeout=900, alive=deployment.check_alive)


def _tis(api, dag_id: str, run_id: str) -> dict[tuple[str, int], dict]:
    return {(ti["task_id"], ti["map_index"]): ti for ti in api.task_instances(dag_id, run_id)}


def _settle(api, deployment) -> None:
    """Wait until no run of any DAG is queued or running (the asset-triggered ones follow each publish)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        active = [(dag, run["dag_run_id"]) for dag in DAGS for run in api.runs(dag)
                  if run["state"] in ("queued", "running")]
        if not active:
            return
        for dag_id, run_id in active:
            _wait(api, deployment, dag_id, run_id)
    raise AssertionError("runs still active after 10 minutes")


def test_the_scheduler_starts_the_yearly_and_quarterly_runs_by_itself(deployment, api, deployed):
    """DAGs are unpaused at creation (as in compose) and catchup is off: the scheduler runs the latest interval of
    each schedule by itself. The yearly run loads every release, mapping the ingest over index-year groups."""
    scheduled = {}
    for dag_id in ("annual_release", "unit_scores_quarterly"):
        run = api.wait_for_new_run(dag_id, set(), run_type="scheduled", timeout=300, alive=deployment.check_alive)
        assert run["run_type"] == "scheduled" and run["triggered_by"] == "timetable"
        scheduled[dag_id] = _wait(api, deployment, dag_id, run["dag_run_id"])
        assert scheduled[dag_id]["state"] == "success", dag_id
    assert scheduled["annual_release"]["logical_date"].endswith("-01-01T00:00:00Z")        # @yearly
    assert scheduled["unit_scores_quarterly"]["logical_date"][5:] in (
        "01-01T00:00:00Z", "04-01T00:00:00Z", "07-01T00:00:00Z", "10-01T00:00:00Z")           # @quarterly

    tis = _tis(api, "annual_release", scheduled["annual_release"]["dag_run_id"])
    groups = sorted(ti["rendered_map_index"] for (task, _), ti in tis.items() if task == "ingest_release")
    assert len(groups) == 19 and "PAR_INDEX/2024" in groups and "PROVINCIAL_PAR/2023" in groups
    assert all(ti["state"] == "success" for ti in tis.values())

    assert query(deployed, LAI_CHAU_2024) == [(Decimal("85.97"), 56, 63, Decimal("0.19"), -7)]
    assert query(deployed, OFFICE_2023) == [(Decimal("55.97"), 1, 5)]
    CLEAN["checksums"] = _checksums(deployed)
    CLEAN["annual_run"] = scheduled["annual_release"]["dag_run_id"]
    CLEAN["publish_end"] = tis[("publish_marts", -1)]["end_date"]


def test_every_task_ran_as_the_pipeline_role(deployment, deployed):
    """Everything the tasks created belongs to `pipeline`, which is not a superuser and creates no roles or databases."""
    owners = query(deployed, "select distinct pg_get_userbyid(c.relowner) from pg_class c join pg_namespace n "
                              "on n.oid = c.relnamespace where n.nspname in ('raw', 'audit', 'marts')")
    assert owners == [(config.PIPELINE_ROLE,)]
    assert query(deployed, "select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user") \
        == [(False, False, False)]
    assert "BI_READER_PASSWORD" not in deployment.started_env["airflow-scheduler"]
    assert not any(deployment.values["WAREHOUSE_DB_PASSWORD"] in value or deployment.values["BI_READER_PASSWORD"] in value
                   for env in deployment.started_env.values() for value in env.values())


def test_the_pipeline_role_cannot_reach_airflows_metadata_database(deployment):
    metadata = deployment.warehouse.with_database("airflow")
    with pytest.raises(psycopg2.OperationalError, match='permission denied for database "airflow"'):
        db.connect(metadata).close()
    # Airflow's own role can (the compose file's metadata-db)
    conn = db.connect(config.Warehouse(deployment.admin.host, deployment.admin.port, "airflow",
                                       deployment.values["AIRFLOW_DB_PASSWORD"], "airflow"))
    conn.close()


def test_the_asset_triggered_dags_ran_after_the_publish(deployment, api):
    """province_report and publish_docs are scheduled on the published-marts asset; the docs service serves the
    documentation site and the report (compose's docs service command)."""
    _settle(api, deployment)
    for dag_id in ("province_report", "publish_docs"):
        after = [run for run in api.runs(dag_id) if run["run_type"] == "asset_triggered"
                 and run["start_date"] >= CLEAN["publish_end"]]
        assert after and all(run["state"] == "success" for run in after), dag_id
    report = deployment.state / "reports" / "par_index_2024_lai_chau.html"
    assert report.exists(), sorted(p.name for p in (deployment.state / "reports").glob("*"))

    command = deployment.doc["services"]["docs"]["entrypoint"]
    port = airflow_services.free_port()
    command = [str(airflow_services.VENV_BIN / command[0]), *command[1:-1], str(port)]   # --port 8000 → a free port
    env = {**deployment.environment("docs"), "WAREHOUSE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        page = urllib.request.urlopen(base + "/index.html", timeout=10).read().decode()
        assert "marts.fct_component_score" in page and 'href="reports/"' in page
        listing = urllib.request.urlopen(base + "/reports/", timeout=10).read().decode()
        assert report.name in listing
        html = urllib.request.urlopen(f"{base}/reports/{report.name}", timeout=10).read().decode()
        assert "85,97" in html and "56/63" in html and "Lai Châu" in html   # Vietnamese decimal comma
        with pytest.raises(urllib.error.HTTPError):   # nothing else of the state folder (the GX context)
            urllib.request.urlopen(base + "/../gx/gx/great_expectations.yml", timeout=10)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def test_an_unknown_index_fails_its_task_with_a_clear_message_and_publishes_nothing(deployment, api, deployed):
    published = query(deployed, "select count(*) from audit.publish_log")
    run_id = api.trigger("annual_release", {"index": "NOPE"})
    assert _wait(api, deployment, "annual_release", run_id)["state"] == "failed"
    tis = _tis(api, "annual_release", run_id)
    failed = tis[("list_releases", -1)]
    assert failed["state"] == "failed" and failed["try_number"] == 1   # bad input: not retried
    assert tis[("publish_marts", -1)]["state"] == "upstream_failed"
    text = api.task_log("annual_release", run_id, "list_releases", 1)
    assert "unknown index 'NOPE': the indices are PAR_INDEX, SIPAS, PAPI, PCI, PROVINCIAL_PAR" in text
    assert _checksums(deployed) == CLEAN["checksums"]
    assert query(deployed, "select count(*) from audit.publish_log") == published


def test_a_task_killed_mid_run_is_retried_and_the_marts_equal_a_clean_run(deployment, api, deployed):
    """SIGKILL the task process of build_candidate while dbt builds (REST-triggered rerun of PAR INDEX 2024):
    Airflow's retry builds again, and publish leaves every mart exactly as the clean run did."""
    _settle(api, deployment)
    run_id = api.trigger("annual_release", {"index": "PAR_INDEX", "year": 2024})
    deadline = time.monotonic() + 600
    while True:
        ti = api.task_instance("annual_release", run_id, "build_candidate")
        building = query(deployed, "select count(*) from pg_tables "
                                   "where schemaname like 'candidate\\_\\_annual\\_release\\_\\_%%'")
        if ti["state"] == "running" and ti["pid"] and building[0][0] > 0:
            break
        assert time.monotonic() < deadline, f"build_candidate never ran: {ti['state']}"
        deployment.check_alive()
        time.sleep(0.2)
    os.kill(ti["pid"], signal.SIGKILL)
    killed_pid = ti["pid"]
    assert _wait(api, deployment, "annual_release", run_id)["state"] == "success"
    ti = api.task_instance("annual_release", run_id, "build_candidate")
    assert ti["try_number"] == 2 and ti["pid"] != killed_pid                      # Airflow's retry
    assert _checksums(deployed) == CLEAN["checksums"]
    assert query(deployed, "select partitions from audit.publish_log order by published_at desc limit 1") == [
        ("PAR_INDEX/2024",)]
    assert query(deployed, "select count(*) from pg_namespace where nspname like 'candidate%%'") == [(0,)]


def test_a_wrong_connection_fails_with_a_clear_message_then_the_next_run_succeeds(deployment, api, deployed):
    """The warehouse as an Airflow connection (governance_warehouse, type postgres), managed through the API as in
    the UI: a wrong database fails the first task that needs the warehouse, without retries, saying what and where;
    corrected, the next REST-triggered run of unit_scores_quarterly publishes through it."""
    _settle(api, deployment)
    published = query(deployed, "select count(*) from audit.publish_log")
    wh = deployment.warehouse
    api.post("/connections", {"connection_id": "governance_warehouse", "conn_type": "postgres", "host": wh.host,
                               "port": wh.port, "login": wh.user, "password": wh.password,
                               "schema": "governance_no_such_database"})
    run_id = api.trigger("unit_scores_quarterly", {"year": 2023})
    assert _wait(api, deployment, "unit_scores_quarterly", run_id)["state"] == "failed"
    ti = api.task_instance("unit_scores_quarterly", run_id, "ingest_release", map_index=0)
    assert ti["state"] == "failed" and ti["try_number"] == 1
    text = api.task_log("unit_scores_quarterly", run_id, "ingest_release", 1, map_index=0)
    assert "cannot connect to the warehouse pipeline@127.0.0.1" in text
    assert "from Airflow connection 'governance_warehouse'" in text
    assert 'database "governance_no_such_database" does not exist' in text
    assert _checksums(deployed) == CLEAN["checksums"]
    assert query(deployed, "select count(*) from audit.publish_log") == published

    api.patch("/connections/governance_warehouse", {"connection_id": "governance_warehouse", "conn_type": "postgres",
                                                    "schema": deployment.warehouse_db}, update_mask="schema")
    run_id = api.trigger("unit_scores_quarterly", {"year": 2023})
    assert _wait(api, deployment, "unit_scores_quarterly", run_id)["state"] == "success"
    text = api.task_log("unit_scores_quarterly", run_id, "publish_marts", 1)
    assert f"pipeline@127.0.0.1:{wh.port}/{deployment.warehouse_db} from Airflow connection 'governance_warehouse'" in text
    assert _checksums(deployed) == CLEAN["checksums"]
    assert query(deployed, "select partitions from audit.publish_log order by published_at desc limit 1") == [
        ("PROVINCIAL_PAR/2023",)]
    _settle(api, deployment)


def _shape(env: dict[str, str]) -> dict[str, str]:
    """A service's settings without what may differ between compose and this machine: addresses, ports, paths
    and secrets (the role names, drivers, executor, schedules, limits and everything else stay)."""
    out = {}
    for key, value in env.items():
        value = re.sub(r"(://[^:@/]*):[^@/]*@", r"\1:<secret>@", value)            # a URL's password
        value = re.sub(r"@[^/@:]+:\d+(/[A-Za-z0-9_]+)?", "@<server>/<db>", value)   # host:port/database
        value = re.sub(r"://[^/@:]+:\d+", "://<server>", value)                      # host:port without user
        if key in airflow_services.PORT_SETTINGS:
            value = "<port>"
        elif compose.SECRET_NAME.search(key) and not key.endswith("_FILE"):
            value = "<secret>"
        elif value.startswith("/"):
            value = "<path>" + value.rsplit("/", 1)[-1]
        out[key] = value
    return out


def test_the_compose_airflow_settings_are_what_this_test_ran(deployment):
    """Every Airflow service of docker/compose.yaml: its settings equal those of the process started here, but for
    host names, ports, paths and secrets; nothing was added to the processes' environment but PATH and locale."""
    doc = compose.load(compose.operator_env())
    for service in airflow_services.AIRFLOW_SERVICES:
        ran = deployment.started_env[service]
        expected = compose.service_environment(doc, service)
        assert set(ran) - set(expected) == {"PATH", "HOME", "LANG", "LC_ALL"}, service
        assert _shape({k: ran[k] for k in expected}) == _shape(expected), service
        assert deployment.doc["services"][service]["command"] == doc["services"][service]["command"]
    assert "BI_READER_PASSWORD" not in json.dumps([doc["services"][s].get("environment") for s in
                                                   (*airflow_services.AIRFLOW_SERVICES, "airflow-init", "docs")])
