"""The annual pipeline's steps: ingest → build candidate → validate → publish.

DAG tasks call these functions one by one; `govwh pipeline` runs them in a row without Airflow.
"""
from __future__ import annotations

import datetime as dt
import uuid

from ingest.core import db
from ingest.core.config import Settings
from ingest.core.log import log
from ingest.load import load
from ingest.sources import corrections, packages, plans
from ingest.wap import checks, publish, transform


def new_run_id(prefix: str = "cli") -> str:
    return f"{prefix}__{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:6]}"


def candidate_schema(pipeline_name: str) -> str:
    return transform.check_candidate_name(f"candidate__{pipeline_name}")


def ingest(settings: Settings, index_code: str | None, year: int | None, run_id: str) -> list[str]:
    """Load every release package of the selection; return the partitions to rebuild ([] = all).

    A year's facts depend on the previous year (changes), so year Y also rebuilds year Y+1 if loaded.
    """
    manifests = packages.discover(settings.releases_dir, index_code, year)
    if not manifests:
        raise FileNotFoundError(f"no release packages for index={index_code or 'any'} year={year or 'any'}")
    log("ingest", f"{len(manifests)} release package(s) for index={index_code or 'any'} year={year or 'any'}")
    for manifest in manifests:
        load.load_release(settings, manifest, run_id)
    corrections.load_all(settings, index_code, year)
    plans.load_all(settings, run_id)
    if index_code is None:
        return []
    with db.transaction(settings.warehouse) as cur:
        cur.execute("select distinct year from raw.releases where index_code = %s order by year", (index_code,))
        loaded_years = [y for (y,) in cur.fetchall()]
    years = [y for y in loaded_years if year is None or y in (year, year + 1)]
    return [f"{index_code}/{y}" for y in years]


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
