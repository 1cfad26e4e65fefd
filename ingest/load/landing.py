"""Land one release file in raw: read, checked and copied a chunk at a time, so memory stays bounded.

A canonical or unit_scores CSV file is first landed set-based (load/set_checks.py: COPY, one SQL check, one
INSERT); a file that path does not decide alone is read here, as before.
A CSV file is decoded block by block (readers.iter_csv_records); every chunk of CHUNK_ROWS records is checked
by the same readers as before (to_score_rows, to_unit_score_rows: errors name file, row and column) and sent
with COPY into the raw table, inside the release's transaction. A duplicate within a chunk is found by the
reader; one across chunks or files is refused by raw's primary key and named with both rows from what raw
already holds. Official wide layouts (one row per province) are read whole and copied the same way.
"""
from __future__ import annotations

import io
import itertools
import queue
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import psycopg2
from psycopg2.extras import execute_values

from ingest.core.errors import InputError, display_path
from ingest.core.log import log
from ingest.load import set_checks
from ingest.sources import layouts, messages, packages, printed_conflicts, readers
from ingest.sources.methodology import Methodology
from ingest.sources.reference import UnitDirectory

CHUNK_ROWS = 20_000             # records checked and copied at a time
LOGGED_NORMALISATIONS = 20      # per file; all of them are in audit.normalisations
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class Target:
    """A raw table and how a checked row becomes a line of COPY text."""

    table: str
    columns: tuple[str, ...]    # after release_id, file_sha256, source_file
    key: tuple[str, ...]        # the row's part of the primary key, after release_id
    line: Callable[[tuple], str]


@lru_cache(maxsize=1 << 16)   # names, codes and references repeat on every row of a unit
def _text(value) -> str:
    return "\\N" if value is None else str(value).translate(ESCAPES)


def _number(value) -> str:
    return "\\N" if value is None else str(value)


def _score_line(row: readers.ScoreRow) -> str:
    return (f"{row.source_row}\t{_text(row.unit_name)}\t{_text(row.unit_code)}\t{_text(row.unit_type)}\t"
            f"{_text(row.component_code)}\t{row.score}\t{_number(row.rank)}\t{_number(row.rank_of)}\t"
            f"{_text(row.source_ref)}")


def _unit_score_line(row: readers.UnitScoreRow) -> str:
    return (f"{row.source_row}\t{_text(row.unit_name)}\t{_text(row.unit_code)}\t{_text(row.unit_type)}\t"
            f"{_text(row.component_code)}\t{_text(row.score_kind)}\t{_number(row.score)}\t{_number(row.pct_of_max)}\t"
            f"{_number(row.rank)}\t{_number(row.rank_of)}\t{_number(row.change_printed)}\t"
            f"{_number(row.rank_change_printed)}\t{_text(row.source_ref)}")


def _conflict_line(row: printed_conflicts.ConflictRow) -> str:
    return (f"{row.source_row}\t{_text(row.unit_name)}\t{_text(row.unit_code)}\t{_text(row.unit_type)}\t"
            f"{_text(row.component_code)}\t{_text(row.score_kind)}\t{_text(row.measure)}\t{_text(row.status)}\t"
            f"{row.candidate_value}\t{'t' if row.is_published else 'f'}\t{_text(row.printings)}\t{row.support}\t"
            f"{_text(row.evidence)}\t{_text(row.decision_reason)}\t{_text(row.source_ref)}")


COMPONENT_SCORES = Target(
    "raw.component_scores",
    ("source_row", "unit_name", "unit_code", "unit_type", "component_code", "score", "rank", "rank_of", "source_ref",
     "is_synthetic"),
    ("unit_code", "component_code"), _score_line)
UNIT_SCORES = Target(
    "raw.unit_scores",
    ("source_row", "unit_name", "unit_code", "unit_type", "component_code", "score_kind", "score", "pct_of_max", "rank",
     "rank_of", "change_printed", "rank_change_printed", "source_ref"),
    ("unit_code", "component_code", "score_kind"), _unit_score_line)
