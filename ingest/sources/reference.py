"""Reference data: the units a release may name (data/reference), and how names resolve to codes.

A published name resolves by the first rule that finds exactly one unit; every rule but an exact
match is a normalisation that the loader records (audit.normalisations):
  exact        the name as in data/reference
  nfc/spacing  the same after Unicode NFC (decomposed diacritics) or collapsing spaces
  case         LAI CHÂU -> Lai Châu
  prefix       Tỉnh Lai Châu, Thành phố Hà Nội, TP. Hồ Chí Minh -> without the administrative prefix
  tone         old-style tone placement (Hoà Bình -> Hòa Bình)
  alias        data/reference/unit_aliases.csv (abbreviations, names used before or after 2025)
  diacritics   Lai Chau -> Lai Châu: a name written without any diacritics, when exactly one unit matches it
               (a name with other diacritics, Lai Chầu, matches nothing)
With a day, only the unit versions valid on that day are candidates (a province name passed to a new
code on 1 July 2025).
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


PREFIX = re.compile(r"^(tỉnh|thành phố|tp\.?|ubnd tỉnh)\s+", re.IGNORECASE)
OLD_TONE_PLACEMENT = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
# The 63 provinces of 2008-08-01 and the 34 of the reform of 1 July 2025 (data/reference/provinces*.csv).
PROVINCES_FROM = dt.date(2008, 8, 1)
REFORM_DAY = dt.date(2025, 7, 1)


@lru_cache(maxsize=1 << 16)   # a file repeats each name for every component: normalise it once
def normalise(name: str) -> str:
    """NFC, single spaces: the only changes made to a published name before matching."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def _tone(name: str) -> str:
    text = name.casefold()
    for old, new in OLD_TONE_PLACEMENT.items():
        text = text.replace(old, new)
    return text


def _fold(name: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", name.casefold()) if not unicodedata.combining(c))
    return stripped.replace("đ", "d")


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

    by_name: dict[tuple[str, str], str]                                  # (unit_type, name) -> unit_code
    aliases: dict[tuple[str, str], str] = field(default_factory=dict)    # (unit_type, casefolded alias) -> code
    versions: tuple[UnitVersion, ...] = ()        # every dated version, for names that changed hands in 2025
    # Name tables per (unit type, day) and matches per (unit type, name, day): a national file names the same
    # few thousand units millions of times, and building a table per row would cost O(units) per row.
    _tables: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _matches: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    resolved: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)  # by readers

    def _names(self, unit_type: str, day: dt.date | None) -> dict[str, str]:
        key = (unit_type, day)
        if key not in self._tables:
            if day is None:
                table = {name: code for (kind, name), code in self.by_name.items() if kind == unit_type}
            else:
                table = {v.name: v.unit_code for v in self.versions if v.unit_type == unit_type and v.valid_on(day)}
            self._tables[key] = table
        return self._tables[key]

    def resolve(self, unit_type: str, name: str) -> str | None:
        return self.match(unit_type, name)[0]

    def resolve_on(self, unit_type: str, name: str, day: dt.date) -> str | None:
        """The code of the unit of that type and name valid on `day`."""
        return self.match(unit_type, name, day)[0]

    def match(self, unit_type: str, name: str, day: dt.date | None = None) -> tuple[str | None, str | None]:
        """(unit_code, rule) — rule is None for an exact match, the normalisation's name otherwise."""
        key = (unit_type, name, day)
        found = self._matches.get(key)
        if found is None:
            found = self._matches[key] = self._match(unit_type, name, day)
        return found

    def _match(self, unit_type: str, name: str, day: dt.date | None) -> tuple[str | None, str | None]:
        names = self._names(unit_type, day)
        clean = normalise(name)
        if clean in names:
            if clean == name:
                return names[clean], None
            return names[clean], "nfc" if unicodedata.normalize("NFC", name) != name else "spacing"
        for rule, key in (("case", str.casefold), ("tone", _tone), ("diacritics", _fold)):
            if rule == "diacritics":
                code = self.aliases.get((unit_type, clean.casefold()))
                if code and code in names.values():
                    return code, "alias"
            for candidate in (clean, PREFIX.sub("", clean)):
                if rule == "diacritics" and _fold(candidate) != candidate.casefold():
                    continue   # a name written with diacritics must have the right ones: Lai Chầu is no Lai Châu
                found = {code for known, code in names.items() if key(known) == key(candidate)}
                if len(found) == 1:
                    return found.pop(), ("prefix" if candidate != clean else rule)
        return None, None

    def name_of(self, unit_type: str, unit_code: str, day: dt.date | None = None) -> str:
        return next(name for name, code in self._names(unit_type, day).items() if code == unit_code)

    def versions_named(self, unit_type: str, name: str) -> list[UnitVersion]:
        name = normalise(name)
        return [v for v in self.versions if v.unit_type == unit_type and v.name == name]

    @property
    def unit_types(self) -> set[str]:
        return {unit_type for unit_type, _ in self.by_name}


@lru_cache(maxsize=4)
def unit_directory(root: Path) -> UnitDirectory:
    """The units of the reference folder `root` (data/reference)."""
    by_name = {("province", normalise(row["province_vi"])): row["code"] for row in _rows(root / "provinces.csv")}
    aliases = {(row["unit_type"], normalise(row["alias"]).casefold()): row["unit_code"]
               for row in _rows(root / "unit_aliases.csv")}
    return UnitDirectory(by_name | _local_unit_names(root), aliases, tuple(_unit_versions(root)))


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
