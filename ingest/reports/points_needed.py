"""Points needed for a plan's rank targets, and where they can come from, read from the marts.

`marts.fct_points_needed` holds, per rank target, the score that reached the target rank in the national
release and the unit's gap; `marts.fct_points_needed_by_criterion` the criteria under it that lost points,
by lead department. This module turns both into `RankTarget` values (for the terminal, the province report
and the what-if) and renders the terminal lines `make run` prints after the summary.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ingest.core import db
from ingest.core.config import Warehouse

NO_DEPARTMENT = "Chưa nêu đơn vị chủ trì"   # fct_points_needed_by_criterion's name where no plan names one


@dataclass(frozen=True)
class CriterionLoss:
    code: str
    name: str
    field_code: str | None
    points_lost: Decimal
    owner: str | None                  # the owner cell as printed
    movement_component: str | None     # the national component the others' movement is measured on
    others_mean_change: Decimal | None
    movement_rank: int | None
    movement_is_synthetic: bool | None


@dataclass(frozen=True)
class Department:
    name: str
    code: str | None
    rank: int
    points_lost: Decimal
    covers_gap_alone: bool
    criteria: tuple[CriterionLoss, ...]


@dataclass(frozen=True)
class RankTarget:
    target_key: str
    plan_id: str
    plan_ref: str
    index_code: str
    year: int
    unit_name: str
    component_code: str
    component_name: str
    level: str
    target_printed: str
    target_rank_basis: str
    target_rank: int | None
    score: Decimal
    max_score: Decimal | None
    rank: int | None
    rank_of: int | None
    threshold_score: Decimal | None
    threshold_unit_name: str | None
    threshold_is_synthetic: bool | None
    threshold_note: str | None
    score_gap: Decimal | None
    points_needed: Decimal | None
    is_reached: bool | None
    departments: tuple[Department, ...]

    @property
    def criteria_by_movement(self) -> list[CriterionLoss]:
        """The target's criteria whose national component the other units moved on most, one per component."""
        seen: dict[str, CriterionLoss] = {}
        for criterion in sorted((c for d in self.departments for c in d.criteria if c.movement_rank),
                                key=lambda c: (c.movement_rank, c.code)):
            seen.setdefault(criterion.movement_component, criterion)
        return list(seen.values())


