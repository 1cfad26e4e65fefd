"""Airflow DAG `unit_scores_quarterly`: the province's own index of its departments and districts.

The provincial scoring is delivered in steps through the year (the units' self-assessment, the appraisal
council's points and the survey, then the final results); each delivery is a new edition of the release
package data/releases/provincial_par/<year>/<edition>/. This DAG runs the same write-audit-publish tasks as
`annual_release` (ingest → dbt candidate → Great Expectations → publish) for index PROVINCIAL_PAR: the marts
show the latest edition of each score kind and marts.fct_unit_score_history keeps every edition.
Param: year (empty = every year with packages).
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag

from ingest.wap.assets import PUBLISHED_UNIT_SCORES
from ingest.wap.wap_dag import write_audit_publish

PIPELINE = "unit_scores_quarterly"


@dag(
    dag_id=PIPELINE,
    schedule="@quarterly",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["provincial-index", "write-audit-publish"],
    params={
        "year": Param(None, type=["null", "integer"], description="Year of the results (empty = all)"),
    },
    doc_md=__doc__,
)
def unit_scores_quarterly():
    write_audit_publish(PIPELINE, published=[PUBLISHED_UNIT_SCORES], index_code="PROVINCIAL_PAR")


unit_scores_quarterly()
