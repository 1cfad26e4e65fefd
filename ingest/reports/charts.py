"""Charts of the province report, drawn with matplotlib on its headless Agg backend.

Each chart is drawn once and exported twice: SVG for the HTML page (text kept as text, so it stays searchable and
crisp; nothing fetched) and PNG for the DOCX document (python-docx embeds raster images). Labels use the same
Vietnamese number format as the text (decimal comma).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")   # no display: the report is written by the CLI and by Airflow workers

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

from ingest.reports.text import department_targets, number  # noqa: E402

BLUE, GREY, INK, RED = "#1f5fa8", "#b8c2cc", "#222222", "#b00020"
PALETTE = ["#1f5fa8", "#e07b39", "#3a9d5d", "#8e5ea2", "#c9a227", "#5b8db8", "#c0504d", "#7f7f7f"]
matplotlib.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "none",
                            "svg.hashsalt": "govwh-report", "axes.spines.top": False, "axes.spines.right": False})


@dataclass(frozen=True)
class Chart:
    """One chart in both forms, with the caption both documents print under it."""

    caption: str
    svg: str
    png: bytes


def _export(fig: Figure, caption: str) -> Chart:
    svg, png = io.StringIO(), io.BytesIO()
    fig.savefig(svg, format="svg", metadata={"Date": None}, bbox_inches="tight")
    fig.savefig(png, format="png", dpi=150, bbox_inches="tight")
    text = svg.getvalue()
    return Chart(caption, text[text.index("<svg"):], png.getvalue())   # inline: without the XML prolog


def rank_history(history: list[tuple[int, int, int | None]], caption: str) -> Chart:
    """National rank by year, rank 1 at the top of the axis."""
    fig = Figure(figsize=(6, 2.8))
    ax = fig.add_subplot()
    if history:
        years = [str(year) for year, _, _ in history]
        ranks = [rank for _, rank, _ in history]
        worst = max(of or rank for _, rank, of in history)
        ax.plot(years, ranks, color=BLUE, marker="o", linewidth=2)
        for x, (_, rank, rank_of) in zip(years, history):
            ax.annotate(f"{rank}/{rank_of}" if rank_of else str(rank), (x, rank), textcoords="offset points",
                        xytext=(0, 8), ha="center", color=INK)
        ax.set_ylim(worst + 0.5, 0.5)   # inverted: 1 = the best rank, at the top
        ax.set_yticks(sorted({1, *range(10, worst + 1, 10), worst}))
    else:
        ax.text(0.5, 0.5, "Chưa có thứ hạng đã công bố.", ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel("Thứ hạng (1 = cao nhất)")
    return _export(fig, caption)


def pct_by_field(fields: list[tuple[str, str, Decimal | None, Decimal | None]], year: int, caption: str) -> Chart:
    """% of the maximum by field: the previous year (grey) and this year (blue), on a 0-100 scale."""
    fig = Figure(figsize=(6, 0.45 * len(fields) + 1))
    ax = fig.add_subplot()
    codes = [code for code, _, _, _ in fields][::-1]
    positions = range(len(codes))
    for offset, index, colour, label in ((-0.2, 2, GREY, str(year - 1)), (0.2, 3, BLUE, str(year))):
        values = [field[index] for field in fields][::-1]
        ax.barh([p + offset for p in positions], [float(v or 0) for v in values], height=0.38, color=colour,
                label=label)
        for p, value in zip(positions, values):
            if value is not None:
                ax.text(float(value) + 0.8, p + offset, f"{number(value)}%", va="center", fontsize=7)
    ax.set_yticks(list(positions), codes)
    ax.set_xlim(0, 112)
    ax.set_xlabel("% điểm tối đa")
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    return _export(fig, caption)


def points_by_department(departments: list[tuple[str, list[tuple[str, Decimal]]]], points_needed: Decimal | None,
                         caption: str) -> Chart:
    """Points lost on each department's criteria (one bar per department, a segment per criterion), and the
    points the target needs as a line: a bar past the line could close the gap alone."""
    fig = Figure(figsize=(6, 0.42 * len(departments) + 1.2))
    ax = fig.add_subplot()
    names = [name for name, _ in departments][::-1]
    for row, (_, criteria) in enumerate(departments[::-1]):
        left = 0.0
        for i, (code, lost) in enumerate(criteria):
            ax.barh(row, float(lost), left=left, color=PALETTE[i % len(PALETTE)], edgecolor="white", height=0.6)
            if lost >= Decimal("0.2"):
                ax.text(left + float(lost) / 2, row, code, ha="center", va="center", color="white", fontsize=7)
            left += float(lost)
        ax.text(left + 0.05, row, number(sum((lost for _, lost in criteria), Decimal(0))), va="center", fontsize=7)
    if points_needed:
        ax.axvline(float(points_needed), color=RED, linestyle="--", linewidth=1.2)
        ax.text(float(points_needed), len(names) - 0.4, f" cần thêm {number(points_needed)}", color=RED, fontsize=8)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("Điểm bị mất ở các tiêu chí do đơn vị chủ trì")
    return _export(fig, caption)


def for_report(report) -> list[Chart]:
    """The report's charts, in order: rank history, % of the maximum by field, and for each unreached total target
    the points its lead departments could recover."""
    charts = [rank_history(report.rank_history, f"Thứ hạng {report.index_code} qua các năm (1 = cao nhất)"),
              pct_by_field(report.fields_pct, report.year, "Tỷ lệ % điểm tối đa theo lĩnh vực")]
    for t in department_targets(report):
        charts.append(points_by_department(
            [(d.name, [(c.code, c.points_lost) for c in d.criteria]) for d in t.departments], t.points_needed,
            f"Điểm bị mất theo đơn vị chủ trì và điểm cần thêm để đạt thứ hạng ≤ {t.target_rank} ({t.component_code})"))
    return charts
