"""The docker compose deployment, checked without a Docker engine: the compose file validates against the
compose specification's JSON schema, every build context, Dockerfile, copied and mounted file exists,
long-running services have healthchecks, data lives in named volumes, no secret is committed, and the
init scripts do their job against the real PostgreSQL and Airflow."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import psycopg2
import pytest
import yaml

from ingest.core import config, db
from ingest.core.config import PROJECT_ROOT, Settings
from ingest.local.compose import SECRET_NAME, VARIABLE, interpolate
from tests.conftest import as_admin, query

DOCKER = PROJECT_ROOT / "docker"
COMPOSE = DOCKER / "compose.yaml"
ENV_EXAMPLE = DOCKER / ".env.example"
AIRFLOW_SERVICES = {"airflow-api-server": "api-server", "airflow-scheduler": "scheduler",
                    "airflow-dag-processor": "dag-processor", "airflow-triggerer": "triggerer"}


def example_env() -> dict[str, str]:
    """.env.example as an operator fills it in: every empty value gets one."""
    env = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip() or f"filled-in-{key.strip().lower()}"
    return env


def compose_doc(env: dict[str, str] | None = None) -> dict:
    return interpolate(yaml.safe_load(COMPOSE.read_text()), example_env() if env is None else env)


def _validate(doc: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    target = tmp_path / "compose.interpolated.yaml"
    target.write_text(yaml.safe_dump(doc, sort_keys=False))
    checker = Path(sys.executable).parent / "check-jsonschema"
    return subprocess.run([str(checker), "--builtin-schema", "vendor.compose-spec", str(target)],
                          capture_output=True, text=True)


@pytest.mark.unit
def test_compose_file_validates_against_the_compose_spec(tmp_path):
    done = _validate(compose_doc(), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.unit
def test_the_schema_check_catches_a_broken_compose_file(tmp_path):
    broken = compose_doc()
    broken["services"]["superset"]["healthcheck"]["interval"] = {"seconds": 30}
    broken["services"]["superset"]["restart_policy"] = "always"
    done = _validate(broken, tmp_path)
    assert done.returncode != 0
    assert "restart_policy" in done.stdout and "interval" in done.stdout


@pytest.mark.unit
def test_every_variable_is_in_env_example_and_secrets_are_required():
    raw = json.dumps(yaml.safe_load(COMPOSE.read_text()))   # values only, not the comments
    used = {m.group(1): m.group(2) for m in VARIABLE.finditer(raw) if m.group(1)}
    assert set(used) <= set(example_env()), "declare every variable in docker/.env.example"
    for name, kind in used.items():
        if SECRET_NAME.search(name):
            assert kind == ":?", f"{name} must be required (${{{name}:?...}}), never defaulted"
    with pytest.raises(KeyError, match="BI_READER_PASSWORD"):
        compose_doc({k: v for k, v in example_env().items() if k != "BI_READER_PASSWORD"})


@pytest.mark.unit
def test_no_secret_is_committed():
    example = dict(line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
                   if line.strip() and not line.startswith("#"))
    assert [k for k, v in example.items() if SECRET_NAME.search(k) and v.strip()] == []
    doc = yaml.safe_load(COMPOSE.read_text())
    for name, service in doc["services"].items():
        for key, value in (service.get("environment") or {}).items():
            credentials = re.search(r"://[^/@\s]+:([^/@\s]*)@", str(value))   # the password part of a URL
            if credentials:
                assert credentials.group(1).startswith("${"), f"{name}.{key} holds a literal password"
            elif SECRET_NAME.search(key) and not key.endswith("PASSWORDS_FILE"):
                assert str(value).startswith("${"), f"{name}.{key} holds a literal value"
    literal = re.compile(r"(?i)(password|secret|token)\w*(=|: )['\"]?(?!\$\{|/)[A-Za-z0-9+/_-]{12,}")   # key=value, key: value (not a path)
    assert literal.search("SUPERSET_ADMIN_PASSWORD=s3cr3t-value-42x") and literal.search("  JWT_SECRET: 0a1b2c3d4e5f6a7b")
    assert not literal.search("PASSWORD: ${BI_READER_PASSWORD:?set it}") and not literal.search("PASSWORD=")
    tracked = subprocess.run(["git", "ls-files", "docker", ".dockerignore"], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    for path in tracked:
        text = (PROJECT_ROOT / path).read_text(errors="replace")
        assert not literal.search(text), f"{path}: {literal.search(text).group(0)}"
    ignored = subprocess.run(["git", "check-ignore", "docker/.env"], cwd=PROJECT_ROOT, capture_output=True)
    assert ignored.returncode == 0, "docker/.env (the filled-in secrets) must be git-ignored"


@pytest.mark.unit
def test_services_healthchecks_and_named_volumes():
    doc = compose_doc()
    services = doc["services"]
    assert {"warehouse-db", "metadata-db", "airflow-init", "superset-init", "superset", "docs",
            *AIRFLOW_SERVICES} <= set(services)
    for name, command in AIRFLOW_SERVICES.items():
        assert services[name]["command"] == [command]
        assert services[name]["build"]["dockerfile"] == "docker/airflow/Dockerfile"
        assert services[name]["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}
    for name, service in services.items():
        if service.get("restart") == "no":   # one-shot jobs: the others wait for them to finish
            continue
        assert service["healthcheck"]["test"], f"{name} has no healthcheck"
        assert service.get("restart") == "unless-stopped", name
        for target, condition in (service.get("depends_on") or {}).items():
            assert target in services
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[target]
    for name, service in services.items():
        assert ":" in service["image"] and not service["image"].endswith(":latest"), name
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith((".", "/")):
                assert (DOCKER / source).exists(), f"{name} mounts {source}, which does not exist"
            else:
                assert source in doc["volumes"], f"{name} uses undeclared volume {source}"
    for database in ("warehouse-db", "metadata-db"):
        (data,) = [m for m in services[database]["volumes"] if m.endswith(":/var/lib/postgresql/data")]
        assert data.split(":")[0] in doc["volumes"]
    assert services["superset"]["environment"]["SUPERSET_WAREHOUSE_URL"].startswith("postgresql://bi_reader:")


@pytest.mark.unit
def test_the_warehouse_service_runs_with_the_embedded_servers_query_settings():
    """The settings the bench measured (no JIT, memory for sorts) are the compose warehouse's too."""
    from ingest.local.server import QUERY_SETTINGS

    command = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]["warehouse-db"]["command"]
    assert command[0] == "postgres"
    assert [value for flag, value in zip(command[1::2], command[2::2]) if flag == "-c"] == list(QUERY_SETTINGS)


