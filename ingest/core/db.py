"""Connections to the warehouse and its bootstrap: database and roles as the administrator (core/roles.py), then
schemas and tables as the pipeline role that owns them."""
from __future__ import annotations

from contextlib import contextmanager
from importlib import resources

import psycopg2
from psycopg2 import sql

from ingest.core import config, roles


def connect(wh: config.Warehouse, application_name: str = "govwh", **kwargs):
    return psycopg2.connect(host=wh.host, port=wh.port, user=wh.user, password=wh.password or None,
                            dbname=wh.database, application_name=application_name, **kwargs)


@contextmanager
def transaction(wh: config.Warehouse):
    """One transaction: commit on success, roll back on any error."""
    conn = connect(wh)
    try:
        with conn:
            with conn.cursor() as cur:
                yield cur
    finally:
        conn.close()


def admin(settings: config.Settings) -> config.Warehouse:
    """The server's administrator connected to the settings' database (Settings.admin), or a clear error."""
    if settings.admin is None:
        raise RuntimeError("creating databases and roles needs the server's administrator: set WAREHOUSE_ADMIN_URL "
                           "(a deployment's database and roles are made by docker/postgres/warehouse-init.sh)")
    return settings.admin


@contextmanager
def admin_cursor(admin_wh: config.Warehouse):
    """The administrator's cursor on the server's `postgres` database, outside any transaction (to create and drop
    databases). `admin_wh` is the administrator (Settings.admin; db.admin)."""
    conn = connect(admin_wh.with_database("postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def create_database(admin_wh: config.Warehouse) -> None:
    """As the administrator `admin_wh`: its database, when missing."""
    with admin_cursor(admin_wh) as cur:
        cur.execute("select 1 from pg_database where datname = %s", (admin_wh.database,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("create database {} encoding 'UTF8' template template0")
                        .format(sql.Identifier(admin_wh.database)))


def drop_database(admin_wh: config.Warehouse) -> None:
    """As the administrator `admin_wh`: drop its database if it exists, closing its connections (throw-away test and
    bench databases)."""
    with admin_cursor(admin_wh) as cur:
        cur.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(admin_wh.database)))


def setup_roles(admin_wh: config.Warehouse, pipeline_password: str = "", bi_password: str = "") -> None:
    """As the administrator `admin_wh`: its database (created when missing), the roles and their rights
    (core/roles.sql). Empty passwords leave the roles' passwords as they are (the local server trusts 127.0.0.1)."""
    create_database(admin_wh)
    with transaction(admin_wh) as cur:
        roles.apply(cur, admin_wh.database, pipeline_password, bi_password)


def bootstrap(settings: config.Settings) -> None:
    """Make the warehouse ready (idempotent): as the administrator, when one is known, the database, the roles and
    their rights (core/roles.py); then, as the settings' warehouse (the pipeline role), the raw/audit/marts schemas
    and tables."""
    wh = settings.warehouse
    if settings.admin is not None:
        setup_roles(settings.admin, settings.pipeline_password, settings.bi_reader_password)
    ddl = resources.files("ingest.core").joinpath("warehouse.sql").read_text()
    with transaction(wh) as cur:
        # Two processes may bootstrap at once (tests, parallel tasks): serialise them.
        cur.execute("select pg_advisory_xact_lock(hashtext('govwh.bootstrap'))")
        cur.execute(ddl)
        grant_bi_reader(cur)


def grant_bi_reader(cur) -> None:
    """The BI role reads the published marts and nothing else (CONNECT on the database: core/roles.sql)."""
    role = sql.Identifier(config.BI_ROLE)
    cur.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(config.PUBLISHED_SCHEMA), role))
    cur.execute(sql.SQL("grant select on all tables in schema {} to {}")
                .format(sql.Identifier(config.PUBLISHED_SCHEMA), role))
