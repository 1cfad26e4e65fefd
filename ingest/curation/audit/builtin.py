"""The relations every report's scores.csv prints, derived from its methodology (nothing is declared per report
except which parents are the sum of their children where the children's maxima are not printed).

  out_of_range                     a score outside 0 … its maximum, a percentage outside 0 … 100, a rank outside
                                   1 … the number of ranked units
  pct_not_score_over_max           a percentage that is not score / maximum (rounded or cut off)
  parts_do_not_sum                 a parent that is not the sum of its children: where the children's maxima make up
                                   the parent's, or where relations.yaml says the methodology sums them
                                   (`sum_of_children`); an alternative split into parts (appraisal, survey) likewise
  delta_not_difference             a printed change that is not the difference of the two years' values (a rank
                                   change: last year's rank − this year's, among the same number of ranked units)
  changes_do_not_sum               a parent's change that is not the sum of its children's changes
  change_implies_impossible_value  a change that puts last year's value outside 0 … its maximum (or a rank outside
                                   1 … rank_of): this finds the odd change among a parent's children
  rank_not_place                   a rank that is not the unit's place by its printed % (or score) among the units
                                   of a group the report ranks in full (every unit of the N ranked printed)
"""
from __future__ import annotations

from decimal import Decimal

from ingest.curation.audit.facts import FactKey, Facts
from ingest.curation.audit.relations import Bounds, Linear, Place, Ratio, Relation, Sum

ONE = Decimal(1)


def _key_with(key: FactKey, **changes) -> FactKey:
    positions = {"year": 2, "component": 5, "score_kind": 6, "measure": 7, "scope": 8}
    parts = list(key)
    for name, value in changes.items():
        parts[positions[name]] = value
    return tuple(parts)


