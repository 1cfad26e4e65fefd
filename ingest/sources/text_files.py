"""Text files of release data: decoded block by block in their declared encoding, their CSV header checked.

The readers (sources/readers.py) and the wide layouts (sources/layouts.py) read files through here; errors name the
file and the line (or the column of the header).
"""
from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ingest.core.errors import InputError, shown
from ingest.sources import messages

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


def check_unique_columns(path: Path, header: list[str], row: int = 1, exempt: set[int] = frozenset()) -> None:
    """Each column name once: with two columns of one name, which holds the values cannot be known (a reader that
    takes the last one would load the wrong numbers without a word). `exempt` columns (1-based) may repeat a name:
    the cells of one merged heading."""
    positions: dict[str, list[int]] = {}
    for number, name in enumerate(header, start=1):
        if name:
            positions.setdefault(name, []).append(number)
    for name, found in positions.items():
        if len(found) > 1 and not set(found) <= exempt:
            raise InputError(path, messages.duplicate_column(name, found), row=row, column=name)


def check_header(path: Path, header: list[str], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    check_unique_columns(path, header)
    expected = ", ".join(required + optional)
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(path, f"header lacks column(s) {', '.join(missing)}; expected {expected}", row=1)
    unknown = [c for c in header if c not in required + optional]
    if unknown:
        raise InputError(path, f"unexpected column(s) {', '.join(shown(c)[1:-1] for c in unknown[:5])}; expected "
                               f"{expected}", row=1, column=unknown[0])


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
                    raise InputError(path, messages.misaligned_row(len(header), len(cells)), reader.line_num)
                yield reader.line_num, dict(zip(header, cells))
        except csv.Error as exc:
            raise InputError(path, f"is not a well-formed CSV file: {exc}", reader.line_num) from exc

    return records(), [note] if note else []


def read_csv_records(path: Path, encoding: str | None = None, required: tuple[str, ...] = (),
                     optional: tuple[str, ...] = ()) -> tuple[list[tuple[int, dict[str, str]]], list[Normalisation]]:
    """A CSV file's records with their line numbers (header = row 1), after checking the header."""
    records, notes = iter_csv_records(path, encoding, required, optional)
    return list(records), notes
