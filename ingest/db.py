"""Connections to the warehouse and its bootstrap: database and roles as the administrator (ingest/roles.py), then
schemas and tables as the pipeline role that owns them."""
from __future__ import annotations

from contextlib import contextmanager
from importlib import resources

import psycopg2
from psycopg2 import sql

from ingest import config


def connect(wh: config.Warehouse | None = None, **kwargs):
    wh = wh or config.warehouse()
    return psycopg2.connect(host=wh.host, port=wh.port, user=wh.user, password=wh.password or None,
                            dbname=wh.database, application_name="govwh", **kwargs)


@contextmanager
def transaction(wh: config.Warehouse | None = None):
    """One transaction: commit on success, roll back on any error."""
    conn = connect(wh)
    try:
        with conn:
            with conn.cursor() as cur:
                yield cur
    finally:
        conn.close()


def admin(wh: config.Warehouse | None = None) -> config.Warehouse:
    """The administrator of the server of `wh` (config.admin_warehouse), connected to `wh`'s database."""
    chosen = config.admin_warehouse()
    if chosen is None:
        raise RuntimeError("creating databases and roles needs the server's administrator: set WAREHOUSE_ADMIN_URL "
                           "(a deployment's database and roles are made by docker/postgres/warehouse-init.sh)")
    if wh is None:
        return chosen
    return config.Warehouse(wh.host, wh.port, chosen.user, chosen.password, wh.database)


@contextmanager
def admin_cursor(wh: config.Warehouse | None = None):
    """The administrator's cursor on the server's `postgres` database, outside any transaction (to create and drop
    databases)."""
    admin_conn = connect(admin(wh).with_database("postgres"))
    admin_conn.autocommit = True
    try:
        with admin_conn.cursor() as cur:
            yield cur
    finally:
        admin_conn.close()


def create_database(wh: config.Warehouse) -> None:
    with admin_cursor(wh) as cur:
        cur.execute("select 1 from pg_database where datname = %s", (wh.database,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("create database {} encoding 'UTF8' template template0")
                        .format(sql.Identifier(wh.database)))


def drop_database(wh: config.Warehouse) -> None:
    """Drop the database of `wh` if it exists, closing its connections (throw-away test and bench databases)."""
    with admin_cursor(wh) as cur:
        cur.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(wh.database)))


def bootstrap(wh: config.Warehouse | None = None) -> None:
    """Make the warehouse ready (idempotent): as the administrator, when one is known, the database, the roles and
    their rights (ingest/roles.py); then, as `wh` (the pipeline role), the raw/audit/marts schemas and tables."""
    from ingest import roles

    wh = wh or config.warehouse()
    if config.admin_warehouse() is not None:
        roles.setup(admin(wh))
    ddl = resources.files("ingest").joinpath("sql/warehouse.sql").read_text()
    with transaction(wh) as cur:
        # Two processes may bootstrap at once (tests, parallel tasks): serialise them.
        cur.execute("select pg_advisory_xact_lock(hashtext('govwh.bootstrap'))")
        cur.execute(ddl)
        grant_bi_reader(cur)


def grant_bi_reader(cur) -> None:
    """The BI role reads the published marts and nothing else (CONNECT on the database: ingest/sql/roles.sql)."""
    role = sql.Identifier(config.BI_ROLE)
    cur.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(config.PUBLISHED_SCHEMA), role))
    cur.execute(sql.SQL("grant select on all tables in schema {} to {}")
                .format(sql.Identifier(config.PUBLISHED_SCHEMA), role))
