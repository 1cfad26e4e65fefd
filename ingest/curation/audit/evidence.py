"""Which printed value of a fact the record supports, when a report prints the fact with different values.

Each candidate value is weighed: +1 for each place it is printed, +1 for each relation that holds with it and
not with every other candidate (its printed changes against last year's and next year's values, parent = sum
of children, % = score / maximum, any relation relations.yaml declares), +1 where an independent source (a
national release excerpt that does not cite the report itself) prints it. The best-supported value is the fact's
value; on a tie the first printing is kept and the fact is `unresolved`. A person's decision in packaging.yaml
(`decisions:`, with a reason) wins over the evidence and is recorded as `decided`.
"""
from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ingest.core.errors import InputError
from ingest.curation.audit.facts import Candidate, Fact, FactKey, Facts
from ingest.curation.audit.numbers import Printed, parse, same
from ingest.curation.audit.relations import Bounds, Count, Relation
from ingest.sources import layouts

MAX_COMBINATIONS = 64          # of the other facts' candidates tried per relation and candidate


@dataclass
class Weighed:
    candidate: Candidate
    support: int = 0
    reasons: list[str] = field(default_factory=list)
    distance: Decimal = Decimal(0)      # from what the relations compute (breaks a tie of support)


@dataclass
class Resolution:
    fact: Fact
    chosen: Candidate
    status: str                    # resolved | unresolved | decided
    weighed: list[Weighed]
    reason: str = ""               # a person's reason for a decision

    @property
    def others(self) -> list[Weighed]:
        return [w for w in self.weighed if w.candidate is not self.chosen]

    def evidence(self, candidate: Candidate) -> str:
        weighed = next(w for w in self.weighed if w.candidate is candidate)
        return " | ".join(weighed.reasons)


def describe(facts: Facts, key: FactKey, value: Printed | None = None) -> str:
    fact = facts.facts.get(key)
    if fact is None:
        return str(key)
    shown = value if value is not None else facts.value(key)
    where = next((c.refs for c in fact.candidates if shown is not None and same(c.value.value, shown.value)),
                 fact.first.refs)
    return f"{fact.label} {shown if shown is not None else '?'} ({where})"


def _choices(facts: Facts, key: FactKey, settled: dict) -> list[Printed] | None:
    if key in settled:
        return [settled[key]]
    fact = facts.facts.get(key)
    return [c.value for c in fact.candidates] if fact else None


def _agrees(relation: Relation, facts: Facts, key: FactKey, value: Printed,
            settled: dict) -> tuple[bool | None, Decimal, dict]:
    """Does the relation hold with the fact at `value`, for some printed value of each other fact it names (the
    chosen one of a fact already resolved)? How far is `value` from what the relation computes? And the other
    facts' values it holds with."""
    others = [k for k in relation.terms if k != key]
    choices = []
    for other in others:
        found = _choices(facts, other, settled)
        if found is None:
            return None, Decimal(0), {}
        choices.append(found)
    verdicts, distance = [], None
    for combination in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
        assigned = dict(zip(others, combination))
        assigned[key] = value
        verdict = relation.holds(assigned.get)
        needed = None if isinstance(relation.computation, (Bounds, Count)) else relation.needed(assigned.get, key)
        if needed is not None and needed.lo.is_finite() and needed.hi.is_finite():   # a bound says no "nearer"
            gap = abs(value.value - needed.middle)
            distance = gap if distance is None else min(distance, gap)
        if verdict:
            return True, distance or Decimal(0), assigned
        verdicts.append(verdict)
    return (False if False in verdicts else None), distance or Decimal(0), {}


def _weigh(fact: Fact, facts: Facts, relations: list[Relation], independent: dict, settled: dict) -> list[Weighed]:
    weighed = [Weighed(c, len(c.places), [f"printed {len(c.places)}× ({c.refs})"]) for c in fact.candidates]
    for relation in relations:
        outcomes = [_agrees(relation, facts, fact.key, w.candidate.value, settled) for w in weighed]
        for w, (_, distance, _) in zip(weighed, outcomes):
            w.distance += distance
        verdicts = [verdict for verdict, _, _ in outcomes]
        if len(set(verdicts) - {None}) < 2:
            continue                          # holds for all, none, or cannot be said: no evidence either way
        for w, (verdict, _, assigned) in zip(weighed, outcomes):
            if verdict:
                others = ", ".join(describe(facts, k, assigned.get(k)) for k in relation.terms if k != fact.key)
                w.support += 1
                w.reasons.append(f"{relation.says} with {others}")
    for value, where in independent.get(fact.key, []):
        for w in weighed:
            if same(w.candidate.value.value, value):
                w.support += 1
                w.reasons.append(f"independent source: {value} in {where}")
    return weighed


