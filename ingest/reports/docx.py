"""The province report as a DOCX document (python-docx): the official header of a provincial report, the same
text and tables as the HTML page (ingest/reports/tables.py), the charts as PNG images, the signature block."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from ingest.reports import tables, text
from ingest.reports.charts import Chart
from ingest.reports.model import Report

GREY, RED, AMBER = RGBColor(0x66, 0x66, 0x66), RGBColor(0xB0, 0x00, 0x20), "FFF3CD"


def _lines(cell, lines: list[str], bold: bool = False, italic: bool = False, underline_line: int | None = None,
           size: int | None = None) -> None:
    """Centred lines in a borderless cell (the header and the signature block)."""
    cell.paragraphs[0].text = ""
    for i, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.bold, run.italic, run.underline = bold, italic, i == underline_line
        if size:
            run.font.size = Pt(size)


def _official_header(doc, report: Report) -> None:
    layout = doc.add_table(rows=1, cols=2)
    layout.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = layout.rows[0].cells
    _lines(left, text.issuer(report), bold=True, size=12)
    left.add_paragraph(text.document_number(report)).alignment = WD_ALIGN_PARAGRAPH.CENTER
    _lines(right, [text.NATIONAL_TITLE, text.MOTTO], bold=True, underline_line=1, size=12)
    place = right.add_paragraph()
    place.alignment = WD_ALIGN_PARAGRAPH.CENTER
    place.add_run(text.place_and_date(report)).italic = True
    note = doc.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = note.add_run(text.DRAFT_NOTE)
    run.italic, run.font.size, run.font.color.rgb = True, Pt(9), GREY
    for line, size in ((text.DOCUMENT_KIND, 14), (text.title(report), 12)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.bold, run.font.size = True, Pt(size)


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(doc, table: tables.Table) -> None:
    if table.caption:
        doc.add_paragraph(table.caption).runs[0].italic = True
    out = doc.add_table(rows=1, cols=len(table.header))
    out.style = "Table Grid"
    for cell, heading in zip(out.rows[0].cells, table.header):
        cell.text = heading
        cell.paragraphs[0].runs[0].bold = True
    for line in table.rows:
        for cell, value in zip(out.add_row().cells, line.cells):
            cell.text = value.text
            if value.numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if line.differs:
                _shade(cell, AMBER)
    if table.movement:
        doc.add_paragraph(table.movement)


def _signature(doc, report: Report) -> None:
    layout = doc.add_table(rows=1, cols=2)
    recipients, signer = layout.rows[0].cells
    recipients.paragraphs[0].text = ""
    for i, line in enumerate(text.recipients()):
        paragraph = recipients.paragraphs[0] if i == 0 else recipients.add_paragraph()
        run = paragraph.add_run(line)
        run.bold, run.italic, run.font.size = i == 0, i == 0, Pt(9 if i else 10)
    _lines(signer, [line for line in text.signature(report) if line], bold=True)


def render(report: Report, charts: list[Chart]):
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(11)
    _official_header(doc, report)
    if report.is_synthetic:
        run = doc.add_paragraph().add_run(text.SYNTHETIC_WARNING)
        run.bold, run.font.color.rgb = True, RED

    doc.add_heading(text.SECTIONS["headline"], level=2)
    for sentence in text.headline(report):
        doc.add_paragraph(sentence)

    doc.add_heading(text.SECTIONS["charts"], level=2)
    for chart in charts:
        doc.add_picture(io.BytesIO(chart.png), width=Cm(15))
        doc.add_paragraph(chart.caption).runs[0].italic = True

    doc.add_heading(text.fields_section(report), level=2)
    _table(doc, tables.year_on_year(report))
    for note in text.conflict_notes(report):
        doc.add_paragraph(note).runs[0].italic = True

    doc.add_heading(text.SECTIONS["lost"], level=2)
    lost = tables.lost_points(report)
    _table(doc, lost) if lost.rows else doc.add_paragraph(text.NO_LOST)

    doc.add_heading(text.SECTIONS["targets"], level=2)
    for plan in tables.targets(report):
        _table(doc, plan)
    if not report.targets:
        doc.add_paragraph(text.no_targets(report))

    doc.add_heading(text.SECTIONS["points"], level=2)
    if report.points:
        doc.add_paragraph(text.points_needed_method(report))
        for table in tables.points_needed(report) + tables.departments(report):
            _table(doc, table)
        if any(t.threshold_is_synthetic for t in report.points):
            doc.add_paragraph(text.SYNTHETIC_THRESHOLD_NOTE)
    else:
        doc.add_paragraph(text.no_rank_targets(report))

    _signature(doc, report)
    doc.add_paragraph(text.provenance(report)).runs[0].italic = True
    return doc
