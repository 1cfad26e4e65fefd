"""The write-audit-publish tasks the release DAGs share: ingest → build candidate → validate → publish.

A DAG file calls `write_audit_publish(...)` inside its @dag function. Each task body builds its settings
(task_settings), calls into `ingest` and imports it only when the task runs, so parsing a DAG file stays light
(no database, dbt or GX).
"""
from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, task

from ingest.core.config import Settings

DB_RETRIES = {"retries": 2, "retry_delay": timedelta(seconds=20)}


def task_settings() -> Settings:
    """A task's settings, built where the task runs from its environment (every task of every DAG uses this)."""
    return Settings.from_environment()


def _fail_without_retry(exc: Exception):
    from airflow.exceptions import AirflowFailException

    return AirflowFailException(str(exc))


def write_audit_publish(pipeline_name: str, published: list[Asset], index_code: str | None = None):
    """The four tasks in a row. `index_code` fixes the index; otherwise the run's `index` param chooses it."""

    @task(**DB_RETRIES)
    def ingest_releases(params=None, run_id=None) -> list[str]:
        from ingest.core.errors import InputError
        from ingest.wap import pipeline

        try:
            return pipeline.ingest(task_settings(), index_code or params.get("index"), params.get("year"), run_id)
        except (InputError, FileNotFoundError) as exc:   # bad input: retrying cannot help
            raise _fail_without_retry(exc) from exc

    @task(**DB_RETRIES)
    def build_candidate(partitions: list[str]) -> list[str]:
        from ingest.wap import pipeline, transform

        transform.build_candidate(task_settings(), pipeline.candidate_schema(pipeline_name), partitions)
        return partitions

    @task(**DB_RETRIES)
    def validate_candidate(partitions: list[str], run_id=None) -> list[str]:
        from ingest.wap import checks, pipeline

        try:
            checks.validate_candidate(task_settings(), pipeline.candidate_schema(pipeline_name), run_id,
                                      checks.suites_for(partitions))
        except checks.BlockingCheckFailed as exc:
            raise _fail_without_retry(exc) from exc
        return partitions

    @task(outlets=published, **DB_RETRIES)
    def publish_marts(partitions: list[str], run_id=None) -> None:
        from ingest.wap import pipeline, publish

        publish.publish(task_settings(), pipeline.candidate_schema(pipeline_name), partitions, run_id)

    return publish_marts(validate_candidate(build_candidate(ingest_releases())))
