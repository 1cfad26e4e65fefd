"""A draft's findings that the published data holds already: inherited, not slips of the draft.

A draft written from the warehouse (the project's own report, or a team's analysis copying the marts) prints the
published figures faithfully; where the published data itself breaks a relation (field 5 of Lai Châu's PAR INDEX
2024 is published as 12.38 while its criteria add up to 12.30, kept as the report printed it, with a warning of
the checks), the audit of the draft finds that break again. It is not the draft's slip, and no edit of the draft
can remove it without changing a published number.

The test is made on the draft's own transcription: every score and rank the warehouse holds is replaced by the
published value (to the printed precision), every change and percentage the warehouse determines (a score minus
the previous year's, a rank change, score / maximum) by the value computed from it, and the copy is audited
again without the warehouse. A finding of the draft that the copy has too (same kind, fact, measure and printed
value) is inherited; the warehouse's own warnings on that unit and component (audit.findings of the checks) are
named beside it. Nothing of the draft or of the warehouse is changed.
"""
from __future__ import annotations

import csv
import shutil
import tempfile
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ingest.core import db
from ingest.core.config import Warehouse
from ingest.curation.audit.blame import Finding
from ingest.curation.audit.reading import SCORES, Transcription
from ingest.sources.reference import UnitDirectory


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip().lstrip("+")) if text.strip() else None
    except InvalidOperation:
        return None


def _shown(value: Decimal, like: str, signed: bool = False) -> str:
    text = f"{value:.{_decimals(like)}f}"
    return ("+" + text) if signed and value > 0 else text


class _Published:
    """The warehouse's value of a printed fact, by the transcription's names."""

    def __init__(self, transcription: Transcription, published: dict, units: UnitDirectory):
        self.t, self.published, self.units = transcription, published, units

    def row(self, index_code: str, year: int, unit_type: str, unit_name: str, code: str, kind: str):
        index = self.t.index_map.get(index_code, index_code)
        code = self.t.code_map(index_code).get(code, code)
        if unit_type == "province":
            unit_code, _ = self.units.match(unit_type, unit_name)
            return self.published.get((index, year, unit_code, code, "")) if unit_code else None
        return self.published.get((index, year, unit_name, code, kind))

    def score(self, row: dict, year: int) -> Decimal | None:
        found = self.row(row["index_code"], year, row["unit_type"], row["unit_name_vi"], row["component_code"],
                         row.get("score_kind", ""))
        return None if found is None or found[0] is None else Decimal(found[0])

    def rank(self, row: dict, year: int, rank_of: str) -> int | None:
        found = self.row(row["index_code"], year, row["unit_type"], row["unit_name_vi"], row["component_code"],
                         row.get("score_kind", ""))
        if found is None or not rank_of:
            return None
        _, rank, of, region_rank, region_of, _ = found
        if of is not None and str(of) == rank_of:
            return rank
        if region_of is not None and str(region_of) == rank_of:
            return region_rank
        return None


def _as_published(row: dict, p: _Published, transcription: Transcription) -> dict:
    """The scores.csv row with each figure the warehouse determines replaced by the warehouse's."""
    row = dict(row)
    year = int(row["year"])
    score, before = p.score(row, year), p.score(row, year - 1)
    if score is not None and _number(row["score"]) is not None:
        row["score"] = _shown(score, row["score"])
    pct = _number(row["pct_of_max"])
    maximum = transcription.maximum(row["index_code"], year, row["unit_name_vi"], row["component_code"])
    if pct is not None and score is not None and maximum:
        row["pct_of_max"] = _shown(score / maximum * 100, row["pct_of_max"])
    if _number(row["delta_printed"]) is not None and score is not None and before is not None and \
            (row["source_ref"], row["index_code"], year, row["unit_name_vi"], row["component_code"]) \
            not in transcription.pct_deltas:
        row["delta_printed"] = _shown(score - before, row["delta_printed"], signed=True)
    rank = p.rank(row, year, row["rank_of"])
    if rank is not None and _number(row["rank"]) is not None:
        row["rank"] = str(rank)
    rank_before = p.rank(row, year - 1, row["rank_of"])
    if rank is not None and rank_before is not None and _number(row["rank_change_printed"]) is not None:
        row["rank_change_printed"] = _shown(Decimal(rank_before - rank), "0", signed=True)
    return row


def published_copy(transcription: Transcription, published: dict, units: UnitDirectory, folder: Path) -> Path:
    """A copy of the transcription folder with the warehouse's figures in place of the printed ones."""
    shutil.copytree(transcription.folder, folder)
    p = _Published(transcription, published, units)
    with (transcription.folder / SCORES).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or ()), [_as_published(r, p, transcription) for r in reader]
    with (folder / SCORES).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def _same(a: Finding, b: Finding) -> bool:
    return (a.kind, a.index_code, a.year, a.unit_name, a.component_code, a.measure, a.printed_value) == \
        (b.kind, b.index_code, b.year, b.unit_name, b.component_code, b.measure, b.printed_value)


def split(findings: list[Finding], audit_copy, transcription: Transcription, published: dict, units: UnitDirectory,
          wh: Warehouse) -> tuple[list[Finding], list[Finding]]:
    """(the draft's own findings, those inherited from the published data). audit_copy(folder) audits a folder
    without the warehouse and returns its findings."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = published_copy(transcription, published, units, Path(scratch) / transcription.name)
        again = audit_copy(copy)
    own = [f for f in findings if f.kind == "differs_from_warehouse" or not any(_same(f, g) for g in again)]
    inherited = [f for f in findings if not any(f is o for o in own)]
    warnings = _warnings(wh, inherited, units)
    return own, [replace(f, kind=f"inherited:{f.kind}", detail=f"{f.detail}; the published data breaks it too"
                         + (f" ({warned})" if warned else "")) for f, warned in zip(inherited, warnings)]


def _warnings(wh: Warehouse, findings: list[Finding], units: UnitDirectory) -> list[str]:
    """The checks' warnings on the published releases of each finding's index, year, unit and component (or the
    component it is part of), one text per finding ('' when none)."""
    found = []
    with db.transaction(wh) as cur:
        cur.execute("select to_regclass('audit.findings') is not null")
        if not cur.fetchone()[0]:
            return [""] * len(findings)
        for f in findings:
            unit_code, _ = units.match("province", f.unit_name)
            cur.execute("""
                select distinct expectation || ' on ' || component_code || ': ' || coalesce(observed, '') || ' vs '
                       || coalesce(expected, '')
                from audit.findings
                where severity = 'warning' and release_id like %s and unit_code = %s
                  and (component_code = %s or %s like component_code || '.%%')
                order by 1""", (f"{f.index_code}/{f.year}/%", unit_code or f.unit_name, f.component_code,
                               f.component_code))
            named = [r[0] for r in cur.fetchall()]
            found.append("warned at publication: " + "; ".join(named) if named else "")
    return found
