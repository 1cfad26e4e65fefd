"""Make the warehouse available: the embedded server unless WAREHOUSE_URL names another one."""
from __future__ import annotations

from ingest.core import db
from ingest.core.config import Settings
from ingest.core.log import log
from ingest.local import server


def start(settings: Settings) -> None:
    if settings.embedded_server:
        server.start(settings)
    else:
        log("warehouse", f"using WAREHOUSE_URL ({settings.warehouse.host}:{settings.warehouse.port})")
    db.bootstrap(settings)
