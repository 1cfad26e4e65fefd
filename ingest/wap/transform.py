"""dbt: build the marts into a candidate schema (write), before the checks (audit) and publish."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from psycopg2 import sql

from ingest.core import config, db
from ingest.core.config import Settings
from ingest.core.log import timed

PARTITION = re.compile(r"[A-Z][A-Z_]*/[0-9]{4}")
CANDIDATE = re.compile(r"candidate__[a-z0-9_]+")


def dbt_env(settings: Settings, schema: str) -> dict[str, str]:
    wh = settings.warehouse
    return {
        "GOVWH_DB_HOST": wh.host, "GOVWH_DB_PORT": str(wh.port), "GOVWH_DB_USER": wh.user,
        "GOVWH_DB_PASSWORD": wh.password, "GOVWH_DB_NAME": wh.database, "GOVWH_DBT_SCHEMA": schema,
        # The seeds are the reference tables of the data directory in use (GOVWH_DATA_DIR). Relative to the dbt
        # project: dbt writes each seed's compiled SQL to target/.../<seed path>, which for an absolute path
        # would be the CSV file itself; resolved, so a linked data folder's seeds are the bundled ones' path.
        "GOVWH_REFERENCE_DIR": os.path.relpath(settings.reference_dir.resolve(), settings.dbt_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1",
    }


def check_candidate_name(schema: str) -> str:
    if not CANDIDATE.fullmatch(schema):
        raise ValueError(f"candidate schema must match {CANDIDATE.pattern}, got {schema!r}")
    return schema


def drop_candidate(wh: config.Warehouse, schema: str) -> None:
    with db.transaction(wh) as cur:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(check_candidate_name(schema))))


def run_dbt(settings: Settings, args: list[str], schema: str, target_path: Path | None = None) -> None:
    """dbt in this process, connected to the settings' warehouse (dbt/profiles.yml reads it from the environment)."""
    from dbt.cli.main import dbtRunner   # heavy import, only when dbt runs

    os.environ.update(dbt_env(settings, schema))
    dbt_dir = settings.dbt_dir
    target = target_path or dbt_dir / "target" / schema
    result = dbtRunner().invoke([*args, "--project-dir", str(dbt_dir), "--profiles-dir", str(dbt_dir),
                                 "--target-path", str(target), "--log-path", str(dbt_dir / "logs")])
    if not result.success:
        raise RuntimeError(f"dbt {args[0]} failed: {result.exception or 'see the failed nodes above'}")


def analyze_raw(wh: config.Warehouse) -> None:
    """Fresh statistics for the landing tables: a load just landed is not analysed yet, and the planner would
    take its thousands of rows for one (a nested loop over every score, seconds instead of milliseconds)."""
    with db.transaction(wh) as cur:
        cur.execute("select tablename from pg_tables where schemaname = 'raw' order by tablename")
        for (table,) in cur.fetchall():
            cur.execute(sql.SQL("analyze raw.{}").format(sql.Identifier(table)))


def selection(partitions: list[str]) -> list[str]:
    """dbt's node selection for `partitions`: a run of national partitions only leaves out the models of the
    province's own index (tag provincial), which it cannot change; publish then leaves their marts as they are."""
    if partitions and not any(p.startswith(config.PROVINCIAL_INDEX + "/") for p in partitions):
        return ["--exclude", "tag:provincial"]
    return []


def build_candidate(settings: Settings, schema: str, partitions: list[str]) -> None:
    """Drop and rebuild the candidate schema: dims in full, facts for `partitions` (all when empty)."""
    for partition in partitions:
        if not PARTITION.fullmatch(partition):
            raise ValueError(f"partition must look like INDEX/YEAR, got {partition!r}")
    drop_candidate(settings.warehouse, schema)
    analyze_raw(settings.warehouse)
    with timed("dbt", f"build into {schema} ({', '.join(partitions) or 'all partitions'})"):
        dbt_vars = {"partitions": partitions, "published_schema": config.PUBLISHED_SCHEMA}
        run_dbt(settings, ["build", "--vars", json.dumps(dbt_vars), *selection(partitions)], schema)
