"""What the audit gives: a table on the terminal, a CSV per report, and the rows in audit.report_findings."""
from __future__ import annotations

import csv
from dataclasses import fields
from pathlib import Path

from psycopg2.extras import execute_values

from ingest.core import db
from ingest.core.config import Warehouse
from ingest.core.errors import display_path
from ingest.curation.audit.blame import Finding
from ingest.curation.audit.reading import SCORES, Transcription
from ingest.sources import packages

CSV_COLUMNS = [f.name for f in fields(Finding)]


def write_csv(findings: list[Finding], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for f in findings:
            writer.writerow(["" if getattr(f, c) is None else getattr(f, c) for c in CSV_COLUMNS])
    return path


def store(wh: Warehouse, transcription: Transcription, findings: list[Finding]) -> None:
    """Replace the report's findings in audit.report_findings (one transaction)."""
    sha = packages.sha256_of(transcription.folder / SCORES)
    with db.transaction(wh) as cur:
        cur.execute("delete from audit.report_findings where report = %s", (transcription.name,))
        execute_values(cur, "insert into audit.report_findings (report, scores_sha256, source_ref, index_code, year, "
                            "unit_name, component_code, measure, printed_value, expected_value, kind, detail) values %s",
                       [(transcription.name, sha, f.source_ref, f.index_code, f.year, f.unit_name, f.component_code,
                         f.measure, f.printed_value, f.expected_value, f.kind, f.detail) for f in findings])


def table(findings: list[Finding]) -> str:
    header = ("source_ref", "fact", "measure", "printed", "expected", "kind", "detail")
    rows = [(f.source_ref, f"{f.index_code} {f.year or ''} {f.unit_name} {f.component_code}".replace("  ", " ").strip(),
             f.measure, "–" if f.printed_value is None else str(f.printed_value),
             "–" if f.expected_value is None else str(f.expected_value), f.kind, f.detail) for f in findings]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join(f"{str(v):<{w}}" for v, w in zip(r, widths)) + "  " + r[-1] for r in [header, *rows]]
    return "\n".join(lines)


def summary_line(transcription: Transcription, findings: list[Finding], checked: int, csv_path: Path) -> str:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
    undeclared = transcription.undeclared_tables
    return (f"{transcription.name}: {len(findings)} finding(s) in {len(transcription.printings)} printed scores and "
            f"{len(transcription.tables)} other tables, {checked} relations checked" + (f" ({kinds})" if kinds else "")
            + (f"; tables without declared relations: {', '.join(undeclared)}" if undeclared else "")
            + f"; {display_path(csv_path)}")
