"""`make bench-rss`: peak RSS of the ingest process on one 1 GB release file (streaming ingest, issue goal ≤ 500 MB).

Generates a SYNTHETIC data directory holding a single quarterly commune delivery of about --gigabytes GB
(ingest/synthetic/national_scale.py with enough communes), ingests it into a fresh database in a child process and
prints the child's peak RSS, the rows and the time. Not part of `make bench` (it takes a few minutes more).
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace

from harness import child, fresh_database, say
from ingest.core.config import Settings
from ingest.local import warehouse
from ingest.synthetic import national_scale

BYTES_PER_SCALE = 52e6       # one commune delivery at scale 1.0 (3,321 communes) is about 52 MB
DATABASE = "govwh_bench_rss"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gigabytes", type=float, default=1.0)
    args = parser.parse_args()
    settings = Settings.from_environment()
    warehouse.start(settings)
    data_dir = settings.state_dir / "bench" / "rss-data"
    scale = round(args.gigabytes * 1e9 / BYTES_PER_SCALE, 1)
    started = time.monotonic()
    say(f"data: one commune delivery at scale {scale} into {data_dir} ...")
    summary = national_scale.generate(settings, data_dir, scale=scale, national=False, commune_years=(2025,), editions=1)
    file = summary.files[0]
    say(f"data: {file} {file.stat().st_size / 1e9:.2f} GB, {summary.rows:,} rows "
              f"in {time.monotonic() - started:.0f}s")
    fresh = fresh_database(settings, DATABASE)
    result = child("pipeline_stages.py", ["--ingest-only"], replace(fresh, data_dir=data_dir))
    peak_mib = result["ingest_peak_rss_mib"]
    seconds = result["seconds"]["ingest"]
    print()
    print(f"ingest of a {file.stat().st_size / 1e9:.2f} GB file: {result['rows_landed']:,} rows in {seconds:.0f}s "
          f"({result['rows_landed'] / seconds:,.0f} rows/s)")
    print(f"ingest peak RSS: {peak_mib:.0f} MiB   goal ≤ 500 MB {'meets' if peak_mib * 2**20 <= 500e6 else 'MISSES'}")


if __name__ == "__main__":
    main()
