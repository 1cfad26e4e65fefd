"""Plans: data/plans/<plan_id>/plan.yaml with targets.csv (targets) and/or owners.csv (responsible departments).

A plan is a document of the province that sets targets for an index (a % of the maximum, a rank range,
a rank gain) and names the departments responsible. Its files are checked row by row before the
database is touched (errors name file, row and column) and land in raw.plans / raw.targets /
raw.component_owners in one transaction per plan. A changed plan is a new load of the same plan_id;
the latest load is in force, and a plan folder that disappears is recorded as withdrawn.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from psycopg2.extras import execute_values

from ingest.core import db, run_lock
from ingest.core.config import Settings
from ingest.core.errors import InputError, display_path, shown
from ingest.core.log import log
from ingest.sources import packages, readers
from ingest.sources.reference import UnitDirectory, normalise, unit_directory

# metric -> what it is compared with: a share of the maximum / the index value itself, or a rank.
METRICS = {
    "pct_of_max_min": "score",   # pct_of_max above (or at least) the value
    "pct_min": "score",          # the index value, itself a percentage (SIPAS), above (or at least) the value
    "rank_min": "rank",          # the better end of a rank range (a rank above it beats the range)
    "rank_max": "rank",          # the worse end of a rank range
    "rank_gain_min": "rank",     # places gained on the previous year, at least
    "rank_gain_max": "rank",     # places gained, at most (the upper end of "3-5 places")
    "other": "other",            # a target the marts cannot measure (no figure, or no component)
}
BOUNDS = ("above", "at_least")   # "Trên X%" (strictly above) | "Từ X% trở lên" (X or more)
TARGET_COLUMNS = ("index_code", "target_year", "unit_name_vi", "unit_type", "component_code", "metric", "value",
                  "source_ref")
TARGET_OPTIONAL = ("bound", "target_printed", "owner_vi", "verdict_printed", "result_printed", "result_source_ref",
                   "section")
OWNER_COLUMNS = ("index_code", "year", "unit_name_vi", "unit_type", "component_code", "owner_vi", "source_ref")
FILE_NAMES = ("targets.csv", "owners.csv")


@dataclass(frozen=True)
class Plan:
    path: Path                       # the plan.yaml
    plan_id: str
    plan_ref: str
    title: str | None
    issued_by: str
    issued_on: dt.date | None
    source: str
    files: dict[str, str]            # file name -> sha256


@dataclass
class PlanFiles:
    targets: list[tuple] = field(default_factory=list)
    owners: list[tuple] = field(default_factory=list)


def read_manifest(path: Path) -> Plan:
    doc = packages.read_yaml_mapping(path, "plan metadata")
    plan_id = packages._require(doc, "plan_id", path)
    if plan_id != path.parent.name:
        raise InputError(path, f"plan_id {shown(plan_id)} differs from its folder {shown(path.parent.name)}",
                         column="plan_id")
    issued_on = doc.get("issued_on")
    if issued_on is not None and not isinstance(issued_on, dt.date):
        raise InputError(path, f"'issued_on' must be a date (YYYY-MM-DD), got {shown(issued_on)}", column="issued_on")
    files = {}
    for item in packages._require(doc, "files", path, list):
        name = item.get("name") if isinstance(item, dict) else None
        if name not in FILE_NAMES or not packages.SHA256.fullmatch(str(item.get("sha256"))):
            raise InputError(path, f"each file is one of {FILE_NAMES} with a 'sha256' of 64 hex digits, got {shown(item)}",
                             column="files")
        files[name] = str(item["sha256"]).lower()
    return Plan(path, plan_id, normalise(packages._require(doc, "plan_ref", path)), doc.get("title"),
                packages._require(doc, "issued_by", path), issued_on, packages._require(doc, "source", path), files)


def _unit(units, path: Path, line: int, record: dict[str, str]) -> tuple[str, str]:
    code, _rule = units.match(record["unit_type"].strip(), record["unit_name_vi"])
    if code is None:
        raise InputError(path, f"unknown {record['unit_type'].strip()} {shown(normalise(record['unit_name_vi']))}: not in "
                               "data/reference", line, "unit_name_vi")
    return code, units.name_of(record["unit_type"].strip(), code)


def _year(path: Path, line: int, record: dict[str, str], column: str) -> int:
    year = readers.parse_int(record[column], path, line, column)
    if year is None or not 1990 <= year <= 2100:
        raise InputError(path, f"expected a year, got {shown(record[column])}", line, column)
    return year


def _check_value(path: Path, line: int, metric: str, value: Decimal | None, bound: str) -> None:
    kind = METRICS[metric]
    if value is None and kind != "other":
        raise InputError(path, f"metric {metric} needs a value", line, "value")
    if kind == "score":
        if bound not in BOUNDS:
            raise InputError(path, f"metric {metric} needs a bound, one of {BOUNDS} ('Trên X%' = above, "
                                   f"'Từ X% trở lên' = at_least), got {shown(bound)}", line, "bound")
        if not 0 <= value <= 100:
            raise InputError(path, f"a percentage between 0 and 100, got {value}", line, "value")
    elif bound:
        raise InputError(path, f"bound applies to percentage metrics only, not to {metric}", line, "bound")
    if kind == "rank" and value != value.to_integral_value():
        raise InputError(path, f"a whole number of places, got {value}", line, "value")
    if metric in ("rank_min", "rank_max") and value < 1:
        raise InputError(path, f"a rank is 1 or more, got {value}", line, "value")


def read_targets(path: Path, units: UnitDirectory) -> list[tuple]:
    records, _ = readers.read_csv_records(path, None, TARGET_COLUMNS, TARGET_OPTIONAL)
    rows, seen, ranges = [], {}, {}
    for line, record in records:
        record = {k: (v or "").strip() for k, v in record.items()}
        metric = record["metric"]
        if metric not in METRICS:
            raise InputError(path, f"unknown metric {shown(metric)}; expected one of {', '.join(METRICS)}", line, "metric")
        if not record["component_code"] and metric != "other":
            raise InputError(path, f"metric {metric} needs a component_code", line, "component_code")
        if not record["source_ref"]:
            raise InputError(path, "source_ref is empty; say where the target is printed", line, "source_ref")
        value = readers.parse_decimal(record["value"], path, line, "value") if record["value"] else None
        bound = record.get("bound", "")
        _check_value(path, line, metric, value, bound)
        result = record.get("result_printed", "")
        result_value = readers.parse_decimal(result, path, line, "result_printed") if result else None
        if result_value is not None and not record.get("result_source_ref"):
            raise InputError(path, "a printed result needs its result_source_ref", line, "result_source_ref")
        unit_code, unit_name = _unit(units, path, line, record)
        year = _year(path, line, record, "target_year")
        key = (record["index_code"], year, unit_code, record["component_code"], metric, record["source_ref"])
        if key in seen:
            raise InputError(path, f"the same target is already given at row {seen[key]}", line, "metric")
        seen[key] = line
        if metric in ("rank_min", "rank_max"):
            ranges.setdefault(key[:4] + (record["source_ref"],), {})[metric] = (value, line)
        rows.append((line, record["index_code"], year, unit_name, unit_code, record["unit_type"],
                     record["component_code"] or None, metric, value, bound or None,
                     normalise(record.get("target_printed", "")) or None, normalise(record.get("owner_vi", "")) or None,
                     normalise(record.get("verdict_printed", "")) or None, result_value,
                     record.get("result_source_ref") or None, record.get("section") or None, record["source_ref"]))
    for bounds in ranges.values():
        if "rank_min" in bounds and "rank_max" in bounds and bounds["rank_min"][0] > bounds["rank_max"][0]:
            raise InputError(path, f"rank range {bounds['rank_min'][0]}-{bounds['rank_max'][0]}: rank_min is after "
                                   f"rank_max (row {bounds['rank_min'][1]})", bounds["rank_max"][1], "value")
    if not rows:
        raise InputError(path, "has no data rows", row=2)
    return rows


def read_owners(path: Path, units: UnitDirectory) -> list[tuple]:
    records, _ = readers.read_csv_records(path, None, OWNER_COLUMNS)
    rows, seen = [], {}
    for line, record in records:
        record = {k: (v or "").strip() for k, v in record.items()}
        for column in ("component_code", "owner_vi", "source_ref"):
            if not record[column]:
                raise InputError(path, f"{column} is empty", line, column)
        unit_code, unit_name = _unit(units, path, line, record)
        year = _year(path, line, record, "year")
        key = (record["index_code"], year, unit_code, record["component_code"])
        if key in seen:
            raise InputError(path, f"{record['component_code']} already has an owner at row {seen[key]}", line,
                             "component_code")
        seen[key] = line
        rows.append((line, record["index_code"], year, unit_name, unit_code, record["unit_type"],
                     record["component_code"], normalise(record["owner_vi"]), record["source_ref"]))
    return rows


def read_plan(manifest: Path, units: UnitDirectory) -> tuple[Plan, PlanFiles]:
    """Everything checked before the database is touched."""
    packages.check_inside(manifest, manifest.parent, manifest)
    plan = read_manifest(manifest)
    files = PlanFiles()
    for name, sha in plan.files.items():
        path = manifest.parent / name
        packages.check_inside(path, manifest.parent, manifest)   # a link out of the plan's folder is refused
        actual = packages.sha256_of(path)
        if actual != sha:
            raise InputError(path, f"sha256 is {actual} but plan.yaml says {sha}; update plan.yaml when the plan's "
                                   "file changes (the new content becomes the plan in force)")
        if name == "targets.csv":
            files.targets = read_targets(path, units)
        else:
            files.owners = read_owners(path, units)
    return plan, files


def load_plan(settings: Settings, manifest: Path, run_id: str) -> str:
    """Load one plan in one transaction; returns loaded | unchanged."""
    plan, files = read_plan(manifest, unit_directory(settings.reference_dir))
    manifest_sha = packages.sha256_of(manifest)
    with db.transaction(settings.warehouse) as cur:
        run_lock.share(cur, settings, f"load plan {plan.plan_id}")
        cur.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"plan:{plan.plan_id}",))
        cur.execute("select manifest_sha256 from raw.plans where plan_id = %s order by plan_load_id desc limit 1",
                    (plan.plan_id,))
        latest = cur.fetchone()
        if latest and latest[0] == manifest_sha:
            cur.execute("insert into audit.load_log (run_id, release_id, action, rows) values (%s, %s, 'unchanged', 0)",
                        (run_id, f"plan:{plan.plan_id}"))
            return "unchanged"
        cur.execute(
            "insert into raw.plans (plan_id, manifest_sha256, manifest_path, plan_ref, title, issued_by, issued_on, "
            "source) values (%s, %s, %s, %s, %s, %s, %s, %s) returning plan_load_id",
            (plan.plan_id, manifest_sha, display_path(manifest), plan.plan_ref, plan.title, plan.issued_by,
             plan.issued_on, plan.source))
        (load_id,) = cur.fetchone()
        for name, sha in plan.files.items():
            source_file = display_path(manifest.parent / name)
            if name == "targets.csv":
                execute_values(cur, """
                    insert into raw.targets (plan_load_id, plan_id, file_sha256, source_file, source_row, index_code,
                        target_year, unit_name, unit_code, unit_type, component_code, metric, value, bound,
                        target_printed, owner_vi, verdict_printed, result_printed, result_source_ref, section,
                        source_ref) values %s""",
                    [(load_id, plan.plan_id, sha, source_file, *row) for row in files.targets])
            else:
                execute_values(cur, """
                    insert into raw.component_owners (plan_load_id, plan_id, file_sha256, source_file, source_row,
                        index_code, year, unit_name, unit_code, unit_type, component_code, owner_vi, source_ref)
                    values %s""",
                    [(load_id, plan.plan_id, sha, source_file, *row) for row in files.owners])
        rows = len(files.targets) + len(files.owners)
        cur.execute("insert into audit.load_log (run_id, release_id, action, rows) values (%s, %s, 'loaded', %s)",
                    (run_id, f"plan:{plan.plan_id}", rows))
    log("ingest", f"plan {plan.plan_id}: loaded {len(files.targets)} target(s), {len(files.owners)} owner(s)")
    return "loaded"


def load_all(settings: Settings, run_id: str) -> list[str]:
    """Load every plan under data/plans; record plans whose folder is gone as withdrawn. Returns plan ids."""
    manifests = sorted(settings.plans_dir.glob("*/plan.yaml"))
    for manifest in manifests:
        load_plan(settings, manifest, run_id)
    present = [m.parent.name for m in manifests]
    with db.transaction(settings.warehouse) as cur:
        run_lock.share(cur, settings, "withdraw plans")
        cur.execute("""
            insert into raw.plans (plan_id, manifest_sha256, manifest_path, plan_ref, issued_by, source)
            select plan_id, 'absent', manifest_path, plan_ref, issued_by, source
            from (select distinct on (plan_id) * from raw.plans order by plan_id, plan_load_id desc) as latest
            where manifest_sha256 <> 'absent' and not plan_id = any(%s)
            returning plan_id""", (present,))
        for (plan_id,) in cur.fetchall():
            log("ingest", f"plan {plan_id}: its folder is gone; recorded as withdrawn")
    return present
