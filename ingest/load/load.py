"""Land release packages in the raw schema: all of a release in one transaction, or nothing."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from psycopg2.extras import execute_values

from ingest.core import config, db, run_lock
from ingest.core.config import Settings
from ingest.core.errors import InputError, display_path, shown
from ingest.core.faults import failpoint
from ingest.core.log import log
from ingest.load import editions, landing, withdraw
from ingest.sources import methodology, packages, readers
from ingest.sources.reference import UnitDirectory, unit_directory


@dataclass(frozen=True)
class LoadResult:
    release_id: str
    index_code: str
    year: int
    action: str          # loaded | unchanged
    rows: int


def _load_methodology(cur, method: methodology.Methodology) -> None:
    """The release's methodology file, once per content. Releases load in parallel (the DAG maps over them): a
    release that loads the same file at the same time waits here for the other's commit and then adds nothing."""
    cur.execute(
        "insert into raw.methodology_versions (index_code, methodology_version, file_sha256, file_path, "
        "first_year, last_year, previous_version) values (%s, %s, %s, %s, %s, %s, %s) on conflict do nothing "
        "returning 1",
        (method.index_code, method.version, method.sha256, display_path(method.path), method.first_year,
         method.last_year, method.previous_version),
    )
    if cur.fetchone() is None:
        return   # loaded before
    execute_values(cur, """
        insert into raw.methodology_components (index_code, methodology_version, file_sha256, source_row,
            component_code, parent_code, level, part, max_score, min_score, required, comparable_with_previous,
            name_vi, name_en, source_ref, previous_version) values %s""",
        [(method.index_code, method.version, method.sha256, c.position, c.code, c.parent, c.level, c.part,
          c.max_score, c.min_score, c.required, c.comparable_with_previous, c.name_vi, c.name_en,
          c.source_ref, method.previous_version) for c in method.components.values()])
    _load_unit_groups_and_scales(cur, method)


def _load_unit_groups_and_scales(cur, method: methodology.Methodology) -> None:
    """A province's own index: its ranked unit groups and the maxima that differ by unit type, group or unit."""
    key = (method.index_code, method.version, method.sha256)
    if method.unit_groups:
        execute_values(cur, """
            insert into raw.methodology_unit_groups (index_code, methodology_version, file_sha256, source_row,
                group_code, unit_type, unit_code, name_vi, name_en, source_ref) values %s""",
            [(*key, g.position, g.code, g.unit_type, unit, g.name_vi, g.name_en, g.source_ref)
             for g in method.unit_groups for unit in g.units])
    if method.unit_scales:
        execute_values(cur, """
            insert into raw.methodology_unit_scales (index_code, methodology_version, file_sha256, source_row,
                target_kind, target, component_code, max_score, assessed, note, source_ref) values %s""",
            [(*key, s.position, s.target_kind, s.target, s.component_code, s.max_score, s.assessed, s.note,
              s.source_ref) for s in method.unit_scales])


def check_release(settings: Settings,
                  manifest: Path) -> tuple[packages.Release, methodology.Methodology, dict[str, Path]]:
    """Everything but the data rows, checked before the database is touched (the rows are checked as they load)."""
    release = packages.read_manifest(manifest)
    paths = packages.verify_files(release)
    method = methodology.load(release.index_code, release.methodology_version, settings.methodology_dir)
    if not method.first_year <= release.year <= (method.last_year or release.year):
        raise InputError(release.path, f"methodology {method.version} applies to {method.first_year}–"
                                       f"{method.last_year or 'now'}, not to {release.year}", column="methodology_version")
    return release, method, paths


def release_rules(release: packages.Release, units: UnitDirectory) -> readers.ReleaseRules:
    """A national release holds provinces only, and ranks the provinces valid at its year's end but those it names
    under units_not_ranked: every printed rank_of is that number. (A province's own index ranks its units in
    groups; its ranks are checked by the checks of its marts.)"""
    if release.index_code == config.PROVINCIAL_INDEX:
        return readers.ReleaseRules(release.index_code)
    day = readers.year_end(release.year)
    provinces = {v.unit_code for v in units.versions if v.unit_type == "province" and v.valid_on(day)}
    not_ranked = set((units_not_ranked(release, units) or "").split(",")) - {""}
    described = f"{len(provinces)} provinces valid on {day}" + (
        f", less the {len(not_ranked)} named under units_not_ranked" if not_ranked else "")
    return readers.ReleaseRules(release.index_code, ("province",), len(provinces - not_ranked), described)


