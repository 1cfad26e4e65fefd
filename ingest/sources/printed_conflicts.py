"""conflicts.csv of a release package: the facts its source report prints with different values.

One row per candidate value of such a fact: where it is printed, how much evidence supports it (`evidence`:
each reason, separated by " | "), whether it is the published one, and how the fact was settled (resolved by
evidence, unresolved: the first printing kept, or decided by a person with a reason). Written by `govwh package-report` (ingest/curation/conflicts.py), landed by
ingest in raw.printed_conflicts, built by dbt into marts.fct_printed_conflict and the `printed_conflict`
flag of marts.fct_component_score.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from ingest.core.errors import InputError
from ingest.sources.methodology import Methodology
from ingest.sources.packages import CONFLICTS_LAYOUT
from ingest.sources.readers import (ReadResult, check_component, parse_decimal, parse_int, resolve_unit,
                                    year_end)
from ingest.sources.reference import UnitDirectory

LAYOUT = CONFLICTS_LAYOUT
FILE = "conflicts.csv"
COLUMNS = ("unit_name", "unit_type", "component_code", "score_kind", "measure", "status", "candidate_value",
           "is_published", "printings", "support", "evidence", "decision_reason", "source_ref")
MEASURES = ("score", "rank")
STATUSES = ("resolved", "unresolved", "decided")


class ConflictRow(NamedTuple):
    source_row: int
    unit_name: str
    unit_code: str
    unit_type: str
    component_code: str
    score_kind: str
    measure: str
    status: str
    candidate_value: Decimal
    is_published: bool
    printings: str
    support: int
    evidence: str
    decision_reason: str | None
    source_ref: str


def _one_of(record: dict, column: str, allowed: tuple[str, ...], path: Path, line: int) -> str:
    value = record[column].strip()
    if value not in allowed:
        raise InputError(path, f"{column} must be one of {', '.join(allowed)}, got {value!r}", line, column)
    return value


def to_conflict_rows(path: Path, records: list[tuple[int, dict[str, str]]], methodology: Methodology,
                     units: UnitDirectory, year: int) -> ReadResult:
    """Check the rows: known unit and component, one published candidate per fact, one status per fact."""
    result = ReadResult([])
    facts: dict[tuple, list[ConflictRow]] = {}
    for line, record in records:
        unit_name, unit_type, unit_code = resolve_unit(path, line, record, units, year_end(year), result.normalisations)
        published = _one_of(record, "is_published", ("true", "false"), path, line)
        row = ConflictRow(
            line, unit_name, unit_code, unit_type, check_component(path, line, record, methodology),
            record["score_kind"].strip(), _one_of(record, "measure", MEASURES, path, line),
            _one_of(record, "status", STATUSES, path, line),
            parse_decimal(record["candidate_value"], path, line, "candidate_value"), published == "true",
            record["printings"].strip(), parse_int(record["support"], path, line, "support") or 0,
            record["evidence"].strip(), record["decision_reason"].strip() or None, record["source_ref"].strip())
        if row.status == "decided" and not row.decision_reason:
            raise InputError(path, "a decided fact needs the person's reason", line, "decision_reason")
        same_fact = facts.setdefault((unit_code, row.component_code, row.score_kind, row.measure), [])
        if any(r.candidate_value == row.candidate_value for r in same_fact):
            raise InputError(path, f"{unit_name} / {row.component_code} {row.measure}: candidate "
                                   f"{row.candidate_value} is already given at row {same_fact[0].source_row}", line,
                             "candidate_value")
        same_fact.append(row)
        result.rows.append(row)
    for (_, code, _, measure), rows in facts.items():
        first = rows[0]
        if sum(r.is_published for r in rows) != 1 or len(rows) < 2 or len({r.status for r in rows}) != 1:
            raise InputError(path, f"{first.unit_name} / {code} {measure}: a conflict needs two or more candidates, "
                                   "one of them published, and one status", first.source_row, "is_published")
    if not result.rows:
        raise InputError(path, "has no data rows", row=2)
    return result