@pytest.mark.unit
def test_least_privilege_in_the_compose_file():
    """Airflow connects as `pipeline`; only Superset gets the BI password, only the warehouse server its
    administrator's; the warehouse-db init script makes the roles."""
    env = example_env()
    services = compose_doc(env)["services"]
    for name, service in services.items():
        if name.startswith("airflow-") or name == "docs":
            values = json.dumps(service.get("environment") or {})
            assert env["BI_READER_PASSWORD"] not in values and env["WAREHOUSE_DB_PASSWORD"] not in values, name
    assert services["airflow-scheduler"]["environment"]["WAREHOUSE_URL"].startswith("postgresql://pipeline:")
    assert [name for name, service in services.items()
            if env["BI_READER_PASSWORD"] in json.dumps(service.get("environment") or {})] == [
        "warehouse-db", "superset-init", "superset"]
    mounts = services["warehouse-db"]["volumes"]
    assert "./postgres/warehouse-init.sh:/docker-entrypoint-initdb.d/10-warehouse-init.sh:ro" in mounts
    assert "../ingest/core/roles.sql:/opt/govwh/roles.sql:ro" in mounts


@pytest.mark.unit
def test_celery_profile_and_docs_service():
    services = compose_doc({**example_env(), "AIRFLOW_EXECUTOR": "CeleryExecutor"})["services"]
    assert services["airflow-scheduler"]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert compose_doc()["services"]["airflow-scheduler"]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert services["redis"]["profiles"] == ["celery"] and services["airflow-worker"]["profiles"] == ["celery"]
    assert services["airflow-worker"]["command"] == ["celery", "worker"]
    assert services["airflow-worker"]["deploy"]["replicas"] == 2
    assert services["airflow-worker"]["depends_on"]["redis"] == {"condition": "service_healthy"}
    env = services["airflow-worker"]["environment"]
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://:") and env["AIRFLOW__CELERY__BROKER_URL"].endswith("@redis:6379/0")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://airflow:")
    for name in ("airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"):
        assert services[name]["depends_on"]["airflow-api-server"] == {"condition": "service_healthy"}, name
    assert services["docs"]["entrypoint"][:2] == ["govwh", "serve-docs"]


