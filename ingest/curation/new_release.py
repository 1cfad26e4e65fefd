"""A new year in one command: `govwh new-release INDEX YEAR FILE…` makes a release package from the files a
ministry publishes.

It finds the methodology version that covers the year (or says a new one is needed, and with
`--start-methodology` starts it from the previous version for a person to edit), recognises each file's layout
(the canonical long CSV or an official layout of data/layouts) unless told, reads every file through the same
readers the load uses (so a file the pipeline would refuse is refused here, with file, row and column, and nothing
is written), says whether the release covers every province, and writes data/releases/<index>/<year>/<edition>/:
the files as published and release.yaml with their sha256, edition, publisher, source and layouts.
"""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.core.config import Settings
from ingest.core.errors import InputError, display_path
from ingest.sources import layouts, methodology, packages, readers
from ingest.sources.reference import unit_directory


@dataclass(frozen=True)
class Outcome:
    manifest: Path
    methodology_version: str
    methodology_note: str
    started_methodology: Path | None
    layouts: dict[str, str]          # file name -> layout
    rows: int
    units: int
    coverage: str
    coverage_note: str


def _index_publisher(settings: Settings, index_code: str) -> str:
    with (settings.reference_dir / "indices.csv").open(encoding="utf-8", newline="") as handle:
        publishers = {row["index_code"]: row["publisher_vi"] for row in csv.DictReader(handle)}
    if index_code not in publishers:
        raise InputError(settings.reference_dir / "indices.csv",
                         f"unknown index {index_code!r}: the indices are {', '.join(publishers)}")
    return publishers[index_code]


def _versions(settings: Settings, index_code: str) -> list[dict]:
    """The registry's versions of the index (their YAML heads), oldest first."""
    found = []
    for path in (settings.methodology_dir / index_code.lower()).glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        found.append({"path": path, "version": str(doc["version"]), "first_year": int(doc["first_year"]),
                      "last_year": doc.get("last_year")})
    return sorted(found, key=lambda v: v["first_year"])


def covering_version(settings: Settings, index_code: str, year: int) -> dict | None:
    return next((v for v in _versions(settings, index_code)
                 if v["first_year"] <= year <= (v["last_year"] or year)), None)


