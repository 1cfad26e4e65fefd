"""Readers of release data files. Each yields checked rows or raises an InputError naming file, row, column."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from ingest.core.errors import InputError
from ingest.sources import messages, notation
from ingest.sources.methodology import Methodology
from ingest.sources.reference import UnitDirectory, normalise
# The text layer, read through here by callers that know readers only.
from ingest.sources.text_files import (ENCODINGS, Normalisation, check_header, check_unique_columns,  # noqa: F401
                                       decode, iter_csv_records, iter_lines, read_csv_records)

CANONICAL_COLUMNS = ("unit_name", "unit_type", "component_code", "score")
OPTIONAL_COLUMNS = ("rank", "rank_of", "source_ref", "index_code", "year")
# The canonical columns the project's own package writers put in a file (report packages, fills, generator).
WRITTEN_CANONICAL_COLUMNS = CANONICAL_COLUMNS + ("rank", "rank_of", "source_ref")


class ScoreRow(NamedTuple):      # a tuple: millions are made per national load, a dataclass costs 3x more
    source_row: int
    unit_name: str
    unit_code: str
    unit_type: str
    component_code: str
    score: Decimal
    rank: int | None
    rank_of: int | None
    source_ref: str | None


@dataclass(frozen=True)
class ReleaseRules:
    """What the rows of one release must be besides well formed (README: "Release semantics"): the unit types it
    may hold (a national release: provinces only) and the number of units it ranks, which every printed rank_of
    must equal."""

    index_code: str
    unit_types: tuple[str, ...] | None = None
    rank_of: int | None = None
    ranked: str = ""                 # how rank_of was counted, for the message


@dataclass
class ReadResult:
    rows: list          # ScoreRow or UnitScoreRow
    normalisations: list[Normalisation] = field(default_factory=list)


_DECIMALS: dict[str, Decimal] = {}      # the numbers read so far: scores repeat across millions of rows


def parse_decimal(text: str, path: Path, row: int, column: str) -> Decimal:
    """A number in the one notation (sources/notation.py), or an InputError saying what else it is."""
    value = _DECIMALS.get(text)
    if value is not None:
        return value
    value = notation.decimal(text)
    if value is None:
        raise InputError(path, messages.not_a_number(text), row, column)
    if len(_DECIMALS) < 1 << 16:
        _DECIMALS[text] = value
    return value


def parse_int(text: str, path: Path, row: int, column: str, signed: bool = False) -> int | None:
    """A whole number of ASCII digits (None when empty), or an InputError."""
    if not text.strip(notation.SPACES):
        return None
    value = notation.whole(text, signed)
    if value is None:
        raise InputError(path, messages.not_a_whole_number(text, signed), row, column)
    return value


def read_canonical(path: Path, methodology: Methodology, units: UnitDirectory, *, encoding: str | None = None,
                   year: int | None = None, rules: ReleaseRules | None = None) -> ReadResult:
    """The canonical long CSV: one row per unit and component, decimal points."""
    records, notes = read_csv_records(path, encoding, CANONICAL_COLUMNS, OPTIONAL_COLUMNS)
    result = to_score_rows(path, records, methodology, units, year=year, rules=rules)
    result.normalisations[:0] = notes
    return result


def resolve_unit(path: Path, line: int, record: dict[str, str], units: UnitDirectory, day: dt.date | None,
                 notes: list[Normalisation]) -> tuple[str, str, str]:
    """(name, type, code) of the record's unit — with `day`, the unit version valid on that day.
    A normalised name is added to `notes`."""
    key = (record["unit_type"], record["unit_name"], day)
    known = units.resolved.get(key)
    if known is None:
        known = units.resolved[key] = _resolve_unit(path, line, record, units, day)
    unit_name, unit_type, unit_code, rule = known
    if rule:
        notes.append(Normalisation(line, "unit_name", record["unit_name"], units.name_of(unit_type, unit_code, day),
                                   rule))
    return unit_name, unit_type, unit_code


def _resolve_unit(path: Path, line: int, record: dict[str, str], units: UnitDirectory,
                  day: dt.date | None) -> tuple[str, str, str, str | None]:
    unit_type = record["unit_type"].strip()
    unit_name = normalise(record["unit_name"])
    if not unit_name:
        raise InputError(path, messages.unit_name_empty(), line, "unit_name")
    unit_code, rule = units.match(unit_type, record["unit_name"], day)
    if unit_code is None:
        if unit_type not in units.unit_types:
            raise InputError(path, messages.unknown_unit_type(unit_type, units.unit_types), line, "unit_type")
        versions = units.versions_named(unit_type, unit_name) if day is not None else []
        if versions:
            raise InputError(path, messages.unit_not_valid_on(unit_type, unit_name, [v.validity for v in versions], day),
                             line, "unit_name")
        raise InputError(path, messages.unknown_unit(unit_type, unit_name), line, "unit_name")
    return unit_name, unit_type, unit_code, rule


def check_component(path: Path, line: int, record: dict[str, str], methodology: Methodology) -> str:
    code = record["component_code"].strip()
    if code not in methodology.components:
        raise InputError(path, messages.unknown_component(code, methodology.index_code, methodology.version), line,
                         "component_code")
    return code


def _check_release_columns(path: Path, line: int, record: dict[str, str], methodology: Methodology,
                           year: int | None) -> None:
    """Optional index_code / year columns must agree with the manifest."""
    if record.get("index_code") and record["index_code"].strip() != methodology.index_code:
        raise InputError(path, messages.index_differs(record["index_code"], methodology.index_code), line, "index_code")
    if year is not None and record.get("year") and record["year"].strip() != str(year):
        raise InputError(path, messages.year_differs(record["year"], year), line, "year")


def year_end(year: int | None) -> dt.date | None:
    """Names resolve to the unit version valid on the last day of the release's year."""
    return dt.date(year, 12, 31) if year else None


