"""The shared Vietnamese text of the province report: numbers with a decimal comma, table cells and sentences.

The HTML page, the DOCX document and the charts say the same things in the same words: they take them from here.
"""
from __future__ import annotations

import unicodedata
from decimal import Decimal

from ingest.reports.model import Report
from ingest.reports.points_needed import NO_DEPARTMENT

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
    return (f"Số liệu: kho dữ liệu (marts.v_component_score, marts.v_points_lost, marts.fct_target_attainment, "
            f"marts.fct_points_needed), "
            f"bản phát hành {report.release_id} ({report.publisher or 'không rõ'}{published}). "
            f"Tạo tự động lúc {report.generated_at:%H:%M %d/%m/%Y}.")


SYNTHETIC_WARNING = "SỐ LIỆU TỔNG HỢP (SYNTHETIC): báo cáo có điểm số được sinh tự động, không phải số liệu công bố."


# --- the official header and the signature block (Nghị định 30/2020/NĐ-CP): placeholders to fill before signing ---

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK = "……"
DOCUMENT_KIND = "BÁO CÁO"
DRAFT_NOTE = ("Dự thảo do kho dữ liệu tạo tự động: điền số, ký hiệu, ngày tháng, nơi nhận và người ký trước khi "
              "ban hành.")


def issuer(report: Report) -> list[str]:
    """The issuing authority's lines (upper left): a province's People's Committee, else the unit itself."""
    if report.unit_type == "province":
        return ["ỦY BAN NHÂN DÂN", f"TỈNH {report.unit_name.upper()}"]
    return [report.unit_name.upper()]


def document_number(report: Report) -> str:
    return f"Số: {BLANK}/BC-UBND" if report.unit_type == "province" else f"Số: {BLANK}/BC-{BLANK}"


def place_and_date(report: Report) -> str:
    return f"{report.unit_name}, ngày {BLANK} tháng {BLANK} năm {BLANK}"


def recipients() -> list[str]:
    return ["Nơi nhận:", f"- {BLANK};", f"- {BLANK};", f"- Lưu: VT, {BLANK}."]


def signature(report: Report) -> list[str]:
    office = "TM. ỦY BAN NHÂN DÂN" if report.unit_type == "province" else "THỦ TRƯỞNG ĐƠN VỊ"
    return [office, "CHỦ TỊCH" if report.unit_type == "province" else "", "(Ký, ghi rõ họ tên, đóng dấu)", BLANK]


# --- points needed for the rank targets (marts.fct_points_needed, fct_points_needed_by_criterion) -------------

POINTS_NEEDED_HEADER = ["STT", "Chỉ số thành phần", "Mục tiêu thứ hạng", "Thứ hạng cần đạt", "Thứ hạng đạt được",
                        "Điểm ở thứ hạng cần đạt (tỉnh)", "Điểm đạt được", "Điểm cần thêm",
                        "Đơn vị có nhiều điểm bị mất nhất", "Nguồn điểm ở thứ hạng cần đạt"]
DEPARTMENTS_HEADER = ["Thứ tự", "Đơn vị chủ trì", "Điểm bị mất", "Đủ bù khoảng cách", "Tiêu chí (điểm bị mất)"]


def points_needed_cells(t) -> list[str]:
    if t.target_rank is None:
        needed = "–"
    elif t.is_reached:
        needed = f"Đạt (dư {number(-t.score_gap)})" if t.score_gap is not None else "Đạt"
    else:
        needed = number(t.points_needed)
    threshold = f"{number(t.threshold_score)} ({t.threshold_unit_name})" if t.threshold_score is not None else "–"
    lead = next((d for d in t.departments if d.name != NO_DEPARTMENT), None)
    source = "–" if t.threshold_score is None else (
        "Số liệu tổng hợp (SYNTHETIC)" if t.threshold_is_synthetic else "Số liệu công bố")
    return [t.component_code, t.component_name, t.target_printed,
            f"≤ {t.target_rank}" if t.target_rank else "–", rank_text(t.rank, t.rank_of), threshold, number(t.score),
            needed, f"{lead.name} ({number(lead.points_lost)})" if lead and not t.is_reached else "–", source]


def department_cells(d) -> list[str]:
    return [str(d.rank), d.name, number(d.points_lost), "Có" if d.covers_gap_alone else "Không",
            "; ".join(f"{c.code} ({number(c.points_lost)})" for c in d.criteria)]


