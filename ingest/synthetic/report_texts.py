"""SYNTHETIC report texts in the style of the bundled ones, with their facts known, to test the extractor on
reports it has never seen (and the audit on planted slips).

A report is drawn from a seed: a province, an index year (PAR INDEX 2023 or 2024, whose methodology the
registry holds), values, and for each sentence and table one of several phrasings, number formats
(decimal comma or point), name spellings (abbreviations CCHC/TTHC/KTXH, the old tone placement "hoà",
"Chỉ số thành phần ..." or not) and table layouts. Sentences the extractor must not read as facts are mixed
in: targets, ranges, counts, points lost, a rate of an indicator, and figures about something that is not a
component (those must come out as "not understood"). Nothing here is real: the values are drawn at random.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.curation.extract.registry import Registry

FIELDS = ("1", "2", "3", "4", "5", "6", "7", "8.1", "8.2")


@dataclass(frozen=True)
class Expected:
    index_code: str
    year: int
    unit_name: str
    component_code: str
    measure: str
    value: Decimal
    line: int
    rank_of: int | None = None

    @property
    def key(self) -> tuple:
        return (self.index_code, self.year, self.unit_name, self.component_code, self.measure,
                self.rank_of if self.measure == "rank" else None)


@dataclass
class Report:
    seed: int
    lines: list[str] = field(default_factory=list)
    facts: list[Expected] = field(default_factory=list)
    unknown_lines: list[int] = field(default_factory=list)     # figures that must be listed as not understood
    slips: list[tuple[int, str, str]] = field(default_factory=list)   # (line, component, what was planted)
    tables: list[tuple[int, list[list[str]]]] = field(default_factory=list)   # (first line, rows of cells)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def add(self, line: str) -> int:
        self.lines.append(line)
        return len(self.lines)


class _Writer:
    def __init__(self, seed: int, reg: Registry):
        self.rng = random.Random(seed)
        self.comma = self.rng.random() < 0.5
        self.report = Report(seed)
        provinces = sorted(n for n, (t, _) in reg.unit_names().items() if t == "province" and n[0].isupper())
        self.province = self.rng.choice([p for p in provinces if " - " not in p])
        self.year = self.rng.choice((2023, 2024))
        self.method, _ = reg.methodology_for("PAR_INDEX", self.year)

    def num(self, value: Decimal, signed: bool = False) -> str:
        text = f"{abs(value):.2f}" if not signed else f"{value:+.2f}"
        return text.replace(".", ",") if self.comma else text

    def name(self, code: str, in_prose: bool) -> str:
        name = self.method.component(code).name
        if self.rng.random() < 0.4:
            name = name.replace("cải cách hành chính", "CCHC").replace("thủ tục hành chính", "TTHC") \
                .replace("kinh tế - xã hội", "KTXH")
        if self.rng.random() < 0.4:
            name = name.replace("hòa", "hoà").replace("hóa", "hoá").replace("Hòa", "Hoà")
        if in_prose and self.rng.random() < 0.5:
            return "chỉ số thành phần " + name[0].lower() + name[1:]
        return name + ("." if self.rng.random() < 0.2 else "")

    def fact(self, code: str, measure: str, value, line: int, year: int | None = None, rank_of: int | None = None):
        self.report.facts.append(Expected("PAR_INDEX", year or self.year, self.province, code, measure,
                                          Decimal(str(value)), line, rank_of))


def generate(seed: int, reg: Registry, slips: bool = False) -> Report:
    """A SYNTHETIC report; with slips, three printed figures contradict the others (listed in report.slips): a
    change in the table that is not the difference of its two years, a rank in a section that is not the
    table's, a percentage in a section that is not score / maximum."""
    w = _Writer(seed, reg)
    rng, r, y = w.rng, w.report, w.year
    maxima = {c: w.method.component(c).max_score for c in FIELDS}
    scores = {c: (m * Decimal(rng.randint(60, 99)) / 100).quantize(Decimal("0.01")) for c, m in maxima.items()}
    before = {c: (s - Decimal(rng.randint(-40, 40)) / 100).quantize(Decimal("0.01")) for c, s in scores.items()}
    ranks = {c: rng.randint(1, 63) for c in (*FIELDS, "TOTAL")}
    ranks_before = {c: rng.randint(1, 63) for c in ranks}
    total, total_before = sum(scores.values()), sum(before.values())

    r.add("BÁO CÁO CHUYÊN ĐỀ (SYNTHETIC)")
    r.add(f"Phân tích Chỉ số cải cách hành chính (PAR INDEX) năm {y} của tỉnh {w.province}")
    r.add("")
    r.add(f"1. Kết quả Chỉ số PAR INDEX năm {y}")
    delta, change = total - total_before, ranks_before["TOTAL"] - ranks["TOTAL"]
    verb, rverb = ("tăng" if delta >= 0 else "giảm"), ("tăng" if change >= 0 else "giảm")
    variant = rng.randrange(3)
    if variant == 0:
        line = r.add(f"Chỉ số PAR INDEX tỉnh {w.province} năm {y} đạt {w.num(total)} điểm, {verb} {w.num(abs(delta))} "
                     f"điểm so với năm {y - 1}, xếp vị trí thứ {ranks['TOTAL']}/63 tỉnh, thành phố, {rverb} "
                     f"{abs(change)} hạng so với năm {y - 1}.")
    elif variant == 1:
        line = r.add(f"Năm {y}, Chỉ số cải cách hành chính của tỉnh {w.province} đạt {w.num(total)}/100 điểm, xếp "
                     f"hạng {ranks['TOTAL']}/63 tỉnh, thành phố; {verb} {w.num(abs(delta))} điểm và {rverb} "
                     f"{abs(change)} bậc so với năm {y - 1}.")
    else:
        line = r.add(f"Theo kết quả công bố, tỉnh {w.province} đạt {w.num(total)} điểm, đứng thứ {ranks['TOTAL']}/63 "
                     f"cả nước, {rverb} {abs(change):02d} bậc so với năm {y - 1} (năm {y - 1} đạt "
                     f"{w.num(total_before)} điểm).")
        w.fact("TOTAL", "score", total_before, line, year=y - 1)
    w.fact("TOTAL", "score", total, line)
    w.fact("TOTAL", "rank", ranks["TOTAL"], line, rank_of=63)
    w.fact("TOTAL", "rank_change", change, line)
    if variant != 2:
        w.fact("TOTAL", "delta", delta, line)
    line = r.add(f"Mục tiêu năm {y + 1}: đạt từ 86% điểm trở lên, tăng tối thiểu 01 hạng; kết quả của các tỉnh "
                 f"dao động từ {w.num(Decimal('70.12'))} – {w.num(Decimal('95.30'))} điểm. Có 3/8 chỉ số thành "
                 f"phần tăng hạng.")
    line = r.add(f"Điểm đánh giá chất lượng đường giao thông nông thôn đạt {w.num(Decimal('0.5'))}/1 điểm.")
    r.unknown_lines.append(line)
    sections = rng.sample(FIELDS[:7], 3)
    slip = rng.choice([c for c in FIELDS[:7] if c not in sections]) if slips else None
    _table(w, scores, before, ranks, ranks_before, total, total_before, slip)
    for n, code in enumerate(sections):
        _section(w, code, scores[code], before[code], ranks[code], ranks_before[code],
                 ("rank", "pct", None)[n] if slips else None)
    return r


