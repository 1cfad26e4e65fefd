"""Headless Chromium (Debian's package) for tests that look at pages as a person would.

`make test` installs chromium and chromium-driver as root; without them the browser tests are skipped
and say why.
"""
from __future__ import annotations

import functools
import html
import http.server
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

# Ports this project's test servers may use on 127.0.0.1 (the workplace reserves this range for them).
TEST_PORTS = range(8188, 8200)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


def chromium() -> str:
    path = shutil.which("chromium")
    if not path:
        pytest.skip("Debian's chromium is not installed (make test installs it as root: "
                    "apt-get install chromium chromium-driver)")
    return path


def free_port() -> int:
    for port in TEST_PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {TEST_PORTS}")


@contextmanager
def serve_directory(folder: Path):
    """A static HTTP server on 127.0.0.1 (pages that fetch JSON, like dbt docs, need http, not file://)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def rendered_text(url: str, budget_ms: int = 15000) -> str:
    """The visible text of the page after its scripts ran (DOM dumped by headless Chromium)."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                               f"--virtual-time-budget={budget_ms}", "--dump-dom", url],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    body = done.stdout[done.stdout.find("<body"):]
    return " ".join(html.unescape(_TAGS.sub(" ", _SCRIPTS.sub(" ", body))).split())
