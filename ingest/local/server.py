"""The embedded warehouse: Debian's PostgreSQL, started by the project on 127.0.0.1.

initdb refuses to run as root, so as root the server runs as the `postgres` system user
(through runuser) and its data folder is owned by that user. The folder must be reachable
by that user: a clone inside a private home falls back to the system temp dir.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from ingest.core import config
from ingest.core.config import Settings
from ingest.core.errors import Refusal
from ingest.core.log import log

SERVER_USER = "postgres"


def _is_root() -> bool:
    return os.geteuid() == 0


def _bin_dir() -> Path:
    """Newest installed PostgreSQL; installs Debian's package when run as root and missing."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not candidates and shutil.which("apt-get") and _is_root():
        log("warehouse", "installing PostgreSQL (apt-get install postgresql)")
        subprocess.run(["apt-get", "install", "-y", "--no-upgrade", "-q", "postgresql"], check=True,
                       stdout=subprocess.DEVNULL)
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not candidates:
        raise RuntimeError(
            "PostgreSQL is not installed. Install Debian's package (sudo apt-get install postgresql) "
            "or set WAREHOUSE_URL to an existing server."
        )
    return candidates[-1].parent


def _reachable_by_others(path: Path) -> bool:
    """Every existing parent must let other users traverse it (mode o+x)."""
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def local_data_dir(settings: Settings) -> Path:
    """The cluster's place under the state dir, where it is unless the `postgres` user cannot reach it."""
    return settings.state_dir / "warehouse" / "pgdata"


def data_dir(settings: Settings) -> Path:
    if settings.warehouse_data_dir:
        return settings.warehouse_data_dir
    local = local_data_dir(settings)
    if not _is_root() or _reachable_by_others(local.parent):
        return local
    # A state dir in a private home: the postgres user cannot reach it.
    tag = hashlib.sha256(str(settings.state_dir.resolve()).encode()).hexdigest()[:8]
    return Path(tempfile.gettempdir()) / f"govwh-{tag}" / "pgdata"


def _run_as_server_user(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if _is_root():
        args = ["runuser", "-u", SERVER_USER, "--", *args]
    return subprocess.run(args, **kwargs)


def _prepare_dir(path: Path, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if _is_root():
        shutil.chown(path, SERVER_USER, SERVER_USER)
    path.chmod(mode)


def is_running(pgdata: Path) -> bool:
    if not (pgdata / "PG_VERSION").exists():
        return False
    done = _run_as_server_user([str(_bin_dir() / "pg_ctl"), "-D", str(pgdata), "status"],
                               capture_output=True, text=True)
    return done.returncode == 0


# A single-node warehouse that loads and rebuilds millions of rows at a time (bench/): memory for sorts and
# hashes instead of temp files, fewer checkpoints during a load, and no WAL for tables that dbt creates and
# fills in one transaction (wal_level=minimal: nothing replicates from the embedded server). Still durable.
# No JIT: it compiled each big query of dbt and the checks for seconds (4.9 s of fct_unit_score_history's 20 s)
# and gained less than that back; the queries here are scans and hash joins that run once.
QUERY_SETTINGS = ("work_mem=64MB", "maintenance_work_mem=256MB", "max_wal_size=4GB", "jit=off")
BULK_SETTINGS = ("shared_buffers=512MB", *QUERY_SETTINGS, "wal_level=minimal", "max_wal_senders=0")


def start(settings: Settings) -> None:
    """Initialise (first time) and start the server on the settings' port; a no-op when it already runs."""
    pgdata = data_dir(settings)
    port = settings.warehouse.port
    if is_running(pgdata):
        return
    if _port_taken(port):
        raise Refusal(f"cannot start the warehouse in {pgdata}: port {port} on 127.0.0.1 is taken by another "
                      "server (another clone's warehouse?). Stop that server, or set WAREHOUSE_PORT to a free port")
    bin_dir = _bin_dir()
    started = time.monotonic()
    if not (pgdata / "PG_VERSION").exists():
        if pgdata != local_data_dir(settings):
            log("warehouse", f"the project folder is not reachable by the '{SERVER_USER}' user; "
                             f"keeping the warehouse data in {pgdata}")
        _prepare_dir(pgdata.parent, 0o755)   # holds the server log
        _prepare_dir(pgdata, 0o700)
        _run_as_server_user(
            [str(bin_dir / "initdb"), "-D", str(pgdata), "-U", config.ADMIN_ROLE, "-A", "trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True, text=True,
        )
        log("warehouse", f"initialised a new cluster in {pgdata}")
    logfile = pgdata.parent / "postgresql.log"
    if _is_root():
        logfile.touch()
        shutil.chown(logfile, SERVER_USER, SERVER_USER)
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=50 " \
              + " ".join(f"-c {setting}" for setting in BULK_SETTINGS)
    done = _run_as_server_user(
        [str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-l", str(logfile), "-w", "-t", "60", "-o", options, "start"],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        tail = logfile.read_text(errors="replace")[-2000:] if logfile.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start on port {port}:\n{done.stdout}{done.stderr}\n{tail}")
    log("warehouse", f"PostgreSQL running on 127.0.0.1:{port} ({time.monotonic() - started:.1f}s)")


def _port_taken(port: int) -> bool:
    # pg_ctl would fail with the reason buried in the server's log; this says it first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stop(settings: Settings) -> None:
    pgdata = data_dir(settings)
    if not is_running(pgdata):
        log("warehouse", "not running")
        return
    _run_as_server_user([str(_bin_dir() / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
                        check=True, capture_output=True)
    log("warehouse", "stopped")