def _table(w: _Writer, scores, before, ranks, ranks_before, total, total_before, slip_code: str | None) -> None:
    r, y = w.report, w.year
    r.add(f"Bảng kết quả các chỉ số thành phần năm {y} so với năm {y - 1}")
    table: list[list[str]] = []
    r.tables.append((len(r.lines) + 1, table))
    for cell in ("STT", "Lĩnh vực", "", f"Năm {y - 1}", f"Năm {y}", f"Tăng/giảm năm {y} so với năm {y - 1}"):
        if cell:
            r.add("\t" + cell)
        else:
            r.add("")
    r.add("")
    for cell in ("", "", "Điểm tối đa", "Điểm đạt được", "Xếp hạng/63", "Điểm tối đa", "Điểm đạt được",
                 "Xếp hạng/63", "Điểm", "Thứ hạng"):
        r.add("\t" + cell)
    r.add("")
    table += [["STT", "Lĩnh vực", f"Năm {y - 1}", f"Năm {y}", f"Tăng/giảm năm {y} so với năm {y - 1}"],
              ["", "", "Điểm tối đa", "Điểm đạt được", "Xếp hạng/63", "Điểm tối đa", "Điểm đạt được", "Xếp hạng/63",
               "Điểm", "Thứ hạng"]]
    for code in (*FIELDS, "TOTAL"):
        number = code if "." not in code else ""
        label = w.name(code, False) if code != "TOTAL" else "Tổng cộng"
        now, then = (total, total_before) if code == "TOTAL" else (scores[code], before[code])
        maximum = Decimal(100) if code == "TOTAL" else w.method.component(code).max_score
        delta, change = now - then, ranks_before[code] - ranks[code]
        printed_delta = delta + Decimal("0.10") if code == slip_code else delta
        r.add("\t" + number)
        r.add("\t" + label)
        r.add("\t" + w.num(maximum))
        line_then = r.add("\t" + w.num(then))
        r.add(f"\t{ranks_before[code]}")
        r.add("\t" + w.num(maximum))
        line_now = r.add("\t" + w.num(now))
        r.add(f"\t{ranks[code]}")
        r.add("\t" + w.num(printed_delta, signed=True))
        r.add(f"\t{change:+d}" if change else "\t0")
        r.add("")
        table.append([number, label, w.num(maximum), w.num(then), str(ranks_before[code]), w.num(maximum), w.num(now),
                      str(ranks[code]), w.num(printed_delta, signed=True), f"{change:+d}" if change else "0"])
        w.fact(code, "score", then, line_then, year=y - 1)
        w.fact(code, "rank", ranks_before[code], line_then, year=y - 1, rank_of=63)
        w.fact(code, "score", now, line_now)
        w.fact(code, "rank", ranks[code], line_now, rank_of=63)
        w.fact(code, "delta", printed_delta, line_now)
        w.fact(code, "rank_change", change, line_now)
        if code == slip_code:
            r.slips.append((line_now, code, "delta"))
    r.add("")


