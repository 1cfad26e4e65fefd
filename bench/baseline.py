"""The baseline of the benchmark: PostgreSQL COPY of the files, then one hand-written INSERT … SELECT per mart.

It reads the same data directory as the pipeline: the CSV release files (canonical and unit_scores layouts;
the handful of official wide layouts, a few hundred rows, are the pipeline's alone), the reference CSVs, and
the release manifests and methodology maxima (a few hundred rows, inserted as they are). No checks, no
lineage, no write-audit-publish: the lower bound of the same work.
"""
from __future__ import annotations

import time
from pathlib import Path

import yaml
from psycopg2 import sql
from psycopg2.extras import execute_values

from ingest.core import db
from ingest.core.config import Settings
from ingest.sources import packages

MARTS_SQL = Path(__file__).with_name("baseline_marts.sql")
TABLES = """
drop schema if exists baseline cascade;
create schema baseline;
create table baseline.provinces (province_vi text, province_en text, code text, iso_3166_2 text, region_vi text,
    merged_into_2025_vi text, source_url text);
create table baseline.provinces_2025 (code text, province_vi text, official_name_vi text, province_en text, source text);
create table baseline.units (unit_code text, unit_name_vi text, unit_name_en text, unit_type text,
    parent_unit_code text, valid_from date, valid_to date, code_source text);
create table baseline.releases (release_id text primary key, index_code text, year int, edition int,
    methodology_version text);
create table baseline.components (index_code text, methodology_version text, component_code text,
    max_score numeric);
create table baseline.component_scores_file (release_id text, unit_name text, unit_type text, component_code text,
    score numeric, rank int, rank_of int, source_ref text, index_code text, year int);
create table baseline.unit_scores_file (release_id text, unit_name text, unit_type text, component_code text,
    score_kind text, score numeric, pct_of_max numeric, rank int, rank_of int, change_printed numeric,
    rank_change_printed int, source_ref text);
create table baseline.dim_unit (unit_key text, unit_code text, unit_name text, unit_type text, region_name text,
    valid_from date, valid_to date);
create table baseline.fct_component_score_history (release_id text, index_code text, year int, edition int,
    unit_code text, component_code text, score numeric, rank int, rank_of int);
create table baseline.fct_component_score (release_id text, index_code text, year int, unit_code text,
    component_code text, score numeric, max_score numeric, pct_of_max numeric, rank int, rank_of int,
    region_rank int, delta_vs_previous numeric, rank_change_vs_previous int);
create table baseline.fct_unit_score_history (release_id text, index_code text, year int, edition int,
    unit_code text, component_code text, score_kind text, score numeric, max_score numeric, pct_of_max numeric,
    rank int, rank_of int, rank_by_pct_of_max int);
create table baseline.fct_unit_score (like baseline.fct_unit_score_history);
create table baseline.fct_unit_score_gap (index_code text, year int, unit_code text, component_code text,
    self_score numeric, appraised_score numeric, gap numeric, is_over_scored boolean);
create table baseline.fct_unit_points_lost (index_code text, year int, unit_code text, component_code text,
    score_kind text, score numeric, max_score numeric, points_lost numeric, pct_points_lost numeric);
"""


def _copy_csv(cur, table: str, path: Path, release_id: str | None = None) -> int:
    """COPY a CSV file by its header's columns; the release id of its rows as the column default."""
    with path.open("rb") as handle:
        header = handle.readline().decode("utf-8-sig").strip().split(",")
        if release_id is not None:
            cur.execute(sql.SQL("alter table {} alter column release_id set default {}")
                        .format(sql.SQL(table), sql.Literal(release_id)))
        handle.seek(0)
        copy = sql.SQL("copy {} ({}) from stdin with (format csv, header true)").format(
            sql.SQL(table), sql.SQL(", ").join(map(sql.Identifier, header)))
        cur.copy_expert(copy.as_string(cur), handle, size=1 << 20)
        return cur.rowcount


def _manifests(data_dir: Path) -> list[tuple[Path, dict]]:
    return [(path, yaml.safe_load(path.read_text(encoding="utf-8")))
            for path in packages.discover(data_dir / "releases")]


def _components(data_dir: Path) -> list[tuple]:
    rows = []
    for path in sorted((data_dir / "methodology").glob("*/*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows += [(doc["index"], str(doc["version"]), str(c["code"]), c.get("max_score"))
                 for c in doc.get("components", [])]
    return rows


def run(settings: Settings) -> dict:
    """Load and build the baseline in the settings' warehouse database from their data dir; seconds and rows."""
    data_dir = settings.data_dir
    started = time.monotonic()
    rows_copied = 0
    with db.transaction(settings.warehouse) as cur:
        cur.execute(TABLES)
        for name in ("provinces", "provinces_2025", "units"):
            _copy_csv(cur, f"baseline.{name}", data_dir / "reference" / f"{name}.csv")
        releases = []
        for path, doc in _manifests(data_dir):
            release_id = f"{doc['index']}/{doc['year']}/{doc['edition']}"
            releases.append((release_id, doc["index"], doc["year"], doc["edition"], str(doc["methodology_version"])))
            for item in doc["files"]:
                layout = item.get("layout", "canonical")
                if layout not in ("canonical", "unit_scores") or not item["name"].endswith(".csv"):
                    continue
                table = "baseline.unit_scores_file" if layout == "unit_scores" else "baseline.component_scores_file"
                rows_copied += _copy_csv(cur, table, path.parent / item["name"], release_id)
        execute_values(cur, "insert into baseline.releases values %s", releases)
        execute_values(cur, "insert into baseline.components values %s", _components(data_dir))
    copied = time.monotonic() - started

    marts: dict[str, int] = {}
    with db.transaction(settings.warehouse) as cur:
        cur.execute("analyze baseline.component_scores_file; analyze baseline.unit_scores_file; "
                    "analyze baseline.units")
        for statement in MARTS_SQL.read_text(encoding="utf-8").split("-- mart: ")[1:]:
            name, body = statement.split("\n", 1)
            cur.execute(body)
            marts[name.strip()] = cur.rowcount
    return {"seconds": time.monotonic() - started, "copy_seconds": copied, "rows_copied": rows_copied,
            "mart_rows": marts}


if __name__ == "__main__":
    import json

    print(json.dumps(run(Settings.from_environment())))
