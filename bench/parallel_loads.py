"""The ingest of every release with N parallel loads: a child of bench/run.py, in a fresh database.

The DAG maps its ingest task over the index-year groups (list_releases → ingest_release.expand); each mapped task
is a process that loads one group (its editions in order, each in its own transaction). This script does the
same with a pool of N processes (bench/loads.py), so the speed-up of 2 loads over 1 on this machine's cores is
measured on the functions the tasks call. Prints one JSON line last: seconds, groups, rows landed.

    GOVWH_DATA_DIR=... WAREHOUSE_DB=... python bench/parallel_loads.py --workers 2
"""
from __future__ import annotations

import argparse
import json
import time

from loads import load_groups

from ingest.core import db
from ingest.core.config import Settings
from ingest.wap import pipeline

RUN_ID = "bench__parallel_loads"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args()
    settings = Settings.from_environment()
    started = time.monotonic()
    done = load_groups(settings, pipeline.release_groups(settings, None, None), args.workers, RUN_ID)
    seconds = time.monotonic() - started
    with db.transaction(settings.warehouse) as cur:
        cur.execute("select coalesce(sum(rows), 0) from audit.load_log where run_id = %s", (RUN_ID,))
        rows = int(cur.fetchone()[0])
    print(json.dumps({"seconds": seconds, "groups": len(done), "rows_landed": rows,
                      "slowest_group": max(((g, s) for g, s, _ in done), key=lambda d: d[1])}))


if __name__ == "__main__":
    main()
