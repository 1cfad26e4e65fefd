"""The audit of a published report: every slip its printed figures hold, once each, where it is printed.

reading.py reads the transcription (scores.csv and every other table), facts.py groups printings into facts,
builtin.py and declared.py make the relations (the methodology's and those relations.yaml declares per table),
evidence.py resolves a fact printed with different values, blame.py turns broken relations into one finding per
slip, warehouse.py compares the supported values with the marts, output.py writes the table, CSV and
audit.report_findings.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.core.config import Settings
from ingest.core.log import log
from ingest.curation.audit import blame, builtin, evidence, inherited, output, reading
from ingest.curation.audit.blame import Finding
from ingest.curation.audit.declared import Declarations
from ingest.curation.audit.facts import Facts
from ingest.curation.audit.reading import Transcription, line_of
from ingest.curation.audit.warehouse import differs_from_warehouse, published_values
from ingest.sources.reference import unit_directory


@dataclass
class Examined:
    """A transcription with its facts, relations and the resolution of facts printed with different values."""

    transcription: Transcription
    facts: Facts
    relations: list
    resolutions: dict
    not_checked: list[str]


def examine(settings: Settings, folder: Path) -> Examined:
    transcription = reading.read(folder)
    facts = Facts(transcription)
    declarations = Declarations(facts)
    relations = builtin.relations(facts) + declarations.relations()
    independent = evidence.independent_values(facts, settings.source_reports_dir, settings.layouts_dir)
    resolutions = evidence.resolve(facts, relations, independent, transcription.spec.get("decisions"),
                                   folder / "packaging.yaml")
    return Examined(transcription, facts, relations, resolutions, declarations.not_checked)


def audit(settings: Settings, folder: Path, with_warehouse: bool = True) -> tuple[Examined, list[Finding], str]:
    """All findings of one report, in document order; and what was compared with the warehouse."""
    examined = examine(settings, folder)
    facts = examined.facts
    found = (blame.conflicts(facts, examined.resolutions, examined.relations)
             + blame.broken(facts, examined.relations) + blame.unreadable(facts))
    note = "not compared with the warehouse"
    if with_warehouse:
        published = published_values(settings.warehouse, facts)
        if published is None:
            note = "no published marts to compare with"
        else:
            values, views, region = published
            found += differs_from_warehouse(facts, values, unit_directory(settings.reference_dir))
            note = "compared with " + ", ".join(views) + ("" if region else " (no region ranks there yet)")
    found.sort(key=lambda f: (line_of(f.source_ref), f.kind, f.measure, f.component_code))
    return examined, found, note


def audit_draft(settings: Settings, folder: Path) -> tuple[Examined, list[Finding], list[Finding], str]:
    """A draft's audit (a document through the extractor): its own findings, and apart those that the published
    data holds already (inherited.py), which are no slips of the draft."""
    examined, findings, note = audit(settings, folder)
    published = published_values(settings.warehouse, examined.facts)
    if published is None or not findings:
        return examined, findings, [], note
    own, inherited_ = inherited.split(findings, lambda copy: audit(settings, copy, with_warehouse=False)[1],
                                      examined.transcription, published[0], unit_directory(settings.reference_dir),
                                      settings.warehouse)
    return examined, own, inherited_, note


def folder_of(settings: Settings, path: Path) -> Path | None:
    """A transcription folder as it is; a report document (.docx or text) through the extractor, which writes its
    transcription folder (ingest/curation/extract/transcription.py); None when nothing in it was understood."""
    if not path.is_file():
        return path
    from ingest.curation.extract.registry import Registry
    from ingest.curation.extract.transcription import folder_for
    return folder_for(path, Registry.from_settings(settings))


def main(settings: Settings, paths: list[Path], out_dir: Path | None = None, brief: bool = False) -> int:
    """Audit each report folder or document: a CSV per report (into settings.findings_dir unless told), and
    audit.report_findings."""
    out_dir = out_dir or settings.findings_dir
    for path in paths:
        if (folder := folder_of(settings, path)) is None:
            continue
        if path.is_file():
            examined, findings, from_published, note = audit_draft(settings, folder)
        else:
            (examined, findings, note), from_published = audit(settings, folder), []
        csv_path = output.write_csv(findings + from_published, out_dir / f"{examined.transcription.name}.csv")
        output.store(settings.warehouse, examined.transcription, findings)
        if findings and not brief:
            print(output.table(findings))
        print(output.summary_line(examined.transcription, findings, len(examined.relations), csv_path)
              + f" — {note}")
        if from_published:
            print(f"  {len(from_published)} more inherited from the published data (not slips of the draft; "
                  "in the CSV, kind inherited:*, not in audit.report_findings):")
            print("\n".join("    " + line for line in output.table(from_published).splitlines()))
        for why in examined.not_checked if not brief else []:
            print(f"  relations.yaml: {why}")
    log("audit", f"{len(paths)} report(s) audited; findings in audit.report_findings")
    return 0
