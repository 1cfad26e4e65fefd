"""Ranks a table prints as the order of its rows (a ranking of a province's departments and districts)."""
from __future__ import annotations

from decimal import Decimal

from ingest.curation.extract.components import unit_mentions
from ingest.curation.extract.document import Cell
from ingest.curation.extract.facts import Context, Extraction, Fact
from ingest.curation.extract.lexicon import plain_number


def ranks_by_row_order(body: list[list[Cell]], columns: list, context: Context, out: Extraction) -> None:
    """A ranking table of units that prints no rank: rows numbered 1..n in each section (a row without values,
    "I  15 sở ...", starts one), a total that never rises down the section, and a column of rank changes. Then
    the row's number is its rank among the section's n units; any other table gives no rank from its rows."""
    code = next((k for k, c in enumerate(columns) if c.kind == "code"), None)
    label = next((k for k, c in enumerate(columns) if c.kind == "label"), None)
    totals = [k for k, c in enumerate(columns) if c.kind in ("score", "pct") and c.component in (None, "TOTAL")]
    if code is None or label is None or not totals or not any(c.kind == "rank_change" for c in columns):
        return
    sections, current = [], []
    for row in body:
        if any(plain_number(row[k].value) is not None for k in totals):
            current.append(row)
        elif current:
            sections.append(current)
            current = []
    sections.append(current)
    for section in [s for s in sections if s]:
        units = [unit_mentions(context.reg, row[label].value) for row in section]
        if [row[code].value for row in section] != [str(n) for n in range(1, len(section) + 1)] or \
                not all(len(u) == 1 for u in units):
            continue
        for k in totals:
            values = [plain_number(row[k].value) for row in section]
            if None not in values and all(a >= b for a, b in zip(values, values[1:])):
                break
        else:
            continue
        year = columns[k].year or context.year
        for row, (unit,) in zip(section, units):
            out.add(Fact(context.index_code, year, unit.value, unit.unit_type, context.subject or "TOTAL", "rank",
                         Decimal(row[code].value), row[code].value, row[k].text.where(0), row[code].text.where(0),
                         len(section)))