def _dicts(cur) -> list[dict]:
    columns = [c.name for c in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


def latest_year(wh: Warehouse, unit_name: str, index_code: str) -> int | None:
    with db.transaction(wh) as cur:
        cur.execute("select max(year) from marts.fct_points_needed where unit_name = %s and index_code = %s",
                    (unit_name, index_code))
        return cur.fetchone()[0]


def fetch(wh: Warehouse, unit_name: str, index_code: str, year: int, plan_id: str | None = None) -> list[RankTarget]:
    """The rank targets of `year` (of one plan, or every plan), the total first, then by the methodology's order."""
    with db.transaction(wh) as cur:
        cur.execute("""
            select p.*, c.position
            from marts.fct_points_needed as p
            left join marts.dim_release as r using (release_id)
            left join marts.dim_methodology_component as c
                on c.methodology_component_key = p.index_code || '/' || r.methodology_version || '/' || p.component_code
            where p.unit_name = %s and p.index_code = %s and p.year = %s and (%s::text is null or p.plan_id = %s)
            order by p.plan_id, c.position, p.metric desc""", (unit_name, index_code, year, plan_id, plan_id))
        targets = _dicts(cur)
        cur.execute("""
            select * from marts.fct_points_needed_by_criterion
            where target_key = any(%s)
            order by target_key, department_rank, lead_department_name, rank_in_department""",
                    ([t["target_key"] for t in targets],))
        criteria = _dicts(cur)
    return [_target(t, [c for c in criteria if c["target_key"] == t["target_key"]]) for t in targets]


def _target(row: dict, criteria: list[dict]) -> RankTarget:
    departments: dict[str, list[dict]] = {}
    for c in criteria:
        departments.setdefault(c["lead_department_name"], []).append(c)
    return RankTarget(
        target_key=row["target_key"], plan_id=row["plan_id"], plan_ref=row["plan_ref"], index_code=row["index_code"],
        year=row["year"], unit_name=row["unit_name"], component_code=row["component_code"],
        component_name=row["component_name"], level=row["level"], target_printed=row["target_printed"],
        target_rank_basis=row["target_rank_basis"], target_rank=row["target_rank"], score=row["score"],
        max_score=row["max_score"], rank=row["rank"], rank_of=row["rank_of"], threshold_score=row["threshold_score"],
        threshold_unit_name=row["threshold_unit_name"], threshold_is_synthetic=row["threshold_is_synthetic"],
        threshold_note=row["threshold_note"], score_gap=row["score_gap"], points_needed=row["points_needed"],
        is_reached=row["is_reached"],
        departments=tuple(Department(
            name=name, code=rows[0]["lead_department_code"], rank=rows[0]["department_rank"],
            points_lost=rows[0]["department_points_lost"], covers_gap_alone=bool(rows[0]["covers_gap_alone"]),
            criteria=tuple(CriterionLoss(
                code=c["component_code"], name=c["component_name"], field_code=c["field_code"],
                points_lost=c["points_lost"], owner=c["owner_vi"], movement_component=c["national_component_code"],
                others_mean_change=c["others_mean_change"], movement_rank=c["movement_rank"],
                movement_is_synthetic=c["movement_is_synthetic"]) for c in rows))
            for name, rows in departments.items()))


# --- the terminal lines of `make run` ------------------------------------------------------------------------

def _points(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _signed(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:+.2f}".replace("-", "−")


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _outcome(t: RankTarget) -> str:
    if t.target_rank is None:
        return "no target rank: " + t.target_rank_basis
    if t.is_reached:
        margin = f" (margin {_points(-t.score_gap)})" if t.score_gap is not None else ""
        return f"reached{margin}"
    if t.points_needed is None:
        return "no score at that rank: " + (t.threshold_note or "–")
    return f"{_signed(t.points_needed)} points"


def target_lines(t: RankTarget) -> str:
    rank = f"{t.rank}/{t.rank_of}" if t.rank else "–"
    wanted = f"≤ {t.target_rank}" if t.target_rank else "–"
    at_rank = "–"
    if t.threshold_score is not None:
        label = " [synthetic]" if t.threshold_is_synthetic else " [published]"
        at_rank = f"{_points(t.threshold_score):>6} {_short(t.threshold_unit_name or '', 18):<18}{label}"
    lead = next((d for d in t.departments if d.name != NO_DEPARTMENT), None)
    lead_text = f"  most lost: {lead.name} {_points(lead.points_lost)}" if lead and not t.is_reached else ""
    return (f"  {t.component_code:<6}{_short(t.target_printed, 22):<23}{rank:>7}  {wanted:<6}{at_rank:<42}"
            f"{_points(t.score):>7}   {_outcome(t)}{lead_text}")


def department_lines(t: RankTarget, top: int = 3) -> list[str]:
    lines = []
    for d in t.departments[:top]:
        alone = f" (covers the {_points(t.points_needed)} alone)" if d.covers_gap_alone else ""
        criteria = ", ".join(f"{c.code} {_points(c.points_lost)}" for c in d.criteria[:5])
        more = ", …" if len(d.criteria) > 5 else ""
        lines.append(f"  {d.rank}. {d.name:<30}{_points(d.points_lost):>6} points{alone}: {criteria}{more}")
    return lines


def render(targets: list[RankTarget]) -> str:
    if not targets:
        return "No rank targets in marts.fct_points_needed for this unit, index and year."
    first = targets[0]
    lines = [f"Points needed for the rank targets — {first.unit_name}, {first.index_code} {first.year}   "
             "(from marts.fct_points_needed, marts.fct_points_needed_by_criterion)"]
    for plan_id in dict.fromkeys(t.plan_id for t in targets):
        plan = [t for t in targets if t.plan_id == plan_id]
        lines += ["", plan[0].plan_ref,
                  f"  {'':<6}{'target':<23}{'rank':>7}  {'reach':<6}{'score at that rank (province)':<42}{'score':>7}   needed"]
        lines += [target_lines(t) for t in plan]
        for t in (t for t in plan if t.level == "total" and not t.is_reached and t.departments):
            lines += ["", f"Top departments for {t.component_code} {t.target_printed} (rank ≤ {t.target_rank}, "
                          f"{_points(t.points_needed)} points short): points lost on the criteria they lead"]
            lines += department_lines(t)
            moved = t.criteria_by_movement[:3]
            if moved:
                synthetic = " (anchored synthetic fill)" if any(c.movement_is_synthetic for c in moved) else ""
                lines.append("  The other provinces moved most on: " + ", ".join(
                    f"{'field' if c.movement_component == c.field_code else 'criterion'} {c.movement_component} "
                    f"{_signed(c.others_mean_change)}" for c in moved)
                    + f" points on average since {t.year - 1}{synthetic}")
    if any(t.threshold_is_synthetic for t in targets):
        lines += ["", "[synthetic]: that score is a value of the anchored SYNTHETIC fill of the national release "
                      "(only some provinces' scores are published): the gap illustrates, it is not a published fact."]
    return "\n".join(lines)
