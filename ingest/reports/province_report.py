"""A province's analysis report of one index and year, written from the published marts (never from files).

`govwh report --unit "Lai Châu" --index PAR_INDEX --year 2024 --out <dir>` writes the same content as a
self-contained HTML page (ingest/report_html.py, charts as inline SVG) and as a DOCX document
(ingest/report_docx.py): the headline, the year-on-year table of fields and criteria, the points lost by
criterion with the responsible department, the targets against the results with their verdicts, and the
charts (rank history, % of the maximum by field). The text is Vietnamese; numbers use a decimal comma.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ingest.core import config, db
from ingest.core.errors import NothingPublished
from ingest.core.log import log

LEVELS_IN_TABLE = ("total", "field", "criterion")
REPORTS_DIR = config.STATE_DIR / "reports"   # where `govwh report` and the province_report DAG write


@dataclass
class Row:
    code: str
    name: str
    level: str
    score: Decimal | None
    max_score: Decimal | None
    pct_of_max: Decimal | None
    rank: int | None
    rank_of: int | None
    delta: Decimal | None
    rank_change: int | None
    previous_score: Decimal | None = None
    previous_max: Decimal | None = None
    previous_rank: int | None = None
    previous_rank_of: int | None = None


@dataclass
class LostPoints:
    code: str
    name: str
    score: Decimal
    max_score: Decimal
    points_lost: Decimal
    owner: str | None
    owner_named_for: str | None


@dataclass
class TargetLine:
    """One component of a plan: its score target and its rank target against the results."""

    plan_ref: str
    code: str
    name: str
    score_target: str = "–"
    rank_target: str = "–"
    score_result: str = "–"
    rank_result: str = "–"
    verdict: str | None = None
    verdict_printed: str | None = None
    verdict_agrees: bool | None = None
    note: str | None = None
    owner: str | None = None


@dataclass
class Report:
    unit_name: str
    unit_type: str
    index_code: str
    index_name: str
    year: int
    release_id: str
    publisher: str | None
    published_on: dt.date | None
    source: str | None
    is_synthetic: bool
    region_name: str | None
    total: Row
    region_rank: int | None
    region_rank_of: int | None
    parts: list[Row]
    rows: list[Row]
    lost: list[LostPoints]
    targets: list[TargetLine]
    rank_history: list[tuple[int, int, int | None]]          # (year, rank, rank_of)
    fields_pct: list[tuple[str, str, Decimal | None, Decimal | None]]   # (code, name, previous %, this year's %)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))


# --- Vietnamese number formatting (decimal comma) -------------------------------------------------------------

def number(value, places: int = 2) -> str:
    if value is None:
        return "–"
    return f"{Decimal(value):.{places}f}".replace(".", ",")


def maximum(value) -> str:
    """A maximum as the methodology prints it: 9,5 and 10, not 9,50 and 10,00."""
    if value is None:
        return "–"
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


def signed(value, places: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{Decimal(value):+.{places}f}" if places else f"{int(value):+d}"
    return text.replace(".", ",").replace("-", "−")


def rank_text(rank: int | None, rank_of: int | None) -> str:
    if rank is None:
        return "–"
    return f"{rank}/{rank_of}" if rank_of else str(rank)


# The cells of the report's tables, the same in the HTML page and the DOCX document.

def year_on_year_cells(r) -> list[str]:
    return [r.code, r.name, maximum(r.previous_max), number(r.previous_score),
            rank_text(r.previous_rank, r.previous_rank_of), maximum(r.max_score), number(r.score),
            number(r.pct_of_max), rank_text(r.rank, r.rank_of), signed(r.delta), signed(r.rank_change, 0)]


def lost_points_cells(p) -> list[str]:
    owner = p.owner or "–"
    if p.owner and p.owner_named_for != p.code:
        owner += f" (theo lĩnh vực {p.owner_named_for})"
    return [p.code, p.name, maximum(p.max_score), number(p.score), number(p.points_lost), owner]


def target_cells(t) -> list[str]:
    return [t.code, t.name, t.score_target, t.rank_target, t.score_result, t.rank_result,
            t.verdict or "chưa xác định", t.verdict_printed or "–", t.note or ""]


def change_words(delta, unit: str, up: str = "tăng", down: str = "giảm") -> str:
    """'tăng 0,19 điểm' / 'giảm 7 hạng' / 'giữ nguyên'."""
    if delta is None:
        return "không so sánh được"
    if delta == 0:
        return "giữ nguyên"
    magnitude = number(abs(delta)) if unit == "điểm" else str(abs(int(delta)))
    return f"{up if delta > 0 else down} {magnitude} {unit}"


def slug(text: str) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))
    return "_".join("".join(c if c.isalnum() else " " for c in folded.replace("đ", "d")).split())


# --- reading the marts ------------------------------------------------------------------------------------------

def _dicts(cur) -> list[dict]:
    columns = [c.name for c in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


def has_region_rank(cur) -> bool:
    """Region ranks come with the national releases (region_rank in v_component_score); until then '–'."""
    cur.execute("select 1 from information_schema.columns where table_schema = %s and table_name = "
                "'v_component_score' and column_name = 'region_rank'", (config.PUBLISHED_SCHEMA,))
    return cur.fetchone() is not None


def _row(r: dict) -> Row:
    return Row(r["component_code"], r["component_name"], r["level"], r["score"], r["max_score"], r["pct_of_max"],
               r["rank"], r["rank_of"], r["delta_vs_previous"], r["rank_change_vs_previous"])


def _scores(cur, unit_name: str, index_code: str, year: int, region: bool) -> list[dict]:
    region_columns = "region_rank, region_rank_of" if region else "null::integer as region_rank, " \
                                                                   "null::integer as region_rank_of"
    cur.execute(f"""
        select component_code, component_name, level, part, component_position, score, max_score, pct_of_max,
               rank, rank_of, delta_vs_previous, rank_change_vs_previous, region_name, unit_code, unit_type, index_name,
               release_id, is_synthetic, {region_columns}
        from marts.v_component_score
        where unit_name = %s and index_code = %s and year = %s
        order by component_position""", (unit_name, index_code, year))
    return _dicts(cur)


def _joined(text: str, more: str) -> str:
    """'16-19' + '16-19' stays; '–' + 'x' = 'x'; otherwise 'a; b'."""
    if text == "–":
        return more
    return text if more in text.split("; ") else f"{text}; {more}"


def _result(value, metric_kind: str) -> str:
    return number(value, 0 if metric_kind == "rank" else 2)


def _note(line: TargetLine, differences: list[str], issues: list[str]) -> str | None:
    """Why a target has no verdict, or why the warehouse's verdict differs from the one a report printed."""
    notes = list(dict.fromkeys(issues))
    compared = "; ".join(dict.fromkeys(differences))
    if line.verdict_agrees is False:
        notes.append(f"Đánh giá khác báo cáo vì báo cáo so với kết quả khác: {compared}." if compared
                     else "Báo cáo in đánh giá khác với cùng kết quả.")
    elif compared:
        notes.append(f"Báo cáo in kết quả khác ({compared}); đánh giá không đổi.")
    return " ".join(notes) or None


