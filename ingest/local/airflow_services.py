"""Airflow in production mode on this machine: the services of docker/compose.yaml, natively from the venv.

`Deployment` takes the Airflow services' environment from the compose file (interpolated with an operator's .env:
.env.example with fresh secrets) and the image's Dockerfile, and changes only where things are: host names and
ports (the embedded PostgreSQL holds the metadata database and the warehouse database, as the compose file's
metadata-db and warehouse-db; Redis and the api-server listen on free ports), paths (/opt/airflow → a folder of
its own) and the secrets. Then, as the containers do:

    prepare_databases()   docker/postgres/metadata-init.sh and warehouse-init.sh, as the postgres image runs them
    init()                docker/airflow/init.sh (airflow-init): airflow db migrate, warehouse bootstrap, admin password
    start()               airflow api-server, scheduler, dag-processor, triggerer (and celery workers) in the background
    api()                 the REST API, authenticated as the deployment authenticates (SimpleAuthManager's JWT)
    stop()                every process it started (each in its own process group)

`settings` is the Settings of the deployment's tasks, built from a service's environment as a task builds it.
The production tests (tests/test_production.py, tests/test_scale_out.py; `make prod-check`) run it.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from ingest.core import config, db
from ingest.core.config import Settings
from ingest.core.log import log
from ingest.local import compose

VENV_BIN = Path(sys.executable).parent
AIRFLOW_SERVICES = {"airflow-api-server": ["api-server"], "airflow-scheduler": ["scheduler"],
                    "airflow-dag-processor": ["dag-processor"], "airflow-triggerer": ["triggerer"]}
# Port settings of the compose file: fixed inside a container, free ports here (several of us share a machine).
PORT_SETTINGS = ("AIRFLOW__API__PORT", "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT",
                 "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT")
# Where the compose services' containers keep things, and the compose host names of the servers.
CONTAINER_PATHS = ("/opt/airflow", "/opt/govwh/data", "/opt/govwh", "/var/lib/govwh/state")
METADATA_DATABASES = ("airflow", "superset")   # docker/postgres/metadata-init.sh
ADMIN_USER = "admin"                           # AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS
ROLES_SQL = config.PROJECT_ROOT / "ingest" / "core" / "roles.sql"   # mounted into warehouse-db (docker/compose.yaml)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker_hostname() -> str:
    """The host name a Celery worker reports for its task instances (AIRFLOW__CORE__HOSTNAME_CALLABLE of the local
    workers): two workers on one machine stand for two containers, which differ by host name (GOVWH_WORKER_NAME)."""
    name = Settings.from_environment().worker_name
    host = socket.gethostname()
    return f"{name}.{host}" if name else host


class Deployment:
    """The compose file's Airflow services on this machine (see the module's doc)."""

    def __init__(self, settings: Settings, root: Path, warehouse_db: str, executor: str = "LocalExecutor",
                 data_dir: Path | None = None):
        """`settings`: this machine's (its server's administrator makes the databases and roles)."""
        self.root, self.admin, self.warehouse_db = root, db.admin(settings), warehouse_db
        self.home, self.state, self.logs = root / "airflow", root / "state", root / "logs"
        for folder in (self.home, self.state, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir or settings.data_dir
        self.values = compose.operator_env(AIRFLOW_EXECUTOR=executor)
        self.doc = compose.load(self.values)
        self.ports = {name: free_port() for name in PORT_SETTINGS}
        self.api_port = self.ports["AIRFLOW__API__PORT"]
        self.redis_port = free_port()
        server = f"{self.admin.host}:{self.admin.port}"
        self.addresses = {   # compose address → here
            "metadata-db:5432": server,
            "warehouse-db:5432/governance": f"{server}/{warehouse_db}",
            "airflow-api-server:8080": f"127.0.0.1:{self.api_port}",
            "redis:6379": f"127.0.0.1:{self.redis_port}",
        }
        self.paths = {"/opt/airflow": self.home, "/opt/govwh/data": self.data_dir, "/opt/govwh": config.PROJECT_ROOT,
                      "/var/lib/govwh/state": self.state}
        self.processes: dict[str, subprocess.Popen] = {}
        self.redis = None
        self.started_env: dict[str, dict[str, str]] = {}   # what each started process got (tests compare it)

    # -- settings ---------------------------------------------------------------------------------------------
    def localise(self, key: str, value: str) -> str:
        """A compose setting with this machine's host names, ports and paths."""
        if key in self.ports:
            return str(self.ports[key])
        for there, here in self.addresses.items():
            value = value.replace(there, here)
        for there in CONTAINER_PATHS:   # longest first: /opt/govwh/data before /opt/govwh
            if value == there or value.startswith(there + "/"):
                return str(self.paths[there]) + value[len(there):]
        return value

    def environment(self, service: str = "airflow-scheduler") -> dict[str, str]:
        """The environment of a compose service's container, here: a bare process environment plus the image's
        ENV and the service's settings, localised."""
        env = {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
               "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        env.update({key: self.localise(key, value)
                    for key, value in compose.service_environment(self.doc, service).items()})
        return env

    @property
    def settings(self) -> Settings:
        """The settings the deployment's tasks build (from the scheduler's environment): the warehouse as the pipeline
        role (WAREHOUSE_URL of the Airflow services), the data and state folders."""
        return Settings.from_environment(self.environment())

    @property
    def warehouse(self) -> config.Warehouse:
        return self.settings.warehouse

    # -- databases (what the postgres image's entrypoint does on an empty volume) -------------------------------
    def _psql_env(self, **extra: str) -> dict[str, str]:
        return {"PATH": os.environ["PATH"], "PGHOST": self.admin.host, "PGPORT": str(self.admin.port),
                "PGPASSWORD": self.admin.password, "POSTGRES_USER": self.admin.user, **extra}

    def drop_metadata_databases(self) -> None:
        with db.admin_cursor(self.admin) as cur:
            for name in METADATA_DATABASES:
                cur.execute(f'drop database if exists "{name}" with (force)')
                cur.execute(f'drop role if exists "{name}"')

    def prepare_databases(self) -> None:
        """metadata-db: metadata-init.sh (roles and databases airflow, superset). warehouse-db: the database, then
        warehouse-init.sh (roles pipeline and bi_reader with their passwords and rights)."""
        started = time.monotonic()
        self.drop_metadata_databases()
        self._run(["bash", str(compose.DOCKER_DIR / "postgres" / "metadata-init.sh")], "metadata-init",
                  self._psql_env(POSTGRES_DB="postgres", AIRFLOW_DB_PASSWORD=self.values["AIRFLOW_DB_PASSWORD"],
                                 SUPERSET_DB_PASSWORD=self.values["SUPERSET_DB_PASSWORD"]))
        warehouse = self.admin.with_database(self.warehouse_db)   # as the administrator
        db.drop_database(warehouse)
        db.create_database(warehouse)
        self._run(["bash", str(compose.DOCKER_DIR / "postgres" / "warehouse-init.sh")], "warehouse-init",
                  self._psql_env(POSTGRES_DB=self.warehouse_db, PIPELINE_DB_PASSWORD=self.values["PIPELINE_DB_PASSWORD"],
                                 BI_READER_PASSWORD=self.values["BI_READER_PASSWORD"],
                                 GOVWH_ROLES_SQL=str(ROLES_SQL)))
        log("deploy", f"metadata and warehouse databases ready ({time.monotonic() - started:.1f}s)")

    def init(self) -> None:
        """The airflow-init service: docker/airflow/init.sh with its environment."""
        started = time.monotonic()
        self._run(["bash", str(compose.DOCKER_DIR / "airflow" / "init.sh")], "airflow-init",
                  self.environment("airflow-init"))
        log("deploy", f"airflow-init done ({time.monotonic() - started:.1f}s)")

    def _run(self, args: list[str], name: str, env: dict[str, str]) -> None:
        logfile = self.logs / f"{name}.log"
        with logfile.open("w") as out:
            done = subprocess.run(args, env=env, cwd=config.PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
        if done.returncode != 0:
            raise RuntimeError(f"{name} failed (exit {done.returncode}):\n{logfile.read_text()[-4000:]}")

    # -- services -----------------------------------------------------------------------------------------------
    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        logfile = (self.logs / f"{name}.log").open("a")
        proc = subprocess.Popen(args, env=env, cwd=config.PROJECT_ROOT, stdout=logfile, stderr=subprocess.STDOUT,
                                start_new_session=True)
        logfile.close()
        self.processes[name], self.started_env[name] = proc, env
        log("deploy", f"{name} started (pid {proc.pid}; log {self.logs / (name + '.log')})")
        return proc

    def start(self, services: tuple[str, ...] = tuple(AIRFLOW_SERVICES), timeout: float = 240) -> None:
        """Start the services (as the compose services' commands) and wait until the api-server says they are healthy.
        The api-server first: the others depend on it (compose: depends_on airflow-api-server healthy), since a task
        reports to its execution API from its first second."""
        started = time.monotonic()
        first = [s for s in services if s == "airflow-api-server"]
        for group in (first, [s for s in services if s not in first]):
            for service in group:
                self.spawn(service, [str(VENV_BIN / "airflow"), *self.doc["services"][service]["command"]],
                           self.environment(service))
            self.wait_healthy(timeout, components=("metadatabase",) if group == first else None)
        log("deploy", f"Airflow healthy: {', '.join(services)} ({time.monotonic() - started:.1f}s)")

    def start_redis(self) -> None:
        """The compose service `redis` (profile celery): Debian's redis-server with the service's arguments."""
        from ingest.local.redis_server import RedisServer

        command = self.doc["services"]["redis"]["command"]
        self.redis = RedisServer(self.root / "redis", self.redis_port, command[1:], self.values["REDIS_PASSWORD"])
        self.redis.start()

    def start_celery_workers(self, count: int = 2) -> list[subprocess.Popen]:
        """`airflow celery worker` (the compose service airflow-worker, replicas: 2): each its own node name, log
        server port and host name, as separate containers would have."""
        workers = []
        for number in range(1, count + 1):
            name = f"worker{number}"
            env = {**self.environment("airflow-worker"),
                   "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                   "AIRFLOW__CORE__HOSTNAME_CALLABLE": "ingest.local.airflow_services.worker_hostname",
                   "GOVWH_WORKER_NAME": name}
            workers.append(self.spawn(f"airflow-{name}", [str(VENV_BIN / "airflow"),
                                                          *self.doc["services"]["airflow-worker"]["command"],
                                                          "--celery-hostname", f"{name}@%h"], env))
        return workers

    def check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} stopped (exit {proc.returncode}):\n{tail}")

    def wait_healthy(self, timeout: float = 240, components: tuple[str, ...] | None = None) -> dict:
        """Until /api/v2/monitor/health reports `components` (default: all) healthy."""
        deadline, last = time.monotonic() + timeout, None
        url = f"http://127.0.0.1:{self.api_port}/api/v2/monitor/health"
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(url, timeout=10) as reply:
                    last = json.loads(reply.read())
                wanted = components or tuple(last)
                if all((last.get(name) or {}).get("status") == "healthy" for name in wanted):
                    return last
            except (OSError, ValueError):
                pass
            time.sleep(1)
        raise RuntimeError(f"Airflow did not become healthy in {timeout:.0f}s: {last}")

    def stop_process(self, name: str, timeout: float = 30) -> None:
        proc = self.processes.pop(name, None)
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        try:   # whatever is left of its process group (api-server workers, task processes)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop_process(name)
        if self.redis is not None:
            self.redis.stop()
        log("deploy", "every service stopped")

    def api(self) -> "AirflowApi":
        return AirflowApi(f"http://127.0.0.1:{self.api_port}", ADMIN_USER, self.values["AIRFLOW_ADMIN_PASSWORD"])


