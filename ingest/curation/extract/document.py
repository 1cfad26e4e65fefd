"""A report document as located blocks: paragraphs and tables, each piece of text with where it is printed.

Two inputs, one shape:
  .docx  paragraphs and tables in body order (python-docx). A merged cell is read once: a horizontal merge
         is one cell with its grid span, the continuation of a vertical merge is an empty cell (as the text
         conversions print it). Locations: P<n> (paragraph), T<t>R<r>C<c> (table, row, grid column).
  text   as data/reports/<report>/source.txt: a table is a run of lines that start with a tab, one cell per
         tab line (continuation lines belong to the cell), rows separated by blank lines; a row may hold
         blank lines of its own, so short pieces are joined up to the width of the table. Hard-wrapped text
         (PDF conversions: short lines, blank lines between them) is joined back into paragraphs.
         Locations: L<n>, the line.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ingest.curation.extract.registry import InputError

MAX_TEXT_CHARS = 5_000_000        # ~2,000 pages: more is not a report, and the rules are not made for it
MAX_DOCX_XML_BYTES = 60_000_000   # word/document.xml uncompressed (images do not count)
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # encrypted OOXML and legacy .doc are OLE compound files
TERMINAL = (".", ";", ":", "!", "?")
NUMBERED = re.compile(r"^\s*(\(?\d+(\.\d+)*[.)]\s|\d+(\.\d+)+\.?\s|[IVX]+\.?\s|[a-zđ]\)\s|-\s|\d+\s+[A-ZĐÀ-Ỹ])")
VALUES_LINE = re.compile(r"^\s*[+\-−]?\d+(?:[.,]\d+)?%?\s+[+\-−]?\d")


class DocumentError(InputError):
    """A document that cannot be read at all (not a DOCX or text, encrypted, too large)."""


@dataclass(frozen=True)
class Text:
    """A string with the location of each of its pieces (marks: offset where a location starts, location)."""

    value: str
    marks: tuple[tuple[int, str], ...]

    def where(self, offset: int) -> str:
        found = self.marks[0][1] if self.marks else ""
        for start, location in self.marks:
            if start > offset:
                break
            found = location
        return found

    @staticmethod
    def join(parts: list[Text], separator: str = " ") -> Text:
        value, marks = "", []
        for part in parts:
            if value and part.value:
                value += separator
            offset = len(value)
            marks += [(offset + start, where) for start, where in part.marks]
            value += part.value
        return Text(value, tuple(marks))

    def slice(self, start: int, end: int) -> Text:
        marks = [(0, self.where(start))] + [(s - start, w) for s, w in self.marks if start < s < end]
        return Text(self.value[start:end], tuple(marks))


def located(value: str, where: str) -> Text:
    return Text(value, ((0, where),))


@dataclass
class Paragraph:
    text: Text
    heading: bool = False


@dataclass
class Cell:
    text: Text
    span: int = 1                  # grid columns (a horizontal merge)
    merged_above: bool = False     # the continuation of a vertical merge

    @property
    def value(self) -> str:
        return self.text.value.strip()


@dataclass
class Table:
    rows: list[list[Cell]]
    where: str


@dataclass
class Document:
    path: Path
    blocks: list[Paragraph | Table] = field(default_factory=list)

    @property
    def text_chars(self) -> int:
        total = 0
        for block in self.blocks:
            if isinstance(block, Paragraph):
                total += len(block.text.value)
            else:
                total += sum(len(c.text.value) for row in block.rows for c in row)
        return total


def read(path: Path) -> Document:
    """Read a .docx or a text file; DocumentError with the reason when it cannot be read."""
    if not path.is_file():
        raise DocumentError(path, "no such file")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE_SIGNATURE):
        raise DocumentError(path, "an OLE compound file: an encrypted (password-protected) Word document or a "
                                  "legacy .doc; save it as an unprotected .docx and try again")
    if head.startswith(b"PK"):
        return read_docx(path)
    if path.suffix.lower() in (".docx", ".docm"):
        raise DocumentError(path, "not a DOCX package (a .docx is a ZIP file; this one is not)")
    return read_text(path)


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    if len(data) > MAX_TEXT_CHARS * 4:
        raise DocumentError(path, f"{len(data) / 1e6:.0f} MB of text; the extractor reads documents up to "
                                  f"{MAX_TEXT_CHARS / 1e6:.0f} million characters")
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding)
    if b"\x00" in data[:4096]:
        raise DocumentError(path, "binary data, not a text document (and not a DOCX)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(path, f"not UTF-8 text (byte {exc.start}); save the text as UTF-8") from None


# --- text files -------------------------------------------------------------------------------------------------

def read_text(path: Path) -> Document:
    text = _decoded(path)
    if len(text) > MAX_TEXT_CHARS:
        raise DocumentError(path, f"{len(text):,} characters; the extractor reads documents up to "
                                  f"{MAX_TEXT_CHARS:,} characters")
    lines = text.splitlines()
    document = Document(path)
    prose: list[tuple[int, str]] = []
    number = 0
    while number < len(lines):
        if lines[number].startswith("\t"):
            document.blocks += _paragraphs(prose, lines)
            prose = []
            end, table = _table(lines, number)
            if table.rows:
                document.blocks.append(table)
            number = end
            continue
        prose.append((number + 1, lines[number]))
        number += 1
    document.blocks += _paragraphs(prose, lines)
    return document


def _table(lines: list[str], start: int) -> tuple[int, Table]:
    """The table starting at a tab line: (the line after it, the table)."""
    segments: list[list[list[tuple[int, str]]]] = [[]]    # segments of cells; a cell = its (line, text) pieces
    blanks = 0
    number = start
    while number < len(lines):
        line = lines[number]
        if line.startswith("\t"):
            if blanks and segments[-1]:
                segments.append([])
            segments[-1].append([(number + 1, line[1:])])
            blanks = 0
        elif not line.strip():
            blanks += 1
        elif blanks == 0 or (blanks == 1 and _continues(lines, number)):
            if not segments[-1]:
                segments[-1].append([])
            segments[-1][-1].append((number + 1, line))   # the cell goes on (a line of its own text)
            blanks = 0
        else:
            break
        number += 1
    cells = [[Cell(Text.join([located(t, f"L{n}") for n, t in pieces], "\n")) for pieces in segment]
             for segment in segments if segment]
    return number, Table(_rows(cells), f"L{start + 1}")


def _continues(lines: list[str], number: int) -> bool:
    """A line after one blank line goes on with the table's cell when more tab lines follow before any prose."""
    for line in lines[number + 1: number + 4]:
        if line.startswith("\t"):
            return True
        if line.strip():
            return False
    return False


