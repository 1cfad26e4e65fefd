"""Dashboards as code: write Superset's import bundle from the dashboard specs and the documented marts.

Inputs: docker/superset/dashboards/*.yaml (charts, filters, layout) and the yml beside each mart under
dbt/models/marts/ (every mart with its documented, typed columns). Output: docker/superset/bundle/, Superset's export format
(metadata.yaml, databases/, datasets/, charts/, dashboards/), committed so it can be read and reviewed.
Every mart becomes a dataset, so a new mart reaches Superset by running `govwh superset-bundle`.
docker/superset/service.py imports the bundle with the real connection URL from the environment.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import yaml

from ingest.core import config

SUPERSET_DIR = config.PROJECT_ROOT / "docker" / "superset"
SPEC_DIR = SUPERSET_DIR / "dashboards"
BUNDLE_DIR = SUPERSET_DIR / "bundle"

DATABASE_NAME = "Governance warehouse (marts)"
DATABASE_FOLDER = "governance_warehouse"
# A placeholder, never a password: service.py replaces it with SUPERSET_WAREHOUSE_URL at import.
PLACEHOLDER_URI = "postgresql://bi_reader:XXXXXXXXXX@warehouse-db:5432/governance"
EXPORT_VERSION = "1.0.0"
NAMESPACE = uuid.UUID("6f1d2c7e-3b0a-4f57-9a55-2b7f0f6f8a10")   # fixed, so uuids are stable across builds

SUPERSET_TYPES = {"text": "TEXT", "integer": "INTEGER", "bigint": "BIGINT", "numeric": "NUMERIC",
                  "boolean": "BOOLEAN", "date": "DATE", "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
                  "timestamp without time zone": "TIMESTAMP WITHOUT TIME ZONE"}
TEMPORAL_TYPES = {"date", "timestamp with time zone", "timestamp without time zone"}
VIZ_TYPES = {"table": "table", "line": "echarts_timeseries_line", "bar": "echarts_timeseries_bar"}


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def documented_marts(dbt_dir: Path) -> dict[str, dict]:
    """Every model of the yml files under the dbt project's models/marts, by name; each must list its typed,
    described columns."""
    marts = {}
    for path in sorted((dbt_dir / "models" / "marts").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            columns = model.get("columns") or []
            missing = [c["name"] for c in columns if not c.get("description") or not c.get("data_type")]
            if not model.get("description") or not columns or missing:
                raise ValueError(f"{path.name}: mart {model['name']} needs a description and a description and "
                                 f"data_type for every column (missing: {missing or 'columns'})")
            names = [c["name"] for c in columns]
            if len(set(names)) != len(names):
                raise ValueError(f"{path.name}: mart {model['name']} lists a column twice: "
                                 f"{sorted({n for n in names if names.count(n) > 1})}")
            marts[model["name"]] = model
    return marts


def database_yaml() -> dict:
    return {
        "database_name": DATABASE_NAME, "sqlalchemy_uri": PLACEHOLDER_URI, "cache_timeout": None,
        "expose_in_sqllab": True, "allow_run_async": False, "allow_ctas": False, "allow_cvas": False,
        "allow_dml": False, "allow_file_upload": False, "extra": {},
        "uuid": stable_uuid("database", DATABASE_FOLDER), "version": EXPORT_VERSION,
    }


def dataset_yaml(model: dict) -> dict:
    columns = [{
        "column_name": c["name"], "verbose_name": None, "is_dttm": c["data_type"] in TEMPORAL_TYPES,
        "is_active": True, "type": SUPERSET_TYPES.get(c["data_type"], c["data_type"].upper()),
        "advanced_data_type": None, "groupby": True, "filterable": True, "expression": None,
        "description": " ".join(c["description"].split()), "python_date_format": None, "extra": None,
    } for c in model["columns"]]
    return {
        "table_name": model["name"], "main_dttm_col": None, "description": " ".join(model["description"].split()),
        "default_endpoint": None, "offset": 0, "cache_timeout": None, "catalog": None,
        "schema": config.PUBLISHED_SCHEMA, "sql": None, "params": None, "template_params": None,
        "filter_select_enabled": True, "fetch_values_predicate": None, "extra": None, "normalize_columns": False,
        "always_filter_main_dttm": False, "uuid": stable_uuid("dataset", model["name"]),
        "metrics": [{"metric_name": "count", "verbose_name": "COUNT(*)", "metric_type": "count",
                     "expression": "COUNT(*)", "description": None, "d3format": None, "currency": None,
                     "extra": None, "warning_text": None}],
        "columns": columns, "version": EXPORT_VERSION, "database_uuid": stable_uuid("database", DATABASE_FOLDER),
    }


def _adhoc_filter(flt: dict) -> dict:
    return {"clause": "WHERE", "expressionType": "SIMPLE", "subject": flt["col"], "operator": flt["op"],
            "comparator": flt["val"], "filterOptionName": f"filter_{flt['col']}_{flt['op']}"}


def _adhoc_metric(metric: dict) -> dict:
    return {"expressionType": "SQL", "sqlExpression": metric["sql"], "label": metric["label"],
            "hasCustomLabel": True, "optionName": f"metric_{stable_uuid('metric', metric['sql'])[:8]}"}


def chart_form_data(chart: dict) -> dict:
    """Superset's form data (the chart's saved parameters) for the three chart kinds of the specs."""
    form = {"viz_type": VIZ_TYPES[chart["kind"]], "adhoc_filters": [_adhoc_filter(f) for f in chart["filters"]],
            "row_limit": chart.get("row_limit", 1000), "extra_form_data": {}, "dashboards": []}
    if chart["kind"] == "table":
        form.update({"query_mode": "raw", "all_columns": chart["columns"],
                     "order_by_cols": [json.dumps(pair) for pair in chart["order_by"]],
                     "server_pagination": False, "include_search": False, "show_cell_bars": False,
                     "table_timestamp_format": "smart_date"})
    else:
        form.update({"x_axis": chart["x"], "x_axis_sort_asc": True, "metrics": [_adhoc_metric(m) for m in chart["metrics"]],
                     "groupby": chart["series"], "show_legend": True, "legendType": "scroll",
                     "legendOrientation": "top", "rich_tooltip": True, "truncate_metric": True,
                     "y_axis_title": chart.get("y_axis_title", ""), "y_axis_title_position": "Left",
                     "y_axis_title_margin": 30, "x_axis_title_margin": 15, "color_scheme": "supersetColors",
                     "xAxisForceCategorical": True})   # years and codes are categories, not a continuous axis
        if chart["kind"] == "line":
            form.update({"markerEnabled": True, "markerSize": 6})
    return form


def chart_query(chart: dict) -> dict:
    """The query of the chart's query context: what the chart data API runs for the saved chart."""
    filters = [{k: v for k, v in f.items() if v is not None} for f in chart["filters"]]   # IS NULL takes no value
    query = {"filters": filters, "extras": {"having": "", "where": ""}, "applied_time_extras": {},
             "annotation_layers": [], "row_limit": chart.get("row_limit", 1000), "series_limit": 0,
             "order_desc": True, "url_params": {}, "custom_params": {}, "custom_form_data": {}, "post_processing": []}
    if chart["kind"] == "table":
        query.update({"columns": chart["columns"], "orderby": chart["order_by"]})
    else:
        metrics = [_adhoc_metric(m) for m in chart["metrics"]]
        query.update({"columns": [chart["x"], *chart["series"]], "metrics": metrics, "series_columns": chart["series"],
                      "orderby": [[chart["x"], True]]})
    return query


