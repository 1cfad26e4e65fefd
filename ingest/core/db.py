"""Connections to the warehouse and its one-time bootstrap (database, schemas, roles)."""
from __future__ import annotations

from contextlib import contextmanager
from importlib import resources

import psycopg2
from psycopg2 import sql

from ingest.core import config


def connect(wh: config.Warehouse, **kwargs):
    return psycopg2.connect(host=wh.host, port=wh.port, user=wh.user, password=wh.password or None,
                            dbname=wh.database, application_name="govwh", **kwargs)


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


@contextmanager
def admin_cursor(wh: config.Warehouse):
    """A cursor on the server's `postgres` database, outside any transaction (to create and drop databases)."""
    admin = connect(wh.with_database("postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            yield cur
    finally:
        admin.close()


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


def bootstrap(settings: config.Settings) -> None:
    """Create the database, the raw/audit/marts schemas and the read-only BI role (idempotent)."""
    wh = settings.warehouse
    create_database(wh)
    ddl = resources.files("ingest.core").joinpath("warehouse.sql").read_text()
    with transaction(wh) as cur:
        # Two processes may bootstrap at once (tests, parallel tasks): serialise them.
        cur.execute("select pg_advisory_xact_lock(hashtext('govwh.bootstrap'))")
        cur.execute(ddl)
        cur.execute("select 1 from pg_roles where rolname = %s", (config.BI_ROLE,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("create role {} login nosuperuser nocreatedb nocreaterole noinherit")
                        .format(sql.Identifier(config.BI_ROLE)))
        set_bi_reader_password(cur, settings.bi_reader_password)
        grant_bi_reader(cur, wh.database)


def set_bi_reader_password(cur, password: str) -> None:
    """A deployment (docker compose) gives the BI role a password (BI_READER_PASSWORD).

    Without one nothing changes: the local development server trusts 127.0.0.1.
    """
    if password:
        cur.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(config.BI_ROLE), sql.Literal(password)))


def grant_bi_reader(cur, database: str) -> None:
    """The BI role reads the published marts and nothing else."""
    role = sql.Identifier(config.BI_ROLE)
    cur.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(database), role))
    cur.execute(sql.SQL("revoke all on schema public from {}").format(role))
    cur.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(config.PUBLISHED_SCHEMA), role))
    cur.execute(sql.SQL("grant select on all tables in schema {} to {}")
                .format(sql.Identifier(config.PUBLISHED_SCHEMA), role))
