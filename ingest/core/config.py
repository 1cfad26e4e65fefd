"""Settings: where things are and which warehouse to use, read from the environment once and passed on as a value.

The command line and each Airflow task build one `Settings.from_environment()` and hand it to what they call;
nothing below them reads the environment for configuration. A child process (Airflow, the CLI) gets the same
settings through `settings.environment()`.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]   # where the code is: not configuration

DEFAULT_PORT = 54329
DEFAULT_DATABASE = "governance"
BI_ROLE = "bi_reader"
PIPELINE_ROLE = "pipeline"      # owns raw, audit, marts, the candidates; what every task connects as (core/roles.sql)
ADMIN_ROLE = "postgres"         # the embedded server's superuser: creates databases and roles, nothing else
PUBLISHED_SCHEMA = "marts"
PROVINCIAL_INDEX = "PROVINCIAL_PAR"     # a province's own index of its departments, districts and communes


def _seconds(text: str | None, default: float) -> float:
    """A number of seconds from the environment; a value that is not one is an error naming the variable."""
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1e7:
        raise ValueError(f"GOVWH_LOCK_WAIT must be a number of seconds, got {text[:40]!r}")
    return value


@dataclass(frozen=True)
class Warehouse:
    """Connection settings of the warehouse, parsed from one libpq URL."""

    host: str
    port: int
    user: str
    password: str
    database: str

    @property
    def url(self) -> str:
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        return f"postgresql://{auth}@{self.host}:{self.port}/{quote(self.database, safe='')}"

    def with_database(self, database: str) -> "Warehouse":
        return replace(self, database=database)

    def as_user(self, user: str, password: str = "") -> "Warehouse":
        return replace(self, user=user, password=password)

    def sqlalchemy_url(self, search_path: str | None = None) -> str:
        url = self.url.replace("postgresql://", "postgresql+psycopg2://", 1)
        if search_path:
            url += f"?options=-csearch_path%3D{search_path}"
        return url

    @classmethod
    def from_url(cls, url: str, name: str = "WAREHOUSE_URL", default_user: str = PIPELINE_ROLE) -> "Warehouse":
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise ValueError(f"{name} must be a postgresql:// URL, got scheme {parts.scheme!r}")
        return cls(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                   user=unquote(parts.username or default_user), password=unquote(parts.password or ""),
                   database=unquote(parts.path.lstrip("/")) or DEFAULT_DATABASE)


@dataclass(frozen=True)
class Settings:
    """Everything that differs between a laptop, a test, a benchmark and a deployment."""

    warehouse: Warehouse                     # what the pipeline connects as: the `pipeline` role (least privilege)
    embedded_server: bool = True             # the project runs the warehouse itself (no WAREHOUSE_URL)
    warehouse_admin: Warehouse | None = None  # WAREHOUSE_ADMIN_URL: the server's administrator, when not embedded
    data_dir: Path = PROJECT_ROOT / "data"
    state_dir: Path = PROJECT_ROOT / ".state"
    dbt_dir: Path = PROJECT_ROOT / "dbt"
    expectations_dir: Path = PROJECT_ROOT / "expectations"
    airflow_home: Path = PROJECT_ROOT / ".airflow"
    warehouse_data_dir: Path | None = None   # the embedded server's cluster, when not under the state dir
    pipeline_password: str = ""              # a deployment's password of the pipeline role (set by the administrator)
    bi_reader_password: str = ""             # a deployment's password of the read-only BI role
    failpoint: str | None = None             # where a test freezes or pauses the pipeline (core/faults.py)
    worker_name: str = ""                    # one of several Airflow workers on one machine (local/airflow_services.py)
    lock_wait: float = 3600.0                # seconds a run waits for the warehouse's run lock (core/run_lock.py)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        """Today's defaults, changed by GOVWH_DATA_DIR, GOVWH_STATE_DIR, WAREHOUSE_URL (another PostgreSQL) or
        WAREHOUSE_PORT / WAREHOUSE_DB / WAREHOUSE_DATA_DIR (the embedded one), WAREHOUSE_ADMIN_URL, AIRFLOW_HOME,
        PIPELINE_DB_PASSWORD, BI_READER_PASSWORD, GOVWH_FAILPOINT, GOVWH_WORKER_NAME and GOVWH_LOCK_WAIT."""
        url = environ.get("WAREHOUSE_URL")
        pipeline_password = environ.get("PIPELINE_DB_PASSWORD", "")
        if url:
            warehouse = Warehouse.from_url(url)
        else:
            warehouse = Warehouse("127.0.0.1", int(environ.get("WAREHOUSE_PORT", DEFAULT_PORT)), PIPELINE_ROLE,
                                  pipeline_password, environ.get("WAREHOUSE_DB", DEFAULT_DATABASE))
        admin_url = environ.get("WAREHOUSE_ADMIN_URL")
        return cls(
            warehouse=warehouse,
            embedded_server=not url,
            warehouse_admin=Warehouse.from_url(admin_url, "WAREHOUSE_ADMIN_URL", ADMIN_ROLE) if admin_url else None,
            pipeline_password=pipeline_password,
            data_dir=Path(environ.get("GOVWH_DATA_DIR", cls.data_dir)),
            state_dir=Path(environ.get("GOVWH_STATE_DIR", cls.state_dir)),
            airflow_home=Path(environ.get("AIRFLOW_HOME", cls.airflow_home)),
            warehouse_data_dir=Path(environ["WAREHOUSE_DATA_DIR"]) if environ.get("WAREHOUSE_DATA_DIR") else None,
            bi_reader_password=environ.get("BI_READER_PASSWORD", ""),
            failpoint=environ.get("GOVWH_FAILPOINT") or None,
            worker_name=environ.get("GOVWH_WORKER_NAME", ""),
            lock_wait=_seconds(environ.get("GOVWH_LOCK_WAIT"), cls.lock_wait),
        )

    def environment(self) -> dict[str, str]:
        """The variables from which a child process (Airflow, the CLI) builds these same settings."""
        env = {"GOVWH_DATA_DIR": str(self.data_dir), "GOVWH_STATE_DIR": str(self.state_dir),
               "AIRFLOW_HOME": str(self.airflow_home), "BI_READER_PASSWORD": self.bi_reader_password,
               "PIPELINE_DB_PASSWORD": self.pipeline_password, "GOVWH_FAILPOINT": self.failpoint or "",
               "WAREHOUSE_ADMIN_URL": self.warehouse_admin.url if self.warehouse_admin else "",
               "GOVWH_LOCK_WAIT": str(self.lock_wait)}
        if self.embedded_server:
            env.update({"WAREHOUSE_URL": "", "WAREHOUSE_PORT": str(self.warehouse.port),
                        "WAREHOUSE_DB": self.warehouse.database,
                        "WAREHOUSE_DATA_DIR": str(self.warehouse_data_dir or "")})
        else:
            env["WAREHOUSE_URL"] = self.warehouse.url
        return env

    def on_database(self, database: str) -> "Settings":
        """The same settings on another database of the same server (tests and benchmarks use throw-away ones)."""
        return replace(self, warehouse=self.warehouse.with_database(database))

    def on_warehouse(self, warehouse: Warehouse) -> "Settings":
        """The same settings with another warehouse, e.g. the one of the Airflow connection governance_warehouse
        (wap/airflow_warehouse.py). Not the embedded server's any more: its administrator is not known."""
        if warehouse == self.warehouse:
            return self
        return replace(self, warehouse=warehouse, embedded_server=False)

    @property
    def admin(self) -> Warehouse | None:
        """The server's administrator (creates databases and roles), connected to the warehouse's database: the user
        and password of WAREHOUSE_ADMIN_URL, else the embedded server's superuser; None when WAREHOUSE_URL names
        another server and no administrator is given (a deployment: its own init script made database and roles)."""
        if self.warehouse_admin is not None:
            return self.warehouse.as_user(self.warehouse_admin.user, self.warehouse_admin.password)
        if self.embedded_server:
            return self.warehouse.as_user(ADMIN_ROLE)
        return None

    # Input files (the data directory).
    @property
    def releases_dir(self) -> Path:
        return self.data_dir / "releases"

    @property
    def methodology_dir(self) -> Path:
        return self.data_dir / "methodology"

    @property
    def reference_dir(self) -> Path:
        return self.data_dir / "reference"

    @property
    def corrections_dir(self) -> Path:
        return self.data_dir / "corrections"

    @property
    def layouts_dir(self) -> Path:
        return self.data_dir / "layouts"

    @property
    def plans_dir(self) -> Path:
        return self.data_dir / "plans"

    @property
    def source_reports_dir(self) -> Path:
        """The printed reports' transcribed figures (data/reports/<report>/)."""
        return self.data_dir / "reports"

    # What the project writes (the state directory).
    @property
    def reports_dir(self) -> Path:
        """The generated province reports (`govwh report`, the province_report DAG)."""
        return self.state_dir / "reports"

    @property
    def findings_dir(self) -> Path:
        """One CSV of findings per audited printed report."""
        return self.state_dir / "audit"

    @property
    def docs_dir(self) -> Path:
        return self.state_dir / "docs"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def gx_project_dir(self) -> Path:
        """The root of the checks' Great Expectations file context (its files live under gx/ in it)."""
        return self.state_dir / "gx"

    @property
    def bench_data_dir(self) -> Path:
        """The national-scale synthetic data directory `make bench` uses."""
        return self.state_dir / "bench" / "data"
