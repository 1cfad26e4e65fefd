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
import math
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ingest.core.errors import InputError, shown
from ingest.sources import messages, notation, safe_yaml
from ingest.sources.methodology import Methodology
from ingest.sources.readers import (Normalisation, ReadResult, ReleaseRules, check_unique_columns, decode,
                                    to_score_rows)
from ingest.sources.reference import UnitDirectory, normalise

CANONICAL = "canonical"
FORMATS = ("csv", "xlsx")
# A published table is a few thousand rows at most: a workbook past these limits is refused before it is read in
# full (openpyxl builds every cell in memory, and an XLSX is a zip whose sheets may inflate a thousandfold).
MAX_XLSX_BYTES = 20 << 20
MAX_XLSX_INFLATED = 200 << 20
MAX_XLSX_CELLS = 2_000_000


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


def load_layout(name: str, root: Path) -> Layout:
    """A layout by name from the folder `root` (data/layouts)."""
    path = root / f"{name}.yaml"
    if "/" in name or "\\" in name or ".." in name or not path.is_file():
        raise InputError(root, f"layout {shown(name)} is not in data/layouts")
    doc = safe_yaml.load(path, "layout") or {}
    if not isinstance(doc, dict) or doc.get("format") not in FORMATS:
        raise InputError(path, f"'format' must be one of {FORMATS}", column="format")
    components = []
    for code, columns in (doc.get("components") or {}).items():
        if not isinstance(columns, dict) or not columns.get("score"):
            raise InputError(path, f"component {shown(code)} needs a 'score' column", column="components")
        components.append(ComponentColumns(str(code), str(columns["score"]), columns.get("rank")))
    if not components or not doc.get("unit_column"):
        raise InputError(path, "a layout needs 'unit_column' and at least one component", column="components")
    return Layout(path=path, name=name, format=doc["format"], sheet=doc.get("sheet"),
                  header_row=int(doc.get("header_row", 1)), unit_column=str(doc["unit_column"]),
                  unit_type=str(doc.get("unit_type", "province")), decimal_comma=bool(doc.get("decimal_comma")),
                  rank_of=doc.get("rank_of"), skip_rows_without_score=bool(doc.get("skip_rows_without_score")),
                  components=tuple(components), title=tuple(doc.get("title") or ()))


def _cell_text(value, decimal_comma: bool = False) -> str:
    """A cell as text: numbers as written (no float noise, in the table's decimal mark), empty cells as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)          # nan, inf: refused by the number check with its reason
    if isinstance(value, (int, float, Decimal)):
        text = format(Decimal(repr(value)).normalize(), "f") if value != int(value) else str(int(value))
        return text.replace(".", ",") if decimal_comma else text
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


def _xlsx_header(sheet, layout: Layout, notes: list[Normalisation]) -> list[str]:
    """The header row; a cell inside a merged range (a heading spanning rows or columns) takes the range's
    text, which is recorded as a normalisation."""
    row = layout.header_row
    header = [_cell_text(cell.value) for cell in sheet[row]]
    for merged in sheet.merged_cells.ranges:
        if not merged.min_row <= row <= merged.max_row:
            continue
        text = _cell_text(sheet.cell(merged.min_row, merged.min_col).value)
        for column in range(merged.min_col, merged.max_col + 1):
            if column <= len(header) and not header[column - 1] and text:
                header[column - 1] = text
                notes.append(Normalisation(row, sheet.cell(row, column).coordinate, "", text, "merged header"))
    return header


def _xlsx_table(path: Path, layout: Layout, notes: list[Normalisation]
                ) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """An XLSX sheet. Formula cells are read as the value the workbook last computed (recorded); a formula
    that was never computed (no value stored) is an error: the value cannot be known without a spreadsheet."""
    from openpyxl import load_workbook   # only when an XLSX is read

    _check_workbook(path, layout)
    try:   # not read-only: merged ranges and formulas are needed; published tables are small
        values_book = load_workbook(path, data_only=True)
        formulas_book = load_workbook(path, data_only=False)
    except Exception as exc:   # openpyxl raises several kinds for a file that is not an XLSX workbook
        raise InputError(path, f"is not a readable XLSX workbook ({type(exc).__name__})") from None
    values = values_book[layout.sheet] if layout.sheet else values_book.worksheets[0]
    formulas = formulas_book[values.title]
    header = _xlsx_header(values, layout, notes)
    data = []
    for number in range(layout.header_row + 1, values.max_row + 1):
        cells = []
        for column in range(1, values.max_column + 1):
            value, written = values.cell(number, column).value, formulas.cell(number, column).value
            if isinstance(written, str) and written.startswith("="):
                name = header[column - 1] if column <= len(header) else values.cell(number, column).coordinate
                if value is None:
                    raise InputError(path, f"cell {values.cell(number, column).coordinate} holds the formula "
                                           f"{written[:80]} but no computed value; save the workbook from a spreadsheet "
                                           "program (or paste the values) and publish it again", number, name)
                notes.append(Normalisation(number, name, written, _cell_text(value), "formula"))
            cells.append(_cell_text(value, layout.decimal_comma))
        if not any(cells):
            break   # the table ends at the first empty row (notes may follow)
        data.append((number, cells))
    return header, data


def _check_workbook(path: Path, layout: Layout) -> None:
    """Size, inflated size, the layout's sheet and its extent, read from the zip and the workbook's index alone."""
    from openpyxl import load_workbook

    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise InputError(path, f"is {size} bytes; a published table in XLSX is at most {MAX_XLSX_BYTES} bytes")
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(path, "is not a readable XLSX workbook (not a zip archive)") from None
    if inflated > MAX_XLSX_INFLATED:
        raise InputError(path, f"inflates to {inflated} bytes; a published table is at most {MAX_XLSX_INFLATED}")
    try:
        book = load_workbook(path, read_only=True)     # the workbook's index: sheet names and extents only
    except Exception as exc:   # noqa: BLE001 - openpyxl raises several kinds for a file that is not a workbook
        raise InputError(path, f"is not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        if layout.sheet and layout.sheet not in book.sheetnames:
            names = ", ".join(shown(name) for name in book.sheetnames[:10])
            raise InputError(path, f"has no sheet {shown(layout.sheet)} (sheets: {names})")
        sheet = book[layout.sheet] if layout.sheet else book.worksheets[0]
        rows, columns = sheet.max_row or 0, sheet.max_column or 0
        if rows * columns > MAX_XLSX_CELLS:
            raise InputError(path, f"sheet {shown(sheet.title)} spans {rows} rows × {columns} columns; a published "
                                   f"table is at most {MAX_XLSX_CELLS} cells")
    finally:
        book.close()


def _table(path: Path, layout: Layout, encoding: str | None = None, notes: list[Normalisation] | None = None
           ) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header cells and the data rows (with their row numbers) of the layout's sheet."""
    if layout.format == "csv":
        return _csv_table(path, layout, encoding)
    return _xlsx_table(path, layout, notes if notes is not None else [])


