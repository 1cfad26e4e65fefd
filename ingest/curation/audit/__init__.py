"""The audit of a published report: every discrepancy of its printed figures, against itself and the warehouse.

reading.py reads a report's transcribed figures (data/reports/<report>/) and the published values of the
marts; rules.py holds the kinds of discrepancy; output.py writes the table, the CSV and audit.report_findings.
"""
from __future__ import annotations

from pathlib import Path

from ingest.core.config import Settings
from ingest.core.log import log
from ingest.curation.audit import output, rules
from ingest.curation.audit.reading import Report, line_of, read_report, warehouse_values
from ingest.curation.audit.rules import Finding
from ingest.sources.reference import unit_directory


def audit(settings: Settings, folder: Path, with_warehouse: bool = True) -> tuple[Report, list[Finding], str]:
    """All findings of one report, in document order; and what was compared with the warehouse."""
    report = read_report(folder)
    facts = rules.Facts(report)
    found = (rules.printed_twice(report) + rules.parts_do_not_sum(report, facts)
             + rules.delta_not_difference(report, facts) + rules.pct_not_score_over_max(report, facts)
             + rules.rank_above_ranked_units(report) + rules.unreadable_values(report))
    note = "not compared with the warehouse"
    if with_warehouse:
        published = warehouse_values(settings.warehouse, report)
        if published is None:
            note = "no published marts to compare with"
        else:
            values, views, region = published
            found += rules.differs_from_warehouse(report, values, unit_directory(settings.reference_dir))
            note = "compared with " + ", ".join(views) + ("" if region else " (no region ranks there yet)")
    found.sort(key=lambda f: (line_of(f.source_ref), f.kind, f.measure))
    return report, found, note


def main(settings: Settings, folders: list[Path], out_dir: Path | None = None, brief: bool = False) -> int:
    """Audit each report folder: a CSV per report (into settings.findings_dir unless told), audit.report_findings."""
    out_dir = out_dir or settings.findings_dir
    for folder in folders:
        report, findings, note = audit(settings, folder)
        csv_path = output.write_csv(findings, out_dir / f"{report.name}.csv")
        output.store(settings.warehouse, report, findings)
        if findings and not brief:
            print(output.table(findings))
        print(output.summary_line(report, findings, csv_path) + f" — {note}")
    log("audit", f"{len(folders)} report(s) audited; findings in audit.report_findings")
    return 0
