"""A national-scale SYNTHETIC data directory, for benchmarks: `govwh generate-national-scale --out DIR`.

It holds what data/ holds (reference, methodology, layouts, plans, releases) at the size of the whole country:
- every national index for every year of a ten-year window that a methodology version covers, for all
  provinces (the 63 until 2024, the 34 of the 2025 reform from 2025). The project's own releases are copied as
  they are (real figures and their anchored fill); the other years are complete synthetic releases whose values
  come from synthetic/fill_values.py, anchored on the distribution of the nearest real release of the index;
- the province's own index (PROVINCIAL_PAR) for 3,321 synthetic communes under the 34 provinces (valid from
  2025-07-01), about 50 criteria × 4 score kinds, one release per quarterly edition (synthetic/communes.py).
Everything generated says so: releases are `synthetic: true` (so every row is is_synthetic in the marts), the
communes' reference rows and names say "giả lập" (simulated) and SYNTHETIC, and the two methodology versions
it adds (PAR_INDEX 2025, the 2024 tree carried forward; PROVINCIAL_PAR 2025 for communes) are marked SYNTHETIC.
The same seed and scale give the same files. It never writes into data/.
"""
from __future__ import annotations

import hashlib
import random
import shutil
from decimal import Decimal
from pathlib import Path

import yaml

from ingest.core.config import Settings
from ingest.sources import layouts, methodology, packages
from ingest.sources.reference import unit_directory
from ingest.synthetic import fill_values, national_fill
from ingest.synthetic.communes import QUARTERS, write_communes, write_methodology, write_release
from ingest.synthetic.generated import GENERATOR, GENERATOR_VERSION, SYNTHETIC_PUBLISHER, Summary, write_manifest

NATIONAL_INDICES = ("PAR_INDEX", "SIPAS", "PAPI", "PCI")
DEFAULT_YEARS = tuple(range(2017, 2027))
DEFAULT_COMMUNE_YEARS = (2025, 2026)
ANCHOR_STEP = 6                  # a synthetic national release is anchored at every 6th place
COPIED = ("reference", "methodology", "layouts", "plans", "corrections")


# --- the data directory -----------------------------------------------------------------------------------

