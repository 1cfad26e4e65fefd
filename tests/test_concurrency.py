"""Runs at once never damage the marts: real concurrent processes against one warehouse.

Two `govwh pipeline` runs of different indices started together, and an Airflow DAG run (`govwh run-dag`) beside a
command-line run, end with exit 0, no traceback and marts equal to those of the same runs one after the other; a run
that cannot get the run lock in time stops cleanly; a candidate built before another run loaded and published is
rebuilt at publish instead of rolling that run back.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from ingest.core import checksum, run_lock
from ingest.core.config import PROJECT_ROOT, Settings
from ingest.wap import pipeline
from tests.conftest import make_database, query

pytestmark = [pytest.mark.db, pytest.mark.slow]

FIRST, SECOND = "PAR_INDEX", "PAPI"
WAITED = "waiting for the warehouse's run lock"


def _start(settings: Settings, *args: str) -> subprocess.Popen:
    env = {**os.environ, **settings.environment()}
    return subprocess.Popen([sys.executable, "-m", "ingest.cli", *args], env=env, cwd=PROJECT_ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen, timeout: float = 600) -> tuple[int, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out + err


@pytest.fixture(scope="module")
def sequential(settings):
    """The reference: PAR INDEX, then PAPI, one after the other, in this process."""
    wh = make_database(settings, "seq_runs")
    pipeline.run_all(wh, FIRST)
    pipeline.run_all(wh, SECOND)
    return checksum.mart_checksums(wh.warehouse)


def test_two_cli_runs_started_together_equal_the_runs_in_a_row(settings, sequential):
    wh = make_database(settings, "cli_pair")
    runs = [_start(wh, "pipeline", "--index", FIRST), _start(wh, "pipeline", "--index", SECOND)]
    results = [_finish(proc) for proc in runs]
    for code, output in results:
        assert code == 0, output[-3000:]
        assert "Traceback" not in output
    assert any(WAITED in output for _, output in results)       # one run waited for the other, and said so
    assert checksum.mart_checksums(wh.warehouse) == sequential
    assert query(wh, "select count(*) from pg_namespace where nspname like 'candidate%%'") == [(0,)]
    assert query(wh, "select count(*) from audit.publish_log") == [(2,)]


@pytest.mark.airflow
def test_a_dag_run_and_a_cli_run_at_once_equal_the_runs_in_a_row(settings, sequential, tmp_path):
    """`airflow dags test annual_release` (through govwh run-dag) for PAPI beside `govwh pipeline` for PAR INDEX."""
    wh = replace(make_database(settings, "dag_cli"), state_dir=tmp_path / "state")
    runs = [_start(wh, "run-dag", "annual_release", "--conf", json.dumps({"index": SECOND})),
            _start(wh, "pipeline", "--index", FIRST)]
    results = [_finish(proc) for proc in runs]
    for code, output in results:
        assert code == 0, output[-3000:]
        assert "Traceback" not in output
    assert checksum.mart_checksums(wh.warehouse) == sequential
    assert query(wh, "select count(*) from pg_namespace where nspname like 'candidate%%'") == [(0,)]


def test_a_run_that_cannot_get_the_lock_stops_cleanly(fresh_db):
    """While another run holds the lock, a run with --lock-wait 2 stops with exit 4 and one message; nothing of it
    is loaded."""
    with run_lock.exclusive(fresh_db, "tests__holder", "publish"):
        code, output = _finish(_start(fresh_db, "--lock-wait", "2", "pipeline", "--index", "SIPAS"), timeout=120)
    assert code == 4, output
    assert "Traceback" not in output
    (line,) = [line for line in output.splitlines() if line.startswith("error:")]
    assert "the warehouse's run lock is still held by govwh tests__holder publish" in line
    assert "after 2s; nothing was changed" in line
    assert query(fresh_db, "select count(*) from raw.releases") == [(0,)]


def test_a_candidate_built_before_another_run_published_is_rebuilt(settings, sequential):
    """The hole of partial publishes: dimensions are replaced whole from the candidate, so a candidate built before
    another run's load and publish would roll them back. Built, then overtaken, then published: it is rebuilt."""
    wh = make_database(settings, "stale")
    run_id = pipeline.new_run_id("tests")
    partitions = pipeline.ingest(wh, FIRST, None, run_id)
    pipeline.build(wh, "tests", partitions, run_id)
    pipeline.validate(wh, "tests", partitions, run_id)
    pipeline.run_all(wh, SECOND, pipeline_name="other")           # loads and publishes PAPI in between
    pipeline.publish_marts(wh, "tests", partitions, run_id)        # the stale candidate: rebuilt, checked, published
    assert query(wh, "select count(*) from marts.dim_release where index_code = %s", (SECOND,)) == [(5,)]
    assert checksum.mart_checksums(wh.warehouse) == sequential
    assert query(wh, "select count(*) from audit.validation_runs where run_id = %s and suite_name = 'par_index'",
                 (run_id,)) == [(1,)]