def chart_yaml(key: str, chart: dict, marts: dict[str, dict]) -> dict:
    if chart["dataset"] not in marts:
        raise ValueError(f"chart {key}: no documented mart {chart['dataset']!r} in the dbt project's models/marts")
    known = {c["name"] for c in marts[chart["dataset"]]["columns"]}
    used = {f["col"] for f in chart["filters"]} | set(chart.get("columns", [])) | {c for c, _ in chart.get("order_by", [])}
    used |= {chart["x"], *chart["series"]} if chart["kind"] != "table" else set()
    if used - known:
        raise ValueError(f"chart {key}: columns {sorted(used - known)} are not documented in mart {chart['dataset']}")
    form = chart_form_data(chart)
    context = {"datasource": {"id": 0, "type": "table"}, "force": False, "queries": [chart_query(chart)],
               "form_data": form, "result_format": "json", "result_type": "full"}
    return {
        "slice_name": chart["title"], "description": " ".join(chart.get("description", "").split()) or None,
        "certified_by": None, "certification_details": None, "viz_type": form["viz_type"], "params": form,
        "query_context": json.dumps(context, ensure_ascii=False), "cache_timeout": None,
        "uuid": stable_uuid("chart", key), "version": EXPORT_VERSION,
        "dataset_uuid": stable_uuid("dataset", chart["dataset"]),
    }


