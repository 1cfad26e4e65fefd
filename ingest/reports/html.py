"""The province report as one self-contained HTML page, rendered through the Jinja2 template beside this module
(templates/report.html.j2, autoescape on): inline CSS, charts as inline SVG, no script, nothing fetched."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ingest.reports import tables, text
from ingest.reports.charts import Chart
from ingest.reports.model import Report

TEMPLATES = Path(__file__).with_name("templates")
_ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(report: Report, charts: list[Chart]) -> str:
    synthetic_threshold = any(t.threshold_is_synthetic for t in report.points)
    return _ENVIRONMENT.get_template("report.html.j2").render(
        title=text.title(report), issuer=text.issuer(report), number=text.document_number(report),
        national_title=text.NATIONAL_TITLE, motto=text.MOTTO, place_and_date=text.place_and_date(report),
        draft_note=text.DRAFT_NOTE, document_kind=text.DOCUMENT_KIND,
        synthetic_warning=text.SYNTHETIC_WARNING if report.is_synthetic else None,
        sections=text.SECTIONS, fields_section=text.fields_section(report), headline=text.headline(report),
        charts=charts, year_on_year=tables.year_on_year(report), lost=tables.lost_points(report), no_lost=text.NO_LOST,
        targets=tables.targets(report), no_targets=text.no_targets(report),
        points=tables.points_needed(report), points_method=text.points_needed_method(report),
        departments=tables.departments(report), no_rank_targets=text.no_rank_targets(report),
        synthetic_threshold_note=text.SYNTHETIC_THRESHOLD_NOTE if synthetic_threshold else None,
        recipients=text.recipients(), signature=[line for line in text.signature(report) if line],
        conflict_notes=text.conflict_notes(report), provenance=text.provenance(report))
