"""Progress lines: stage, what happened, elapsed. Long work should never be silent."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager

_START = time.monotonic()


def log(stage: str, message: str) -> None:
    print(f"[{time.monotonic() - _START:7.1f}s] {stage:<10} {message}", file=sys.stderr, flush=True)


@contextmanager
def timed(stage: str, what: str):
    started = time.monotonic()
    log(stage, f"{what} ...")
    yield
    log(stage, f"{what} done in {time.monotonic() - started:.1f}s")
