"""Readers of release data files. Each yields checked rows or raises an InputError naming file, row, column."""
from __future__ import annotations

import csv
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


def read_canonical(path: Path, methodology: Methodology, units: UnitDirectory) -> list[ScoreRow]:
    """The canonical long CSV: one row per unit and component, UTF-8, decimal points."""
    header, records = read_csv_records(path)
    missing = [c for c in CANONICAL_COLUMNS if c not in header]
    if missing:
        raise InputError(path, f"header lacks column(s) {', '.join(missing)}; expected "
                               f"{', '.join(CANONICAL_COLUMNS + OPTIONAL_COLUMNS)}", row=1)
    return to_score_rows(path, records, methodology, units)


def to_score_rows(path: Path, records: list[tuple[int, dict[str, str]]], methodology: Methodology,
                  units: UnitDirectory) -> list[ScoreRow]:
    """Check records in the canonical columns (from any layout) and turn them into score rows."""
    rows: list[ScoreRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, record in records:
        unit_type = record["unit_type"].strip()
        unit_name = normalise(record["unit_name"])
        if not unit_name:
            raise InputError(path, "unit name is empty", line, "unit_name")
        unit_code = units.resolve(unit_type, unit_name)
        if unit_code is None:
            if unit_type not in units.unit_types:
                raise InputError(path, f"unknown unit type {unit_type!r}; expected one of "
                                       f"{sorted(units.unit_types)}", line, "unit_type")
            raise InputError(path, f"unknown {unit_type} {unit_name!r}: not in data/reference", line, "unit_name")
        code = record["component_code"].strip()
        if code not in methodology.components:
            raise InputError(path, f"component {code!r} is not in methodology {methodology.index_code} "
                                   f"{methodology.version}", line, "component_code")
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
