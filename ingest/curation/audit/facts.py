"""Facts and their printings: one fact (Lai Châu's PAR INDEX 2024 field 2 rank) may be printed in several places,
sometimes with different values (its candidates).

A row of scores.csv prints up to six measures of one unit and component; each is a printing of a fact keyed by
index, year, unit, component, score kind and measure (a rank also by its scope: national, or among N units). A
cell of another table is a fact of its own unless relations.yaml says which cells print the same fact (`facts:`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ingest.curation.audit.numbers import Printed, parse, same
from ingest.curation.audit.reading import Printing, Transcription, line_of

FactKey = tuple


@dataclass(frozen=True)
class Place:
    """Where a figure is printed: the line(s) of the source document, and the transcription row that holds it."""

    source_ref: str
    table: str
    line: int

    @property
    def order(self) -> tuple:
        return line_of(self.source_ref), self.table != "scores.csv", self.line


@dataclass
class Candidate:
    """One value of a fact and the places that print it (43.48 and 43.4796 are one value to two precisions)."""

    value: Printed                 # the most precise printing
    printings: list[tuple[Printed, Place]]

    @property
    def places(self) -> list[Place]:
        return sorted((place for _, place in self.printings), key=lambda p: p.order)

    @property
    def refs(self) -> str:
        return "; ".join(dict.fromkeys(p.source_ref for p in self.places))

    @property
    def first_printed(self) -> tuple[Printed, Place]:
        """The value as printed first (what a package carries: 43.48 from L18, not 43.4796 from L25)."""
        return min(self.printings, key=lambda pair: pair[1].order)


@dataclass
class Fact:
    key: FactKey
    label: str                     # for people: "PAR_INDEX 2024 Lai Châu 2 rank"
    context: dict                  # index_code, year, unit_name, component_code, measure (for findings)
    candidates: list[Candidate] = field(default_factory=list)

    def add(self, value: Printed, place: Place) -> None:
        for candidate in self.candidates:
            if same(candidate.value.value, value.value):
                candidate.printings.append((value, place))
                if value.decimals > candidate.value.decimals:       # keep the most precise printing
                    candidate.value = value
                return
        self.candidates.append(Candidate(value, [(value, place)]))

    @property
    def places(self) -> list[Place]:
        return sorted((p for c in self.candidates for p in c.places), key=lambda p: p.order)

    @property
    def first(self) -> Candidate:
        """The candidate printed first in document order."""
        return min(self.candidates, key=lambda c: min(p.order for p in c.places))


def rank_scope(transcription: Transcription, printing: Printing) -> str:
    rank_of = printing.values.get("rank_of")
    if rank_of is None or int(rank_of.value) in transcription.national_rank_of:
        return "national"
    return f"of {rank_of.value}"


def score_key(printing: Printing, measure: str, scope: str = "", year: int | None = None,
              component: str | None = None, score_kind: str | None = None) -> FactKey:
    return ("scores", printing.index_code, year or printing.year, printing.unit_type, printing.unit_name,
            component or printing.component_code, printing.score_kind if score_kind is None else score_kind,
            measure, scope)


class Facts:
    """Every printed figure of a transcription, grouped into facts."""

    def __init__(self, transcription: Transcription):
        self.transcription = transcription
        self.facts: dict[FactKey, Fact] = {}
        self.cells: dict[tuple[str, int, str], FactKey] = {}       # (table, line, column) -> fact
        self.unreadable: list[tuple[Place, dict, str, str]] = []    # (place, context, measure, text)
        self.resolved: dict[FactKey, Printed] = {}
        for printing in transcription.printings:
            self._add_printing(printing)
        declared = (transcription.relations.get("tables") or {})
        for name, table in transcription.tables.items():
            self._add_table(name, table, declared.get(name) or {})

    def measure_key(self, printing: Printing, measure: str) -> FactKey:
        if measure in ("rank", "rank_change"):
            return score_key(printing, measure, rank_scope(self.transcription, printing))
        if measure == "delta":
            pct = (self.transcription.relations.get("changes") == "pct_of_max"
                   or (printing.source_ref, printing.index_code, printing.year, printing.unit_name,
                       printing.component_code) in self.transcription.pct_deltas
                   or ("score" not in printing.values and "pct_of_max" in printing.values))
            return score_key(printing, measure, "pct_of_max" if pct else "score")
        return score_key(printing, measure)

    def _fact(self, key: FactKey, label: str, context: dict) -> Fact:
        return self.facts.setdefault(key, Fact(key, label, context))

    def _add_printing(self, printing: Printing) -> None:
        place = Place(printing.source_ref, "scores.csv", printing.line)
        base = {"index_code": printing.index_code, "year": printing.year, "unit_name": printing.unit_name,
                "component_code": printing.component_code}
        for measure, value in printing.values.items():
            if measure == "rank_of":
                continue
            key = self.measure_key(printing, measure)
            shown = f"region_{measure}" if key[-1].startswith("of ") else measure   # a rank among N units of a region
            label = (f"{printing.index_code} {printing.year} {printing.unit_name} {printing.component_code}"
                     f"{' ' + printing.score_kind if printing.score_kind else ''} {shown}")
            self._fact(key, label, {**base, "measure": shown}).add(value, place)
        for measure, text in printing.unreadable.items():
            self.unreadable.append((place, {**base, "measure": measure}, measure, text))

    def _add_table(self, name: str, table, spec: dict) -> None:
        value_columns = _as_list(spec.get("columns") or spec.get("value") or [])
        exact = set(_as_list(spec.get("exact") or []))
        floor = int(spec.get("decimals", 0))       # a table's figures are as precise as printed unless it says
        grouping = spec.get("facts") or []
        defaults = spec.get("defaults") or {}
        label_column = spec.get("label")
        for line, row in table.rows:
            place = Place(row.get(spec.get("location", "source_ref"), "") or f"{name} row {line}", name, line)
            context = {"index_code": row.get("index_code") or defaults.get("index_code", ""),
                       "year": _year(row, defaults),
                       "unit_name": row.get("unit_name_vi") or defaults.get("unit_name", ""),
                       "component_code": row.get("component_code") or row.get("sub_index_code") or ""}
            title = row.get(label_column, "") if label_column else ""
            for column in value_columns:
                try:
                    value = parse(row.get(column))
                except ValueError:
                    self.unreadable.append((place, {**context, "measure": f"{name}:{column}"}, column, row[column]))
                    continue
                if value is None:
                    continue
                key = _grouped_key(name, line, row, column, grouping)
                label = f"{name} {title or 'row ' + str(line)} ({column})"
                self._fact(key, label, {**context, "measure": f"{name}:{column}"}).add(
                    Printed(value, column in exact, floor), place)
                self.cells[(name, line, column)] = key

    # --- lookups ------------------------------------------------------------------------------------------------

    def value(self, key: FactKey) -> Printed | None:
        """The fact's value for the relations: the resolved one, else its only candidate."""
        if key in self.resolved:
            return self.resolved[key]
        fact = self.facts.get(key)
        if fact and len(fact.candidates) == 1:
            return fact.candidates[0].value
        return None

    def scores_keys(self, **match) -> list[FactKey]:
        """Facts of scores.csv whose key fields equal `match` (index_code, year, unit_name, component, measure...)."""
        positions = {"index_code": 1, "year": 2, "unit_type": 3, "unit_name": 4, "component_code": 5,
                     "score_kind": 6, "measure": 7, "scope": 8}
        found = []
        for key in self.facts:
            if key[0] != "scores":
                continue
            if all(_matches(key[positions[name]], wanted) for name, wanted in match.items()):
                found.append(key)
        return found


