"""Release packages: data/releases/<index>/<year>/<edition>/release.yaml and the files it names."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest.core.errors import InputError

COVERAGES = ("complete", "partial")
CONFLICTS_LAYOUT = "printed_conflicts"     # conflicts.csv: the candidates of facts printed with different values
SHA256 = re.compile(r"[0-9a-fA-F]{64}")


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
    if not isinstance(value, kind):
        raise InputError(path, f"'{key}' must be {getattr(kind, '__name__', kind)}, got {value!r}", column=key)
    return value


def read_yaml_mapping(path: Path, what: str) -> dict:
    """A YAML file that must hold a mapping (a manifest): its content, or an InputError naming the file."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not a readable YAML file: {exc}") from exc
    if not isinstance(doc, dict):
        raise InputError(path, f"expected a mapping of {what}")
    return doc


def read_manifest(path: Path) -> Release:
    """Parse and check a release.yaml. Its place in the tree must agree with what it says."""
    doc = read_yaml_mapping(path, "release metadata")
    index_code = _require(doc, "index", path)
    year = _require(doc, "year", path, int)
    edition = _require(doc, "edition", path, int)
    published_on = doc.get("published_on")
    if published_on is not None and not isinstance(published_on, dt.date):
        raise InputError(path, f"'published_on' must be a date (YYYY-MM-DD), got {published_on!r}",
                         column="published_on")
    coverage = doc.get("coverage", "partial")
    if coverage not in COVERAGES:
        raise InputError(path, f"'coverage' must be one of {COVERAGES}, got {coverage!r}", column="coverage")
    files = []
    for item in _require(doc, "files", path, list):
        if not isinstance(item, dict) or not item.get("name") or not SHA256.fullmatch(str(item.get("sha256"))):
            raise InputError(path, f"each file needs a 'name' and a 'sha256' of 64 hex digits (quoted), got {item!r}",
                             column="files")
        files.append(ReleaseFile(str(item["name"]), str(item["sha256"]).lower(), str(item.get("layout", "canonical")),
                                 item.get("encoding"), bool(item.get("synthetic", False))))
    release = Release(
        path=path, index_code=index_code, year=year, edition=edition, published_on=published_on,
        publisher=_require(doc, "publisher", path), source=_require(doc, "source", path),
        methodology_version=str(_require(doc, "methodology_version", path, (str, int))),
        coverage=coverage, is_synthetic=bool(doc.get("synthetic", False)) or any(f.synthetic for f in files),
        reason=doc.get("reason"), files=tuple(files), units_not_ranked=tuple(doc.get("units_not_ranked") or ()),
    )
    expected = (index_code.lower(), str(year), str(edition))
    actual = path.parent.parent.parent.name, path.parent.parent.name, path.parent.name
    if actual != expected:
        raise InputError(path, f"the manifest says {index_code} {year} edition {edition} but it sits in "
                               f"{'/'.join(actual)}; expected the folder {'/'.join(expected)}")
    if edition > 1 and not release.reason:
        raise InputError(path, "a later edition must say why it exists ('reason')", column="reason")
    return release


def verify_files(release: Release) -> dict[str, Path]:
    """Each named file exists and has the sha256 the manifest gives."""
    paths = {}
    for item in release.files:
        file_path = release.folder / item.name
        if not file_path.is_file():
            raise InputError(release.path, f"names {item.name}, which does not exist", column="files")
        actual = sha256_of(file_path)
        if actual != item.sha256:
            raise InputError(file_path, f"sha256 is {actual} but release.yaml says {item.sha256}; a changed "
                                        "file is a new edition (or a correction) and must say so")
        paths[item.name] = file_path
    return paths


def discover(releases_dir: Path, index_code: str | None = None, year: int | None = None) -> list[Path]:
    """release.yaml files under releases_dir (data/releases), in index, year, edition order."""
    pattern = f"{index_code.lower() if index_code else '*'}/{year if year else '*'}/*/release.yaml"
    found = [p for p in releases_dir.glob(pattern) if p.parent.name.isdigit()]
    return sorted(found, key=lambda p: (p.parent.parent.parent.name, int(p.parent.parent.name), int(p.parent.name)))
