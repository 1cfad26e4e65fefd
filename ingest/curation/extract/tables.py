"""The facts of a table: its header rows, what each column holds, and the component of each row.

Header rows are the rows before the first one that holds a value (a number, a rank "27/63"). A text
conversion prints a merged header cell once, so an upper header row is aligned on the lowest one by its
runs: consecutive sub-headers until one repeats a kind ("Điểm tối đa | Điểm đạt được | Xếp hạng" under
"Năm 2023", again under "Năm 2024"); DOCX tables bring their grid spans. A column's kind comes from its
stacked header words (xếp hạng, tối đa, tỷ lệ/%, điểm, tăng/giảm, mục tiêu, ghi chú, ...) and its cells
(a column of years or names is a label); its year from "Năm 2024" (not "so với năm 2023"). A change
column that does not say whether it is points or places is typed by its cells against the row's values.
A row's component: its name matched against the methodology (within the section's component first), its
printed number (1, 2.1; or n under the section's field), "Tổng cộng"; a name that matches nothing makes the
row "not understood", whatever its number. Rows may also be years or units (a column of one component).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from ingest.curation.extract import prose, ranking
from ingest.curation.extract.components import components_for, index_mentions, unit_mentions
from ingest.curation.extract.document import Cell, Table, located
from ingest.curation.extract.facts import Context, Extraction, Fact
from ingest.curation.extract.lexicon import content_words, fold, is_year, plain_number
from ingest.curation.extract.registry import Registry

RANK_CELL = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
CODE = re.compile(r"^(TOTAL|\d+(?:\.\d+)*)\.?$")
KINDS = [   # (kind, words of the stacked header), first match wins
    ("ignore", r"mục tiêu|chỉ tiêu|kế hoạch|chủ trì|theo dõi|thực hiện/|bị mất|mất điểm|mức tăng|đánh giá \(|"
               r"đánh giá in|cơ quan|đơn vị thực hiện|\bcần\b"),  # what is needed: a requirement
    ("text", r"ghi chú|nguyên nhân"),
    ("change", r"tăng/giảm|tăng, giảm|tăng giảm|\+/-|\+/−|so với (?:năm )?\d{4}"),
    ("rank", r"xếp hạng|thứ hạng|\bhạng\b|thứ tự"),
    ("pct", r"%|tỷ lệ"),
    ("max", r"tối đa|thang điểm"),
    ("score", r"điểm|đạt được|kết quả"),
    ("value", r"chỉ số"),
]
LEAF_WORDS = re.compile(r"điểm|tối đa|đạt được|xếp hạng|thứ hạng|hạng|tỷ lệ|%|tăng/giảm|so với|năm|số|chỉ|"
                        r"kết quả|tính|trên|cả nước|tỉnh|thành phố|/|\d+|\(|\)", re.I)


@dataclass
class Column:
    kind: str
    year: int | None = None
    rank_of: int | None = None
    component: str | None = None
    delta_of: str = "score"
    header: str = ""


def read(table: Table, context: Context, out: Extraction, previous: list[Column] | None = None) -> list[Column]:
    """The facts of a table into out; returns its columns (a headless continuation may reuse them)."""
    grid = [_slots(row) for row in table.rows]
    width = max((len(r) for r in grid), default=0)
    first_data = next((i for i, row in enumerate(grid) if any(_is_value(c.value) for c in row[1:] or row)
                       or (row and re.fullmatch(r"[IVX]{1,4}", row[0].value))), len(grid))   # a section row
    header, body = table.rows[:first_data], grid[first_data:]
    if not body:
        return previous or []
    if header:
        columns = _columns(_header_grid(header, width), body, context)
    elif previous and len(previous) == width:
        columns = previous
    else:
        for row in body:
            for cell in row:
                if _is_value(cell.value):
                    out.doubt(cell.text.where(0), cell.value, " | ".join(c.value for c in row), "a table without header")
        return []
    _type_changes(columns, body)
    if not any(c.kind == "rank" for c in columns):      # no ranks in the table: its changes are of points
        for column in columns:
            column.kind = "delta" if column.kind == "change" else column.kind
    for row in body:
        _row(_aligned(row, width), columns, context, out)
    ranking.ranks_by_row_order([_aligned(row, width) for row in body], columns, context, out)
    return columns


# --- grid and header ----------------------------------------------------------------------------------------------

def _slots(row: list[Cell]) -> list[Cell]:
    slots = []
    for cell in row:
        slots.append(cell)
        slots += [Cell(located("", cell.text.where(0)), merged_above=True)] * (cell.span - 1)
    return slots


def _aligned(row: list[Cell], width: int) -> list[Cell]:
    """A text row shorter than the table: its first cell spans the number and the name (right-aligned)."""
    if len(row) < width and row and not _is_value(row[0].value):
        return [Cell(located("", row[0].text.where(0)))] * (width - len(row)) + row
    return row


def _is_value(text: str) -> bool:
    text = text.strip()
    if not text or is_year(text):
        return False
    return plain_number(text) is not None or bool(RANK_CELL.match(text))


def _leaf_kind(text: str) -> str:
    folded = fold(text)
    return next((kind for kind, words in KINDS if re.search(words, folded)), "other") if folded else ""


def _header_grid(header: list[list[Cell]], width: int) -> list[list[str]]:
    """Each header row as `width` texts: spans expanded (DOCX), or aligned on the row below (text)."""
    rows = [[c.value for c in r for _ in range(c.span)] for r in header]    # a merged header names every column
    if any(c.span > 1 for r in header for c in r):
        return [r + [""] * (width - len(r)) for r in rows]
    for i in range(len(rows) - 2, -1, -1):
        if len(rows[i]) < width and len(rows[i + 1]) == width:
            rows[i] = _align(rows[i], rows[i + 1])
    return [r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in rows]


def _align(upper: list[str], lower: list[str]) -> list[str]:
    runs, i = [], 0
    while i < len(lower):
        if not lower[i]:
            runs.append((i, i + 1))
            i += 1
            continue
        j, kinds = i, set()
        while j < len(lower) and lower[j] and _leaf_kind(lower[j]) not in kinds:
            kinds.add(_leaf_kind(lower[j]))
            j += 1
        runs.append((i, j))
        i = j
    aligned = [""] * len(lower)
    labels = 0
    while labels < len(upper) and labels < len(runs) and runs[labels][1] - runs[labels][0] == 1 \
            and not lower[runs[labels][0]] and _leaf_kind(upper[labels]) in ("", "other", "value"):
        labels += 1
    for text, (start, end) in zip(upper, runs):
        for k in range(start, end):
            aligned[k] = text
    rest_upper, rest_runs = upper[labels:], runs[labels:]
    for text, (start, end) in zip(rest_upper, rest_runs):
        for k in range(start, end):
            aligned[k] = text
    return aligned


def _columns(grid: list[list[str]], body: list[list[Cell]], context: Context) -> list[Column]:
    width = len(grid[0]) if grid else 0
    columns = []
    for k in range(width):
        stack = [row[k] for row in grid if row[k]]
        stack = [t for i, t in enumerate(stack) if t not in stack[:i]]
        text = " / ".join(stack)
        cells = [row[k].value for row in body if k < len(row) and row[k].value]
        column = Column(_kind(text, cells, k == 0), header=text)
        column.year, compared = _years(text)
        if column.kind == "change":
            leaf = fold(stack[-1]) if stack else ""
            column.kind = "rank_change" if re.search(r"hạng|bậc", leaf) else \
                "delta" if re.search(r"điểm|%|tỷ lệ", leaf) else "change"
            column.delta_of = "pct_of_max" if re.search(r"%|tỷ lệ", leaf) else "score"
        if column.kind == "rank":
            printed = {RANK_CELL.match(c).group(2) for c in cells if RANK_CELL.match(c)}
            column.rank_of = int(printed.pop()) if len(printed) == 1 else _rank_of(context.reg, text, column.year or context.year)
        if column.kind in ("score", "pct", "value", "rank"):
            column.component = _column_component(text, context, column.year)
        columns.append(column)
    years = [c.year for c in columns if c.year and c.kind not in ("ignore", "max")]
    for k, column in enumerate(columns):
        if column.year is None and column.kind in ("score", "pct", "value", "rank"):
            left = next((c.year for c in reversed(columns[:k]) if c.year), None)
            right = next((c.year for c in columns[k + 1:] if c.year), None)
            column.year = left if right in (None, left) else None
        if column.year is None and column.kind in ("delta", "rank_change", "change") and years:
            column.year = max(years)
    return columns


def _kind(text: str, cells: list[str], first: bool) -> str:
    cells = [c for c in cells if c.strip() not in ("–", "-", "—", "x")]      # a dash: nothing printed
    values = sum(_is_value(c) or c.strip().endswith("%") for c in cells)
    if cells and sum(is_year(c) for c in cells) >= 0.6 * len(cells):
        return "year"
    if re.fullmatch(r"(số\s*)?tt|stt|số\s*tt", fold(text).replace("\n", " ").strip()) or \
            (first and cells and all(CODE.match(c.strip()) for c in cells)):
        return "code"
    if cells and values < 0.3 * len(cells) and _leaf_kind(text) in ("other", "", "value"):
        return "label"
    return _leaf_kind(text) or "other"


def _years(text: str) -> tuple[int | None, int | None]:
    folded = fold(text)
    own = [int(m.group(1)) for m in re.finditer(r"(?<!so với năm )(?<!so với )(?<![\d/])((?:19|20)\d\d)(?![\d/])", folded)]
    compared = re.search(r"so với (?:năm )?((?:19|20)\d\d)", folded)
    return (own[0] if own else None), (int(compared.group(1)) if compared else None)


def _rank_of(reg: Registry, text: str, year: int | None) -> int | None:
    folded = fold(text)
    found = re.search(r"/\s*(\d+)|trên\s+(\d+)\s+tỉnh", folded)
    if found:
        return int(found.group(1) or found.group(2))
    if re.search(r"cả nước|toàn quốc", folded) and year:
        return reg.provinces_ranked(year)
    return None


def _column_component(text: str, context: Context, year: int | None) -> str | None:
    """A column of one component: "Điểm BNV thẩm định", "PAR INDEX (%)", "Điểm SIPAS"."""
    mentions = index_mentions(context.reg, text)
    rest = LEAF_WORDS.sub(" ", text)
    components, _ = components_for(context.reg, context.index_code, year or context.year) if context.index_code else (None, False)
    found = components.match(text) if components is not None and content_words(rest) else None
    if found:
        return found.code
    if mentions and not content_words(LEAF_WORDS.sub(" ", re.sub(r"par\s*index|sipas|papi|pci", " ", text, flags=re.I))):
        return "TOTAL"
    return None


def _type_changes(columns: list[Column], body: list[list[Cell]]) -> None:
    """A change column that says neither points nor places: the kind its cells agree with, row by row."""
    for column in [c for c in columns if c.kind == "change"]:
        k = columns.index(column)
        votes = {"rank_change": 0, "delta": 0}
        for row in body:
            printed = plain_number(row[k].value) if k < len(row) else None
            if printed is None:
                continue
            for kind, measure in (("rank_change", "rank"), ("delta", "score")):
                pair = [_cell_number(row, columns, j, measure) for j, c in enumerate(columns)
                        if c.kind in (measure, "value") and c.year]
                pair = [p for p in pair if p is not None]
                if len(pair) == 2 and (pair[0] - pair[1] if kind == "rank_change" else pair[1] - pair[0]) == printed:
                    votes[kind] += 1
        best = max(votes, key=votes.get)
        if votes[best] and votes[best] > min(votes.values()):
            column.kind = best


def _cell_number(row: list[Cell], columns: list[Column], j: int, measure: str) -> Decimal | None:
    if j >= len(row):
        return None
    rank = RANK_CELL.match(row[j].value)
    if measure == "rank":
        return Decimal(rank.group(1)) if rank else plain_number(row[j].value)
    return None if rank else plain_number(row[j].value)


# --- rows ---------------------------------------------------------------------------------------------------------

def _row(row: list[Cell], columns: list[Column], context: Context, out: Extraction) -> None:
    code = next((row[k].value for k, c in enumerate(columns) if c.kind == "code" and k < len(row)), "")
    label = next((row[k].value for k, c in enumerate(columns) if c.kind in ("label", "year") and k < len(row)), "")
    values = [(k, c) for k, c in enumerate(columns) if k < len(row) and row[k].value and
              c.kind not in ("code", "label", "year", "ignore", "max")]
    if not values:
        return
    row_year = int(label) if is_year(label) else None
    units = unit_mentions(context.reg, label) if label and not row_year else []
    unit = units[0] if len(units) == 1 and len(units[0].value) >= len(label) - 8 else None
    years = {c.year or row_year or context.year for _, c in values}
    table_year = max((y for y in years if y), default=context.year)
    component = None
    if row_year or unit:
        component = context.subject or "TOTAL"
    else:
        component = _component(code, label, context, table_year)
        if component is None:
            out.doubt(row[0].text.where(0), " | ".join(row[k].value for k, _ in values), f"{code} {label}",
                      "the row's name is not a component of the methodology")
            return
    unit_name, unit_type = (unit.value, unit.unit_type) if unit else (context.unit_name, context.unit_type)
    anchors: dict[tuple, str] = {}
    for k, column in values:
        year = column.year or row_year or context.year
        comp = column.component or component
        if comp == "TOTAL" and component not in (None, "TOTAL") and column.component:
            comp = component if not (row_year or unit) else comp
        key = (comp, year)
        if key not in anchors or column.kind == "score":
            anchors.setdefault(key, row[k].text.where(0))
            if column.kind == "score":
                anchors[key] = row[k].text.where(0)
    subject = Context(context.reg, context.index_code, context.year, unit_name, unit_type, component)
    for k, column in values:
        year = column.year or row_year or context.year
        comp = column.component or component
        _cell(row[k], column, subject.copy(subject=comp, year=year), anchors.get((comp, year)), out)


def _component(code: str, label: str, context: Context, year: int | None) -> str | None:
    components, _ = components_for(context.reg, context.index_code, year) if context.index_code else (None, False)
    if components is None:
        return None
    method = components.method
    section = context.subject
    if CODE.match(label) and not code:
        code, label = label, ""
    if not re.search(r"\w", label):
        label = ""
    code = code.rstrip(".")
    by_code = [c for c in ([f"{section}.{code}"] if section and code and code != "TOTAL" else []) + [code]
               if c and method.component(c)]
    words = content_words(label)
    if label and (set(words) <= {"tổng", "cộng", "số", "chung"} and words):
        return section or "TOTAL"
    if label and not words and index_mentions(context.reg, label):
        return "TOTAL"
    if not label:
        return by_code[0] if by_code else None
    within = components.descendants(section) if section else None
    named = (within and components.match(label, within)) or components.match(label)
    if named:
        return named.code
    for candidate in by_code:             # the number, when the name is a weak but real echo of its name
        if components.score(label, candidate) >= 0.3:
            return candidate
    return None


def _cell(cell: Cell, column: Column, context: Context, anchor: str | None, out: Extraction) -> None:
    text = cell.value
    where = cell.text.where(0)
    if column.kind == "text":
        prose.read(cell.text, context, out, strict=True)
        return
    measure = {"score": "score", "pct": "pct_of_max", "rank": "rank", "delta": "delta",
               "rank_change": "rank_change", "value": "score"}.get(column.kind)
    number = plain_number(text)
    rank = RANK_CELL.match(text)
    if measure is None or (number is None and not rank):
        if re.search(r"\d", text) and measure is not None:
            sub = Extraction(out.source)
            prose.read(cell.text, context, sub)
            for fact in sub.facts:
                same = (fact.component_code, fact.year) == (context.subject, context.year)
                out.add(replace(fact, source_ref=anchor or fact.source_ref) if same else fact)
            out.not_understood += sub.not_understood
        elif re.search(r"\d", text) and column.kind in ("change", "other"):
            out.doubt(where, text, column.header, f"a column whose kind is not known ({column.header!r})")
        return
    if column.kind == "value" and text.strip().endswith("%"):
        measure = "pct_of_max"
    if context.index_code is None or context.year is None or not context.unit_name:
        out.doubt(where, text, column.header, "no index, year or unit for this table")
        return
    printed = rank.group(1) if rank else text
    value = Decimal(rank.group(1)) if rank else number
    rank_of = int(rank.group(2)) if rank else column.rank_of
    if measure == "rank" and rank_of is None and context.unit_type == "province":
        rank_of = context.reg.provinces_ranked(context.year)      # a province's rank that names no region: national
    if measure != "rank":
        rank_of = None
    fact = Fact(context.index_code, context.year, context.unit_name or "", context.unit_type, context.subject,
                measure, value, printed.strip(), anchor or where, where, rank_of,
                delta_of=column.delta_of if measure == "delta" else "score")
    out.add(fact)
    components, _ = components_for(context.reg, context.index_code, context.year)
    known = components.method.component(context.subject) if components else None
    if measure == "pct_of_max" and known and known.max_score == Decimal(100) and context.unit_type == "province" \
            and not any(f.measure == "score" and f.source_ref == fact.source_ref and f.key[:4] == fact.key[:4]
                        for f in out.facts):
        out.add(replace(fact, measure="score"))     # % of a 100-point maximum: the same number as the points