PRINTED_CONFLICTS = Target(
    "raw.printed_conflicts",
    ("source_row", "unit_name", "unit_code", "unit_type", "component_code", "score_kind", "measure", "status",
     "candidate_value", "is_published", "printings", "support", "evidence", "decision_reason", "source_ref"),
    ("unit_code", "component_code", "score_kind", "measure", "candidate_value"), _conflict_line)
TARGETS = {"unit_scores": UNIT_SCORES, printed_conflicts.LAYOUT: PRINTED_CONFLICTS}


def _chunks(item: packages.ReleaseFile, path: Path, method: Methodology, units: UnitDirectory, layouts_dir: Path,
            year: int, chunk_rows: int, rules: readers.ReleaseRules | None = None
            ) -> tuple[Iterator[readers.ReadResult], list[readers.Normalisation]]:
    """The file's checked rows, a chunk at a time, and the notes about the whole file (its encoding)."""
    if item.layout == printed_conflicts.LAYOUT:   # small: read whole, so each fact's candidates are checked together
        records, notes = readers.read_csv_records(path, item.encoding, printed_conflicts.COLUMNS)
        return iter([printed_conflicts.to_conflict_rows(path, records, method, units, year)]), notes
    if item.layout == "unit_scores":
        records, notes = readers.iter_csv_records(path, item.encoding, readers.UNIT_SCORE_COLUMNS,
                                                  readers.UNIT_SCORE_OPTIONAL)
        convert = lambda chunk: readers.to_unit_score_rows(path, chunk, method, units, year)  # noqa: E731
    elif item.layout == layouts.CANONICAL:
        records, notes = readers.iter_csv_records(path, item.encoding, readers.CANONICAL_COLUMNS,
                                                  readers.OPTIONAL_COLUMNS)
        convert = lambda chunk: readers.to_score_rows(path, chunk, method, units, year=year, rules=rules)  # noqa: E731
    else:   # an official wide layout: one row per unit, read whole
        return iter([layouts.read_file(path, item.layout, layouts_dir, method, units, encoding=item.encoding,
                                      year=year, rules=rules)]), []

    def checked() -> Iterator[readers.ReadResult]:
        while chunk := list(itertools.islice(records, chunk_rows)):
            yield convert(chunk)

    return checked(), notes


def land(cur, release: packages.Release, item: packages.ReleaseFile, path: Path, method: Methodology,
         units: UnitDirectory, layouts_dir: Path, chunk_rows: int = CHUNK_ROWS,
         rules: readers.ReleaseRules | None = None) -> int:
    """COPY the file's rows into raw (in the caller's transaction); returns the number of rows."""
    target = TARGETS.get(item.layout, COMPONENT_SCORES)
    if item.layout in set_checks.LAYOUTS:
        cur.execute("savepoint landing_set")
        try:
            rows = set_checks.land(cur, release, item, path, method, units, rules, ", ".join(target.columns))
            cur.execute("release savepoint landing_set")
            return rows
        except (set_checks.NotDecided, psycopg2.DataError, psycopg2.IntegrityError) as reason:
            cur.execute("rollback to savepoint landing_set")   # nothing of the attempt stays: the readers decide
            log("ingest", f"{display_path(path)}: read in Python ({' '.join(str(reason).split())[:120]})")
    source_file = display_path(release.folder / item.name)
    prefix = f"{_text(release.release_id)}\t{_text(item.sha256)}\t{_text(source_file)}\t"
    suffix = ("\tt" if item.synthetic else "\tf") if target is COMPONENT_SCORES else ""
    copy = (f"copy {target.table} (release_id, file_sha256, source_file, {', '.join(target.columns)}) "
            "from stdin")
    chunks, notes = _chunks(item, path, method, units, layouts_dir, release.year, chunk_rows, rules)
    rows = noted = 0

    def record(normalisations: list[readers.Normalisation]) -> None:
        nonlocal noted
        if normalisations:
            execute_values(cur, """
                insert into audit.normalisations (release_id, source_file, source_row, column_name, original,
                    normalised, rule) values %s""",
                [(release.release_id, source_file, n.source_row, n.column, n.original, n.normalised, n.rule)
                 for n in normalisations], page_size=5000)
        for note in normalisations[:max(0, LOGGED_NORMALISATIONS - noted)]:
            log("ingest", f"{source_file} row {note.source_row} {note.column}: {note.original!r} → "
                          f"{note.normalised!r} ({note.rule})")
        noted += len(normalisations)

    def copy_text(result: readers.ReadResult) -> tuple[readers.ReadResult, bytes]:
        return result, "".join(prefix + target.line(row) + suffix + "\n" for row in result.rows).encode()

    record(notes)
    for result, data in _read_ahead(map(copy_text, chunks)):
        cur.execute("savepoint landing_chunk")
        try:
            cur.copy_expert(copy, io.BytesIO(data), size=len(data) + 1)   # one read: the GIL is taken once
        except psycopg2.errors.UniqueViolation:
            cur.execute("rollback to savepoint landing_chunk")
            raise _duplicate(cur, target, release, path, result.rows) from None
        except psycopg2.DataError as exc:   # a value PostgreSQL refuses (out of range): named like any row error
            cur.execute("rollback to savepoint landing_chunk")
            raise _refused_value(exc, target, path, result.rows) from None
        cur.execute("release savepoint landing_chunk")
        rows += len(result.rows)
        record(result.normalisations)
    if noted > LOGGED_NORMALISATIONS:
        log("ingest", f"{source_file}: {noted - LOGGED_NORMALISATIONS} more normalisation(s) in audit.normalisations")
    if rows == 0:
        raise InputError(path, messages.no_data_rows(), row=2)
    return rows