def _targets(cur, unit_code: str, index_code: str, year: int, names: dict[str, str]) -> list[TargetLine]:
    cur.execute("""
        select a.plan_id, t.plan_ref, a.component_code, a.metric, a.metric_kind, a.target_printed, a.actual_value,
               a.actual_source_ref, a.attainment, a.verdict, a.verdict_printed, a.verdict_agrees, a.result_printed,
               a.result_source_ref, a.result_agrees, a.owner_vi, a.is_conflicting, a.printed_values
        from marts.fct_target_attainment as a
        join marts.fct_target as t using (target_key)
        where a.unit_code = %s and a.index_code = %s and a.year = %s and a.metric_kind <> 'other'
        order by a.plan_id, t.source_row""", (unit_code, index_code, year))
    lines: dict[tuple[str, str], TargetLine] = {}
    differences: dict[tuple[str, str], list[str]] = {}
    issues: dict[tuple[str, str], list[str]] = {}
    for r in _dicts(cur):
        key = (r["plan_id"], r["component_code"])
        line = lines.setdefault(key, TargetLine(r["plan_ref"], r["component_code"],
                                                names.get(r["component_code"], r["component_code"])))
        printed = r["target_printed"] or "–"
        if r["actual_value"] is None:
            result = "chưa có"
        elif r["metric_kind"] == "score":
            result = f"{number(r['actual_value'])}%"
        elif r["metric"].startswith("rank_gain"):
            result = f"{change_words(r['actual_value'], 'hạng')} so với năm {year - 1}"
        else:
            result = str(int(r["actual_value"]))
        if r["metric_kind"] == "score":
            line.score_target, line.score_result = printed, result
        else:
            line.rank_target = _joined(line.rank_target, printed)
            line.rank_result = _joined(line.rank_result, result)
        line.verdict, line.verdict_printed, line.verdict_agrees = r["verdict"], r["verdict_printed"], r["verdict_agrees"]
        line.owner = r["owner_vi"] or line.owner
        if r["is_conflicting"]:
            issues.setdefault(key, []).append(f"Kế hoạch in mục tiêu này với các giá trị khác nhau ({r['printed_values']}); "
                                              "không chọn giá trị nào.")
        elif r["attainment"] == "no_actual":
            issues.setdefault(key, []).append(f"Chưa có kết quả năm {year} trong kho dữ liệu.")
        if r["result_agrees"] is False:
            differences.setdefault(key, []).append(
                f"báo cáo {_result(r['result_printed'], r['metric_kind'])} ({r['result_source_ref']}), kho dữ liệu "
                f"{_result(r['actual_value'], r['metric_kind'])} ({r['actual_source_ref']})")
    for key, line in lines.items():
        line.note = _note(line, differences.get(key, []), issues.get(key, []))
    return list(lines.values())


