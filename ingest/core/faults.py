"""Failpoints: named places where a test can pause or freeze the pipeline to crash it on purpose.

GOVWH_FAILPOINT=<name> freezes the process at that place (after writing .state/failpoints/<name>),
so a test can SIGKILL it there; GOVWH_FAILPOINT=<name>:<seconds> only pauses. Unset, they cost nothing.
"""
from __future__ import annotations

import os
import time

from ingest.core import config


def failpoint(name: str) -> None:
    wanted = os.environ.get("GOVWH_FAILPOINT")
    if not wanted:
        return
    point, _, seconds = wanted.partition(":")
    if point != name:
        return
    if seconds:
        time.sleep(float(seconds))
        return
    marker = config.STATE_DIR / "failpoints" / name
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(os.getpid()))
    while True:            # frozen until killed
        time.sleep(1)
