"""Set-based landing of the big CSV layouts: COPY the file as text, check it in SQL in one pass, insert the rows.

A clean file (the rule: millions of rows of a national release or a commune delivery) never pays Python per row:
PostgreSQL parses the CSV (COPY into a temporary text table), the distinct unit names and component codes (a few
thousand at most) are resolved by the readers' own functions, and one query checks every row with the patterns
of sources/notation.py and the rules of sources/readers.py. The rows then go to raw with one INSERT … SELECT.

Anything this path does not decide alone sends the file back to the Python readers (landing.land), which say
what is wrong with the same words as before — file, row and column — and write the same normalisation notes:

- a byte that could make PostgreSQL's lines differ from the readers' (a quote, a carriage return, the other line
  breaks of str.splitlines, NUL, a byte-order mark) or a declared encoding other than UTF-8;
- a header the readers would refuse, a COPY error (a misaligned row, an invalid byte), a record count that is not
  the file's line count (a blank line, an end-of-data marker);
- a unit name that is unknown or needs a normalisation, a component not in the methodology;
- a row the SQL check flags (a number outside the notation, a value with spaces around it, a rank rule, an index
  or year that differs), a duplicate (raw's primary key), a value PostgreSQL refuses.

The fallback runs inside the same transaction after a rollback to a savepoint: nothing of the fast attempt
stays. The SQL check is stricter than the readers where that is simpler (a number with spaces around it goes
to Python, which reads it): it never accepts a row the readers refuse.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import psycopg2
from psycopg2.extras import execute_values

from ingest.core.errors import InputError, display_path
from ingest.sources import layouts, notation, packages, readers
from ingest.sources.methodology import Methodology
from ingest.sources.reference import UnitDirectory

BLOCK_BYTES = 1 << 20
# Bytes after which PostgreSQL's CSV lines may not be the readers' lines (csv module over str.splitlines).
UNUSUAL_BYTES = (b'"', b"\r", b"\x00", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\xc2\x85", b"\xe2\x80\xa8",
                 b"\xe2\x80\xa9")
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# What str.strip() removes (source_ref is stripped so): a value that starts or ends with one goes to Python.
_PY_SPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
_EDGE_SPACE = "^[{0}]|[{0}]$".format("".join(f"\\u{ord(c):04x}" if ord(c) > 0x7f or ord(c) < 0x21 else c
                                             for c in _PY_SPACE))
DECIMAL = f"^{notation.DECIMAL_PATTERN}$"
WHOLE = f"^{notation.WHOLE_PATTERN}$"
SIGNED_WHOLE = f"^{notation.SIGNED_WHOLE_PATTERN}$"


LAYOUTS = ("unit_scores", layouts.CANONICAL)


class NotDecided(Exception):
    """The set-based path leaves this file to the Python readers (the reason is for the debug log only)."""


class _Scanned:
    """The file as COPY reads it, block by block: unusual bytes and line ends counted on the way."""

    def __init__(self, path: Path):
        self.handle = path.open("rb")
        self.newlines = 0
        self.unusual = False
        self.last = b""
        self.tail = b""

    def read(self, size: int = BLOCK_BYTES) -> bytes:
        block = self.handle.read(max(size, BLOCK_BYTES))
        if block:
            seam = self.tail + block
            self.unusual = self.unusual or any(b in seam for b in UNUSUAL_BYTES)
            self.newlines += block.count(b"\n")
            self.tail, self.last = block[-2:], block[-1:]
        return block

    def lines(self) -> int:
        return self.newlines + (1 if self.last not in (b"\n", b"") else 0)

    def close(self) -> None:
        self.handle.close()


def _header(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    with path.open("rb") as handle:
        start = handle.read(BLOCK_BYTES)
    if start.startswith(BOMS) or b"\n" not in start:
        raise NotDecided("byte-order mark or no complete header line")
    line = start.split(b"\n", 1)[0]
    if any(b in line for b in UNUSUAL_BYTES):
        raise NotDecided("unusual bytes in the header")
    try:
        header = [h.strip() for h in next(csv.reader([line.decode("utf-8")], strict=True))]
        readers.check_header(path, header, required, optional)
    except (UnicodeDecodeError, csv.Error, InputError, StopIteration) as exc:
        raise NotDecided(f"header: {exc}") from None
    return header


def _stage(cur, path: Path, header: list[str]) -> int:
    """COPY the file into the temporary table _landing (line = record number, header = 0); the record count."""
    columns = [f"c{i}" for i in range(len(header))]
    cur.execute("drop table if exists pg_temp._landing")
    cur.execute(f"create temporary table _landing (line bigint generated always as identity, "
                f"{', '.join(c + ' text' for c in columns)})")
    scanned = _Scanned(path)
    try:
        cur.copy_expert(f"copy _landing ({', '.join(columns)}) from stdin with (format csv, header true, "
                        "encoding 'UTF8')", scanned, size=BLOCK_BYTES)
    finally:
        scanned.close()
    if scanned.unusual:
        raise NotDecided("unusual bytes")
    records = cur.rowcount
    if records <= 0 or records != scanned.lines() - 1:
        raise NotDecided(f"{records} records in {scanned.lines()} lines")
    return records


def _column(header: list[str], name: str) -> str:
    """The staged column of `name` (NULL = empty, as COPY reads an empty unquoted field), or NULL if absent."""
    return f"s.c{header.index(name)}" if name in header else "null::text"


def _resolve_names(cur, path: Path, header: list[str], method: Methodology, units: UnitDirectory,
                   year: int) -> None:
    """The distinct (unit_type, unit_name) and component codes, resolved by the readers' own functions into the
    temporary tables _units and _components: any error or normalisation leaves the file to Python."""
    day = readers.year_end(year)
    cur.execute(f"select distinct coalesce({_column(header, 'unit_type')}, ''), "
                f"coalesce({_column(header, 'unit_name')}, '') from _landing as s")
    units_found = []
    for unit_type, unit_name in cur.fetchall():
        notes: list = []
        try:
            name, kind, code = readers.resolve_unit(path, 0, {"unit_type": unit_type, "unit_name": unit_name}, units,
                                                    day, notes)
        except InputError as exc:
            raise NotDecided(f"unit: {exc}") from None
        if notes:
            raise NotDecided("a unit name is normalised")
        units_found.append((unit_type, unit_name, name, kind, code))
    cur.execute(f"select distinct coalesce({_column(header, 'component_code')}, '') from _landing as s")
    components = [(given, given.strip()) for (given,) in cur.fetchall()]
    if any(code not in method.components for _, code in components):
        raise NotDecided("a component is not in the methodology")
    cur.execute("drop table if exists pg_temp._units, pg_temp._components")
    cur.execute("create temporary table _units (given_type text, given_name text, unit_name text, unit_type text, "
                "unit_code text, primary key (given_type, given_name))")
    cur.execute("create temporary table _components (given text primary key, code text)")
    execute_values(cur, "insert into _units values %s", units_found, page_size=5000)
    execute_values(cur, "insert into _components values %s", components, page_size=5000)
    cur.execute("analyze _units; analyze _components")


JOINS = ("from _landing as s join _units as u on u.given_type = coalesce({type}, '') "
         "and u.given_name = coalesce({name}, '') join _components as c on c.given = coalesce({code}, '')")


def _optional(column: str, pattern: str) -> str:
    return f"({column} is null or {column} ~ '{pattern}')"


def _score_rules(header: list[str], release: packages.Release, rules: readers.ReleaseRules | None) -> list[str]:
    col = lambda name: _column(header, name)   # noqa: E731
    rank, rank_of = col("rank"), col("rank_of")
    checks = [f"({col('index_code')} is null or {col('index_code')} = %(index)s)",
              f"({col('year')} is null or {col('year')} = %(year)s)",
              f"coalesce({col('score')}, '') ~ '{DECIMAL}'", _optional(rank, WHOLE), _optional(rank_of, WHOLE),
              f"({col('source_ref')} is null or {col('source_ref')} !~ %(edge)s)"]
    if rules is not None:
        if rules.unit_types is not None:
            checks.append("u.unit_type = any(%(unit_types)s)")
        checks.append(f"not ({rank} is not null and {rank_of} is null)")
        if rules.rank_of is not None:
            checks.append(f"(case when {rank_of} ~ '{WHOLE}' then {rank_of}::integer = %(rank_of)s else true end)")
    return checks


def _unit_score_rules(header: list[str]) -> list[str]:
    col = lambda name: _column(header, name)   # noqa: E731
    numbers = [col(n) for n in ("score", "pct_of_max", "change_printed")]
    return [f"{col('score_kind')} = any(%(kinds)s)", *(_optional(n, DECIMAL) for n in numbers),
            f"coalesce({', '.join(numbers)}) is not null", _optional(col("rank"), WHOLE),
            _optional(col("rank_of"), WHOLE), _optional(col("rank_change_printed"), SIGNED_WHOLE),
            f"({col('source_ref')} is null or {col('source_ref')} !~ %(edge)s)"]


def land(cur, release: packages.Release, item: packages.ReleaseFile, path: Path, method: Methodology,
         units: UnitDirectory, rules: readers.ReleaseRules | None, copy_columns: str) -> int:
    """Land a clean canonical or unit_scores CSV file set-based (in the caller's transaction); the row count.
    Raises NotDecided (the caller rolls back to its savepoint and reads the file in Python) for anything else."""
    if item.encoding not in (None, "utf-8") or item.layout not in LAYOUTS:
        raise NotDecided("layout or encoding")
    unit_scores = item.layout == "unit_scores"
    required, optional = ((readers.UNIT_SCORE_COLUMNS, readers.UNIT_SCORE_OPTIONAL) if unit_scores
                          else (readers.CANONICAL_COLUMNS, readers.OPTIONAL_COLUMNS))
    header = _header(path, required, optional)
    try:
        records = _stage(cur, path, header)
    except psycopg2.DataError as exc:    # a misaligned row, an invalid byte: the readers say which
        raise NotDecided(f"COPY: {exc}") from None
    _resolve_names(cur, path, header, method, units, release.year)
    col = lambda name: _column(header, name)   # noqa: E731
    joins = JOINS.format(type=col("unit_type"), name=col("unit_name"), code=col("component_code"))
    checks = _unit_score_rules(header) if unit_scores else _score_rules(header, release, rules)
    values = {"index": method.index_code, "year": str(release.year), "edge": _EDGE_SPACE,
              "kinds": list(readers.SCORE_KINDS), "unit_types": list((rules and rules.unit_types) or ()),
              "rank_of": rules.rank_of if rules else None}
    cur.execute(f"select count(*) {joins} where ({' and '.join(checks)}) is not true", values)
    flagged = cur.fetchone()[0]
    if flagged:
        raise NotDecided(f"{flagged} row(s) flagged")
    source_ref = f"nullif({col('source_ref')}, '')"
    if unit_scores:
        selected = (f"u.unit_name, u.unit_code, u.unit_type, c.code, {col('score_kind')}, {col('score')}::numeric, "
                    f"{col('pct_of_max')}::numeric, {col('rank')}::integer, {col('rank_of')}::integer, "
                    f"{col('change_printed')}::numeric, {col('rank_change_printed')}::integer, {source_ref}")
        table = "raw.unit_scores"
    else:
        selected = (f"u.unit_name, u.unit_code, u.unit_type, c.code, {col('score')}::numeric, "
                    f"{col('rank')}::integer, {col('rank_of')}::integer, {source_ref}, %(synthetic)s")
        table = "raw.component_scores"
    cur.execute(f"insert into {table} (release_id, file_sha256, source_file, {copy_columns}) "
                f"select %(release)s, %(sha)s, %(file)s, s.line + 1, {selected} {joins} order by s.line",
                {**values, "release": release.release_id, "sha": item.sha256, "synthetic": item.synthetic,
                 "file": _source_file(release, item)})
    if cur.rowcount != records:
        raise NotDecided(f"{cur.rowcount} rows inserted of {records}")
    cur.execute("drop table pg_temp._landing, pg_temp._units, pg_temp._components")
    return records


def _source_file(release: packages.Release, item: packages.ReleaseFile) -> str:
    return display_path(release.folder / item.name)
