"""The one place this package reads the rest of ingest: methodology components, units, paths and errors.

Everything else in ingest.curation.extract is plain Python over these values, so moving the package (or the
modules it reads) means fixing the imports of this module only. A Registry is a value built from the Settings
(its data folders); every lookup is cached per Registry, so two settings never share an answer.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from ingest.core.config import Settings
from ingest.core.errors import InputError, display_path
from ingest.sources import methodology, reference

OLD_TONE_PLACEMENT = reference.OLD_TONE_PLACEMENT

__all__ = ["InputError", "display_path", "Component", "Methodology", "Registry", "OLD_TONE_PLACEMENT"]


@dataclass(frozen=True)
class Component:
    code: str
    parent: str | None
    level: str
    part: str | None
    max_score: Decimal | None
    name: str


@dataclass(frozen=True)
class Methodology:
    index_code: str
    version: str
    first_year: int
    last_year: int | None
    components: tuple[Component, ...]
    unit_types: tuple[str, ...] = ()        # the kinds of unit the index ranks, when it names them (unit_groups)

    def component(self, code: str) -> Component | None:
        return next((c for c in self.components if c.code == code), None)

    def children(self, code: str) -> list[Component]:
        return [c for c in self.components if c.parent == code]

    def rows(self, year: int) -> list[dict[str, str]]:
        """The methodology in the layout of a transcription's methodology.csv (what the audit reads)."""
        return [{"index_code": self.index_code, "year": str(year), "component_code": c.code,
                 "parent_code": c.parent or "", "name_vi": c.name, "max_score": "" if c.max_score is None
                 else str(c.max_score), "level": c.level, "part": c.part or ""} for c in self.components]


@dataclass(frozen=True)
class Registry:
    """The data folders the extractor reads (the methodology registry and the reference units): a hashable value."""

    methodology_dir: Path
    reference_dir: Path
    reports_dir: Path          # data/reports: the transcriptions the extractor is measured against
    documents_dir: Path        # where a document's transcription folder is written for the audit

    @classmethod
    def from_settings(cls, settings: Settings) -> "Registry":
        return cls(settings.methodology_dir, settings.reference_dir, settings.source_reports_dir,
                   settings.findings_dir / "documents")

    def methodology_for(self, index_code: str, year: int | None) -> tuple[Methodology | None, bool]:
        """The version covering the year, else the nearest one (names and codes only; flagged by False)."""
        versions = _versions(self.methodology_dir).get(index_code, [])
        if not versions:
            return None, False
        if year is not None:
            for version in versions:
                if version.first_year <= year <= (version.last_year or year):
                    return version, True
        if year is None:
            return max(versions, key=lambda v: v.first_year), False
        return min(versions, key=lambda v: min(abs(year - v.first_year), abs(year - (v.last_year or year)))), False

    def index_names(self) -> dict[str, list[str]]:
        """Index code -> its Vietnamese names (reference/indices.csv and the registry's TOTAL names)."""
        return _index_names(self.methodology_dir, self.reference_dir)

    def percent_indices(self) -> set[str]:
        """Indices whose score is itself a percentage (SIPAS): a printed % of them is their score too."""
        return _percent_indices(self.reference_dir)

    def unit_names(self) -> dict[str, tuple[str, str]]:
        """Every known unit name (provinces, departments, districts; aliases) -> (unit_type, canonical name)."""
        return _unit_names(self.reference_dir)

    def provinces_ranked(self, year: int) -> int:
        """How many provinces a national ranking of that year ranks ('so với cả nước')."""
        directory = reference.unit_directory(self.reference_dir)
        day = dt.date(year, 12, 31)
        return sum(1 for v in directory.versions if v.unit_type == "province" and v.valid_on(day))


@lru_cache(maxsize=4)
def _versions(root: Path) -> dict[str, list[Methodology]]:
    found: dict[str, list[Methodology]] = {}
    for path in sorted(root.glob("*/*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        loaded = methodology.load(doc["index"], str(doc["version"]), root)
        components = tuple(Component(c.code, c.parent, c.level, c.part, c.max_score, c.name_vi)
                           for c in sorted(loaded.components.values(), key=lambda c: c.position))
        found.setdefault(loaded.index_code, []).append(
            Methodology(loaded.index_code, loaded.version, loaded.first_year, loaded.last_year, components,
                        tuple(dict.fromkeys(g.unit_type for g in loaded.unit_groups))))
    return found


def _index_rows(reference_dir: Path) -> list[dict[str, str]]:
    with (reference_dir / "indices.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=4)
def _index_names(methodology_dir: Path, reference_dir: Path) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for row in _index_rows(reference_dir):
        names.setdefault(row["index_code"], []).append(row["name_vi"])
    for code, versions in _versions(methodology_dir).items():
        for version in versions:
            total = version.component("TOTAL")
            if total:
                names.setdefault(code, []).append(total.name)
    return names


@lru_cache(maxsize=4)
def _percent_indices(reference_dir: Path) -> set[str]:
    return {row["index_code"] for row in _index_rows(reference_dir) if row["score_unit"].startswith("percent")}


@lru_cache(maxsize=4)
def _unit_names(reference_dir: Path) -> dict[str, tuple[str, str]]:
    directory = reference.unit_directory(reference_dir)
    names = {}
    for (unit_type, name), code in directory.by_name.items():
        names[name] = (unit_type, directory.name_of(unit_type, code))
    for (unit_type, alias), code in directory.aliases.items():
        try:
            names.setdefault(alias, (unit_type, directory.name_of(unit_type, code)))
        except StopIteration:       # an alias of a unit that is not in by_name (a later reform's name)
            continue
    return names
