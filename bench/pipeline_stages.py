"""One run of the project's pipeline (ingest → dbt → checks → publish), each stage timed: a child of bench/run.py.

The same functions the DAG tasks call (ingest/wap/pipeline.py). Prints one JSON line last: seconds per stage, rows
landed, and the peak RSS of this process after the ingest stage (the ingest's own peak: it runs first).

    GOVWH_DATA_DIR=... WAREHOUSE_DB=... python bench/pipeline_stages.py [--index PCI --year 2020] [--ingest-only]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ingest.core import db
from ingest.core.config import Settings
from ingest.wap import checks, pipeline, publish, transform


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM: of its own image, not of the parent it was forked from, which
    getrusage's ru_maxrss would report when the parent was larger)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def landed_rows(settings: Settings, run_id: str) -> int:
    with db.transaction(settings.warehouse) as cur:
        cur.execute("select coalesce(sum(rows), 0) from audit.load_log where run_id = %s", (run_id,))
        return int(cur.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index")
    parser.add_argument("--year", type=int)
    parser.add_argument("--ingest-only", action="store_true", help="stop after the ingest stage")
    args = parser.parse_args()
    settings = Settings.from_environment()
    run_id = pipeline.new_run_id("bench")
    schema = pipeline.candidate_schema("bench")
    seconds: dict[str, float] = {}

    started = time.monotonic()
    partitions = pipeline.ingest(settings, args.index, args.year, run_id)
    seconds["ingest"] = time.monotonic() - started
    ingest_peak_mib = peak_rss_mib()
    if args.ingest_only:
        print(json.dumps({"seconds": seconds, "rows_landed": landed_rows(settings, run_id),
                          "ingest_peak_rss_mib": ingest_peak_mib}))
        return

    started = time.monotonic()
    transform.build_candidate(settings, schema, partitions)
    seconds["dbt"] = time.monotonic() - started

    started = time.monotonic()
    checks.validate_candidate(settings, schema, run_id, checks.suites_for(partitions))
    seconds["checks"] = time.monotonic() - started

    started = time.monotonic()
    published = publish.publish(settings, schema, partitions, run_id)
    seconds["publish"] = time.monotonic() - started

    print(json.dumps({"seconds": seconds, "partitions": partitions, "rows_landed": landed_rows(settings, run_id),
                      "rows_published": published, "ingest_peak_rss_mib": ingest_peak_mib}))


if __name__ == "__main__":
    main()
