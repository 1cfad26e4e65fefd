"""Release packages: data/releases/<index>/<year>/<edition>/release.yaml and the files it names.

A manifest names its files by plain file names inside its own folder: an absolute path, a `..`, a folder or a link
that resolves outside the release folder is refused before anything is opened or hashed, so no message can carry the
content or the hash of a file elsewhere. Folders under data/releases that are not <index>/<year>/<edition> with a
positive whole edition are reported, not skipped.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.core.errors import InputError, shown
from ingest.sources import safe_yaml
from ingest.sources.text_files import ENCODINGS

COVERAGES = ("complete", "partial")
CONFLICTS_LAYOUT = "printed_conflicts"     # conflicts.csv: the candidates of facts printed with different values
SHA256 = re.compile(r"[0-9a-fA-F]{64}")
# Names that become parts of paths (methodology/<index>/<version>.yaml, layouts/<layout>.yaml): no separators, no ..
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
LAYOUT = re.compile(r"[a-z0-9][a-z0-9_]{0,63}")
FILE_NAME = re.compile(r"[^/\\\x00-\x1f\x7f]{1,255}")
EDITION_FOLDER = re.compile(r"[1-9][0-9]{0,5}")
YEAR_FOLDER = re.compile(r"[12][0-9]{3}")
YEARS = (1990, 2100)            # a release's year, inclusive
# What a later edition may change only by saying why (release.yaml `changes: {<what>: <why>}`).
DECLARABLE_CHANGES = ("coverage", "units", "methodology_version")


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    sha256: str
    layout: str = "canonical"
    encoding: str | None = None      # None = UTF-8 (a UTF-16 byte-order mark is honoured)
    synthetic: bool = False          # generated rows (an anchored synthetic fill), flagged row by row

    @property
    def holds_scores(self) -> bool:
        """False for conflicts.csv, which describes the scores of the other files."""
        return self.layout != CONFLICTS_LAYOUT


@dataclass(frozen=True)
class Release:
    path: Path                      # the release.yaml
    index_code: str
    year: int
    edition: int
    published_on: dt.date | None
    publisher: str
    source: str
    methodology_version: str
    coverage: str
    is_synthetic: bool
    reason: str | None
    files: tuple[ReleaseFile, ...] = field(default_factory=tuple)
    units_not_ranked: tuple[str, ...] = ()   # units a complete release does not rank that year, by name
    changes: tuple[tuple[str, str], ...] = ()   # (what, why) a later edition declares it changes (DECLARABLE_CHANGES)

    @property
    def release_id(self) -> str:
        return f"{self.index_code}/{self.year}/{self.edition}"

    @property
    def folder(self) -> Path:
        return self.path.parent


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _require(doc: dict, key: str, path: Path, kind: type | tuple = str):
    if key not in doc or doc[key] is None or doc[key] == "":
        raise InputError(path, f"missing required key '{key}'", column=key)
    value = doc[key]
    if not isinstance(value, kind) or isinstance(value, bool):   # YAML's true is no year, edition or name
        raise InputError(path, f"'{key}' must be {getattr(kind, '__name__', kind)}, got {shown(value)}", column=key)
    return value


def read_yaml_mapping(path: Path, what: str) -> dict:
    """A YAML file that must hold a mapping (a manifest): its content, or an InputError naming the file. Read with
    limits (sources/safe_yaml.py: size, no aliases, depth, no repeated key)."""
    return safe_yaml.load_mapping(path, what)


def _files(doc: dict, path: Path) -> list[ReleaseFile]:
    files = []
    for position, item in enumerate(_require(doc, "files", path, list), start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                or not SHA256.fullmatch(str(item.get("sha256"))):
            raise InputError(path, f"files entry {position}: each file needs a 'name' and a 'sha256' of 64 hex digits "
                                   f"(quoted), got {shown(item)}", column="files")
        name, layout, encoding = item["name"], str(item.get("layout", "canonical")), item.get("encoding")
        if not FILE_NAME.fullmatch(name) or name in (".", "..") or name != name.strip():
            raise InputError(path, f"files entry {position} names {shown(name)}: a file of a release is named by its "
                                   "plain name in the release folder (no path, no /, no ..)", column="files")
        if not LAYOUT.fullmatch(layout):
            raise InputError(path, f"files entry {position} ({shown(name)}): layout {shown(layout)} is not a layout "
                                   "name (lower-case letters, digits, _)", column="layout")
        if encoding is not None and str(encoding).lower() not in ENCODINGS:
            raise InputError(path, f"files entry {position} ({shown(name)}): encoding {shown(encoding)} is not one of "
                                   f"{', '.join(ENCODINGS)}", column="encoding")
        files.append(ReleaseFile(name, str(item["sha256"]).lower(), layout,
                                 str(encoding).lower() if encoding is not None else None,
                                 bool(item.get("synthetic", False))))
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise InputError(path, f"names the file {shown(next(n for n in names if names.count(n) > 1))} twice",
                         column="files")
    return files


def _changes(doc: dict, path: Path) -> tuple[tuple[str, str], ...]:
    changes = doc.get("changes") or {}
    if not isinstance(changes, dict) or any(k not in DECLARABLE_CHANGES or not isinstance(v, str) or not v.strip()
                                            for k, v in changes.items()):
        raise InputError(path, f"'changes' maps what a later edition changes ({', '.join(DECLARABLE_CHANGES)}) to why, "
                               f"got {shown(changes)}", column="changes")
    return tuple(sorted((str(k), v.strip()) for k, v in changes.items()))


def read_manifest(path: Path) -> Release:
    """Parse and check a release.yaml. Its place in the tree must agree with what it says."""
    check_inside(path, path.parent, path)
    doc = read_yaml_mapping(path, "release metadata")
    index_code = _require(doc, "index", path)
    year = _require(doc, "year", path, int)
    edition = _require(doc, "edition", path, int)
    if not YEARS[0] <= year <= YEARS[1]:
        raise InputError(path, f"'year' must be between {YEARS[0]} and {YEARS[1]}, got {year}", column="year")
    if edition < 1:
        raise InputError(path, f"'edition' must be a positive whole number (1, 2, ...), got {edition}",
                         column="edition")
    published_on = doc.get("published_on")
    if published_on is not None and (not isinstance(published_on, dt.date) or isinstance(published_on, dt.datetime)):
        raise InputError(path, f"'published_on' must be a date (YYYY-MM-DD), got {shown(published_on)}",
                         column="published_on")
    coverage = doc.get("coverage", "partial")
    if coverage not in COVERAGES:
        raise InputError(path, f"'coverage' must be one of {COVERAGES}, got {shown(coverage)}", column="coverage")
    version = str(_require(doc, "methodology_version", path, (str, int)))
    if not VERSION.fullmatch(version) or ".." in version:
        raise InputError(path, f"'methodology_version' {shown(version)} is not a version name (letters, digits, . _ -)",
                         column="methodology_version")
    not_ranked = doc.get("units_not_ranked") or []
    if not isinstance(not_ranked, list) or not all(isinstance(name, str) for name in not_ranked):
        raise InputError(path, f"'units_not_ranked' must be a list of names, got {shown(not_ranked)}",
                         column="units_not_ranked")
    reason = doc.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise InputError(path, f"'reason' must be text, got {shown(reason)}", column="reason")
    files = _files(doc, path)
    release = Release(
        path=path, index_code=index_code, year=year, edition=edition, published_on=published_on,
        publisher=_require(doc, "publisher", path), source=_require(doc, "source", path), methodology_version=version,
        coverage=coverage, is_synthetic=bool(doc.get("synthetic", False)) or any(f.synthetic for f in files),
        reason=reason, files=tuple(files), units_not_ranked=tuple(not_ranked), changes=_changes(doc, path),
    )
    expected = (index_code.lower(), str(year), str(edition))
    actual = path.parent.parent.parent.name, path.parent.parent.name, path.parent.name
    if actual != expected:
        raise InputError(path, f"the manifest says {shown(index_code)[1:-1]} {year} edition {edition} but it sits in "
                               f"{shown('/'.join(actual))[1:-1]}; expected the folder {shown('/'.join(expected))[1:-1]}")
    if edition > 1 and not (release.reason or "").strip():
        raise InputError(path, "a later edition must say why it exists ('reason')", column="reason")
    if edition == 1 and release.changes:
        raise InputError(path, "'changes' is for a later edition: edition 1 has nothing to change", column="changes")
    return release


def check_inside(path: Path, folder: Path, manifest: Path) -> Path:
    """`path` resolved, when it is a regular file inside `folder` (resolved too: a link pointing out is refused).
    Nothing is read before this says yes."""
    try:
        resolved, home = path.resolve(strict=True), folder.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputError(manifest, f"names {shown(path.name)}, which does not exist in its release folder",
                         column="files") from None
    if resolved.parent != home:
        raise InputError(manifest, f"{shown(path.name)} resolves outside its release folder (a link or a path); "
                                   "a release's files are plain files in its own folder", column="files")
    if not resolved.is_file():
        raise InputError(manifest, f"{shown(path.name)} is not a regular file", column="files")
    return resolved


def verify_files(release: Release) -> dict[str, Path]:
    """Each named file is a file of the release folder and has the sha256 the manifest gives."""
    paths = {}
    for item in release.files:
        file_path = release.folder / item.name
        check_inside(file_path, release.folder, release.path)
        actual = sha256_of(file_path)
        if actual != item.sha256:
            raise InputError(file_path, f"sha256 is {actual} but release.yaml says {item.sha256}; a changed "
                                        "file is a new edition (or a correction) and must say so")
        paths[item.name] = file_path
    return paths


def release_folder(releases_dir: Path, index_code: str, year: int, edition: int) -> Path:
    """Where a release's package lives."""
    return releases_dir / index_code.lower() / str(year) / str(edition)


