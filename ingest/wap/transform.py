"""dbt: build the marts into a candidate schema (write), before the checks (audit) and publish."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from psycopg2 import sql

from ingest.core import config, db
from ingest.core.config import Settings
from ingest.core.errors import Refusal
from ingest.core.log import log, timed
from ingest.wap import candidates, reuse

PARTITION = re.compile(r"[A-Z][A-Z_]*/[0-9]{4}")


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


check_candidate_name = candidates.check_name
drop_candidate = candidates.drop


def run_dbt(settings: Settings, args: list[str], schema: str, target_path: Path | None = None) -> None:
    """dbt in this process, connected to the settings' warehouse (dbt/profiles.yml reads it from the environment).
    The target folder is the pipeline's (a run's candidate name without its run part), so dbt's partial parse
    carries over from run to run; builds of one pipeline never overlap (run lock)."""
    from dbt.cli.main import dbtRunner   # heavy import, only when dbt runs

    os.environ.update(dbt_env(settings, schema))
    dbt_dir = settings.dbt_dir
    target = target_path or dbt_dir / "target" / (schema.split("__")[1] if "__" in schema else schema)
    result = dbtRunner().invoke([*args, "--project-dir", str(dbt_dir), "--profiles-dir", str(dbt_dir),
                                 "--target-path", str(target), "--log-path", str(dbt_dir / "logs")])
    if not result.success:
        raise BuildFailed(f"dbt {args[0]} of {schema} failed: {_failures(result)}. Nothing was published; the "
                          f"candidate stays for inspection until the next run (logs: {dbt_dir / 'logs'}).")


class BuildFailed(Refusal):
    """dbt could not build the candidate (a model or a dbt test failed): nothing is published."""

    retryable = True      # a model may fail for a server that went away; retrying a real failure fails again


def _failures(result) -> str:
    """The failed nodes of a dbt run and what dbt said, bounded."""
    if result.exception is not None:
        return " ".join(str(result.exception).split())[:300]
    failed = [f"{r.node.name}: {' '.join(str(r.message or r.status).split())[:160]}"
              for r in (getattr(result.result, "results", None) or []) if str(r.status) in ("error", "fail")]
    return "; ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else "") or "see dbt's log"


def analyze_raw(wh: config.Warehouse) -> None:
    """Fresh statistics for the landing tables: a load just landed is not analysed yet, and the planner would
    take its thousands of rows for one (a nested loop over every score, seconds instead of milliseconds)."""
    with db.transaction(wh) as cur:
        cur.execute("select tablename from pg_tables where schemaname = 'raw' order by tablename")
        for (table,) in cur.fetchall():
            cur.execute(sql.SQL("analyze raw.{}").format(sql.Identifier(table)))


def national_only(partitions: list[str]) -> bool:
    return bool(partitions) and not any(p.startswith(config.PROVINCIAL_INDEX + "/") for p in partitions)


def selection(partitions: list[str], reused: list[str] = ()) -> list[str]:
    """dbt's node selection for `partitions`: a run of national partitions only leaves out the models of the
    province's own index (tag provincial), which it cannot change; publish then leaves their marts as they are.
    Dimensions reused from marts are left out too, with what only they read (wap/reuse.py)."""
    if reused:
        return reuse.selection(list(reused), national_only(partitions))
    if national_only(partitions):
        return ["--exclude", "tag:provincial"]
    return []


def _reuse_plan(settings: Settings, schema: str, partitions: list[str], run_id: str) -> list[str]:
    """Record the build (candidates.record_build) with the published dimensions it reuses, copied into the
    candidate. Under the run lock: marts cannot change until this candidate is published or found stale."""
    with db.transaction(settings.warehouse) as cur:
        inputs = reuse.inputs(settings, cur)
        reused = reuse.plan(cur, partitions, inputs, national_only(partitions))
    candidates.record_build(settings.warehouse, schema, run_id or schema, partitions, inputs, reused)
    if reused:
        with db.transaction(settings.warehouse) as cur:
            reuse.copy_into(cur, schema, reused)
        log("dbt", f"reused from {config.PUBLISHED_SCHEMA}, unchanged since their publish: {', '.join(reused)}")
    return reused


def build_candidate(settings: Settings, schema: str, partitions: list[str], run_id: str = "") -> None:
    """Drop and rebuild the candidate schema: dims in full (or reused from marts when provably unchanged), facts for
    `partitions` (all when empty). What it is built from is recorded first (wap/candidates.py), so publish can tell
    a candidate that went stale."""
    for partition in partitions:
        if not PARTITION.fullmatch(partition):
            raise ValueError(f"partition must look like INDEX/YEAR, got {partition!r}")
    drop_candidate(settings.warehouse, schema)
    reused = _reuse_plan(settings, schema, partitions, run_id)
    analyze_raw(settings.warehouse)
    with timed("dbt", f"build into {schema} ({', '.join(partitions) or 'all partitions'})"):
        # The partitions are read by the models from audit.candidate_builds (dbt/macros/partitions.sql), not passed
        # as --vars: vars that change from run to run would make dbt parse the whole project again (≈ 2 s).
        dbt_vars = {"published_schema": config.PUBLISHED_SCHEMA}
        run_dbt(settings, ["build", "--vars", json.dumps(dbt_vars), *selection(partitions, reused)], schema)
