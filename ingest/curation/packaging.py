"""Release packages from a province's report: its transcribed figures (data/reports/<report>/scores.csv).

A report prints one fact in several places, sometimes with different values. A package needs one value per
fact: the value the report's own record supports (curation/audit/evidence.py: how many printings carry it, its
printed changes against last year's and next year's values, parent = sum of children, % = score / maximum, an
independent national excerpt), or a person's decision in packaging.yaml (`decisions:`, with a reason). On a tie
the first printing in document order is kept and the fact is `unresolved`. Each such fact travels with the
package in conflicts.csv (every candidate, where it is printed, its support and evidence), listed in
release.yaml with its sha256: ingest lands it in raw.printed_conflicts, dbt flags the published scores. Nothing
is averaged, derived or guessed: a published value is always one the report prints.

data/reports/<report>/packaging.yaml says which index-years to package, how the report's component codes map to
the registry (for every index, or per index) and which rows are not components. A release with a
`national_fill` becomes a complete national release: the generator of ingest/synthetic/national_fill.py adds the
real national figures (national.csv) and the anchored synthetic fill (synthetic.csv) beside scores.csv.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from ingest.core.config import Settings
from ingest.core.errors import InputError
from ingest.curation import audit, conflicts
from ingest.curation.audit.facts import FactKey
from ingest.sources import methodology, readers
from ingest.sources.packages import sha256_of
from ingest.sources.reference import unit_directory
from ingest.synthetic import national_fill

PACKAGE_COLUMNS = readers.WRITTEN_CANONICAL_COLUMNS
UNIT_PACKAGE_COLUMNS = readers.UNIT_SCORE_COLUMNS + readers.UNIT_SCORE_OPTIONAL


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


def _chosen(examined: audit.Examined, key: FactKey):
    """The candidate a fact publishes: the resolved one, else its only value."""
    resolution = examined.resolutions.get(key)
    return resolution.chosen if resolution else examined.facts.facts[key].candidates[0]


def select_facts(examined: audit.Examined, index_code: str, year: int, code_map: dict[str, str],
                 excluded: set[str]) -> tuple[list[Fact], list[FactKey]]:
    """The supported score and national rank of each unit and component; and the facts they come from."""
    t = examined.transcription
    rank_of_at = {p.line: p.values.get("rank_of") for p in t.printings}
    facts: dict[tuple[str, str, str], Fact] = {}
    used = []
    for key in examined.facts.facts:
        if key[0] != "scores" or (key[1], key[2], key[6]) != (index_code, year, "") or key[5] in excluded:
            continue
        measure, scope = key[7], key[8]
        if measure not in ("score", "rank") or (measure == "rank" and scope != "national"):
            continue
        printed, place = _chosen(examined, key).first_printed
        code = code_map.get(key[5], key[5])
        fact = facts.setdefault((key[3], key[4], code), Fact(key[4], key[3], code))
        if measure == "score":
            fact.score, fact.score_ref = str(printed.value), place.source_ref
        else:
            rank_of = rank_of_at.get(place.line)
            if rank_of is None or int(rank_of.value) not in t.national_rank_of:
                continue
            fact.rank, fact.rank_of, fact.rank_ref = str(printed.value), str(rank_of.value), place.source_ref
        used.append(key)
    return [f for f in facts.values() if f.score], used


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


def build(settings: Settings, report_dir: Path, releases_dir: Path | None = None) -> list[Path]:
    """Write the packages the report's packaging.yaml asks for (into settings.releases_dir unless told); returns the
    release.yaml paths."""
    releases_dir = releases_dir or settings.releases_dir
    spec_path = report_dir / "packaging.yaml"
    examined = audit.examine(settings, report_dir)
    spec = examined.transcription.spec
    if not spec:
        raise InputError(spec_path, "is missing or empty: it says which releases the report's figures make")
    if spec.get("layout") == "unit_scores":
        return build_unit_packages(settings, report_dir, spec, examined, releases_dir)
    written = []
    for release in spec["releases"]:
        index_code, year = release["index"], int(release["year"])
        method = methodology.load(index_code, str(release["methodology_version"]), settings.methodology_dir)
        facts, used = select_facts(examined, index_code, year, examined.transcription.code_map(index_code),
                                   examined.transcription.not_components)
        unknown = sorted({f.component_code for f in facts} - set(method.components))
        if unknown:
            raise InputError(spec_path, f"{index_code} {year}: codes {unknown} are neither in methodology "
                                        f"{method.version} nor listed under not_components")
        text = _csv_text(report_dir.name, facts, {c: m.position for c, m in method.components.items()})
        rows = conflicts.rows(examined, used, report_dir.name, examined.transcription.code_map(index_code))
        written.append(_write_package(settings, report_dir, release, text, "canonical", releases_dir, rows))
    return written


def _write_package(settings: Settings, report_dir: Path, release: dict, data_text: str, layout: str,
                   releases_dir: Path, conflict_rows: list[list[str]]) -> Path:
    """scores.csv (and conflicts.csv) with their release.yaml (sha256 of each file) in
    data/releases/<index>/<year>/<edition>/."""
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
    manifest["files"] += conflicts.write(folder, conflict_rows)
    if release.get("national_fill"):   # a complete national release: real national figures + anchored fill
        method = methodology.load(index_code, str(release["methodology_version"]), settings.methodology_dir)
        real_rows = readers.read_canonical(data_file, method, unit_directory(settings.reference_dir)).rows
        manifest["files"] += national_fill.write_fill(settings, folder, method, year, release["national_fill"],
                                                      real_rows)
        manifest.update(national_fill.manifest_fields(release["national_fill"]))
    header = (f"# Built by `govwh package-report data/reports/{report_dir.name}` from the report's transcribed\n"
              "# figures: the value the report's record supports for each fact (conflicts.csv lists the facts\n"
              "# printed with different values). Do not edit by hand; edit the report's packaging.yaml.\n")
    if release.get("synthetic"):
        header += "# SYNTHETIC: generated by the rule in `source`, not published by anyone.\n"
    (folder / "release.yaml").write_text(header + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
    return folder / "release.yaml"


def _unit_row(row: dict, kind: str, score: str, source_ref: str) -> list[str]:
    return [row["unit_name_vi"], row["unit_type"], row["component_code"], kind, score,
            row["pct_of_max"], row["rank"], row["rank_of"], row["delta_printed"], row["rank_change_printed"],
            source_ref]


def unit_score_rows(examined: audit.Examined, report: str, rows: list[tuple[int, dict]], release: dict,
                    index_map: dict[str, str]) -> tuple[list[list[str]], list[FactKey]]:
    """The rows of one unit_scores package: the printed row of each unit, component and score kind that carries the
    supported score (the first one where nothing conflicts), or the synthetic self-assessment its
    `synthetic_self_assessment` rule asks for (offsets added to appraised points)."""
    mine = [(line, r) for line, r in rows
            if index_map.get(r["index_code"]) == release["index"] and int(r["year"]) == int(release["year"])]
    rule = release.get("synthetic_self_assessment")
    if not rule:
        printing_at = {p.line: p for p in examined.transcription.printings}
        picked: dict[tuple[str, str, str], tuple[int, dict]] = {}
        used = []
        for line, r in mine:   # file order is document order
            key = (r["unit_name_vi"], r["component_code"], r["score_kind"])
            if r["score_kind"] not in release["score_kinds"]:
                continue
            fact_key = examined.facts.measure_key(printing_at[line], "score") if r["score"] else None
            if fact_key in examined.resolutions:
                chosen_line = _chosen(examined, fact_key).first_printed[1].line
                if line == chosen_line:
                    picked[key] = (line, r)
                    used.append(fact_key)
                continue
            picked.setdefault(key, (line, r))
        return [_unit_row(r, r["score_kind"], r["score"], f"{report} {r['source_ref']}")
                for _, r in sorted(picked.values(), key=lambda pair: pair[0])], used
    offsets = [Decimal(o) for o in rule["offsets"]]
    appraised = [r for _, r in mine if r["score_kind"] == "appraised" and r["component_code"] in rule["components"]]
    out = []
    for position, r in enumerate(appraised):
        offset = offsets[position % len(offsets)]
        score = max(Decimal(r["score"]) + offset, Decimal(0))
        blank = dict(r, pct_of_max="", rank="", rank_of="", delta_printed="", rank_change_printed="")
        out.append(_unit_row(blank, "self", f"{score:.2f}",
                             f"SYNTHETIC: appraised {r['score']} ({report} {r['source_ref']}) {offset:+.2f}"))
    return out, []


def build_unit_packages(settings: Settings, report_dir: Path, spec: dict, examined: audit.Examined,
                        releases_dir: Path) -> list[Path]:
    """Packages of a province's own index (layout unit_scores), one per release listed in packaging.yaml."""
    with (report_dir / "scores.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [(reader.line_num, row) for row in reader]
    written = []
    for release in spec["releases"]:
        method = methodology.load(release["index"], str(release["methodology_version"]), settings.methodology_dir)
        package_rows, used = unit_score_rows(examined, report_dir.name, rows, release, spec["index_map"])
        unknown = sorted({r[2] for r in package_rows} - set(method.components))
        if unknown:
            raise InputError(report_dir / "packaging.yaml", f"{release['index']} {release['year']}: codes {unknown} "
                                                           f"are not in methodology {method.version}")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(UNIT_PACKAGE_COLUMNS)
        writer.writerows(package_rows)
        written.append(_write_package(settings, report_dir, release, out.getvalue(), "unit_scores", releases_dir,
                                      conflicts.rows(examined, used, report_dir.name, {})))
    return written