def discover(releases_dir: Path, index_code: str | None = None, year: int | None = None) -> list[Path]:
    """release.yaml files under releases_dir (data/releases), in index, year, edition order.

    Every folder of the selection must be <index>/<year>/<edition> with a four-digit year and a positive whole
    edition, and an edition folder must hold a release.yaml (an empty one is skipped: a package that was removed);
    anything else is reported, so no package is left out without a word."""
    found = []
    pattern = f"{index_code.lower() if index_code else '*'}/{year if year else '*'}/*"
    for folder in sorted(releases_dir.glob(pattern)):
        if not folder.parent.is_dir():
            continue
        if not YEAR_FOLDER.fullmatch(folder.parent.name):
            raise InputError(folder.parent, f"a year folder of data/releases is a four-digit year, got "
                                            f"{shown(folder.parent.name)}; rename it or move it out of data/releases")
        if not EDITION_FOLDER.fullmatch(folder.name):
            raise InputError(folder, f"an edition folder of data/releases is a positive whole number (1, 2, ...), "
                                     f"got {shown(folder.name)}; rename it or move it out of data/releases")
        if not folder.is_dir():
            raise InputError(folder, "is a file where an edition folder was expected")
        manifest = folder / "release.yaml"
        if manifest.exists() or manifest.is_symlink():
            found.append(manifest)
        elif any(folder.iterdir()):
            raise InputError(folder, "holds files but no release.yaml; a release package needs its manifest")
    return sorted(found, key=lambda p: (p.parent.parent.parent.name, int(p.parent.parent.name), int(p.parent.name)))
