"""The BI role reads the marts and nothing else; values from files never reach SQL unquoted."""
from __future__ import annotations

import subprocess

import psycopg2
import pytest

from ingest.core import config, db
from ingest.core.errors import InputError
from ingest.load import load
from ingest.wap import transform
from tests.conftest import BUNDLED, PROJECT, copy_release, query, rewrite_release


@pytest.mark.parametrize("statement", [
    "select count(*) from raw.component_scores",
    "select count(*) from audit.findings",
    "select count(*) from candidate__probe.fct_component_score",
    "delete from marts.fct_component_score",
    "update marts.dim_unit set unit_name = 'x'",
    "create table marts.x (a int)",
    "create schema bi_scratch",
])
@pytest.mark.db
@pytest.mark.slow
def test_bi_reader_cannot_read_or_write_outside_the_marts(published_db, statement):
    query(published_db, "create schema if not exists candidate__probe; "
                        "create table if not exists candidate__probe.fct_component_score (a int)")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        query(published_db, statement, user=config.BI_ROLE)


@pytest.mark.db
@pytest.mark.slow
def test_bi_reader_reads_every_mart(published_db):
    names = query(published_db, "select table_name from information_schema.tables where table_schema = 'marts'")
    assert len(names) >= 7
    for (name,) in names:
        query(published_db, f'select count(*) from marts."{name}"', user=config.BI_ROLE)


@pytest.mark.db
@pytest.mark.slow
def test_psql_as_bi_reader(published_db):
    """The real client a BI user would run: psql with the read-only role."""
    url = published_db.warehouse.as_user(config.BI_ROLE).url
    done = subprocess.run(["psql", url, "-At", "-c", "select score from marts.v_component_score where year = 2024 "
                                                     "and index_code = 'PAR_INDEX' and unit_name = 'Lai Châu' "
                                                     "and component_code = 'TOTAL'"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "85.97"
    denied = subprocess.run(["psql", url, "-c", "select 1 from raw.releases"], capture_output=True, text=True)
    assert denied.returncode != 0 and "permission denied for schema raw" in denied.stderr


@pytest.mark.db
def test_hostile_text_from_files_is_data_not_sql(fresh_db, tmp_path):
    manifest = copy_release(tmp_path, "PAR_INDEX", 2024)
    text = (manifest.parent / "scores.csv").read_text(encoding="utf-8")
    text = text.replace("par_index_2024_analysis L7\n", "L7'); drop table raw.releases; --\n", 1)
    rewrite_release(manifest, data_text=text)
    load.load_release(fresh_db, manifest, "t")
    assert query(fresh_db, "select source_ref from raw.component_scores where component_code = 'TOTAL' "
                           "and unit_code = '12'") == [
        ("L7'); drop table raw.releases; --",)]

    hostile_name = text.replace("Lai Châu,province,TOTAL", "Lai Châu'; drop table raw.releases; --,province,TOTAL")
    second = rewrite_release(manifest, data_text=hostile_name, edition=2, reason="test: a hostile unit name")
    with pytest.raises(InputError, match="unknown province"):
        load.load_release(fresh_db, second, "t")
    assert query(fresh_db, "select count(*) from raw.releases") == [(1,)]


@pytest.mark.unit
def test_partition_and_schema_names_are_checked():
    with pytest.raises(ValueError, match="INDEX/YEAR"):
        transform.build_candidate(BUNDLED, "candidate__tests", ["PAR_INDEX/2024') or (true"])
    with pytest.raises(ValueError, match="candidate schema"):
        transform.check_candidate_name("marts; drop schema raw")


@pytest.mark.unit
def test_no_credentials_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True).stdout.split()
    offenders = []
    for name in tracked:
        path = PROJECT / name
        if path.suffix in {".py", ".yml", ".yaml", ".sql", ".cfg", ".ini", ".toml", ".env", ".json"} and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if "postgresql://" in text and any(f":{secret}@" in text for secret in ("postgres", "password", "secret", "admin")):
                offenders.append(name)
    assert offenders == []


@pytest.mark.parametrize("statement", [
    "create role intruder login",
    "alter role pipeline superuser",
    "alter role bi_reader password 'taken'",
    "create database intruder",
    "select rolpassword from pg_authid",
])
@pytest.mark.db
def test_the_pipeline_role_cannot_create_roles_databases_or_read_secrets(fresh_db, statement):
    assert fresh_db.warehouse.user == config.PIPELINE_ROLE
    conn = db.connect(fresh_db.warehouse)
    conn.autocommit = True   # create database runs outside a transaction
    try:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege), conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@pytest.mark.db
def test_the_pipeline_role_reaches_only_databases_it_was_granted(fresh_db, settings):
    """Another database on the server (as Airflow's metadata database, whose CONNECT is revoked from PUBLIC) is
    closed to the pipeline role; its own warehouse is open, and it owns what it created there."""
    other = db.admin(settings.on_database(f"{settings.warehouse.database}_test_not_the_warehouse"))
    db.drop_database(other)
    with db.admin_cursor(other) as cur:
        cur.execute(f'create database "{other.database}"')
        cur.execute(f'revoke connect, temporary on database "{other.database}" from public')
    try:
        with pytest.raises(psycopg2.OperationalError, match="permission denied for database"):
            db.connect(fresh_db.warehouse.with_database(other.database)).close()
    finally:
        db.drop_database(other)
    assert query(fresh_db, "select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles "
                           "where rolname = current_user") == [(False, False, False, False)]
    assert query(fresh_db, "select distinct pg_get_userbyid(nspowner) from pg_namespace "
                           "where nspname in ('raw', 'audit', 'marts')") == [(config.PIPELINE_ROLE,)]


@pytest.mark.db
def test_an_airflow_task_refuses_a_privileged_warehouse_role(fresh_db):
    """The tasks' connection check (ingest/wap/airflow_warehouse.py): the administrator is refused, the pipeline
    passes; a wrong database fails for good, a server that is down is retried."""
    from ingest.wap import airflow_warehouse

    with pytest.raises(airflow_warehouse.WarehouseConnectionError, match="superuser") as refused:
        airflow_warehouse.check(db.admin(fresh_db), "a test")
    assert refused.value.permanent
    airflow_warehouse.check(fresh_db.warehouse, "a test")
    with pytest.raises(airflow_warehouse.WarehouseConnectionError, match="does not exist") as wrong:
        airflow_warehouse.check(fresh_db.warehouse.with_database("governance_no_such_database"), "a test")
    assert wrong.value.permanent
    with pytest.raises(airflow_warehouse.WarehouseConnectionError, match="did not answer") as down:
        airflow_warehouse.check(config.Warehouse("127.0.0.1", 1, "pipeline", "", "x"), "a test")
    assert not down.value.permanent   # a server that is down: the task is retried