def fetch(unit_name: str, index_code: str, year: int | None = None) -> Report:
    with db.transaction() as cur:
        if year is None:
            cur.execute("select max(year) from marts.v_component_score where unit_name = %s and index_code = %s",
                        (unit_name, index_code))
            (year,) = cur.fetchone()
        region = has_region_rank(cur)
        current = _scores(cur, unit_name, index_code, year, region) if year else []
        if not current:
            raise NothingPublished(f"no published {index_code} scores for {unit_name} in {year or 'any year'} "
                              "(marts.v_component_score)")
        previous = {r["component_code"]: r for r in _scores(cur, unit_name, index_code, year - 1, region)}
        total_row = next(r for r in current if r["level"] == "total")
        cur.execute("select publisher, published_on, source from marts.dim_release where release_id = %s",
                    (total_row["release_id"],))
        publisher, published_on, source = cur.fetchone() or (None, None, None)
        unit_code = total_row["unit_code"]
        cur.execute("""
            select component_code, component_name, score, max_score, points_lost, owner_vi, owner_named_for
            from marts.v_points_lost
            where unit_code = %s and index_code = %s and year = %s and level = 'criterion' and points_lost > 0
            order by points_lost desc, component_position""", (unit_code, index_code, year))
        lost = [LostPoints(*r) for r in cur.fetchall()]
        cur.execute("""
            select year, rank, rank_of from marts.v_component_score
            where unit_name = %s and index_code = %s and level = 'total' and rank is not null
            order by year""", (unit_name, index_code))
        history = [tuple(r) for r in cur.fetchall()]
        names = {r["component_code"]: r["component_name"] for r in current}
        targets = _targets(cur, unit_code, index_code, year, names)
    rows = []
    for r in current:
        if r["level"] not in LEVELS_IN_TABLE:
            continue
        row = _row(r)
        before = previous.get(r["component_code"])
        if before:
            row.previous_score, row.previous_max = before["score"], before["max_score"]
            row.previous_rank, row.previous_rank_of = before["rank"], before["rank_of"]
        rows.append(row)
    fields_pct = [(r["component_code"], r["component_name"], (previous.get(r["component_code"]) or {}).get("pct_of_max"),
                   r["pct_of_max"]) for r in current if r["level"] == "field"]
    return Report(
        unit_name=unit_name, unit_type=total_row["unit_type"], index_code=index_code,
        index_name=total_row["index_name"], year=year, release_id=total_row["release_id"], publisher=publisher,
        published_on=published_on, source=source, is_synthetic=any(r["is_synthetic"] for r in current),
        region_name=total_row["region_name"], total=next(row for row in rows if row.level == "total"),
        region_rank=total_row["region_rank"], region_rank_of=total_row["region_rank_of"],
        parts=[_row(r) for r in current if r["level"] == "part" and r["component_code"].startswith("TOTAL.")],
        rows=rows, lost=lost, targets=targets, rank_history=history, fields_pct=fields_pct)


