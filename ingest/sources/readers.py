"""Readers of release data files. Each yields checked rows or raises an InputError naming file, row, column."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterator, NamedTuple

from ingest.core.errors import InputError
from ingest.sources.methodology import Methodology
from ingest.sources.reference import UnitDirectory, normalise

CANONICAL_COLUMNS = ("unit_name", "unit_type", "component_code", "score")
OPTIONAL_COLUMNS = ("rank", "rank_of", "source_ref", "index_code", "year")
# The canonical columns the project's own package writers put in a file (report packages, fills, generator).
WRITTEN_CANONICAL_COLUMNS = CANONICAL_COLUMNS + ("rank", "rank_of", "source_ref")
ENCODINGS = ("utf-8", "utf-16", "cp1258")
BLOCK_BYTES = 1 << 20                 # files are decoded a block at a time
LINE_ENDS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")   # where str.splitlines breaks


@dataclass(frozen=True)
class Normalisation:
    """A published value changed on the way in; recorded in audit.normalisations."""

    source_row: int
    column: str
    original: str
    normalised: str
    rule: str


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


@dataclass
class ReadResult:
    rows: list          # ScoreRow or UnitScoreRow
    normalisations: list[Normalisation] = field(default_factory=list)


_DECIMALS: dict[str, Decimal] = {}      # the numbers read so far: scores repeat across millions of rows


def parse_decimal(text: str, path: Path, row: int, column: str) -> Decimal:
    value = _DECIMALS.get(text)
    if value is not None:
        return value
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        hint = " (decimal commas and thousands separators are not read in the canonical layout)" if "," in text else ""
        raise InputError(path, f"expected a number with a decimal point (e.g. 85.97), got {text!r}{hint}", row, column)
    if len(_DECIMALS) < 1 << 16:
        _DECIMALS[text] = value
    return value


def parse_int(text: str, path: Path, row: int, column: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InputError(path, f"expected a whole number, got {text!r}", row, column)
    return int(text)


def _undecodable(path: Path, encoding: str | None, byte: int, line: int) -> InputError:
    return InputError(path, f"is not {encoding or 'UTF-8'} (byte {byte}); declare the file's encoding in "
                            f"release.yaml (files: - encoding: one of {', '.join(ENCODINGS)})", row=line)


def _encoding_of(path: Path, encoding: str | None) -> tuple[str | None, Normalisation | None]:
    """The declared encoding, else UTF-16 where the file starts with its byte-order mark, else UTF-8 (None)."""
    if encoding is None:
        with path.open("rb") as handle:
            if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                encoding = "utf-16"
    note = Normalisation(1, "(file)", encoding, "utf-8", "encoding") if encoding not in (None, "utf-8") else None
    return encoding, note


def decode(path: Path, encoding: str | None = None) -> tuple[str, Normalisation | None]:
    """The file's text. UTF-8 unless release.yaml declares another encoding; a UTF-16 BOM is honoured."""
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "is empty; expected a header row and data rows", row=1)
    encoding, note = _encoding_of(path, encoding)
    try:
        text = data.decode(encoding or "utf-8-sig")
    except (UnicodeDecodeError, LookupError) as exc:
        start = getattr(exc, "start", 0)
        raise _undecodable(path, encoding, start, data[:start].count(b"\n") + 1) from exc
    return text, note


def iter_lines(path: Path, encoding: str | None = None,
               block_bytes: int = BLOCK_BYTES) -> tuple[Iterator[str], Normalisation | None]:
    """The file's lines as decode(...).splitlines() gives them, read and decoded block by block, so a file of any
    size takes the memory of one block. Errors name the line, as decode's do."""
    encoding, note = _encoding_of(path, encoding)
    return _decoded_lines(path, encoding, block_bytes), note


def _decoded_lines(path: Path, encoding: str | None, block_bytes: int) -> Iterator[str]:
    try:
        decoder = codecs.getincrementaldecoder(encoding or "utf-8-sig")()
    except LookupError as exc:
        raise _undecodable(path, encoding, 0, 1) from exc
    offset = newlines = 0
    carry = ""
    waiting: list[str] | None = []      # lines held back until the file is known not to be blank
    with path.open("rb") as handle:
        while True:
            block = handle.read(block_bytes)
            held = getattr(decoder, "buffer", b"")   # the undecoded tail of the previous block
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                data = held + block
                line = newlines - held.count(b"\n") + data[:exc.start].count(b"\n") + 1
                raise _undecodable(path, encoding, offset - len(held) + exc.start, line) from exc
            offset += len(block)
            newlines += block.count(b"\n")
            pieces = (carry + text).splitlines(keepends=True)
            carry = ""
            if block and pieces and (pieces[-1][-1] not in LINE_ENDS or pieces[-1][-1] == "\r"):
                carry = pieces.pop()    # an unfinished line (or a \r that a \n may follow)
            lines = "".join(pieces).splitlines()
            if waiting is not None:     # nothing but blanks so far
                waiting.extend(lines)
                if block.strip():
                    lines, waiting = waiting, None
                elif block:
                    continue
                else:
                    raise InputError(path, "is empty; expected a header row and data rows", row=1)
            yield from lines
            if not block:
                return


