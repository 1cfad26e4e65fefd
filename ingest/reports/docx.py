"""The province report as a DOCX document (python-docx): the same text and tables as the HTML page.

python-docx cannot embed SVG and no image library is pinned, so the two charts are tables here: the rank
by year, and the % of the maximum by field with a bar of block characters (one per 5 %), editable in Word.
"""
from __future__ import annotations

from docx import Document
from docx.shared import Pt, RGBColor

from ingest.reports.model import Report
from ingest.reports.text import (SYNTHETIC_WARNING, conflict_notes, headline, lost_points_cells, number,
                                 provenance, rank_text, target_cells, title, year_on_year_cells)


def _table(doc, header: list[str], rows: list[list[str]], caption: str | None = None):
    if caption:
        doc.add_paragraph(caption).runs[0].italic = True
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values):
            cell.text = text
    return table


def _bar(pct) -> str:
    return "█" * int(float(pct) // 5) if pct is not None else ""


def render(report: Report):
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(11)
    doc.add_heading(title(report), level=1)
    if report.is_synthetic:
        run = doc.add_paragraph().add_run(SYNTHETIC_WARNING)
        run.bold, run.font.color.rgb = True, RGBColor(0xB0, 0x00, 0x20)

    doc.add_heading("1. Kết quả chung", level=2)
    for sentence in headline(report):
        doc.add_paragraph(sentence)

    doc.add_heading("2. Biểu đồ", level=2)
    _table(doc, ["Năm", "Thứ hạng"], [[str(year), rank_text(rank, rank_of)] for year, rank, rank_of in
                                        report.rank_history], caption="Thứ hạng qua các năm")
    _table(doc, ["Lĩnh vực", f"Năm {report.year - 1} (%)", f"Năm {report.year} (%)", f"Năm {report.year}"],
           [[code, number(before), number(now), _bar(now)] for code, _, before, now in report.fields_pct],
           caption="Tỷ lệ % điểm tối đa theo lĩnh vực (█ = 5 %)")

    y = report.year
    doc.add_heading(f"3. Kết quả các lĩnh vực, tiêu chí năm {y} so với năm {y - 1}", level=2)
    _table(doc, ["STT", "Lĩnh vực / tiêu chí", f"Điểm tối đa {y - 1}", f"Điểm {y - 1}", f"Xếp hạng {y - 1}",
                 f"Điểm tối đa {y}", f"Điểm {y}", "Tỷ lệ %", f"Xếp hạng {y}", "Tăng/giảm điểm", "Tăng/giảm hạng"],
           [year_on_year_cells(r) for r in report.rows])
    for note in conflict_notes(report):
        doc.add_paragraph(note).runs[0].italic = True

    doc.add_heading("4. Điểm bị mất theo tiêu chí và đơn vị chủ trì, theo dõi", level=2)
    _table(doc, ["STT", "Tiêu chí", "Điểm tối đa", "Điểm đạt được", "Điểm bị mất", "Đơn vị chủ trì / theo dõi"],
           [lost_points_cells(p) for p in report.lost])

    doc.add_heading("5. Kết quả so với mục tiêu", level=2)
    for plan_ref in dict.fromkeys(t.plan_ref for t in report.targets):
        _table(doc, ["STT", "Chỉ số thành phần", "Mục tiêu: tỷ lệ điểm", "Mục tiêu: thứ hạng", "Kết quả: tỷ lệ điểm",
                     "Kết quả: thứ hạng", "Đánh giá (kho dữ liệu)", "Đánh giá in trong báo cáo", "Ghi chú"],
               [target_cells(t) for t in report.targets if t.plan_ref == plan_ref], caption=plan_ref)
    if not report.targets:
        doc.add_paragraph(f"Không có mục tiêu năm {y} trong các kế hoạch đã nạp (data/plans).")
    doc.add_paragraph(provenance(report)).runs[0].italic = True
    return doc