def _number(text: str, layout: Layout, path: Path, row: int, header: str) -> str:
    """A score cell in the one notation (with the layout's decimal mark), as canonical text."""
    if not text:
        return ""
    value = notation.decimal(text, layout.decimal_comma)
    if value is None:
        raise InputError(path, messages.not_a_number(text, layout.decimal_comma), row, header)
    return text.strip(notation.SPACES).replace(",", ".")


def _whole_number(text: str, path: Path, row: int, header: str) -> str:
    if text and notation.whole(text) is None:
        raise InputError(path, messages.not_a_whole_number(text), row, header)
    return text


def read_records(path: Path, layout: Layout, encoding: str | None = None,
                 notes: list[Normalisation] | None = None) -> list[tuple[int, dict[str, str]]]:
    """Records in the canonical columns, one per unit and component; a score may be empty (not printed)."""
    notes = notes if notes is not None else []
    header, rows = _table(path, layout, encoding, notes)
    merged = {_column_number(n.column) for n in notes if n.rule == "merged header"}
    check_unique_columns(path, header, layout.header_row, exempt=merged)
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


def _column_number(coordinate: str) -> int:
    """1-based column of a cell coordinate ('C3' -> 3)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    try:
        return column_index_from_string(coordinate_from_string(coordinate)[0])
    except ValueError:
        return 0


def read_layout(path: Path, layout: Layout, methodology: Methodology, units: UnitDirectory, *,
                encoding: str | None = None, year: int | None = None, rules: ReleaseRules | None = None) -> ReadResult:
    """A release file in an official layout, checked like the canonical CSV (a score is needed)."""
    notes: list[Normalisation] = []
    records = read_records(path, layout, encoding, notes)
    result = to_score_rows(path, records, methodology, units, year=year, rules=rules)
    result.normalisations[:0] = notes
    return result


def read_file(path: Path, layout_name: str, layouts_dir: Path, methodology: Methodology, units: UnitDirectory, *,
              encoding: str | None = None, year: int | None = None, rules: ReleaseRules | None = None) -> ReadResult:
    """A release file in its layout: the canonical long CSV, or an official layout by its mapping's name."""
    from ingest.sources.readers import read_canonical

    if layout_name == CANONICAL:
        return read_canonical(path, methodology, units, encoding=encoding, year=year, rules=rules)
    return read_layout(path, load_layout(layout_name, layouts_dir), methodology, units, encoding=encoding, year=year,
                       rules=rules)


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
