"""Airflow DAG `annual_release`: a yearly index release, ingested, built, checked and published.

Write-audit-publish: dbt builds into a candidate schema, Great Expectations checks it, and only then
are the marts replaced, partition by partition, in one transaction. The DAG only orchestrates; the
logic lives in the `ingest` package, the dbt project and the GX suites. Params: index and year
(empty = every release package); rerun it after a release is corrected.
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag

from ingest.wap.assets import PUBLISHED_SCORES
from ingest.wap.wap_dag import write_audit_publish

PIPELINE = "annual_release"


@dag(
    dag_id=PIPELINE,
    schedule="@yearly",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["national-indices", "write-audit-publish"],
    params={
        "index": Param(None, type=["null", "string"], description="Index code, e.g. PAR_INDEX (empty = all)"),
        "year": Param(None, type=["null", "integer"], description="Year of the results (empty = all)"),
    },
    doc_md=__doc__,
)
def annual_release():
    write_audit_publish(PIPELINE, published=[PUBLISHED_SCORES])


annual_release()