def _rows(segments: list[list[Cell]]) -> list[list[Cell]]:
    """Blank lines end rows but also occur inside cells: join short pieces up to the table's width."""
    if not segments:
        return []
    width = max(len(s) for s in segments)
    rows, current = [], []
    for segment in segments:
        if current and len(current) + len(segment) > width:
            rows.append(current)
            current = []
        current = current + segment
        if len(current) == width:
            rows.append(current)
            current = []
    if current:
        rows.append(current)
    return rows


def _paragraphs(prose: list[tuple[int, str]], lines: list[str]) -> list[Paragraph]:
    """Prose lines as paragraphs: one per line, or joined back where a PDF conversion wrapped them."""
    wrapped = _hard_wrapped(lines)
    paragraphs: list[list[tuple[int, str]]] = []
    previous_blank = True
    for number, line in prose:
        if not line.strip():
            previous_blank = True
            continue
        if paragraphs and _joins(paragraphs[-1][-1][1], line, wrapped, previous_blank):
            paragraphs[-1].append((number, line))
        else:
            paragraphs.append([(number, line)])
        previous_blank = False
    found = []
    for pieces in paragraphs:
        text = Text.join([located(t.strip(), f"L{n}") for n, t in pieces])
        found.append(Paragraph(text, heading=_looks_like_heading(text.value)))
    return found


