"""One run of the project's pipeline (ingest → dbt → checks → publish), each stage timed: a child of bench/run.py.

The same functions the DAG tasks call (ingest/wap/pipeline.py); with --loads N the groups are loaded by N processes
at a time, as the DAG's mapped ingest tasks are (bench/loads.py). Prints one JSON line last: seconds per stage, rows
landed, and the ingest's peak RSS (of this process, or of the load processes).

    GOVWH_DATA_DIR=... WAREHOUSE_DB=... python bench/pipeline_stages.py [--index PCI --year 2020] [--loads 2]
        [--ingest-only]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from loads import load_groups, peak_rss_mib

from ingest.core import db
from ingest.core.config import Settings
from ingest.wap import checks, pipeline, publish, transform


def landed_rows(settings: Settings, run_id: str) -> int:
    with db.transaction(settings.warehouse) as cur:
        cur.execute("select coalesce(sum(rows), 0) from audit.load_log where run_id = %s", (run_id,))
        return int(cur.fetchone()[0])


def slowest_nodes(run_results: Path, count: int = 5) -> tuple[int, list[tuple[str, float]]]:
    """How many nodes dbt ran, and the slowest of them (the profile of what remains of the dbt stage)."""
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    timed = sorted(((r["unique_id"].split(".")[-1], r["execution_time"]) for r in results), key=lambda r: -r[1])
    return len(results), [(name[:60], round(seconds, 1)) for name, seconds in timed[:count]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index")
    parser.add_argument("--year", type=int)
    parser.add_argument("--loads", type=int, default=1, help="load processes at a time (the DAG: Airflow's parallelism)")
    parser.add_argument("--ingest-only", action="store_true", help="stop after the ingest stage")
    args = parser.parse_args()
    settings = Settings.from_environment()
    run_id = pipeline.new_run_id("bench")
    schema = pipeline.candidate_schema("bench")
    seconds: dict[str, float] = {}

    started = time.monotonic()
    if args.loads > 1:
        loaded = load_groups(settings, pipeline.release_groups(settings, args.index, args.year), args.loads, run_id)
        partitions = pipeline.finish_ingest(settings, args.index, args.year, run_id)
        ingest_peak_mib = max(peak for _, _, peak in loaded)
    else:
        partitions = pipeline.ingest(settings, args.index, args.year, run_id)
        ingest_peak_mib = peak_rss_mib()
    seconds["ingest"] = time.monotonic() - started
    if args.ingest_only:
        print(json.dumps({"seconds": seconds, "rows_landed": landed_rows(settings, run_id),
                          "ingest_peak_rss_mib": ingest_peak_mib}))
        return

    started = time.monotonic()
    transform.build_candidate(settings, schema, partitions)
    seconds["dbt"] = time.monotonic() - started
    dbt_slowest = slowest_nodes(settings.dbt_dir / "target" / schema.split("__")[1] / "run_results.json")

    started = time.monotonic()
    checks.validate_candidate(settings, schema, run_id, checks.suites_for(partitions))
    seconds["checks"] = time.monotonic() - started

    started = time.monotonic()
    published = publish.publish(settings, schema, partitions, run_id)
    seconds["publish"] = time.monotonic() - started

    print(json.dumps({"seconds": seconds, "partitions": partitions, "rows_landed": landed_rows(settings, run_id),
                      "rows_published": published, "ingest_peak_rss_mib": ingest_peak_mib,
                      "dbt_nodes": dbt_slowest[0], "dbt_slowest": dbt_slowest[1]}))


if __name__ == "__main__":
    main()
