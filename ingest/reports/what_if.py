"""What if a department recovers N points on a criterion: the unit's new scores and ranks, read from the marts.

`govwh what-if --unit "Lai Châu" --index PAR_INDEX --year 2024 --component 5.4 --points 0.5` adds the points to
the criterion and to every component above it (its field, the total), and ranks each of them again among the
other ranked units of the same national release (1 + the units scoring strictly more: equal scores share a
rank). The other units' scores stay as published, or as the anchored SYNTHETIC fill gave them (then said so).
Points above a criterion's maximum are refused, never capped.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ingest.core import db
from ingest.core.config import Warehouse
from ingest.core.errors import NothingPublished, Refusal

RECOVERABLE_LEVELS = ("field", "criterion", "sub_criterion", "indicator", "dimension", "sub_dimension")
DEPTH = ("indicator", "sub_criterion", "criterion", "sub_dimension", "dimension", "field", "part", "total")   # shown in this order


class WhatIfError(Refusal, ValueError):
    """A recovery the marts cannot take: an unknown component, or more points than it lost."""


@dataclass(frozen=True)
class Recovery:
    component_code: str
    points: Decimal


@dataclass(frozen=True)
class Moved:
    """A component whose score the recovery changes, with its rank before and after among the other units."""

    code: str
    name: str
    level: str
    score: Decimal
    new_score: Decimal
    max_score: Decimal | None
    published_rank: int | None
    rank_before: int | None      # by the same rule as rank_after, from the published scores
    rank_after: int | None
    rank_of: int | None
    others_synthetic: bool


@dataclass(frozen=True)
class TargetEffect:
    plan_ref: str
    component_code: str
    target_printed: str
    target_rank: int | None
    points_needed: Decimal | None
    threshold_score: Decimal | None
    reached_after: bool | None


@dataclass(frozen=True)
class WhatIf:
    unit_name: str
    index_code: str
    year: int
    release_id: str
    recoveries: tuple[tuple[Recovery, str, str | None, Decimal, Decimal | None], ...]   # recovery, name, lead, score, max
    moved: tuple[Moved, ...]
    targets: tuple[TargetEffect, ...]


def rank_among(others: list[Decimal], score: Decimal) -> int:
    """The rank a score takes among the other units' scores: 1 + those strictly above (ties share a rank)."""
    return 1 + sum(1 for other in others if other > score)


def _own_scores(cur, unit_name: str, index_code: str, year: int) -> dict[str, dict]:
    cur.execute("""
        select s.component_code, s.component_name, s.level, s.parent_code, s.score, s.max_score, s.rank, s.rank_of,
               s.release_id, s.unit_code
        from marts.v_component_score as s
        where s.unit_name = %s and s.index_code = %s and s.year = %s""", (unit_name, index_code, year))
    columns = [c.name for c in cur.description]
    return {row[0]: dict(zip(columns, row)) for row in cur.fetchall()}


def _lead(cur, release_id: str, unit_code: str, code: str) -> str | None:
    """The criterion's lead department (fct_points_needed_by_criterion), else the owner cell as printed."""
    cur.execute("select distinct lead_department_name from marts.fct_points_needed_by_criterion "
                "where release_id = %s and unit_code = %s and component_code = %s", (release_id, unit_code, code))
    found = [name for (name,) in cur.fetchall()]
    if found:
        return found[0]
    cur.execute("select owner_vi from marts.v_points_lost where release_id = %s and unit_code = %s "
                "and component_code = %s", (release_id, unit_code, code))
    row = cur.fetchone()
    return row[0] if row else None


def _ancestors(code: str, own: dict[str, dict]) -> list[str]:
    chain = []
    while code is not None and code in own:
        chain.append(code)
        code = own[code]["parent_code"]
    return chain


