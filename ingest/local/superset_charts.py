"""Superset's saved parameters (form data) and query context of each chart kind of the dashboard specs.

Kinds: table (raw rows), line and bar (x axis, metrics, one series per value of `series`; `stack`, `horizontal`,
and `echart_options` merged into ECharts' options, e.g. an inverted rank axis), kpi (one big number) and map (Superset's
country map: one value per ISO 3166-2 code). The query context is what the chart data API runs for the saved chart;
the map is a legacy chart whose page asks /superset/explore_json/ with the form data instead, for the same query.
"""
from __future__ import annotations

import json
import uuid

NAMESPACE = uuid.UUID("6f1d2c7e-3b0a-4f57-9a55-2b7f0f6f8a10")   # fixed, so uuids are stable across builds
VIZ_TYPES = {"table": "table", "line": "echarts_timeseries_line", "bar": "echarts_timeseries_bar",
             "kpi": "big_number_total", "map": "country_map"}


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def adhoc_filter(flt: dict) -> dict:
    return {"clause": "WHERE", "expressionType": "SIMPLE", "subject": flt["col"], "operator": flt["op"],
            "comparator": flt["val"], "filterOptionName": f"filter_{flt['col']}_{flt['op']}"}


def adhoc_metric(metric: dict) -> dict:
    return {"expressionType": "SQL", "sqlExpression": metric["sql"], "label": metric["label"],
            "hasCustomLabel": True, "optionName": f"metric_{stable_uuid('metric', metric['sql'])[:8]}"}


def columns_used(chart: dict) -> set[str]:
    """The dataset columns a chart names (each must be documented in its mart)."""
    used = {f["col"] for f in chart["filters"]} | set(chart.get("columns", [])) | {c for c, _ in chart.get("order_by", [])}
    if chart["kind"] in ("line", "bar"):
        used |= {chart["x"], *chart["series"]}
    if chart["kind"] == "map":
        used.add(chart["entity"])
    return used


def _series_form(chart: dict) -> dict:
    form = {"x_axis": chart["x"], "x_axis_sort_asc": True, "metrics": [adhoc_metric(m) for m in chart["metrics"]],
            "groupby": chart["series"], "show_legend": True, "legendType": "scroll", "legendOrientation": "top",
            "rich_tooltip": True, "truncate_metric": True, "y_axis_title": chart.get("y_axis_title", ""),
            "y_axis_title_position": "Left", "y_axis_title_margin": 30, "x_axis_title_margin": 15,
            "color_scheme": "supersetColors",
            "xAxisForceCategorical": True}   # years and codes are categories, not a continuous axis
    if chart["kind"] == "line":
        form.update({"markerEnabled": True, "markerSize": 6})
    if chart.get("stack"):
        form["stack"] = "Stack"
    if chart.get("horizontal"):   # long category names (departments) read on the vertical axis
        form.update({"orientation": "horizontal", "x_axis_sort_series": "sum", "x_axis_sort_series_ascending": True})
    if chart.get("echart_options"):
        form["echartOptions"] = chart["echart_options"]   # a JavaScript object literal Superset merges into ECharts'
    return form


def form_data(chart: dict) -> dict:
    """Superset's form data (the chart's saved parameters)."""
    form = {"viz_type": VIZ_TYPES[chart["kind"]], "adhoc_filters": [adhoc_filter(f) for f in chart["filters"]],
            "row_limit": chart.get("row_limit", 1000), "extra_form_data": {}, "dashboards": []}
    kind = chart["kind"]
    if kind == "table":
        form.update({"query_mode": "raw", "all_columns": chart["columns"],
                     "order_by_cols": [json.dumps(pair) for pair in chart["order_by"]],
                     "server_pagination": False, "include_search": False, "show_cell_bars": False,
                     "table_timestamp_format": "smart_date"})
    elif kind == "kpi":
        (metric,) = chart["metrics"]
        form.update({"metric": adhoc_metric(metric), "y_axis_format": chart.get("number_format", "SMART_NUMBER"),
                     "subtitle": chart.get("subtitle", ""), "header_font_size": 0.3, "subtitle_font_size": 0.125,
                     "time_format": "smart_date"})
    elif kind == "map":
        (metric,) = chart["metrics"]
        form.update({"select_country": chart["country"], "entity": chart["entity"], "metric": adhoc_metric(metric),
                     "linear_color_scheme": chart.get("color_scheme", "superset_seq_1"),
                     "number_format": chart.get("number_format", "SMART_NUMBER")})
    else:
        form.update(_series_form(chart))
    return form


def query(chart: dict) -> dict:
    """The query of the chart's query context: what the chart data API runs for the saved chart."""
    filters = [{k: v for k, v in f.items() if v is not None} for f in chart["filters"]]   # IS NULL takes no value
    built = {"filters": filters, "extras": {"having": "", "where": ""}, "applied_time_extras": {},
             "annotation_layers": [], "row_limit": chart.get("row_limit", 1000), "series_limit": 0,
             "order_desc": True, "url_params": {}, "custom_params": {}, "custom_form_data": {}, "post_processing": []}
    metrics = [adhoc_metric(m) for m in chart.get("metrics", [])]
    kind = chart["kind"]
    if kind == "table":
        built.update({"columns": chart["columns"], "orderby": chart["order_by"]})
    elif kind == "kpi":
        built.update({"columns": [], "metrics": metrics})
    elif kind == "map":
        built.update({"columns": [chart["entity"]], "metrics": metrics})
    else:
        built.update({"columns": [chart["x"], *chart["series"]], "metrics": metrics,
                      "series_columns": chart["series"], "orderby": [[chart["x"], True]]})
    return built
