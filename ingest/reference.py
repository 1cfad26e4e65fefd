"""Reference data: the units a release may name (data/reference), and how names resolve to codes."""
from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest import config


def normalise(name: str) -> str:
    """NFC, single spaces: the only changes made to a published name before matching."""
    return " ".join(unicodedata.normalize("NFC", name).split())


# The 63 provinces of 2008-08-01 and the 34 of the reform of 1 July 2025 (data/reference/provinces*.csv).
PROVINCES_FROM = dt.date(2008, 8, 1)
REFORM_DAY = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class UnitVersion:
    """One version of a unit: its code and name while it was valid (valid_to empty = still valid)."""

    unit_type: str
    unit_code: str
    name: str
    valid_from: dt.date
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def validity(self) -> str:
        return f"{self.valid_from}–{self.valid_to or 'now'}"


@dataclass(frozen=True)
class UnitDirectory:
    """Known units by type and published name."""

    by_name: dict[tuple[str, str], str]   # (unit_type, normalised name) -> unit_code
    versions: tuple[UnitVersion, ...] = ()   # every dated version, for names that changed hands in 2025

    def resolve(self, unit_type: str, name: str) -> str | None:
        return self.by_name.get((unit_type, normalise(name)))

    def resolve_on(self, unit_type: str, name: str, day: dt.date) -> str | None:
        """The code of the unit of that type and name valid on `day` (a name can pass to a new code)."""
        name = normalise(name)
        return next((v.unit_code for v in self.versions
                     if v.unit_type == unit_type and v.name == name and v.valid_on(day)), None)

    def versions_named(self, unit_type: str, name: str) -> list[UnitVersion]:
        name = normalise(name)
        return [v for v in self.versions if v.unit_type == unit_type and v.name == name]

    @property
    def unit_types(self) -> set[str]:
        return {unit_type for unit_type, _ in self.by_name}


@lru_cache(maxsize=4)
def unit_directory(reference_dir: Path | None = None) -> UnitDirectory:
    root = reference_dir or config.REFERENCE_DIR
    by_name: dict[tuple[str, str], str] = {}
    with (root / "provinces.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_name[("province", normalise(row["province_vi"]))] = row["code"]
    return UnitDirectory(by_name | _local_unit_names(root), tuple(_unit_versions(root)))


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _local_unit_names(root: Path) -> dict[tuple[str, str], str]:
    """Departments, districts (and later communes) of data/reference/units.csv; their names are unique."""
    return {(row["unit_type"], normalise(row["unit_name_vi"])): row["unit_code"] for row in _rows(root / "units.csv")}


def _unit_versions(root: Path) -> list[UnitVersion]:
    last_day_before_reform = REFORM_DAY - dt.timedelta(days=1)
    versions = [UnitVersion("province", row["code"], normalise(row["province_vi"]), PROVINCES_FROM,
                            last_day_before_reform) for row in _rows(root / "provinces.csv")]
    versions += [UnitVersion("province", row["code"], normalise(row["province_vi"]), REFORM_DAY, None)
                 for row in _rows(root / "provinces_2025.csv")]
    versions += [UnitVersion(row["unit_type"], row["unit_code"], normalise(row["unit_name_vi"]),
                             dt.date.fromisoformat(row["valid_from"]),
                             dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None)
                 for row in _rows(root / "units.csv")]
    return versions
