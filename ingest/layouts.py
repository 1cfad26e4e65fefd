"""Official wide layouts: one row per unit, one column per component, read through a declarative mapping.

A layout is data/layouts/<name>.yaml: file format (csv or xlsx), sheet, header row, the unit column and,
for each component of the registry, the column (by its header as published) holding its score and, where
printed, its rank. The one reader here turns any such table into records in the canonical columns and
hands them to readers.to_score_rows, so every check and every error message is the canonical reader's.
Cells are read exactly as written; a decimal comma is turned into a point only where the layout says the
table uses decimal commas.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from ingest import config
from ingest.errors import InputError
from ingest.methodology import Methodology
from ingest.readers import ReadResult, decode, to_score_rows
from ingest.reference import UnitDirectory, normalise

LAYOUTS_DIR = config.DATA_DIR / "layouts"
CANONICAL = "canonical"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ComponentColumns:
    code: str
    score: str
    rank: str | None = None


@dataclass(frozen=True)
class Layout:
    path: Path
    name: str
    format: str
    sheet: str | None
    header_row: int
    unit_column: str
    unit_type: str
    decimal_comma: bool
    rank_of: int | None
    skip_rows_without_score: bool
    components: tuple[ComponentColumns, ...]
    title: tuple[str, ...] = ()


def load_layout(name: str, root: Path | None = None) -> Layout:
    path = (root or LAYOUTS_DIR) / f"{name}.yaml"
    if not path.is_file():
        raise InputError(path, f"layout {name!r} is not in data/layouts")
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if doc.get("format") not in FORMATS:
        raise InputError(path, f"'format' must be one of {FORMATS}, got {doc.get('format')!r}", column="format")
    components = []
    for code, columns in (doc.get("components") or {}).items():
        if not isinstance(columns, dict) or not columns.get("score"):
            raise InputError(path, f"component {code!r} needs a 'score' column", column="components")
        components.append(ComponentColumns(str(code), str(columns["score"]), columns.get("rank")))
    if not components or not doc.get("unit_column"):
        raise InputError(path, "a layout needs 'unit_column' and at least one component", column="components")
    return Layout(path=path, name=name, format=doc["format"], sheet=doc.get("sheet"),
                  header_row=int(doc.get("header_row", 1)), unit_column=str(doc["unit_column"]),
                  unit_type=str(doc.get("unit_type", "province")), decimal_comma=bool(doc.get("decimal_comma")),
                  rank_of=doc.get("rank_of"), skip_rows_without_score=bool(doc.get("skip_rows_without_score")),
                  components=tuple(components), title=tuple(doc.get("title") or ()))


def _cell_text(value) -> str:
    """A cell as text: numbers as written (no float noise), empty cells as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(Decimal(repr(value)).normalize()) if value != int(value) else str(int(value))
    return str(value).strip()


