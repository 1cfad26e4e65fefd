"""Failpoints: named places where a test can pause or freeze the pipeline to crash it on purpose.

settings.failpoint = "<name>" (GOVWH_FAILPOINT) freezes the process at that place (after writing
<state dir>/failpoints/<name>), so a test can SIGKILL it there; "<name>:<seconds>" only pauses. Unset, they cost nothing.
"""
from __future__ import annotations

import os
import time

from ingest.core.config import Settings


def failpoint(settings: Settings, name: str) -> None:
    if not settings.failpoint:
        return
    point, _, seconds = settings.failpoint.partition(":")
    if point != name:
        return
    if seconds:
        time.sleep(float(seconds))
        return
    marker = settings.state_dir / "failpoints" / name
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(os.getpid()))
    while True:            # frozen until killed
        time.sleep(1)
