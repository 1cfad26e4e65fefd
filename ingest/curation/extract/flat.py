"""Tables that a PDF-to-text conversion flattened: header words one per line, then rows of a number, a name
and the row's numbers ("1 Sở Tài chính 64.00 14.66 9.76 88.42 88.42 3.76 0"), a row sometimes broken over
lines ("4" / "Sở Lao động -Thương binh và Xã hội" / "62.20 13.58 ...").

Such a run of paragraphs becomes an ordinary Table (number, name and one cell per value column) that
tables.read reads like any other. The header starts at "STT"/"TT"; its cells are the header lines (a line
of capitals, "(%)" or a year goes on with the cell before). Cells without a measure of their own ("Năm
2022", "Mục tiêu năm 2023") group the measure cells after them; a change cell ("Tỷ lệ tăng/giảm so với năm
2022") groups the measure cells that follow it. A row must number on from the row before (1, 2, 3 ...; a
Roman numeral starts a section) and print one number per value column: a row that does not is listed as
not understood, never fitted. "Không đánh giá" (not assessed) fills its column; in the rows after it in
the same section, a row one number short is missing that column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.curation.extract.document import Cell, Paragraph, Table, Text, located
from ingest.curation.extract.lexicon import fold
from ingest.curation.extract.tables import _leaf_kind, _align

HEADER_START = re.compile(r"(?:^|\s)(STT|TT|Số TT)\b\s*(\S*(?:\s+\S+){0,3})\s*$")   # "[BIỂU 2: ...] STT Đơn vị"
ROW_START = re.compile(r"^\s*(\d{1,3}|[IVX]{1,4})(?:\s+(.*?))?\s*$")
VALUE = re.compile(r"^[+\-−]?\d+(?:[.,]\d+)?%?$")
LABEL = re.compile(r"^(đơn vị|chỉ số thành phần|lĩnh vực|tiêu chí|nội dung|tên|chỉ tiêu)\b(?!.*(?:thực hiện|theo dõi))")
NOT_ASSESSED = "không đánh giá"
RANGE_OR_TARGET = re.compile(r"^\s*(từ|trên|đạt|dưới|tối thiểu)\b|\d-\d", re.I)


@dataclass
class FlatTable(Table):
    """A Table rebuilt from a flattened one (so that tables.read reads it), with the rows that did not fit."""

    unaligned: list = field(default_factory=list)      # (location, the row's numbers, its name)


@dataclass
class _Row:
    number: str
    label: list[Text] = field(default_factory=list)
    values: list[tuple[str, str]] = field(default_factory=list)   # (text, location)
    done: bool = False


def tables_in(blocks: list) -> list:
    """The blocks with each flattened table replaced by a FlatTable."""
    found, i = [], 0
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, Paragraph) and HEADER_START.search(block.text.value):
            end, table = _table(blocks, i)
            if table is not None:
                found.append(table)
                i = end
                continue
        found.append(block)
        i += 1
    return found


def _header(blocks: list, start: int) -> tuple[int, list[str]]:
    cells: list[str] = []
    i = start
    while i < len(blocks) and isinstance(blocks[i], Paragraph):
        text = blocks[i].text.value.strip()
        first = HEADER_START.search(text) if i == start else None
        if first:
            cells += ["STT"] + ([first.group(2)] if first.group(2) else [])
        elif ROW_START.match(text) and i > start:
            break
        elif len(text) > 60 or re.search(r"\d+[.,]\d+", text):
            return i, []
        elif cells and (text[:1] in "(-–" or text.isupper() or re.fullmatch(r"(19|20)\d\d", text)
                        or re.match(r"[A-ZĐ]{2,}\b", text) or re.search(r"\b(của|với|năm|đến|và|về)$", cells[-1])):
            cells[-1] += " " + text           # "(%)", "SIPAS", "2022", "- xã hội" go on with the cell before
        else:
            cells.append(re.sub(r"(?<=[^\W\d])\d$", "", text))     # "Chỉ số1": a footnote mark
        i += 1
    return i, cells


def _columns(cells: list[str]) -> tuple[list[str], list[str]]:
    """(upper, leaves): the value columns' headers and the group above each of them."""
    labels = 2 if len(cells) > 1 and LABEL.match(fold(cells[1])) else 1
    rest = cells[labels:]
    groups = [c for c in rest if re.search(r"(19|20)\d\d", c) and _leaf_kind(c) in ("other", "ignore", "")]
    if groups and rest[:len(groups)] == groups:           # "Năm 2022 | Mục tiêu năm 2023 | ... | Chỉ số | Thứ hạng"
        leaves = [c for c in rest[len(groups):] if _leaf_kind(c) != "ignore"]
        upper = _align(groups, leaves)
        kept = [k for k, group in enumerate(upper) if _leaf_kind(group) != "ignore"]   # targets print no numbers
        return [upper[k] for k in kept], [leaves[k] for k in kept]
    upper, leaves, i = [], [], 0
    while i < len(rest):
        cell = rest[i]
        tail = fold(cell).split("so với")[0]
        if _leaf_kind(cell) == "change" and i + 2 < len(rest) + 1 and not re.search(r"điểm|hạng|bậc", tail):
            run, kinds = [], set()
            for leaf in rest[i + 1:]:
                if _leaf_kind(leaf) in kinds:
                    break
                kinds.add(_leaf_kind(leaf))
                run.append(leaf)
            upper += [cell] * len(run)
            leaves += run
            i += 1 + len(run)
            continue
        if _leaf_kind(cell) != "ignore":
            upper.append("")
            leaves.append(cell)
        i += 1
    return upper, leaves