def _leader(weighed: list[Weighed], by_distance: bool) -> Weighed | None:
    """The best-supported candidate; on equal support the one nearest to what the relations compute from the
    printed values (a change of −0.49 beside 5.09 − 5.58, not −0.48); None on a tie of both."""
    best = max(w.support for w in weighed)
    leaders = [w for w in weighed if w.support == best]
    if len(leaders) == 1:
        return leaders[0]
    if not by_distance:
        return None
    nearest = min(w.distance for w in leaders)
    closest = [w for w in leaders if w.distance == nearest]
    if len(closest) == 1:
        closest[0].reasons.append("nearest to the values the relations compute from the printed figures")
        return closest[0]
    return None


def _decision_for(fact: Fact, decisions: list[dict]) -> dict | None:
    key = fact.key
    for decision in decisions:
        wanted = (str(decision.get("index", "")), int(decision.get("year", 0)), str(decision.get("unit", "")),
                  str(decision.get("component", "")), str(decision.get("measure", "score")))
        if key[0] == "scores" and (key[1], key[2], key[4], key[5], key[7]) == wanted and key[8] in ("", "national"):
            return decision
    return None


def resolve(facts: Facts, relations: list[Relation], independent: dict | None = None,
            decisions: list[dict] | None = None, path: Path | None = None) -> dict[FactKey, Resolution]:
    """Resolve every fact printed with different values; the chosen values become the facts' values."""
    by_term: dict[FactKey, list[Relation]] = {}
    for relation in relations:
        for key in relation.terms:
            by_term.setdefault(key, []).append(relation)
    decisions = list(decisions or [])
    used = set()
    found: dict[FactKey, Resolution] = {}
    settled: dict[FactKey, Printed] = {}
    pending = [fact for fact in facts.facts.values() if len(fact.candidates) > 1]
    for fact in list(pending):
        decision = _decision_for(fact, decisions)
        if decision is None:
            continue
        used.add(id(decision))
        value = parse(str(decision.get("value", "")))
        chosen = next((c for c in fact.candidates if value is not None and same(c.value.value, value)), None)
        if chosen is None or not decision.get("reason"):
            raise InputError(path or facts.transcription.folder, f"decision on {fact.label} must name one of the "
                             f"printed values ({', '.join(str(c.value) for c in fact.candidates)}) and a reason",
                             column="decisions")
        found[fact.key] = Resolution(fact, chosen, "decided",
                                     _weigh(fact, facts, by_term.get(fact.key, []), independent or {}, settled),
                                     str(decision["reason"]))
        settled[fact.key] = chosen.value
        pending.remove(fact)
    by_distance = False
    while pending:                 # a resolved fact is evidence for the others: weigh again until nothing changes
        weighings = {fact.key: _weigh(fact, facts, by_term.get(fact.key, []), independent or {}, settled)
                     for fact in pending}
        progress = False
        for fact in list(pending):
            leader = _leader(weighings[fact.key], by_distance)
            if leader is not None:
                found[fact.key] = Resolution(fact, leader.candidate, "resolved", weighings[fact.key])
                settled[fact.key] = leader.candidate.value
                pending.remove(fact)
                progress = True
        if progress:
            by_distance = False
        elif not by_distance:      # support ties everywhere: nearness to the computed values decides, then weigh again
            by_distance = True
        else:
            for fact in pending:
                found[fact.key] = Resolution(fact, fact.first, "unresolved", weighings[fact.key])
                settled[fact.key] = fact.first.value
            break
    facts.resolved.update(settled)
    unused = [d for d in decisions if id(d) not in used]
    if unused:
        raise InputError(path or facts.transcription.folder, f"decision {unused[0]} matches no fact printed with "
                         "different values", column="decisions")
    return found


def independent_values(facts: Facts, reports_dir: Path, layouts_dir: Path) -> dict[FactKey, list[tuple]]:
    """Values of the national release excerpts that packaging.yaml names as anchors of the report's releases,
    leaving out rows that cite the report itself (the same printing again, not another source)."""
    found: dict[FactKey, list[tuple]] = {}
    report = facts.transcription.name
    for release in facts.transcription.spec.get("releases") or []:
        for anchor in (release.get("national_fill") or {}).get("anchors") or []:
            path = reports_dir / anchor["file"]
            layout = layouts.load_layout(anchor["layout"], layouts_dir)
            with path.open(encoding="utf-8", newline="") as handle:
                cites = {n + 2: report in (row.get("source_url") or "") for n, row in enumerate(csv.DictReader(handle))}
            for line, record in layouts.read_records(path, layout):
                if cites.get(line):
                    continue
                for measure in ("score", "rank"):
                    if not record[measure]:
                        continue
                    scope = "national" if measure == "rank" else ""
                    for key in facts.scores_keys(index_code=release["index"], year=int(release["year"]),
                                                 unit_name=record["unit_name"], component_code=record["component_code"],
                                                 measure=measure, scope=scope):
                        found.setdefault(key, []).append((parse(record[measure]), f"{anchor['file']} row {line}"))
    return found
