"""What the extractor finds: printed facts, the figures it could not attribute, and the context it reads them in.

A Fact is one printed number with its meaning (index, year, unit, component, measure). Its source_ref is
the place the transcriptions cite for it: the line (or cell) of the row's score, or of the first figure the
sentence prints about the same subject; printed_at is where the number itself stands. Rows in the layout
of data/reports/<report>/scores.csv gather the facts of one place and subject.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ingest.curation.extract.registry import Registry

SCORE_COLUMNS = ("index_code", "year", "unit_name_vi", "unit_type", "component_code", "score", "pct_of_max", "rank",
                 "rank_of", "delta_printed", "rank_change_printed", "source_ref")
COLUMN_OF = {"score": "score", "pct_of_max": "pct_of_max", "rank": "rank", "rank_of": "rank_of",
             "delta": "delta_printed", "rank_change": "rank_change_printed"}


@dataclass(frozen=True)
class Fact:
    index_code: str
    year: int
    unit_name: str
    unit_type: str
    component_code: str
    measure: str                    # score | pct_of_max | rank | delta | rank_change
    value: Decimal | None           # None: printed, but not a number ("+0.0.16")
    text: str                       # the number as printed
    source_ref: str                 # where the transcriptions cite it (the row's or the clause's first figure)
    printed_at: str                 # where the number stands
    rank_of: int | None = None      # ranks: among how many units
    compared_with: int | None = None    # changes: the year compared with (None: the previous year)
    delta_of: str = "score"         # changes of points ('score') or of the percentage ('pct_of_max')
    score_kind: str = ""

    @property
    def of_previous_year(self) -> bool:
        return self.compared_with in (None, self.year - 1)

    @property
    def key(self) -> tuple:
        return (self.index_code, self.year, self.unit_name, self.component_code, self.measure,
                self.rank_of if self.measure == "rank" else None)


@dataclass(frozen=True)
class NotUnderstood:
    where: str
    figure: str      # the number(s) as printed
    text: str        # the clause around it
    reason: str


@dataclass
class Extraction:
    source: str
    facts: list[Fact] = field(default_factory=list)
    not_understood: list[NotUnderstood] = field(default_factory=list)

    def add(self, fact: Fact) -> None:
        if fact not in self.facts:
            self.facts.append(fact)

    def doubt(self, where: str, figure: str, text: str, reason: str) -> None:
        self.not_understood.append(NotUnderstood(where, figure, " ".join(text.split())[:300], reason))


@dataclass
class Context:
    """What a block is about, from the title, the headings and the sentences before it (and the registry the
    names are matched against)."""

    reg: Registry
    index_code: str | None = None
    year: int | None = None
    unit_name: str | None = None
    unit_type: str = "province"
    subject: str | None = None          # the section's component (a heading "2.1. Cải cách thể chế")
    depth: int = 0                      # the numbering depth of the heading that named it

    def copy(self, **changes) -> Context:
        return replace(self, **changes)


def _number(value: Decimal | None, text: str) -> str:
    if value is None:
        return text.strip()
    return format(value, "f")


def rows(facts: list[Fact]) -> list[dict[str, str]]:
    """The facts of previous-year comparisons in the layout of scores.csv, one row per place and subject."""
    found: list[dict[str, str]] = []
    open_rows: dict[tuple, list[dict[str, str]]] = {}
    for fact in facts:
        if fact.measure in ("delta", "rank_change") and not fact.of_previous_year:
            continue
        key = (fact.index_code, fact.year, fact.unit_name, fact.component_code, fact.source_ref, fact.score_kind)
        measures = [fact.measure] + (["rank_of"] if fact.measure == "rank" and fact.rank_of else [])
        target = None
        for row in open_rows.get(key, []):
            busy = any(row[COLUMN_OF[m]] for m in measures)
            other_scope = fact.measure == "rank" and row["rank_of"] and row["rank_of"] != str(fact.rank_of or "")
            if not busy and not other_scope:
                target = row
                break
        if target is None:
            target = {c: "" for c in SCORE_COLUMNS} | {
                "index_code": fact.index_code, "year": str(fact.year), "unit_name_vi": fact.unit_name,
                "unit_type": fact.unit_type, "component_code": fact.component_code, "source_ref": fact.source_ref,
                "score_kind": fact.score_kind}
            open_rows.setdefault(key, []).append(target)
            found.append(target)
        value = _number(fact.value, fact.text)
        if fact.measure in ("delta", "rank_change") and fact.value is not None and fact.value > 0:
            value = "+" + value
        target[COLUMN_OF[fact.measure]] = value
        if fact.measure == "rank" and fact.rank_of:
            target["rank_of"] = str(fact.rank_of)
    return found


def csv_text(facts: list[Fact]) -> str:
    out = io.StringIO()
    columns = [*SCORE_COLUMNS, "score_kind"]
    writer = csv.DictWriter(out, columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows(facts))
    return out.getvalue()