# --- the shared Vietnamese text --------------------------------------------------------------------------------

UNIT_WORDS = {"province": "tỉnh", "department": "", "district": "huyện"}
PART_WORDS = {"TOTAL.appraisal": "điểm thẩm định", "TOTAL.survey": "điểm điều tra xã hội học"}


def title(report: Report) -> str:
    unit = f"{UNIT_WORDS.get(report.unit_type, '')} {report.unit_name}".strip()
    return f"Phân tích {report.index_name} năm {report.year} của {unit}"


def headline(report: Report) -> list[str]:
    """The headline sentences (the same in HTML and DOCX)."""
    t = report.total
    unit = f"{UNIT_WORDS.get(report.unit_type, '')} {report.unit_name}".strip()
    region = (f"xếp thứ {rank_text(report.region_rank, report.region_rank_of)} trong vùng {report.region_name}"
              if report.region_rank is not None else f"thứ hạng trong vùng {report.region_name or ''}: –".strip())
    before = report.year - 1
    if t.previous_score is None and t.previous_rank is None:
        change = f"xếp thứ {rank_text(t.rank, t.rank_of)} (chưa có số liệu năm {before} trong kho dữ liệu để so sánh)"
    else:
        change = (f"{change_words(t.delta, 'điểm')} so với năm {before}, xếp thứ {rank_text(t.rank, t.rank_of)}, "
                  f"{change_words(t.rank_change, 'hạng')} so với năm {before} (năm {before}: "
                  f"{number(t.previous_score)} điểm, hạng {rank_text(t.previous_rank, t.previous_rank_of)})")
    first = (f"{report.index_name} {unit} năm {report.year} đạt {number(t.score)}/{maximum(t.max_score)} điểm "
             f"({number(t.pct_of_max)}% điểm tối đa), {change}; {region}.")
    sentences = [first]
    if report.parts:
        pieces = [f"{PART_WORDS.get(p.code, p.name)} đạt {number(p.score)}/{maximum(p.max_score)} điểm "
                  f"({number(p.pct_of_max)}%)" for p in report.parts]
        sentences.append("Trong đó, " + ", ".join(pieces) + ".")
    return sentences


def provenance(report: Report) -> str:
    published = f", công bố ngày {report.published_on:%d/%m/%Y}" if report.published_on else ""
    return (f"Số liệu: kho dữ liệu (marts.v_component_score, marts.v_points_lost, marts.fct_target_attainment), "
            f"bản phát hành {report.release_id} ({report.publisher or 'không rõ'}{published}). "
            f"Tạo tự động lúc {report.generated_at:%H:%M %d/%m/%Y}.")


SYNTHETIC_WARNING = "SỐ LIỆU TỔNG HỢP (SYNTHETIC): báo cáo có điểm số được sinh tự động, không phải số liệu công bố."


def write(unit_name: str, index_code: str, year: int | None, out_dir: Path | None = None) -> list[Path]:
    """Write the HTML and the DOCX report (into REPORTS_DIR unless told); returns their paths."""
    out_dir = out_dir or REPORTS_DIR
    from ingest.reports import docx as report_docx, html as report_html

    report = fetch(unit_name, index_code, year)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{index_code.lower()}_{report.year}_{slug(unit_name)}"
    html_path, docx_path = out_dir / f"{stem}.html", out_dir / f"{stem}.docx"
    html_path.write_text(report_html.render(report), encoding="utf-8")
    report_docx.render(report).save(str(docx_path))
    log("report", f"{unit_name} {index_code} {report.year}: {html_path} and {docx_path.name}")
    return [html_path, docx_path]
