"""The province report as one self-contained HTML page (inline CSS and SVG; no script, nothing fetched)."""
from __future__ import annotations

from html import escape

from ingest.reports import charts
from ingest.reports.model import Report
from ingest.reports.text import (SYNTHETIC_WARNING, conflict_notes, headline, lost_points_cells, provenance,
                                 target_cells, title, year_on_year_cells)

STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin: 0.6em 0; }
th, td { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; }
th { background: #eef2f6; } td.n { text-align: right; white-space: nowrap; }
tr.total td, tr.field td { font-weight: bold; } tr.criterion td:nth-child(2) { padding-left: 1.5em; }
.differs { background: #fff3cd; } .warning { background: #f8d7da; padding: 0.6em; font-weight: bold; }
.headline { font-size: 1.05em; line-height: 1.5; } .source { color: #666; font-size: 0.85em; }
figure { display: inline-block; margin: 0 2em 1em 0; vertical-align: top; }
"""


def _cells(values: list[str], numeric_from: int = 2) -> str:
    return "".join(f"<td class='n'>{escape(v)}</td>" if i >= numeric_from else f"<td>{escape(v)}</td>"
                   for i, v in enumerate(values))


def year_on_year(report: Report) -> str:
    y = report.year
    head = (f"<tr><th rowspan='2'>STT</th><th rowspan='2'>Lĩnh vực / tiêu chí</th><th colspan='3'>Năm {y - 1}</th>"
            f"<th colspan='4'>Năm {y}</th><th colspan='2'>Tăng/giảm so với năm {y - 1}</th></tr>"
            "<tr><th>Điểm tối đa</th><th>Điểm đạt được</th><th>Xếp hạng</th><th>Điểm tối đa</th><th>Điểm đạt được</th>"
            "<th>Tỷ lệ %</th><th>Xếp hạng</th><th>Điểm</th><th>Thứ hạng</th></tr>")
    body = []
    for r in report.rows:
        body.append(f"<tr class='{r.level}' data-code='{escape(r.code)}'>{_cells(year_on_year_cells(r))}</tr>")
    notes = "".join(f"<p class='source'>{escape(n)}</p>" for n in conflict_notes(report))
    return (f"<table id='year-on-year'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
            + (f"<div id='printed-conflicts'>{notes}</div>" if notes else ""))


def lost_points(report: Report) -> str:
    if not report.lost:
        return "<p>Không tiêu chí nào bị mất điểm.</p>"
    rows = []
    for p in report.lost:
        *values, owner = lost_points_cells(p)
        rows.append(f"<tr data-code='{escape(p.code)}'>{_cells(values)}<td>{escape(owner)}</td></tr>")
    return ("<table id='lost-points'><thead><tr><th>STT</th><th>Tiêu chí</th><th>Điểm tối đa</th><th>Điểm đạt được</th>"
            "<th>Điểm bị mất</th><th>Đơn vị chủ trì / theo dõi</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>")


def targets(report: Report) -> str:
    if not report.targets:
        return f"<p>Không có mục tiêu năm {report.year} trong các kế hoạch đã nạp (data/plans).</p>"
    parts = []
    for plan_ref in dict.fromkeys(t.plan_ref for t in report.targets):
        rows = []
        for t in (t for t in report.targets if t.plan_ref == plan_ref):
            css = " class='differs'" if t.verdict_agrees is False else ""
            rows.append(f"<tr{css} data-code='{escape(t.code)}'>{_cells(target_cells(t), numeric_from=99)}</tr>")
        parts.append(
            f"<table class='targets'><caption>{escape(plan_ref)}</caption><thead><tr><th>STT</th>"
            "<th>Chỉ số thành phần</th><th>Mục tiêu: tỷ lệ điểm</th><th>Mục tiêu: thứ hạng</th>"
            "<th>Kết quả: tỷ lệ điểm</th><th>Kết quả: thứ hạng</th><th>Đánh giá (kho dữ liệu)</th>"
            "<th>Đánh giá in trong báo cáo</th><th>Ghi chú</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>")
    return "".join(parts)


def render(report: Report) -> str:
    heading = title(report)
    warning = f"<p class='warning'>{escape(SYNTHETIC_WARNING)}</p>" if report.is_synthetic else ""
    sentences = "".join(f"<p>{escape(s)}</p>" for s in headline(report))
    rank_chart = charts.rank_history(report.rank_history, f"Thứ hạng {report.index_code} qua các năm")
    pct_chart = charts.pct_by_field(report.fields_pct, report.year, "Tỷ lệ % điểm tối đa theo lĩnh vực")
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{escape(heading)}</title><style>{STYLE}</style></head>
<body>
<h1>{escape(heading)}</h1>
{warning}
<section id="headline" class="headline"><h2>1. Kết quả chung</h2>{sentences}</section>
<section id="charts"><h2>2. Biểu đồ</h2>
<figure>{rank_chart}<figcaption>Thứ hạng qua các năm</figcaption></figure>
<figure>{pct_chart}<figcaption>Tỷ lệ % điểm tối đa theo lĩnh vực</figcaption></figure></section>
<section id="fields"><h2>3. Kết quả các lĩnh vực, tiêu chí năm {report.year} so với năm {report.year - 1}</h2>
{year_on_year(report)}</section>
<section id="lost"><h2>4. Điểm bị mất theo tiêu chí và đơn vị chủ trì, theo dõi</h2>{lost_points(report)}</section>
<section id="targets"><h2>5. Kết quả so với mục tiêu</h2>{targets(report)}</section>
<p class="source">{escape(provenance(report))}</p>
</body></html>
"""
