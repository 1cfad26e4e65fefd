"""Log in to Superset in headless Chromium, open a dashboard, wait for a value, take a screenshot.

Run with Superset's Python (.venv-superset has selenium); tests/test_superset.py calls it and reads the
JSON it prints: the page's visible text, the number of drawn chart canvases and the screenshot's path.
    python superset_screenshot.py BASE_URL USER PASSWORD DASHBOARD_SLUG EXPECTED_TEXT OUT.png
"""
from __future__ import annotations

import json
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1600,3200"]


def main(base: str, user: str, password: str, slug: str, expected: str, out: str) -> None:
    started = time.monotonic()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
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
        driver.get(f"{base}/superset/dashboard/{slug}/?standalone=1")
        WebDriverWait(driver, 120).until(lambda d: expected in d.find_element(By.TAG_NAME, "body").text)
        # Charts draw their canvases after the data arrives: wait until they stop appearing.
        WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "canvas")) >= 3)
        time.sleep(2)
        driver.save_screenshot(out)
        print(json.dumps({"text": driver.find_element(By.TAG_NAME, "body").text,
                          "canvases": len(driver.find_elements(By.CSS_SELECTOR, "canvas")),
                          "title": driver.title, "seconds": round(time.monotonic() - started, 1)}, ensure_ascii=False))
    finally:
        driver.quit()


if __name__ == "__main__":
    main(*sys.argv[1:7])
