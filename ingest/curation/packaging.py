"""Release packages from a province's report: its transcribed figures (data/reports/<report>/scores.csv).

A report prints one fact in several places, sometimes with different values. A package needs one
value per fact: it carries the first printing in document order (the report's first results table
comes before the prose and the later tables); every other printing stays in the report's scores.csv
for the audit of published reports. Nothing is averaged, derived or guessed.

data/reports/<report>/packaging.yaml says which index-years to package, how the report's component
codes map to the registry (for every index, or per index) and which rows are not components. A release
with a `national_fill` becomes a complete national release: the generator of ingest/synthetic/national_fill.py adds
the real national figures (national.csv) and the anchored synthetic fill (synthetic.csv) beside scores.csv.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from ingest.core.config import Settings
from ingest.core.errors import InputError
from ingest.sources import methodology, readers
from ingest.sources.packages import sha256_of
from ingest.sources.reference import unit_directory
from ingest.synthetic import national_fill

PACKAGE_COLUMNS = readers.WRITTEN_CANONICAL_COLUMNS
UNIT_PACKAGE_COLUMNS = readers.UNIT_SCORE_COLUMNS + readers.UNIT_SCORE_OPTIONAL


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


def build(settings: Settings, report_dir: Path, releases_dir: Path | None = None) -> list[Path]:
    """Write the packages the report's packaging.yaml asks for (into settings.releases_dir unless told); returns the
    release.yaml paths."""
    releases_dir = releases_dir or settings.releases_dir
    spec_path = report_dir / "packaging.yaml"
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    with (report_dir / "scores.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if spec.get("layout") == "unit_scores":
        return build_unit_packages(settings, report_dir, spec, rows, releases_dir)
    written = []
    for release in spec["releases"]:
        index_code, year, edition = release["index"], int(release["year"]), int(release.get("edition", 1))
        method = methodology.load(index_code, str(release["methodology_version"]), settings.methodology_dir)
        facts = select_facts(rows, index_code, year, {str(n) for n in spec.get("national_rank_of", [63])},
                             code_map_for(spec, index_code), set(spec.get("not_components", [])))
        unknown = sorted({f.component_code for f in facts} - set(method.components))
        if unknown:
            raise InputError(spec_path, f"{index_code} {year}: codes {unknown} are neither in methodology "
                                        f"{method.version} nor listed under not_components")
        text = _csv_text(report_dir.name, facts, {c: m.position for c, m in method.components.items()})
        written.append(_write_package(settings, report_dir, release, text, "canonical", releases_dir))
    return written


def _write_package(settings: Settings, report_dir: Path, release: dict, data_text: str, layout: str,
                   releases_dir: Path) -> Path:
    """scores.csv and its release.yaml (with the file's sha256) in data/releases/<index>/<year>/<edition>/."""
    index_code, year, edition = release["index"], int(release["year"]), int(release.get("edition", 1))
    folder = releases_dir / index_code.lower() / str(year) / str(edition)
    folder.mkdir(parents=True, exist_ok=True)
    data_file = folder / "scores.csv"
    data_file.write_text(data_text, encoding="utf-8")
    manifest = {
        "index": index_code, "year": year, "edition": edition,
        "published_on": release.get("published_on"), "publisher": release["publisher"],
        "source": release["source"], "methodology_version": str(release["methodology_version"]),
        "coverage": release.get("coverage", "partial"), "synthetic": bool(release.get("synthetic", False)),
    }
    if release.get("reason"):
        manifest["reason"] = release["reason"]
    manifest["files"] = [{"name": "scores.csv", "sha256": sha256_of(data_file), "layout": layout}]
    if release.get("national_fill"):   # a complete national release: real national figures + anchored fill
        method = methodology.load(index_code, str(release["methodology_version"]), settings.methodology_dir)
        real_rows = readers.read_canonical(data_file, method, unit_directory(settings.reference_dir)).rows
        manifest["files"] += national_fill.write_fill(settings, folder, method, year, release["national_fill"],
                                                      real_rows)
        manifest.update(national_fill.manifest_fields(release["national_fill"]))
    header = (f"# Built by `govwh package-report data/reports/{report_dir.name}` from the report's transcribed\n"
              "# figures: the first printing of each fact. Do not edit by hand; edit the report's packaging.yaml.\n")
    if release.get("synthetic"):
        header += "# SYNTHETIC: generated by the rule in `source`, not published by anyone.\n"
    (folder / "release.yaml").write_text(header + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
    return folder / "release.yaml"


def _unit_row(row: dict, kind: str, score: str, source_ref: str) -> list[str]:
    return [row["unit_name_vi"], row["unit_type"], row["component_code"], kind, score,
            row["pct_of_max"], row["rank"], row["rank_of"], row["delta_printed"], row["rank_change_printed"],
            source_ref]


def unit_score_rows(report: str, rows: list[dict], release: dict, index_map: dict[str, str]) -> list[list[str]]:
    """The rows of one unit_scores package: the report's printed facts of the release's score kinds, or the
    synthetic self-assessment its `synthetic_self_assessment` rule asks for (offsets added to appraised points).
    """
    mine = [r for r in rows if index_map.get(r["index_code"]) == release["index"] and int(r["year"]) == int(release["year"])]
    rule = release.get("synthetic_self_assessment")
    if not rule:
        seen: set[tuple[str, str, str]] = set()
        out = []
        for r in mine:   # file order is document order; one printing per fact (first wins)
            key = (r["unit_name_vi"], r["component_code"], r["score_kind"])
            if r["score_kind"] in release["score_kinds"] and key not in seen:
                seen.add(key)
                out.append(_unit_row(r, r["score_kind"], r["score"], f"{report} {r['source_ref']}"))
        return out
    offsets = [Decimal(o) for o in rule["offsets"]]
    appraised = [r for r in mine if r["score_kind"] == "appraised" and r["component_code"] in rule["components"]]
    out = []
    for position, r in enumerate(appraised):
        offset = offsets[position % len(offsets)]
        score = max(Decimal(r["score"]) + offset, Decimal(0))
        blank = dict(r, pct_of_max="", rank="", rank_of="", delta_printed="", rank_change_printed="")
        out.append(_unit_row(blank, "self", f"{score:.2f}",
                             f"SYNTHETIC: appraised {r['score']} ({report} {r['source_ref']}) {offset:+.2f}"))
    return out


def build_unit_packages(settings: Settings, report_dir: Path, spec: dict, rows: list[dict],
                        releases_dir: Path) -> list[Path]:
    """Packages of a province's own index (layout unit_scores), one per release listed in packaging.yaml."""
    written = []
    for release in spec["releases"]:
        method = methodology.load(release["index"], str(release["methodology_version"]), settings.methodology_dir)
        package_rows = unit_score_rows(report_dir.name, rows, release, spec["index_map"])
        unknown = sorted({r[2] for r in package_rows} - set(method.components))
        if unknown:
            raise InputError(report_dir / "packaging.yaml", f"{release['index']} {release['year']}: codes {unknown} "
                                                           f"are not in methodology {method.version}")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(UNIT_PACKAGE_COLUMNS)
        writer.writerows(package_rows)
        written.append(_write_package(settings, report_dir, release, out.getvalue(), "unit_scores", releases_dir))
    return written
