"""The province report as a document people sign: the official header, the charts as images in the DOCX, the
points-needed section, the HTML through its Jinja2 template, and the same numbers in the HTML and the DOCX."""
from __future__ import annotations

import datetime as dt
import html.parser
import re
import struct
from decimal import Decimal

import pytest

from ingest.reports import html as report_html
from ingest.reports import province_report
from ingest.reports import text as words
from ingest.reports.model import Report, Row
from tests.conftest import query

NUMBER = re.compile(r"[−+-]?\d+(?:[.,]\d+)*")


@pytest.fixture(scope="module")
def written(published_db, tmp_path_factory) -> dict:
    from docx import Document

    out = tmp_path_factory.mktemp("report")
    html_path, docx_path = province_report.write(published_db, "Lai Châu", "PAR_INDEX", 2024, out)
    return {"html": html_path.read_text(encoding="utf-8"), "docx": Document(str(docx_path))}


class _VisibleText(html.parser.HTMLParser):
    """The page's text in document order, without the head, the style and the charts' SVG (images in the DOCX)."""

    SKIPPED = {"head", "style", "svg"}

    def __init__(self):
        super().__init__()
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.depth += tag in self.SKIPPED

    def handle_endtag(self, tag):
        self.depth -= tag in self.SKIPPED

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def docx_text(doc) -> str:
    """Paragraphs and table cells in the order of the document body."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    parts = []
    for child in doc.element.body.iterchildren():
        if child.tag.endswith("}p"):
            parts.append(Paragraph(child, doc).text)
        elif child.tag.endswith("}tbl"):
            parts.extend(cell.text for row in Table(child, doc).rows for cell in row.cells)
    return " ".join(" ".join(parts).split())


@pytest.mark.db
@pytest.mark.slow
def test_the_html_and_the_docx_print_the_same_numbers(written):
    in_html, in_docx = NUMBER.findall(html_text(written["html"])), NUMBER.findall(docx_text(written["docx"]))
    assert len(in_html) > 500
    assert in_html == in_docx
    assert html_text(written["html"]) == docx_text(written["docx"])   # and the same words around them


@pytest.mark.db
@pytest.mark.slow
def test_the_docx_has_the_charts_as_images(written):
    doc = written["docx"]
    images = [rel.target_part for rel in doc.part.rels.values() if "image" in rel.reltype]
    # rank history, % of the maximum by field, and the departments' points for the unreached total target
    assert len(doc.inline_shapes) == len(images) == 3
    for image in images:
        assert image.content_type == "image/png" and image.blob[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", image.blob[16:24])
        assert width > 600 and height > 250 and len(image.blob) > 20_000
    captions = [p.text for p in doc.paragraphs if p.text.startswith(("Thứ hạng PAR_INDEX", "Tỷ lệ %", "Điểm bị mất"))]
    assert captions[0] == "Thứ hạng PAR_INDEX qua các năm (1 = cao nhất)"
    assert captions[2] == "Điểm bị mất theo đơn vị chủ trì và điểm cần thêm để đạt thứ hạng ≤ 46 (TOTAL)"


@pytest.mark.db
@pytest.mark.slow
def test_the_official_header_and_the_signature_block(written):
    header = written["docx"].tables[0]
    issuer, national = (cell.text.splitlines() for cell in header.rows[0].cells)
    assert issuer == ["ỦY BAN NHÂN DÂN", "TỈNH LAI CHÂU", "Số: ……/BC-UBND"]
    assert national == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                        "Lai Châu, ngày …… tháng …… năm ……"]
    motto = header.rows[0].cells[1].paragraphs[1].runs[0]
    assert motto.bold and motto.underline
    recipients, signer = (cell.text.splitlines() for cell in written["docx"].tables[-1].rows[0].cells)
    assert recipients[0] == "Nơi nhận:" and recipients[-1] == "- Lưu: VT, ……."
    assert signer[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    page = html_text(written["html"])
    assert page.startswith("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU Số: ……/BC-UBND CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM "
                           "Độc lập - Tự do - Hạnh phúc")
    assert "BÁO CÁO Phân tích Chỉ số cải cách hành chính (PAR INDEX) năm 2024 của tỉnh Lai Châu" in page


@pytest.mark.db
@pytest.mark.slow
def test_the_points_needed_section_in_both(written, published_db):
    (threshold, province, needed, synthetic), = query(published_db, """
        select threshold_score, threshold_unit_name, points_needed, threshold_is_synthetic from marts.fct_points_needed
        where plan_id = 'kh_2205_2024' and component_code = 'TOTAL' and metric = 'rank_gain_min'""")
    points_tables = [t for t in written["docx"].tables if tuple(c.text for c in t.rows[0].cells) ==
                     tuple(words.POINTS_NEEDED_HEADER)]
    (table,) = points_tables
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert rows["TOTAL"][2:] == ["Tăng từ 3-5 hạng so với năm 2023", "≤ 46", "56/63",
                                 f"{words.number(threshold)} ({province})", "85,97", words.number(needed),
                                 "Sở Nội vụ (3,49)",
                                 "Số liệu tổng hợp (SYNTHETIC)" if synthetic else "Số liệu công bố"]
    assert rows["6"][7].startswith("Đạt (dư ")                  # 53rd against "54-57"
    departments = [t for t in written["docx"].tables if t.rows[0].cells[1].text == "Đơn vị chủ trì"]
    first = [c.text for c in departments[0].rows[1].cells]
    assert first[:3] == ["1", "Sở Nội vụ", "3,49"] and first[4].startswith("5.4 (1,00); 5.7 (0,94); 4.1 (0,71)")
    page = html_text(written["html"])
    assert "6. Điểm cần thêm để đạt thứ hạng mục tiêu và đơn vị có thể lấy lại" in page
    assert words.SYNTHETIC_THRESHOLD_NOTE in page and f"{words.number(threshold)} ({province})" in page


def _tiny_report(name: str) -> Report:
    row = Row("TOTAL", name, "total", Decimal("50"), Decimal("100"), Decimal("50"), 10, 63, None, None)
    return Report(unit_name="Lai Châu", unit_type="province", index_code="PAR_INDEX", index_name="PAR INDEX",
                  year=2024, release_id="PAR_INDEX/2024/1", publisher=None, published_on=None, source=None,
                  is_synthetic=False, region_name=None, total=row, region_rank=None, region_rank_of=None, parts=[],
                  rows=[row], lost=[], targets=[], rank_history=[], fields_pct=[], points=[],
                  generated_at=dt.datetime(2026, 1, 1))


@pytest.mark.unit
def test_the_template_escapes_what_it_prints():
    page = report_html.render(_tiny_report("<script>alert('x')</script> & Co"), charts=[])
    assert "<script>" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co" in page
    assert report_html.TEMPLATES.joinpath("report.html.j2").is_file()
    assert words.no_rank_targets(_tiny_report("x")) in html_text(page)
