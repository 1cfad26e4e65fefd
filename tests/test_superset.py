"""A real Apache Superset 6.1.0 (its own venv) on the published marts, prepared by the same service script
as the docker compose deployment: the starter dashboard is imported, its charts return the marts' values
through the read-only role, and the dashboard renders in headless Chromium."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
import yaml

from ingest.local import superset_bundle, superset_local
from tests.browser import free_port
from tests.conftest import BUNDLED, query

pytestmark = [pytest.mark.db, pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not superset_local.installed(),
                                 reason="Superset is not installed in .venv-superset: `make superset-venv` (make test does)")]

SCREENSHOT = BUNDLED.state_dir / "screenshots" / "province-overview.png"


class Superset:
    """Superset's REST API as the admin user."""

    def __init__(self, base: str, env: dict[str, str]):
        self.base, self.env = base, env
        self.session = requests.Session()
        reply = self.session.post(f"{base}/api/v1/security/login", json={
            "username": env["SUPERSET_ADMIN_USER"], "password": env["SUPERSET_ADMIN_PASSWORD"], "provider": "db"})
        reply.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {reply.json()['access_token']}"

    def get(self, path: str) -> dict:
        reply = self.session.get(f"{self.base}{path}", timeout=60)
        reply.raise_for_status()
        return reply.json()

    def post(self, path: str, payload: dict, csrf: bool = False) -> requests.Response:
        headers = {"Referer": self.base}
        if csrf:
            headers["X-CSRFToken"] = self.get("/api/v1/security/csrf_token/")["result"]
        return self.session.post(f"{self.base}{path}", json=payload, headers=headers, timeout=120)


@pytest.fixture(scope="module")
def superset(published_db, tmp_path_factory):
    home = tmp_path_factory.mktemp("superset_home")
    env = superset_local.service_env(home, free_port(), superset_local.bi_reader_url(published_db))
    env["SUPERSET_WORKERS"] = "2"   # as in docker/compose.yaml: the caches must be shared by the workers
    superset_local.init(env)
    proc = superset_local.start(env, home / "gunicorn.log")
    try:
        yield Superset(f"http://{env['SUPERSET_BIND']}", env)
    finally:
        superset_local.stop(proc)


def _dashboard_filters(chart_key: str, year: int) -> list[dict]:
    """The filter bar's defaults that apply to a chart, as the dashboard applies them (the spec's scopes); the year
    filter selects the latest year, given here."""
    applied = []
    for spec in superset_bundle.dashboard_specs()["province_overview"]["filters"]:
        if chart_key in spec.get("exclude", []) or ("only" in spec and chart_key not in spec["only"]):
            continue
        value = year if spec.get("latest") else spec.get("default")
        if value is not None:
            applied.append({"col": spec["column"], "op": "IN", "val": [value]})
    return applied


def _chart_ids(client: Superset) -> dict[str, int]:
    """The dashboard's charts by their key in the spec (matched on the title)."""
    titles = {chart["title"]: key for key, chart in superset_bundle.dashboard_specs()["province_overview"]["charts"].items()}
    return {titles[c["slice_name"]]: c["id"] for c in client.get("/api/v1/dashboard/province-overview/charts")["result"]}


def _chart_rows(client: Superset, chart_key: str, extra: tuple[dict, ...] = (), year: int = 2024) -> list[dict]:
    """Run a saved chart's query context with the dashboard's default filters (and `extra` ones)."""
    chart_id = _chart_ids(client)[chart_key]
    context = json.loads(client.get(f"/api/v1/chart/{chart_id}")["result"]["query_context"])
    context["queries"][0]["filters"].extend([*_dashboard_filters(chart_key, year), *extra])
    reply = client.post("/api/v1/chart/data", context)
    assert reply.status_code == 200, reply.text
    return reply.json()["result"][0]["data"]


