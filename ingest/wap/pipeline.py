"""The annual pipeline's steps: ingest → build candidate → validate → publish.

DAG tasks call these functions one by one; `govwh pipeline` runs them in a row without Airflow, holding the
warehouse's run lock (core/run_lock.py) from the build to the publish. Each run builds into a candidate schema of
its own (wap/candidates.py); a candidate that went stale before its publish (another run loaded or published in
between) is rebuilt and checked again under the lock, never published as it was.
"""
from __future__ import annotations

import csv
import datetime as dt
import uuid

from ingest.core import db, run_lock
from ingest.core.config import Settings
from ingest.core.errors import InputError, shown
from ingest.core.log import log
from ingest.load import load, withdraw
from ingest.sources import corrections, packages, plans
from ingest.wap import candidates, checks, publish, transform


def new_run_id(prefix: str = "cli") -> str:
    return f"{prefix}__{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:6]}"


def candidate_schema(pipeline_name: str, run_id: str | None = None) -> str:
    return candidates.schema_of(pipeline_name, run_id)


def known_indices(settings: Settings) -> list[str]:
    """The index codes of data/reference/indices.csv."""
    path = settings.reference_dir / "indices.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["index_code"] for row in csv.DictReader(handle)]


def selected_index(settings: Settings, index_code) -> str | None:
    """The index a run asks for: None (every index) or a code of data/reference/indices.csv. A code written in
    another case (par_index) is read as the code, with a note; anything else is refused: an index that selects
    nothing must never turn into a run of every index."""
    if index_code is None:
        return None
    known = known_indices(settings)
    if isinstance(index_code, str) and index_code in known:
        return index_code
    matches = [code for code in known if isinstance(index_code, str) and code.casefold() == index_code.casefold()]
    if len(matches) == 1:
        log("ingest", f"index {index_code!r} read as {matches[0]} (index codes are upper case)")
        return matches[0]
    raise InputError(settings.reference_dir / "indices.csv",
                     f"unknown index {shown(index_code)}: the indices are {', '.join(known)}")


def selected_year(settings: Settings, year) -> int | None:
    if year is None:
        return None
    if isinstance(year, bool) or not isinstance(year, int) or not packages.YEARS[0] <= year <= packages.YEARS[1]:
        raise InputError(settings.releases_dir, f"year {shown(year)} is not a year between {packages.YEARS[0]} and "
                                                f"{packages.YEARS[1]}")
    return year


def release_groups(settings: Settings, index_code: str | None, year: int | None) -> list[str]:
    """The release packages of the selection, grouped by index and year ("PAR_INDEX/2024"). A group's editions load
    in order (a later edition is compared with the earlier one); groups are independent and may load in parallel."""
    index_code, year = selected_index(settings, index_code), selected_year(settings, year)
    manifests = packages.discover(settings.releases_dir, index_code, year)
    if not manifests:
        raise InputError(settings.releases_dir, f"no release packages for index={index_code or 'any'} "
                                                f"year={year or 'any'} (data/releases/<index>/<year>/<edition>/"
                                                "release.yaml)")
    groups = list(dict.fromkeys(f"{m.parent.parent.parent.name.upper()}/{m.parent.parent.name}" for m in manifests))
    log("ingest", f"{len(manifests)} release package(s) in {len(groups)} index-year group(s) for "
                  f"index={index_code or 'any'} year={year or 'any'}")
    return groups


def ingest_group(settings: Settings, group: str, run_id: str) -> list[str]:
    """Load the editions of one index-year group ("PAR_INDEX/2024"), in edition order, each in its own transaction."""
    index_code, year = group.split("/")
    return [load.load_release(settings, manifest, run_id).action
            for manifest in packages.discover(settings.releases_dir, index_code, int(year))]


def _partitions(settings: Settings, index_code: str | None, year: int | None) -> list[str]:
    """The loaded partitions of the selection; a year also rebuilds the next year (its changes depend on it)."""
    with db.transaction(settings.warehouse) as cur:
        cur.execute("select distinct index_code, year from raw.releases where (%(i)s::text is null or index_code = %(i)s)"
                    " and (%(y)s::int is null or year in (%(y)s, %(y)s + 1)) order by 1, 2", {"i": index_code, "y": year})
        return [f"{index}/{loaded}" for index, loaded in cur.fetchall()]


def finish_ingest(settings: Settings, index_code: str | None, year: int | None, run_id: str) -> list[str]:
    """After the releases: unpublished releases whose packages are gone are discarded, announced corrections and plans
    load; returns the partitions to rebuild ([] = all, only when neither index nor year was asked for)."""
    index_code, year = selected_index(settings, index_code), selected_year(settings, year)
    with db.transaction(settings.warehouse) as cur:
        run_lock.share(cur, settings, "discard removed packages")
        withdraw.discard_vanished(cur, settings.releases_dir, run_id)
    corrections.load_all(settings, index_code, year)
    plans.load_all(settings, run_id)
    if index_code is None and year is None:
        return []
    partitions = _partitions(settings, index_code, year)
    if not partitions:
        raise InputError(settings.releases_dir, f"no release of index={index_code or 'any'} year={year or 'any'} is "
                                                "loaded: nothing to rebuild")
    return partitions


