"""The Superset bundle (dashboards as code) is what the specs and the marts' docs produce, in the import
format Superset accepts (rules learned: database `extra`, chartId + uuid in the layout, listed dataset
columns, a query context per chart), and each dashboard has a dbt exposure."""
from __future__ import annotations

import json

import pytest
import yaml

from ingest.core import config
from ingest.local import superset_bundle
from tests.conftest import BUNDLED

pytestmark = pytest.mark.unit

BUNDLE = superset_bundle.BUNDLE_DIR


def _load(relative: str) -> dict:
    return yaml.safe_load((BUNDLE / relative).read_text(encoding="utf-8"))


def test_committed_bundle_is_up_to_date():
    assert superset_bundle.stale_files(BUNDLED.dbt_dir) == [], "run `make superset-bundle` and commit docker/superset/bundle/"


def test_every_documented_mart_is_a_dataset_with_its_columns():
    marts = superset_bundle.documented_marts(BUNDLED.dbt_dir)
    datasets = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (BUNDLE / "datasets").rglob("*.yaml")}
    assert set(datasets) == set(marts)
    for name, dataset in datasets.items():
        assert dataset["schema"] == config.PUBLISHED_SCHEMA and dataset["table_name"] == name
        assert [c["column_name"] for c in dataset["columns"]] == [c["name"] for c in marts[name]["columns"]]
        assert all(c["description"] for c in dataset["columns"])
    year = next(c for c in datasets["v_component_score"]["columns"] if c["column_name"] == "year")
    assert year["type"] == "INTEGER" and year["is_dttm"] is False


def test_database_is_a_placeholder_without_secrets():
    (database,) = [yaml.safe_load(p.read_text()) for p in (BUNDLE / "databases").glob("*.yaml")]
    assert database["extra"] == {} and database["allow_dml"] is False
    assert database["sqlalchemy_uri"] == "postgresql://bi_reader:XXXXXXXXXX@warehouse-db:5432/governance"


def test_dashboard_layout_links_every_chart_by_id_and_uuid():
    charts = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (BUNDLE / "charts").glob("*.yaml")}
    dashboard = _load("dashboards/province-overview.yaml")
    nodes = [n for n in dashboard["position"].values() if isinstance(n, dict) and n.get("type") == "CHART"]
    assert sorted(n["meta"]["uuid"] for n in nodes) == sorted(c["uuid"] for c in charts.values())
    assert len({n["meta"]["chartId"] for n in nodes}) == len(nodes)
    for chart in charts.values():
        context = json.loads(chart["query_context"])
        assert context["form_data"]["viz_type"] == chart["viz_type"] and context["queries"][0]["filters"]
    (province,) = [f for f in dashboard["metadata"]["native_filter_configuration"] if f["id"] == "NATIVE_FILTER-province"]
    assert province["defaultDataMask"]["filterState"] == {"value": ["Lai Châu"]}


def test_each_dashboard_has_an_exposure_naming_the_marts_it_reads():
    exposures = yaml.safe_load((BUNDLED.dbt_dir / "models/marts/_marts__exposures.yml").read_text(encoding="utf-8"))
    for spec in superset_bundle.dashboard_specs().values():
        (exposure,) = [e for e in exposures["exposures"] if e["url"].endswith(f"/superset/dashboard/{spec['slug']}/")]
        read = {c["dataset"] for c in spec["charts"].values()} | {f["dataset"] for f in spec.get("filters", [])}
        assert sorted(exposure["depends_on"]) == sorted(f"ref('{name}')" for name in read)


def test_a_chart_on_an_undocumented_column_is_refused():
    marts = superset_bundle.documented_marts(BUNDLED.dbt_dir)
    chart = {"title": "t", "kind": "table", "dataset": "v_component_score", "filters": [],
             "columns": ["year", "rank_in_the_world"], "order_by": []}
    with pytest.raises(ValueError, match=r"\['rank_in_the_world'\] are not documented in mart v_component_score"):
        superset_bundle.chart_yaml("x", chart, marts)
    with pytest.raises(ValueError, match="no documented mart 'fct_not_documented'"):
        superset_bundle.chart_yaml("x", {**chart, "dataset": "fct_not_documented"}, marts)


def test_filter_scopes_the_latest_year_and_the_map():
    """The filter bar: the province filter leaves the national ranking and map alone, the year filter selects the
    latest year of the chosen index before the charts load, the region filter applies to the ranking only."""
    dashboard = _load("dashboards/province-overview.yaml")
    ids = {n["meta"]["uuid"]: n["meta"]["chartId"] for n in dashboard["position"].values()
           if isinstance(n, dict) and n.get("type") == "CHART"}
    charts = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (BUNDLE / "charts").glob("*.yaml")}
    chart_id = {key: ids[chart["uuid"]] for key, chart in charts.items()}
    filters = {f["id"].removeprefix("NATIVE_FILTER-"): f for f in dashboard["metadata"]["native_filter_configuration"]}
    assert {chart_id["province_ranking"], chart_id["province_map"]} <= set(filters["province"]["scope"]["excluded"])
    year = filters["year"]
    assert year["requiredFirst"] and year["controlValues"]["defaultToFirstItem"]
    assert year["controlValues"]["sortAscending"] is False and year["cascadeParentIds"] == ["NATIVE_FILTER-index"]
    assert chart_id["kpi_score"] not in year["scope"]["excluded"] and chart_id["rank_history"] in year["scope"]["excluded"]
    assert set(chart_id.values()) - set(filters["region"]["scope"]["excluded"]) == {chart_id["province_ranking"]}
    assert "color_scheme" not in dashboard["metadata"]        # it would colour the map by category, not by score
    map_form = charts["province_map"]["params"]
    assert (map_form["viz_type"], map_form["select_country"], map_form["entity"]) == ("country_map", "vietnam",
                                                                                      "iso_3166_2")
    assert charts["rank_history"]["params"]["echartOptions"] == "{ yAxis: { inverse: true, min: 1 } }"


def test_a_filter_scoped_to_an_unknown_chart_is_refused():
    spec = {"key": "year", "name": "Năm", "dataset": "v_component_score", "column": "year", "only": ["no_such_chart"]}
    with pytest.raises(ValueError, match=r"filter year: no charts \['no_such_chart'\]"):
        superset_bundle._native_filter(spec, {"kpi_score": 1})
