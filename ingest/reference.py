"""Reference data: the units a release may name (data/reference), and how names resolve to codes.

A published name resolves by the first rule that finds exactly one unit; every rule but an exact
match is a normalisation that the loader records (audit.normalisations):
  exact        the name as in data/reference
  nfc/spacing  the same after Unicode NFC (decomposed diacritics) or collapsing spaces
  case         LAI CHÂU -> Lai Châu
  prefix       Tỉnh Lai Châu, Thành phố Hà Nội, TP. Hồ Chí Minh -> without the administrative prefix
  tone         old-style tone placement (Hoà Bình -> Hòa Bình)
  alias        data/reference/unit_aliases.csv (abbreviations, names used before or after 2025)
  diacritics   Lai Chau -> Lai Châu, only when exactly one unit matches without diacritics
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest import config

PREFIX = re.compile(r"^(tỉnh|thành phố|tp\.?|ubnd tỉnh)\s+", re.IGNORECASE)
OLD_TONE_PLACEMENT = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}


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
class UnitDirectory:
    """Known units by type and published name."""

    by_name: dict[tuple[str, str], str]                       # (unit_type, normalised name) -> unit_code
    aliases: dict[tuple[str, str], str] = field(default_factory=dict)   # (unit_type, casefolded alias) -> code

    def resolve(self, unit_type: str, name: str) -> str | None:
        return self.match(unit_type, name)[0]

    def match(self, unit_type: str, name: str) -> tuple[str | None, str | None]:
        """(unit_code, rule) — rule is None for an exact match, the normalisation's name otherwise."""
        clean = normalise(name)
        code = self.by_name.get((unit_type, clean))
        if code:
            if clean == name:
                return code, None
            return code, "nfc" if unicodedata.normalize("NFC", name) != name else "spacing"
        for rule, key in (("case", str.casefold), ("tone", _tone), ("diacritics", _fold)):
            if rule == "diacritics":
                code = self.aliases.get((unit_type, clean.casefold()))
                if code:
                    return code, "alias"
            for candidate in (clean, PREFIX.sub("", clean)):
                code = self._unique(unit_type, key(candidate), key)
                if code:
                    return code, ("prefix" if candidate != clean else rule)
        return None, None

    def _unique(self, unit_type: str, wanted: str, key) -> str | None:
        found = {code for (kind, known), code in self.by_name.items() if kind == unit_type and key(known) == wanted}
        return found.pop() if len(found) == 1 else None

    def name_of(self, unit_type: str, unit_code: str) -> str:
        return next(name for (kind, name), code in self.by_name.items() if kind == unit_type and code == unit_code)

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
    aliases: dict[tuple[str, str], str] = {}
    alias_file = root / "unit_aliases.csv"
    if alias_file.exists():
        with alias_file.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                aliases[(row["unit_type"], normalise(row["alias"]).casefold())] = row["unit_code"]
    return UnitDirectory(by_name, aliases)
