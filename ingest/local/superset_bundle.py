"""Dashboards as code: write Superset's import bundle from the dashboard specs and the documented marts.

Inputs: docker/superset/dashboards/*.yaml (charts, filters, layout) and the yml beside each mart under
dbt/models/marts/ (every mart with its documented, typed columns). Output: docker/superset/bundle/, Superset's export format
(metadata.yaml, databases/, datasets/, charts/, dashboards/), committed so it can be read and reviewed.
Every mart becomes a dataset, so a new mart reaches Superset by running `govwh superset-bundle`.
docker/superset/service.py imports the bundle with the real connection URL from the environment.
"""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from ingest.core import config
from ingest.local import superset_charts
from ingest.local.superset_charts import stable_uuid

SUPERSET_DIR = config.PROJECT_ROOT / "docker" / "superset"
SPEC_DIR = SUPERSET_DIR / "dashboards"
BUNDLE_DIR = SUPERSET_DIR / "bundle"

DATABASE_NAME = "Governance warehouse (marts)"
DATABASE_FOLDER = "governance_warehouse"
# A placeholder, never a password: service.py replaces it with SUPERSET_WAREHOUSE_URL at import.
PLACEHOLDER_URI = "postgresql://bi_reader:XXXXXXXXXX@warehouse-db:5432/governance"
EXPORT_VERSION = "1.0.0"

SUPERSET_TYPES = {"text": "TEXT", "integer": "INTEGER", "bigint": "BIGINT", "numeric": "NUMERIC",
                  "boolean": "BOOLEAN", "date": "DATE", "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
                  "timestamp without time zone": "TIMESTAMP WITHOUT TIME ZONE"}
TEMPORAL_TYPES = {"date", "timestamp with time zone", "timestamp without time zone"}


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


def chart_yaml(key: str, chart: dict, marts: dict[str, dict]) -> dict:
    if chart["dataset"] not in marts:
        raise ValueError(f"chart {key}: no documented mart {chart['dataset']!r} in the dbt project's models/marts")
    known = {c["name"] for c in marts[chart["dataset"]]["columns"]}
    used = superset_charts.columns_used(chart)
    if used - known:
        raise ValueError(f"chart {key}: columns {sorted(used - known)} are not documented in mart {chart['dataset']}")
    form = superset_charts.form_data(chart)
    context = {"datasource": {"id": 0, "type": "table"}, "force": False, "queries": [superset_charts.query(chart)],
               "form_data": form, "result_format": "json", "result_type": "full"}
    return {
        "slice_name": chart["title"], "description": " ".join(chart.get("description", "").split()) or None,
        "certified_by": None, "certification_details": None, "viz_type": form["viz_type"], "params": form,
        "query_context": json.dumps(context, ensure_ascii=False), "cache_timeout": None,
        "uuid": stable_uuid("chart", key), "version": EXPORT_VERSION,
        "dataset_uuid": stable_uuid("dataset", chart["dataset"]),
    }


def _native_filter(spec: dict, chart_ids: dict[str, int]) -> dict:
    """A select filter of the filter bar. `default` selects a value; `latest` the first of the values sorted in
    descending order (the latest year); `cascade_from` offers only the values left by another filter; `only` or
    `exclude` name the charts it applies to (by default every chart whose dataset has the column)."""
    default = spec.get("default")
    mask = {"extraFormData": {}, "filterState": {}, "ownState": {}}
    if default is not None:
        mask["extraFormData"] = {"filters": [{"col": spec["column"], "op": "IN", "val": [default]}]}
        mask["filterState"] = {"value": [default]}
    unknown = (set(spec.get("only", [])) | set(spec.get("exclude", []))) - set(chart_ids)
    if unknown:
        raise ValueError(f"filter {spec['key']}: no charts {sorted(unknown)} on the dashboard")
    excluded = [chart_ids[key] for key in chart_ids
                if key in spec.get("exclude", []) or ("only" in spec and key not in spec["only"])]
    return {
        "id": f"NATIVE_FILTER-{spec['key']}", "name": spec["name"], "filterType": "filter_select",
        "type": "NATIVE_FILTER", "description": spec.get("description", ""),
        "cascadeParentIds": [f"NATIVE_FILTER-{spec['cascade_from']}"] if spec.get("cascade_from") else [],
        "targets": [{"column": {"name": spec["column"]}, "datasetUuid": stable_uuid("dataset", spec["dataset"])}],
        "controlValues": {"enableEmptyFilter": default is not None or bool(spec.get("latest")),
                          "defaultToFirstItem": bool(spec.get("latest")), "sortAscending": not spec.get("latest"),
                          "multiSelect": bool(spec.get("multi")), "searchAllOptions": False, "inverseSelection": False},
        "defaultDataMask": mask, "scope": {"rootPath": ["ROOT_ID"], "excluded": excluded},
        # Applied before the charts load (without it the first value is only shown, not applied).
        **({"requiredFirst": True} if spec.get("latest") else {}),
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
        "metadata": {"native_filter_configuration": [_native_filter(f, chart_ids) for f in spec.get("filters", [])],
                     # No dashboard colour scheme: it would override the map's sequential scale with categories.
                     "refresh_frequency": 0, "expanded_slices": {},
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
