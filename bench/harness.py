"""What the bench scripts share: progress lines, fresh databases and child processes that answer in JSON."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ingest.core import db
from ingest.core.config import Settings

BENCH_DIR = Path(__file__).resolve().parent


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def fresh_database(settings: Settings, name: str) -> Settings:
    """Drop `name` on the warehouse server and bootstrap it again (raw, audit, marts, bi_reader); its settings."""
    fresh = settings.on_database(name)
    db.drop_database(db.admin(fresh))
    db.bootstrap(fresh)
    return fresh


def child(script: str, args: list[str], settings: Settings) -> dict:
    """Run bench/<script> in a child process with `settings` (its database and data dir); its last stdout line
    is JSON."""
    env = {**os.environ, **settings.environment(), "PYTHONUNBUFFERED": "1"}
    done = subprocess.run([sys.executable, str(BENCH_DIR / script), *args], env=env, stdout=subprocess.PIPE,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: {script} {' '.join(args)} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])
