"""The warehouse of an Airflow task: the Airflow connection `governance_warehouse` when it is defined, else the
settings' own (WAREHOUSE_URL, else the embedded server).

Define the connection where Airflow keeps connections — the UI (Admin → Connections, type Postgres), the
environment (AIRFLOW_CONN_GOVERNANCE_WAREHOUSE='postgresql://pipeline:<password>@<host>:5432/governance') or a
secrets backend. Host, port, login, password and the database (the connection's "schema" field) are read; the
role must not be a superuser. Every task that uses the warehouse builds its settings once with
`wap_dag.task_settings()`, which calls `connected(Settings.from_environment())`:

    settings = task_settings()                        # the connection's warehouse in settings.warehouse
    pipeline.ingest_group(settings, group, run_id)    # and everything below uses that value

It connects once first, so a wrong connection fails the task at once with what is wrong and where it came from;
a wrong database, role or password fails without retries (retrying cannot help), an unreachable server is retried.
"""
from __future__ import annotations

import psycopg2

from ingest.core import config, db, roles
from ingest.core.config import Settings
from ingest.core.log import log

CONN_ID = "governance_warehouse"
CONN_ENV = "AIRFLOW_CONN_" + CONN_ID.upper()
# libpq's answers to settings that are wrong (as opposed to a server that is down or restarting).
PERMANENT = ("does not exist", "password authentication failed", "no pg_hba.conf entry", "permission denied")


class WarehouseConnectionError(RuntimeError):
    """The warehouse cannot be used with these settings."""

    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


def from_connection(conn) -> config.Warehouse:
    """An Airflow Connection (type postgres) as the warehouse's settings."""
    if (conn.conn_type or "").lower() not in ("postgres", "postgresql"):
        raise WarehouseConnectionError(f"Airflow connection {CONN_ID!r} has type {conn.conn_type!r}; "
                                       "the warehouse needs type postgres", permanent=True)
    return config.Warehouse(host=conn.host or "127.0.0.1", port=int(conn.port or 5432),
                            user=conn.login or config.PIPELINE_ROLE, password=conn.password or "",
                            database=conn.schema or config.DEFAULT_DATABASE)


def resolve(settings: Settings) -> tuple[Settings, str]:
    """(the settings with the task's warehouse, where it came from). Needs a running Airflow task (or `airflow dags
    test`)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(CONN_ID)
    except AirflowNotFoundException:
        source = "the embedded server" if settings.embedded_server else "WAREHOUSE_URL"
        return settings, f"{source} (no Airflow connection {CONN_ID!r})"
    return settings.on_warehouse(from_connection(conn)), f"Airflow connection {CONN_ID!r}"


def where(wh: config.Warehouse) -> str:
    return f"{wh.user}@{wh.host}:{wh.port}/{wh.database}"


def check(wh: config.Warehouse, source: str) -> None:
    """Connect once: the server answers, the role logs in, and it is not privileged (least privilege)."""
    try:
        conn = db.connect(wh, connect_timeout=10)
    except psycopg2.OperationalError as exc:
        reason = " ".join(str(exc).split())
        permanent = any(word in reason for word in PERMANENT)
        raise WarehouseConnectionError(
            f"cannot connect to the warehouse {where(wh)} from {source}: {reason}. "
            + (f"Fix the connection (Admin → Connections {CONN_ID!r}, {CONN_ENV} or the secrets backend) or "
               "WAREHOUSE_URL." if permanent else "The server did not answer; the task is retried."),
            permanent=permanent) from None
    try:
        with conn.cursor() as cur:
            privileged = roles.is_privileged(cur)
    finally:
        conn.close()
    if privileged:
        raise WarehouseConnectionError(
            f"the warehouse connection from {source} logs in as {wh.user!r}, which is a superuser or may create "
            f"roles or databases; tasks connect as the role {config.PIPELINE_ROLE!r} (see README, Least privilege)",
            permanent=True)


def connected(settings: Settings) -> Settings:
    """The task's settings: `settings` with the connection's warehouse when defined, checked (see the module's doc)."""
    settings, source = resolve(settings)
    check(settings.warehouse, source)
    log("warehouse", f"{where(settings.warehouse)} from {source}")
    return settings
