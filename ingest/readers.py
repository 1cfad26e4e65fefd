"""Readers of release data files. Each yields checked rows or raises an InputError naming file, row, column."""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ingest.errors import InputError
from ingest.methodology import Methodology
from ingest.reference import UnitDirectory, normalise

CANONICAL_COLUMNS = ("unit_name", "unit_type", "component_code", "score")
OPTIONAL_COLUMNS = ("rank", "rank_of", "source_ref")


@dataclass(frozen=True)
class ScoreRow:
    source_row: int
    unit_name: str
    unit_code: str
    unit_type: str
    component_code: str
    score: Decimal
    rank: int | None
    rank_of: int | None
    source_ref: str | None


def parse_decimal(text: str, path: Path, row: int, column: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise InputError(path, f"expected a number with a decimal point (e.g. 85.97), got {text!r}", row, column)
    return value


def parse_int(text: str, path: Path, row: int, column: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InputError(path, f"expected a whole number, got {text!r}", row, column)
    return int(text)


def read_csv_records(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """A CSV file's header and its records with their line numbers (header = row 1)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputError(path, f"is not UTF-8 (byte {exc.start}: {exc.reason})", row=line) from exc
    reader = csv.DictReader(text.splitlines(), strict=True)
    header = reader.fieldnames or []
    records = []
    for line, record in enumerate(reader, start=2):
        if None in record or any(v is None for v in record.values()):
            raise InputError(path, f"has {len(header)} columns in the header but a different number here", line)
        records.append((line, record))
    return header, records


def read_canonical(path: Path, methodology: Methodology, units: UnitDirectory,
                   year: int | None = None) -> list[ScoreRow]:
    """The canonical long CSV: one row per unit and component, UTF-8, decimal points.

    With `year`, names resolve to the unit valid on its last day (a province name passed to a new code in 2025).
    """
    header, records = read_csv_records(path)
    missing = [c for c in CANONICAL_COLUMNS if c not in header]
    if missing:
        raise InputError(path, f"header lacks column(s) {', '.join(missing)}; expected "
                               f"{', '.join(CANONICAL_COLUMNS + OPTIONAL_COLUMNS)}", row=1)
    return to_score_rows(path, records, methodology, units, dt.date(year, 12, 31) if year else None)


def resolve_unit(path: Path, line: int, record: dict[str, str], units: UnitDirectory,
                 day: dt.date | None = None) -> tuple[str, str, str]:
    """(name, type, code) of the record's unit; with `day`, the unit version valid on that day."""
    unit_type = record["unit_type"].strip()
    unit_name = normalise(record["unit_name"])
    if not unit_name:
        raise InputError(path, "unit name is empty", line, "unit_name")
    unit_code = units.resolve(unit_type, unit_name) if day is None else units.resolve_on(unit_type, unit_name, day)
    if unit_code is None:
        if unit_type not in units.unit_types:
            raise InputError(path, f"unknown unit type {unit_type!r}; expected one of "
                                   f"{sorted(units.unit_types)}", line, "unit_type")
        versions = units.versions_named(unit_type, unit_name) if day is not None else []
        if versions:
            raise InputError(path, f"{unit_type} {unit_name!r} is valid {', '.join(v.validity for v in versions)}, "
                                   f"not on {day}", line, "unit_name")
        raise InputError(path, f"unknown {unit_type} {unit_name!r}: not in data/reference", line, "unit_name")
    return unit_name, unit_type, unit_code


def check_component(path: Path, line: int, record: dict[str, str], methodology: Methodology) -> str:
    code = record["component_code"].strip()
    if code not in methodology.components:
        raise InputError(path, f"component {code!r} is not in methodology {methodology.index_code} "
                               f"{methodology.version}", line, "component_code")
    return code


def to_score_rows(path: Path, records: list[tuple[int, dict[str, str]]], methodology: Methodology,
                  units: UnitDirectory, day: dt.date | None = None) -> list[ScoreRow]:
    """Check records in the canonical columns (from any layout) and turn them into score rows.

    With `day` (the last day of the release's year) names resolve to the unit version valid then.
    """
    rows: list[ScoreRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, record in records:
        unit_name, unit_type, unit_code = resolve_unit(path, line, record, units, day)
        code = check_component(path, line, record, methodology)
        if not record["score"].strip():
            raise InputError(path, "score is empty", line, "score")
        score = parse_decimal(record["score"], path, line, "score")
        rank = parse_int(record.get("rank") or "", path, line, "rank")
        rank_of = parse_int(record.get("rank_of") or "", path, line, "rank_of")
        key = (unit_code, code)
        if key in seen:
            raise InputError(path, f"{unit_name} / {code} is already given at row {seen[key]}", line, "component_code")
        seen[key] = line
        rows.append(ScoreRow(line, unit_name, unit_code, unit_type, code, score, rank, rank_of,
                             (record.get("source_ref") or "").strip() or None))
    if not rows:
        raise InputError(path, "has no data rows", row=2)
    return rows


UNIT_SCORE_COLUMNS = ("unit_name", "unit_type", "component_code", "score_kind", "score", "pct_of_max")
UNIT_SCORE_OPTIONAL = ("rank", "rank_of", "change_printed", "rank_change_printed", "source_ref")
SCORE_KINDS = ("self", "appraised", "survey", "final")


@dataclass(frozen=True)
class UnitScoreRow:
    source_row: int
    unit_name: str
    unit_code: str
    unit_type: str
    component_code: str
    score_kind: str
    score: Decimal | None
    pct_of_max: Decimal | None
    rank: int | None
    rank_of: int | None
    change_printed: Decimal | None
    rank_change_printed: int | None
    source_ref: str | None


def _optional_decimal(record: dict[str, str], column: str, path: Path, line: int) -> Decimal | None:
    text = (record.get(column) or "").strip()
    return parse_decimal(text, path, line, column) if text else None


def _signed_int(record: dict[str, str], column: str, path: Path, line: int) -> int | None:
    text = (record.get(column) or "").strip()
    if not text:
        return None
    if not text.lstrip("+-").isdigit():
        raise InputError(path, f"expected a whole number (+ or - allowed), got {text!r}", line, column)
    return int(text)


def read_unit_scores(path: Path, methodology: Methodology, units: UnitDirectory, year: int) -> list[UnitScoreRow]:
    """Layout `unit_scores`: a province's own index, one row per unit, component and score kind.

    A row carries points, a printed percentage of the maximum, or only a printed change (the report's text
    gives some field results that way). Units resolve to the version valid on the last day of `year`.
    """
    header, records = read_csv_records(path)
    missing = [c for c in UNIT_SCORE_COLUMNS if c not in header]
    if missing:
        raise InputError(path, f"header lacks column(s) {', '.join(missing)}; expected "
                               f"{', '.join(UNIT_SCORE_COLUMNS + UNIT_SCORE_OPTIONAL)}", row=1)
    day = dt.date(year, 12, 31)
    rows: list[UnitScoreRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, record in records:
        unit_name, unit_type, unit_code = resolve_unit(path, line, record, units, day)
        code = check_component(path, line, record, methodology)
        kind = record["score_kind"].strip()
        if kind not in SCORE_KINDS:
            raise InputError(path, f"score_kind must be one of {SCORE_KINDS}, got {kind!r}", line, "score_kind")
        score = _optional_decimal(record, "score", path, line)
        pct = _optional_decimal(record, "pct_of_max", path, line)
        change = _optional_decimal(record, "change_printed", path, line)
        if score is None and pct is None and change is None:
            raise InputError(path, "gives no score, no pct_of_max and no change_printed", line, "score")
        key = (unit_code, code, kind)
        if key in seen:
            raise InputError(path, f"{unit_name} / {code} / {kind} is already given at row {seen[key]}", line,
                             "component_code")
        seen[key] = line
        rows.append(UnitScoreRow(
            line, unit_name, unit_code, unit_type, code, kind, score, pct,
            parse_int(record.get("rank") or "", path, line, "rank"),
            parse_int(record.get("rank_of") or "", path, line, "rank_of"),
            change, _signed_int(record, "rank_change_printed", path, line),
            (record.get("source_ref") or "").strip() or None))
    if not rows:
        raise InputError(path, "has no data rows", row=2)
    return rows
