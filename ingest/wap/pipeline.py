"""The annual pipeline's steps: ingest → build candidate → validate → publish.

DAG tasks call these functions one by one; `govwh pipeline` runs them in a row without Airflow.
"""
from __future__ import annotations

import csv
import datetime as dt
import uuid

from ingest.core import db
from ingest.core.config import Settings
from ingest.core.errors import InputError
from ingest.core.log import log
from ingest.load import load
from ingest.sources import corrections, packages, plans
from ingest.wap import checks, publish, transform


def new_run_id(prefix: str = "cli") -> str:
    return f"{prefix}__{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:6]}"


def candidate_schema(pipeline_name: str) -> str:
    return transform.check_candidate_name(f"candidate__{pipeline_name}")


def known_indices(settings: Settings) -> list[str]:
    """The index codes of data/reference/indices.csv."""
    path = settings.reference_dir / "indices.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["index_code"] for row in csv.DictReader(handle)]


def release_groups(settings: Settings, index_code: str | None, year: int | None) -> list[str]:
    """The release packages of the selection, grouped by index and year ("PAR_INDEX/2024"). A group's editions load
    in order (a later edition is compared with the earlier one); groups are independent and may load in parallel."""
    if index_code is not None and index_code not in known_indices(settings):
        raise InputError(settings.reference_dir / "indices.csv",
                         f"unknown index {index_code!r}: the indices are {', '.join(known_indices(settings))}")
    manifests = packages.discover(settings.releases_dir, index_code, year)
    if not manifests:
        raise FileNotFoundError(f"no release packages for index={index_code or 'any'} year={year or 'any'}")
    groups = list(dict.fromkeys(f"{m.parent.parent.parent.name.upper()}/{m.parent.parent.name}" for m in manifests))
    log("ingest", f"{len(manifests)} release package(s) in {len(groups)} index-year group(s) for "
                  f"index={index_code or 'any'} year={year or 'any'}")
    return groups


def ingest_group(settings: Settings, group: str, run_id: str) -> list[str]:
    """Load the editions of one index-year group ("PAR_INDEX/2024"), in edition order, each in its own transaction."""
    index_code, year = group.split("/")
    return [load.load_release(settings, manifest, run_id).action
            for manifest in packages.discover(settings.releases_dir, index_code, int(year))]


def finish_ingest(settings: Settings, index_code: str | None, year: int | None, run_id: str) -> list[str]:
    """After the releases: announced corrections and plans; returns the partitions to rebuild ([] = all).

    A year's facts depend on the previous year (changes), so year Y also rebuilds year Y+1 if loaded.
    """
    corrections.load_all(settings, index_code, year)
    plans.load_all(settings, run_id)
    if index_code is None:
        return []
    with db.transaction(settings.warehouse) as cur:
        cur.execute("select distinct year from raw.releases where index_code = %s order by year", (index_code,))
        loaded_years = [y for (y,) in cur.fetchall()]
    years = [y for y in loaded_years if year is None or y in (year, year + 1)]
    return [f"{index_code}/{y}" for y in years]


def ingest(settings: Settings, index_code: str | None, year: int | None, run_id: str) -> list[str]:
    """Load every release package of the selection; return the partitions to rebuild ([] = all)."""
    for group in release_groups(settings, index_code, year):
        ingest_group(settings, group, run_id)
    return finish_ingest(settings, index_code, year, run_id)


def run_all(settings: Settings, index_code: str | None = None, year: int | None = None,
            pipeline_name: str = "cli") -> str:
    """The whole pipeline in this process; returns its run id."""
    run_id = new_run_id(pipeline_name)
    schema = candidate_schema(pipeline_name)
    partitions = ingest(settings, index_code, year, run_id)
    transform.build_candidate(settings, schema, partitions)
    checks.validate_candidate(settings, schema, run_id, checks.suites_for(partitions))
    publish.publish(settings, schema, partitions, run_id)
    return run_id
