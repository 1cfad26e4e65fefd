"""`make bench`: the project's pipeline against plain COPY + SQL, on the same generated data, in one run.

1. a national-scale SYNTHETIC data directory (ingest/synthetic/national_scale.py; made again only when its parameters
   change), in .state/bench/data;
2. the baseline (bench/baseline.py) in a fresh database: COPY of the files + one INSERT … SELECT per mart;
3. the pipeline (bench/pipeline_stages.py: ingest → dbt → checks → publish, the functions the DAG tasks call)
   in another fresh database: a full refresh (its groups loaded 2 at a time, as the DAG's mapped ingest tasks are
   with Airflow's parallelism 2), then a correction of one national release (a new edition with
   one changed value) and a correction of one quarterly commune delivery;
4. the ingest alone with 1 and with 2 parallel loads (bench/parallel_loads.py: a process per index-year group, as
   the DAG's mapped ingest tasks), each in a fresh database;
5. the parse time of each DAG file, as Airflow's DagBag measures it;
and prints the ratios last. Ratios, not timed tests: the figures vary with the machine, the ratios less.

    make bench [SCALE=1.0]        .venv/bin/python bench/run.py --scale 1.0
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import yaml

from harness import child, fresh_database, say
from ingest.core import config
from ingest.core.config import Settings
from ingest.local import airflow_local, warehouse
from ingest.sources import packages
from ingest.synthetic import national_scale
from ingest.synthetic.generated import GENERATOR, GENERATOR_VERSION

BASELINE_DB = "govwh_bench_baseline"
PIPELINE_DB = "govwh_bench_pipeline"
LOADS_DB = "govwh_bench_loads"
BENCH_REASON = "bench:"   # the reason of the corrected editions the bench writes (removed after, or at its next start)
DAG_LOADS = 2   # mapped ingest tasks at a time: AIRFLOW__CORE__PARALLELISM in docker/compose.yaml
GOALS = {"full refresh / baseline": 2.0, "national correction / full refresh": 0.05,
         "commune correction / full refresh": 0.2, "ingest peak RSS (MB)": 500, "DAG parse (s, slowest file)": 0.5}


def generated(settings: Settings, scale: float, seed: int) -> Path:
    data_dir = settings.bench_data_dir
    wanted = {"generator": GENERATOR, "version": GENERATOR_VERSION,
              "scale": scale, "seed": seed, "inputs_sha256": national_scale.inputs_fingerprint(settings)}
    found = national_scale.parameters_of(data_dir) or {}
    for leftover in data_dir.glob("releases/*/*/*/release.yaml"):   # a bench stopped midway keeps its correction
        if str(yaml.safe_load(leftover.read_text(encoding="utf-8")).get("reason", "")).startswith(BENCH_REASON):
            shutil.rmtree(leftover.parent)
    if {k: found.get(k) for k in wanted} == wanted:
        say(f"data: {data_dir} (generated before: {found['generated_rows']:,} rows, "
            f"{found['generated_bytes'] / 1e6:.0f} MB)")
        return data_dir
    started = time.monotonic()
    say(f"data: generating scale {scale}, seed {seed} into {data_dir} ...")
    summary = national_scale.generate(settings, data_dir, scale=scale, seed=seed)
    say(f"data: {summary.releases} releases, {summary.rows:,} rows, {summary.bytes / 1e6:.0f} MB, "
        f"{summary.communes:,} communes in {time.monotonic() - started:.0f}s")
    return data_dir


def corrected_edition(data_dir: Path, index_dir: str, year: int, reason: str) -> Path:
    """A new edition of the latest release of index/year with the first score lowered by 0.01 (the bench's
    correction). Files are copied line by line: this process stays small."""
    releases = data_dir / "releases" / index_dir / str(year)
    latest = max((p for p in releases.iterdir() if p.is_dir()), key=lambda p: int(p.name))
    doc = yaml.safe_load((latest / "release.yaml").read_text(encoding="utf-8"))
    folder = releases / str(int(latest.name) + 1)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for item in doc["files"]:
        with (latest / item["name"]).open(encoding="utf-8") as source, \
                (folder / item["name"]).open("w", encoding="utf-8") as target:
            header = source.readline()
            fields = source.readline().split(",")
            column = header.strip().split(",").index("score")
            fields[column] = f"{float(fields[column]) - 0.01:.2f}"
            target.write(header + ",".join(fields))
            shutil.copyfileobj(source, target)
        item["sha256"] = packages.sha256_of(folder / item["name"])
    doc.update(edition=int(latest.name) + 1, reason=reason)
    (folder / "release.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def dag_parse_seconds(settings: Settings) -> dict[str, float]:
    """Seconds Airflow's DagBag takes to parse each DAG file (after Airflow itself is imported)."""
    code = ("import json, sys; from airflow.dag_processing.dagbag import DagBag; "
            "bag = DagBag(dag_folder=sys.argv[1]); "
            "assert not bag.import_errors, bag.import_errors; "
            "print(json.dumps({s.file: s.duration.total_seconds() for s in bag.dagbag_stats}))")
    times = {}
    for path in sorted((config.PROJECT_ROOT / "dags").glob("*.py")):
        out = subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True,
                             env=airflow_local.airflow_env(settings))
        times[path.name] = max(json.loads(out.stdout.strip().splitlines()[-1]).values())
    return times


