"""The write-audit-publish tasks the release DAGs share: ingest → build candidate → validate → publish.

A DAG file calls `write_audit_publish(...)` inside its @dag function. Each task body calls into `ingest`
and imports it only when the task runs, so parsing a DAG file stays light (no database, dbt or GX).

Ingest is mapped over the selection's index-year groups of release packages (dynamic task mapping): groups are
independent, so they load in parallel on as many executor slots or Celery workers as there are; each release loads
in its own transaction. Then one task loads announced corrections and plans, and one dbt build, one checkpoint and
one publish follow. Every task uses the warehouse of the Airflow connection `governance_warehouse` when it is
defined (ingest/airflow_warehouse.py).
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from airflow.sdk import Asset, task

DB_RETRIES = {"retries": 2, "retry_delay": timedelta(seconds=20)}


def _fail_without_retry(exc: Exception):
    from airflow.exceptions import AirflowFailException

    return AirflowFailException(str(exc))


@contextmanager
def warehouse_task():
    """The task's warehouse (the connection, else WAREHOUSE_URL); settings that are wrong fail without retries."""
    from ingest.airflow_warehouse import WarehouseConnectionError, task_warehouse

    try:
        with task_warehouse() as wh:
            yield wh
    except WarehouseConnectionError as exc:
        if exc.permanent:
            raise _fail_without_retry(exc) from exc
        raise


def write_audit_publish(pipeline_name: str, published: list[Asset], index_code: str | None = None):
    """The tasks in a row. `index_code` fixes the index; otherwise the run's `index` param chooses it."""

    @task(**DB_RETRIES)
    def list_releases(params=None) -> list[str]:
        from ingest import pipeline
        from ingest.errors import InputError

        try:
            return pipeline.release_groups(index_code or params.get("index"), params.get("year"))
        except (InputError, FileNotFoundError) as exc:   # bad input: retrying cannot help
            raise _fail_without_retry(exc) from exc

    @task(map_index_template="{{ task.op_kwargs['group'] }}", **DB_RETRIES)
    def ingest_release(group: str, run_id=None) -> list[str]:
        from ingest import pipeline
        from ingest.errors import InputError

        with warehouse_task():
            try:
                return pipeline.ingest_group(group, run_id)
            except InputError as exc:
                raise _fail_without_retry(exc) from exc

    @task(**DB_RETRIES)
    def finish_ingest(loaded: list, params=None, run_id=None) -> list[str]:
        from ingest import pipeline
        from ingest.errors import InputError

        with warehouse_task():
            try:
                return pipeline.finish_ingest(index_code or params.get("index"), params.get("year"), run_id)
            except InputError as exc:
                raise _fail_without_retry(exc) from exc

    @task(**DB_RETRIES)
    def build_candidate(partitions: list[str]) -> list[str]:
        from ingest import pipeline, transform

        with warehouse_task():
            transform.build_candidate(pipeline.candidate_schema(pipeline_name), partitions)
        return partitions

    @task(**DB_RETRIES)
    def validate_candidate(partitions: list[str], run_id=None) -> list[str]:
        from ingest import checks, pipeline

        with warehouse_task():
            try:
                checks.validate_candidate(pipeline.candidate_schema(pipeline_name), run_id,
                                          checks.suites_for(partitions))
            except checks.BlockingCheckFailed as exc:
                raise _fail_without_retry(exc) from exc
        return partitions

    @task(outlets=published, **DB_RETRIES)
    def publish_marts(partitions: list[str], run_id=None) -> None:
        from ingest import pipeline, publish

        with warehouse_task():
            publish.publish(pipeline.candidate_schema(pipeline_name), partitions, run_id)

    loaded = ingest_release.expand(group=list_releases())
    return publish_marts(validate_candidate(build_candidate(finish_ingest(loaded))))