class ApiError(RuntimeError):
    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


class AirflowApi:
    """Airflow 3's REST API (/api/v2), with a JWT from SimpleAuthManager's /auth/token."""

    TERMINAL = ("success", "failed")

    def __init__(self, base: str, username: str, password: str):
        self.base = base
        reply = self._call("POST", "/auth/token", {"username": username, "password": password}, token=None)
        self.token = reply["access_token"]

    def _call(self, method: str, path: str, body=None, params: dict | None = None, token: str | None = "",
              accept: str = "application/json"):
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={"Accept": accept})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token or self.token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                text = reply.read().decode()
        except urllib.error.HTTPError as exc:
            raise ApiError(exc.code, exc.read().decode(errors="replace")[:2000]) from None
        return json.loads(text) if text else None

    def get(self, path: str, **params):
        return self._call("GET", "/api/v2" + path, params=params or None)

    def post(self, path: str, body: dict):
        return self._call("POST", "/api/v2" + path, body)

    def patch(self, path: str, body: dict, **params):
        return self._call("PATCH", "/api/v2" + path, body, params=params or None)

    def delete(self, path: str):
        return self._call("DELETE", "/api/v2" + path)

    # -- DAGs and runs ----------------------------------------------------------------------------------------
    def wait_for_dags(self, dag_ids: list[str], timeout: float = 240) -> None:
        """Until the DAG processor has registered every DAG of the list."""
        deadline = time.monotonic() + timeout
        while True:
            known = {dag["dag_id"] for dag in self.get("/dags", limit=100)["dags"]}
            if set(dag_ids) <= known:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"DAGs {sorted(set(dag_ids) - known)} were not registered in {timeout:.0f}s")
            time.sleep(1)

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        """POST /dags/{dag_id}/dagRuns, as a user triggers a run; returns its run id."""
        run = self.post(f"/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf or {}})
        log("airflow", f"{dag_id}: triggered {run['dag_run_id']} conf={json.dumps(conf or {})}")
        return run["dag_run_id"]

    def runs(self, dag_id: str) -> list[dict]:
        return self.get(f"/dags/{dag_id}/dagRuns", limit=100, order_by="run_after")["dag_runs"]

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.get(f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}")

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 600, poll: float = 1.0,
                     alive=None) -> dict:
        """Until the run ends (success or failed); progress every 15 s. `alive` is called each poll (e.g. to stop
        early when a service died)."""
        started = time.monotonic()
        said = started
        while True:
            run = self.run(dag_id, run_id)
            if run["state"] in self.TERMINAL:
                log("airflow", f"{dag_id} {run_id}: {run['state']} after {time.monotonic() - started:.0f}s")
                return run
            if time.monotonic() - said > 15:
                states = {}
                for ti in self.task_instances(dag_id, run_id):
                    states[ti["state"]] = states.get(ti["state"], 0) + 1
                log("airflow", f"{dag_id} {run_id}: {run['state']} ({time.monotonic() - started:.0f}s; "
                               f"task instances {states})")
                said = time.monotonic()
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"{dag_id} {run_id} still {run['state']} after {timeout:.0f}s")
            if alive:
                alive()
            time.sleep(poll)

    def wait_for_new_run(self, dag_id: str, known: set[str], run_type: str | None = None, timeout: float = 600,
                         alive=None) -> dict:
        """Until a run of `dag_id` that is not in `known` exists (e.g. one the scheduler created by itself)."""
        deadline = time.monotonic() + timeout
        while True:
            for run in self.runs(dag_id):
                if run["dag_run_id"] not in known and (run_type is None or run["run_type"] == run_type):
                    return run
            if time.monotonic() > deadline:
                raise RuntimeError(f"no new {run_type or ''} run of {dag_id} in {timeout:.0f}s")
            if alive:
                alive()
            time.sleep(1)

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.get(f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances",
                        limit=100)["task_instances"]

    def task_instance(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> dict:
        path = f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances/{task_id}"
        return self.get(path + (f"/{map_index}" if map_index >= 0 else ""))

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int, map_index: int = -1) -> str:
        """The task instance's log through the API (GET .../logs/{try_number}), as text."""
        reply = self.get(f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances/{task_id}"
                         f"/logs/{try_number}", full_content="true", map_index=map_index)
        lines = []
        for item in reply.get("content") or []:
            if isinstance(item, dict):
                lines.append(" ".join(str(item.get(key, "")) for key in ("timestamp", "level", "event")).strip())
                for error in item.get("error_detail") or []:   # the exception a task failed with
                    lines.append(f"{error.get('exc_type')}: {error.get('exc_value')}")
            else:
                lines.append(str(item))
        return "\n".join(lines)
