"""The relations a report's tables print, declared in its relations.yaml: a fixed vocabulary, implemented once.

A declaration names its table's rows (`each`, a row filter; default all rows), the checked cell (`column`,
default the table's first value column) and, by kind, the figures it must agree with. A figure is a reference:
a number; {column: c} (the same row); {row: {filter}, column: c, table: t} (cells of any table; `$col` in a
filter stands for the checked row's value); {scores: {index_code, year, unit_name, component_code, measure,
score_kind}} (printed scores, percentages, ranks and changes); {max: {index_code, year, component_code}} (a
maximum of methodology.csv).

  sum             the cell = Σ of (− Σ minus)                        total files = resolved + cancelled + pending
  difference      the cell = from − minus                            points lost = maximum − score
  share           the cell = 100 × Σ part / Σ whole (rounded or cut off)          share = part / whole
  mean            the cell = the mean of the figures `of`            a group average of the units' values
  weighted_mean   the cell = Σ weight × value / Σ weight over `groups`             an average of group averages
  count           the cell = how many figures `of` meet `where` ({op, than})       units whose index rose
  equal           the cell = `to`                                    one figure printed in two tables
  min, max        the cell = the lowest / highest of the figures `of`  "scores range from 2.68 to 7.13"
  within          lower ≤ the cell ≤ upper                           a national range, a score scale
  sum_at_most     the cell ≥ Σ of (a list that need not be complete) points lost listed ≤ points lost
  rank_band_gain  the cell (a stated rank gain) = rank − band bound  the highest gain of a target rank band
  target_pct      the cell = 100 × (base + Σ gains) / max            a target % from the points a plan adds
"""
from __future__ import annotations

from decimal import Decimal

from ingest.core.errors import InputError
from ingest.curation.audit.facts import FactKey, Facts, row_matches
from ingest.curation.audit.numbers import parse
from ingest.curation.audit.reading import SCORES
from ingest.curation.audit.relations import (Bounds, Count, Extreme, Linear, Ratio, Relation, Sum,
                                             WeightedMean)

ONE = Decimal(1)
KINDS = {
    "sum": "not_sum_of_parts", "difference": "not_difference", "share": "share_not_part_over_whole",
    "mean": "not_mean_of_units", "weighted_mean": "not_mean_of_groups", "count": "count_disagrees",
    "equal": "printed_values_differ", "min": "not_lowest_value", "max": "not_highest_value",
    "within": "out_of_range", "sum_at_most": "parts_exceed_whole",
    "rank_band_gain": "rank_band_disagrees_with_change", "target_pct": "target_pct_disagrees_with_points",
}
Term = FactKey | Decimal


def _exact(kind: str, decl: dict) -> bool:
    """Ranks and counts are whole numbers as stated; a declaration may say so of other figures (`exact: true`)."""
    return kind in ("count", "rank_band_gain") or bool(decl.get("exact"))


