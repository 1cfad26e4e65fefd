"""A partial run's candidate reuses the published dimensions whose inputs did not change, instead of building them.

Mechanism: the reused dimensions are copied from marts into the candidate (a few thousand rows: milliseconds) and
left out of dbt's selection with the seeds and staging views only they read. Refs to them then resolve to the
candidate's copies, so the facts' relationships tests and the Great Expectations suites read them as before, and
publish leaves the published relations as they are. Not views on marts: a view would make the published tables
depend on a candidate (a failed run's candidate is kept for inspection, and a full refresh drops the published
tables); not dbt's --defer: the refs would read marts, but the checks read the candidate only, and the seeds and
staging views are not published.

Safety: a dimension is reused only when what it is built from is provably what the last publish of it was built
from (audit.published_inputs, written by publish in its transaction): the reference files (the seeds), the dbt
project (models, macros, tests, dbt's version), the methodology loaded in raw, and the published relation's
content and shape (md5 over its columns and rows). Any difference, a missing relation or a full refresh: built
as before. Reuse is all or nothing, so the dimensions of one candidate come from one state.
"""
from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from psycopg2 import sql

from ingest.core import config
from ingest.core.config import Settings

MARTS = config.PUBLISHED_SCHEMA
# The dimensions that no landing data a partial run changes can reach (their lineage in dbt/models), and what
# dbt leaves out when one is reused: `+` also leaves out its ancestors, seeds and staging views that only it reads
# (tests/test_reuse.py checks that against dbt's manifest). dim_release reads raw.releases: always built.
REUSABLE = {
    "dim_index": "+dim_index",                                  # seed indices
    "dim_unit": "+dim_unit",                                    # seeds provinces, provinces_2025, units
    "dim_unit_succession": "dim_unit_succession",               # dim_unit
    "dim_methodology_component": "dim_methodology_component",   # raw.methodology_* (loaded once per file content)
    "dim_unit_group": "dim_unit_group",                         # raw.methodology_unit_groups
    "dim_unit_scale": "dim_unit_scale",                         # raw.methodology_* (unit scales)
}
PROVINCIAL = ("dim_unit_group", "dim_unit_scale")   # tag provincial: not built by a national-only run
# The dbt project files that decide what the models build (dbt_project.yml's paths).
PROJECT_FILES = ("dbt_project.yml", "models", "macros", "tests")
METHODOLOGY_STATE = """
select concat_ws('|',
    (select string_agg(concat_ws('/', index_code, methodology_version, file_sha256, loaded_at), ','
                       order by index_code, methodology_version, file_sha256) from raw.methodology_versions),
    (select count(*) from raw.methodology_components), (select count(*) from raw.methodology_unit_groups),
    (select count(*) from raw.methodology_unit_scales))
"""


def _files(root: Path, names: tuple[str, ...] | None = None) -> list[Path]:
    tops = [root / name for name in names] if names else [root]
    return sorted(p for top in tops for p in ([top] if top.is_file() else top.rglob("*")) if p.is_file())


def inputs(settings: Settings, cur) -> str:
    """The fingerprint of everything a reusable dimension is built from, as of now."""
    digest = hashlib.sha256()
    for label, root, names in (("reference", settings.reference_dir, None),
                               ("dbt", settings.dbt_dir, PROJECT_FILES)):
        for path in _files(root.resolve(), names):
            digest.update(f"{label}:{path.relative_to(root.resolve())}:".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for package in ("dbt-core", "dbt-postgres"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    cur.execute(METHODOLOGY_STATE)
    digest.update(cur.fetchone()[0].encode())
    return digest.hexdigest()


def content(cur, relation: str, schema: str = MARTS) -> str | None:
    """A digest of the relation's columns and rows (None when it does not exist)."""
    cur.execute("select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) "
                "from information_schema.columns where table_schema = %s and table_name = %s", (schema, relation))
    (shape,) = cur.fetchone()
    if shape is None:
        return None
    # A sum of the rows' hashes: independent of their order, so no sort of a dimension's rows at every publish
    # (dim_unit_scale holds 160,000 rows at national scale: seconds sorted and concatenated, ~0.2 s this way).
    cur.execute(sql.SQL("select count(*) || ':' || coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0)"
                        " from {}.{} as t").format(sql.Identifier(schema), sql.Identifier(relation)))
    return hashlib.md5(f"{shape}\n{cur.fetchone()[0]}".encode()).hexdigest()


def in_scope(national_only: bool) -> list[str]:
    return [name for name in REUSABLE if not (national_only and name in PROVINCIAL)]


def plan(cur, partitions: list[str], fingerprint: str, national_only: bool) -> list[str]:
    """The dimensions this build reuses: all of those it would build, when each is provably unchanged; else none."""
    if not partitions:
        return []   # a full refresh builds everything, and is what later runs compare with
    wanted = in_scope(national_only)
    cur.execute("select relation, inputs, content from audit.published_inputs where relation = any(%s)", (wanted,))
    recorded = {relation: (built_from, digest) for relation, built_from, digest in cur.fetchall()}
    for name in wanted:
        if recorded.get(name, (None, None))[0] != fingerprint or recorded[name][1] != content(cur, name):
            return []
    return wanted


def copy_into(cur, schema: str, reused: list[str]) -> None:
    """The reused dimensions as tables of the candidate (columns, keys and rows of the published ones)."""
    cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
    for name in reused:
        cand, mart = (sql.SQL("{}.{}").format(sql.Identifier(s), sql.Identifier(name)) for s in (schema, MARTS))
        cur.execute(sql.SQL("create table {} (like {} including all)").format(cand, mart))
        cur.execute(sql.SQL("insert into {} select * from {}").format(cand, mart))
        cur.execute(sql.SQL("analyze {}").format(cand))   # the facts built next join it: plan them on its rows


def selection(reused: list[str], national_only: bool) -> list[str]:
    """dbt's node selection when dimensions are reused. Indirect selection `cautious` keeps the tests of what is
    built that also read a reused dimension (a fact's relationships to dim_unit); eager would drop them with it.
    `tag:provincial+1` then leaves out the tests of the province's models too, as eager does for tag:provincial."""
    excluded = (["tag:provincial+1"] if national_only else []) + [REUSABLE[name] for name in reused]
    return ["--indirect-selection", "cautious", "--exclude", *excluded]


def reused_by(cur, schema: str) -> list[str]:
    """The dimensions the candidate reused (recorded by its build)."""
    cur.execute("select reused from audit.candidate_builds where candidate = %s", (schema,))
    found = cur.fetchone()
    return [name for name in (found[0] if found else "").split(", ") if name]


def record_published(cur, schema: str, tables: list[str], run_id: str) -> None:
    """After a publish, in its transaction: what each reusable dimension it published was built from."""
    cur.execute("select inputs from audit.candidate_builds where candidate = %s", (schema,))
    found = cur.fetchone()
    for name in [t for t in tables if t in REUSABLE]:
        if not found or not found[0]:
            cur.execute("delete from audit.published_inputs where relation = %s", (name,))   # unknown: never reused
            continue
        cur.execute("insert into audit.published_inputs (relation, inputs, content, run_id) values (%s, %s, %s, %s) "
                    "on conflict (relation) do update set inputs = excluded.inputs, content = excluded.content, "
                    "run_id = excluded.run_id, published_at = now()", (name, found[0], content(cur, name), run_id))