def _csv_table(path: Path, layout: Layout, encoding: str | None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text, _ = decode(path, encoding)
    reader = csv.reader(text.splitlines(), strict=True)
    try:
        rows = [(reader.line_num, [cell.strip() for cell in cells]) for cells in reader]
    except csv.Error as exc:
        raise InputError(path, f"is not a well-formed CSV file: {exc}", reader.line_num) from exc
    header = next((cells for number, cells in rows if number == layout.header_row), [])
    return header, [(number, cells) for number, cells in rows if number > layout.header_row and any(cells)]


def _table(path: Path, layout: Layout, encoding: str | None = None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header cells and the data rows (with their row numbers) of the layout's sheet."""
    if layout.format == "csv":
        return _csv_table(path, layout, encoding)
    from openpyxl import load_workbook   # only when an XLSX is read

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:   # openpyxl raises several kinds for a file that is not an XLSX workbook
        raise InputError(path, f"is not a readable XLSX workbook: {exc}") from exc
    try:
        if layout.sheet and layout.sheet not in book.sheetnames:
            raise InputError(path, f"has no sheet {layout.sheet!r} (sheets: {', '.join(book.sheetnames)})")
        sheet = book[layout.sheet] if layout.sheet else book.worksheets[0]
        rows = [(number, [_cell_text(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
    header = next((cells for number, cells in rows if number == layout.header_row), [])
    data = []
    for number, cells in rows:
        if number <= layout.header_row:
            continue
        if not any(cells):
            break   # the table ends at the first empty row (notes may follow)
        data.append((number, cells))
    return header, data


def _number(text: str, layout: Layout, path: Path, row: int, header: str) -> str:
    if not text:
        return ""
    if layout.decimal_comma:
        if "." in text:
            raise InputError(path, f"expected a decimal comma (e.g. 73,02) as the layout {layout.name} says, "
                                   f"got {text!r}", row, header)
        text = text.replace(",", ".")
    try:
        valid = Decimal(text).is_finite()
    except ArithmeticError:
        valid = False
    if not valid:
        raise InputError(path, f"expected a number{' with a decimal comma' if layout.decimal_comma else ''}, "
                               f"got {text!r}", row, header)
    return text


def _whole_number(text: str, path: Path, row: int, header: str) -> str:
    if text and not text.isdigit():
        raise InputError(path, f"expected a whole number (a rank), got {text!r}", row, header)
    return text


def read_records(path: Path, layout: Layout, encoding: str | None = None) -> list[tuple[int, dict[str, str]]]:
    """Records in the canonical columns, one per unit and component; a score may be empty (not printed)."""
    header, rows = _table(path, layout, encoding)
    wanted = [layout.unit_column] + [c.score for c in layout.components] + [c.rank for c in layout.components if c.rank]
    missing = [name for name in wanted if name not in header]
    if missing:
        raise InputError(path, f"header (row {layout.header_row}) lacks column(s) {', '.join(map(repr, missing))} "
                               f"of layout {layout.name}", row=layout.header_row)
    position = {name: header.index(name) for name in wanted}
    records = []
    for line, cells in rows:
        cells = cells + [""] * (len(header) - len(cells))
        unit = normalise(cells[position[layout.unit_column]])
        for component in layout.components:
            score = _number(cells[position[component.score]], layout, path, line, component.score)
            rank = _whole_number(cells[position[component.rank]], path, line, component.rank) if component.rank else ""
            if not score and not rank:
                continue
            if not score and layout.skip_rows_without_score:
                continue
            records.append((line, {
                "unit_name": unit, "unit_type": layout.unit_type, "component_code": component.code,
                "score": score, "rank": rank, "rank_of": str(layout.rank_of) if rank and layout.rank_of else "",
                "source_ref": f"{path.name} row {line}",
            }))
    return records


def read_layout(path: Path, layout_name: str, methodology: Methodology, units: UnitDirectory, *,
                encoding: str | None = None, year: int | None = None) -> ReadResult:
    """A release file in an official layout, checked like the canonical CSV (a score is needed)."""
    records = read_records(path, load_layout(layout_name), encoding)
    return to_score_rows(path, records, methodology, units, year=year)


def read_file(path: Path, layout_name: str, methodology: Methodology, units: UnitDirectory, *,
              encoding: str | None = None, year: int | None = None) -> ReadResult:
    """A release file in its layout: the canonical long CSV, or an official layout by its mapping's name."""
    from ingest.readers import read_canonical

    if layout_name == CANONICAL:
        return read_canonical(path, methodology, units, encoding=encoding, year=year)
    return read_layout(path, layout_name, methodology, units, encoding=encoding, year=year)


def write_table(records: list[tuple[int, dict[str, str]]], layout: Layout, path: Path) -> Path:
    """Write records (as read_records gives them) as a table in `layout`: how a published-style sample is made."""
    by_unit: dict[str, dict[str, dict[str, str]]] = {}
    for _, record in records:
        by_unit.setdefault(record["unit_name"], {})[record["component_code"]] = record
    header = [layout.unit_column]
    for component in layout.components:
        header += [component.score] + ([component.rank] if component.rank else [])

    def number(text: str):
        if not text:
            return None
        return text.replace(".", ",") if layout.decimal_comma else Decimal(text)

    rows = []
    for unit, components in by_unit.items():
        row = [unit]
        for component in layout.components:
            record = components.get(component.code, {})
            row.append(number(record.get("score", "")))
            if component.rank:
                row.append(int(record["rank"]) if record.get("rank") else None)
        rows.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    if layout.format == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([["" if v is None else v for v in row] for row in rows])
        return path
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = layout.sheet or "Sheet1"
    for number_, line in enumerate(layout.title, start=1):
        sheet.cell(row=number_, column=1, value=line)
    for column, name in enumerate(header, start=1):
        sheet.cell(row=layout.header_row, column=column, value=name)
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=layout.header_row + offset, column=column,
                       value=float(value) if isinstance(value, Decimal) else value)
    fixed = dt.datetime(2026, 1, 1)   # fixed document dates: the same records give the same workbook content
    book.properties.created = book.properties.modified = fixed
    book.save(path)
    return path
