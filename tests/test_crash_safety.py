"""SIGKILL the pipeline during ingest, dbt, the checks and publish; a rerun ends exactly where a clean run does."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from ingest.core import checksum
from ingest.core.config import PROJECT_ROOT
from ingest.wap import pipeline
from tests.conftest import query

pytestmark = [pytest.mark.db, pytest.mark.slow]

RAW_COUNTS = ("select (select count(*) from raw.releases), (select count(*) from raw.component_scores), "
              "(select count(*) from raw.methodology_components), (select count(*) from raw.release_files)")


@pytest.fixture(scope="module")
def clean_run(published_db):
    """Checksums and raw counts of a clean run of the same inputs."""
    return checksum.mart_checksums(published_db.warehouse), query(published_db, RAW_COUNTS)


def _wait_for(condition, proc, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            raise AssertionError(f"the pipeline ended (code {proc.returncode}) before the crash point")
        time.sleep(0.2)
    raise AssertionError("the crash point was never reached")


@pytest.mark.parametrize("stage", ["ingest.before_commit", "dbt", "checks.running", "publish.before_commit"])
def test_sigkill_then_rerun_equals_clean_run(stage, clean_run, fresh_db):
    marker = fresh_db.state_dir / "failpoints" / stage
    marker.unlink(missing_ok=True)
    crashing = replace(fresh_db, failpoint=None if stage == "dbt" else stage)
    env = {**os.environ, **crashing.environment()}
    proc = subprocess.Popen([sys.executable, "-m", "ingest.cli", "pipeline"], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if stage == "dbt":   # killed while dbt is creating the candidate's relations
            _wait_for(lambda: query(fresh_db, "select count(*) from pg_tables where schemaname like 'candidate\\_\\_cli\\_\\_%%'")[0][0] > 0, proc)
        else:
            _wait_for(marker.exists, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # Nothing half-published: the crashed run left no marts rows (this database had none before).
    assert query(fresh_db, "select count(*) from information_schema.tables where table_schema = 'marts'")[0][0] == 0 \
        or query(fresh_db, "select count(*) from marts.fct_component_score") == [(0,)]

    pipeline.run_all(fresh_db, pipeline_name="cli")

    checksums, raw_counts = clean_run
    assert checksum.mart_checksums(fresh_db.warehouse) == checksums
    assert query(fresh_db, RAW_COUNTS) == raw_counts              # no duplicate raw rows
    assert query(fresh_db, "select nspname from pg_namespace where nspname like 'candidate%%'") == []