def _listed(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


class Unresolved(Exception):
    """A reference that finds no figure (or several where one is needed): the relation cannot be checked."""


class Declarations:
    def __init__(self, facts: Facts):
        self.facts = facts
        self.t = facts.transcription
        self.path = self.t.folder / "relations.yaml"
        self.not_checked: list[str] = []          # declarations that found nothing to check, for the summary

    # --- references ---------------------------------------------------------------------------------------------

    def _substituted(self, where: dict, row: dict) -> dict:
        """`$col` stands for the checked row's value of col (also inside {not:}, {prefix:}: "$component_code.")."""
        def value(v):
            if isinstance(v, str) and v.startswith("$"):
                name, _, rest = v[1:].partition(".")
                return row.get(name, "") + ("." + rest if _ else "")
            if isinstance(v, dict):
                return {k: value(inner) for k, inner in v.items()}
            return v
        return {k: value(v) for k, v in (where or {}).items()}

    def terms(self, ref, table: str, line: int, row: dict) -> list[Term]:
        """Every figure a reference stands for."""
        if isinstance(ref, (int, float, str)) and not isinstance(ref, bool):
            number = parse(str(ref))
            if number is None:
                raise Unresolved(f"empty number {ref!r}")
            return [number]
        if not isinstance(ref, dict):
            raise InputError(self.path, f"{table}: a reference must be a number or a mapping, got {ref!r}")
        if "scores" in ref:
            match = self._substituted(ref["scores"], row)
            if "year" in match and str(match["year"]).lstrip("-").isdigit():
                match["year"] = int(match["year"])
            return sorted(self.facts.scores_keys(**match))
        if "max" in ref:
            spec = self._substituted(ref["max"], row)
            top = self.t.maxima.get((spec["index_code"], int(spec["year"]), str(spec["component_code"])))
            if top is None:
                raise Unresolved(f"no maximum for {spec}")
            return [top]
        name = ref.get("table", table)
        source = self.t.tables.get(name)
        if source is None:
            raise InputError(self.path, f"{table}: refers to table {name}, which the folder does not hold")
        column = ref.get("column") or self._value_column(name)
        if "row" not in ref:
            rows = [(line, row)] if name == table else []
        else:
            where = self._substituted(ref["row"], row)
            rows = [(n, r) for n, r in source.rows if row_matches(r, where)]
        return list(dict.fromkeys(self.facts.cells[(name, n, column)] for n, _ in rows
                                  if (name, n, column) in self.facts.cells))

    def one(self, ref, table, line, row) -> Term:
        found = self.terms(ref, table, line, row)
        if len(found) != 1:
            raise Unresolved(f"{ref} finds {len(found)} figures, not one")
        return found[0]

    def many(self, refs, table, line, row) -> list[Term]:
        found = []
        for ref in refs if isinstance(refs, list) else [refs]:
            found.extend(self.terms(ref, table, line, row))
        if not found:
            raise Unresolved(f"{refs} finds no figure")
        return found

    def _value_column(self, table: str) -> str:
        spec = (self.t.relations.get("tables") or {}).get(table) or {}
        columns = spec.get("value") or ["value"]
        return columns[0] if isinstance(columns, list) else columns

    # --- the vocabulary -----------------------------------------------------------------------------------------

    def computation(self, kind: str, decl: dict, table: str, line: int, row: dict):
        def linear(plus: list[Term], minus: list[Term] = ()) -> Linear:
            constant = sum((t for t in plus if isinstance(t, Decimal)), Decimal(0)) \
                - sum((t for t in minus if isinstance(t, Decimal)), Decimal(0))
            return Linear(tuple((ONE, t) for t in plus if not isinstance(t, Decimal))
                          + tuple((-ONE, t) for t in minus if not isinstance(t, Decimal)), constant)

        many = lambda name: self.many(decl[name], table, line, row)  # noqa: E731
        one = lambda name: self.one(decl[name], table, line, row)    # noqa: E731
        if kind == "sum":
            return Sum(linear(many("of"), self.many(decl["minus"], table, line, row) if "minus" in decl else []))
        if kind == "difference":
            return Sum(linear([one("from")], [one("minus")]))
        if kind == "share":
            return Ratio(linear(many("part")), linear(many("whole")))
        if kind == "mean":
            values = many("of")
            if "count" in decl and Decimal(len(values)) != self._number(one("count")):
                raise Unresolved(f"{len(values)} values found, {decl['count']} expected")
            return Sum(Linear(tuple((ONE / len(values), v) for v in values)))
        if kind == "weighted_mean":
            return WeightedMean(tuple((self.one(g["weight"], table, line, row), self.one(g["value"], table, line, row))
                                      for g in decl["groups"]))
        if kind == "count":
            condition = decl.get("where") or {"op": ">", "than": 0}
            return Count(tuple(many("of")), condition["op"], Decimal(str(condition.get("than", 0))))
        if kind == "equal":
            return Sum(linear([one("to")]))
        if kind in ("min", "max"):
            return Extreme(tuple(t for t in many("of") if not isinstance(t, Decimal)), kind)
        if kind == "within":
            lower = linear([one("lower")]) if "lower" in decl else None
            upper = linear([one("upper")]) if "upper" in decl else None
            return Bounds(lower, upper)
        if kind == "sum_at_most":
            return Bounds(linear(many("of")), None)
        if kind == "rank_band_gain":
            return Sum(linear([one("rank")], [one("band")]))
        if kind == "target_pct":       # fields without planned gains keep their base
            gains = [t for ref in _listed(decl.get("gains")) for t in self.terms(ref, table, line, row)]
            return Ratio(linear([one("base"), *gains]), linear([one("max")]))
        raise InputError(self.path, f"{table}: unknown relation kind {kind!r}; known: {', '.join(KINDS)}")

    def _number(self, term: Term) -> Decimal:
        if isinstance(term, Decimal):
            return term
        value = self.facts.value(term)
        if value is None:
            raise Unresolved("a count that has no single value")
        return value.value

    def relations(self) -> list[Relation]:
        found = []
        for table, spec in (self.t.relations.get("tables") or {}).items():
            if table not in self.t.tables and table != SCORES:
                raise InputError(self.path, f"declares {table}, which the folder does not hold")
            for number, decl in enumerate((spec or {}).get("relations") or [], start=1):
                found.extend(self._declared(table, number, decl))
        return found

    def _targeted(self, table: str, number: int, decl: dict) -> list[Relation]:
        """A relation with a `target` of its own (a printed score, say) instead of each row of its table."""
        kind, says = decl["kind"], decl.get("says") or decl["kind"].replace("_", " ")
        try:
            target = self.one(decl["target"], table, 0, {})
            if isinstance(target, Decimal):
                raise InputError(self.path, f"{table} relation {number}: the target must be a printed figure")
            computation = self.computation(kind, decl, table, 0, {})
        except Unresolved as why:
            self.not_checked.append(f"{table} relation {number} ({says}): {why}")
            return []
        return [Relation(KINDS[kind], says, target, computation, truncation=kind in ("share", "target_pct"),
                         source=table, exact=_exact(kind, decl))]

    def _declared(self, table: str, number: int, decl: dict) -> list[Relation]:
        kind = decl.get("kind")
        if kind not in KINDS:
            raise InputError(self.path, f"{table} relation {number}: unknown kind {kind!r}; known: {', '.join(KINDS)}")
        if "target" in decl:
            return self._targeted(table, number, decl)
        if table == SCORES:
            raise InputError(self.path, f"{table} relation {number}: a relation on printed scores needs a `target`")
        column = decl.get("column") or self._value_column(table)
        says = decl.get("says") or kind.replace("_", " ")
        found, skipped = [], []
        for line, row in self.t.tables[table].rows:
            if not row_matches(row, decl.get("each") or {}):
                continue
            target = self.facts.cells.get((table, line, column))
            if target is None:
                continue
            try:
                computation = self.computation(kind, decl, table, line, row)
            except Unresolved as why:
                skipped.append(f"row {line}: {why}")
                continue
            found.append(Relation(KINDS[kind], says, target, computation,
                                  truncation=kind in ("share", "target_pct"), source=table, exact=_exact(kind, decl)))
        if not found:
            self.not_checked.append(f"{table} relation {number} ({says}): "
                                    + (skipped[0] if skipped else "no row matches"))
        return found