def _table(blocks: list, start: int) -> tuple[int, FlatTable | None]:
    i, cells = _header(blocks, start)
    if len(cells) < 3:
        return start, None
    upper, leaves = _columns(cells)
    if not leaves:
        return start, None
    rows: list[_Row] = []
    expected = 1
    while i < len(blocks) and isinstance(blocks[i], Paragraph):
        paragraph = blocks[i].text
        text = paragraph.value.strip()
        if HEADER_START.search(text):                       # the header again, after a page break
            i, _ = _header(blocks, i)
            continue
        row_start = ROW_START.match(text)
        number = row_start.group(1) if row_start else None
        lone = bool(row_start) and not row_start.group(2)
        if number and (number.isalpha() or int(number) in (expected, 1)) and (lone or not _only_values(text)):
            rows.append(_Row(number))
            expected = 1 if number.isalpha() else int(number) + 1
            rest = row_start.group(2) or ""
            if number.isalpha():                           # "I  15 sở thang điểm 100": a section, not a row
                rows[-1].done = True
            elif rest:
                _take(rows[-1], paragraph.slice(paragraph.value.find(rest), len(paragraph.value)))
        elif rows and not rows[-1].done and (_only_values(text) or fold(text) == NOT_ASSESSED):
            _take(rows[-1], paragraph)
        elif rows and (len(text) > 100 and text.endswith(".") or blocks[i].heading):
            break
        elif rows and not rows[-1].values and not rows[-1].done:
            rows[-1].label.append(paragraph)
        elif rows:
            rows[-1].done = rows[-1].done or bool(rows[-1].values)
        else:
            break
        i += 1
    if not rows:
        return start, None
    return i, _rebuild(rows, upper, leaves, blocks[start].text)


def _only_values(text: str) -> bool:
    tokens = text.split()
    return bool(tokens) and all(VALUE.match(t) for t in tokens) and not RANGE_OR_TARGET.search(text)


def _take(row: _Row, text: Text | None) -> None:
    """A row's paragraph: name words, then its numbers (the trailing tokens that are numbers)."""
    if text is None:
        return
    value = text.value
    if fold(value.strip()) == NOT_ASSESSED:
        row.values.append(("", text.where(0)))
        return
    tokens = list(re.finditer(r"\S+", value))
    cut = len(tokens)
    while cut > 0 and VALUE.match(tokens[cut - 1].group(0)):
        cut -= 1
    if cut and not row.values:
        row.label.append(text.slice(0, tokens[cut - 1].end()))
    row.values += [(t.group(0), text.where(t.start())) for t in tokens[cut:]]
    if cut < len(tokens) and cut > 0 and row.values:
        row.done = False


def _rebuild(rows: list[_Row], upper: list[str], leaves: list[str], where: Text) -> FlatTable:
    width = len(leaves)
    header = [[located("", where.where(0)), located("", where.where(0))] + [located(u, where.where(0)) for u in upper],
              [located("STT", where.where(0)), located("", where.where(0))] + [located(l, where.where(0)) for l in leaves]]
    body, missing, unaligned = [], None, []
    for row in rows:
        values = row.values
        if row.number.isalpha():
            missing = None
        if any(not v for v, _ in values):
            missing = [v for v, _ in values].index("")
        if len(values) == width - 1 and missing is not None:
            values = values[:missing] + [("", values[missing][1] if missing < len(values) else "")] + values[missing:]
        label = Text.join(row.label) if row.label else located("", values[0][1] if values else "")
        number = located(row.number, label.where(0))
        if not values and row.number.isalpha():      # a section ("I  15 sở thang điểm 100"): rows rank anew
            body.append([Cell(number), Cell(label)] + [Cell(located("", label.where(0)))] * width)
            continue
        if len(values) != width:       # not one number per column: which number is which is not known
            if values:
                unaligned.append((values[0][1], " ".join(v for v, _ in values), f"{row.number} {label.value}"))
            continue
        body.append([Cell(number), Cell(label)] + [Cell(located(v, w)) for v, w in values])
    return FlatTable([[Cell(t) for t in row] for row in header] + body, where.where(0), unaligned)
