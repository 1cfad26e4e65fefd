"""Make the warehouse available: the embedded server unless WAREHOUSE_URL names another one."""
from __future__ import annotations

from ingest import config, db, server
from ingest.log import log


def start() -> None:
    if config.uses_embedded_server():
        server.start()
    else:
        log("warehouse", f"using WAREHOUSE_URL ({config.warehouse().host}:{config.warehouse().port})")
    db.bootstrap()
