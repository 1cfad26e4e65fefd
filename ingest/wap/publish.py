"""Publish a checked candidate into `marts` in one transaction (the publish of write-audit-publish).

Per partition: the facts of the rebuilt partitions (index × year) are deleted and inserted again, so a
correction costs what it changes (the history of unit scores gains the new release's rows only); the
dimensions are small and replaced whole. A full refresh moves the
candidate's tables into marts instead of copying their rows (the old tables are dropped). Views are
recreated from the candidate's definitions; the BI role is granted in the same transaction. Readers see
the old marts or the new ones, never a mix: a query waiting on a lock looks its relations up again.
"""
from __future__ import annotations

import time

import psycopg2
from psycopg2 import sql

from ingest.core import config, db
from ingest.core.config import Settings
from ingest.core.faults import failpoint
from ingest.core.log import log
from ingest.wap import candidates, reuse
from ingest.wap.candidates import check_name as check_candidate_name

MARTS = config.PUBLISHED_SCHEMA
# Facts whose published rows of a release never change (dbt/macros/published_unit_history.sql): a partial
# run adds the new releases' rows. The province's quarterly deliveries make millions of them.
BY_RELEASE = ("fct_unit_score_history",)


def _objects(cur, schema: str, kind: str) -> list[str]:
    cur.execute("select table_name from information_schema.tables where table_schema = %s and table_type = %s "
                "and (table_name like 'dim\\_%%' or table_name like 'fct\\_%%' or table_name like 'v\\_%%') "
                "order by table_name", (schema, kind))
    return [name for (name,) in cur.fetchall()]


def _shape(cur, schema: str, table: str) -> list[tuple[str, str]]:
    cur.execute("select column_name, data_type from information_schema.columns where table_schema = %s "
                "and table_name = %s order by ordinal_position", (schema, table))
    return cur.fetchall()


def _view_definition(cur, schema: str, view: str) -> str:
    """The view's SQL with names relative to its own schema, so it can be recreated in marts."""
    cur.execute(sql.SQL("set local search_path = {}, pg_catalog").format(sql.Identifier(schema)))
    cur.execute("select pg_get_viewdef(format('%%I.%%I', %s::text, %s::text)::regclass, true)", (schema, view))
    (definition,) = cur.fetchone()
    cur.execute("reset search_path")
    return definition


def _copy_comments(cur, schema: str, name: str, kind: str) -> None:
    """Carry dbt's persisted docs (table, view and column comments) from the candidate into marts.

    `like ... including all` copies column comments of a new table only, and a recreated view has none,
    so BI tools would show stale or no descriptions without this.
    """
    cur.execute("select obj_description(format('%%I.%%I', %s::text, %s::text)::regclass, 'pg_class')", (schema, name))
    (comment,) = cur.fetchone()
    target = sql.SQL("{}.{}").format(sql.Identifier(MARTS), sql.Identifier(name))
    cur.execute(sql.SQL("comment on {} {} is {}").format(sql.SQL(kind), target, sql.Literal(comment)))
    cur.execute("select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a "
                "where a.attrelid = format('%%I.%%I', %s::text, %s::text)::regclass and a.attnum > 0 "
                "and not a.attisdropped", (schema, name))
    for column, text in cur.fetchall():
        cur.execute(sql.SQL("comment on column {}.{} is {}").format(target, sql.Identifier(column), sql.Literal(text)))


def _lock_all(cur, names: list[str], timeout: float = 30.0) -> None:
    """Take every published relation at once, waiting while none is free rather than holding some.

    A BI query locks the relations it reads one after the other; a publish that held a view while waiting for
    a table that query holds would deadlock with it. Taking them all in one NOWAIT statement, retried, never
    waits while holding any: readers that come after wait for the commit and then read the new marts.
    """
    if not names:
        return
    relations = sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier(MARTS), sql.Identifier(n)) for n in names)
    deadline = time.monotonic() + timeout
    while True:
        cur.execute("savepoint lock_marts")
        try:
            cur.execute(sql.SQL("lock table {} in access exclusive mode nowait").format(relations))
            cur.execute("release savepoint lock_marts")
            return
        except psycopg2.errors.LockNotAvailable:
            cur.execute("rollback to savepoint lock_marts")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the marts stayed in use for {timeout:.0f}s; publish again later") from None
            time.sleep(0.02)


def _move_tables(cur, schema: str, tables: list[str]) -> int:
    """A full refresh: each candidate table replaces its mart by changing schema; no row is copied."""
    published = 0
    for table in tables:
        target = sql.SQL("{}.{}").format(sql.Identifier(MARTS), sql.Identifier(table))
        cur.execute(sql.SQL("drop table if exists {}").format(target))
        cur.execute(sql.SQL("alter table {}.{} set schema {}").format(
            sql.Identifier(schema), sql.Identifier(table), sql.Identifier(MARTS)))
        cur.execute(sql.SQL("select count(*) from {}").format(target))
        (rows,) = cur.fetchone()
        published += rows
        log("publish", f"{MARTS}.{table}: {rows} rows (moved)")
    return published


