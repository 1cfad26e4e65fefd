"""The documentation site over HTTP (`govwh serve-docs`; the docs service of docker compose).

    /            the site `govwh docs` / the DAG publish_docs writes (STATE_DIR/docs): dbt docs, GX Data Docs
    /reports/    the province's reports the DAG province_report writes (STATE_DIR/reports), with a listing
    /health      200 when the server answers

Nothing else of the state folder is served (the Great Expectations context there holds connection settings).
The standard library's file server, read-only; the site is swapped in whole, so a reader never sees half of it.
"""
from __future__ import annotations

import http.server
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ingest import config
from ingest.log import log

REPORTS_PREFIX = "/reports"


def docs_root() -> Path:
    return config.STATE_DIR / "docs"


def reports_root() -> Path:
    return config.STATE_DIR / "reports"


class Handler(http.server.SimpleHTTPRequestHandler):
    """Files under docs/ at /, files under reports/ at /reports/ (the standard handler's path checks apply)."""

    def do_GET(self):
        if urlsplit(self.path).path == "/health":
            body = b"ok\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def translate_path(self, path: str) -> str:
        route = unquote(urlsplit(path).path)
        if route == REPORTS_PREFIX or route.startswith(REPORTS_PREFIX + "/"):
            root, path = reports_root(), path[len(REPORTS_PREFIX):] or "/"
        else:
            root = docs_root()
        self.directory = str(root)   # one handler per request: the standard translation ("..", absolute parts) below it
        return super().translate_path(path)

    def log_message(self, format: str, *args) -> None:   # one line per request, on stderr like the rest
        log("docs", f"{self.address_string()} {format % args}")


def make_server(bind: str, port: int) -> http.server.ThreadingHTTPServer:
    return http.server.ThreadingHTTPServer((bind, port), Handler)


def serve(bind: str = "127.0.0.1", port: int = 8190) -> None:
    server = make_server(bind, port)
    log("docs", f"serving {docs_root()} and {reports_root()} (at {REPORTS_PREFIX}/) on http://{bind}:{port}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
