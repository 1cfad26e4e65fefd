"""Reference data: the units a release may name (data/reference), and how names resolve to codes."""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest import config


def normalise(name: str) -> str:
    """NFC, single spaces: the only changes made to a published name before matching."""
    return " ".join(unicodedata.normalize("NFC", name).split())


@dataclass(frozen=True)
class UnitDirectory:
    """Known units by type and published name."""

    by_name: dict[tuple[str, str], str]   # (unit_type, normalised name) -> unit_code

    def resolve(self, unit_type: str, name: str) -> str | None:
        return self.by_name.get((unit_type, normalise(name)))

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
    return UnitDirectory(by_name)