def _copy_partitions(cur, schema: str, tables: list[str], partitions: list[str]) -> int:
    """A partial refresh: the facts of `partitions` are deleted and inserted again; dimensions replaced whole.
    A table in BY_RELEASE holds only releases that marts does not hold yet (the dbt model builds it so): its
    rows are added, nothing else of the partitions is touched."""
    published = 0
    cand, marts = sql.Identifier(schema), sql.Identifier(MARTS)
    for table in tables:
        target = sql.Identifier(table)
        if not _shape(cur, MARTS, table):
            cur.execute(sql.SQL("create table {}.{} (like {}.{} including all)").format(marts, target, cand, target))
        if table in BY_RELEASE:   # and the rows of releases withdrawn from raw (load/withdraw.py)
            cur.execute(sql.SQL("delete from {}.{} where release_id in (select release_id from {}.{}) "
                                "or ((index_code || '/' || year) = any(%s) "
                                "and release_id not in (select release_id from raw.releases))")
                        .format(marts, target, cand, target), (partitions,))
        elif table.startswith("fct_"):
            cur.execute(sql.SQL("delete from {}.{} where (index_code || '/' || year) = any(%s)")
                        .format(marts, target), (partitions,))
        else:
            cur.execute(sql.SQL("delete from {}.{}").format(marts, target))
        cur.execute(sql.SQL("insert into {}.{} select * from {}.{}").format(marts, target, cand, target))
        published += cur.rowcount
        log("publish", f"{MARTS}.{table}: {cur.rowcount} rows")
    return published


def publish(settings: Settings, schema: str, partitions: list[str], run_id: str) -> int:
    """Move the candidate's rows into marts. Empty `partitions` = full refresh. Returns rows published."""
    check_candidate_name(schema)
    started = time.monotonic()
    cand, marts = sql.Identifier(schema), sql.Identifier(MARTS)
    published = 0
    with db.transaction(settings.warehouse) as cur:
        cur.execute("set local lock_timeout = '30s'")
        cur.execute("select pg_advisory_xact_lock(hashtext('govwh.publish'))")
        cur.execute("select exists (select 1 from pg_namespace where nspname = %s), "
                    "exists (select 1 from audit.publish_log where run_id = %s)", (schema, run_id))
        candidate_exists, already_published = cur.fetchone()
        if not candidate_exists and already_published:
            log("publish", f"run {run_id} was already published")   # a retry after a lost reply
            return 0
        candidates.check_fresh(cur, schema)   # under the run lock: raw cannot change until this commits
        # Dimensions the build copied from marts (wap/reuse.py) stay as they are published: not replaced by themselves.
        reused = reuse.reused_by(cur, schema)
        for name in reused:
            log("publish", f"{MARTS}.{name}: kept (reused, unchanged since its publish)")
        tables = [t for t in _objects(cur, schema, "BASE TABLE") if t not in reused]
        views = _objects(cur, schema, "VIEW")
        if not any(t.startswith("fct_") for t in tables):
            raise RuntimeError(f"candidate {schema} holds no fact tables: nothing to publish")
        existing_views = _objects(cur, MARTS, "VIEW")
        reshaped = [t for t in tables if _shape(cur, MARTS, t) and _shape(cur, MARTS, t) != _shape(cur, schema, t)]
        if reshaped and partitions:
            raise RuntimeError(f"marts {reshaped} changed shape since the last publish; run a full refresh "
                               "(all partitions) to publish the new shape")
        if partitions:
            published += _copy_partitions(cur, schema, tables, partitions)
        else:
            _lock_all(cur, _objects(cur, MARTS, "BASE TABLE") + existing_views)
            # Our own views depend on the tables (and on each other: one statement drops them all); anything
            # else depending on them stops the publish.
            if existing_views:
                cur.execute(sql.SQL("drop view {}").format(sql.SQL(", ").join(
                    sql.SQL("{}.{}").format(marts, sql.Identifier(view)) for view in existing_views)))
            published += _move_tables(cur, schema, tables)
        for view in views:
            definition = _view_definition(cur, schema, view)
            cur.execute(sql.SQL("set local search_path = {}, pg_catalog").format(marts))
            cur.execute(sql.SQL("create or replace view {}.{} as ").format(marts, sql.Identifier(view))
                        + sql.SQL(definition))
            cur.execute("reset search_path")
        for name in tables if partitions else []:   # a moved table keeps its comments
            _copy_comments(cur, schema, name, "table")
        for name in views:
            _copy_comments(cur, schema, name, "view")
        reuse.record_published(cur, schema, tables, run_id)
        db.grant_bi_reader(cur)
        cur.execute("insert into audit.publish_log (run_id, partitions, tables, rows) values (%s, %s, %s, %s)",
                    (run_id, ", ".join(partitions) or "all", len(tables) + len(views), published))
        cur.execute(sql.SQL("drop schema {} cascade").format(cand))
        cur.execute("delete from audit.candidate_builds where candidate = %s", (schema,))
        failpoint(settings, "publish.before_commit")
    log("publish", f"published {published} rows ({', '.join(partitions) or 'all partitions'}) "
                   f"in {time.monotonic() - started:.1f}s")
    return published