def _record_edition_changes(cur, release: packages.Release) -> int:
    """A later edition: every value that differs from the previous edition goes to audit.corrections."""
    previous = editions.previous(cur, release)
    if not previous:
        return 0
    cur.execute("""
        insert into audit.corrections (index_code, year, unit_code, component_code, field, old_value, new_value,
                                       change, release_id, previous_release_id, reason, source)
        select %(index)s, %(year)s, coalesce(new.unit_code, old.unit_code), coalesce(new.component_code, old.component_code),
               changed.field, changed.old_value, changed.new_value,
               case when old.unit_code is null then 'added' when new.unit_code is null then 'removed' else 'changed' end,
               %(release)s, %(previous)s, %(reason)s, %(source)s
        from (select * from raw.component_scores where release_id = %(release)s) as new
        full join (select * from raw.component_scores where release_id = %(previous)s) as old
            on old.unit_code = new.unit_code and old.component_code = new.component_code
        cross join lateral (values ('score', old.score, new.score), ('rank', old.rank::numeric, new.rank::numeric),
                                   ('rank_of', old.rank_of::numeric, new.rank_of::numeric))
            as changed (field, old_value, new_value)
        where changed.old_value is distinct from changed.new_value""",
        {"index": release.index_code, "year": release.year, "release": release.release_id,
         "previous": previous.release_id, "reason": release.reason, "source": display_path(release.path)})
    return cur.rowcount


def units_not_ranked(release: packages.Release, units: UnitDirectory) -> str | None:
    """The unit codes a complete release leaves out that year (release.yaml names them)."""
    codes = []
    for name in release.units_not_ranked:
        code = units.resolve_on("province", name, readers.year_end(release.year))
        if code is None:
            raise InputError(release.path, f"units_not_ranked names an unknown province {shown(name)}",
                             column="units_not_ranked")
        codes.append(code)
    return ",".join(sorted(codes)) or None


def load_release(settings: Settings, manifest: Path, run_id: str, chunk_rows: int = landing.CHUNK_ROWS) -> LoadResult:
    started = time.monotonic()
    release, method, paths = check_release(settings, manifest)
    units = unit_directory(settings.reference_dir)
    rules = release_rules(release, units)
    manifest_sha = packages.sha256_of(release.path)
    with db.transaction(settings.warehouse) as cur:
        run_lock.share(cur, settings, f"load {release.release_id}")   # no candidate is built while raw changes
        cur.execute("select pg_advisory_xact_lock(hashtext(%s))", (release.release_id,))
        cur.execute("select manifest_sha256, to_char(loaded_at, 'YYYY-MM-DD HH24:MI') from raw.releases "
                    "where release_id = %s", (release.release_id,))
        existing = cur.fetchone()
        if existing and existing[0] == manifest_sha:
            cur.execute("insert into audit.load_log (run_id, release_id, action, rows) values (%s, %s, 'unchanged', 0)",
                        (run_id, release.release_id))
            log("ingest", f"{release.release_id}: already loaded, unchanged")
            return LoadResult(release.release_id, release.index_code, release.year, "unchanged", 0)
        if existing and withdraw.is_published(cur, release.release_id):
            raise InputError(release.path, f"{release.release_id} is already loaded with different content (published; "
                                           f"loaded {existing[1]}); a corrected release is a new edition with a "
                                           f"reason. To withdraw the published one: govwh retract "
                                           f"{release.index_code} {release.year} {release.edition} --reason '...'")
        if existing:    # loaded, refused and never published: its files were replaced, so the new ones count
            withdraw.withdraw(cur, release.release_id, "discarded", "never published (its run was refused) and its "
                                                                   "files were replaced", run_id)
        cur.execute(
            "insert into raw.releases (release_id, index_code, year, edition, published_on, publisher, source, "
            "methodology_version, is_synthetic, coverage, reason, manifest_path, manifest_sha256, units_not_ranked, "
            "declared_changes) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (release.release_id, release.index_code, release.year, release.edition, release.published_on,
             release.publisher, release.source, release.methodology_version, release.is_synthetic,
             release.coverage, release.reason, display_path(release.path), manifest_sha,
             units_not_ranked(release, units), json.dumps(dict(release.changes)) if release.changes else None),
        )
        total = 0
        for item in release.files:
            rows = landing.land(cur, release, item, paths[item.name], method, units, settings.layouts_dir, chunk_rows,
                                rules)
            cur.execute("insert into raw.release_files (release_id, file_name, file_sha256, row_count, is_synthetic) "
                        "values (%s, %s, %s, %s, %s)", (release.release_id, item.name, item.sha256, rows, item.synthetic))
            total += rows
        declared = editions.check_changes(cur, release)
        changes = _record_edition_changes(cur, release)
        _load_methodology(cur, method)   # last: a release loading the same file at the same time waits only for our commit
        cur.execute("insert into audit.load_log (run_id, release_id, action, detail, rows) "
                    "values (%s, %s, 'loaded', %s, %s)", (run_id, release.release_id, declared, total))
        failpoint(settings, "ingest.before_commit")
    note = f"; {changes} value(s) differ from the previous edition (audit.corrections)" if changes else ""
    log("ingest", f"{release.release_id}: loaded {total} rows in {time.monotonic() - started:.1f}s{note}")
    return LoadResult(release.release_id, release.index_code, release.year, "loaded", total)