def ingest(settings: Settings, index_code: str | None, year: int | None, run_id: str) -> list[str]:
    """Load every release package of the selection; return the partitions to rebuild ([] = all)."""
    for group in release_groups(settings, index_code, year):
        ingest_group(settings, group, run_id)
    return finish_ingest(settings, index_code, year, run_id)


def _build(settings: Settings, pipeline_name: str, partitions: list[str], run_id: str) -> None:
    """Under the run lock: drop the pipeline's earlier candidates, build this run's."""
    schema = candidate_schema(pipeline_name, run_id)
    for dropped in candidates.drop_earlier(settings.warehouse, pipeline_name, keep=schema):
        log("dbt", f"dropped the earlier candidate {dropped}")
    transform.build_candidate(settings, schema, partitions, run_id)


def build(settings: Settings, pipeline_name: str, partitions: list[str], run_id: str) -> None:
    """The build step alone (an Airflow task): holds the run lock while dbt builds."""
    with run_lock.exclusive(settings, run_id, "build"):
        _build(settings, pipeline_name, partitions, run_id)


def validate(settings: Settings, pipeline_name: str, partitions: list[str], run_id: str) -> None:
    """The checks on the run's candidate (its own schema: no lock needed)."""
    checks.validate_candidate(settings, candidate_schema(pipeline_name, run_id), run_id, checks.suites_for(partitions))


def _publish_fresh(settings: Settings, pipeline_name: str, partitions: list[str], run_id: str) -> int:
    """Under the run lock: publish the candidate; a stale one is rebuilt and checked first."""
    try:
        return publish.publish(settings, candidate_schema(pipeline_name, run_id), partitions, run_id)
    except candidates.StaleCandidate as stale:
        log("publish", f"{stale}: rebuilt and checked again before it is published")
    _build(settings, pipeline_name, partitions, run_id)
    validate(settings, pipeline_name, partitions, run_id)
    return publish.publish(settings, candidate_schema(pipeline_name, run_id), partitions, run_id)


def publish_marts(settings: Settings, pipeline_name: str, partitions: list[str], run_id: str) -> int:
    """The publish step alone (an Airflow task): holds the run lock; rebuilds a candidate that went stale."""
    with run_lock.exclusive(settings, run_id, "publish"):
        return _publish_fresh(settings, pipeline_name, partitions, run_id)


def build_check_publish(settings: Settings, pipeline_name: str, partitions: list[str], run_id: str) -> None:
    """Build, check and publish while holding the run lock throughout (the command line, a retraction)."""
    with run_lock.exclusive(settings, run_id, "build, check and publish"):
        _build(settings, pipeline_name, partitions, run_id)
        validate(settings, pipeline_name, partitions, run_id)
        _publish_fresh(settings, pipeline_name, partitions, run_id)


def run_all(settings: Settings, index_code: str | None = None, year: int | None = None,
            pipeline_name: str = "cli") -> str:
    """The whole pipeline in this process; returns its run id."""
    run_id = new_run_id(pipeline_name)
    partitions = ingest(settings, index_code, year, run_id)
    build_check_publish(settings, pipeline_name, partitions, run_id)
    return run_id


def retract(settings: Settings, index_code: str, year: int, edition: int, reason: str,
            pipeline_name: str = "cli") -> str:
    """Withdraw a loaded edition (recorded in audit.withdrawals with the reason) and publish its partition again
    without it. Its package must be gone from data/releases (or replaced): else the next run would load it again."""
    index_code, year = selected_index(settings, index_code), selected_year(settings, year)
    if not (reason or "").strip():
        raise InputError(settings.releases_dir, "a retraction says why: --reason '...'")
    release_id = f"{index_code}/{year}/{edition}"
    manifest = packages.release_folder(settings.releases_dir, index_code, year, edition) / "release.yaml"
    run_id = new_run_id(pipeline_name)
    with db.transaction(settings.warehouse) as cur:
        run_lock.share(cur, settings, f"retract {release_id}")
        cur.execute("select manifest_sha256 from raw.releases where release_id = %s", (release_id,))
        loaded = cur.fetchone()
        if loaded is None:
            raise InputError(settings.releases_dir, f"{release_id} is not loaded: nothing to retract")
        if manifest.is_file() and packages.sha256_of(manifest) == loaded[0]:
            raise InputError(manifest, f"{release_id} is still in data/releases: move its folder out first, or the "
                                       "next run loads it again; then retract")
        kind = "retracted" if withdraw.is_published(cur, release_id) else "discarded"
        withdraw.withdraw(cur, release_id, kind, reason.strip(), run_id)
    partitions = [f"{index_code}/{year}"] + [p for p in _partitions(settings, index_code, year + 1)
                                             if p == f"{index_code}/{year + 1}"]
    build_check_publish(settings, pipeline_name, partitions, run_id)
    return run_id
