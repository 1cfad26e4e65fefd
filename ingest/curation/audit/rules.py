"""The audit of a published report: every discrepancy of its printed figures, against itself and the warehouse.

Input: a report's transcribed figures (data/reports/<report>/scores.csv, one row per place a figure is
printed) with its methodology.csv (maxima, parents), notes.csv (which deltas are in percentage points,
which changes the report does not compare), unit_scales.csv (maxima of single units) and packaging.yaml
(which rank_of values are national, code map). Kinds of discrepancy:

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

Output: a table on the terminal, a CSV per report, and the rows in audit.report_findings.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import yaml
from psycopg2.extras import execute_values

from ingest.core import config, db
from ingest.core.errors import InputError, display_path
from ingest.core.log import log
from ingest.sources import packages, readers
from ingest.sources.reference import unit_directory

SCORE_COLUMNS = ("index_code", "year", "unit_name_vi", "unit_type", "component_code", "score", "pct_of_max", "rank",
                 "rank_of", "delta_printed", "rank_change_printed", "source_ref")
ROUNDING_PER_PART = Decimal("0.011")
FINDINGS_DIR = config.STATE_DIR / "audit"   # one CSV of findings per audited report
PCT_DELTA_NOTES = ("percentage points", "change in percent", "change of pct_of_max")
NOT_COMPARED_NOTES = ("not compared",)


def line_of(source_ref: str) -> int:
    """The first line a source_ref names (L224;L230 -> 224): document order."""
    match = re.match(r"L(\d+)", source_ref or "")
    return int(match.group(1)) if match else 10**9


@dataclass(frozen=True)
class Printing:
    line: int                      # row of scores.csv
    index_code: str
    year: int
    unit_name: str
    unit_type: str
    component_code: str
    score_kind: str
    source_ref: str
    values: dict                   # measure -> Decimal (score, pct_of_max, rank, rank_of, delta, rank_change)
    unreadable: dict               # measure -> text that is not a number

    @property
    def fact(self) -> tuple:
        return self.index_code, self.year, self.unit_type, self.unit_name, self.component_code, self.score_kind

    @property
    def order(self) -> tuple:
        return line_of(self.source_ref), self.line


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


@dataclass
class Report:
    folder: Path
    printings: list[Printing]
    maxima: dict                   # (index, year, component) -> Decimal
    unit_maxima: dict              # (index, unit_name, component) -> Decimal
    children: dict                 # (index, year, parent) -> list of (component, level)
    national_rank_of: set[int]
    code_map: dict[str, str]
    index_map: dict[str, str]      # the report's index codes -> the registry's (packaging.yaml)
    not_components: set[str]
    pct_deltas: set[tuple]         # (source_ref, index, year, unit, component) whose delta is in percentage points
    not_compared: set[tuple]

    @property
    def name(self) -> str:
        return self.folder.name


# --- reading a report's files -----------------------------------------------------------------------------------

def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [(reader.line_num, row) for row in reader]


def read_report(folder: Path) -> Report:
    records, _ = readers.read_csv_records(folder / "scores.csv", None, SCORE_COLUMNS, ("score_kind",))
    printings = []
    for line, record in records:
        values, unreadable = {}, {}
        for measure, column in (("score", "score"), ("pct_of_max", "pct_of_max"), ("rank", "rank"),
                                ("rank_of", "rank_of"), ("delta", "delta_printed"), ("rank_change", "rank_change_printed")):
            try:
                value = _decimal(record[column])
            except ValueError:
                unreadable[measure] = record[column].strip()
                continue
            if value is not None:
                values[measure] = value
        year = readers.parse_int(record["year"], folder / "scores.csv", line, "year")
        printings.append(Printing(line, record["index_code"].strip(), year, record["unit_name_vi"].strip(),
                                  record["unit_type"].strip(), record["component_code"].strip(),
                                  (record.get("score_kind") or "").strip(), record["source_ref"].strip(), values,
                                  unreadable))
    maxima, children = {}, {}
    for line, row in _rows(folder / "methodology.csv"):
        key = (row["index_code"], int(row["year"]), row["component_code"])
        try:
            maximum = _decimal(row.get("max_score", ""))
        except ValueError:
            raise InputError(folder / "methodology.csv", f"max_score {row['max_score']!r} is not a number", line,
                             "max_score") from None
        if maximum is not None:
            maxima[key] = maximum
        if row.get("parent_code"):
            children.setdefault((row["index_code"], int(row["year"]), row["parent_code"]), []).append(
                (row["component_code"], row.get("level", "")))
    unit_maxima = {}
    for _, row in _rows(folder / "unit_scales.csv"):
        if row.get("max_score"):
            unit_maxima[(row["index_code"], row["unit_name_vi"], row["component_code"])] = Decimal(row["max_score"])
    pct_deltas, not_compared = set(), set()
    for _, row in _rows(folder / "notes.csv"):
        if row.get("file") != "scores.csv":
            continue
        key = (row["source_ref"], row["index_code"], int(row["year"]), row["unit_name_vi"], row["component_code"])
        note = row.get("note", "")
        if any(phrase in note for phrase in PCT_DELTA_NOTES):
            pct_deltas.add(key)
        if any(phrase in note for phrase in NOT_COMPARED_NOTES):
            not_compared.add(key)
    spec = {}
    if (folder / "packaging.yaml").is_file():
        spec = yaml.safe_load((folder / "packaging.yaml").read_text(encoding="utf-8")) or {}
    return Report(folder, printings, maxima, unit_maxima, children,
                  {int(n) for n in spec.get("national_rank_of", [63])}, spec.get("code_map", {}) or {},
                  spec.get("index_map", {}) or {}, set(spec.get("not_components", []) or []), pct_deltas, not_compared)


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


def _equal_at(printed: Decimal, exact: Decimal) -> bool:
    """A printed value equals an exact one rounded to the printed precision."""
    return _rounded(exact, _places(printed)) == printed


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


# --- against the warehouse --------------------------------------------------------------------------------------

def warehouse_values(report: Report) -> tuple[dict, list[str], bool] | None:
    """The published values of the report's index-years, or None without marts. Keys: (index, year, unit,
    component, score kind): provinces by code from v_component_score, a province's own units by name and score
    kind from v_unit_score (the latest edition)."""
    from ingest.reports.province_report import has_region_rank

    pairs = sorted({(report.index_map.get(p.index_code, p.index_code), p.year) for p in report.printings})
    selection = ([i for i, _ in pairs], [y for _, y in pairs])
    with db.transaction() as cur:
        cur.execute("select to_regclass('marts.v_component_score') is not null, "
                    "to_regclass('marts.v_unit_score') is not null")
        national, own_units = cur.fetchone()
        if not national:
            return None
        region = has_region_rank(cur)
        columns = "region_rank, region_rank_of" if region else "null::integer, null::integer"
        cur.execute(f"""
            select index_code, year, unit_code, component_code, '', score, rank, rank_of, {columns},
                   'marts.v_component_score (' || coalesce(source_ref, '') || ')'
            from marts.v_component_score
            where (index_code, year) in (select * from unnest(%s::text[], %s::int[]))""", selection)
        published = {row[:5]: row[5:] for row in cur.fetchall()}
        views = ["marts.v_component_score"]
        if own_units:
            cur.execute("""
                select distinct on (index_code, year, unit_name, component_code, score_kind)
                       index_code, year, unit_name, component_code, score_kind, score, rank, rank_of, null, null,
                       'marts.v_unit_score (' || coalesce(source_ref, '') || ')'
                from marts.v_unit_score
                where (index_code, year) in (select * from unnest(%s::text[], %s::int[]))
                order by index_code, year, unit_name, component_code, score_kind, edition desc""", selection)
            published.update({row[:5]: row[5:] for row in cur.fetchall()})
            views.append("marts.v_unit_score")
    return published, views, region


def differs_from_warehouse(report: Report, published: dict) -> list[Finding]:
    units = unit_directory()
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


# --- running it -------------------------------------------------------------------------------------------------

def audit(folder: Path, with_warehouse: bool = True) -> tuple[Report, list[Finding], str]:
    """All findings of one report, in document order; and what was compared with the warehouse."""
    report = read_report(folder)
    facts = Facts(report)
    found = (printed_twice(report) + parts_do_not_sum(report, facts) + delta_not_difference(report, facts)
             + pct_not_score_over_max(report, facts) + rank_above_ranked_units(report) + unreadable_values(report))
    note = "not compared with the warehouse"
    if with_warehouse:
        published = warehouse_values(report)
        if published is None:
            note = "no published marts to compare with"
        else:
            values, views, region = published
            found += differs_from_warehouse(report, values)
            note = "compared with " + ", ".join(views) + ("" if region else " (no region ranks there yet)")
    found.sort(key=lambda f: (line_of(f.source_ref), f.kind, f.measure))
    return report, found, note


CSV_COLUMNS = [f.name for f in fields(Finding)]


def write_csv(findings: list[Finding], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for f in findings:
            writer.writerow(["" if getattr(f, c) is None else getattr(f, c) for c in CSV_COLUMNS])
    return path


def store(report: Report, findings: list[Finding]) -> None:
    """Replace the report's findings in audit.report_findings (one transaction)."""
    sha = packages.sha256_of(report.folder / "scores.csv")
    with db.transaction() as cur:
        cur.execute("delete from audit.report_findings where report = %s", (report.name,))
        execute_values(cur, "insert into audit.report_findings (report, scores_sha256, source_ref, index_code, year, "
                            "unit_name, component_code, measure, printed_value, expected_value, kind, detail) values %s",
                       [(report.name, sha, f.source_ref, f.index_code, f.year, f.unit_name, f.component_code,
                         f.measure, f.printed_value, f.expected_value, f.kind, f.detail) for f in findings])


