"""The write-audit-publish tasks the release DAGs share: ingest → build candidate → validate → publish.

A DAG file calls `write_audit_publish(...)` inside its @dag function. Each task body builds its settings once
(task_settings), calls into `ingest` and imports it only when the task runs, so parsing a DAG file stays light
(no database, dbt or GX).

Ingest is mapped over the selection's index-year groups of release packages (dynamic task mapping): groups are
independent, so they load in parallel on as many executor slots or Celery workers as there are; each release loads
in its own transaction. Then one task loads announced corrections and plans, and one dbt build, one checkpoint and
one publish follow. Every task that uses the warehouse takes it from the Airflow connection `governance_warehouse`
when it is defined (wap/airflow_warehouse.py), in the settings it passes down.
"""
from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, task

from ingest.core.config import Settings

DB_RETRIES = {"retries": 2, "retry_delay": timedelta(seconds=20)}


def _fail_without_retry(exc: Exception):
    from airflow.exceptions import AirflowFailException

    return AirflowFailException(str(exc))


def task_settings(warehouse: bool = True) -> Settings:
    """A task's settings, built once where the task runs from its environment (every task of every DAG uses this).

    With `warehouse` (a task that uses it), the warehouse is the Airflow connection's when one is defined, and it is
    checked by connecting once: settings that are wrong (or a privileged role) fail the task without retries, a
    server that does not answer is retried."""
    settings = Settings.from_environment()
    if not warehouse:
        return settings
    from ingest.wap.airflow_warehouse import WarehouseConnectionError, connected

    try:
        return connected(settings)
    except WarehouseConnectionError as exc:
        if exc.permanent:
            raise _fail_without_retry(exc) from exc
        raise


def write_audit_publish(pipeline_name: str, published: list[Asset], index_code: str | None = None):
    """The tasks in a row. `index_code` fixes the index; otherwise the run's `index` param chooses it."""

    @task(**DB_RETRIES)
    def list_releases(params=None) -> list[str]:
        from ingest.core.errors import InputError
        from ingest.wap import pipeline

        try:   # files only: no warehouse yet
            return pipeline.release_groups(task_settings(warehouse=False), index_code or params.get("index"),
                                           params.get("year"))
        except (InputError, FileNotFoundError) as exc:   # bad input: retrying cannot help
            raise _fail_without_retry(exc) from exc

    @task(map_index_template="{{ task.op_kwargs['group'] }}", **DB_RETRIES)
    def ingest_release(group: str, run_id=None) -> list[str]:
        from ingest.core.errors import InputError
        from ingest.wap import pipeline

        settings = task_settings()
        try:
            return pipeline.ingest_group(settings, group, run_id)
        except InputError as exc:
            raise _fail_without_retry(exc) from exc

    @task(**DB_RETRIES)
    def finish_ingest(loaded: list, params=None, run_id=None) -> list[str]:
        from ingest.core.errors import InputError
        from ingest.wap import pipeline

        settings = task_settings()
        try:
            return pipeline.finish_ingest(settings, index_code or params.get("index"), params.get("year"), run_id)
        except InputError as exc:
            raise _fail_without_retry(exc) from exc

    @task(**DB_RETRIES)
    def build_candidate(partitions: list[str]) -> list[str]:
        from ingest.wap import pipeline, transform

        transform.build_candidate(task_settings(), pipeline.candidate_schema(pipeline_name), partitions)
        return partitions

    @task(**DB_RETRIES)
    def validate_candidate(partitions: list[str], run_id=None) -> list[str]:
        from ingest.wap import checks, pipeline

        settings = task_settings()
        try:
            checks.validate_candidate(settings, pipeline.candidate_schema(pipeline_name), run_id,
                                      checks.suites_for(partitions))
        except checks.BlockingCheckFailed as exc:
            raise _fail_without_retry(exc) from exc
        return partitions

    @task(outlets=published, **DB_RETRIES)
    def publish_marts(partitions: list[str], run_id=None) -> None:
        from ingest.wap import pipeline, publish

        publish.publish(task_settings(), pipeline.candidate_schema(pipeline_name), partitions, run_id)

    loaded = ingest_release.expand(group=list_releases())
    return publish_marts(validate_candidate(build_candidate(finish_ingest(loaded))))