@pytest.mark.unit
def test_superset_caches_are_shared_by_its_workers():
    """Superset runs several gunicorn workers (SUPERSET_WORKERS): a cache in one process's memory would not be
    seen by the others, so every cache lives in Superset's metadata database."""
    namespace = {}
    source = (DOCKER / "superset" / "superset_config.py").read_text()
    environ = {**os.environ, "SUPERSET_SECRET_KEY": "x", "SUPERSET_HOME": "/nonexistent"}
    code = compile(source, "superset_config.py", "exec")
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(environ)
    try:
        exec(code, namespace)
    finally:
        os.environ.clear()
        os.environ.update(old)
    for name in ("CACHE_CONFIG", "DATA_CACHE_CONFIG", "FILTER_STATE_CACHE_CONFIG", "EXPLORE_FORM_DATA_CACHE_CONFIG"):
        assert namespace[name]["CACHE_TYPE"] == "SupersetMetastoreCache", name
    assert compose_doc()["services"]["superset"]["environment"]["SUPERSET_WORKERS"] == "2"


def _copied_sources(dockerfile: Path) -> list[str]:
    sources = []
    for line in dockerfile.read_text().splitlines():
        if line.startswith("COPY "):
            sources += [part for part in line.split()[1:-1] if not part.startswith("--")]
    return sources


