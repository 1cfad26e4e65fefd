"""Where things are and how to reach the warehouse. Everything comes from the environment."""
from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("GOVWH_DATA_DIR", PROJECT_ROOT / "data"))
RELEASES_DIR = DATA_DIR / "releases"
METHODOLOGY_DIR = DATA_DIR / "methodology"
REFERENCE_DIR = DATA_DIR / "reference"
CORRECTIONS_DIR = DATA_DIR / "corrections"
DBT_DIR = PROJECT_ROOT / "dbt"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
STATE_DIR = Path(os.environ.get("GOVWH_STATE_DIR", PROJECT_ROOT / ".state"))

DEFAULT_PORT = 54329
DEFAULT_DATABASE = "governance"
BI_ROLE = "bi_reader"
PIPELINE_ROLE = "pipeline"      # owns raw, audit, marts and the candidates; what every task connects as (ingest/roles.py)
ADMIN_ROLE = "postgres"         # the embedded server's superuser: creates databases and roles, nothing else
PUBLISHED_SCHEMA = "marts"
PROVINCIAL_INDEX = "PROVINCIAL_PAR"     # a province's own index of its departments, districts and communes


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
        return Warehouse(self.host, self.port, self.user, self.password, database)

    def sqlalchemy_url(self, search_path: str | None = None) -> str:
        url = self.url.replace("postgresql://", "postgresql+psycopg2://", 1)
        if search_path:
            url += f"?options=-csearch_path%3D{search_path}"
        return url


def embedded_port() -> int:
    return int(os.environ.get("WAREHOUSE_PORT", DEFAULT_PORT))


def uses_embedded_server() -> bool:
    """True unless WAREHOUSE_URL points the project at an existing PostgreSQL."""
    return not os.environ.get("WAREHOUSE_URL")


# The warehouse of this task or command when it was chosen explicitly (an Airflow connection: using_warehouse).
_CHOSEN: ContextVar[Warehouse | None] = ContextVar("govwh_warehouse", default=None)


@contextmanager
def using_warehouse(wh: Warehouse):
    """Within the block, warehouse() is `wh` (e.g. read from the Airflow connection governance_warehouse)."""
    token = _CHOSEN.set(wh)
    try:
        yield wh
    finally:
        _CHOSEN.reset(token)


def warehouse() -> Warehouse:
    """What the pipeline connects as: the chosen warehouse, else WAREHOUSE_URL, else the embedded server as `pipeline`."""
    chosen = _CHOSEN.get()
    if chosen is not None:
        return chosen
    url = os.environ.get("WAREHOUSE_URL")
    if not url:
        return Warehouse("127.0.0.1", embedded_port(), PIPELINE_ROLE, "", os.environ.get("WAREHOUSE_DB", DEFAULT_DATABASE))
    return parse_url(url, "WAREHOUSE_URL", PIPELINE_ROLE)


def admin_warehouse() -> Warehouse | None:
    """The server's administrator (creates databases and roles): WAREHOUSE_ADMIN_URL, else the embedded server's
    superuser; None when WAREHOUSE_URL names another server and no administrator is given (a deployment, whose
    database and roles its own init script made)."""
    url = os.environ.get("WAREHOUSE_ADMIN_URL")
    if url:
        return parse_url(url, "WAREHOUSE_ADMIN_URL", ADMIN_ROLE)
    if uses_embedded_server():
        return Warehouse("127.0.0.1", embedded_port(), ADMIN_ROLE, "", os.environ.get("WAREHOUSE_DB", DEFAULT_DATABASE))
    return None


def parse_url(url: str, name: str = "the warehouse URL", default_user: str = PIPELINE_ROLE) -> Warehouse:
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"{name} must be a postgresql:// URL, got scheme {parts.scheme!r}")
    return Warehouse(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or default_user),
        password=unquote(parts.password or ""),
        database=unquote(parts.path.lstrip("/")) or DEFAULT_DATABASE,
    )
