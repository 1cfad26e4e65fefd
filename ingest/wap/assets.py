"""Airflow assets the DAGs share: a publish task emits one, data-aware DAGs are scheduled on them.

Kept light (Airflow's SDK only): DAG files import it at parse time.
"""
from __future__ import annotations

from airflow.sdk import Asset, AssetAny

PUBLISHED_SCORES = Asset(name="marts.fct_component_score", uri="govwh://marts/fct_component_score")
PUBLISHED_UNIT_SCORES = Asset(name="marts.fct_unit_score", uri="govwh://marts/fct_unit_score")

# Every asset a publish emits. A DAG scheduled on ANY_PUBLISH runs after any of them (a plain list of
# assets would wait for all of them).
PUBLISHED_MARTS = [PUBLISHED_SCORES, PUBLISHED_UNIT_SCORES]
ANY_PUBLISH = AssetAny(*PUBLISHED_MARTS)
