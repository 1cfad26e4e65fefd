"""The shared Vietnamese text of the province report: numbers with a decimal comma, table cells and sentences.

The HTML page, the DOCX document and the charts say the same things in the same words: they take them from here.
"""
from __future__ import annotations

import unicodedata
from decimal import Decimal

from ingest.reports.model import Report

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
    code = f"{r.code}*" if r.printed_conflict else r.code      # see the notes on figures printed with two values
    return [code, r.name, maximum(r.previous_max), number(r.previous_score),
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


MEASURE_WORDS = {"score": "điểm", "rank": "thứ hạng"}


def conflict_notes(report: Report) -> list[str]:
    """One footnote per score or rank the source report prints with different values (marts.fct_printed_conflict)."""
    notes = []
    for c in report.conflicts:
        shown = number(c.published) if c.measure == "score" else str(int(c.published))
        others = "; ".join(f"{number(v) if c.measure == 'score' else int(v)} ({where})" for v, where in c.others)
        why = {"resolved": "giá trị được các số liệu khác của báo cáo ủng hộ nhiều nhất",
               "unresolved": "các chứng cứ ngang nhau nên giữ lần in đầu tiên",
               "decided": f"do người rà soát quyết định: {c.reason}"}[c.status]
        evidence = " | ".join(c.evidence.split(" | ")[1:])      # the relations beyond the printings
        notes.append(f"(*) {c.code} {c.name}: báo cáo nguồn in {MEASURE_WORDS[c.measure]} khác nhau — {shown} "
                     f"({c.printings}) và {others}. Kho dữ liệu công bố {shown}: {why}"
                     + (f" ({evidence})." if evidence else "."))
    return notes


def provenance(report: Report) -> str:
    published = f", công bố ngày {report.published_on:%d/%m/%Y}" if report.published_on else ""
    return (f"Số liệu: kho dữ liệu (marts.v_component_score, marts.v_points_lost, marts.fct_target_attainment), "
            f"bản phát hành {report.release_id} ({report.publisher or 'không rõ'}{published}). "
            f"Tạo tự động lúc {report.generated_at:%H:%M %d/%m/%Y}.")


SYNTHETIC_WARNING = "SỐ LIỆU TỔNG HỢP (SYNTHETIC): báo cáo có điểm số được sinh tự động, không phải số liệu công bố."