def pipeline(settings: Settings, what: str, *selection: str) -> dict:
    say(f"pipeline: {what} ...")
    result = child("pipeline_stages.py", list(selection), settings)
    result["total"] = sum(result["seconds"].values())
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in result["seconds"].items())
    say(f"pipeline: {what}: {result['total']:.1f}s ({stages}); {result['rows_landed']:,} rows landed, "
        f"{result['rows_published']:,} published; ingest peak RSS {result['ingest_peak_rss_mib']:.0f} MiB")
    say(f"pipeline: {what}: dbt ran {result['dbt_nodes']} nodes, the slowest "
        + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in result["dbt_slowest"]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="communes = 3,321 × scale (default 1.0)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    settings = Settings.from_environment()
    warehouse.start(settings)
    data_dir = generated(settings, args.scale, args.seed)
    input_rows = (national_scale.parameters_of(data_dir) or {}).get("generated_rows", 0)

    say("DAG files: parse time ...")
    parse = dag_parse_seconds(settings)
    say("DAG files: " + ", ".join(f"{name} {seconds:.3f}s" for name, seconds in parse.items()))

    say("baseline: COPY of the files + one INSERT … SELECT per mart ...")
    baseline_db = replace(fresh_database(settings, BASELINE_DB), data_dir=data_dir)
    baseline = child("baseline.py", [], baseline_db)
    say(f"baseline: {baseline['seconds']:.1f}s (COPY {baseline['copy_seconds']:.1f}s, "
        f"{baseline['rows_copied']:,} rows); marts: " + ", ".join(f"{k} {v:,}" for k, v in baseline["mart_rows"].items()))

    pipeline_db = replace(fresh_database(settings, PIPELINE_DB), data_dir=data_dir)
    full = pipeline(pipeline_db, f"full refresh ({DAG_LOADS} loads at a time, as the DAG)", "--loads", str(DAG_LOADS))
    national = corrected_edition(data_dir, "pci", 2020, f"{BENCH_REASON} one value corrected by the publisher")
    commune = corrected_edition(data_dir, "provincial_par", 2026,
                                f"{BENCH_REASON} one value of the quarterly delivery corrected")
    try:
        fix = pipeline(pipeline_db, "correction of one national release (PCI 2020)",
                       "--index", "PCI", "--year", "2020")
        fix_commune = pipeline(pipeline_db, "correction of one quarterly commune delivery (2026)",
                               "--index", "PROVINCIAL_PAR", "--year", "2026")
    finally:
        shutil.rmtree(national)
        shutil.rmtree(commune)

    loads = {}
    for workers in (1, 2):
        say(f"parallel loads: the ingest of every release with {workers} load(s) at a time ...")
        loads[workers] = child("parallel_loads.py", ["--workers", str(workers)],
                               replace(fresh_database(settings, LOADS_DB), data_dir=data_dir))
        say(f"parallel loads: {workers}: {loads[workers]['seconds']:.1f}s ({loads[workers]['groups']} groups, "
            f"{loads[workers]['rows_landed']:,} rows; slowest group {loads[workers]['slowest_group'][0]} "
            f"{loads[workers]['slowest_group'][1]:.1f}s)")

    rows_per_second = full["rows_landed"] / full["total"]
    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, Python {platform.python_version()}, "
          f"scale {args.scale}: {input_rows:,} generated rows; bench took {time.monotonic() - started:.0f}s")
    print(f"ingest peak RSS: {full['ingest_peak_rss_mib']:.0f} MiB (full refresh, files up to "
          f"{max(p.stat().st_size for p in data_dir.glob('releases/*/*/*/*.csv')) / 1e6:.0f} MB)")
    print(f"rows per second: pipeline {rows_per_second:,.0f} (full refresh, rows landed / total time); "
          f"baseline {baseline['rows_copied'] / baseline['seconds']:,.0f}")
    print(f"commune delivery correction: {fix_commune['rows_published']:,} rows published (its release's history "
          "+ the year's fct_unit_score, gap, points lost)")
    print(f"parallel loads (ingest alone, {os.cpu_count()} cores): 1 load {loads[1]['seconds']:.1f}s, 2 loads "
          f"{loads[2]['seconds']:.1f}s: speed-up {loads[1]['seconds'] / loads[2]['seconds']:.2f}")
    ratios = {"full refresh / baseline": full["total"] / baseline["seconds"],
              "national correction / full refresh": fix["total"] / full["total"],
              "commune correction / full refresh": fix_commune["total"] / full["total"],
              "ingest peak RSS (MB)": full["ingest_peak_rss_mib"] * 2**20 / 1e6,
              "DAG parse (s, slowest file)": max(parse.values())}
    for name, value in ratios.items():
        verdict = "meets" if value <= GOALS[name] else "MISSES"
        print(f"{name:<34} {value:8.3f}   goal ≤ {GOALS[name]:<5} {verdict}")


if __name__ == "__main__":
    main()
