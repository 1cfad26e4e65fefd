"""Makes the XLSX cases of the bad-input corpus (run from the repository root; the files are committed)."""
import datetime as dt
import re
import zipfile

from openpyxl import Workbook

FIELDS = ["Chỉ đạo điều hành", "Cải cách thể chế", "Cải cách TTHC", "Tổ chức bộ máy", "Chế độ công vụ",
          "Tài chính công", "Chính quyền số", "Tác động KTXH", "SIPAS"]
VALUES = [9.41, 9.09, 12.98, 9.57, 12.38, 9.35, 11.33, 3.69, 8.16]   # Lai Châu 2024, first results table
CORPUS = "tests/bad_inputs"


def workbook(total):
    book = Workbook()
    sheet = book.active
    sheet.title = "PAR INDEX 2024"
    sheet["A1"] = "Chỉ số cải cách hành chính năm 2024 của các tỉnh, thành phố trực thuộc Trung ương"
    for column, name in (("A", "Tỉnh, thành phố"), ("B", "PAR INDEX (%)"), ("C", "Xếp hạng")):
        sheet[f"{column}3"] = name
        sheet.merge_cells(f"{column}3:{column}4")       # headings spanning both header rows
    sheet["D3"] = "Chỉ số thành phần"
    sheet.merge_cells("D3:L3")                          # a heading over the field columns
    for offset, name in enumerate(FIELDS):
        sheet.cell(row=4, column=4 + offset, value=name)
    sheet["A5"], sheet["B5"], sheet["C5"] = "Lai Châu", total, 56
    for offset, value in enumerate(VALUES):
        sheet.cell(row=5, column=4 + offset, value=value)
    book.properties.created = book.properties.modified = dt.datetime(2026, 1, 1)
    return book


workbook(85.97).save(f"{CORPUS}/xlsx_merged_header.xlsx")
workbook("=SUM(D5:L5)").save(f"{CORPUS}/xlsx_formula_without_value.xlsx")
# The same workbook with the value a spreadsheet program stores beside a formula (openpyxl stores none).
with zipfile.ZipFile(f"{CORPUS}/xlsx_formula_without_value.xlsx") as source, \
        zipfile.ZipFile(f"{CORPUS}/xlsx_formula_with_value.xlsx", "w", zipfile.ZIP_DEFLATED) as target:
    for item in source.infolist():
        data = source.read(item.filename)
        if item.filename == "xl/worksheets/sheet1.xml":
            data = re.sub(r"<f>SUM\(D5:L5\)</f>(<v\s*/>|<v></v>)?", "<f>SUM(D5:L5)</f><v>85.96</v>", data.decode()).encode()
        target.writestr(item, data)
# Hostile workbooks (issue 15): two columns of one name, the layout's sheet missing, a file that is no workbook, a
# number written with an exponent.
book = workbook(85.97)
book["PAR INDEX 2024"]["M4"], book["PAR INDEX 2024"]["M5"] = "SIPAS", 9.99
book.save(f"{CORPUS}/xlsx_duplicate_header.xlsx")
book = workbook(85.97)
book["PAR INDEX 2024"].title = "Sheet1"
book.save(f"{CORPUS}/xlsx_missing_sheet.xlsx")
with open(f"{CORPUS}/xlsx_not_a_workbook.xlsx", "w", encoding="utf-8") as handle:
    handle.write("Tỉnh, thành phố;PAR INDEX (%)\nLai Châu;85,97\n")
book = workbook(85.97)
book["PAR INDEX 2024"]["D5"] = "9,41e0"
book.save(f"{CORPUS}/xlsx_number_exponent.xlsx")
