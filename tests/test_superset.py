"""A real Apache Superset 6.1.0 (its own venv) on the published marts, prepared by the same service script
as the docker compose deployment: the starter dashboard is imported, its charts return the marts' values
through the read-only role, and the dashboard renders in headless Chromium."""
from __future__ import annotations

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

PROVINCE = {"col": "unit_name", "op": "IN", "val": ["Lai Châu"]}   # the dashboard's default filter
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


def _chart_rows(client: Superset, chart_key: str, filters: tuple[dict, ...] = (PROVINCE,)) -> list[dict]:
    """Run a saved chart's query context with the dashboard's default province filter."""
    title = yaml.safe_load((superset_bundle.BUNDLE_DIR / "charts" / f"{chart_key}.yaml").read_text())["slice_name"]
    (chart,) = [c for c in client.get("/api/v1/dashboard/province-overview/charts")["result"] if c["slice_name"] == title]
    context = json.loads(client.get(f"/api/v1/chart/{chart['id']}")["result"]["query_context"])
    context["queries"][0]["filters"].extend(filters)
    reply = client.post("/api/v1/chart/data", context)
    assert reply.status_code == 200, reply.text
    return reply.json()["result"][0]["data"]


def test_starter_dashboard_and_every_mart_are_loaded(superset):
    dashboard = superset.get("/api/v1/dashboard/province-overview")["result"]
    assert dashboard["dashboard_title"] == "Tổng quan chỉ số quản trị của tỉnh (province overview)"
    charts = superset.get("/api/v1/dashboard/province-overview/charts")["result"]
    assert len(charts) == len(list((superset_bundle.BUNDLE_DIR / "charts").glob("*.yaml")))
    datasets = superset.get("/api/v1/dataset/?q=(page_size:100)")["result"]
    assert {d["table_name"] for d in datasets} == set(superset_bundle.documented_marts(BUNDLED.dbt_dir))
    (database,) = superset.get("/api/v1/database/")["result"]
    assert database["database_name"] == superset_bundle.DATABASE_NAME and not database["allow_dml"]


def test_charts_return_the_values_of_the_marts(superset):
    totals = {row["year"]: row for row in _chart_rows(superset, "total_by_year")
              if row["index_name"] == "Chỉ số cải cách hành chính (PAR INDEX)"}
    assert (totals[2024]["score"], totals[2024]["rank"], totals[2024]["rank_of"]) == (85.97, 56, 63)
    assert (totals[2024]["delta_vs_previous"], totals[2024]["rank_change_vs_previous"]) == (0.19, -7)
    assert totals[2023]["score"] == 85.78 and totals[2023]["unit_name"] == "Lai Châu"

    ranks = {(r["index_code"], r["year"]): r["Thứ hạng (rank)"] for r in _chart_rows(superset, "rank_history")}
    assert {key: rank for key, rank in ranks.items() if key[1] in (2023, 2024) and key[0] == "PAR_INDEX"} == {
        ("PAR_INDEX", 2023): 49, ("PAR_INDEX", 2024): 56}
    assert (ranks[("PAPI", 2024)], ranks[("PCI", 2019)], ranks[("SIPAS", 2024)]) == (31, 63, 55)

    pct = {(r["component_code"], r["year"]): r["% điểm tối đa (% of max)"] for r in _chart_rows(superset, "fields_pct_of_max")}
    assert pct[("1", 2024)] == 99.05 and pct[("6", 2024)] == 77.92

    lost = {(r["component_code"], r["year"]): r["Điểm bị mất (lost points)"] for r in _chart_rows(superset, "lost_points")}
    assert lost[("5.4", 2024)] == 1.0 and lost[("1.1", 2024)] == 0.0   # 5.4: 0.5 of 1.5

    fields = {(r["year"], r["component_code"]): r for r in _chart_rows(superset, "results_by_field")}
    assert (fields[(2024, "3")]["score"], fields[(2024, "3")]["rank"]) == (12.98, 22)   # the supported rank

    # The province's own index: no province column, so the dashboard's province filter does not apply.
    owners = _chart_rows(superset, "lost_points_by_owner", filters=())
    assert (owners[0]["owner_unit_name"], owners[0]["total_score"], owners[0]["total_points_lost"]) == \
        ("Sở Văn hóa, Thể thao và Du lịch", 68.85, 31.15)   # 15th of 15 departments in 2023 (report L301)


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


def test_dashboard_renders_in_chromium(superset):
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("Debian's chromium and chromium-driver are not installed (make test installs them as root)")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    done = subprocess.run([str(superset_local.PYTHON), str(Path(__file__).with_name("superset_screenshot.py")),
                           superset.base, superset.env["SUPERSET_ADMIN_USER"], superset.env["SUPERSET_ADMIN_PASSWORD"],
                           "province-overview", "85.97", str(SCREENSHOT)], capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    page = json.loads(done.stdout.strip().splitlines()[-1])
    for chart in superset_bundle.dashboard_specs()["province_overview"]["charts"].values():
        assert chart["title"] in page["text"]
    assert "Lai Châu" in page["text"] and "Cải cách thể chế" in page["text"]      # table rows, drawn as text
    assert "Sở Văn hóa, Thể thao và Du lịch" in page["text"]   # the owners' table: the province filter does not break it
    assert page["canvases"] >= 3                                                  # line and bar charts, drawn
    assert "Unexpected error" not in page["text"] and "No results were returned" not in page["text"]
    assert SCREENSHOT.stat().st_size > 50_000


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
