"""Make the warehouse available: the embedded server unless WAREHOUSE_URL names another one."""
from __future__ import annotations

from ingest.core import config, db
from ingest.core.log import log
from ingest.local import server


def start() -> None:
    if config.uses_embedded_server():
        server.start()
    else:
        log("warehouse", f"using WAREHOUSE_URL ({config.warehouse().host}:{config.warehouse().port})")
    db.bootstrap()
