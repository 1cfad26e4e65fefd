"""Publish a checked candidate into `marts` in one transaction (the publish of write-audit-publish).

Per partition: the facts of the rebuilt partitions (index × year) are deleted and inserted again, so a
correction costs what it changes; the dimensions are small and replaced whole; views are recreated
from the candidate's definitions; the BI role is granted in the same transaction. Readers see the old
marts or the new ones, never a mix.
"""
from __future__ import annotations

import time

from psycopg2 import sql

from ingest import config, db
from ingest.faults import failpoint
from ingest.log import log
from ingest.transform import check_candidate_name

MARTS = config.PUBLISHED_SCHEMA


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


def publish(schema: str, partitions: list[str], run_id: str) -> int:
    """Move the candidate's rows into marts. Empty `partitions` = full refresh. Returns rows published."""
    check_candidate_name(schema)
    started = time.monotonic()
    cand, marts = sql.Identifier(schema), sql.Identifier(MARTS)
    published = 0
    with db.transaction() as cur:
        cur.execute("set local lock_timeout = '30s'")
        cur.execute("select pg_advisory_xact_lock(hashtext('govwh.publish'))")
        cur.execute("select exists (select 1 from pg_namespace where nspname = %s), "
                    "exists (select 1 from audit.publish_log where run_id = %s)", (schema, run_id))
        candidate_exists, already_published = cur.fetchone()
        if not candidate_exists and already_published:
            log("publish", f"run {run_id} was already published")   # a retry after a lost reply
            return 0
        tables = _objects(cur, schema, "BASE TABLE")
        views = _objects(cur, schema, "VIEW")
        if not any(t.startswith("fct_") for t in tables):
            raise RuntimeError(f"candidate {schema} holds no fact tables: nothing to publish")
        existing_views = _objects(cur, MARTS, "VIEW")
        reshaped = [t for t in tables if _shape(cur, MARTS, t) and _shape(cur, MARTS, t) != _shape(cur, schema, t)]
        if reshaped and partitions:
            raise RuntimeError(f"marts {reshaped} changed shape since the last publish; run a full refresh "
                               "(all partitions) to publish the new shape")
        if reshaped:
            # Our own views depend on the tables; anything else depending on them stops the publish.
            for view in existing_views:
                cur.execute(sql.SQL("drop view {}.{}").format(marts, sql.Identifier(view)))
            for table in reshaped:
                cur.execute(sql.SQL("drop table {}.{}").format(marts, sql.Identifier(table)))
        for table in tables:
            target, source = sql.Identifier(table), sql.Identifier(table)
            if not _shape(cur, MARTS, table):
                cur.execute(sql.SQL("create table {}.{} (like {}.{} including all)").format(marts, target, cand, source))
            if table.startswith("fct_") and partitions:
                cur.execute(sql.SQL("delete from {}.{} where (index_code || '/' || year) = any(%s)")
                            .format(marts, target), (partitions,))
            else:
                cur.execute(sql.SQL("delete from {}.{}").format(marts, target))
            cur.execute(sql.SQL("insert into {}.{} select * from {}.{}").format(marts, target, cand, source))
            published += cur.rowcount
            log("publish", f"{MARTS}.{table}: {cur.rowcount} rows")
        for view in views:
            definition = _view_definition(cur, schema, view)
            cur.execute(sql.SQL("set local search_path = {}, pg_catalog").format(marts))
            cur.execute(sql.SQL("create or replace view {}.{} as ").format(marts, sql.Identifier(view))
                        + sql.SQL(definition))
            cur.execute("reset search_path")
        for name in tables:
            _copy_comments(cur, schema, name, "table")
        for name in views:
            _copy_comments(cur, schema, name, "view")
        db.grant_bi_reader(cur, config.warehouse().database)
        cur.execute("insert into audit.publish_log (run_id, partitions, tables, rows) values (%s, %s, %s, %s)",
                    (run_id, ", ".join(partitions) or "all", len(tables) + len(views), published))
        cur.execute(sql.SQL("drop schema {} cascade").format(cand))
        failpoint("publish.before_commit")
    log("publish", f"published {published} rows ({', '.join(partitions) or 'all partitions'}) "
                   f"in {time.monotonic() - started:.1f}s")
    return published
