"""conflicts.csv beside a package's scores.csv: every fact the package holds that its report prints with different
values, one row per candidate value (the layout and its reader: ingest/sources/printed_conflicts.py)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ingest.curation import audit
from ingest.curation.audit.facts import FactKey
from ingest.sources.packages import sha256_of
from ingest.sources.printed_conflicts import COLUMNS, FILE, LAYOUT


def rows(examined: audit.Examined, keys: list[FactKey], report: str, code_map: dict[str, str]) -> list[list[str]]:
    """The candidates of the facts (of a package) that are printed with different values."""
    found = []
    for key in keys:
        resolution = examined.resolutions.get(key)
        if resolution is None:
            continue
        for weighed in resolution.weighed:
            candidate = weighed.candidate
            printed, place = candidate.first_printed
            found.append([key[4], key[3], code_map.get(key[5], key[5]), key[6], key[7], resolution.status,
                          str(printed.value), "true" if candidate is resolution.chosen else "false", candidate.refs,
                          str(weighed.support), " | ".join(weighed.reasons), resolution.reason,
                          f"{report} {place.source_ref}"])
    return found


def write(folder: Path, conflict_rows: list[list[str]]) -> list[dict]:
    """Write conflicts.csv (or remove a stale one); return its manifest entry, if any."""
    path = folder / FILE
    path.unlink(missing_ok=True)
    if not conflict_rows:
        return []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(sorted(conflict_rows, key=lambda r: (r[1], r[0], r[2], r[3], r[4], r[7] != "true")))
    path.write_text(out.getvalue(), encoding="utf-8")
    return [{"name": FILE, "sha256": sha256_of(path), "layout": LAYOUT}]