def test_starter_dashboard_and_every_mart_are_loaded(superset):
    dashboard = superset.get("/api/v1/dashboard/province-overview")["result"]
    assert dashboard["dashboard_title"] == "Tổng quan chỉ số quản trị của tỉnh (province overview)"
    charts = superset.get("/api/v1/dashboard/province-overview/charts")["result"]
    assert len(charts) == len(list((superset_bundle.BUNDLE_DIR / "charts").glob("*.yaml"))) == 15
    datasets = superset.get("/api/v1/dataset/?q=(page_size:100)")["result"]
    assert {d["table_name"] for d in datasets} == set(superset_bundle.documented_marts(BUNDLED.dbt_dir))
    (database,) = superset.get("/api/v1/database/")["result"]
    assert database["database_name"] == superset_bundle.DATABASE_NAME and not database["allow_dml"]
    notes = json.dumps(json.loads(dashboard["position_json"]), ensure_ascii=False)
    assert "oming" not in notes                                    # targets and owners ship: no "coming" note


def test_charts_return_the_values_of_the_marts(superset, published_db):
    kpis = [_chart_rows(superset, key)[0] for key in ("kpi_score", "kpi_rank", "kpi_score_change", "kpi_rank_change")]
    assert [next(iter(row.values())) for row in kpis] == [85.97, 56, 0.19, -7]

    ranking = _chart_rows(superset, "province_ranking")
    assert len(ranking) == 63 and [r["rank"] for r in ranking] == sorted(r["rank"] for r in ranking)
    (own,) = [r for r in ranking if r["unit_name"] == "Lai Châu"]
    assert (own["score"], own["rank"], own["region_rank"], own["region_rank_of"]) == (85.97, 56, 12, 14)
    assert (ranking[0]["unit_name"], ranking[0]["score"], ranking[0]["is_synthetic"]) == ("Hải Phòng", 96.17, False)
    region = _chart_rows(superset, "province_ranking",
                         extra=({"col": "region_name", "op": "IN", "val": ["Trung du và miền núi phía Bắc"]},))
    assert len(region) == 14 and [r["region_rank"] for r in region].index(12) == [r["unit_name"] for r in region].index("Lai Châu")

    scores = {r["iso_3166_2"]: r["Điểm (score)"] for r in _chart_rows(superset, "province_map")}
    assert len(scores) == 63 and scores["VN-01"] == 85.97 and scores["VN-HP"] == 96.17

    ranks = {(r["index_code"], r["year"]): r["Thứ hạng (rank)"] for r in _chart_rows(superset, "rank_history")}
    assert {key: rank for key, rank in ranks.items() if key[1] in (2023, 2024) and key[0] == "PAR_INDEX"} == {
        ("PAR_INDEX", 2023): 49, ("PAR_INDEX", 2024): 56}
    assert (ranks[("PAPI", 2024)], ranks[("PCI", 2019)], ranks[("SIPAS", 2024)]) == (31, 63, 55)

    pct = {(r["component_code"], r["year"]): r["% điểm tối đa (% of max)"] for r in _chart_rows(superset, "fields_pct_of_max")}
    assert pct[("1", 2024)] == 99.05 and pct[("6", 2024)] == 77.92

    lost = {(r["component_code"], r["year"]): r["Điểm bị mất (lost points)"] for r in _chart_rows(superset, "lost_points")}
    assert lost[("5.4", 2024)] == 1.0 and lost[("1.1", 2024)] == 0.0   # 5.4: 0.5 of 1.5

    targets = {(r["component_code"], r["metric"]): r for r in _chart_rows(superset, "targets_and_verdicts")}
    total = targets[("TOTAL", "pct_of_max_min")]
    assert (total["target_printed"], total["actual_value"], total["verdict"]) == ("Đạt từ 86% điểm trở lên", 85.97, "Không đạt")
    assert {plan for plan in (r["plan_id"] for r in targets.values())} == {"kh_2205_2024"}   # the 2024 plan only

    (need,) = query(published_db, "select target_rank, threshold_score, points_needed from marts.fct_points_needed "
                                  "where plan_id = 'kh_2205_2024' and component_code = 'TOTAL'")
    points = {r["component_code"]: r for r in _chart_rows(superset, "points_needed")}
    assert (points["TOTAL"]["target_rank"], points["TOTAL"]["rank"], points["TOTAL"]["score"]) == (46, 56, 85.97)
    assert (points["TOTAL"]["threshold_score"], points["TOTAL"]["points_needed"]) == (float(need[1]), float(need[2]))

    home_affairs = {r["component_code"]: r["Điểm bị mất (points lost)"] for r in _chart_rows(superset, "points_by_department")
                    if r["lead_department_name"] == "Sở Nội vụ"}
    assert home_affairs == {"1.6": 0.08, "4.1": 0.71, "5.2": 0.21, "5.3": 0.25, "5.4": 1.0, "5.5": 0.3, "5.7": 0.94}

    gaps = {r["unit_name"]: r["Chênh lệch tự chấm − thẩm định (gap)"] for r in _chart_rows(superset, "self_vs_appraised")}
    expected = dict(query(published_db, "select unit_name, gap from marts.fct_unit_score_gap where component_code = 'TD'"))
    assert gaps == {name: float(gap) for name, gap in expected.items()} and len(gaps) == 28

    # The province's own index: no province column, so the dashboard's province filter does not apply.
    owners = _chart_rows(superset, "lost_points_by_owner")
    assert (owners[0]["owner_unit_name"], owners[0]["total_score"], owners[0]["total_points_lost"]) == \
        ("Sở Văn hóa, Thể thao và Du lịch", 68.85, 31.15)   # 15th of 15 departments in 2023 (report L301)


