"""The warehouse's run lock: one build or publish at a time per warehouse, and raw unchanged while one runs.

One PostgreSQL advisory lock (KEY), taken in two modes:
- exclusive, on a connection of its own for as long as the work lasts (`exclusive`): building a candidate (dbt
  reads raw and marts), publishing it (and rebuilding it first when it went stale). `govwh pipeline` holds it from
  the build to the publish; an Airflow run's build_candidate and publish_marts tasks hold it each;
- shared, for one transaction (`share`): every change of raw — a release landed or withdrawn, a corrections file,
  a plan. Loads run side by side; none commits while a candidate is built or published.

A run that finds the lock taken logs who holds it (their run and since when) and waits, saying so every
`REPORT_EVERY` seconds, up to `settings.lock_wait`; then it stops with LockTimeout (the command line exits 4, an
Airflow task retries). Closing the connection (or the process dying) releases the lock: a killed run never leaves
the warehouse locked.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

import psycopg2

from ingest.core import db
from ingest.core.config import Settings
from ingest.core.errors import LockTimeout
from ingest.core.log import log

KEY = (0x676F7677, 1)            # ('govw', 1): pg_locks shows it as classid/objid of an advisory lock
REPORT_EVERY = 15.0              # seconds between "still waiting" lines


def holders(cur) -> str:
    """Who holds the lock now (their application name carries the run id), for the waiting message."""
    cur.execute("select a.application_name, to_char(a.state_change, 'HH24:MI:SS'), a.pid, l.mode "
                "from pg_locks l join pg_stat_activity a on a.pid = l.pid "
                "where l.locktype = 'advisory' and l.classid = %s and l.objid = %s and l.granted "
                "and l.pid <> pg_backend_pid() order by a.backend_start", KEY)
    found = [f"{name or 'a session'} (pid {pid}{', since ' + since if since else ''})"
             for name, since, pid, _ in cur.fetchall()]
    return "; ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "") or "another session"


def _wait(cur, settings: Settings, what: str, try_sql: str, wait_sql: str, in_transaction: bool) -> None:
    cur.execute(try_sql, KEY)
    if cur.fetchone()[0]:
        return
    started = time.monotonic()
    log("lock", f"{what}: waiting for the warehouse's run lock, held by {holders(cur)} "
                f"(up to {settings.lock_wait:.0f}s; GOVWH_LOCK_WAIT)")
    while True:
        left = settings.lock_wait - (time.monotonic() - started)
        if left <= 0:
            raise LockTimeout(f"{what}: the warehouse's run lock is still held by {holders(cur)} after "
                              f"{settings.lock_wait:.0f}s; nothing was changed. Run again when that run has "
                              "finished (or wait longer: GOVWH_LOCK_WAIT / --lock-wait)")
        slice_ms = int(max(0.05, min(REPORT_EVERY, left)) * 1000)
        if in_transaction:
            cur.execute("savepoint run_lock")
        cur.execute(f"set {'local ' if in_transaction else ''}lock_timeout = {slice_ms}")
        try:
            cur.execute(wait_sql, KEY)
            cur.execute(f"set {'local ' if in_transaction else ''}lock_timeout to default")
            if in_transaction:
                cur.execute("release savepoint run_lock")
            log("lock", f"{what}: got the run lock after {time.monotonic() - started:.0f}s")
            return
        except psycopg2.errors.LockNotAvailable:
            cur.execute("rollback to savepoint run_lock" if in_transaction else "select 1")
            log("lock", f"{what}: still waiting ({time.monotonic() - started:.0f}s) for {holders(cur)}")


def share(cur, settings: Settings, what: str) -> None:
    """Take the lock shared for the rest of the caller's transaction (a change of raw)."""
    _wait(cur, settings, what, "select pg_try_advisory_xact_lock_shared(%s, %s)",
          "select pg_advisory_xact_lock_shared(%s, %s)", in_transaction=True)


@contextmanager
def exclusive(settings: Settings, run_id: str, what: str):
    """Hold the lock alone while the block runs (a build, a publish), on a connection of its own."""
    conn = db.connect(settings.warehouse, application_name=f"govwh {run_id} {what}"[:63])
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            _wait(cur, settings, f"{run_id} {what}", "select pg_try_advisory_lock(%s, %s)",
                  "select pg_advisory_lock(%s, %s)", in_transaction=False)
        yield
    finally:
        conn.close()      # ends the session: the lock goes with it
