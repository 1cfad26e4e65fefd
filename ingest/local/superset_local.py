"""Superset on this machine, on the local marts: the same service script as the docker compose deployment.

Superset lives in its own venv (.venv-superset, `make superset-venv`) because its pins clash with Airflow's.
Its home (metadata SQLite, secret key, admin password) is .state/superset unless told otherwise; the
secret key and the admin password are generated on first use and kept there, never in the repository.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import time
import urllib.request
from pathlib import Path

from ingest.core import config
from ingest.core.config import Settings
from ingest.core.log import log, timed

VENV = config.PROJECT_ROOT / ".venv-superset"
PYTHON = VENV / "bin" / "python"
SERVICE = config.PROJECT_ROOT / "docker" / "superset" / "service.py"
CONFIG_FILE = config.PROJECT_ROOT / "docker" / "superset" / "superset_config.py"
DEFAULT_PORT = 8188
ADMIN = "admin"


def installed() -> bool:
    return PYTHON.exists() and (VENV / "bin" / "superset").exists()


def _secret(home: Path, name: str) -> str:
    path = home / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def bi_reader_url(settings: Settings) -> str:
    """The warehouse as the read-only role (its password from the settings; none on the local server)."""
    return settings.warehouse.as_user(config.BI_ROLE, settings.bi_reader_password).url


def service_env(home: Path, port: int, warehouse_url: str) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "SUPERSET_HOME": str(home), "SUPERSET_CONFIG_PATH": str(CONFIG_FILE),
            "SUPERSET_SECRET_KEY": _secret(home, "secret_key"), "SUPERSET_ADMIN_USER": ADMIN,
            "SUPERSET_ADMIN_PASSWORD": _secret(home, "admin_password"), "SUPERSET_WAREHOUSE_URL": warehouse_url,
            "SUPERSET_BIND": f"127.0.0.1:{port}", "SUPERSET_WORKERS": "1", "SCARF_ANALYTICS": "false"}


def init(env: dict[str, str]) -> None:
    if not installed():
        raise RuntimeError(f"Superset is not installed in {VENV}: run `make superset-venv`")
    with timed("superset", "service.py init (metadata, admin, datasets, dashboards)"):
        done = subprocess.run([str(PYTHON), str(SERVICE), "init"], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"superset init failed:\n{done.stderr[-4000:]}")


def start(env: dict[str, str], logfile: Path, timeout: float = 180) -> subprocess.Popen:
    """Start `service.py serve` in the background and wait until /health answers."""
    url = f"http://{env['SUPERSET_BIND']}/health"
    with logfile.open("w") as out:
        proc = subprocess.Popen([str(PYTHON), str(SERVICE), "serve"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"Superset stopped at start-up; see {logfile}")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    log("superset", f"serving on http://{env['SUPERSET_BIND']} ({time.monotonic() - started:.1f}s)")
                    return proc
        except OSError:
            time.sleep(1)
    stop(proc)
    raise RuntimeError(f"Superset did not answer {url} within {timeout:.0f}s; see {logfile}")


def stop(proc: subprocess.Popen) -> None:
    """Stop the gunicorn process group this module started."""
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def run_ui(settings: Settings, port: int = DEFAULT_PORT) -> None:
    """`make superset-ui`: Superset on the local marts until Ctrl-C."""
    home = settings.state_dir / "superset"
    env = service_env(home, port, bi_reader_url(settings))
    init(env)
    proc = start(env, home / "gunicorn.log")
    print(f"Superset: http://127.0.0.1:{port}/superset/dashboard/province-overview/ "
          f"(user {ADMIN}, password in {home / 'admin_password'}); Ctrl-C stops it")
    try:
        proc.wait()
    except KeyboardInterrupt:
        stop(proc)