def test_the_rank_axis_puts_rank_1_at_the_top(superset):
    params = superset.get(f"/api/v1/chart/{_chart_ids(superset)['rank_history']}")["result"]["params"]
    assert json.loads(params)["echartOptions"] == "{ yAxis: { inverse: true, min: 1 } }"


def test_every_province_has_a_code_of_supersets_map_of_vietnam():
    """The ISO 3166-2 codes of data/reference/provinces.csv are the ISO property of the installed Superset's map of
    Vietnam (a GeoJSON file among its static assets), one shape per province."""
    assets = superset_local.VENV.glob("lib/python3.*/site-packages/superset/static/assets/*.geojson")
    maps = [json.loads(p.read_text(encoding="utf-8")) for p in assets]
    (vietnam,) = [m for m in maps if any(f["properties"].get("ISO") == "VN-01" for f in m["features"])]
    on_map = {f["properties"]["ISO"] for f in vietnam["features"]}
    with (BUNDLED.reference_dir / "provinces.csv").open(encoding="utf-8", newline="") as handle:
        codes = [row["iso_3166_2"] for row in csv.DictReader(handle)]
    assert len(codes) == len(set(codes)) == len(on_map) == 63 and set(codes) == on_map


def test_superset_reads_the_marts_as_the_read_only_role(superset, published_db):
    (database,) = superset.get("/api/v1/database/")["result"]

    def run(sql: str) -> requests.Response:
        return superset.post("/api/v1/sqllab/execute/", {"database_id": database["id"], "sql": sql, "runAsync": False,
                                                          "schema": "marts"}, csrf=True)

    connection = superset.get(f"/api/v1/database/{database['id']}/connection")["result"]
    assert connection["sqlalchemy_uri"].startswith("postgresql://bi_reader")   # the password stays masked
    reply = run("select count(*) as scores from marts.v_component_score")
    assert reply.status_code == 200, reply.text
    (published,) = query(published_db, "select count(*) from marts.v_component_score")
    assert reply.json()["data"] == [{"scores": published[0]}] and published[0] > 8000
    denied = run("select count(*) from raw.component_scores")
    assert "permission denied for schema raw" in denied.text


