"""One finding per slip, at the printing that is odd.

A fact printed with different values is one finding per odd value (`printed_twice`), at the places that print
it, with the value the evidence supports (evidence.py); a change printed beside an odd value and agreeing with it
is the same slip. Then every relation is checked on the facts' values. A broken relation names several
printings; the odd one is the printing that breaks the most relations, whose repair would break none that holds
(a criterion's change of +1 that would make last year's score exceed its maximum is not the one to repair), that
fewest holding relations vouch for (a bound or a count does not), that is printed in fewest places, and, all else
equal, the figure the relation computes (a percentage beside its score, a total beside its parts). Relations it
explains are not reported again; where the evidence cannot tell two printings apart, the finding names both.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ingest.curation.audit.evidence import Resolution, describe
from ingest.curation.audit.facts import FactKey, Facts
from ingest.curation.audit.numbers import Interval, Printed, places, rounded
from ingest.curation.audit.relations import Bounds, Count, Relation

BASE_MEASURES = ("score", "rank", "pct_of_max")


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


def _finding(facts: Facts, key: FactKey, refs: str, printed, expected, kind: str, detail: str) -> Finding:
    context = facts.facts[key].context
    return Finding(refs, context.get("index_code") or "", context.get("year") or 0, context.get("unit_name") or "",
                   context.get("component_code") or "", context["measure"], printed, expected, kind, detail)


def _repair(interval: Interval, current: Decimal, bound: bool) -> Decimal | None:
    """The value the relation computes from the printed figures (for a bound: the edge nearest to the printed
    value); None where the relation says nothing."""
    lo, hi = interval.lo, interval.hi
    if lo <= current <= hi:
        return current
    if not bound and lo.is_finite() and hi.is_finite():
        return (lo + hi) / 2
    edge = lo if current < lo else hi
    return edge if edge.is_finite() else None


def _expected(relation: Relation, facts: Facts, key: FactKey, interval: Interval | None) -> Decimal | None:
    """The value the relations need, to the printing's precision (or the computation's, for a sum of printings:
    1.0337 − 1.67 = −0.6363)."""
    like = facts.value(key)
    if interval is None or like is None:
        return None
    repaired = _repair(interval, like.value, isinstance(relation.computation, Bounds))
    if repaired is None or repaired == like.value:
        return None
    decimals = places(like.value) if like.exact or relation.exact or isinstance(relation.computation, Count) else \
        like.decimals
    shown = rounded(repaired, decimals)
    if not interval.lo <= shown <= interval.hi and places(repaired.normalize()) <= 4:
        shown = repaired.normalize()      # the printing's precision would not do: 1.0337 − 1.67 = −0.6363
    return shown


# --- conflicts --------------------------------------------------------------------------------------------------

def conflicts(facts: Facts, resolutions: dict[FactKey, Resolution], relations: list[Relation]) -> list[Finding]:
    found: list[tuple[FactKey, set, Finding]] = []
    for key, resolution in resolutions.items():
        chosen = resolution.chosen
        if resolution.status == "unresolved":
            values = ", ".join(f"{w.candidate.value} at {w.candidate.refs} (support {w.support})"
                               for w in resolution.weighed)
            found.append((key, set(p.source_ref for p in resolution.fact.places), _finding(
                facts, key, "; ".join(dict.fromkeys(p.source_ref for p in resolution.fact.places)), None, None,
                "printed_twice", f"printed as {values}; the evidence ties, the first printing "
                                 f"({chosen.value} at {chosen.refs}) is kept and the fact is marked unresolved")))
            continue
        why = (f"decided in packaging.yaml: {resolution.reason}" if resolution.status == "decided"
               else f"{chosen.value} is supported: {resolution.evidence(chosen)}")
        for weighed in resolution.others:
            candidate = weighed.candidate
            found.append((key, {p.source_ref for p in candidate.places}, _finding(
                facts, key, candidate.refs, candidate.value.value, chosen.value.value, "printed_twice",
                f"also printed as {chosen.value} at {chosen.refs}; {why}")))
    return _merge_consequences(facts, found, relations)


def _merge_consequences(facts: Facts, found: list, relations: list[Relation]) -> list[Finding]:
    """A change printed beside an odd score that agrees with it is part of that slip, not a slip of its own."""
    odd_values = {key: finding.printed_value for key, _, finding in found if finding.printed_value is not None}
    kept, merged = [], {}
    for key, places_of, finding in found:
        if key[0] == "scores" and key[7] not in BASE_MEASURES and finding.printed_value is not None:
            base = next((b for b, p, f in found if b != key and b[:7] == key[:7] and b[7] in BASE_MEASURES
                         and p == places_of and _consistent(facts, relations, key, b, odd_values)), None)
            if base is not None:
                merged.setdefault(base, []).append(finding)
                continue
        kept.append((key, finding))
    for key, finding in kept:
        for extra in merged.get(key, []):
            finding.detail += f"; its {extra.measure} {extra.printed_value} printed with it agrees with it"
    return [finding for _, finding in kept]


def _consistent(facts: Facts, relations: list[Relation], key: FactKey, base: FactKey, odd: dict) -> bool:
    def value(k):
        if k in odd:
            return Printed(odd[k], facts.facts[k].first.value.exact, facts.transcription.floor_decimals)
        return facts.value(k)
    return any(key in r.terms and base in r.terms and r.holds(value) for r in relations)


# --- broken relations -------------------------------------------------------------------------------------------

def _value_as(facts: Facts, key: FactKey, interval: Interval) -> Printed | None:
    like = facts.value(key)
    repaired = _repair(interval, like.value, False)
    return None if repaired is None else Printed(repaired, like.exact, facts.transcription.floor_decimals)


def _explains(facts: Facts, key: FactKey, involved: list[Relation],
              holding: list[Relation]) -> tuple[list, int, Interval | None]:
    """The broken relations one repair of `key` would mend (tightest first; relations that cannot say which value
    they need are left out), how many holding relations that repair would break, and the repair."""
    values = facts.value
    needed = [(r, r.needed(values, key)) for r in involved]
    # A relation that cannot say which value the figure would need is not mended by it (a count of rising units
    # does not single out one unit's change): such a relation is explained by the figure it computes, if by any.
    said = sorted(((r, i) for r, i in needed if i is not None), key=lambda pair: pair[1].hi - pair[1].lo)
    if not said:
        return [], 0, None
    best: list = []
    for _, anchor in said:
        group = [(r, i) for r, i in said if i.meets(anchor)]
        if len(group) > len(best):
            best = group
    repair = best[0][1]
    for _, interval in best[1:]:
        if interval.meets(repair):
            repair = Interval(max(repair.lo, interval.lo), min(repair.hi, interval.hi))
    fixed = _value_as(facts, key, repair)
    breaks = 0 if fixed is None else sum(
        1 for r in holding if r.holds(lambda k: fixed if k == key else values(k)) is False)
    return [r for r, _ in best], breaks, repair


def broken(facts: Facts, relations: list[Relation]) -> list[Finding]:
    verdicts = [(r, r.holds(facts.value)) for r in relations]
    unexplained = [r for r, verdict in verdicts if verdict is False]
    holding: dict[FactKey, list[Relation]] = {}
    for relation, verdict in verdicts:
        if verdict:
            for key in relation.terms:
                holding.setdefault(key, []).append(relation)
    # A holding bound leaves a figure free within a range, a count leaves the counted figures free but for their
    # sign: neither vouches for those values (a count does vouch for the count it prints).
    vouching = {key: sum(1 for r in found if not isinstance(r.computation, Bounds)
                         and (not isinstance(r.computation, Count) or r.target == key))
                for key, found in holding.items()}
    findings = []
    while unexplained:
        involved: dict[FactKey, list[Relation]] = {}
        for relation in unexplained:
            for key in relation.terms:
                involved.setdefault(key, []).append(relation)
        judged = {}
        for key, relations_of in involved.items():
            explained, breaks, repair = _explains(facts, key, relations_of, holding.get(key, []))
            # On a tie, the figure a relation computes (not a bound, which is a given: the units of a group).
            computed = sum(1 for r in explained if r.target == key and not isinstance(r.computation, Bounds))
            printings = len(facts.facts[key].places)             # printed alike in more places: less likely odd
            judged[key] = ((len(explained), -breaks, -vouching.get(key, 0), -printings, computed), explained, repair)
        best = max(judged_rank for judged_rank, _, _ in judged.values())
        if best[0] == 0:         # no printing's repair mends what is left: each relation at the figure it computes
            relation = unexplained[0]
            findings.append(_relation_finding(facts, [relation.target], [relation], None))
            unexplained = unexplained[1:]
            continue
        leader = min((k for k in involved if judged[k][0] == best),
                     key=lambda k: min(p.order for p in facts.facts[k].places))
        explained = judged[leader][1]
        blamed = [k for k in involved if judged[k][0] == best
                  and {id(r) for r in judged[k][1]} == {id(r) for r in explained}]
        findings.append(_relation_finding(facts, blamed, explained, judged[leader][2]))
        unexplained = [r for r in unexplained if all(r is not e for e in explained)]
    return findings


def _relation_finding(facts: Facts, blamed: list[FactKey], explained: list[Relation],
                      repair: Interval | None) -> Finding:
    first = min(blamed, key=lambda k: min(p.order for p in facts.facts[k].places))
    value = facts.value(first)
    relation = explained[0]
    repair = repair if repair is not None else relation.needed(facts.value, first)
    expected = _expected(relation, facts, first, repair) if len(blamed) == 1 else None
    refs = "; ".join(dict.fromkeys(p.source_ref for k in sorted(blamed, key=lambda k: min(
        p.order for p in facts.facts[k].places)) for p in facts.facts[k].places))
    parts = []
    for r in explained:
        others = _listing([describe(facts, k) for k in r.terms if k not in blamed])
        parts.append(f"{r.says} ({r.kind}; with {others})" if others else f"{r.says} ({r.kind})")
    if len(blamed) > 1:
        parts.append("the evidence does not tell which of these is odd: "
                     + _listing([describe(facts, k) for k in blamed], 8))
    return _finding(facts, first, refs, value.value, expected, relation.kind, "; ".join(parts))


def _listing(items: list[str], shown: int = 5) -> str:
    """A list of printings for people: the first few, then how many more."""
    if len(items) <= shown + 1:
        return ", ".join(items)
    return ", ".join(items[:shown]) + f" and {len(items) - shown} more"


def unreadable(facts: Facts) -> list[Finding]:
    return [Finding(place.source_ref, context.get("index_code") or "", context.get("year") or 0,
                    context.get("unit_name") or "", context.get("component_code") or "", context["measure"], None,
                    None, "unreadable_value", f"printed {text!r}, not a number")
            for place, context, _, text in facts.unreadable]
