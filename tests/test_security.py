"""The BI role reads the marts and nothing else; values from files never reach SQL unquoted."""
from __future__ import annotations

import subprocess

import psycopg2
import pytest

from ingest.core import config
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
