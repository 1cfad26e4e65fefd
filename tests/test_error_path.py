"""One error path for people: every refusal of `govwh` ends with one line `error: ...` (what, where, what to do) and a
non-zero exit, no traceback unless --debug; a DAG run through Airflow ends with the same message."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import replace

import pytest

from ingest.core.config import PROJECT_ROOT, Settings, Warehouse
from tests.conftest import BUNDLED, copy_release, linked_data_dir, rewrite_release

UNKNOWN_INDEX = ("error: data/reference/indices.csv: unknown index 'NOPE': the indices are PAR_INDEX, SIPAS, PAPI, "
                 "PCI, PROVINCIAL_PAR")


def govwh(settings: Settings, *args: str, timeout: float = 300) -> tuple[int, list[str], str]:
    """(exit code, the `error:` lines, everything printed)."""
    env = {**os.environ, **settings.environment()}
    done = subprocess.run([sys.executable, "-m", "ingest.cli", *args], env=env, cwd=PROJECT_ROOT, text=True,
                          capture_output=True, timeout=timeout)
    output = done.stdout + done.stderr
    return done.returncode, [line for line in output.splitlines() if line.startswith("error:")], output


def _refused(settings: Settings, *args: str, code: int = 2) -> str:
    exit_code, errors, output = govwh(settings, *args)
    assert exit_code == code, output[-2000:]
    assert "Traceback" not in output, output[-2000:]
    assert len(errors) == 1, output[-2000:]
    return errors[0]


@pytest.mark.unit
def test_unknown_index_one_line_exit_2_and_debug_shows_the_traceback():
    assert _refused(BUNDLED, "pipeline", "--index", "NOPE") == UNKNOWN_INDEX
    code, _, output = govwh(BUNDLED, "pipeline", "--index", "NOPE", "--debug")
    assert code == 1 and "Traceback" in output and "InputError: data/reference/indices.csv" in output


@pytest.mark.unit
def test_a_malformed_edition_folder_is_reported(tmp_path):
    copy_release(tmp_path, "SIPAS", 2024)
    (tmp_path / "releases/sipas/2024/draft").mkdir()
    sandbox = replace(BUNDLED, data_dir=linked_data_dir(tmp_path, releases=tmp_path / "releases"))
    line = _refused(sandbox, "pipeline", "--index", "SIPAS")
    assert line.endswith("sipas/2024/draft: an edition folder of data/releases is a positive whole number (1, 2, ...), "
                         "got 'draft'; rename it or move it out of data/releases")


@pytest.mark.unit
def test_an_unknown_encoding_names_the_manifest_and_the_file(tmp_path):
    manifest = copy_release(tmp_path, "SIPAS", 2024)
    doc_files = [{"name": "scores.csv", "sha256": "0" * 64, "encoding": "rot13"}]
    rewrite_release(manifest, files=doc_files)
    sandbox = replace(BUNDLED, data_dir=linked_data_dir(tmp_path, releases=tmp_path / "releases"))
    line = _refused(sandbox, "pipeline", "--index", "SIPAS", "--year", "2024")
    assert "sipas/2024/1/release.yaml, column 'encoding': files entry 1 ('scores.csv'): encoding 'rot13' is not one of " \
           "utf-8, utf-16, cp1258" in line


@pytest.mark.unit
def test_a_warehouse_that_does_not_answer_exit_3():
    nowhere = replace(BUNDLED, warehouse=Warehouse("127.0.0.1", 1, "pipeline", "", "governance"))
    line = _refused(nowhere, "pipeline", "--index", "SIPAS", "--year", "2024", code=3)
    assert line.startswith("error: cannot connect to the warehouse pipeline@127.0.0.1:1/governance: ")
    assert "?." not in line and ".." not in line
    assert line.endswith("Start it (`govwh db-start`, `make db-start`) or point WAREHOUSE_URL (or the Airflow connection "
                         "governance_warehouse) at a running server, then run again.")


@pytest.mark.unit
def test_a_port_taken_by_another_server_is_named_before_the_warehouse_starts(tmp_path):
    with socket.socket() as other_server:
        other_server.bind(("127.0.0.1", 0))
        other_server.listen()
        port = other_server.getsockname()[1]
        clone = replace(BUNDLED, warehouse=replace(BUNDLED.warehouse, port=port), warehouse_data_dir=tmp_path / "pgdata")
        line = _refused(clone, "db-start")
    assert line == (f"error: cannot start the warehouse in {tmp_path / 'pgdata'}: port {port} on 127.0.0.1 is taken by "
                    "another server (another clone's warehouse?). Stop that server, or set WAREHOUSE_PORT to a free port")
    assert not (tmp_path / "pgdata").exists()   # no cluster initialised for a server that cannot start


@pytest.mark.unit
def test_malformed_run_dag_conf_is_refused_before_airflow_starts():
    line = _refused(BUNDLED, "run-dag", "annual_release", "--conf", "{index: PAR_INDEX}")
    assert line.startswith("error: --conf is not JSON (Expecting property name enclosed in double quotes")


@pytest.mark.unit
def test_a_bad_lock_wait_setting_is_named():
    done = subprocess.run([sys.executable, "-m", "ingest.cli", "db-url"], cwd=PROJECT_ROOT, text=True,
                          capture_output=True, env={**os.environ, "GOVWH_LOCK_WAIT": "soon"})
    assert (done.returncode, done.stderr.strip()) == (2, "error: GOVWH_LOCK_WAIT must be a number of seconds, got 'soon'")


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_a_dag_run_refused_says_what_the_command_line_says(fresh_db, tmp_path):
    """`govwh run-dag` (airflow dags test): the task fails without retries and the run ends with the task's own
    message, the one `govwh pipeline` prints."""
    state = replace(fresh_db, state_dir=tmp_path)
    assert _refused(state, "run-dag", "annual_release", "--conf", json.dumps({"index": "NOPE"})) == UNKNOWN_INDEX
    logs = list((tmp_path / "logs").glob("annual_release-*.log"))
    assert len(logs) == 1 and UNKNOWN_INDEX.removeprefix("error: ") in logs[0].read_text(encoding="utf-8")
