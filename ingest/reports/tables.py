"""The report's tables as values (header, rows of cells, caption), built once from the Report and rendered by both
the HTML template and the DOCX writer, so both print the same figures in the same order."""
from __future__ import annotations

from dataclasses import dataclass

from ingest.reports import text
from ingest.reports.model import Report


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False          # right-aligned


@dataclass(frozen=True)
class Line:
    cells: tuple[Cell, ...]
    code: str | None = None        # the component the row is about (data-code in the HTML)
    differs: bool = False          # highlighted: the warehouse's verdict differs from the printed one


@dataclass(frozen=True)
class Table:
    name: str                      # what the table is (its HTML id; the tests find tables by it)
    header: tuple[str, ...]
    rows: tuple[Line, ...]
    caption: str | None = None
    movement: str | None = None    # a sentence printed under the table


def _line(values: list[str], numeric: range | tuple[int, ...], code: str | None = None, differs: bool = False) -> Line:
    """A row whose cells at the `numeric` positions are figures (right-aligned)."""
    return Line(tuple(Cell(v, i in numeric) for i, v in enumerate(values)), code, differs)


def year_on_year(report: Report) -> Table:
    return Table("year-on-year", tuple(text.year_on_year_header(report.year)),
                 tuple(_line(text.year_on_year_cells(r), range(2, 11), code=r.code) for r in report.rows))


def lost_points(report: Report) -> Table:
    return Table("lost-points", tuple(text.LOST_POINTS_HEADER),
                 tuple(_line(text.lost_points_cells(p), range(2, 5), code=p.code) for p in report.lost))


def targets(report: Report) -> list[Table]:
    return [Table("targets", tuple(text.TARGETS_HEADER),
                  tuple(_line(text.target_cells(t), (), code=t.code, differs=t.verdict_agrees is False)
                        for t in report.targets if t.plan_ref == plan_ref), caption=plan_ref)
            for plan_ref in dict.fromkeys(t.plan_ref for t in report.targets)]


def points_needed(report: Report) -> list[Table]:
    return [Table("points-needed", tuple(text.POINTS_NEEDED_HEADER),
                  tuple(_line(text.points_needed_cells(t), range(3, 8), code=t.component_code)
                        for t in report.points if t.plan_ref == plan_ref), caption=plan_ref)
            for plan_ref in dict.fromkeys(t.plan_ref for t in report.points)]


def departments(report: Report) -> list[Table]:
    return [Table("departments", tuple(text.DEPARTMENTS_HEADER),
                  tuple(_line(text.department_cells(d), (0, 2)) for d in t.departments),
                  caption=text.departments_caption(t), movement=text.movement_sentence(t))
            for t in text.department_targets(report)]
