"""Official wide layouts: one declarative mapping per layout, one reader, the canonical checks and errors."""
from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ingest.core.errors import InputError
from ingest.sources import layouts, methodology
from ingest.sources.reference import unit_directory
from tests.conftest import BUNDLED

pytestmark = pytest.mark.unit

PCI_2021_CSV = BUNDLED.data_dir / "reports/national_releases/pci_2021.csv"
PCI_2021_XLSX = BUNDLED.releases_dir / "pci/2021/1/pci_2021.xlsx"
PCI = methodology.load("PCI", "2016", BUNDLED.methodology_dir)


def _read(path, layout_name):
    layout = layouts.load_layout(layout_name, BUNDLED.layouts_dir)
    return layouts.read_layout(path, layout, PCI, unit_directory(BUNDLED.reference_dir)).rows


def test_published_xlsx_sample_reads_like_the_collected_table():
    """The XLSX (Vietnamese headers, decimal commas, a title above the header) gives the figures of the CSV."""
    from_xlsx = _read(PCI_2021_XLSX, "pci_province_table_vi")
    from_csv = _read(PCI_2021_CSV, "national_releases_pci")
    assert len(from_xlsx) == 21 * 11
    strip = lambda rows: [(r.unit_code, r.component_code, r.score, r.rank, r.rank_of) for r in rows]  # noqa: E731
    assert strip(from_xlsx) == strip(from_csv)
    first = from_xlsx[0]
    assert (first.unit_name, first.component_code, first.score, first.rank, first.rank_of) == (
        "Quảng Ninh", "TOTAL", Decimal("73.02"), 1, 63)
    assert (first.source_row, first.source_ref) == (4, "pci_2021.xlsx row 4")
    sheet = load_workbook(PCI_2021_XLSX, read_only=True)["PCI 2021"]
    header, quang_ninh = [list(r) for r in sheet.iter_rows(min_row=3, max_row=4, values_only=True)]
    assert header[:4] == ["Tỉnh, thành phố", "Điểm PCI", "Xếp hạng", "Gia nhập thị trường"]
    assert quang_ninh[:4] == ["Quảng Ninh", "73,02", 1, "7,98"]   # decimal commas, as published


def test_trailing_zero_and_numeric_cells_are_read_as_written(tmp_path):
    records = layouts.read_records(PCI_2021_CSV, layouts.load_layout("national_releases_pci", BUNDLED.layouts_dir))
    layout = layouts.load_layout("pci_province_table_vi", BUNDLED.layouts_dir)
    written = layouts.write_table(records, layout, tmp_path / "t.xlsx")
    rows = {(r.unit_name, r.component_code): r.score for r in _read(written, "pci_province_table_vi")}
    assert str(rows[("Hà Nội", "TOTAL")]) == "68.60"          # printed with its trailing zero


def _bad_xlsx(tmp_path, row: int, column: int, value):
    from openpyxl import load_workbook as open_book

    book = open_book(PCI_2021_XLSX)
    book["PCI 2021"].cell(row=row, column=column, value=value)
    path = tmp_path / "pci_2021.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("row, column, value, where, message", [
    (5, 2, "70.61", (5, "Điểm PCI"), "expected a decimal comma"),
    (6, 4, "bảy", (6, "Gia nhập thị trường"), "expected a number with a decimal comma"),
    (7, 1, "Atlantis", (7, "unit_name"), "unknown province 'Atlantis'"),
    (8, 3, "thứ tám", (8, "Xếp hạng"), "whole number"),
])
def test_bad_cells_name_file_row_and_column(tmp_path, row, column, value, where, message):
    path = _bad_xlsx(tmp_path, row, column, value)
    with pytest.raises(InputError) as caught:
        _read(path, "pci_province_table_vi")
    assert (caught.value.row, caught.value.column) == where
    assert message in str(caught.value) and "pci_2021.xlsx" in str(caught.value)


def test_missing_column_and_wrong_sheet_are_named(tmp_path):
    path = _bad_xlsx(tmp_path, 3, 2, "Điểm")
    with pytest.raises(InputError, match="header \\(row 3\\) lacks column\\(s\\) 'Điểm PCI'"):
        _read(path, "pci_province_table_vi")
    csv_in_xlsx_layout = tmp_path / "table.xlsx"
    csv_in_xlsx_layout.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputError, match="is not a readable XLSX workbook"):
        _read(csv_in_xlsx_layout, "pci_province_table_vi")
    with pytest.raises(InputError, match="layout 'no_such_layout' is not in data/layouts"):
        _read(PCI_2021_CSV, "no_such_layout")


def test_rank_only_rows_are_anchors_not_scores():
    """A national excerpt may print a rank without a score: read as a record, refused as a score row."""
    path = BUNDLED.data_dir / "reports/national_releases/par_index_2024.csv"
    records = layouts.read_records(path, layouts.load_layout("national_releases_total_rank", BUNDLED.layouts_dir))
    assert [(r["unit_name"], r["score"], r["rank"]) for _, r in records] == [
        ("Hải Phòng", "96.17", "1"), ("Bà Rịa - Vũng Tàu", "", "2"), ("Hà Nội", "", "3"), ("Lai Châu", "85.97", "56")]
    with pytest.raises(InputError, match="row 3, column 'score': score is empty"):
        layouts.read_layout(path, layouts.load_layout("national_releases_total_rank", BUNDLED.layouts_dir),
                            methodology.load("PAR_INDEX", "2024", BUNDLED.methodology_dir),
                            unit_directory(BUNDLED.reference_dir))
