"""Candidate schemas: one per run, and what each was built from.

A run builds into `candidate__<pipeline>__<run>` (its own schema: two runs never build into one). Before dbt
runs, the fingerprint of what dbt reads that can change — the releases in raw, the corrections files and plans
loaded, the publishes so far — is recorded in audit.candidate_builds. The publish compares it with the
fingerprint at that moment, under the run lock (core/run_lock.py): a candidate built before another run loaded a
release or published is stale (its dimensions, replaced whole by a partial publish, would roll that run back) and is
rebuilt, never published as it is.
"""
from __future__ import annotations

import hashlib
import re

from psycopg2 import sql

from ingest.core import config, db

CANDIDATE = re.compile(r"candidate__[a-z0-9_]+")
PIPELINE = re.compile(r"[a-z0-9_]{1,40}")

# Everything dbt reads from the warehouse that another run may change (raw is append-only but for withdrawals,
# which remove a release's rows: its list of releases changes too).
RAW_STATE = """
select md5(concat_ws('|',
    (select string_agg(release_id || ':' || manifest_sha256, ',' order by release_id) from raw.releases),
    (select string_agg(file_path || ':' || file_sha256 || ':' || loaded_at, ',' order by file_path, loaded_at)
     from raw.correction_files),
    (select count(*) || ':' || coalesce(max(plan_load_id), 0) from raw.plans),
    (select count(*) || ':' || coalesce(max(published_at)::text, '') from audit.publish_log)))
"""


class StaleCandidate(Exception):
    """The candidate was built from another state of raw or marts than the current one."""


def check_name(schema: str) -> str:
    if not CANDIDATE.fullmatch(schema):
        raise ValueError(f"candidate schema must match {CANDIDATE.pattern}, got {schema!r}")
    return schema


def schema_of(pipeline_name: str, run_id: str | None = None) -> str:
    """The run's own candidate schema (`candidate__<pipeline>` for callers without a run: tests, the benchmark)."""
    if not PIPELINE.fullmatch(pipeline_name):
        raise ValueError(f"pipeline name must match {PIPELINE.pattern}, got {pipeline_name!r}")
    if run_id is None:
        return check_name(f"candidate__{pipeline_name}")
    return check_name(f"candidate__{pipeline_name}__{hashlib.sha256(run_id.encode()).hexdigest()[:10]}")


def drop(wh: config.Warehouse, schema: str) -> None:
    with db.transaction(wh) as cur:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(check_name(schema))))
        cur.execute("delete from audit.candidate_builds where candidate = %s", (schema,))


def drop_earlier(wh: config.Warehouse, pipeline_name: str, keep: str) -> list[str]:
    """The pipeline's other candidates (failed runs keep theirs for inspection until the next run of the pipeline).
    Called under the run lock: no other build or publish is running; an Airflow DAG runs one run at a time."""
    with db.transaction(wh) as cur:
        cur.execute("select nspname from pg_namespace where nspname = %s or nspname like %s order by 1",
                    (f"candidate__{pipeline_name}", f"candidate\\_\\_{pipeline_name}\\_\\_%"))
        earlier = [name for (name,) in cur.fetchall() if name != keep and CANDIDATE.fullmatch(name)]
    for schema in earlier:
        drop(wh, schema)
    return earlier


def raw_state(cur) -> str:
    cur.execute(RAW_STATE)
    return cur.fetchone()[0]


def record_build(wh: config.Warehouse, schema: str, run_id: str, partitions: list[str], inputs: str = "",
                 reused: list[str] = ()) -> str:
    """Record what the candidate is about to be built from (before dbt reads it); returns the fingerprint. `inputs`
    and `reused`: the dimensions' fingerprint and the published ones it reuses (wap/reuse.py)."""
    with db.transaction(wh) as cur:
        state = raw_state(cur)
        cur.execute("insert into audit.candidate_builds (candidate, run_id, partitions, raw_state, inputs, reused) "
                    "values (%s, %s, %s, %s, %s, %s) on conflict (candidate) do update set run_id = excluded.run_id, "
                    "partitions = excluded.partitions, raw_state = excluded.raw_state, inputs = excluded.inputs, "
                    "reused = excluded.reused, built_at = now()",
                    (schema, run_id, ", ".join(partitions) or "all", state, inputs, ", ".join(reused)))
    return state


def check_fresh(cur, schema: str) -> None:
    """Raise StaleCandidate unless the candidate was built from the state raw and marts are in now."""
    cur.execute("select raw_state, to_char(built_at, 'HH24:MI:SS') from audit.candidate_builds "
                "where candidate = %s", (schema,))
    built = cur.fetchone()
    if built is None:
        raise StaleCandidate(f"candidate {schema} has no record of what it was built from")
    if built[0] != raw_state(cur):
        raise StaleCandidate(f"candidate {schema} was built at {built[1]}, before another run loaded, withdrew or "
                             "published releases")
