"""Anchored synthetic national releases: every province of a year, with every real figure kept exactly.

The real figures of a release (its report package, plus the national figures of
data/reports/national_releases) are anchors. A seeded generator fills in what no source prints, so that
each release ranks every province and every printed rank stays true:

- a printed score is kept as printed; a printed national rank (with or without a score) holds exactly,
  since no filled value ties with an anchor; a printed order within a region holds too;
- each component the methodology requires of every unit is present for every province; a filled unit's
  parent equals the sum of its children wherever the children make up the parent's maximum (PAR INDEX
  fields, PAPI dimensions), so the parent = sum checks stay meaningful; components that are not a sum
  (PCI's weighted total and sub-indices) are filled one by one;
- the same seed gives the same files, byte for byte.

Real national figures go to national.csv, the fill to synthetic.csv (marked `synthetic: true` in
release.yaml, and flagged row by row through raw → marts). Filled values are not estimates of anything.
The values themselves come from fill_values.py; this module reads the anchors and writes the files. release.yaml
names the generator by its registered name (GENERATOR), not by a module path, so moving code changes no data file.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import yaml

from ingest.core.config import Settings
from ingest.sources import layouts, methodology, readers
from ingest.sources.packages import sha256_of
from ingest.sources.reference import unit_directory
from ingest.synthetic.fill_values import (Anchors, Fact, FillError, Province, Tree, generate, provinces, scaled,
                                         text_of, tree_of)

GENERATOR = "anchored_national_fill"   # the `fill: generator:` of every release.yaml it completes
NATIONAL_FILE = "national.csv"
SYNTHETIC_FILE = "synthetic.csv"
COLUMNS = readers.WRITTEN_CANONICAL_COLUMNS
# --- reading anchors and writing the package files ------------------------------------------------------

def _region_rows(source_reports_dir: Path, spec: dict) -> list[dict]:
    """The report rows that may print ranks within a region (spec `region_ranks_from: <report folder>`)."""
    if not spec.get("region_ranks_from"):
        return []
    path = source_reports_dir / spec["region_ranks_from"] / "scores.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [{**row, "source_ref": f"{spec['region_ranks_from']} {row['source_ref']}"} for row in csv.DictReader(handle)]


def read_anchors(settings: Settings, spec: dict, real_rows: list[readers.ScoreRow], tree: Tree, year: int,
                 decimals: int, where: Path) -> tuple[Anchors, list[dict[str, str]]]:
    """Anchors from the release's real rows and the national figures the spec names. The national figures
    that the release does not already hold (its package source wins) come back as rows for national.csv."""
    scale = 10 ** decimals
    units = unit_directory(settings.reference_dir)
    year_end = readers.year_end(year)   # names resolve to the unit version valid at the end of the year
    anchors = Anchors()
    held = {(row.unit_code, row.component_code) for row in real_rows}
    for row in real_rows:
        if row.component_code in tree.generated:
            anchors.facts[(row.unit_code, row.component_code)] = Fact(
                scaled(row.score, scale, where, f"{row.unit_name} {row.component_code}"), row.rank, row.source_ref or "")
    national: list[dict[str, str]] = []
    for item in spec.get("anchors") or []:
        path = settings.source_reports_dir / item["file"]
        for line, record in layouts.read_records(path, layouts.load_layout(item["layout"], settings.layouts_dir)):
            code = units.resolve_on(record["unit_type"], record["unit_name"], year_end)
            if code is None:
                raise FillError(path, f"unknown {record['unit_type']} {record['unit_name']!r}", line, "unit_name")
            key = (code, record["component_code"])
            if key in held:
                continue   # printed by the package source too: the package source wins
            held.add(key)
            source = f"{item['file']} row {line}"
            if record["score"]:
                national.append({**record, "source_ref": source})
            if key[1] in tree.generated:
                score = Decimal(record["score"]) if record["score"] else None
                anchors.facts[key] = Fact(scaled(score, scale, path, source) if score is not None else None,
                                          int(record["rank"]) if record["rank"] else None, source)
    region_of = {p.code: p.region for p in provinces(year, settings.reference_dir)}
    sizes = {region: list(region_of.values()).count(region) for region in set(region_of.values())}
    for row in _region_rows(settings.source_reports_dir, spec):
        code = units.resolve_on(row["unit_type"], row["unit_name_vi"], year_end)
        if (row["index_code"] == tree.method.index_code and int(row["year"]) == year and row["component_code"] == "TOTAL"
                and code in region_of and row["rank"] and row["rank_of"] == str(sizes[region_of[code]])):
            anchors.region_ranks.setdefault(code, (int(row["rank"]), row["source_ref"]))
    for item in spec.get("implied_ranks") or []:
        # A rank the source states through a printed change ("down 5 places on last year"): kept true as well.
        key = (units.resolve_on("province", item["unit"], year_end), str(item["component"]))
        if key not in anchors.facts or anchors.facts[key].rank is not None:
            raise FillError(where, f"implied rank of {item['unit']} {item['component']}: needs a printed score "
                                   "and no printed rank", column="implied_ranks")
        anchors.facts[key].rank = int(item["rank"])
    for name in spec.get("ranked_last") or []:
        anchors.last_place[units.resolve_on("province", name, year_end)] = name
    return anchors, national


def csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    return out.getvalue()


def synthetic_rows(values: dict[tuple[str, str], int], tree: Tree, anchors: Anchors, year_provinces: list[Province],
                   decimals: int, seed: int, ranked_units: int) -> list[dict[str, str]]:
    position = {c: m.position for c, m in tree.method.components.items()}
    names = {p.code: p.name for p in year_provinces}
    rows = []
    for (unit, code), value in sorted(values.items(), key=lambda item: (item[0][0], position[item[0][1]])):
        fact = anchors.facts.get((unit, code))
        if fact is not None and fact.score is not None:
            continue   # printed: it is in the real files
        source, rank = f"synthetic (seed {seed})", ""
        if fact is not None and fact.rank is not None:
            rank, source = str(fact.rank), f"synthetic score; rank printed in {fact.source}"
        elif code == "TOTAL" and unit in anchors.region_ranks:
            source = f"synthetic score; place in region printed in {anchors.region_ranks[unit][1]}"
        rows.append({"unit_name": names[unit], "unit_type": "province", "component_code": code,
                     "score": text_of(value, decimals), "rank": rank, "rank_of": str(ranked_units) if rank else "",
                     "source_ref": source})
    return rows


def write_fill(settings: Settings, folder: Path, method: methodology.Methodology, year: int, spec: dict,
               real_rows: list[readers.ScoreRow]) -> list[dict]:
    """Write national.csv (real national figures, if any) and synthetic.csv; return their manifest entries."""
    decimals = int(spec.get("decimals", 2))
    seed = int(spec["seed"])
    units = unit_directory(settings.reference_dir)
    year_provinces = provinces(year, settings.reference_dir)
    year_end = readers.year_end(year)
    not_ranked = set()
    for name in spec.get("not_ranked") or []:
        code = units.resolve_on("province", name, year_end)
        if code is None:
            raise FillError(folder, f"not_ranked names an unknown province {name!r}", column="not_ranked")
        not_ranked.add(code)
    tree = tree_of(method)
    anchors, national = read_anchors(settings, spec, real_rows, tree, year, decimals, folder)
    unscaled = Decimal(str(spec["unscaled_max"])) if spec.get("unscaled_max") is not None else None
    values = generate(tree, year_provinces, anchors, seed, decimals, folder, not_ranked, unscaled)
    entries = []
    for name in (NATIONAL_FILE, SYNTHETIC_FILE):
        (folder / name).unlink(missing_ok=True)
    if national:
        position = {c: m.position for c, m in method.components.items()}
        national.sort(key=lambda r: (units.resolve_on("province", r["unit_name"], year_end), position[r["component_code"]]))
        (folder / NATIONAL_FILE).write_text(csv_text(national), encoding="utf-8")
        entries.append({"name": NATIONAL_FILE, "sha256": sha256_of(folder / NATIONAL_FILE), "layout": "canonical"})
    ranked_units = len(year_provinces) - len(not_ranked)
    rows = synthetic_rows(values, tree, anchors, year_provinces, decimals, seed, ranked_units)
    (folder / SYNTHETIC_FILE).write_text(csv_text(rows), encoding="utf-8")
    entries.append({"name": SYNTHETIC_FILE, "sha256": sha256_of(folder / SYNTHETIC_FILE), "layout": "canonical",
                    "synthetic": True})
    return entries


def manifest_fields(spec: dict) -> dict:
    """What release.yaml says about a filled release: complete, synthetic, and how to make the fill again."""
    fields: dict = {"coverage": "complete", "synthetic": True}
    if spec.get("not_ranked"):
        fields["units_not_ranked"] = list(spec["not_ranked"])
    fields["fill"] = {"generator": GENERATOR, **spec}
    return fields


def refill(settings: Settings, manifest: Path) -> Path:
    """`govwh fill-national`: make a release's national.csv and synthetic.csv again from its release.yaml."""
    from ingest.sources import packages

    text = manifest.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    spec = dict(doc.get("fill") or {})
    generator = spec.pop("generator", None)
    if "seed" not in spec:
        raise FillError(manifest, "has no 'fill' section with a seed to generate from", column="fill")
    if generator != GENERATOR:
        raise FillError(manifest, f"its fill was made by {generator!r}, which is not {GENERATOR!r}", column="fill")
    release = packages.read_manifest(manifest)
    method = methodology.load(release.index_code, release.methodology_version, settings.methodology_dir)
    units = unit_directory(settings.reference_dir)
    real = [f for f in release.files if not f.synthetic and f.name != NATIONAL_FILE]
    rows = [row for f in real if f.holds_scores
            for row in layouts.read_file(release.folder / f.name, f.layout, settings.layouts_dir, method, units,
                                         encoding=f.encoding, year=release.year).rows]
    entries = write_fill(settings, release.folder, method, release.year, spec, rows)
    doc["files"] = [{"name": f.name, "sha256": f.sha256, "layout": f.layout} for f in real] + entries
    doc.update(manifest_fields(spec))
    comments = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    manifest.write_text(comments + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return manifest