def _check_rules(path: Path, line: int, unit_name: str, unit_type: str, rank: int | None, rank_of: int | None,
                 rules: ReleaseRules) -> None:
    """The release's own rules for one row: its unit types, and rank_of = the number of units it ranks."""
    if rules.unit_types is not None and unit_type not in rules.unit_types:
        raise InputError(path, messages.unit_type_not_in_release(unit_type, unit_name, rules.index_code,
                                                                 rules.unit_types), line, "unit_type")
    if rank is not None and rank_of is None:
        raise InputError(path, messages.rank_without_rank_of(), line, "rank_of")
    if rank_of is not None and rules.rank_of is not None and rank_of != rules.rank_of:
        raise InputError(path, messages.rank_of_differs(rank_of, rules.rank_of, rules.ranked), line, "rank_of")


def to_score_rows(path: Path, records: list[tuple[int, dict[str, str]]], methodology: Methodology,
                  units: UnitDirectory, *, year: int | None = None, rules: ReleaseRules | None = None) -> ReadResult:
    """Check records in the canonical columns (from any layout) and turn them into score rows."""
    result = ReadResult([])
    seen: dict[tuple[str, str], int] = {}
    day = year_end(year)
    for line, record in records:
        _check_release_columns(path, line, record, methodology, year)
        unit_name, unit_type, unit_code = resolve_unit(path, line, record, units, day, result.normalisations)
        code = check_component(path, line, record, methodology)
        if not record["score"].strip():
            raise InputError(path, messages.empty("score"), line, "score")
        score = parse_decimal(record["score"], path, line, "score")
        rank = parse_int(record.get("rank") or "", path, line, "rank")
        rank_of = parse_int(record.get("rank_of") or "", path, line, "rank_of")
        if rules is not None:
            _check_rules(path, line, unit_name, unit_type, rank, rank_of, rules)
        key = (unit_code, code)
        if key in seen:
            raise InputError(path, messages.already_given(f"{unit_name} / {code}", f"at row {seen[key]}"), line,
                             "component_code")
        seen[key] = line
        result.rows.append(ScoreRow(line, unit_name, unit_code, unit_type, code, score, rank, rank_of,
                                    (record.get("source_ref") or "").strip() or None))
    if not result.rows:
        raise InputError(path, messages.no_data_rows(), row=2)
    return result


UNIT_SCORE_COLUMNS = ("unit_name", "unit_type", "component_code", "score_kind", "score", "pct_of_max")
UNIT_SCORE_OPTIONAL = ("rank", "rank_of", "change_printed", "rank_change_printed", "source_ref")
SCORE_KINDS = ("self", "appraised", "survey", "final")


class UnitScoreRow(NamedTuple):
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
    return parse_int(record.get(column) or "", path, line, column, signed=True)


def read_unit_scores(path: Path, methodology: Methodology, units: UnitDirectory, year: int, *,
                     encoding: str | None = None) -> ReadResult:
    """Layout `unit_scores`: a province's own index, one row per unit, component and score kind.

    A row carries points, a printed percentage of the maximum, or only a printed change (the report's text
    gives some field results that way). Units resolve to the version valid on the last day of `year`.
    """
    records, notes = read_csv_records(path, encoding, UNIT_SCORE_COLUMNS, UNIT_SCORE_OPTIONAL)
    result = to_unit_score_rows(path, records, methodology, units, year)
    result.normalisations[:0] = notes
    return result


def to_unit_score_rows(path: Path, records: list[tuple[int, dict[str, str]]], methodology: Methodology,
                       units: UnitDirectory, year: int) -> ReadResult:
    """Check records of the layout `unit_scores` and turn them into unit score rows."""
    result = ReadResult([])
    rows = result.rows
    seen: dict[tuple[str, str, str], int] = {}
    day = year_end(year)
    for line, record in records:
        unit_name, unit_type, unit_code = resolve_unit(path, line, record, units, day, result.normalisations)
        code = check_component(path, line, record, methodology)
        kind = record["score_kind"].strip()
        if kind not in SCORE_KINDS:
            raise InputError(path, messages.score_kind_unknown(kind, SCORE_KINDS), line, "score_kind")
        score = _optional_decimal(record, "score", path, line)
        pct = _optional_decimal(record, "pct_of_max", path, line)
        change = _optional_decimal(record, "change_printed", path, line)
        if score is None and pct is None and change is None:
            raise InputError(path, messages.no_score_given(), line, "score")
        key = (unit_code, code, kind)
        if key in seen:
            raise InputError(path, messages.already_given(f"{unit_name} / {code} / {kind}", f"at row {seen[key]}"),
                             line, "component_code")
        seen[key] = line
        rows.append(UnitScoreRow(
            line, unit_name, unit_code, unit_type, code, kind, score, pct,
            parse_int(record.get("rank") or "", path, line, "rank"),
            parse_int(record.get("rank_of") or "", path, line, "rank_of"),
            change, _signed_int(record, "rank_change_printed", path, line),
            (record.get("source_ref") or "").strip() or None))
    if not rows:
        raise InputError(path, messages.no_data_rows(), row=2)
    return result
