"""Release packages from a province's report: its transcribed figures (data/reports/<report>/scores.csv).

A report prints one fact in several places, sometimes with different values. A package needs one
value per fact: it carries the first printing in document order (the report's first results table
comes before the prose and the later tables); every other printing stays in the report's scores.csv
for the audit of published reports. Nothing is averaged, derived or guessed.

data/reports/<report>/packaging.yaml says which index-years to package, how the report's component
codes map to the registry (for every index, or per index) and which rows are not components. A release
with a `national_fill` becomes a complete national release: the generator of ingest/national_fill.py adds
the real national figures (national.csv) and the anchored synthetic fill (synthetic.csv) beside scores.csv.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest import config, methodology, national_fill, readers
from ingest.errors import InputError
from ingest.packages import sha256_of
from ingest.reference import unit_directory

PACKAGE_COLUMNS = ("unit_name", "unit_type", "component_code", "score", "rank", "rank_of", "source_ref")


def _line(source_ref: str) -> int:
    match = re.match(r"L(\d+)", source_ref or "")
    return int(match.group(1)) if match else 10**9


@dataclass
class Fact:
    unit_name: str
    unit_type: str
    component_code: str
    score: str = ""
    score_ref: str = ""
    rank: str = ""
    rank_of: str = ""
    rank_ref: str = ""


def select_facts(rows: list[dict], index_code: str, year: int, national_rank_of: set[str],
                 code_map: dict[str, str], excluded: set[str]) -> list[Fact]:
    """The first printing of each score and of each national rank, in document order."""
    facts: dict[tuple[str, str, str], Fact] = {}
    ordered = sorted((r for r in rows if r["index_code"] == index_code and int(r["year"]) == year),
                     key=lambda r: _line(r["source_ref"]))   # stable: file order within a line
    for row in ordered:
        code = code_map.get(row["component_code"], row["component_code"])
        if code in excluded:
            continue
        key = (row["unit_type"], row["unit_name_vi"], code)
        fact = facts.setdefault(key, Fact(row["unit_name_vi"], row["unit_type"], code))
        if row["score"] and not fact.score:
            fact.score, fact.score_ref = row["score"], row["source_ref"]
        if row["rank"] and row["rank_of"] in national_rank_of and not fact.rank:
            fact.rank, fact.rank_of, fact.rank_ref = row["rank"], row["rank_of"], row["source_ref"]
    return [f for f in facts.values() if f.score]


def _csv_text(report: str, facts: list[Fact], order: dict[str, int]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PACKAGE_COLUMNS)
    for f in sorted(facts, key=lambda f: (f.unit_type, f.unit_name, order[f.component_code])):
        ref = f"{report} {f.score_ref}"
        if f.rank and f.rank_ref != f.score_ref:
            ref += f" (rank {f.rank_ref})"
        writer.writerow([f.unit_name, f.unit_type, f.component_code, f.score, f.rank, f.rank_of, ref])
    return out.getvalue()


def code_map_for(spec: dict, index_code: str) -> dict[str, str]:
    """Report code -> registry code: flat entries apply to every index, a mapping under an index to that index."""
    flat = {str(k): str(v) for k, v in (spec.get("code_map") or {}).items() if not isinstance(v, dict)}
    return {**flat, **{str(k): str(v) for k, v in ((spec.get("code_map") or {}).get(index_code) or {}).items()}}


def build(report_dir: Path, releases_dir: Path | None = None) -> list[Path]:
    """Write the packages the report's packaging.yaml asks for; returns the release.yaml paths."""
    spec_path = report_dir / "packaging.yaml"
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    with (report_dir / "scores.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    written = []
    for release in spec["releases"]:
        index_code, year, edition = release["index"], int(release["year"]), int(release.get("edition", 1))
        method = methodology.load(index_code, str(release["methodology_version"]))
        facts = select_facts(rows, index_code, year, {str(n) for n in spec.get("national_rank_of", [63])},
                             code_map_for(spec, index_code), set(spec.get("not_components", [])))
        unknown = sorted({f.component_code for f in facts} - set(method.components))
        if unknown:
            raise InputError(spec_path, f"{index_code} {year}: codes {unknown} are neither in methodology "
                                        f"{method.version} nor listed under not_components")
        folder = (releases_dir or config.RELEASES_DIR) / index_code.lower() / str(year) / str(edition)
        folder.mkdir(parents=True, exist_ok=True)
        data_file = folder / "scores.csv"
        data_file.write_text(_csv_text(report_dir.name, facts, {c: m.position for c, m in method.components.items()}),
                             encoding="utf-8")
        manifest = {
            "index": index_code, "year": year, "edition": edition,
            "published_on": release.get("published_on"), "publisher": release["publisher"],
            "source": release["source"], "methodology_version": str(release["methodology_version"]),
            "coverage": release.get("coverage", "partial"), "synthetic": False,
            "files": [{"name": "scores.csv", "sha256": sha256_of(data_file), "layout": "canonical"}],
        }
        if release.get("national_fill"):
            real_rows = readers.read_canonical(data_file, method, unit_directory()).rows
            manifest["files"] += national_fill.write_fill(folder, method, year, release["national_fill"], real_rows)
            manifest.update(national_fill.manifest_fields(release["national_fill"]))
        header = (f"# Built by `govwh package-report data/reports/{report_dir.name}` from the report's transcribed\n"
                  "# figures: the first printing of each fact. Do not edit by hand; edit the report's packaging.yaml.\n")
        (folder / "release.yaml").write_text(header + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")
        written.append(folder / "release.yaml")
    return written
