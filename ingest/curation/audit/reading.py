"""A report's transcription, as the audit and the packaging read it: a folder of tables.

data/reports/<report>/ holds scores.csv (one row per place a score, percentage, rank or change is printed),
methodology.csv (maxima, parents), notes.csv (which changes are in percentage points, which are not compared),
unit_scales.csv (maxima of single units), packaging.yaml (national rank_of, code and index maps, decisions) and
any number of other tables the report prints (group averages, counts, targets, points lost, ...). relations.yaml
declares the relations each table prints (ingest/curation/audit/declared.py); every CSV is read, and a table
that relations.yaml does not mention is named in the audit's summary line.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from ingest.core.errors import InputError
from ingest.curation.audit.numbers import Printed, parse
from ingest.sources import readers

SCORES = "scores.csv"
SCORE_COLUMNS = ("index_code", "year", "unit_name_vi", "unit_type", "component_code", "score", "pct_of_max", "rank",
                 "rank_of", "delta_printed", "rank_change_printed", "source_ref")
MEASURE_COLUMNS = (("score", "score"), ("pct_of_max", "pct_of_max"), ("rank", "rank"), ("rank_of", "rank_of"),
                   ("delta", "delta_printed"), ("rank_change", "rank_change_printed"))
EXACT_MEASURES = ("rank", "rank_of", "rank_change")
FLOORED_MEASURES = ("score", "delta")      # points: a printed "1" is 1.00; a percentage keeps its printed precision
PCT_DELTA_NOTES = ("percentage points", "change in percent", "change of pct_of_max")
NOT_COMPARED_NOTES = ("not compared",)


def line_of(source_ref: str) -> int:
    """The first line a source_ref names (L224;L230 -> 224): document order."""
    match = re.search(r"L(\d+)", source_ref or "")
    return int(match.group(1)) if match else 10**9


@dataclass(frozen=True)
class Printing:
    """One row of scores.csv: the figures printed at one place for one unit and component."""

    line: int                      # row of scores.csv
    index_code: str
    year: int
    unit_name: str
    unit_type: str
    component_code: str
    score_kind: str
    source_ref: str
    values: dict                   # measure -> Printed (score, pct_of_max, rank, rank_of, delta, rank_change)
    unreadable: dict               # measure -> text that is not a number

    @property
    def order(self) -> tuple:
        return line_of(self.source_ref), self.line


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict], ...]     # (line in the CSV, row)


@dataclass
class Transcription:
    folder: Path
    printings: list[Printing]
    tables: dict[str, Table]
    maxima: dict                   # (index, year, component) -> Decimal
    children: dict                 # (index, year, parent) -> list of (component, level)
    unit_maxima: dict              # (index, unit_name, component) -> Decimal
    not_assessed: set              # (index, unit_name, component): the unit is not scored on it
    pct_deltas: set                # (source_ref, index, year, unit, component): the change is in percentage points
    not_compared: set              # (source_ref, index, year, unit, component): the report does not compare it
    spec: dict                     # packaging.yaml
    relations: dict                # relations.yaml
    floor_decimals: int = 0

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def national_rank_of(self) -> set[int]:
        return {int(n) for n in self.spec.get("national_rank_of", [63])}

    @property
    def index_map(self) -> dict[str, str]:
        return self.spec.get("index_map") or {}

    @property
    def not_components(self) -> set[str]:
        return set(self.spec.get("not_components") or [])

    def code_map(self, index_code: str) -> dict[str, str]:
        """Report code -> registry code: flat entries apply to every index, a mapping under an index to that index."""
        spec = self.spec.get("code_map") or {}
        flat = {str(k): str(v) for k, v in spec.items() if not isinstance(v, dict)}
        return {**flat, **{str(k): str(v) for k, v in (spec.get(index_code) or {}).items()}}

    def maximum(self, index_code: str, year: int, unit_name: str, component: str) -> Decimal | None:
        return self.unit_maxima.get((index_code, unit_name, component), self.maxima.get((index_code, year, component)))

    @property
    def undeclared_tables(self) -> list[str]:
        declared = set((self.relations.get("tables") or {}))
        return sorted(name for name in self.tables if name not in declared)


def _rows(path: Path) -> Table:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = tuple((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None})
                     for row in reader)
        return Table(path.name, tuple(reader.fieldnames or ()), rows)


def _yaml(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(path, f"not a readable YAML file: {exc}") from exc
    if not isinstance(doc, dict):
        raise InputError(path, "expected a mapping")
    return doc


def _printings(folder: Path, floor_decimals: int) -> list[Printing]:
    path = folder / SCORES
    records, _ = readers.read_csv_records(path, None, SCORE_COLUMNS, ("score_kind",))
    printings = []
    for line, record in records:
        values, unreadable = {}, {}
        for measure, column in MEASURE_COLUMNS:
            try:
                value = parse(record[column])
            except ValueError:
                unreadable[measure] = record[column].strip()
                continue
            if value is not None:
                values[measure] = Printed(value, measure in EXACT_MEASURES,
                                          floor_decimals if measure in FLOORED_MEASURES else 0)
        year = readers.parse_int(record["year"], path, line, "year")
        printings.append(Printing(line, record["index_code"].strip(), year, record["unit_name_vi"].strip(),
                                  record["unit_type"].strip(), record["component_code"].strip(),
                                  (record.get("score_kind") or "").strip(), record["source_ref"].strip(), values,
                                  unreadable))
    return printings


def read(folder: Path) -> Transcription:
    """Every table of the folder, with the methodology, notes and declarations the relations need."""
    if not (folder / SCORES).is_file():
        raise InputError(folder / SCORES, "is missing: a transcription folder needs its printed scores")
    relations = _yaml(folder / "relations.yaml")
    floor_decimals = int(relations.get("decimals", 0))
    tables = {p.name: _rows(p) for p in sorted(folder.glob("*.csv")) if p.name != SCORES}
    maxima, children = {}, {}
    for line, row in (tables["methodology.csv"].rows if "methodology.csv" in tables else ()):
        key = (row["index_code"], int(row["year"]), row["component_code"])
        try:
            maximum = parse(row.get("max_score", ""))
        except ValueError:
            raise InputError(folder / "methodology.csv", f"max_score {row['max_score']!r} is not a number", line,
                             "max_score") from None
        if maximum is not None:
            maxima[key] = maximum
        if row.get("parent_code"):
            children.setdefault((row["index_code"], int(row["year"]), row["parent_code"]), []).append(
                (row["component_code"], row.get("level", "")))
    unit_maxima, not_assessed = {}, set()
    for _, row in (tables["unit_scales.csv"].rows if "unit_scales.csv" in tables else ()):
        key = (row["index_code"], row["unit_name_vi"], row["component_code"])
        if row.get("max_score"):
            unit_maxima[key] = Decimal(row["max_score"])
        if row.get("assessed") == "no":
            not_assessed.add(key)
    pct_deltas, not_compared = set(), set()
    for _, row in (tables["notes.csv"].rows if "notes.csv" in tables else ()):
        if row.get("file") != SCORES:
            continue
        key = (row["source_ref"], row["index_code"], int(row["year"]), row["unit_name_vi"], row["component_code"])
        note = row.get("note", "")
        if any(phrase in note for phrase in PCT_DELTA_NOTES):
            pct_deltas.add(key)
        if any(phrase in note for phrase in NOT_COMPARED_NOTES):
            not_compared.add(key)
    return Transcription(folder, _printings(folder, floor_decimals), tables, maxima, children, unit_maxima,
                         not_assessed, pct_deltas, not_compared, _yaml(folder / "packaging.yaml"), relations,
                         floor_decimals)