@pytest.mark.unit
def test_build_contexts_dockerfiles_and_copied_files_exist():
    ignored = {line.strip() for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    for name, service in compose_doc()["services"].items():
        if "build" not in service:
            continue
        context = (DOCKER / service["build"]["context"]).resolve()
        dockerfile = context / service["build"]["dockerfile"]
        assert dockerfile.exists(), f"{name}: {dockerfile}"
        for source in _copied_sources(dockerfile):
            assert (context / source).exists(), f"{dockerfile}: COPY {source} is missing"
            if context == PROJECT_ROOT:
                assert source.rstrip("/").split("/")[0] not in ignored, f"{source} is excluded by .dockerignore"
    assert {".venv", ".state", ".git"} <= ignored


@pytest.mark.unit
def test_images_use_the_same_pins_as_the_local_set_up():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    uv = re.search(r"UV_VERSION := (\S+)", makefile).group(1)
    airflow = (DOCKER / "airflow" / "Dockerfile").read_text()
    assert f"uv=={uv}" in airflow and "-c constraints.txt -e ." in airflow
    assert {"pyproject.toml", "constraints.txt"} <= set(_copied_sources(DOCKER / "airflow" / "Dockerfile"))
    superset = (DOCKER / "superset" / "Dockerfile").read_text()
    assert f"uv=={uv}" in superset and "-r requirements.txt" in superset
    assert "-r docker/superset/requirements.txt" in makefile   # the tested local Superset venv uses the same lock
    pins = (DOCKER / "superset" / "requirements.txt").read_text().splitlines()
    assert "apache-superset==6.1.0" in pins and all("==" in line for line in pins if line.strip())


def _scram_matches(verifier: str, password: str) -> bool:
    """PostgreSQL's SCRAM-SHA-256 verifier: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>."""
    method, rest = verifier.split("$", 1)
    params, keys = rest.split("$")
    iterations, salt = params.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return method == "SCRAM-SHA-256" and base64.b64encode(hashlib.sha256(client_key).digest()).decode() == stored_key


def _role_password(settings: Settings, role: str) -> str:
    ((verifier,),) = query(as_admin(settings), "select rolpassword from pg_authid where rolname = %s", (role,))
    return verifier


@pytest.mark.db
@pytest.mark.airflow
def test_airflow_init_script_bootstraps_the_warehouse_and_the_admin(settings, tmp_path):
    """docker/airflow/init.sh for real, as the airflow-init container runs it: airflow db migrate, then the
    warehouse's schemas as the pipeline role (no administrator, no role passwords), the admin's password file."""
    target = settings.on_database(f"{settings.warehouse.database}_test_airflow_init")
    db.drop_database(db.admin(target))
    db.setup_roles(db.admin(target))   # the warehouse-db service: its database and roles come from its own init script
    before = {role: _role_password(target, role) for role in (config.PIPELINE_ROLE, config.BI_ROLE)}
    # The airflow-init container's environment: WAREHOUSE_URL as the pipeline role, no administrator, no BI password.
    env = {key: value for key, value in os.environ.items()
           if key not in ("WAREHOUSE_ADMIN_URL", "BI_READER_PASSWORD", "PIPELINE_DB_PASSWORD")}
    env.update({"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                "AIRFLOW_HOME": str(tmp_path / "airflow"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow.db'}",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "secrets" / "passwords.json"),
                "AIRFLOW_ADMIN_PASSWORD": "admin-pw-from-env", "WAREHOUSE_URL": target.warehouse.url})
    try:
        done = subprocess.run(["bash", str(DOCKER / "airflow" / "init.sh")], env=env, capture_output=True, text=True,
                              cwd=PROJECT_ROOT, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert json.loads((tmp_path / "secrets" / "passwords.json").read_text()) == {"admin": "admin-pw-from-env"}
        assert oct((tmp_path / "secrets" / "passwords.json").stat().st_mode & 0o777) == "0o600"
        assert (tmp_path / "airflow.db").stat().st_size > 100_000                   # Airflow's metadata, migrated
        assert query(target, "select nspname, pg_get_userbyid(nspowner) from pg_namespace "
                             "where nspname in ('raw', 'audit', 'marts') order by 1") == [
            ("audit", "pipeline"), ("marts", "pipeline"), ("raw", "pipeline")]
        assert {role: _role_password(target, role) for role in before} == before
    finally:
        db.drop_database(db.admin(target))


@pytest.mark.db
def test_warehouse_init_script_makes_the_roles_with_their_passwords(settings):
    """docker/postgres/warehouse-init.sh as the postgres image runs it (its administrator, in POSTGRES_DB): the
    roles with the passwords of .env, least privilege, and the rights on the database; safe to run again."""
    target = settings.on_database(f"{settings.warehouse.database}_test_warehouse_init")
    admin = db.admin(target)
    db.drop_database(admin)
    db.create_database(admin)
    env = {"PATH": os.environ["PATH"], "PGHOST": admin.host, "PGPORT": str(admin.port),
           "PGPASSWORD": admin.password, "POSTGRES_USER": admin.user, "POSTGRES_DB": admin.database,
           "PIPELINE_DB_PASSWORD": "pipeline-pw", "BI_READER_PASSWORD": "bi-pw",
           "GOVWH_ROLES_SQL": str(PROJECT_ROOT / "ingest" / "core" / "roles.sql")}
    try:
        for _ in range(2):
            done = subprocess.run(["bash", str(DOCKER / "postgres" / "warehouse-init.sh")], env=env,
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
        assert _scram_matches(_role_password(target, "pipeline"), "pipeline-pw")
        assert _scram_matches(_role_password(target, "bi_reader"), "bi-pw")
        assert not _scram_matches(_role_password(target, "bi_reader"), "pipeline-pw")
        assert query(as_admin(target), "select rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin "
                                       "from pg_roles where rolname in ('pipeline', 'bi_reader') order by 1") == [
            ("bi_reader", False, False, False, True), ("pipeline", False, False, False, True)]
        acl = query(as_admin(target), "select datacl::text from pg_database where datname = %s",
                    (admin.database,))[0][0]
        assert "pipeline=CTc/" in acl and "bi_reader=c/" in acl and not re.search(r"[{,]=", acl)   # not PUBLIC
    finally:
        db.drop_database(admin)
        db.setup_roles(db.admin(settings))   # no passwords: the local server trusts 127.0.0.1 (passwords unused)


@pytest.mark.db
def test_bootstrap_without_bi_password_leaves_the_role_as_it_is(fresh_db):
    db.bootstrap(replace(fresh_db, bi_reader_password="first"))
    db.bootstrap(replace(fresh_db, bi_reader_password=""))   # the local development set-up: nothing changes
    assert _scram_matches(_role_password(fresh_db, "bi_reader"), "first")


@pytest.mark.db
def test_metadata_init_script_creates_airflow_and_superset_databases(settings):
    """docker/postgres/metadata-init.sh as the postgres image runs it (once, on an empty volume)."""
    names = ("airflow", "superset")
    server = db.admin(settings)

    def cleanup():
        with db.admin_cursor(server) as cur:
            for name in names:
                cur.execute(f"drop database if exists {name} with (force)")
                cur.execute(f"drop role if exists {name}")

    admin = settings.on_warehouse(server.with_database("postgres"))
    if query(admin, "select count(*) from pg_roles where rolname in ('airflow', 'superset')") != [(0,)]:
        pytest.skip("this PostgreSQL already has roles named airflow/superset; not touching them")
    env = {**os.environ, "PGHOST": server.host, "PGPORT": str(server.port), "POSTGRES_USER": server.user,
           "POSTGRES_DB": "postgres", "AIRFLOW_DB_PASSWORD": "af-pw", "SUPERSET_DB_PASSWORD": "ss-pw"}
    try:
        done = subprocess.run(["bash", str(DOCKER / "postgres" / "metadata-init.sh")], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        owners = query(admin, "select datname, pg_get_userbyid(datdba) from pg_database "
                              "where datname in ('airflow', 'superset') order by 1")
        assert owners == [("airflow", "airflow"), ("superset", "superset")]
        ((verifier,),) = query(admin, "select rolpassword from pg_authid where rolname = 'superset'")
        assert _scram_matches(verifier, "ss-pw")
        with pytest.raises(psycopg2.OperationalError, match='permission denied for database "airflow"'):
            db.connect(settings.warehouse.with_database("airflow")).close()
    finally:
        cleanup()


@pytest.mark.db
@pytest.mark.slow
def test_backup_restores_raw_and_marts(published_db, tmp_path):
    """The operations guide's backup: pg_dump -Fc, then pg_restore into an empty database."""
    tools = {name: shutil.which(name) for name in ("pg_dump", "pg_restore")}
    if not all(tools.values()):
        pytest.skip("pg_dump/pg_restore are not installed (Debian's postgresql-client)")
    dump = tmp_path / "governance.dump"
    subprocess.run([tools["pg_dump"], "-Fc", "-f", str(dump), published_db.warehouse.url], check=True, timeout=120)
    admin = db.admin(published_db.on_database(f"{published_db.warehouse.database}_restored"))
    restored = published_db.on_warehouse(admin)   # restored by the server's administrator, who owns what it restores
    db.drop_database(admin)
    with db.admin_cursor(admin) as cur:
        cur.execute(f'create database "{admin.database}"')
    try:
        subprocess.run([tools["pg_restore"], "--no-owner", "-d", admin.url, str(dump)], check=True, timeout=120)
        for table in ("raw.releases", "raw.release_files", "raw.component_scores", "raw.methodology_components",
                      "marts.fct_component_score", "marts.dim_release", "marts.v_component_score"):
            rows = f"select * from {table}"
            assert sorted(query(restored, rows), key=repr) == sorted(query(published_db, rows), key=repr), table
        assert query(restored, "select count(*) from marts.v_component_score", user="bi_reader") == \
            query(published_db, "select count(*) from marts.v_component_score")
    finally:
        db.drop_database(admin)
