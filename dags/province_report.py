"""Airflow DAG `province_report`: after each publish, write the province's analysis report from the marts.

Data-aware: it runs whenever a publish task emits the asset `marts.fct_component_score` (annual_release).
It writes the Vietnamese report (HTML and DOCX) of the unit, index and year in its params (default: Lai
Châu, PAR_INDEX, the latest published year) into .state/reports/. Orchestration only: the report is
ingest/province_report.py.
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, task

from ingest.assets import PUBLISHED_SCORES
from ingest.wap_dag import DB_RETRIES, warehouse_task


@dag(
    dag_id="province_report",
    schedule=[PUBLISHED_SCORES],
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["reports"],
    params={
        "unit": Param("Lai Châu", type="string", description="Unit name as in the marts (e.g. Lai Châu)"),
        "index": Param("PAR_INDEX", type="string", description="Index code"),
        "year": Param(None, type=["null", "integer"], description="Year of the results (empty = latest published)"),
    },
    doc_md=__doc__,
)
def province_report():
    @task(**DB_RETRIES)
    def write_report(params=None) -> list[str]:
        from ingest import province_report

        with warehouse_task():
            paths = province_report.write(params["unit"], params["index"], params.get("year"))
        return [str(path) for path in paths]

    write_report()


province_report()
