"""Airflow assets the DAGs share: a publish task emits one, data-aware DAGs are scheduled on it.

Kept light (Airflow's SDK only): DAG files import it at parse time.
"""
from __future__ import annotations

from airflow.sdk import Asset

PUBLISHED_SCORES = Asset(name="marts.fct_component_score", uri="govwh://marts/fct_component_score")

# Every asset a publish emits; the documentation DAG runs after any of them.
PUBLISHED_MARTS = [PUBLISHED_SCORES]