def _native_filter(spec: dict) -> dict:
    default = spec.get("default")
    mask = {"extraFormData": {}, "filterState": {}, "ownState": {}}
    if default is not None:
        mask["extraFormData"] = {"filters": [{"col": spec["column"], "op": "IN", "val": [default]}]}
        mask["filterState"] = {"value": [default]}
    return {
        "id": f"NATIVE_FILTER-{spec['key']}", "name": spec["name"], "filterType": "filter_select",
        "type": "NATIVE_FILTER", "description": "", "cascadeParentIds": [],
        "targets": [{"column": {"name": spec["column"]}, "datasetUuid": stable_uuid("dataset", spec["dataset"])}],
        "controlValues": {"enableEmptyFilter": default is not None, "defaultToFirstItem": False,
                          "multiSelect": bool(spec.get("multi")), "searchAllOptions": False, "inverseSelection": False},
        "defaultDataMask": mask, "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
    }


def dashboard_yaml(spec: dict, charts: dict[str, dict]) -> dict:
    """The dashboard: a header, rows of charts and markdown notes, native filters (layout from the spec)."""
    position: dict = {"DASHBOARD_VERSION_KEY": "v2",
                      "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
                      "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
                      "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": spec["title"]}}}
    chart_ids = {key: number for number, key in enumerate(charts, start=1)}
    for row_number, row in enumerate(spec["layout"], start=1):
        row_id = f"ROW-{row_number}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {"type": "ROW", "id": row_id, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                            "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        for cell in row:
            size = {"width": cell["width"], "height": cell["height"]}
            if "chart" in cell:
                key = cell["chart"]
                node_id, node = f"CHART-{key}", {"type": "CHART", "meta": {
                    **size, "chartId": chart_ids[key], "uuid": charts[key]["uuid"], "sliceName": charts[key]["slice_name"]}}
            else:
                node_id, node = f"MARKDOWN-{cell['note']}", {"type": "MARKDOWN", "meta": {
                    **size, "code": spec["notes"][cell["note"]]}}
            position[row_id]["children"].append(node_id)
            position[node_id] = {**node, "id": node_id, "children": [], "parents": ["ROOT_ID", "GRID_ID", row_id]}
    return {
        "dashboard_title": spec["title"], "description": " ".join(spec["description"].split()), "css": "",
        "slug": spec["slug"], "certified_by": "", "certification_details": "", "published": True,
        "uuid": stable_uuid("dashboard", spec["uuid_seed"]), "position": position,
        "metadata": {"native_filter_configuration": [_native_filter(f) for f in spec.get("filters", [])],
                     "color_scheme": "supersetColors", "refresh_frequency": 0, "expanded_slices": {},
                     "label_colors": {}, "timed_refresh_immune_slices": [], "cross_filters_enabled": False,
                     "default_filters": "{}", "chart_configuration": {}},
        "version": EXPORT_VERSION,
    }


def dashboard_specs() -> dict[str, dict]:
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(SPEC_DIR.glob("*.yaml"))}


def render(dbt_dir: Path) -> dict[str, dict]:
    """Every file of the bundle (relative path → content), computed from the specs and the marts' docs."""
    marts = documented_marts(dbt_dir)
    files = {"metadata.yaml": {"version": EXPORT_VERSION, "type": "Dashboard", "timestamp": "1970-01-01T00:00:00+00:00"},
             f"databases/{DATABASE_FOLDER}.yaml": database_yaml()}
    for name, model in marts.items():
        files[f"datasets/{DATABASE_FOLDER}/{name}.yaml"] = dataset_yaml(model)
    for spec in dashboard_specs().values():
        charts = {key: chart_yaml(key, chart, marts) for key, chart in spec["charts"].items()}
        for key, chart in charts.items():
            files[f"charts/{key}.yaml"] = chart
        files[f"dashboards/{spec['slug']}.yaml"] = dashboard_yaml(spec, charts)
    return files


def dump(content: dict) -> str:
    return yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=110)


def write(dbt_dir: Path, target: Path = BUNDLE_DIR) -> list[Path]:
    """Rewrite the bundle folder (files no longer produced are removed)."""
    files = render(dbt_dir)
    for old in target.rglob("*.yaml"):
        if str(old.relative_to(target)) not in files:
            old.unlink()
    written = []
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(content), encoding="utf-8")
        written.append(path)
    return written


def stale_files(dbt_dir: Path, target: Path = BUNDLE_DIR) -> list[str]:
    """Files of the committed bundle that differ from what the specs and docs produce now."""
    files = render(dbt_dir)
    present = {str(p.relative_to(target)) for p in target.rglob("*.yaml")}
    stale = [rel for rel, content in files.items()
             if not (target / rel).exists() or (target / rel).read_text(encoding="utf-8") != dump(content)]
    return sorted(stale + sorted(present - set(files)))