def check_header(path: Path, header: list[str], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    expected = ", ".join(required + optional)
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(path, f"header lacks column(s) {', '.join(missing)}; expected {expected}", row=1)
    unknown = [c for c in header if c not in required + optional]
    if unknown:
        raise InputError(path, f"unexpected column(s) {', '.join(unknown)}; expected {expected}", row=1,
                         column=unknown[0])


def iter_csv_records(path: Path, encoding: str | None = None, required: tuple[str, ...] = (),
                     optional: tuple[str, ...] = ()) -> tuple[Iterator[tuple[int, dict[str, str]]], list[Normalisation]]:
    """A CSV file's records with their line numbers (header = row 1), one at a time, after checking the header."""
    lines, note = iter_lines(path, encoding)
    reader = csv.reader(lines, strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise InputError(path, f"is not a well-formed CSV file: {exc}", reader.line_num) from exc
    check_header(path, header, required, optional)

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for cells in reader:
                if not cells:
                    continue   # a blank line
                if len(cells) != len(header):
                    raise InputError(path, f"has {len(header)} columns in the header but {len(cells)} here "
                                           "(a truncated or misaligned row)", reader.line_num)
                yield reader.line_num, dict(zip(header, cells))
        except csv.Error as exc:
            raise InputError(path, f"is not a well-formed CSV file: {exc}", reader.line_num) from exc

    return records(), [note] if note else []


def read_csv_records(path: Path, encoding: str | None = None, required: tuple[str, ...] = (),
                     optional: tuple[str, ...] = ()) -> tuple[list[tuple[int, dict[str, str]]], list[Normalisation]]:
    """A CSV file's records with their line numbers (header = row 1), after checking the header."""
    records, notes = iter_csv_records(path, encoding, required, optional)
    return list(records), notes


def read_canonical(path: Path, methodology: Methodology, units: UnitDirectory, *, encoding: str | None = None,
                   year: int | None = None) -> ReadResult:
    """The canonical long CSV: one row per unit and component, decimal points."""
    records, notes = read_csv_records(path, encoding, CANONICAL_COLUMNS, OPTIONAL_COLUMNS)
    result = to_score_rows(path, records, methodology, units, year=year)
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
        raise InputError(path, "unit name is empty", line, "unit_name")
    unit_code, rule = units.match(unit_type, record["unit_name"], day)
    if unit_code is None:
        if unit_type not in units.unit_types:
            raise InputError(path, f"unknown unit type {unit_type!r}; expected one of "
                                   f"{sorted(units.unit_types)}", line, "unit_type")
        versions = units.versions_named(unit_type, unit_name) if day is not None else []
        if versions:
            raise InputError(path, f"{unit_type} {unit_name!r} is valid {', '.join(v.validity for v in versions)}, "
                                   f"not on {day}", line, "unit_name")
        raise InputError(path, f"unknown {unit_type} {unit_name!r}: not in data/reference (add an alias to "
                               "data/reference/unit_aliases.csv if it is another name of a known unit)",
                         line, "unit_name")
    return unit_name, unit_type, unit_code, rule


def check_component(path: Path, line: int, record: dict[str, str], methodology: Methodology) -> str:
    code = record["component_code"].strip()
    if code not in methodology.components:
        raise InputError(path, f"component {code!r} is not in methodology {methodology.index_code} "
                               f"{methodology.version}", line, "component_code")
    return code


def _check_release_columns(path: Path, line: int, record: dict[str, str], methodology: Methodology,
                           year: int | None) -> None:
    """Optional index_code / year columns must agree with the manifest."""
    if record.get("index_code") and record["index_code"].strip() != methodology.index_code:
        raise InputError(path, f"index {record['index_code']!r} differs from the manifest's "
                               f"{methodology.index_code}", line, "index_code")
    if year is not None and record.get("year") and record["year"].strip() != str(year):
        raise InputError(path, f"year {record['year']!r} differs from the manifest's {year}", line, "year")


def year_end(year: int | None) -> dt.date | None:
    """Names resolve to the unit version valid on the last day of the release's year."""
    return dt.date(year, 12, 31) if year else None


def to_score_rows(path: Path, records: list[tuple[int, dict[str, str]]], methodology: Methodology,
                  units: UnitDirectory, *, year: int | None = None) -> ReadResult:
    """Check records in the canonical columns (from any layout) and turn them into score rows."""
    result = ReadResult([])
    seen: dict[tuple[str, str], int] = {}
    day = year_end(year)
    for line, record in records:
        _check_release_columns(path, line, record, methodology, year)
        unit_name, unit_type, unit_code = resolve_unit(path, line, record, units, day, result.normalisations)
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
        result.rows.append(ScoreRow(line, unit_name, unit_code, unit_type, code, score, rank, rank_of,
                                    (record.get("source_ref") or "").strip() or None))
    if not result.rows:
        raise InputError(path, "has no data rows", row=2)
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
    text = (record.get(column) or "").strip()
    if not text:
        return None
    if not text.lstrip("+-").isdigit():
        raise InputError(path, f"expected a whole number (+ or - allowed), got {text!r}", line, column)
    return int(text)


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
    return result