def simulate(wh: Warehouse, unit_name: str, index_code: str, year: int, recoveries: list[Recovery]) -> WhatIf:
    with db.transaction(wh) as cur:
        own = _own_scores(cur, unit_name, index_code, year)
        if not own:
            raise NothingPublished(f"no published {index_code} {year} scores for {unit_name} (marts.v_component_score)")
        any_row = next(iter(own.values()))
        release_id, unit_code = any_row["release_id"], any_row["unit_code"]
        added: dict[str, Decimal] = {}
        described = []
        for recovery in recoveries:
            row = own.get(recovery.component_code)
            if row is None or row["level"] not in RECOVERABLE_LEVELS or row["score"] is None:
                raise WhatIfError(f"{recovery.component_code} is not a scored field or criterion of {unit_name} in "
                                  f"{index_code} {year}")
            lost = (row["max_score"] - row["score"]) if row["max_score"] is not None else None
            if recovery.points <= 0:
                raise WhatIfError(f"recover a positive number of points, not {recovery.points}")
            if lost is not None and recovery.points > lost:
                raise WhatIfError(f"{recovery.component_code} lost {lost} points ({row['score']} of {row['max_score']}); "
                                  f"{recovery.points} cannot be recovered")
            described.append((recovery, row["component_name"], _lead(cur, release_id, unit_code, recovery.component_code),
                              row["score"], row["max_score"]))
            for code in _ancestors(recovery.component_code, own):
                added[code] = added.get(code, Decimal(0)) + recovery.points
        moved = []
        for code, extra in added.items():
            row = own[code]
            others: list[Decimal] = []
            synthetic = False
            if row["rank"] is not None:
                cur.execute("""
                    select score, is_synthetic from marts.fct_component_score
                    where release_id = %s and component_code = %s and unit_code <> %s and rank is not null""",
                            (release_id, code, unit_code))
                found = cur.fetchall()
                others = [score for score, _ in found]
                synthetic = any(flag for _, flag in found)
            ranked = row["rank"] is not None and bool(others)
            moved.append(Moved(code, row["component_name"], row["level"], row["score"], row["score"] + extra,
                               row["max_score"], row["rank"], rank_among(others, row["score"]) if ranked else None,
                               rank_among(others, row["score"] + extra) if ranked else None, row["rank_of"], synthetic))
        cur.execute("""
            select plan_ref, component_code, target_printed, target_rank, points_needed, threshold_score
            from marts.fct_points_needed
            where release_id = %s and unit_code = %s and component_code = any(%s)
            order by plan_id, component_code""", (release_id, unit_code, list(added)))
        effects = [TargetEffect(ref, code, printed, target_rank, needed, threshold,
                                None if threshold is None else own[code]["score"] + added[code] >= threshold)
                   for ref, code, printed, target_rank, needed, threshold in cur.fetchall()]
    moved.sort(key=lambda m: (DEPTH.index(m.level) if m.level in DEPTH else 0, m.code))
    return WhatIf(unit_name, index_code, year, release_id, tuple(described), tuple(moved), tuple(effects))


def render(result: WhatIf) -> str:
    lines = [f"What if — {result.unit_name}, {result.index_code} {result.year} ({result.release_id}; "
             "from marts.v_component_score, fct_component_score, fct_points_needed)"]
    for recovery, name, lead, score, top in result.recoveries:
        who = lead or "no department named"
        lines.append(f"  {who} recovers {recovery.points} points on {recovery.component_code} {name}: "
                     f"{score} → {score + recovery.points} of {top}")
    lines.append("")
    for m in result.moved:
        rank = "not ranked"
        if m.rank_after is not None:
            rank = f"rank {m.rank_before} → {m.rank_after} of {m.rank_of}"
            if m.published_rank != m.rank_before:
                rank += f" (published rank {m.published_rank}: the scores place it {m.rank_before})"
        note = "  [others: anchored synthetic fill]" if m.others_synthetic else ""
        lines.append(f"  {m.code:<6}{m.name[:46]:<47}{m.score:>7} → {m.new_score:<7} {rank}{note}")
    for t in result.targets:
        if t.target_rank is None or t.threshold_score is None:
            continue
        after = "reached" if t.reached_after else "not reached"
        lines.append(f"  target {t.component_code} {t.target_printed} (rank ≤ {t.target_rank}, score at that rank "
                     f"{t.threshold_score}; needed {t.points_needed}): {after} after the recovery")
    return "\n".join(lines)
