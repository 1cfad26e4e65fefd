"""A province's analysis report of one index and year, written from the published marts (never from files).

`govwh report --unit "Lai Châu" --index PAR_INDEX --year 2024 --out <dir>` writes the same content as a
self-contained HTML page (reports/html.py, a Jinja2 template, charts as inline SVG) and as a DOCX document
(reports/docx.py, charts as PNG images): the official header of a provincial report (placeholders for the
number, date and recipients), the headline, the year-on-year table of fields and criteria, the points lost by
criterion with the responsible department, the targets against the results with their verdicts, the points the
plan's rank targets need and the departments that can recover them, and the charts (matplotlib, reports/charts.py).
The figures come from reports/reading.py, the tables and Vietnamese text both share from reports/tables.py and
reports/text.py; numbers use a decimal comma.
"""
from __future__ import annotations

from pathlib import Path

from ingest.core.config import Settings
from ingest.core.log import log
from ingest.reports import charts, docx, html
from ingest.reports.reading import fetch
from ingest.reports.text import slug


def write(settings: Settings, unit_name: str, index_code: str, year: int | None,
          out_dir: Path | None = None) -> list[Path]:
    """Write the HTML and the DOCX report (into settings.reports_dir unless told); returns their paths."""
    out_dir = out_dir or settings.reports_dir
    report = fetch(settings.warehouse, unit_name, index_code, year)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{index_code.lower()}_{report.year}_{slug(unit_name)}"
    html_path, docx_path = out_dir / f"{stem}.html", out_dir / f"{stem}.docx"
    drawn = charts.for_report(report)
    html_path.write_text(html.render(report, drawn), encoding="utf-8")
    docx.render(report, drawn).save(str(docx_path))
    log("report", f"{unit_name} {index_code} {report.year}: {html_path} and {docx_path.name}")
    return [html_path, docx_path]