class Derivation:
    """Builds the relations of one transcription's scores."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self.t = facts.transcription
        declared = self.t.relations.get("sum_of_children") or []
        self.summed = [(str(d.get("index", "")), {str(p) for p in (d.get("parents") or [])}) for d in declared]
        self.rank_of = self._rank_of()

    def _rank_of(self) -> dict[FactKey, Decimal]:
        found = {}
        for p in self.t.printings:
            if "rank" in p.values and "rank_of" in p.values:
                found[self.facts.measure_key(p, "rank")] = p.values["rank_of"].value
        return found

    def declared_sum(self, index_code: str, parent: str) -> bool:
        return any(index in ("", index_code) and (not parents or parent in parents) for index, parents in self.summed)

    def score_of(self, key: FactKey, component: str) -> FactKey | None:
        """The score fact of another component of the same unit and year: the same score kind, else any."""
        same_kind = _key_with(key, component=component, measure="score", scope="")
        if same_kind in self.facts.facts:
            return same_kind
        others = [k for k in self.facts.scores_keys(index_code=key[1], year=key[2], unit_name=key[4],
                                                     component_code=component, measure="score")]
        return others[0] if len(others) == 1 else None

    def children_split(self, key: FactKey) -> list[list[str]]:
        """The ways the parent splits into children that add up: the children proper, and the parts."""
        index_code, year, parent = key[1], key[2], key[5]
        kids = self.t.children.get((index_code, year, parent), [])
        splits = []
        for split in ([c for c, level in kids if level != "part"], [c for c, level in kids if level == "part"]):
            if len(split) < 2:
                continue
            maxima = [self.t.maxima.get((index_code, year, c)) for c in split]
            parent_max = self.t.maxima.get((index_code, year, parent))
            adds_up = parent_max is not None and None not in maxima and sum(maxima) == parent_max
            if adds_up or self.declared_sum(index_code, parent):
                splits.append(split)
        return splits

    def summands(self, key: FactKey, split: list[str]) -> list[FactKey] | None:
        """The score facts of the children (a child without a printed score stands for its own children where the
        methodology sums them; a child the unit is not assessed on counts nothing). None when one is missing."""
        found = []
        for child in split:
            if (key[1], key[4], child) in self.t.not_assessed:
                continue
            child_key = self.score_of(key, child)
            if child_key is not None:
                found.append(child_key)
                continue
            deeper = _key_with(key, component=child)
            splits = self.children_split(deeper)
            below = self.summands(deeper, splits[0]) if splits else None
            if below is None:
                return None
            found.extend(below)
        return found

    # --- the relations ------------------------------------------------------------------------------------------

    def ranges(self) -> list[Relation]:
        found = []
        for key, fact in self.facts.facts.items():
            if key[0] != "scores":
                continue
            measure, index_code, year, unit, component = key[7], key[1], key[2], key[4], key[5]
            if measure == "score":
                top = self.t.maximum(index_code, year, unit, component)
                upper = Linear((), top) if top is not None else None
                says = f"0 ≤ score ≤ {top}" if top is not None else "score ≥ 0"
                found.append(Relation("out_of_range", says, key, Bounds(Linear(()), upper)))
            elif measure == "pct_of_max":
                found.append(Relation("out_of_range", "0 ≤ % of maximum ≤ 100", key,
                                      Bounds(Linear(()), Linear((), Decimal(100)))))
            elif measure == "rank" and key in self.rank_of:
                found.append(Relation("out_of_range", f"1 ≤ rank ≤ {self.rank_of[key]} ranked units", key,
                                      Bounds(Linear((), ONE), Linear((), self.rank_of[key]))))
        return found

    def percentages(self) -> list[Relation]:
        found = []
        for key in self.facts.scores_keys(measure="pct_of_max"):
            score = _key_with(key, measure="score")
            top = self.t.maximum(key[1], key[2], key[4], key[5])
            if score in self.facts.facts and top:
                found.append(Relation("pct_not_score_over_max", f"% of maximum = score / {top} × 100", key,
                                      Ratio(Linear(((ONE, score),)), Linear((), top)), truncation=True))
        return found

    def sums(self) -> list[Relation]:
        found = []
        for key in self.facts.scores_keys(measure="score"):
            for split in self.children_split(key):
                parts = self.summands(key, split)
                if parts:
                    names = ", ".join(k[5] for k in parts)
                    found.append(Relation("parts_do_not_sum", f"{key[5]} = {' + '.join(k[5] for k in parts)}"
                                          if len(parts) <= 4 else f"{key[5]} = the sum of {len(parts)} parts ({names})",
                                          key, Sum(Linear(tuple((ONE, k) for k in parts)))))
        return found

    def part_sums(self) -> list[Relation]:
        """A parent's part (its survey points, say) = the same part of each child, where the maxima say so:
        TOTAL.survey 33.50 = 2.survey 5 + 4.survey 4.5 + 5.survey 6 + 6.survey 4 + 7.survey 4 + 8.SIPAS 10."""
        found = []
        kinds = {(r["index_code"], int(r["year"]), r["component_code"]): (r.get("level", ""), r.get("part", ""))
                 for _, r in (self.t.tables["methodology.csv"].rows if "methodology.csv" in self.t.tables else ())}
        for key in self.facts.scores_keys(measure="score"):
            index_code, year, whole = key[1], key[2], key[5]
            level, part = kinds.get((index_code, year, whole), ("", ""))
            parent = next((p for (i, y, p), kids in self.t.children.items() if (i, y) == (index_code, year)
                           and any(c == whole for c, _ in kids)), None)
            if level != "part" or not part or part == "mixed" or parent is None:
                continue
            pieces = []
            for child, child_level in self.t.children.get((index_code, year, parent), []):
                if child_level == "part":
                    continue
                own = [c for c, lvl in self.t.children.get((index_code, year, child), [])
                       if lvl == "part" and kinds.get((index_code, year, c), ("", ""))[1] == part]
                pieces.extend(own)
            maxima = [self.t.maxima.get((index_code, year, c)) for c in pieces]
            if len(pieces) < 2 or None in maxima or sum(maxima) != self.t.maxima.get((index_code, year, whole)):
                continue
            parts = [self.score_of(key, c) for c in pieces]
            if None not in parts:
                found.append(Relation("parts_do_not_sum", f"{whole} = the sum of the fields' {part} parts "
                                      f"({', '.join(pieces)})", key, Sum(Linear(tuple((ONE, k) for k in parts)))))
        return found

    def _not_compared(self, key: FactKey) -> bool:
        return any((p.source_ref, key[1], key[2], key[4], key[5]) in self.t.not_compared
                   for p in self.facts.facts[key].places)

    def changes(self) -> list[Relation]:
        found = []
        for key in self.facts.scores_keys(measure="delta"):
            if self._not_compared(key):
                continue
            measure = key[8]                       # a change of the score or of the % of the maximum
            now, before = _key_with(key, measure=measure, scope=""), _key_with(key, year=key[2] - 1, measure=measure,
                                                                                scope="")
            if now in self.facts.facts and before in self.facts.facts:
                found.append(Relation("delta_not_difference", f"change = {key[2]} − {key[2] - 1}", key,
                                      Sum(Linear(((ONE, now), (-ONE, before))))))
            elif now in self.facts.facts:
                top = (Decimal(100) if measure == "pct_of_max" else
                       self.t.maximum(key[1], key[2] - 1, key[4], key[5]) or
                       self.t.maxima.get((key[1], key[2], key[5])))
                if top is not None:
                    found.append(Relation("change_implies_impossible_value",
                                          f"{key[2] - 1} = {key[2]} − change must lie within 0 … {top}", key,
                                          Bounds(Linear(((ONE, now),), -top), Linear(((ONE, now),)))))
        for key in self.facts.scores_keys(measure="rank_change"):
            now = _key_with(key, measure="rank")
            before = _key_with(key, year=key[2] - 1, measure="rank")
            same_units = self.rank_of.get(now) is not None and self.rank_of.get(now) == self.rank_of.get(before)
            if now in self.facts.facts and before in self.facts.facts and same_units:
                found.append(Relation("delta_not_difference", f"rank change = rank {key[2] - 1} − rank {key[2]}",
                                      key, Sum(Linear(((ONE, before), (-ONE, now))))))
            elif now in self.facts.facts and now in self.rank_of:
                found.append(Relation("change_implies_impossible_value",
                                      f"rank {key[2] - 1} = rank + change must lie within 1 … {self.rank_of[now]}", key,
                                      Bounds(Linear(((-ONE, now),), ONE), Linear(((-ONE, now),), self.rank_of[now]))))
        return found

    def change_sums(self) -> list[Relation]:
        """A parent's change against the changes of its children: a child printed in both years counts as the
        difference of its two values (a change printed to 4 decimals against a value printed to 2 is no more
        precise than that value), else as its printed change."""
        found = []
        for key in self.facts.scores_keys(measure="delta", scope="score"):
            if self._not_compared(key):
                continue
            for split in self.children_split(_key_with(key, measure="score", scope="")):
                terms, names = [], []
                for child in split:
                    if (key[1], key[4], child) in self.t.not_assessed:
                        continue
                    change = _key_with(key, component=child)
                    now = _key_with(change, measure="score", scope="")
                    before = _key_with(now, year=key[2] - 1)
                    if now in self.facts.facts and before in self.facts.facts:
                        terms += [(ONE, now), (-ONE, before)]
                    elif change in self.facts.facts and not self._not_compared(change):
                        terms.append((ONE, change))
                    else:
                        break
                    names.append(child)
                else:
                    found.append(Relation("changes_do_not_sum", f"change of {key[5]} = the sum of the changes of "
                                          f"{', '.join(names)}", key, Sum(Linear(tuple(terms)))))
        return found


    def places(self) -> list[Relation]:
        groups: dict[tuple, list[FactKey]] = {}
        for key in self.facts.scores_keys(measure="rank"):
            if key in self.rank_of:
                groups.setdefault((*key[1:4], *key[5:], self.rank_of[key]), []).append(key)
        found = []
        for group, ranks in groups.items():
            if len(ranks) < 3 or len(ranks) != group[-1]:
                continue                         # only a group printed in full says who is above whom
            for measure in ("pct_of_max", "score"):
                by = {k: _key_with(k, measure=measure, scope="") for k in ranks}
                if all(v in self.facts.facts for v in by.values()):
                    break
            else:
                continue
            for k in ranks:
                others = tuple(by[o] for o in ranks if o != k)
                found.append(Relation("rank_not_place", f"rank = place by {by[k][7]} among the {len(ranks)} units "
                                      "ranked", k, Place(by[k], others), exact=True))
        return found


def relations(facts: Facts) -> list[Relation]:
    derivation = Derivation(facts)
    return (derivation.ranges() + derivation.percentages() + derivation.sums() + derivation.part_sums()
            + derivation.changes() + derivation.change_sums() + derivation.places())
