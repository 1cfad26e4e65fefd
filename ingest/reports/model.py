"""The province report as data: its rows, lost points, targets and points needed, read from the marts by
reports.reading."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.reports.points_needed import RankTarget


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
    printed_conflict: str | None = None      # the source report prints this score or rank with different values


@dataclass
class ConflictNote:
    """A score or rank the source report prints with different values, and the one the warehouse publishes."""

    code: str
    name: str
    measure: str                   # score | rank
    status: str                    # resolved | unresolved | decided
    published: Decimal
    printings: str                 # where the published value is printed (L<n> of the source document)
    others: list[tuple[Decimal, str]]
    evidence: str
    reason: str | None


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
    points: list[RankTarget]                                          # the plans' rank targets of the year
    conflicts: list[ConflictNote] = field(default_factory=list)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
