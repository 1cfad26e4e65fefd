"""Test fixtures: the real embedded PostgreSQL, one throw-away database per need."""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from psycopg2 import sql

from ingest import config, db, packages, roles

PROJECT = config.PROJECT_ROOT


@pytest.fixture(scope="session")
def server() -> config.Warehouse:
    """The warehouse server's administrator (the embedded server's superuser unless WAREHOUSE_URL and
    WAREHOUSE_ADMIN_URL name another server), the server started if needed. Tests create databases as the
    administrator and run the pipeline as the `pipeline` role, as a deployment does."""
    os.environ.pop("WAREHOUSE_DB", None)
    admin = config.admin_warehouse()
    if admin is None:
        pytest.exit("WAREHOUSE_URL names another server: set WAREHOUSE_ADMIN_URL too (tests create databases)")
    if config.uses_embedded_server():
        from ingest import server as embedded
        embedded.start()
    # Tests point WAREHOUSE_URL at their own databases; the administrator stays known.
    os.environ["WAREHOUSE_ADMIN_URL"] = admin.url
    return admin


@pytest.fixture(scope="session", autouse=True)
def _isolated_airflow(tmp_path_factory):
    os.environ["AIRFLOW_HOME"] = str(tmp_path_factory.mktemp("airflow_home"))
    os.environ["GX_ANALYTICS_ENABLED"] = "false"


def pipeline_role(wh: config.Warehouse) -> config.Warehouse:
    """The same database as the pipeline role (its password, if any, from WAREHOUSE_URL or PIPELINE_DB_PASSWORD)."""
    password = os.environ.get("PIPELINE_DB_PASSWORD", "")
    if os.environ.get("WAREHOUSE_URL"):
        password = config.parse_url(os.environ["WAREHOUSE_URL"]).password or password
    return config.Warehouse(wh.host, wh.port, config.PIPELINE_ROLE, password, wh.database)


def make_database(server: config.Warehouse, name: str, monkeypatch) -> config.Warehouse:
    """A fresh, bootstrapped database (the administrator creates it and the roles, the pipeline role its schemas),
    pointed at through WAREHOUSE_URL as the pipeline role (subprocesses inherit it)."""
    wh = pipeline_role(server.with_database(f"{server.database}_test_{name}"))
    db.drop_database(wh)
    monkeypatch.setenv("WAREHOUSE_URL", wh.url)
    db.bootstrap(wh)
    return wh


@pytest.fixture
def fresh_db(server, monkeypatch, request):
    return make_database(server, request.node.name.split("[")[0][:40].lower(), monkeypatch)


@pytest.fixture(scope="session")
def published_template(server) -> config.Warehouse:
    """The sample releases through the whole pipeline once (no Airflow); modules get copies of it."""
    from ingest import pipeline

    mp = pytest.MonkeyPatch()
    try:
        wh = make_database(server, "template", mp)
        pipeline.run_all(pipeline_name="tests")
    finally:
        mp.undo()
    return wh


@contextmanager
def published_database(template: config.Warehouse, name: str):
    """A copy of the published template database (PostgreSQL clones it file by file in about a second)."""
    wh = template.with_database(f"{template.database.removesuffix('_test_template')}_test_{name}")
    db.drop_database(wh)
    with db.admin_cursor(template) as cur:
        # Pooled connections (Great Expectations' engine) may still be open on the template.
        cur.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s "
                    "and pid <> pg_backend_pid()", (template.database,))
        cur.execute(sql.SQL("create database {} template {}").format(sql.Identifier(wh.database),
                                                                      sql.Identifier(template.database)))
    roles.setup(db.admin(wh))   # rights on a database are not copied from its template
    mp = pytest.MonkeyPatch()
    mp.setenv("WAREHOUSE_URL", wh.url)
    try:
        yield wh
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def published_db(published_template):
    with published_database(published_template, "published") as wh:
        yield wh


def query(wh: config.Warehouse, statement: str, params=None, user: str | None = None) -> list[tuple]:
    if user:
        wh = config.Warehouse(wh.host, wh.port, user, "", wh.database)
    conn = db.connect(wh)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def copy_release(tmp_path: Path, index: str, year: int, edition: int = 1) -> Path:
    """A copy of a bundled release package under tmp_path/releases (same folder layout)."""
    source = config.RELEASES_DIR / index.lower() / str(year) / str(edition)
    target = tmp_path / "releases" / index.lower() / str(year) / str(edition)
    shutil.copytree(source, target)
    return target / "release.yaml"


def rewrite_release(manifest: Path, data_text: str | None = None, edition: int | None = None, **fields) -> Path:
    """Change a copied package's data and manifest, keeping the sha256 honest unless told otherwise."""
    import yaml

    doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    folder = manifest.parent
    if data_text is not None:
        (folder / "scores.csv").write_text(data_text, encoding="utf-8")
        doc["files"][0]["sha256"] = packages.sha256_of(folder / "scores.csv")
    if edition is not None:
        new_folder = folder.parent / str(edition)
        folder.rename(new_folder)
        folder, manifest = new_folder, new_folder / "release.yaml"
        doc["edition"] = edition
    doc.update(fields)
    manifest.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return manifest


@contextmanager
def production_deployment(server: config.Warehouse, name: str, request, executor: str = "LocalExecutor",
                          data_dir: Path | None = None, celery_workers: int = 0):
    """docker/compose.yaml's Airflow services on this machine (ingest/airflow_services.py): their own metadata
    database and warehouse database `<db>_test_<name>` on the embedded server, started once for a test module and
    stopped after it. Its folder (service logs, Airflow's task logs) is kept when a test failed."""
    import tempfile

    from ingest import airflow_services

    if not config.uses_embedded_server():
        pytest.skip("the production tests create roles and databases named as in the compose file: embedded server only")
    # Under the system temp dir with o+x: the PostgreSQL and Redis users reach nothing there, but logs are readable.
    root = Path(tempfile.mkdtemp(prefix=f"govwh-{name}-"))
    root.chmod(0o755)
    deployment = airflow_services.Deployment(root, server, f"{server.database}_test_{name}", executor=executor,
                                             data_dir=data_dir)
    failed_before = request.session.testsfailed
    failed = False
    try:
        deployment.prepare_databases()
        deployment.init()
        if executor == "CeleryExecutor":
            deployment.start_redis()
        deployment.start()
        if celery_workers:
            deployment.start_celery_workers(celery_workers)
        yield deployment
    except BaseException:
        failed = True
        raise
    finally:
        deployment.stop()
        deployment.drop_metadata_databases()
        db.drop_database(server.with_database(deployment.warehouse_db))
        if failed or request.session.testsfailed > failed_before:
            print(f"production deployment kept for inspection: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
