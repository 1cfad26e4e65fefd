"""Test fixtures: the real embedded PostgreSQL, one throw-away database per need, each as a Settings value."""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from psycopg2 import sql

from ingest.core import db
from ingest.core.config import DEFAULT_DATABASE, DEFAULT_PORT, PIPELINE_ROLE, PROJECT_ROOT, Settings, Warehouse
from ingest.sources import packages

PROJECT = PROJECT_ROOT
# Today's defaults: the bundled data directory and the embedded server's address. Tests that read input files only
# (no database) take their folders from it; tests on a database get their settings from the fixtures below.
BUNDLED = Settings(Warehouse("127.0.0.1", DEFAULT_PORT, PIPELINE_ROLE, "", DEFAULT_DATABASE))
DATA = BUNDLED.data_dir


def pytest_collection_modifyitems(items):
    """Every test says what it needs: `unit` (files and code only) or `db` (the warehouse)."""
    unmarked = [item.nodeid for item in items if not {"unit", "db"} & {m.name for m in item.iter_markers()}]
    if unmarked:
        raise pytest.UsageError("tests without a unit or db marker: " + ", ".join(unmarked))


@pytest.fixture(scope="session", autouse=True)
def _isolated_airflow(tmp_path_factory) -> Path:
    """Airflow imported in this process reads its home from the environment; Airflow children get the settings'."""
    home = tmp_path_factory.mktemp("airflow_home")
    os.environ["AIRFLOW_HOME"] = str(home)
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    return home


@pytest.fixture(scope="session")
def settings(_isolated_airflow) -> Settings:
    """The settings of this run (from the environment, as `make test` sets it up), the server started if embedded.
    The pipeline runs as the `pipeline` role, as in a deployment; the server's administrator (the embedded server's
    superuser, or WAREHOUSE_ADMIN_URL with WAREHOUSE_URL) creates the throw-away databases and the roles."""
    environ = {key: value for key, value in os.environ.items() if key != "WAREHOUSE_DB"}
    built = replace(Settings.from_environment(environ), airflow_home=_isolated_airflow)
    if built.admin is None:
        pytest.exit("WAREHOUSE_URL names another server: set WAREHOUSE_ADMIN_URL too (tests create databases)")
    if built.embedded_server:
        from ingest.local import server as embedded
        embedded.start(built)
    return built


def make_database(settings: Settings, name: str) -> Settings:
    """A fresh, bootstrapped database (the administrator creates it and the roles, the pipeline role its schemas);
    its settings (subprocesses get them through settings.environment())."""
    fresh = settings.on_database(f"{settings.warehouse.database}_test_{name}")
    db.drop_database(db.admin(fresh))
    db.bootstrap(fresh)
    return fresh


@pytest.fixture
def fresh_db(settings, request) -> Settings:
    return make_database(settings, request.node.name.split("[")[0][:40].lower())


@pytest.fixture(scope="session")
def published_template(settings) -> Settings:
    """The sample releases through the whole pipeline once (no Airflow); modules get copies of it."""
    from ingest.wap import pipeline

    template = make_database(settings, "template")
    pipeline.run_all(template, pipeline_name="tests")
    return template


@contextmanager
def published_database(template: Settings, name: str):
    """A copy of the published template database (PostgreSQL clones it file by file in about a second)."""
    copy = template.on_database(f"{template.warehouse.database.removesuffix('_test_template')}_test_{name}")
    db.drop_database(db.admin(copy))
    with db.admin_cursor(db.admin(template)) as cur:
        # Pooled connections (Great Expectations' engine) may still be open on the template.
        cur.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s "
                    "and pid <> pg_backend_pid()", (template.warehouse.database,))
        cur.execute(sql.SQL("create database {} template {}").format(sql.Identifier(copy.warehouse.database),
                                                                      sql.Identifier(template.warehouse.database)))
    db.setup_roles(db.admin(copy))   # rights on a database are not copied from its template
    yield copy


@pytest.fixture(scope="module")
def published_db(published_template):
    with published_database(published_template, "published") as copy:
        yield copy


def as_admin(settings: Settings) -> Settings:
    """The same database as the server's administrator (to read what the pipeline role may not: pg_authid, ACLs)."""
    return settings.on_warehouse(db.admin(settings))


def query(settings: Settings, statement: str, params=None, user: str | None = None) -> list[tuple]:
    wh = settings.warehouse.as_user(user) if user else settings.warehouse
    conn = db.connect(wh)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def linked_data_dir(tmp_path: Path, **own: Path) -> Path:
    """A data directory under tmp_path: each folder given by name (releases=..., layouts=...) is the test's own,
    the others are the bundled ones, linked."""
    root = tmp_path / "data"
    root.mkdir(exist_ok=True)
    for name in sorted({p.name for p in DATA.iterdir() if p.is_dir()} | set(own)):
        link = root / name
        if not link.is_symlink():
            link.symlink_to(own.get(name, DATA / name))
    return root


def copy_release(tmp_path: Path, index: str, year: int, edition: int = 1) -> Path:
    """A copy of a bundled release package under tmp_path/releases (same folder layout)."""
    source = DATA / "releases" / index.lower() / str(year) / str(edition)
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
def production_deployment(settings: Settings, name: str, request, executor: str = "LocalExecutor",
                          data_dir: Path | None = None, celery_workers: int = 0):
    """docker/compose.yaml's Airflow services on this machine (ingest/local/airflow_services.py): their own metadata
    database and warehouse database `<db>_test_<name>` on the embedded server, started once for a test module and
    stopped after it. Its folder (service logs, Airflow's task logs) is kept when a test failed."""
    import tempfile

    from ingest.local import airflow_services

    if not settings.embedded_server:
        pytest.skip("the production tests create roles and databases named as in the compose file: embedded server only")
    # Under the system temp dir with o+x: the PostgreSQL and Redis users reach nothing there, but logs are readable.
    root = Path(tempfile.mkdtemp(prefix=f"govwh-{name}-"))
    root.chmod(0o755)
    deployment = airflow_services.Deployment(settings, root, f"{settings.warehouse.database}_test_{name}",
                                             executor=executor, data_dir=data_dir)
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
        db.drop_database(deployment.admin.with_database(deployment.warehouse_db))
        if failed or request.session.testsfailed > failed_before:
            print(f"production deployment kept for inspection: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
