"""The ingest of every release with N parallel loads: a child of bench/run.py, in a fresh database.

The DAG maps its ingest task over the index-year groups (list_releases → ingest_release.expand); each mapped task
is a process that loads one group (its editions in order, each in its own transaction). This script does the
same with a pool of N processes, so the speed-up of 2 loads over 1 on this machine's cores is measured on the
functions the tasks call. Prints one JSON line last: seconds, groups, rows landed.

    GOVWH_DATA_DIR=... WAREHOUSE_DB=... python bench/parallel_loads.py --workers 2
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from ingest.core import db
from ingest.core.config import Settings
from ingest.wap import pipeline

RUN_ID = "bench__parallel_loads"


def _load_group(group: str) -> tuple[str, float]:
    started = time.monotonic()
    pipeline.ingest_group(Settings.from_environment(), group, RUN_ID)
    return group, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args()
    settings = Settings.from_environment()
    groups = pipeline.release_groups(settings, None, None)
    started = time.monotonic()
    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("fork")) as pool:
        # The biggest groups first (they hold the commune deliveries), so no worker is left alone with one at the end.
        sizes = {g: sum(p.stat().st_size for p in settings.releases_dir.glob(f"{g.split('/')[0].lower()}/"
                                                                                f"{g.split('/')[1]}/*/*.csv"))
                 for g in groups}
        done = list(pool.map(_load_group, sorted(groups, key=sizes.get, reverse=True)))
    seconds = time.monotonic() - started
    with db.transaction(settings.warehouse) as cur:
        cur.execute("select coalesce(sum(rows), 0) from audit.load_log where run_id = %s", (RUN_ID,))
        rows = int(cur.fetchone()[0])
    print(json.dumps({"seconds": seconds, "groups": len(done), "rows_landed": rows,
                      "slowest_group": max(done, key=lambda d: d[1])}))


if __name__ == "__main__":
    main()
