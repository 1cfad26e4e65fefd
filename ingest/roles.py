"""Least privilege: what the server's administrator sets up once, so that nothing else needs a superuser.

The administrator (the embedded server's `postgres`, or WAREHOUSE_ADMIN_URL) creates the warehouse database and
runs ingest/sql/roles.sql in it: the `pipeline` role, which owns raw, audit, marts and the candidates and is what
every task connects as, and the read-only `bi_reader`. The docker compose deployment runs the same SQL file from
docker/postgres/warehouse-init.sh when its warehouse volume is created; its Airflow containers get neither the
administrator's nor the BI role's password.
"""
from __future__ import annotations

import os
from importlib import resources

from ingest import config, db

ROLES_SQL = "sql/roles.sql"


def roles_sql() -> str:
    return resources.files("ingest").joinpath(ROLES_SQL).read_text()


def setup(admin: config.Warehouse, pipeline_password: str | None = None, bi_password: str | None = None) -> None:
    """As the administrator: the database `admin.database` (created when missing), the roles and their rights.

    Passwords default to PIPELINE_DB_PASSWORD and BI_READER_PASSWORD; without them the roles keep theirs (the local
    development server trusts 127.0.0.1 and needs none).
    """
    db.create_database(admin)
    if pipeline_password is None:
        pipeline_password = os.environ.get("PIPELINE_DB_PASSWORD", "")
    if bi_password is None:
        bi_password = os.environ.get("BI_READER_PASSWORD", "")
    with db.transaction(admin) as cur:
        cur.execute("select set_config('govwh.database', %s, true), set_config('govwh.pipeline_password', %s, true), "
                    "set_config('govwh.bi_reader_password', %s, true)", (admin.database, pipeline_password, bi_password))
        cur.execute(roles_sql())


def is_privileged(cur) -> bool:
    """True when the session's role could get round least privilege (superuser, creates roles or databases)."""
    cur.execute("select rolsuper or rolcreaterole or rolcreatedb or rolbypassrls from pg_roles "
                "where rolname = current_user")
    (privileged,) = cur.fetchone()
    return bool(privileged)

