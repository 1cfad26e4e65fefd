"""Airflow on this machine: a project-local AIRFLOW_HOME with SQLite metadata and the project's DAGs."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from ingest.core import config
from ingest.core.config import Settings
from ingest.core.errors import Refusal, display_path
from ingest.core.log import log, timed

PROGRESS_LINE = re.compile(r"^\[\s*\d+\.\ds\] ")
REFUSAL_LINE = re.compile(r"^\[\s*\d+\.\ds\] error\s+(.*)$")   # a task's refusal (wap_dag.refusals_fail_the_task)


def airflow_env(settings: Settings) -> dict[str, str]:
    """Airflow's environment: the project's DAGs, and the settings its tasks build again (Settings.environment)."""
    home = settings.airflow_home
    env = {**os.environ, **settings.environment()}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(config.PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "2",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
                                                       f"sqlite:///{home / 'airflow.db'}"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": env.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING"),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "SCARF_ANALYTICS": "false",
    })
    return env


def _airflow(*args: str, env: dict[str, str], capture: bool = False) -> subprocess.CompletedProcess:
    airflow = Path(sys.executable).parent / "airflow"
    return subprocess.run([str(airflow), *args], env=env, text=True, capture_output=capture)


def setup(settings: Settings) -> dict[str, str]:
    """Create the metadata database once (a no-op afterwards)."""
    env = airflow_env(settings)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    stamp = home / ".migrated"
    if not stamp.exists():
        with timed("airflow", f"airflow db migrate (AIRFLOW_HOME={home})"):
            done = _airflow("db", "migrate", env=env, capture=True)
            if done.returncode != 0:
                raise RuntimeError(f"airflow db migrate failed:\n{done.stdout}\n{done.stderr}")
        stamp.touch()
    return env


def run_dag(settings: Settings, dag_id: str, conf: str = "{}") -> int:
    """`airflow dags test`: one real DAG run on this machine; 0 when it succeeded.

    Progress lines of the tasks are echoed as they come; the whole output goes to .state/logs.
    """
    try:   # fail early on a malformed --conf
        params = json.loads(conf)
    except ValueError as exc:
        raise Refusal(f"--conf is not JSON ({exc.msg} at character {exc.pos}); e.g. "
                      "'{\"index\": \"PAR_INDEX\", \"year\": 2024}'") from None
    if not isinstance(params, dict):
        raise Refusal("--conf is a JSON object of params, e.g. '{\"index\": \"PAR_INDEX\", \"year\": 2024}'")
    env = setup(settings)
    logs = settings.logs_dir
    logs.mkdir(parents=True, exist_ok=True)
    logical_date = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    logfile = logs / f"{dag_id}-{logical_date:%Y%m%dT%H%M%S}.log"
    airflow = Path(sys.executable).parent / "airflow"
    with timed("airflow", f"airflow dags test {dag_id} --conf '{conf}' (full log: {display_path(logfile)})"):
        with logfile.open("w") as out, subprocess.Popen(
                [str(airflow), "dags", "test", dag_id, logical_date.isoformat(), "--conf", conf], env=env,
                text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
            refusals = []
            for line in proc.stdout:
                out.write(line)
                if PROGRESS_LINE.match(line) or "ERROR" in line or "Error:" in line:
                    print("    " + line.rstrip(), file=sys.stderr, flush=True)
                if REFUSAL_LINE.match(line):
                    refusals.append(REFUSAL_LINE.match(line).group(1).strip())
    state = _run_state(dag_id, logical_date, env)
    if proc.returncode != 0 or state != "success":
        log("airflow", f"{dag_id}: run ended in state {state!r}; see {display_path(logfile)}")
        if refusals:     # the task's own message, as `govwh pipeline` would print it
            print(f"error: {refusals[-1]}", file=sys.stderr, flush=True)
            return 2
        return 1
    log("airflow", f"{dag_id}: run succeeded")
    return 0


def _run_state(dag_id: str, logical_date: dt.datetime, env: dict[str, str]) -> str | None:
    done = _airflow("dags", "list-runs", dag_id, "--output", "json", env=env, capture=True)
    listing = next((line for line in done.stdout.splitlines() if line.startswith("[")), "[]")
    for run in json.loads(listing):
        if dt.datetime.fromisoformat(run["logical_date"]) == logical_date:
            return run.get("state")
    return None
