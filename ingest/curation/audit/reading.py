"""Reading what the audit compares: a report's transcribed figures and the warehouse's published values.

Input: a report's transcribed figures (data/reports/<report>/scores.csv, one row per place a figure is
printed) with its methodology.csv (maxima, parents), notes.csv (which deltas are in percentage points,
which changes the report does not compare), unit_scales.csv (maxima of single units) and packaging.yaml
(which rank_of values are national, code map).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from ingest.core import db
from ingest.core.config import Warehouse
from ingest.core.errors import InputError
from ingest.sources import readers

SCORE_COLUMNS = ("index_code", "year", "unit_name_vi", "unit_type", "component_code", "score", "pct_of_max", "rank",
                 "rank_of", "delta_printed", "rank_change_printed", "source_ref")
PCT_DELTA_NOTES = ("percentage points", "change in percent", "change of pct_of_max")
NOT_COMPARED_NOTES = ("not compared",)


def line_of(source_ref: str) -> int:
    """The first line a source_ref names (L224;L230 -> 224): document order."""
    match = re.match(r"L(\d+)", source_ref or "")
    return int(match.group(1)) if match else 10**9


@dataclass(frozen=True)
class Printing:
    line: int                      # row of scores.csv
    index_code: str
    year: int
    unit_name: str
    unit_type: str
    component_code: str
    score_kind: str
    source_ref: str
    values: dict                   # measure -> Decimal (score, pct_of_max, rank, rank_of, delta, rank_change)
    unreadable: dict               # measure -> text that is not a number

    @property
    def fact(self) -> tuple:
        return self.index_code, self.year, self.unit_type, self.unit_name, self.component_code, self.score_kind

    @property
    def order(self) -> tuple:
        return line_of(self.source_ref), self.line


@dataclass
class Report:
    folder: Path
    printings: list[Printing]
    maxima: dict                   # (index, year, component) -> Decimal
    unit_maxima: dict              # (index, unit_name, component) -> Decimal
    children: dict                 # (index, year, parent) -> list of (component, level)
    national_rank_of: set[int]
    code_map: dict[str, str]
    index_map: dict[str, str]      # the report's index codes -> the registry's (packaging.yaml)
    not_components: set[str]
    pct_deltas: set[tuple]         # (source_ref, index, year, unit, component) whose delta is in percentage points
    not_compared: set[tuple]

    @property
    def name(self) -> str:
        return self.folder.name


def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [(reader.line_num, row) for row in reader]


def read_report(folder: Path) -> Report:
    records, _ = readers.read_csv_records(folder / "scores.csv", None, SCORE_COLUMNS, ("score_kind",))
    printings = []
    for line, record in records:
        values, unreadable = {}, {}
        for measure, column in (("score", "score"), ("pct_of_max", "pct_of_max"), ("rank", "rank"),
                                ("rank_of", "rank_of"), ("delta", "delta_printed"), ("rank_change", "rank_change_printed")):
            try:
                value = _decimal(record[column])
            except ValueError:
                unreadable[measure] = record[column].strip()
                continue
            if value is not None:
                values[measure] = value
        year = readers.parse_int(record["year"], folder / "scores.csv", line, "year")
        printings.append(Printing(line, record["index_code"].strip(), year, record["unit_name_vi"].strip(),
                                  record["unit_type"].strip(), record["component_code"].strip(),
                                  (record.get("score_kind") or "").strip(), record["source_ref"].strip(), values,
                                  unreadable))
    maxima, children = {}, {}
    for line, row in _rows(folder / "methodology.csv"):
        key = (row["index_code"], int(row["year"]), row["component_code"])
        try:
            maximum = _decimal(row.get("max_score", ""))
        except ValueError:
            raise InputError(folder / "methodology.csv", f"max_score {row['max_score']!r} is not a number", line,
                             "max_score") from None
        if maximum is not None:
            maxima[key] = maximum
        if row.get("parent_code"):
            children.setdefault((row["index_code"], int(row["year"]), row["parent_code"]), []).append(
                (row["component_code"], row.get("level", "")))
    unit_maxima = {}
    for _, row in _rows(folder / "unit_scales.csv"):
        if row.get("max_score"):
            unit_maxima[(row["index_code"], row["unit_name_vi"], row["component_code"])] = Decimal(row["max_score"])
    pct_deltas, not_compared = set(), set()
    for _, row in _rows(folder / "notes.csv"):
        if row.get("file") != "scores.csv":
            continue
        key = (row["source_ref"], row["index_code"], int(row["year"]), row["unit_name_vi"], row["component_code"])
        note = row.get("note", "")
        if any(phrase in note for phrase in PCT_DELTA_NOTES):
            pct_deltas.add(key)
        if any(phrase in note for phrase in NOT_COMPARED_NOTES):
            not_compared.add(key)
    spec = {}
    if (folder / "packaging.yaml").is_file():
        spec = yaml.safe_load((folder / "packaging.yaml").read_text(encoding="utf-8")) or {}
    return Report(folder, printings, maxima, unit_maxima, children,
                  {int(n) for n in spec.get("national_rank_of", [63])}, spec.get("code_map", {}) or {},
                  spec.get("index_map", {}) or {}, set(spec.get("not_components", []) or []), pct_deltas, not_compared)


def warehouse_values(wh: Warehouse, report: Report) -> tuple[dict, list[str], bool] | None:
    """The published values of the report's index-years, or None without marts. Keys: (index, year, unit,
    component, score kind): provinces by code from v_component_score, a province's own units by name and score
    kind from v_unit_score (the latest edition)."""
    from ingest.reports.reading import has_region_rank

    pairs = sorted({(report.index_map.get(p.index_code, p.index_code), p.year) for p in report.printings})
    selection = ([i for i, _ in pairs], [y for _, y in pairs])
    with db.transaction(wh) as cur:
        cur.execute("select to_regclass('marts.v_component_score') is not null, "
                    "to_regclass('marts.v_unit_score') is not null")
        national, own_units = cur.fetchone()
        if not national:
            return None
        region = has_region_rank(cur)
        columns = "region_rank, region_rank_of" if region else "null::integer, null::integer"
        cur.execute(f"""
            select index_code, year, unit_code, component_code, '', score, rank, rank_of, {columns},
                   'marts.v_component_score (' || coalesce(source_ref, '') || ')'
            from marts.v_component_score
            where (index_code, year) in (select * from unnest(%s::text[], %s::int[]))""", selection)
        published = {row[:5]: row[5:] for row in cur.fetchall()}
        views = ["marts.v_component_score"]
        if own_units:
            cur.execute("""
                select distinct on (index_code, year, unit_name, component_code, score_kind)
                       index_code, year, unit_name, component_code, score_kind, score, rank, rank_of, null, null,
                       'marts.v_unit_score (' || coalesce(source_ref, '') || ')'
                from marts.v_unit_score
                where (index_code, year) in (select * from unnest(%s::text[], %s::int[]))
                order by index_code, year, unit_name, component_code, score_kind, edition desc""", selection)
            published.update({row[:5]: row[5:] for row in cur.fetchall()})
            views.append("marts.v_unit_score")
    return published, views, region