def points_needed_method(report: Report) -> str:
    return (f"Điểm ở thứ hạng cần đạt là điểm của tỉnh đứng thứ N trong bảng xếp hạng {report.index_name} năm "
            f"{report.year} (không tính {report.unit_name}): đạt bằng điểm đó thì xếp thứ N hoặc cao hơn (bằng điểm "
            f"thì đồng hạng). Mục tiêu tăng hạng được tính từ thứ hạng năm {report.year - 1}. Điểm bị mất = điểm tối "
            "đa − điểm đạt được của từng tiêu chí; đơn vị chủ trì là đơn vị được nêu đầu tiên ở cột đơn vị chủ trì "
            "tham mưu/theo dõi.")


SYNTHETIC_THRESHOLD_NOTE = ("Số liệu tổng hợp (SYNTHETIC): điểm của các tỉnh khác trong bản phát hành toàn quốc chỉ "
                            "được công bố một phần; phần còn lại được sinh tự động (neo theo số liệu đã công bố). "
                            "Khoảng cách tính từ các điểm này chỉ để minh họa, không phải số liệu công bố.")


def departments_caption(t) -> str:
    return (f"Điểm có thể lấy lại theo đơn vị chủ trì — {t.component_code} {t.component_name}, mục tiêu "
            f"{t.target_printed} (thứ hạng ≤ {t.target_rank}): cần thêm {number(t.points_needed)} điểm")


def movement_sentence(t) -> str | None:
    moved = t.criteria_by_movement[:3]
    if not moved:
        return None
    synthetic = " (số liệu tổng hợp, SYNTHETIC)" if any(c.movement_is_synthetic for c in moved) else ""
    return (f"Các tỉnh khác tăng điểm nhiều nhất so với năm {t.year - 1} (bình quân) ở: "
            + ", ".join(f"{'lĩnh vực' if c.movement_component == c.field_code else 'tiêu chí'} {c.movement_component} "
                        f"({signed(c.others_mean_change)} điểm)" for c in moved) + synthetic
            + ".")


def department_targets(report: Report) -> list:
    """The targets whose points the report breaks down by department: the unreached total targets."""
    return [t for t in report.points if t.level == "total" and not t.is_reached and t.departments
            and t.points_needed is not None]


# --- table headers both documents print ------------------------------------------------------------------------

LOST_POINTS_HEADER = ["STT", "Tiêu chí", "Điểm tối đa", "Điểm đạt được", "Điểm bị mất", "Đơn vị chủ trì / theo dõi"]
TARGETS_HEADER = ["STT", "Chỉ số thành phần", "Mục tiêu: tỷ lệ điểm", "Mục tiêu: thứ hạng", "Kết quả: tỷ lệ điểm",
                  "Kết quả: thứ hạng", "Đánh giá (kho dữ liệu)", "Đánh giá in trong báo cáo", "Ghi chú"]


def year_on_year_header(year: int) -> list[str]:
    return ["STT", "Lĩnh vực / tiêu chí", f"Điểm tối đa {year - 1}", f"Điểm {year - 1}", f"Xếp hạng {year - 1}",
            f"Điểm tối đa {year}", f"Điểm {year}", "Tỷ lệ %", f"Xếp hạng {year}", "Tăng/giảm điểm", "Tăng/giảm hạng"]


SECTIONS = {"headline": "1. Kết quả chung", "charts": "2. Biểu đồ",
            "lost": "4. Điểm bị mất theo tiêu chí và đơn vị chủ trì, theo dõi", "targets": "5. Kết quả so với mục tiêu",
            "points": "6. Điểm cần thêm để đạt thứ hạng mục tiêu và đơn vị có thể lấy lại"}


def fields_section(report: Report) -> str:
    return f"3. Kết quả các lĩnh vực, tiêu chí năm {report.year} so với năm {report.year - 1}"


NO_LOST = "Không tiêu chí nào bị mất điểm."


def no_targets(report: Report) -> str:
    return f"Không có mục tiêu năm {report.year} trong các kế hoạch đã nạp (data/plans)."


def no_rank_targets(report: Report) -> str:
    return f"Không có mục tiêu thứ hạng năm {report.year} trong các kế hoạch đã nạp (data/plans)."
