"""The seam to the audit of published reports: a document's extracted facts as a transcription folder.

The audit reads data/reports/<report>/ (scores.csv, methodology.csv, notes.csv, packaging.yaml, relations.yaml).
For a document, the extractor writes the same files into <findings dir>/documents/<file name>/ (.state/audit/
documents/): scores.csv from the facts (one row per place and subject, in document order), methodology.csv from
the registry versions of the index-years the document prints, notes.csv marking changes printed in percentage
points, packaging.yaml with the national ranking sizes of those years, relations.yaml declaring those two tables.
The audit then runs unchanged on it.
"""
from __future__ import annotations

import csv
from pathlib import Path

import yaml

from ingest.curation.extract import extractor
from ingest.curation.extract.facts import SCORE_COLUMNS, Extraction, rows
from ingest.curation.extract.registry import Registry

METHODOLOGY_COLUMNS = ("index_code", "year", "component_code", "parent_code", "name_vi", "max_score", "level", "part")
# What the audit reads besides scores.csv (ingest/curation/audit/declared.py): no table of other figures.
RELATIONS = {"tables": {"methodology.csv": {"about": "maxima and parents of the registry version of each index-year "
                                                     "the document prints; the relations of scores.csv come from it"},
                        "notes.csv": {"about": "changes the document prints in percentage points; no figures"}}}
NOTE_COLUMNS = ("file", "source_ref", "index_code", "year", "unit_name_vi", "component_code", "note")


def transcribe(document: Path, reg: Registry, out_dir: Path | None = None) -> tuple[Path | None, Extraction]:
    """Extract a document and write its transcription folder; (None, extraction) when nothing was understood."""
    extraction = extractor.extract(document, reg)
    if not extraction.facts:
        return None, extraction
    folder = (out_dir or reg.documents_dir) / document.name
    write(extraction, folder, reg)
    return folder, extraction


def folder_for(document: Path, reg: Registry) -> Path | None:
    """The transcription folder the audit reads for a document; None (and why, printed) when nothing was read."""
    folder, extraction = transcribe(document, reg)
    if folder is None:
        print(f"{extraction.source}: nothing understood, nothing audited ({len(extraction.not_understood)} "
              f"figures not understood; govwh extract-report lists them)")
    return folder


def write(extraction: Extraction, folder: Path, reg: Registry) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    score_rows = rows(extraction.facts)
    _csv(folder / "scores.csv", [*SCORE_COLUMNS, "score_kind"], score_rows)
    pairs = sorted({(f.index_code, f.year) for f in extraction.facts})
    methodology_rows = []
    for index, year in pairs:
        method, exact = reg.methodology_for(index, year)
        if method is not None and exact:      # a nearest version's maxima are not that year's: no checks on them
            methodology_rows += method.rows(year)
    _csv(folder / "methodology.csv", METHODOLOGY_COLUMNS, methodology_rows)
    notes = [{"file": "scores.csv", "source_ref": f.source_ref, "index_code": f.index_code, "year": f.year,
              "unit_name_vi": f.unit_name, "component_code": f.component_code,
              "note": "change in percent (percentage points)"}
             for f in extraction.facts if f.measure == "delta" and f.delta_of == "pct_of_max" and f.of_previous_year]
    _csv(folder / "notes.csv", NOTE_COLUMNS, notes)
    national = sorted({reg.provinces_ranked(year) for _, year in pairs})
    spec = {"national_rank_of": national, "source": extraction.source,
            "note": "written by the extractor (ingest/curation/extract) from the document, not by hand"}
    (folder / "packaging.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (folder / "relations.yaml").write_text(yaml.safe_dump(RELATIONS, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")
    return folder


def _csv(path: Path, columns, found: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(columns), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(found)
