"""The extractor on the command line: `govwh extract-report DOC` and `govwh measure-extractor`."""
from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from ingest.core.config import Settings
from ingest.curation.extract import extractor, measure
from ingest.curation.extract.facts import Extraction, csv_text, rows
from ingest.curation.extract.registry import Registry

SYNTHETIC_SEEDS = range(30)

def render(extraction: Extraction) -> str:
    found = rows(extraction.facts)
    lines = [f"{extraction.source}: {len(extraction.facts)} printed facts in {len(found)} rows, "
             f"{len(extraction.not_understood)} figures not understood"]
    if not extraction.facts and not extraction.not_understood:
        lines.append("nothing understood: no figure of the reports' phrasings or tables was found")
    if found:
        shown = ("source_ref", "index_code", "year", "unit_name_vi", "component_code", "score", "pct_of_max", "rank",
                 "rank_of", "delta_printed", "rank_change_printed")
        widths = [max(len(c), *(len(r[c]) for r in found)) for c in shown]
        lines.append("  ".join(c.ljust(w) for c, w in zip(shown, widths)))
        lines += ["  ".join(r[c].ljust(w) for c, w in zip(shown, widths)) for r in found]
    others = [f for f in extraction.facts if f.measure in ("delta", "rank_change") and not f.of_previous_year]
    if others:
        lines.append("changes against a year other than the previous one:")
        lines += [f"  {f.source_ref}  {f.index_code} {f.year} {f.unit_name} {f.component_code} {f.measure} {f.text} "
                  f"(so với {f.compared_with})" for f in others]
    if extraction.not_understood:
        lines.append("not understood (never guessed):")
        lines += [f"  {n.where}  {n.figure!r}: {n.reason} — “{n.text}”" for n in extraction.not_understood]
    return "\n".join(lines)


def write(extraction: Extraction, out_dir: Path, stem: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    facts_path, doubts_path = out_dir / f"{stem}.facts.csv", out_dir / f"{stem}.not_understood.csv"
    facts_path.write_text(csv_text(extraction.facts), encoding="utf-8")
    with doubts_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["where", "figure", "reason", "text"])
        writer.writerows([n.where, n.figure, n.reason, n.text] for n in extraction.not_understood)
    return [facts_path, doubts_path]


def main_extract(settings: Settings, documents: list[Path], out_dir: Path | None) -> int:
    reg = Registry.from_settings(settings)
    for document in documents:
        extraction = extractor.extract(document, reg)
        print(render(extraction))
        if out_dir:
            for path in write(extraction, out_dir, document.name):
                print(path)
    return 0


def main_measure(settings: Settings, details: bool) -> int:
    reg = Registry.from_settings(settings)
    results = [measure.score(folder, reg) for folder in measure.reports(reg.reports_dir)]
    print(measure.table(results))
    with tempfile.TemporaryDirectory() as folder:
        synthetic = [measure.synthetic_score(SYNTHETIC_SEEDS, Path(folder), reg, as_docx) for as_docx in (False, True)]
    print("\nSYNTHETIC reports (ingest/synthetic/report_texts.py: drawn values, varied phrasings; facts known):")
    print("\n".join(measure.table(synthetic, "all synthetic").splitlines()[1:]))
    if details:
        for result in results:
            print(f"\n{result.report}: what is missed and what is extra")
            print("\n".join(measure.explain(result)))
    return 0
