"""Log in to Superset in headless Chromium, open a dashboard, wait for it to draw, take a screenshot, and keep the
data the charts drew: the replies of the chart data requests the page made, read from Chromium's network log.

Run with Superset's Python (.venv-superset has selenium); tests/test_superset.py calls it and reads the JSON it
prints: the page's visible text, the number of drawn chart canvases and SVG maps, and per chart id (slice_id) the
rows its requests returned (/api/v1/chart/data, or /superset/explore_json/ for legacy charts such as the map).
    python superset_screenshot.py BASE_URL USER PASSWORD DASHBOARD_SLUG EXPECTED_TEXT OUT.png CHARTS
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from urllib.parse import parse_qs, urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1600,5400"]
DATA_PATHS = ("/api/v1/chart/data", "/superset/explore_json/")


def chart_replies(driver, seen: dict[str, dict]) -> dict[str, dict]:
    """Chart data requests in the performance log so far (request id -> slice id, URL), kept in `seen`."""
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        url = message["params"]["request"]["url"]
        if not urlparse(url).path.startswith(DATA_PATHS):
            continue
        form = json.loads(parse_qs(urlparse(url).query).get("form_data", ["{}"])[0])
        seen[message["params"]["requestId"]] = {"slice_id": form.get("slice_id"), "url": url}
    return seen


def _rows(body: dict) -> list[dict]:
    if "result" in body:                                   # the chart data API: one result per query
        return [row for result in body["result"] for row in result.get("data") or []]
    data = body.get("data")                                # explore_json (legacy charts): the viz's data
    return data if isinstance(data, list) else []


def main(base: str, user: str, password: str, slug: str, expected: str, out: str, charts: str) -> None:
    started = time.monotonic()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    for flag in [*FLAGS, f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"{base}/login/")
        field = WebDriverWait(driver, 90).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "input#username, input[name=username]")))
        field.send_keys(user)
        driver.find_element(By.CSS_SELECTOR, "input[type=password]").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit]").click()
        WebDriverWait(driver, 90).until(lambda d: "/login" not in d.current_url)
        driver.get_log("performance")                      # forget the login page's requests
        driver.get(f"{base}/superset/dashboard/{slug}/?standalone=1")
        WebDriverWait(driver, 120).until(lambda d: expected in d.find_element(By.TAG_NAME, "body").text)
        # Every chart on the page asks for its data; wait for all of them, then for their drawing to settle.
        seen: dict[str, dict] = {}
        WebDriverWait(driver, 180, poll_frequency=1).until(
            lambda d: len({r["slice_id"] for r in chart_replies(d, seen).values()}) >= int(charts))
        WebDriverWait(driver, 120).until(
            lambda d: not d.find_elements(By.CSS_SELECTOR, ".dashboard-component-chart-holder .loading"))
        time.sleep(3)
        driver.save_screenshot(out)
        data: dict[str, list[dict]] = {}
        for request_id, request in chart_replies(driver, seen).items():
            reply = driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request_id})
            data.setdefault(str(request["slice_id"]), []).extend(_rows(json.loads(reply["body"])))
        print(json.dumps({"text": driver.find_element(By.TAG_NAME, "body").text,
                          "canvases": len(driver.find_elements(By.CSS_SELECTOR, "canvas")),
                          "map_regions": len(driver.find_elements(By.CSS_SELECTOR, ".superset-legacy-chart-country-map path")),
                          "charts": data, "title": driver.title,
                          "seconds": round(time.monotonic() - started, 1)}, ensure_ascii=False))
    finally:
        driver.quit()


if __name__ == "__main__":
    main(*sys.argv[1:8])
