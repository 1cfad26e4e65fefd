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

from contextlib import contextmanager
from datetime import timedelta

from airflow.sdk import Asset, task

from ingest.core.config import Settings

DB_RETRIES = {"retries": 2, "retry_delay": timedelta(seconds=20)}


def _fail_without_retry(exc: Exception):
    from airflow.exceptions import AirflowFailException

    return AirflowFailException(str(exc))


@contextmanager
def refusals_fail_the_task():
    """One error path: a refusal (core/errors.Refusal: bad input, a blocking check, the run lock, the warehouse
    down) fails the task with the very message the command line prints, also written as a progress line (which
    `govwh run-dag` echoes); bad input and failed checks are not retried, a busy lock or a server that does not
    answer is. Anything else is a bug and keeps its traceback."""
    import psycopg2

    from ingest.core.errors import Refusal, unreachable
    from ingest.core.log import log

    try:
        yield
    except Refusal as exc:
        log("error", str(exc))
        if exc.retryable:
            from airflow.exceptions import AirflowException

            raise AirflowException(str(exc)) from None
        raise _fail_without_retry(exc) from None
    except psycopg2.OperationalError as exc:
        message = str(unreachable(Settings.from_environment().warehouse, str(exc)))
        log("error", message)
        raise RuntimeError(message) from None


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

    def chosen(params) -> str | None:
        return index_code if index_code is not None else (params or {}).get("index")

    @task(**DB_RETRIES)
    def list_releases(params=None) -> list[str]:
        from ingest.wap import pipeline

        with refusals_fail_the_task():   # files only: no warehouse yet
            return pipeline.release_groups(task_settings(warehouse=False), chosen(params), params.get("year"))

    @task(map_index_template="{{ task.op_kwargs['group'] }}", **DB_RETRIES)
    def ingest_release(group: str, run_id=None) -> list[str]:
        from ingest.wap import pipeline

        settings = task_settings()
        with refusals_fail_the_task():
            return pipeline.ingest_group(settings, group, run_id)

    @task(**DB_RETRIES)
    def finish_ingest(loaded: list, params=None, run_id=None) -> list[str]:
        from ingest.wap import pipeline

        settings = task_settings()
        with refusals_fail_the_task():
            return pipeline.finish_ingest(settings, chosen(params), params.get("year"), run_id)

    @task(**DB_RETRIES)
    def build_candidate(partitions: list[str], run_id=None) -> list[str]:
        from ingest.wap import pipeline

        settings = task_settings()
        with refusals_fail_the_task():
            pipeline.build(settings, pipeline_name, partitions, run_id)
        return partitions

    @task(**DB_RETRIES)
    def validate_candidate(partitions: list[str], run_id=None) -> list[str]:
        from ingest.wap import pipeline

        settings = task_settings()
        with refusals_fail_the_task():
            pipeline.validate(settings, pipeline_name, partitions, run_id)
        return partitions

    @task(outlets=published, **DB_RETRIES)
    def publish_marts(partitions: list[str], run_id=None) -> None:
        from ingest.wap import pipeline

        settings = task_settings()
        with refusals_fail_the_task():
            pipeline.publish_marts(settings, pipeline_name, partitions, run_id)

    loaded = ingest_release.expand(group=list_releases())
    return publish_marts(validate_candidate(build_candidate(finish_ingest(loaded))))