def _read_ahead(items: Iterator, depth: int = 2) -> Iterator:
    """The items, made in a worker thread while the caller handles the previous one: COPY releases the GIL while
    PostgreSQL takes a chunk, so checking the next chunk overlaps with loading this one. At most `depth` items
    wait; an error in the worker is raised here."""
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                waiting.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((end, None))
        except BaseException as exc:   # noqa: BLE001 - handed to the caller's thread
            put((None, exc))

    worker = threading.Thread(target=work, name="landing-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = waiting.get()
            if error is not None:
                raise error
            if item is end:
                return
            yield item
    finally:
        stop.set()
        worker.join()


COPY_CONTEXT = re.compile(r"COPY \w+, line (\d+)(?:, column (\w+))?")


def _refused_value(exc: psycopg2.DataError, target: Target, path: Path, rows: list) -> InputError:
    """PostgreSQL's refusal of a COPY line (a number out of range) as the file's row and column. The readers' checks
    keep numbers within range, so this is a net, not the rule."""
    found = COPY_CONTEXT.search((exc.diag.context or "") if exc.diag else "")
    reason = " ".join((exc.diag.message_primary or str(exc)).split())[:200] if exc.diag else str(exc)[:200]
    if found and 0 < int(found.group(1)) <= len(rows):
        row = rows[int(found.group(1)) - 1]
        column = found.group(2) if found.group(2) in target.columns else None
        return InputError(path, f"PostgreSQL refused the value: {reason}", row.source_row, column)
    return InputError(path, f"PostgreSQL refused a value of this file: {reason}")


def _duplicate(cur, target: Target, release: packages.Release, path: Path, rows: list) -> InputError:
    """The first row of the chunk whose key raw already holds for this release (an earlier chunk of the same
    file, or another file of the release), named with the row or file that gave it first."""
    keys = [[getattr(row, column) for row in rows] for column in target.key]
    unnest = ", ".join(f"unnest(%s::text[]) as {column}" for column in target.key)
    match = " and ".join(f"held.{column} = chunk.{column}" for column in target.key)
    cur.execute(f"select {', '.join('chunk.' + c for c in target.key)}, held.source_row, held.source_file "
                f"from (select {unnest}) as chunk join {target.table} as held on held.release_id = %s and {match}",
                (*keys, release.release_id))
    given = {tuple(found[:-2]): found[-2:] for found in cur.fetchall()}
    row = min((r for r in rows if tuple(getattr(r, c) for c in target.key) in given), key=lambda r: r.source_row)
    first_row, first_file = given[tuple(getattr(row, c) for c in target.key)]
    what = " / ".join([row.unit_name, *(str(getattr(row, c)) for c in target.key[1:])])
    where = (f"at row {first_row}" if first_file == display_path(path)
             else f"in {Path(first_file).name}")
    return InputError(path, messages.already_given(what, where), row.source_row, "component_code")