def _section(w: _Writer, code: str, score, then, rank, rank_then, slip: str | None) -> None:
    r, y, rng = w.report, w.year, w.rng
    maximum = w.method.component(code).max_score
    pct = (score / maximum * 100).quantize(Decimal("0.01"))
    delta, change = score - then, rank_then - rank
    verb, rverb = ("tăng" if delta >= 0 else "giảm"), ("tăng" if change >= 0 else "giảm")
    r.add(f"2.{code}. {w.name(code, True)[0].upper()}{w.name(code, True)[1:]}")
    printed_rank = rank + 1 if slip == "rank" else rank
    pct = pct + 1 if slip == "pct" else pct
    if rng.random() < 0.5:
        line = r.add(f"Điểm đạt được {w.num(score)}/{w.num(maximum)} điểm (bằng {w.num(pct)}%), xếp thứ "
                     f"{printed_rank}/63 tỉnh, thành phố, {verb} {w.num(abs(delta))} điểm và {rverb} {abs(change)} "
                     f"bậc so với năm {y - 1}.")
    else:
        line = r.add(f"Năm {y}, chỉ số thành phần này đạt {w.num(score)} điểm, đạt {w.num(pct)}%, xếp hạng "
                     f"{printed_rank}/63 tỉnh, thành phố, {verb} {w.num(abs(delta))} điểm, {rverb} {abs(change)} "
                     f"hạng so với năm {y - 1} (mất {w.num(maximum - score)} điểm).")
    if slip:
        r.slips.append((line, code, slip))
    w.fact(code, "score", score, line)
    w.fact(code, "pct_of_max", pct, line)
    w.fact(code, "rank", printed_rank, line, rank_of=63)
    w.fact(code, "delta", delta, line)
    w.fact(code, "rank_change", change, line)
    r.add(f"Tỷ lệ hồ sơ được số hoá đạt {w.num(Decimal('73.96'))}%, đạt 100% kế hoạch năm {y}.")


def to_docx(report: Report, path):
    """The same report as a Word document: its tables with merged header cells (python-docx)."""
    from docx import Document

    doc = Document()
    starts = {start: rows for start, rows in report.tables}
    ends = {start: start + 1 + sum(len(r) + 1 for r in rows) for start, rows in report.tables}
    number = 1
    while number <= len(report.lines):
        if number in starts:
            rows = starts[number]
            table = doc.add_table(rows=len(rows), cols=len(rows[1]))
            table.style = "Table Grid"
            for c in (0, 1):                                   # STT and the name span both header rows
                table.cell(0, c).merge(table.cell(1, c)).text = rows[0][c]
            for (start, end), text in zip(((2, 4), (5, 7), (8, 9)), rows[0][2:]):
                table.cell(0, start).merge(table.cell(0, end)).text = text
            for r, cells in enumerate(rows[1:], start=1):
                for c, text in enumerate(cells):
                    if r > 1 or c > 1:
                        table.cell(r, c).text = text
            number = ends[number]
            continue
        line = report.lines[number - 1]
        if line.strip() and not line.startswith("\t"):
            doc.add_paragraph(line)
        number += 1
    doc.save(str(path))
    return path
