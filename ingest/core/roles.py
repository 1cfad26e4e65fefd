"""Least privilege: what the server's administrator sets up once, so that nothing else needs a superuser.

The administrator (the embedded server's `postgres`, or WAREHOUSE_ADMIN_URL: Settings.admin) creates the warehouse
database and runs core/roles.sql in it (db.setup_roles, part of db.bootstrap): the `pipeline` role, which owns raw,
audit, marts and the candidates and is what every task connects as, and the read-only `bi_reader`. The docker
compose deployment runs the same SQL file from docker/postgres/warehouse-init.sh when its warehouse volume is
created; its Airflow containers get neither the administrator's nor the BI role's password.
"""
from __future__ import annotations

from importlib import resources

ROLES_SQL = "roles.sql"   # beside this module (package data of ingest.core)


def roles_sql() -> str:
    return resources.files("ingest.core").joinpath(ROLES_SQL).read_text()


def apply(cur, database: str, pipeline_password: str = "", bi_password: str = "") -> None:
    """On an administrator's cursor in `database`: the roles and their rights. Empty passwords leave the roles'
    passwords as they are (the local development server trusts 127.0.0.1 and needs none)."""
    cur.execute("select set_config('govwh.database', %s, true), set_config('govwh.pipeline_password', %s, true), "
                "set_config('govwh.bi_reader_password', %s, true)", (database, pipeline_password, bi_password))
    cur.execute(roles_sql())


def is_privileged(cur) -> bool:
    """True when the session's role could get round least privilege (superuser, creates roles or databases)."""
    cur.execute("select rolsuper or rolcreaterole or rolcreatedb or rolbypassrls from pg_roles "
                "where rolname = current_user")
    (privileged,) = cur.fetchone()
    return bool(privileged)
