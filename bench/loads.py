"""The ingest as the DAG runs it: the index-year groups loaded by N processes at a time (list_releases →
ingest_release.expand, Airflow's parallelism 2 in docker/compose.yaml), each group's editions in order."""
from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ingest.core.config import Settings
from ingest.wap import pipeline


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM: of its own image, not of the parent it was forked from, which
    getrusage's ru_maxrss would report when the parent was larger)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _load_group(group: str, run_id: str) -> tuple[str, float, float]:
    started = time.monotonic()
    pipeline.ingest_group(Settings.from_environment(), group, run_id)
    return group, time.monotonic() - started, peak_rss_mib()


def load_groups(settings: Settings, groups: list[str], workers: int, run_id: str) -> list[tuple[str, float, float]]:
    """Load `groups` with `workers` processes; (group, seconds, peak RSS MiB of the process that loaded it) each."""
    # The biggest groups first (they hold the commune deliveries), so no worker is left alone with one at the end.
    sizes = {g: sum(p.stat().st_size for p in settings.releases_dir.glob(f"{g.split('/')[0].lower()}/"
                                                                            f"{g.split('/')[1]}/*/*.csv"))
             for g in groups}
    ordered = sorted(groups, key=sizes.get, reverse=True)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_load_group, ordered, [run_id] * len(ordered)))
