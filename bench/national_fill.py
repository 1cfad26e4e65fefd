"""Time of the anchored synthetic fill: every report's packages built into a temp dir (ratios, not a test).

    .venv/bin/python bench/national_fill.py
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from ingest.core.config import Settings
from ingest.curation import packaging

REPORTS = ("par_index_2024_analysis", "par_pci_2019_analysis", "par_sipas_2023_plan", "papi_2024_report")


def main() -> None:
    settings = Settings.from_environment()
    with tempfile.TemporaryDirectory() as tmp:
        total_started = time.monotonic()
        for report in REPORTS:
            started = time.monotonic()
            written = packaging.build(settings, settings.source_reports_dir / report, releases_dir=Path(tmp))
            rows = sum(len((m.parent / "synthetic.csv").read_text(encoding="utf-8").splitlines()) - 1
                       for m in written if (m.parent / "synthetic.csv").exists())
            print(f"{report:<26} {len(written)} releases, {rows:>5} synthetic rows in {time.monotonic() - started:.2f}s")
        print(f"{'all':<26} {time.monotonic() - total_started:.2f}s")


if __name__ == "__main__":
    main()
