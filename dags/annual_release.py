"""Airflow DAG `annual_release`: a yearly index release, ingested, built, checked and published.

Write-audit-publish: dbt builds into a candidate schema, Great Expectations checks it, and only then
are the marts replaced, partition by partition, in one transaction. The DAG only orchestrates; the
logic lives in the `ingest` package, the dbt project and the GX suites. Params: index and year
(empty = every release package); rerun it after a release is corrected.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task

from ingest.assets import PUBLISHED_SCORES

PIPELINE = "annual_release"
DB_RETRIES = {"retries": 2, "retry_delay": timedelta(seconds=20)}


def _fail_without_retry(exc: Exception):
    from airflow.exceptions import AirflowFailException

    return AirflowFailException(str(exc))


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
    @task(**DB_RETRIES)
    def ingest_releases(params=None, run_id=None) -> list[str]:
        from ingest import pipeline
        from ingest.errors import InputError

        try:
            return pipeline.ingest(params.get("index"), params.get("year"), run_id)
        except (InputError, FileNotFoundError) as exc:   # bad input: retrying cannot help
            raise _fail_without_retry(exc) from exc

    @task(**DB_RETRIES)
    def build_candidate(partitions: list[str]) -> list[str]:
        from ingest import pipeline, transform

        transform.build_candidate(pipeline.candidate_schema(PIPELINE), partitions)
        return partitions

    @task(**DB_RETRIES)
    def validate_candidate(partitions: list[str], run_id=None) -> list[str]:
        from ingest import checks, pipeline

        try:
            checks.validate_candidate(pipeline.candidate_schema(PIPELINE), run_id)
        except checks.BlockingCheckFailed as exc:
            raise _fail_without_retry(exc) from exc
        return partitions

    @task(outlets=[PUBLISHED_SCORES], **DB_RETRIES)
    def publish_marts(partitions: list[str], run_id=None) -> None:
        from ingest import pipeline, publish

        publish.publish(pipeline.candidate_schema(PIPELINE), partitions, run_id)

    publish_marts(validate_candidate(build_candidate(ingest_releases())))


annual_release()
