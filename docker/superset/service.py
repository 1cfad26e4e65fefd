"""The Superset service of the warehouse: `init` prepares it, `serve` runs it.

    python service.py init    metadata database, admin user, the marts as datasets, the starter dashboard
    python service.py serve   gunicorn on SUPERSET_BIND (default 0.0.0.0:8088), SUPERSET_WORKERS workers

Run with Superset's own Python (its venv or image), with SUPERSET_CONFIG_PATH pointing at
superset_config.py. Environment of `init`:
    SUPERSET_WAREHOUSE_URL    postgresql://bi_reader:<password>@<host>:<port>/<database> (required)
    SUPERSET_ADMIN_USER       admin user name (default admin)
    SUPERSET_ADMIN_PASSWORD   its password (required)
    SUPERSET_REIMPORT_DASHBOARDS=1   import the dashboards and their charts again, replacing edits made in the UI

Every start refreshes the datasets (one per documented mart) from the bundle, so new marts and new
column descriptions appear; the dashboards are imported on first start only, so edits made in the UI stay.
Standard library and PyYAML only (both in Superset's environment); the docker compose service
services `superset-init` and `superset`, `make superset-ui` and the tests run this same file.
"""
from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import yaml

BUNDLE_DIR = Path(os.environ.get("SUPERSET_BUNDLE_DIR", Path(__file__).resolve().parent / "bundle"))
SUPERSET = str(Path(sys.executable).parent / "superset")
ROOT = "bundle"


def log(message: str) -> None:
    print(f"[superset-bootstrap] {message}", file=sys.stderr, flush=True)


def superset(*args: str) -> None:
    started = time.monotonic()
    done = subprocess.run([SUPERSET, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"superset {args[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    log(f"superset {args[0]}: done in {time.monotonic() - started:.1f}s")


def bundle_files(kind: str, warehouse_url: str) -> dict[str, str]:
    """The bundle's files for one import kind, with the real connection URL in the database file."""
    prefixes = {"SqlaTable": ("databases/", "datasets/"), "Slice": ("databases/", "datasets/", "charts/")}.get(
        kind, ("databases/", "datasets/", "charts/", "dashboards/"))
    files = {}
    for path in sorted(BUNDLE_DIR.rglob("*.yaml")):
        relative = path.relative_to(BUNDLE_DIR).as_posix()
        if not relative.startswith(prefixes):
            continue
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        if relative.startswith("databases/"):
            content["sqlalchemy_uri"] = warehouse_url
        files[relative] = yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
    files["metadata.yaml"] = yaml.safe_dump({"version": "1.0.0", "type": kind,
                                             "timestamp": "1970-01-01T00:00:00+00:00"})
    return files


def write_zip(files: dict[str, str], target: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for relative, text in files.items():
            archive.writestr(f"{ROOT}/{relative}", text)
    target.write_bytes(buffer.getvalue())
    return target


def dashboards_missing() -> list[str]:
    """Slugs of the bundle's dashboards that Superset does not hold yet."""
    from superset.app import create_app

    wanted = {}
    for path in sorted((BUNDLE_DIR / "dashboards").glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        wanted[content["uuid"]] = content["slug"]
    app = create_app()
    with app.app_context():
        from superset.extensions import db
        from superset.models.dashboard import Dashboard

        present = {str(uuid) for (uuid,) in db.session.query(Dashboard.uuid).all()}
    return [slug for uuid, slug in wanted.items() if uuid not in present]


def overwrite_charts(warehouse_url: str, admin: str) -> None:
    """Replace the bundle's charts. Superset imports a dashboard's charts without overwriting those that exist, so
    re-importing the dashboards alone would keep the old charts' queries and settings."""
    from flask import g
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import security_manager
        from superset.commands.chart.importers.dispatcher import ImportChartsCommand

        g.user = security_manager.find_user(username=admin)
        ImportChartsCommand(bundle_files("Slice", warehouse_url), overwrite=True).run()
    log("charts replaced by the bundle's")


def init() -> int:
    warehouse_url = os.environ.get("SUPERSET_WAREHOUSE_URL")
    password = os.environ.get("SUPERSET_ADMIN_PASSWORD")
    if not warehouse_url or not password:
        log("set SUPERSET_WAREHOUSE_URL and SUPERSET_ADMIN_PASSWORD")
        return 2
    admin = os.environ.get("SUPERSET_ADMIN_USER", "admin")
    superset("db", "upgrade")
    superset("fab", "create-admin", "--username", admin, "--firstname", "Superset", "--lastname", "Admin",
             "--email", f"{admin}@localhost", "--password", password)   # says so and changes nothing when it exists
    superset("init")
    with tempfile.TemporaryDirectory() as work:
        datasets = write_zip(bundle_files("SqlaTable", warehouse_url), Path(work) / "datasets.zip")
        superset("import-datasources", "-p", str(datasets), "-u", admin)
        missing = dashboards_missing()
        reimport = os.environ.get("SUPERSET_REIMPORT_DASHBOARDS") == "1"
        if reimport:
            overwrite_charts(warehouse_url, admin)
        if missing or reimport:
            dashboards = write_zip(bundle_files("Dashboard", warehouse_url), Path(work) / "dashboards.zip")
            superset("import-dashboards", "-p", str(dashboards), "-u", admin)
            log(f"dashboards imported: {', '.join(missing) or 'all (SUPERSET_REIMPORT_DASHBOARDS=1)'}")
        else:
            log("dashboards already present; kept as they are (SUPERSET_REIMPORT_DASHBOARDS=1 replaces them)")
    return 0


def serve() -> None:
    """Replace this process with gunicorn serving Superset (the production server, also used by the tests)."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    os.execv(gunicorn, [gunicorn, "--bind", os.environ.get("SUPERSET_BIND", "0.0.0.0:8088"),
                        "--workers", os.environ.get("SUPERSET_WORKERS", "2"), "--worker-class", "gthread",
                        "--threads", "4", "--timeout", "120", "--limit-request-line", "0",
                        "--limit-request-field_size", "0", "superset.app:create_app()"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["init", "serve"])
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve()
    return init()


if __name__ == "__main__":
    sys.exit(main())
