"""Recall and precision of the extractor against the hand transcriptions (data/reports/<report>/scores.csv).

A transcribed row holds up to six facts (score, % of max, rank, rank_of, change, rank change), each keyed by
index, year, unit, component and measure (a rank also by its rank_of: national and regional ranks are two
facts). An extracted fact matches a transcribed one when the key and the value are the same and the line
is the same: the transcription's source_ref names the line of the row's score (or the clause's first
figure), the extractor keeps both that line and the number's own line. Index and component codes go
through the report's packaging.yaml maps, as the audit does. Changes against a year other than the
previous one are not in scores.csv (their own files hold them): they are counted apart.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from ingest.curation.extract import extractor
from ingest.curation.extract.facts import Extraction, Fact
from ingest.curation.extract.registry import Registry
from ingest.synthetic import report_texts

KINDS = ("score", "pct_of_max", "rank", "rank_of", "delta", "rank_change")
GOAL = ("score", "rank", "rank_of", "delta", "rank_change")     # the goal: score, rank and change facts
COLUMNS = {"score": "score", "pct_of_max": "pct_of_max", "rank": "rank", "rank_of": "rank_of",
           "delta": "delta_printed", "rank_change": "rank_change_printed"}


@dataclass(frozen=True)
class Printed:
    key: tuple              # (index, year, unit, component, measure, rank_of of a rank)
    value: str
    lines: frozenset

    def same_value(self, other: str) -> bool:
        return _decimal(self.value) == _decimal(other) if _decimal(self.value) is not None else \
            self.value.lstrip("+") == other.lstrip("+")


@dataclass
class Score:
    report: str
    transcribed: list[Printed]
    extracted: list[Printed]
    matched: list[tuple[Printed, Printed]] = field(default_factory=list)
    other_years: int = 0
    not_understood: int = 0

    def counts(self, kind: str | tuple | None = None) -> tuple[int, int, int]:
        """(transcribed, extracted, matched) of one kind, of several, or of all."""
        kinds = (kind,) if isinstance(kind, str) else kind

        def of(p: Printed) -> bool:
            return kinds is None or p.key[4] in kinds
        return (sum(map(of, self.transcribed)), sum(map(of, self.extracted)),
                sum(1 for t, _ in self.matched if of(t)))

    @property
    def missed(self) -> list[Printed]:
        found = {id(t) for t, _ in self.matched}
        return [t for t in self.transcribed if id(t) not in found]

    @property
    def extra(self) -> list[Printed]:
        found = {id(e) for _, e in self.matched}
        return [e for e in self.extracted if id(e) not in found]


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None


def _lines(ref: str) -> frozenset:
    """The places a source_ref names: 'L224;L230' -> {L224, L230}; a DOCX place 'T3R5C7' as it is."""
    return frozenset(re.findall(r"[LPT][\dRC]+", ref or ""))


def transcribed(folder: Path) -> list[Printed]:
    spec = yaml.safe_load((folder / "packaging.yaml").read_text(encoding="utf-8")) if \
        (folder / "packaging.yaml").is_file() else {}
    index_map = spec.get("index_map") or {}
    code_map = spec.get("code_map") or {}
    found = []
    with (folder / "scores.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            index = index_map.get(row["index_code"], row["index_code"])
            codes = code_map.get(index, {}) if isinstance(code_map.get(index), dict) else code_map
            component = codes.get(row["component_code"], row["component_code"])
            base = (index, int(row["year"]), row["unit_name_vi"].strip(), component)
            for kind in KINDS:
                value = (row.get(COLUMNS[kind]) or "").strip()
                if value:
                    rank_of = row["rank_of"].strip() if kind in ("rank", "rank_of") else ""
                    found.append(Printed((*base, kind, rank_of), value, _lines(row["source_ref"])))
    return found


def printed(facts: list[Fact]) -> list[Printed]:
    found = []
    for fact in facts:
        if fact.measure in ("delta", "rank_change") and not fact.of_previous_year:
            continue
        value = fact.text if fact.value is None else format(fact.value, "f")
        lines = _lines(fact.source_ref) | _lines(fact.printed_at)
        base = (fact.index_code, fact.year, fact.unit_name, fact.component_code)
        rank_of = str(fact.rank_of or "") if fact.measure == "rank" else ""
        found.append(Printed((*base, fact.measure, rank_of), value, lines))
        if fact.measure == "rank" and fact.rank_of:
            found.append(Printed((*base, "rank_of", rank_of), str(fact.rank_of), lines))
    return list(dict.fromkeys(found))


def score(folder: Path, reg: Registry, extraction: Extraction | None = None) -> Score:
    extraction = extraction or extractor.extract(folder / "source.txt", reg)
    result = Score(folder.name, transcribed(folder), printed(extraction.facts))
    result.other_years = sum(1 for f in extraction.facts if f.measure in ("delta", "rank_change")
                             and not f.of_previous_year)
    result.not_understood = len(extraction.not_understood)
    free = list(result.extracted)
    for t in result.transcribed:
        match = next((e for e in free if e.key == t.key and t.same_value(e.value) and e.lines & t.lines), None)
        if match:
            result.matched.append((t, match))
            free.remove(match)
    return result


def explain(result: Score) -> list[str]:
    """Each miss and each extra fact, with whether the other side has it elsewhere or with another value."""
    lines = []
    for t in result.missed:
        near = [e for e in result.extracted if e.key == t.key]
        why = "not extracted" if not near else ("extracted at " + ", ".join(
            _place(e) + ("" if t.same_value(e.value) else f" as {e.value}") for e in near[:3]))
        lines.append(f"  missed  {_place(t)} {_fact(t)} = {t.value}: {why}")
    for e in result.extra:
        near = [t for t in result.transcribed if t.key == e.key]
        why = "not in scores.csv" if not near else ("transcribed at " + ", ".join(
            _place(t) + ("" if t.same_value(e.value) else f" as {t.value}") for t in near[:3]))
        lines.append(f"  extra   {_place(e)} {_fact(e)} = {e.value}: {why}")
    return lines


def _place(p: Printed) -> str:
    return min(p.lines, key=lambda w: (len(w), w)) if p.lines else "?"


def _fact(p: Printed) -> str:
    index, year, unit, component, kind, rank_of = p.key
    return f"{index} {year} {unit} {component} {kind}" + (f"/{rank_of}" if rank_of and kind == "rank" else "")


def synthetic_score(seeds: range, folder: Path, reg: Registry, as_docx: bool = False) -> Score:
    """The extractor on SYNTHETIC reports whose facts are known (synthetic.py): same key, value and place (the
    line; in a DOCX, where lines do not exist, key and value)."""
    result = Score(f"synthetic {'DOCX' if as_docx else 'text'} ({len(seeds)})", [], [])
    for seed in seeds:
        report = report_texts.generate(seed, reg)
        path = folder / f"synthetic_{seed}.{'docx' if as_docx else 'txt'}"
        if as_docx:
            report_texts.to_docx(report, path)
        else:
            path.write_text(report.text, encoding="utf-8")
        extraction = extractor.extract(path, reg)
        known = [Printed(f.key[:5] + (str(f.rank_of or "") if f.measure == "rank" else "",), format(f.value, "f"),
                         frozenset() if as_docx else frozenset({f"L{f.line}"})) for f in report.facts]
        known += [Printed(p.key[:4] + ("rank_of", p.key[5]), p.key[5], p.lines) for p in known if p.key[4] == "rank"]
        found = printed(extraction.facts)
        one = Score(result.report, known, found)
        free = list(found)
        for t in known:
            match = next((e for e in free if e.key == t.key and t.same_value(e.value) and
                          (as_docx or e.lines & t.lines)), None)
            if match:
                one.matched.append((t, match))
                free.remove(match)
        result.transcribed += one.transcribed
        result.extracted += one.extracted
        result.matched += one.matched
        result.not_understood += len(extraction.not_understood)
    return result


def reports(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "source.txt").is_file() and (p / "scores.csv").is_file())


def table(results: list[Score], total: str = "all reports") -> str:
    def ratio(a: int, b: int) -> str:
        return f"{a / b:.3f}" if b else "  –  "

    header = f"{'report':<28} {'kind':<17} {'transcribed':>11} {'extracted':>9} {'matched':>7} {'recall':>6} {'precision':>9}"
    out = [header]
    for result in results + [_total(results, total)]:
        for kind in (None, GOAL, *KINDS):
            t, e, m = result.counts(kind)
            if kind and not (t or e):
                continue
            name = "all" if kind is None else "score+rank+change" if kind == GOAL else kind
            out.append(f"{result.report if kind is None else '':<28} {name:<17} {t:>11} {e:>9} {m:>7} "
                       f"{ratio(m, t):>6} {ratio(m, e):>9}")
        out.append(f"{'':<28} changes against other years (not in scores.csv): {result.other_years}; "
                   f"not understood: {result.not_understood}")
    return "\n".join(out)


def _total(results: list[Score], name: str) -> Score:
    total = Score(name, [], [])
    for r in results:
        total.transcribed += r.transcribed
        total.extracted += r.extracted
        total.matched += r.matched
        total.other_years += r.other_years
        total.not_understood += r.not_understood
    return total


