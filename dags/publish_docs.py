"""Airflow DAG `publish_docs`: after every publish, regenerate the documentation site.

Data-aware: it runs when any publish task emits one of the published-marts assets. `dbt docs generate`
reads the catalog of the published schema, and the Great Expectations Data Docs of the checks that
let the marts through are copied next to it (see ingest/docs.py). Orchestration only.
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

from ingest.assets import ANY_PUBLISH
from ingest.wap_dag import DB_RETRIES, warehouse_task


@dag(
    dag_id="publish_docs",
    schedule=ANY_PUBLISH,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["docs"],
    doc_md=__doc__,
)
def publish_docs():
    @task(**DB_RETRIES)
    def build_docs() -> str:
        from ingest import docs

        with warehouse_task():
            return str(docs.build())

    build_docs()


publish_docs()
