"""A later edition against the one it corrects: what it may change only by saying why.

A correction changes values. If it also changes the release's coverage (complete ↔ partial), the units it holds
or its methodology version, the marts change far more than a few values (a complete release turned partial drops
most provinces of the year), so release.yaml must declare it with the reason:

    changes:
      coverage: "VCCI re-published the top 30 only (Công văn 12/VCCI, 2022-03-01)"

An undeclared change refuses the edition (a declared one that the edition does not make is only noted). A declared change is kept in
raw.releases.declared_changes and audit.load_log; the checks of the marts apply as to any release (a complete
release still needs every province).
"""
from __future__ import annotations

from typing import NamedTuple

from ingest.core.errors import InputError, shown
from ingest.sources import packages

UNITS_OF = ("select unit_code, min(unit_name), min(source_file), min(source_row) from ("
            "select unit_code, unit_name, source_file, source_row from raw.component_scores where release_id = %(r)s "
            "union all select unit_code, unit_name, source_file, source_row from raw.unit_scores "
            "where release_id = %(r)s) as rows group by unit_code")


class Previous(NamedTuple):
    release_id: str
    edition: int
    coverage: str
    methodology_version: str


def previous(cur, release: packages.Release) -> Previous | None:
    """The latest edition of the release's index and year loaded before it."""
    cur.execute("select release_id, edition, coverage, methodology_version from raw.releases where index_code = %s "
                "and year = %s and edition < %s order by edition desc limit 1",
                (release.index_code, release.year, release.edition))
    found = cur.fetchone()
    return Previous(*found) if found else None


def _units(cur, release_id: str) -> dict[str, tuple[str, str, int]]:
    cur.execute(UNITS_OF, {"r": release_id})
    return {code: (name, source_file, row) for code, name, source_file, row in cur.fetchall()}


def _unit_change(cur, release: packages.Release, before: Previous) -> str | None:
    new, old = _units(cur, release.release_id), _units(cur, before.release_id)
    added, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
    if not added and not removed:
        return None
    parts = []
    if added:
        name, source_file, row = new[added[0]]
        parts.append(f"{len(added)} unit(s) added, e.g. {shown(name)} ({source_file.rsplit('/', 1)[-1]} row {row})")
    if removed:
        parts.append(f"{len(removed)} unit(s) left out, e.g. {shown(old[removed[0]][0])}")
    return "; ".join(parts)


def check_changes(cur, release: packages.Release) -> str | None:
    """Refuse an undeclared change of coverage, units or methodology against the previous edition (and a declared
    change that did not happen); the text recorded in audit.load_log, or None when nothing is declared."""
    declared = dict(release.changes)
    before = previous(cur, release)
    if before is None:
        return "declared changes (no earlier edition loaded): " + "; ".join(
            f"{what}: {why}" for what, why in declared.items()) if declared else None
    actual = {}
    if before.coverage != release.coverage:
        actual["coverage"] = f"coverage {before.coverage} → {release.coverage}"
    if before.methodology_version != release.methodology_version:
        actual["methodology_version"] = f"methodology {before.methodology_version} → {release.methodology_version}"
    units = _unit_change(cur, release, before)
    if units:
        actual["units"] = units
    for what, detail in actual.items():
        if what not in declared:
            raise InputError(release.path, f"edition {release.edition} changes {what} from edition {before.edition} "
                                           f"({detail}) without saying why; a correction that changes its coverage, "
                                           f"units or methodology declares it: changes: {{{what}: <why>}}",
                             column="changes")
    # A declared change that is not one (the edition before already had it) is harmless: noted as such.
    return "; ".join(f"{actual.get(what, what + ' as in edition ' + str(before.edition))} ({why})"
                     for what, why in declared.items()) or None