def generate(settings: Settings, out: Path, *, scale: float = 1.0, seed: int = 1,
             years: tuple[int, ...] = DEFAULT_YEARS, commune_years: tuple[int, ...] = DEFAULT_COMMUNE_YEARS,
             editions: int = QUARTERS, national: bool = True) -> Summary:
    """Write the data directory `out` from settings.data_dir (replaced if it exists, built beside it and moved into
    place); `make bench` uses settings.bench_data_dir."""
    out = Path(out).resolve()
    data_dir = settings.data_dir.resolve()
    if out == data_dir or data_dir in out.parents:
        raise ValueError(f"refusing to write generated data into {settings.data_dir}")
    building = out.with_name(out.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    for name in COPIED:
        shutil.copytree(settings.data_dir / name, building / name)
    summary = Summary()
    communes = write_communes(building, scale, seed)
    summary.communes = len(communes)
    _write_par_index_2025(building)
    write_methodology(building, communes)
    if national:
        shutil.copytree(settings.releases_dir, building / "releases")
        for index_code in NATIONAL_INDICES:
            for year in years:
                _national_release(settings, building, index_code, year, seed, summary)
    for year in commune_years:
        for edition in range(1, editions + 1):
            write_release(building, communes, year, edition, seed, summary)
    parameters = {"generator": GENERATOR, "version": GENERATOR_VERSION, "scale": scale, "seed": seed,
                  "inputs_sha256": inputs_fingerprint(settings),
                  "years": list(years), "commune_years": list(commune_years), "editions": editions,
                  "national": national, "communes": summary.communes, "generated_releases": summary.releases,
                  "generated_rows": summary.rows, "generated_bytes": summary.bytes}
    (building / "generated.yaml").write_text(
        f"# SYNTHETIC data directory for benchmarks ({GENERATOR}). Not real data; never commit it.\n"
        + yaml.safe_dump(parameters, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    building.rename(out)
    summary.files = [out / p.relative_to(building) for p in summary.files]
    return summary


def inputs_fingerprint(settings: Settings) -> str:
    """sha256 over the bundled files a generated directory copies or is derived from: a directory generated from
    older reference data (a column since added) is made again, not benchmarked stale."""
    digest = hashlib.sha256()
    for folder in (*(settings.data_dir / name for name in COPIED), settings.releases_dir):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(settings.data_dir)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def parameters_of(out: Path) -> dict | None:
    """The parameters a generated directory was made with (None if there is none)."""
    path = Path(out) / "generated.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


def _write_par_index_2025(root: Path) -> None:
    """PAR_INDEX from 2025: the 2024 tree carried forward (no methodology after 2024 is in the registry)."""
    source = methodology.methodology_path("PAR_INDEX", "2024", root / "methodology")
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    doc.update({"version": "2025", "first_year": 2025, "last_year": None, "previous_version": "2024",
                "source": "SYNTHETIC: the 2024 methodology carried forward for the benchmark's 2025-2026 releases; "
                          "not a published methodology"})
    for component in doc["components"]:
        component.pop("comparable_with_previous", None)   # the same tree: every component compares with 2024
    path = methodology.methodology_path("PAR_INDEX", "2025", root / "methodology")
    path.write_text(f"# SYNTHETIC ({GENERATOR}): PAR_INDEX 2024 carried forward to 2025 for benchmarks.\n"
                    + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- national releases -----------------------------------------------------------------------------------

def _version_for(root: Path, index_code: str, year: int) -> str | None:
    for path in sorted((root / "methodology" / index_code.lower()).glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if doc["first_year"] <= year <= (doc.get("last_year") or year):
            return str(doc["version"])
    return None


def _real_distribution(settings: Settings, index_code: str,
                       year: int) -> tuple[str, dict[str, list[Decimal]], Decimal | None]:
    """The nearest complete real release of the index: its id, each component's scores as % of the component's
    maximum (published and filled values alike), and the fill's unscaled maximum (components without one)."""
    candidates = []
    for manifest in packages.discover(settings.releases_dir, index_code):
        release = packages.read_manifest(manifest)
        if release.coverage == "complete":
            candidates.append((abs(release.year - year), -release.year, manifest, release))
    _, _, manifest, release = min(candidates, key=lambda item: item[:2])
    method = methodology.load(index_code, release.methodology_version, settings.methodology_dir)
    units = unit_directory(settings.reference_dir)
    fill = (yaml.safe_load(manifest.read_text(encoding="utf-8")).get("fill") or {})
    unscaled = Decimal(str(fill["unscaled_max"])) if fill.get("unscaled_max") is not None else None
    pcts: dict[str, list[Decimal]] = {}
    for item in (f for f in release.files if f.holds_scores):
        for row in layouts.read_file(release.folder / item.name, item.layout, settings.layouts_dir, method, units,
                                     encoding=item.encoding, year=release.year).rows:
            top = method.components[row.component_code].max_score or unscaled
            if top:
                pcts.setdefault(row.component_code, []).append(row.score / top)
    return release.release_id, pcts, unscaled


def _anchors(tree: fill_values.Tree, year_provinces: list[fill_values.Province], pcts: dict[str, list[Decimal]],
             unscaled: Decimal | None, rng: random.Random) -> fill_values.Anchors:
    """Anchors at every ANCHOR_STEP-th place of each component the fill makes one by one (a sum's children are
    split from it): the real release's value at the same quantile, moved a little, with room for the units
    between two anchors. The fill draws every other unit between them."""
    anchors = fill_values.Anchors()
    units = [p.code for p in year_provinces]
    for code in tree.generated:
        if tree.method.components[code].parent in tree.sums:
            continue
        low, high = (int(bound * 100) for bound in tree.bounds(code, unscaled))
        source = sorted(pcts.get(code) or pcts["TOTAL"], reverse=True)
        places = list(range(1, len(units) + 1, ANCHOR_STEP))
        order = rng.sample(units, len(places))
        previous = high + 1
        for place, unit in zip(places, order):
            quantile = source[round((place - 1) / (len(units) - 1) * (len(source) - 1))]
            points = int((high * quantile).quantize(Decimal(1))) + rng.randint(-20, 20)
            # Room above for the units placed between this anchor and the one before, and below for the rest.
            points = max(low + len(units) - place + 1, min(previous - ANCHOR_STEP, points))
            anchors.facts[(unit, code)] = fill_values.Fact(points, place, "distribution")
            previous = points
    return anchors


def _national_release(settings: Settings, root: Path, index_code: str, year: int, seed: int,
                      summary: Summary) -> None:
    if packages.discover(root / "releases", index_code, year):
        return   # the project's own release (real figures and their anchored fill), copied as it is
    version = _version_for(root, index_code, year)
    if version is None:
        return   # no methodology of that year in the registry: nothing to generate under
    method = methodology.load(index_code, version, root / "methodology")
    year_provinces = fill_values.provinces(year, settings.reference_dir)
    tree = fill_values.tree_of(method)
    source_id, pcts, unscaled = _real_distribution(settings, index_code, year)
    folder = root / "releases" / index_code.lower() / str(year) / "1"
    for attempt in range(50):
        fill_seed = seed * 100_000 + year * 10 + attempt
        rng = random.Random(f"{index_code}/{fill_seed}")
        try:
            anchors = _anchors(tree, year_provinces, pcts, unscaled, rng)
            values = fill_values.generate(tree, year_provinces, anchors, fill_seed, 2, folder, unscaled_max=unscaled)
            break
        except fill_values.FillError:
            continue   # anchors drawn too close for the units between them: draw again
    else:
        raise fill_values.FillError(folder, f"no synthetic fill of {index_code} {year} after 50 attempts")
    names = {p.code: p.name for p in year_provinces}
    position = {c: m.position for c, m in method.components.items()}
    source_ref = f"synthetic (seed {fill_seed}; distribution of {source_id})"
    ordered = sorted(values.items(), key=lambda item: (item[0][0], position[item[0][1]]))
    rows = [{"unit_name": names[unit], "unit_type": "province", "component_code": code,
             "score": fill_values.text_of(value, 2), "source_ref": source_ref} for (unit, code), value in ordered]
    folder.mkdir(parents=True)
    path = folder / "synthetic.csv"
    path.write_text(national_fill.csv_text(rows), encoding="utf-8")
    doc = {"index": index_code, "year": year, "edition": 1, "published_on": None, "publisher": SYNTHETIC_PUBLISHER,
           "source": f"SYNTHETIC national release for benchmarks: every value generated by {GENERATOR} "
                     f"(seed {fill_seed}), anchored on the distribution of {source_id}; not published by anyone",
           "methodology_version": version, "coverage": "complete", "synthetic": True,
           "files": [{"name": "synthetic.csv", "sha256": packages.sha256_of(path), "layout": "canonical",
                      "synthetic": True}]}
    write_manifest(folder, doc, f"SYNTHETIC: generated by {GENERATOR} for benchmarks. Not real data.")
    summary.add(path, len(ordered))
