"""The tables a SYNTHETIC transcription prints besides scores.csv (group averages, a service centre, a plan's targets,
points lost, national ranges), with one slot for a slip in each, and their relations.yaml; the shared pieces of
ingest/synthetic/transcriptions.py (the report being written, a planted slip, the printing of a scores.csv row).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

UNIT = "Tỉnh SYNTHETIC"
INDEX, YEAR = "PAR_INDEX", 2030
CENT = Decimal("0.01")
SCORE_COLUMNS = ["index_code", "year", "unit_name_vi", "unit_type", "component_code", "score", "pct_of_max", "rank",
                 "rank_of", "delta_printed", "rank_change_printed", "source_ref"]


@dataclass
class Planted:
    kind: str
    lines: tuple[str, ...]          # the odd printing(s), L<n>
    what: str


@dataclass
class Report:
    rng: random.Random
    kinds: set
    line: int = 0
    scores: list = field(default_factory=list)
    planted: list = field(default_factory=list)
    moving: str = ""                # the criterion of field 6 that changed (the others are steady at full marks)

    def next_line(self) -> str:
        self.line += self.rng.randint(1, 4)
        return f"L{self.line}"

    def plant(self, kind: str, lines, what: str) -> bool:
        if kind not in self.kinds:
            return False
        self.planted.append(Planted(kind, tuple(lines), what))
        return True


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(score: Decimal, top: Decimal, places: str = "0.01") -> Decimal:
    return (score / top * 100).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def printed_row(r: Report, year: int, code: str, score="", pct="", rank="", rank_of="", delta="", rank_change="",
         unit: str = UNIT, ref: str | None = None, index: str = INDEX) -> str:
    ref = ref or r.next_line()
    r.scores.append([index, year, unit, "province", code, score, pct, rank, rank_of, delta, rank_change, ref])
    return ref


def signed_text(value) -> str:
    return f"{value:+}" if value else "0"


# --- the other tables the report prints ------------------------------------------------------------------------

def group_tables(r: Report) -> dict:
    """Groups of units with their index % and change (scores.csv), and the averages and counts the text prints:
    group A's average, B's count, C's counts against its size, and the average of all D and E units each hold one
    slot for a slip."""
    groups = {"UNITS_A": 7, "UNITS_B": 5, "UNITS_C": 6, "UNITS_D": 4, "UNITS_E": 8}
    rows, means = [], {}
    for index, size in groups.items():
        pcts, deltas = [], []
        for n in range(1, size + 1):
            pct, before = cents(Decimal(r.rng.uniform(55, 95))), cents(Decimal(r.rng.uniform(50, 99)))
            delta = pct - before or CENT
            printed_row(r, YEAR, "TOTAL", score=pct, pct=pct, delta=signed_text(delta), unit=f"Đơn vị {index[-1]}{n}",
                        index=index)
            pcts.append(pct)
            deltas.append(delta)
        means[index] = cents(sum(pcts) / size)
        up = sum(1 for d in deltas if d > 0)
        ref = r.next_line()
        shown = means[index] + Decimal("0.8") if index == "UNITS_A" and r.plant(
            "wrong_mean", [ref], "average % of group A") else means[index]
        rows += [[index, "avg_pct", shown, "", ref], [index, "avg_delta", cents(sum(deltas) / size), "", r.next_line()]]
        ref = r.next_line()
        printed_up = up + (1 if up < size else -1) if index == "UNITS_B" and r.plant(
            "wrong_count", [ref], "units of group B whose index rose") else up
        rows.append([index, "count_increased", printed_up, size, ref])
        ref = r.next_line()
        down = size - up + 2 if index == "UNITS_C" and r.plant(
            "counts_exceed_units", [ref], "units that fell: more than the group has") else size - up
        rows.append([index, "count_decreased", down, size, ref])
    overall = cents((means["UNITS_D"] * groups["UNITS_D"] + means["UNITS_E"] * groups["UNITS_E"])
                 / (groups["UNITS_D"] + groups["UNITS_E"]))
    ref = r.next_line()
    if r.plant("wrong_weighted_mean", [ref], "average % of the units of groups D and E"):
        overall += Decimal("1.25")
    rows.append(["UNITS_DE", "avg_pct", overall, "", ref])
    return {"group_averages.csv": (["index_code", "metric", "value", "denominator", "source_ref"], rows)}


def service_tables(r: Report) -> dict:
    """A service centre's figures: files received (online + on paper), files resolved (on time + overdue, the
    overdue ones by department), the on-time rate, and the overdue files printed again in a summary."""
    online, paper = r.rng.randint(500, 3000), r.rng.randint(4000, 9000)
    on_time, overdue = r.rng.randint(4000, 9000), r.rng.randint(20, 90)
    received, resolved = online + paper, on_time + overdue
    rate = (Decimal(on_time) / resolved * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    lines = {m: r.next_line() for m in ("received", "online", "paper", "resolved", "on_time", "overdue", "rate")}
    if r.plant("wrong_total_of_parts", [lines["received"]], "files received ≠ online + on paper"):
        received += r.rng.choice([-57, 43])
    if r.plant("wrong_share", [lines["rate"]], "on-time rate ≠ on time / resolved"):
        rate += Decimal("0.8")
    departments, left = [], overdue
    for n in range(1, 4):
        part = left if n == 3 else r.rng.randint(1, left - (4 - n))
        left -= part
        departments.append([f"Sở {n}", "overdue_files", part, r.next_line()])
    summary_line = r.next_line()
    printed_again = overdue + (r.rng.choice([-3, 2]) if r.plant(
        "figure_printed_differently", [summary_line], "overdue files printed again with another value") else 0)
    service = [["files_received", received, lines["received"]], ["files_online", online, lines["online"]],
               ["files_on_paper", paper, lines["paper"]], ["files_resolved", resolved, lines["resolved"]],
               ["files_on_time", on_time, lines["on_time"]], ["files_overdue", overdue, lines["overdue"]],
               ["on_time_rate", rate, lines["rate"]]]
    return {"service_centre.csv": (["metric", "value", "source_ref"], service),
            "service_by_department.csv": (["department", "metric", "count", "source_ref"], departments),
            "summary.csv": (["metric", "value", "source_ref"], [["files_overdue", printed_again, summary_line]])}


def plan_tables(r: Report, tree: dict, s: dict) -> dict:
    targets, gains, lost, ranges = [], [], [], []
    for f in tree:
        rank = s["ranks"][f][1]
        best = max(1, rank - r.rng.randint(0, 4))
        worst = min(63, max(best, rank - r.rng.randint(0, 1)))
        gain = rank - best
        ref = r.next_line()
        if f == "2" and r.plant("wrong_band_gain", [ref], "highest rank gain ≠ rank − best rank of the band"):
            gain += r.rng.choice([-2, 1])
        targets += [[f, "rank_min", best, r.next_line()], [f, "rank_max", worst, r.next_line()],
                    [f, "other", gain, ref]]
        planned = [cents(Decimal(r.rng.choice(["0.25", "0.5", "1"]))) for _ in range(r.rng.randint(0, 2))]
        gains += [[f, points, r.next_line()] for points in planned]
        pct = ((s["now"][f] + sum(planned)) / s["maxima"][f] * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        ref = r.next_line()
        if f == "3" and r.plant("wrong_target_pct", [ref], "target % ≠ (points + planned gains) / maximum"):
            pct += Decimal("2.5")
        targets.append([f, "pct_of_max_min", pct, ref])
        low, high = cents(s["now"][f] * Decimal(r.rng.uniform(0.7, 0.99))), \
            cents(min(s["maxima"][f], s["now"][f] * Decimal(r.rng.uniform(1.01, 1.2))))
        ref = r.next_line()
        if f == "5" and r.plant("range_above_maximum", [ref], "national maximum above the field's maximum"):
            high = cents(s["maxima"][f] * 1000 + Decimal(r.rng.randint(1, 999)))
        ranges.append([f, low, high, ref])
    below = [(f"1.{i}", top) for i, top in enumerate(tree["1"], start=1) if s["now"][f"1.{i}"] < top]
    odd = r.rng.choice(below)[0] if below else None      # all at full marks: no points lost to get wrong
    for code, top in below:
        ref = r.next_line()
        points = top - s["now"][code]
        if code == odd and r.plant("wrong_points_lost", [ref], f"points lost by {code} ≠ maximum − score"):
            points = cents(points + Decimal("0.1"))
        lost.append([code, points, ref])
    return {"targets.csv": (["component_code", "metric", "value", "source_ref"], targets),
            "plan_gains.csv": (["component_code", "points_gain", "source_ref"], gains),
            "points_lost.csv": (["component_code", "points_lost", "source_ref"], lost),
            "national_ranges.csv": (["component_code", "national_min", "national_max", "source_ref"], ranges)}


RELATIONS = {
    "decimals": 2,
    "tables": {
        "group_averages.csv": {
            "value": ["value", "denominator"], "label": "metric", "defaults": {"year": YEAR},
            "facts": [{"columns": ["denominator"], "key": ["index_code"], "name": "units"}],
            "relations": [
                {"kind": "mean", "each": {"metric": "avg_pct", "index_code": {"not": "UNITS_DE"}},
                 "of": {"scores": {"index_code": "$index_code", "measure": "pct_of_max"}}},
                {"kind": "mean", "each": {"metric": "avg_delta"},
                 "of": {"scores": {"index_code": "$index_code", "measure": "delta"}}},
                {"kind": "count", "each": {"metric": "count_increased"},
                 "of": {"scores": {"index_code": "$index_code", "measure": "delta"}}, "where": {"op": ">", "than": 0}},
                {"kind": "count", "each": {"metric": "count_increased"}, "column": "denominator",
                 "of": {"scores": {"index_code": "$index_code", "measure": "pct_of_max"}},
                 "where": {"op": ">=", "than": 0}},
                {"kind": "sum_at_most", "exact": True, "each": {"metric": "count_increased"}, "column": "denominator",
                 "of": {"row": {"index_code": "$index_code", "metric": ["count_increased", "count_decreased"]}}},
                {"kind": "weighted_mean", "each": {"metric": "avg_pct", "index_code": "UNITS_DE"},
                 "groups": [{"value": {"row": {"index_code": g, "metric": "avg_pct"}},
                             "weight": {"row": {"index_code": g, "metric": "count_increased"}, "column": "denominator"}}
                            for g in ("UNITS_D", "UNITS_E")]},
            ]},
        "service_centre.csv": {
            "value": "value", "label": "metric", "defaults": {"index_code": INDEX, "year": YEAR},
            "relations": [
                {"kind": "sum", "each": {"metric": "files_received"},
                 "of": [{"row": {"metric": m}} for m in ("files_online", "files_on_paper")]},
                {"kind": "sum", "each": {"metric": "files_resolved"},
                 "of": [{"row": {"metric": "files_on_time"}}, {"row": {"metric": "files_overdue"}}]},
                {"kind": "share", "each": {"metric": "on_time_rate"}, "part": {"row": {"metric": "files_on_time"}},
                 "whole": {"row": {"metric": "files_resolved"}}},
                {"kind": "sum", "each": {"metric": "files_overdue"},
                 "of": {"table": "service_by_department.csv", "row": {"metric": "overdue_files"}}},
            ]},
        "service_by_department.csv": {"value": "count", "label": "department"},
        "summary.csv": {
            "value": "value", "label": "metric",
            "relations": [{"kind": "equal", "to": {"table": "service_centre.csv", "row": {"metric": "$metric"}}}]},
        "targets.csv": {
            "value": "value", "label": "metric", "defaults": {"index_code": INDEX, "year": YEAR + 1},
            "relations": [
                {"kind": "rank_band_gain", "each": {"metric": "other"},
                 "rank": {"scores": {"index_code": INDEX, "year": YEAR, "component_code": "$component_code",
                                     "measure": "rank", "scope": "national"}},
                 "band": {"row": {"component_code": "$component_code", "metric": "rank_min"}}},
                {"kind": "target_pct", "each": {"metric": "pct_of_max_min"},
                 "base": {"scores": {"index_code": INDEX, "year": YEAR, "component_code": "$component_code",
                                     "measure": "score"}},
                 "gains": {"table": "plan_gains.csv", "row": {"component_code": "$component_code"}},
                 "max": {"max": {"index_code": INDEX, "year": YEAR, "component_code": "$component_code"}}},
            ]},
        "plan_gains.csv": {"value": "points_gain", "label": "component_code"},
        "points_lost.csv": {
            "value": "points_lost", "label": "component_code", "defaults": {"index_code": INDEX, "year": YEAR},
            "relations": [{"kind": "difference",
                           "from": {"max": {"index_code": INDEX, "year": YEAR, "component_code": "$component_code"}},
                           "minus": {"scores": {"index_code": INDEX, "year": YEAR, "component_code": "$component_code",
                                                "measure": "score"}}}]},
        "national_ranges.csv": {
            "value": ["national_min", "national_max"], "label": "component_code",
            "defaults": {"index_code": INDEX, "year": YEAR},
            "relations": [
                {"kind": "within", "column": "national_max",
                 "lower": {"scores": {"index_code": INDEX, "year": YEAR, "unit_name": UNIT,
                                      "component_code": "$component_code", "measure": "score"}},
                 "upper": {"max": {"index_code": INDEX, "year": YEAR, "component_code": "$component_code"}}},
                {"kind": "within", "column": "national_min", "lower": 0,
                 "upper": {"scores": {"index_code": INDEX, "year": YEAR, "unit_name": UNIT,
                                      "component_code": "$component_code", "measure": "score"}}},
            ]},
        "methodology.csv": {"about": "maxima and parents"},
    },
}