def test_dashboard_renders_in_chromium_with_the_data_of_the_marts(superset, published_db):
    """The dashboard as a person sees it (screenshot), and the data its charts drew: the replies to the chart data
    requests the page made, read from Chromium's network log, with the filter bar's defaults as they were applied."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("Debian's chromium and chromium-driver are not installed (make test installs them as root)")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    ids = _chart_ids(superset)
    done = subprocess.run([str(superset_local.PYTHON), str(Path(__file__).with_name("superset_screenshot.py")),
                           superset.base, superset.env["SUPERSET_ADMIN_USER"], superset.env["SUPERSET_ADMIN_PASSWORD"],
                           "province-overview", "85.97", str(SCREENSHOT), str(len(ids))],
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    page = json.loads(done.stdout.strip().splitlines()[-1])
    drawn = {key: page["charts"].get(str(chart_id), []) for key, chart_id in ids.items()}
    assert all(drawn.values()), [key for key, rows in drawn.items() if not rows]

    # The tiles and the national ranking of the default year (the latest, 2024): Lai Châu 85.97, 56th.
    assert [next(iter(drawn[key][0].values())) for key in ("kpi_score", "kpi_rank", "kpi_score_change",
                                                           "kpi_rank_change")] == [85.97, 56, 0.19, -7]
    (own,) = [r for r in drawn["province_ranking"] if r["unit_name"] == "Lai Châu"]
    assert (own["score"], own["rank"], own["region_rank"]) == (85.97, 56, 12) and len(drawn["province_ranking"]) == 63
    # The map (a legacy chart: /superset/explore_json/): one value per ISO code, 63 provinces drawn.
    by_code = {r["country_id"]: r["metric"] for r in drawn["province_map"]}
    assert by_code["VN-01"] == 85.97 and len(by_code) == 63 and page["map_regions"] == 63
    points = {r["component_code"]: r for r in drawn["points_needed"]}
    (needed,) = query(published_db, "select points_needed from marts.fct_points_needed "
                                    "where plan_id = 'kh_2205_2024' and component_code = 'TOTAL'")
    assert (points["TOTAL"]["target_rank"], points["TOTAL"]["points_needed"]) == (46, float(needed[0]))
    assert {r["plan_id"] for r in drawn["targets_and_verdicts"]} == {"kh_2205_2024"}

    for chart in superset_bundle.dashboard_specs()["province_overview"]["charts"].values():
        assert chart["title"] in page["text"]
    assert "Lai Châu" in page["text"] and "Hải Phòng" in page["text"]              # table rows, drawn as text
    assert "Sở Văn hóa, Thể thao và Du lịch" in page["text"]   # the owners' table: the province filter does not break it
    assert page["canvases"] >= 5                                                  # line and bar charts, drawn
    assert "Unexpected error" not in page["text"] and "No results were returned" not in page["text"]
    assert SCREENSHOT.stat().st_size > 200_000


CACHE_PROBE = """
import json, sys
from superset.app import create_app
app = create_app()
with app.app_context():
    from superset.extensions import cache_manager
    caches = {"cache": cache_manager.cache, "data": cache_manager.data_cache,
              "filter_state": cache_manager.filter_state_cache, "explore_form_data": cache_manager.explore_form_data_cache}
    if sys.argv[1] == "set":
        for name, cache in caches.items():
            cache.set("govwh-shared-check", f"{name}:{sys.argv[2]}")
    print(json.dumps({name: [type(cache.cache).__name__, cache.get("govwh-shared-check")] for name, cache in caches.items()}))
"""


def test_two_workers_share_the_cached_state(superset):
    """What one Superset process caches (chart data, filter states, explore state), another process reads: two
    processes of the running instance's configuration stand for two gunicorn workers. With a per-process cache
    (SimpleCache) the second one would find nothing."""
    import secrets

    token = secrets.token_hex(8)

    def probe(*args: str) -> dict:
        done = subprocess.run([str(superset_local.PYTHON), "-c", CACHE_PROBE, *args], env=superset.env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    written = probe("set", token)
    read = probe("get")
    for name, (kind, value) in read.items():
        assert kind == "SupersetMetastoreCache", name
        assert value == written[name][1] == f"{name}:{token}", name
