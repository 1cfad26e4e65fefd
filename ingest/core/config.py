"""Where things are and how to reach the warehouse. Everything comes from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
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


def warehouse() -> Warehouse:
    url = os.environ.get("WAREHOUSE_URL")
    if not url:
        database = os.environ.get("WAREHOUSE_DB", DEFAULT_DATABASE)
        return Warehouse("127.0.0.1", embedded_port(), "postgres", "", database)
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"WAREHOUSE_URL must be a postgresql:// URL, got scheme {parts.scheme!r}")
    return Warehouse(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
        database=unquote(parts.path.lstrip("/")) or DEFAULT_DATABASE,
    )