def _matches(actual, wanted) -> bool:
    if isinstance(wanted, (list, tuple, set)):
        return actual in wanted or str(actual) in {str(w) for w in wanted}
    return actual == wanted or str(actual) == str(wanted)


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _year(row: dict, defaults: dict) -> int | None:
    for column in ("year", "target_year"):
        if (row.get(column) or "").isdigit():
            return int(row[column])
    return defaults.get("year")


def row_matches(row: dict, where: dict) -> bool:
    """A row filter of relations.yaml: a value, a list of values, {not: ...}, {prefix: ...} or {under: code} (the
    code itself or any code below it: 5, 5.1, 5.2 ...)."""
    for column, wanted in (where or {}).items():
        actual = row.get(column, "")
        if isinstance(wanted, dict):
            if "not" in wanted and actual in {str(v) for v in _as_list(wanted["not"])}:
                return False
            if "prefix" in wanted and not actual.startswith(str(wanted["prefix"])):
                return False
            if "under" in wanted and actual != str(wanted["under"]) and not actual.startswith(f"{wanted['under']}."):
                return False
        elif isinstance(wanted, list):
            if actual not in {str(v) for v in wanted}:
                return False
        elif actual != str(wanted if wanted is not None else ""):
            return False
    return True


def _grouped_key(table: str, line: int, row: dict, column: str, grouping: list[dict]) -> FactKey:
    """The cell's fact: a declared group (cells with equal key columns print one fact), else the cell itself."""
    for group in grouping:
        if column in _as_list(group.get("columns", [])) and row_matches(row, group.get("where") or {}):
            return ("table", table, group.get("name", column), *(row.get(k, "") for k in group["key"]))
    return ("table", table, "cell", line, column)