def table(findings: list[Finding]) -> str:
    header = ("source_ref", "fact", "measure", "printed", "expected", "kind", "detail")
    rows = [(f.source_ref, f"{f.index_code} {f.year} {f.unit_name} {f.component_code}", f.measure,
             "–" if f.printed_value is None else str(f.printed_value),
             "–" if f.expected_value is None else str(f.expected_value), f.kind, f.detail) for f in findings]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join(f"{str(v):<{w}}" for v, w in zip(r, widths)) + "  " + r[-1] for r in [header, *rows]]
    return "\n".join(lines)


def summary_line(report: Report, findings: list[Finding], csv_path: Path) -> str:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
    return (f"{report.name}: {len(findings)} discrepancies in {len(report.printings)} printed rows"
            + (f" ({kinds})" if kinds else "") + f"; {display_path(csv_path)}")


def main(folders: list[Path], out_dir: Path | None = None, brief: bool = False) -> int:
    out_dir = out_dir or FINDINGS_DIR
    for folder in folders:
        report, findings, note = audit(folder)
        csv_path = write_csv(findings, out_dir / f"{report.name}.csv")
        store(report, findings)
        if findings and not brief:
            print(table(findings))
        print(summary_line(report, findings, csv_path) + f" — {note}")
    log("audit", f"{len(folders)} report(s) audited; findings in audit.report_findings")
    return 0
