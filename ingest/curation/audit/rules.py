"""The rules of the audit: each kind of discrepancy a report's printed figures can hold.

  printed_twice            one fact printed with two values (compared with its first printing, to the
                           precision of the coarser of the two)
  parts_do_not_sum         a printed total that is not the sum of its printed parts within the rounding of
                           printed values (0.011 per part); only where the parts' maxima make up the total's
  delta_not_difference     a printed change that is not the difference of the printed values of both years
                           (rank changes: previous rank − rank, among the same number of ranked units)
  pct_not_score_over_max   a printed percentage that is not score / maximum within the rounding of both
  rank_above_ranked_units  a rank outside 1 … the number of ranked units
  unreadable_value         a printed value that is not a number at all (kept as printed, e.g. "+0.0.16")
  differs_from_warehouse   a printed score or rank that differs from the marts' value of the same fact
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ingest.curation.audit.reading import Printing, Report
from ingest.sources.reference import UnitDirectory

ROUNDING_PER_PART = Decimal("0.011")


@dataclass
class Finding:
    source_ref: str
    index_code: str
    year: int
    unit_name: str
    component_code: str
    measure: str
    printed_value: Decimal | None
    expected_value: Decimal | None
    kind: str
    detail: str


# --- helpers ----------------------------------------------------------------------------------------------------

def _places(value: Decimal) -> int:
    return max(-value.as_tuple().exponent, 0)


def _half_unit(value: Decimal) -> Decimal:
    return Decimal(5).scaleb(-_places(value) - 1)


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _same(a: Decimal, b: Decimal) -> bool:
    """Equal to the precision of the coarser of the two printings (43.48 = 43.4796; 9.8 = 9.80)."""
    places = min(_places(a), _places(b))
    return _rounded(a, places) == _rounded(b, places)


def _finding(p: Printing, measure: str, printed, expected, kind: str, detail: str) -> Finding:
    return Finding(p.source_ref, p.index_code, p.year, p.unit_name, p.component_code, measure, printed, expected,
                   kind, detail)


def _measure_of_delta(report: Report, p: Printing) -> str:
    key = (p.source_ref, p.index_code, p.year, p.unit_name, p.component_code)
    if key in report.pct_deltas or ("score" not in p.values and "pct_of_max" in p.values):
        return "pct_of_max"
    return "score"


def _rank_measure(report: Report, p: Printing) -> str:
    return "rank" if p.values.get("rank_of") is None or int(p.values["rank_of"]) in report.national_rank_of \
        else "region_rank"


class Facts:
    """The first printing of each measure of each fact, in document order."""

    def __init__(self, report: Report):
        self.first: dict[tuple, tuple[Decimal, Printing]] = {}
        self.national: dict[tuple, tuple[Decimal, Decimal]] = {}     # fact -> (rank, rank_of), first printing
        for p in sorted(report.printings, key=lambda p: p.order):
            for measure, value in p.values.items():
                if measure in ("rank_of", "delta", "rank_change"):
                    continue
                key = self.key(report, p, measure)
                self.first.setdefault(key, (value, p))
            if "rank" in p.values and "rank_of" in p.values and _rank_measure(report, p) == "rank":
                self.national.setdefault(p.fact, (p.values["rank"], p.values["rank_of"]))

    @staticmethod
    def key(report: Report, p: Printing, measure: str, year: int | None = None) -> tuple:
        fact = (p.index_code, year or p.year, p.unit_type, p.unit_name, p.component_code, p.score_kind)
        if measure == "rank":
            return (*fact, _rank_measure(report, p), p.values.get("rank_of"))
        if measure == "delta":
            return (*fact, "delta", _measure_of_delta(report, p))
        return (*fact, measure)

    def value(self, key: tuple) -> Decimal | None:
        found = self.first.get(key)
        return found[0] if found else None


# --- the checks -------------------------------------------------------------------------------------------------

def printed_twice(report: Report) -> list[Finding]:
    first: dict[tuple, tuple[Decimal, Printing]] = {}
    found = []
    for p in sorted(report.printings, key=lambda p: p.order):
        for measure, value in p.values.items():
            if measure == "rank_of":
                continue
            key = Facts.key(report, p, measure)
            if key not in first:
                first[key] = (value, p)
                continue
            earlier, where = first[key]
            if not _same(value, earlier):
                name = _rank_measure(report, p) if measure == "rank" else measure
                found.append(_finding(p, name, value, earlier, "printed_twice",
                                      f"first printed as {earlier} at {where.source_ref}"))
    return found


def parts_do_not_sum(report: Report, facts: Facts) -> list[Finding]:
    found = []
    reported = set()

    def score_of(p: Printing, code: str) -> tuple[Decimal, str] | None:
        first = facts.first.get((p.index_code, p.year, p.unit_type, p.unit_name, code, p.score_kind, "score"))
        return (first[0], first[1].source_ref) if first else None

    for p in sorted(report.printings, key=lambda p: p.order):
        total = p.values.get("score")
        if total is None:
            continue
        parent_max = report.maxima.get((p.index_code, p.year, p.component_code))
        kids = report.children.get((p.index_code, p.year, p.component_code), [])
        for split in ([c for c, level in kids if level != "part"], [c for c, level in kids if level == "part"]):
            if len(split) < 2:
                continue
            maxima = [report.maxima.get((p.index_code, p.year, c)) for c in split]
            if parent_max is None or None in maxima or sum(maxima) != parent_max:
                continue                     # the parts do not make up the whole: no sum to expect
            values = [score_of(p, c) for c in split]
            if None in values:
                continue
            expected = sum(v for v, _ in values)
            key = (p.fact, tuple(split), total)
            if abs(total - expected) > ROUNDING_PER_PART * len(split) and key not in reported:
                reported.add(key)
                parts = ", ".join(f"{c} {v} at {where}" for c, (v, where) in zip(split, values))
                found.append(_finding(p, "score", total, expected, "parts_do_not_sum",
                                      f"sum of {len(split)} parts: {parts}"))
    return found


def delta_not_difference(report: Report, facts: Facts) -> list[Finding]:
    found = []
    for p in report.printings:
        key = (p.source_ref, p.index_code, p.year, p.unit_name, p.component_code)
        if "delta" in p.values and key not in report.not_compared:
            measure = _measure_of_delta(report, p)
            now = p.values.get(measure, facts.value(Facts.key(report, p, measure)))
            before = facts.value(Facts.key(report, p, measure, year=p.year - 1))
            if now is not None and before is not None:
                expected = now - before
                printed = p.values["delta"]
                places = min(_places(printed), _places(now), _places(before))
                quantum = Decimal(1).scaleb(-places)
                if _rounded(printed, places) != _rounded(expected, places):
                    unit = "percentage points" if measure == "pct_of_max" else "points"
                    detail = f"{now} − {before} ({p.year} − {p.year - 1}, {unit})"
                    if abs(printed - expected) <= quantum:
                        detail += "; off by one in the last decimal: the rounding of the printed values may explain it"
                    found.append(_finding(p, "delta", printed, expected, "delta_not_difference", detail))
        if "rank_change" in p.values:
            if "rank" in p.values and "rank_of" in p.values and _rank_measure(report, p) == "rank":
                now = (p.values["rank"], p.values["rank_of"])
            else:                        # a change printed without its rank: the rank's first printing
                now = facts.national.get(p.fact)
            before = facts.national.get((p.index_code, p.year - 1, *p.fact[2:]))
            if now and before and now[1] == before[1]:
                expected = before[0] - now[0]
                if p.values["rank_change"] != expected:
                    found.append(_finding(p, "rank_change", p.values["rank_change"], expected,
                                          "delta_not_difference",
                                          f"rank {before[0]} → {now[0]} of {now[1]} (positive = moved up)"))
    return found


def pct_not_score_over_max(report: Report, facts: Facts) -> list[Finding]:
    found = []
    for p in report.printings:
        pct = p.values.get("pct_of_max")
        if pct is None:
            continue
        score = p.values.get("score", facts.value(Facts.key(report, p, "score")))
        maximum = report.unit_maxima.get((p.index_code, p.unit_name, p.component_code),
                                         report.maxima.get((p.index_code, p.year, p.component_code)))
        if score is None or not maximum:
            continue
        expected = score / maximum * 100
        tolerance = _half_unit(pct) + _half_unit(score) / maximum * 100
        if abs(pct - expected) > tolerance:
            found.append(_finding(p, "pct_of_max", pct, expected.quantize(Decimal("0.01")), "pct_not_score_over_max",
                                  f"{score} / {maximum} × 100"))
    return found


def rank_above_ranked_units(report: Report) -> list[Finding]:
    found = []
    for p in report.printings:
        rank, rank_of = p.values.get("rank"), p.values.get("rank_of")
        if rank is not None and rank_of is not None and not 1 <= rank <= rank_of:
            found.append(_finding(p, _rank_measure(report, p), rank, rank_of, "rank_above_ranked_units",
                                  f"rank {rank} of {rank_of} ranked units"))
    return found


def unreadable_values(report: Report) -> list[Finding]:
    return [_finding(p, measure, None, None, "unreadable_value", f"printed {text!r}, not a number")
            for p in report.printings for measure, text in p.unreadable.items()]


def differs_from_warehouse(report: Report, published: dict, units: UnitDirectory) -> list[Finding]:
    found = []
    for p in report.printings:
        if p.component_code in report.not_components:
            continue
        index = report.index_map.get(p.index_code, p.index_code)
        code = report.code_map.get(p.component_code, p.component_code)
        if p.unit_type == "province":
            unit_code, _ = units.match(p.unit_type, p.unit_name)
            row = published.get((index, p.year, unit_code, code, "")) if unit_code else None
        else:
            row = published.get((index, p.year, p.unit_name, code, p.score_kind))
        if row is None:
            continue
        score, rank, rank_of, region_rank, region_rank_of, where = row
        checks = [("score", p.values.get("score"), score)]
        if "rank" in p.values and p.values.get("rank_of") == rank_of:
            checks.append(("rank", p.values["rank"], rank))
        elif "rank" in p.values and region_rank_of is not None and p.values.get("rank_of") == region_rank_of:
            checks.append(("region_rank", p.values["rank"], region_rank))
        for measure, printed, stored in checks:
            # The warehouse holds printed values too: equal to the coarser of the two precisions (43.48 = 43.4796).
            if printed is not None and stored is not None and not _same(printed, Decimal(stored)):
                found.append(_finding(p, measure, printed, Decimal(stored), "differs_from_warehouse", where))
    return found
