"""Announced corrections: data/corrections/<index>/<year>.yaml.

A publisher sometimes announces a fix without re-publishing the release. Such a fix is declared
here (unit, component, the published value it replaces, the new value, why, where announced) and
applied visibly in the marts (published_score, correction_reason) and in audit.corrections. Each
entry names the old value it expects: when the current edition no longer publishes that value (the
publisher re-published, or the entry is wrong) loading fails loudly, naming the entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from psycopg2.extras import execute_values

from ingest.core import db, run_lock
from ingest.core.config import Settings
from ingest.core.errors import InputError, display_path, shown
from ingest.core.log import log
from ingest.sources import safe_yaml
from ingest.sources.packages import sha256_of
from ingest.sources.readers import parse_decimal
from ingest.sources.reference import UnitDirectory, unit_directory

REQUIRED = ("unit_name", "unit_type", "component_code", "old_score", "new_score", "reason")


@dataclass(frozen=True)
class Correction:
    position: int
    unit_code: str
    unit_name: str
    component_code: str
    old_score: Decimal
    new_score: Decimal
    reason: str
    announced_in: str | None


def corrections_path(root: Path, index_code: str, year: int) -> Path:
    """Where the corrections of an index-year live under `root` (data/corrections)."""
    return root / index_code.lower() / f"{year}.yaml"


def read(path: Path, index_code: str, year: int, units: UnitDirectory) -> list[Correction]:
    doc = safe_yaml.load(path, "corrections file") or {}
    if not isinstance(doc, dict):
        raise InputError(path, "expected a mapping with index, year and corrections")
    if doc.get("index") != index_code or doc.get("year") != year:
        raise InputError(path, f"declares {shown(doc.get('index'))} {shown(doc.get('year'))}, expected {index_code} "
                               f"{year} (from its place in data/corrections)")
    listed = doc.get("corrections") or []
    if not isinstance(listed, list):
        raise InputError(path, "'corrections' must be a list of entries", column="corrections")
    entries = []
    for position, item in enumerate(listed, start=1):
        if not isinstance(item, dict):
            raise InputError(path, f"a correction is a mapping of {', '.join(REQUIRED)}, got {shown(item)}", position)
        for key in REQUIRED:
            if item.get(key) in (None, ""):
                raise InputError(path, f"correction lacks '{key}'", position, key)
        unit_code = units.resolve(str(item["unit_type"]), str(item["unit_name"]))
        if unit_code is None:
            raise InputError(path, f"unknown {shown(item['unit_type'])} {shown(item['unit_name'])}", position,
                             "unit_name")
        entries.append(Correction(
            position, unit_code, str(item["unit_name"]), str(item["component_code"]),
            parse_decimal(str(item["old_score"]), path, position, "old_score"),
            parse_decimal(str(item["new_score"]), path, position, "new_score"),
            str(item["reason"]), item.get("announced_in")))
    return entries


def _check_against_current_edition(cur, path: Path, index_code: str, year: int, entries: list[Correction]) -> None:
    cur.execute("select release_id from raw.releases where index_code = %s and year = %s order by edition desc "
                "limit 1", (index_code, year))
    current = cur.fetchone()
    if not current:
        raise InputError(path, f"corrects {index_code} {year}, which has no release loaded")
    for entry in entries:
        cur.execute("select score from raw.component_scores where release_id = %s and unit_code = %s "
                    "and component_code = %s", (current[0], entry.unit_code, entry.component_code))
        found = cur.fetchone()
        if found is None or found[0] != entry.old_score:
            published = "nothing" if found is None else found[0]
            raise InputError(path, f"expects {entry.unit_name} / {entry.component_code} = {entry.old_score} but "
                                   f"{current[0]} publishes {published}: the publisher may have re-published it; "
                                   "check and remove this correction", entry.position, "old_score")


def load(settings: Settings, index_code: str, year: int, cur) -> int:
    """Check and land the corrections file of one index-year (in the caller's transaction)."""
    path = corrections_path(settings.corrections_dir, index_code, year)
    file_path = display_path(path)
    cur.execute("select file_sha256 from raw.correction_files where file_path = %s order by loaded_at desc limit 1",
                (file_path,))
    last = cur.fetchone()
    if not path.exists():
        if last and last[0] != "absent":   # the file was deleted: nothing is in force any more
            cur.execute("insert into raw.correction_files (file_path, file_sha256, index_code, year, entries) "
                        "values (%s, 'absent', %s, %s, 0)", (file_path, index_code, year))
            log("ingest", f"{file_path}: removed, its corrections no longer apply")
        return 0
    entries = read(path, index_code, year, unit_directory(settings.reference_dir))
    _check_against_current_edition(cur, path, index_code, year, entries)
    sha = sha256_of(path)
    if last and last[0] == sha:
        return 0
    cur.execute("insert into raw.correction_files (file_path, file_sha256, index_code, year, entries) "
                "values (%s, %s, %s, %s, %s)", (file_path, sha, index_code, year, len(entries)))
    cur.execute("select 1 from raw.announced_corrections where file_path = %s and file_sha256 = %s limit 1",
                (file_path, sha))
    if entries and not cur.fetchone():
        execute_values(cur, """
            insert into raw.announced_corrections (file_path, file_sha256, source_row, index_code, year, unit_code,
                unit_name, component_code, old_score, new_score, reason, announced_in) values %s""",
            [(file_path, sha, e.position, index_code, year, e.unit_code, e.unit_name, e.component_code, e.old_score,
              e.new_score, e.reason, e.announced_in) for e in entries])
    if entries:
        execute_values(cur, """
            insert into audit.corrections (index_code, year, unit_code, component_code, field, old_value, new_value,
                change, release_id, reason, source) values %s""",
            [(index_code, year, e.unit_code, e.component_code, "score", e.old_score, e.new_score, "announced",
              f"{index_code}/{year}", e.reason, f"{file_path} entry {e.position}") for e in entries])
    log("ingest", f"{file_path}: {len(entries)} announced correction(s) in force")
    return len(entries)


def load_all(settings: Settings, index_code: str | None, year: int | None) -> None:
    """Corrections of the selected index-years, in one transaction: all checked or none landed."""
    with db.transaction(settings.warehouse) as cur:
        run_lock.share(cur, settings, "load announced corrections")
        cur.execute("select distinct index_code, year from raw.releases where (%s::text is null or index_code = %s) "
                    "and (%s::int is null or year = %s) order by 1, 2", (index_code, index_code, year, year))
        for selected_index, selected_year in cur.fetchall():
            load(settings, selected_index, selected_year, cur)
