"""The documentation site over HTTP (`govwh serve-docs`; the docs service of docker compose).

    /            the site `govwh docs` / the DAG publish_docs writes (Settings.docs_dir): dbt docs, GX Data Docs
    /reports/    the province's reports the DAG province_report writes (Settings.reports_dir), with a listing
    /health      200 when the server answers

Nothing else of the state folder is served (the Great Expectations context there holds connection settings).
The standard library's file server, read-only; the site is swapped in whole, so a reader never sees half of it.
"""
from __future__ import annotations

import functools
import http.server
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ingest.core.config import Settings
from ingest.core.log import log

REPORTS_PREFIX = "/reports"


class Handler(http.server.SimpleHTTPRequestHandler):
    """Files under docs/ at /, files under reports/ at /reports/ (the standard handler's path checks apply)."""

    def __init__(self, *args, docs_root: Path, reports_root: Path, **kwargs):
        self.docs_root, self.reports_root = docs_root, reports_root
        super().__init__(*args, **kwargs)

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
            root, path = self.reports_root, path[len(REPORTS_PREFIX):] or "/"
        else:
            root = self.docs_root
        self.directory = str(root)   # one handler per request: the standard translation ("..", absolute parts) below it
        return super().translate_path(path)

    def log_message(self, format: str, *args) -> None:   # one line per request, on stderr like the rest
        log("docs", f"{self.address_string()} {format % args}")


def make_server(settings: Settings, bind: str, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(Handler, docs_root=settings.docs_dir, reports_root=settings.reports_dir)
    return http.server.ThreadingHTTPServer((bind, port), handler)


def serve(settings: Settings, bind: str = "127.0.0.1", port: int = 8190) -> None:
    server = make_server(settings, bind, port)
    log("docs", f"serving {settings.docs_dir} and {settings.reports_dir} (at {REPORTS_PREFIX}/) "
                f"on http://{bind}:{port}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