def _hard_wrapped(lines: list[str]) -> bool:
    lengths = sorted(len(line) for line in lines if line.strip() and not line.startswith("\t"))
    return bool(lengths) and lengths[len(lengths) // 2] < 90 and lengths[int(len(lengths) * 0.9)] < 110


def _joins(previous: str, line: str, wrapped: bool, after_blank: bool) -> bool:
    previous = previous.rstrip()
    if not previous or previous.endswith(TERMINAL) or NUMBERED.match(line) or VALUES_LINE.match(line):
        return False
    if after_blank and not wrapped:
        return False
    if re.fullmatch(r"\s*[IVX\d]+\.?\s*", line):      # a row number of a flattened table
        return False
    if re.search(r"\s[+\-−]?\d+(?:[.,]\d+)?%?\s*$", previous) and not line.lstrip()[:1].islower():
        return False                                   # a row of numbers ends where the next capital starts
    first = line.lstrip()[:1]
    if first.islower() or (first.isdigit() and not VALUES_LINE.match(line)):
        return True
    return wrapped and len(previous) >= 55


def _looks_like_heading(text: str) -> bool:
    text = text.strip()
    if not text or len(text) > 180 or re.search(r"(đạt|được|xếp|tăng|giảm)\s+[+\-−]?\d|\d\s*điểm|\d/\d", text, re.I):
        return False
    letters = [c for c in text if c.isalpha()]
    shouting = letters and sum(c.isupper() for c in letters) / len(letters) > 0.8
    numbered = re.match(r"^\(?(\d+(\.\d+)+\.?|\d+[.)]|[IVX]+[.)]?)\s+\S", text)   # "3 Text" is a footnote
    return bool(shouting or numbered or re.match(r"^[a-zđ]\)\s", text))


# --- DOCX -------------------------------------------------------------------------------------------------------

def read_docx(path: Path) -> Document:
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            if "word/document.xml" not in names:
                if "EncryptedPackage" in names:
                    raise DocumentError(path, "an encrypted Word document; remove the password and try again")
                raise DocumentError(path, "a ZIP file without word/document.xml: not a Word document")
            size = package.getinfo("word/document.xml").file_size
    except zipfile.BadZipFile as exc:
        raise DocumentError(path, f"a damaged DOCX package ({exc})") from None
    if size > MAX_DOCX_XML_BYTES:
        raise DocumentError(path, f"its text part is {size / 1e6:.0f} MB uncompressed; the extractor reads "
                                  f"documents up to {MAX_DOCX_XML_BYTES / 1e6:.0f} MB of text")
    from docx import Document as open_docx
    from docx.table import Table as DocxTable
    from docx.table import _Cell

    try:
        docx = open_docx(str(path))
    except Exception as exc:       # python-docx raises many kinds on a broken package; the reason is what matters
        raise DocumentError(path, f"not a readable Word document ({type(exc).__name__}: {exc})") from None
    document = Document(path)
    paragraphs = tables = 0
    for item in docx.iter_inner_content():
        if isinstance(item, DocxTable):
            tables += 1
            rows = []
            for r, tr in enumerate(item._tbl.tr_lst, start=1):
                cells, column = [], 1
                for tc in tr.tc_lst:
                    continued = tc.vMerge == "continue"
                    text = "" if continued else "\n".join(p.text for p in _Cell(tc, item).paragraphs)
                    cells.append(Cell(located(text, f"T{tables}R{r}C{column}"), tc.grid_span, continued))
                    column += tc.grid_span
                rows.append(cells)
            document.blocks.append(Table(rows, f"T{tables}"))
        else:
            paragraphs += 1
            style = (item.style.name if item.style is not None else "") or ""
            if item.text.strip():
                heading = style.startswith(("Heading", "Title")) or _looks_like_heading(item.text)
                document.blocks.append(Paragraph(located(item.text, f"P{paragraphs}"), heading))
    if document.text_chars > MAX_TEXT_CHARS:
        raise DocumentError(path, f"{document.text_chars:,} characters of text; the extractor reads documents up "
                                  f"to {MAX_TEXT_CHARS:,} characters")
    return document