def start_methodology(settings: Settings, index_code: str, year: int) -> Path:
    """Copy the latest version before `year` to <year>.yaml, as a draft for a person to check against the new
    methodology: version, years and previous_version set; comparability flags dropped (they compared the previous
    version with its own predecessor; without them a component compares where its maximum is unchanged)."""
    earlier = [v for v in _versions(settings, index_code) if v["first_year"] < year]
    if not earlier:
        raise InputError(settings.methodology_dir / index_code.lower(),
                         f"no methodology version of {index_code} before {year} to start from")
    previous = earlier[-1]
    target = methodology.methodology_path(index_code, str(year), settings.methodology_dir)
    if target.exists():
        raise InputError(target, "exists already; edit it, or delete it to start again")
    doc = yaml.safe_load(previous["path"].read_text(encoding="utf-8"))
    doc.update({"version": str(year), "first_year": year, "last_year": None, "previous_version": previous["version"],
                "source": f"DRAFT started from version {previous['version']} by govwh new-release on "
                          f"{dt.date.today():%Y-%m-%d}: check every component and maximum against the published "
                          f"{year} methodology, then replace this line with its source"})
    for component in doc.get("components") or []:
        component.pop("comparable_with_previous", None)
    target.write_text(
        f"# {index_code} methodology of {year}: a DRAFT copied from {previous['version']} (govwh new-release "
        f"--start-methodology).\n# Check the tree, the maxima (max_score), `required`, and mark components that do not "
        f"compare with {previous['version']}\n# (comparable_with_previous: false) before loading the release. "
        "source_ref lines still point at the previous version's sources.\n"
        + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def detect_layout(path: Path, settings: Settings) -> str:
    """The canonical long CSV, or the one official layout whose header the file has; else ask for --layout."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "csv":
        header = next(csv.reader(readers.decode(path)[0].splitlines()), [])
        if set(readers.CANONICAL_COLUMNS) <= {cell.strip() for cell in header}:
            return layouts.CANONICAL
    matching = []
    for layout_file in sorted(settings.layouts_dir.glob("*.yaml")):
        layout = layouts.load_layout(layout_file.stem, settings.layouts_dir)
        if layout.format != suffix:
            continue
        try:
            layouts.read_records(path, layout)
        except InputError:
            continue
        matching.append(layout.name)
    if len(matching) != 1:
        found = f"it fits {', '.join(matching)}" if matching else "no layout of data/layouts fits its header"
        raise InputError(path, f"cannot tell the file's layout ({found}); name it with --layout, or describe the "
                               "ministry's table in a new data/layouts/<name>.yaml")
    return matching[0]


def _next_edition(settings: Settings, index_code: str, year: int) -> int:
    folder = settings.releases_dir / index_code.lower() / str(year)
    taken = [int(p.name) for p in folder.glob("*") if p.name.isdigit()] if folder.is_dir() else []
    return max(taken, default=0) + 1


def build(settings: Settings, index_code: str, year: int, files: list[Path], *, layout: str | None = None,
          publisher: str | None = None, published_on: dt.date | None = None, source: str | None = None,
          reason: str | None = None, start_new_methodology: bool = False) -> Outcome:
    """Check the files and write the package (and, when asked, a draft methodology); nothing is written when a
    file is refused."""
    publisher = publisher or _index_publisher(settings, index_code)
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise InputError(files[0], f"two files share a name ({', '.join(names)}); a package holds each name once")
    version = covering_version(settings, index_code, year)
    started = None
    if version and start_new_methodology:
        raise InputError(version["path"], f"version {version['version']} already covers {year} "
                                          f"({version['first_year']}–{version['last_year'] or 'open'}): end it with "
                                          "last_year before starting another")
    if version is None:
        latest = (_versions(settings, index_code) or [None])[-1]
        if not start_new_methodology:
            known = f"latest {latest['version']}, {latest['first_year']}–{latest['last_year']}" if latest else "none"
            raise InputError(settings.methodology_dir / index_code.lower(),
                             f"no methodology version of {index_code} covers {year} ({known}): a new one is needed; "
                             f"run again with --start-methodology to start {index_code.lower()}/{year}.yaml from the "
                             "previous version, then edit it")
        started = start_methodology(settings, index_code, year)
        note = f"new methodology {year} started from {latest['version']} in {display_path(started)}: edit it"
        version_name = str(year)
    else:
        note = (f"methodology {version['version']} ({version['first_year']}–{version['last_year'] or 'open'}) "
                "will be used")
        version_name = version["version"]
    method = methodology.load(index_code, version_name, settings.methodology_dir)
    units = unit_directory(settings.reference_dir)
    chosen = {f.name: layout or detect_layout(f, settings) for f in files}
    rows = [row for f in files for row in layouts.read_file(f, chosen[f.name], settings.layouts_dir, method, units,
                                                            year=year).rows]
    coverage, coverage_note = _coverage(rows, method, units, year)
    edition = _next_edition(settings, index_code, year)
    if edition > 1 and not reason:
        raise InputError(settings.releases_dir / index_code.lower() / str(year),
                         f"editions 1–{edition - 1} exist: a new edition must say why (--reason)")
    folder = settings.releases_dir / index_code.lower() / str(year) / str(edition)
    folder.mkdir(parents=True)
    for f in files:
        shutil.copy2(f, folder / f.name)
    manifest = _write_manifest(folder, index_code, year, edition, publisher, published_on,
                               source or f"{', '.join(names)} as published by {publisher}", version_name, coverage,
                               reason, chosen)
    packages.verify_files(packages.read_manifest(manifest))   # the loader's own checks of the package
    return Outcome(manifest, version_name, note, started, chosen, len(rows), len({r.unit_code for r in rows}),
                   coverage, coverage_note)


def _coverage(rows: list, method: methodology.Methodology, units, year: int) -> tuple[str, str]:
    """complete when every province of the year has every component the methodology requires of each unit."""
    day = readers.year_end(year)
    provinces = {v.unit_code for v in units.versions if v.unit_type == "province" and v.valid_on(day)}
    required = {c.code for c in method.components.values() if c.required}
    present = {(r.unit_code, r.component_code) for r in rows}
    missing = {(unit, code) for unit in provinces for code in required} - present
    if not missing:
        return "complete", f"all {len(provinces)} provinces with every required component"
    short = len({unit for unit, _ in missing})
    return "partial", f"{short} of {len(provinces)} provinces lack a required component ({len(missing)} values)"


def _write_manifest(folder: Path, index_code: str, year: int, edition: int, publisher: str,
                    published_on: dt.date | None, source: str, version: str, coverage: str, reason: str | None,
                    chosen: dict[str, str]) -> Path:
    doc = {"index": index_code, "year": year, "edition": edition, "published_on": published_on,
           "publisher": publisher, "source": source, "methodology_version": version, "coverage": coverage,
           "synthetic": False, **({"reason": reason} if reason else {}),
           "files": [{"name": name, "sha256": packages.sha256_of(folder / name), "layout": layout}
                     for name, layout in chosen.items()]}
    manifest = folder / "release.yaml"
    manifest.write_text(
        f"# Written by govwh new-release on {dt.date.today():%Y-%m-%d} from the files as published. Check publisher,\n"
        "# source (the decision or page the files come from) and published_on; never edit a loaded package: a\n"
        "# corrected file is a new edition.\n" + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    return manifest
