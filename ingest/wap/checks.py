"""Great Expectations checkpoint over the candidate marts (the audit of write-audit-publish).

Suites live in git (expectations/*.json). Each run uses its own file context under .state/gx, guarded
by a file lock: the file context writes its configuration on use, so two runs must not share it at once.
Results go to Data Docs and to the warehouse (audit.validation_runs, audit.findings).
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.core import config, db
from ingest.core.config import Settings
from ingest.core.errors import Refusal
from ingest.core.faults import failpoint
from ingest.core.log import log, timed

# Suites and the candidate table each one validates.
SUITES = {"fct_component_score": "fct_component_score",
          # per index, and the national releases (complete coverage, ranks, synthetic fill)
          "par_index": "fct_component_score", "sipas": "fct_component_score", "papi": "fct_component_score",
          "pci": "fct_component_score", "national_release": "fct_component_score"}
# Targets and their verdicts (data/plans): conflicting targets and disagreeing printed verdicts are warnings.
SUITES.update({"fct_target": "fct_target", "fct_target_attainment": "fct_target_attainment"})

# A province's own index of its departments and districts (index PROVINCIAL_PAR): its own suites.
UNIT_SCORE_INDEX = config.PROVINCIAL_INDEX
UNIT_SCORE_SUITES = {"fct_unit_score": "fct_unit_score", "fct_unit_score_history": "fct_unit_score_history"}
SUITES.update(UNIT_SCORE_SUITES)


def suites_for(partitions: list[str]) -> list[str]:
    """The suites that check the candidate of these partitions (INDEX/YEAR); every suite for a full refresh.

    A run of the province's own index only builds unit facts, so the national suites (which expect national
    scores in the candidate) are not run on it, and the other way round.
    """
    if not partitions:
        return list(SUITES)
    indices = {partition.split("/")[0] for partition in partitions}
    chosen = [name for name in SUITES if name not in UNIT_SCORE_SUITES] if indices - {UNIT_SCORE_INDEX} else []
    return chosen + (list(UNIT_SCORE_SUITES) if UNIT_SCORE_INDEX in indices else [])


@dataclass
class Finding:
    severity: str
    expectation: str
    release_id: str | None = None
    unit_code: str | None = None
    component_code: str | None = None
    observed: str | None = None
    expected: str | None = None
    source_ref: str | None = None


@dataclass
class ValidationOutcome:
    suite: str
    success: bool
    evaluated: int
    blocking: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    data_docs: str | None = None


class BlockingCheckFailed(Refusal):
    """A critical expectation failed: nothing is published (the command line exits 2, an Airflow task fails
    without retries)."""


@contextmanager
def _context_lock(state_dir: Path):
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "gx.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_suite(expectations_dir: Path, name: str):
    """A suite of expectations/ as Great Expectations runs it: its unexpected-rows queries run once each."""
    import great_expectations as gx

    from ingest.wap.gx_counted import counted_once

    doc = json.loads((expectations_dir / f"{name}.json").read_text(encoding="utf-8"))
    return gx.ExpectationSuite(name=doc["name"], expectations=[counted_once(e) for e in doc["expectations"]],
                               meta=doc.get("meta", {}))


def _check_name(expectation) -> str:
    return (expectation.meta or {}).get("check") or expectation.expectation_type


def _findings(result, severity: str) -> list[Finding]:
    """Turn one failed expectation result into findings with their location."""
    name = _check_name(result.expectation_config)
    details = (result.result or {}).get("details") or {}
    rows = details.get("unexpected_rows")
    if rows:
        return [Finding(severity, name, **{k: (str(v) if v is not None else None) for k, v in row.items()
                                          if k in Finding.__dataclass_fields__}) for row in rows]
    observed = (result.result or {}).get("observed_value")
    unexpected = (result.result or {}).get("partial_unexpected_list")
    return [Finding(severity, name, observed=str(unexpected or observed),
                    expected=result.expectation_config.description)]


# Runs of each suite kept in the local Data Docs. Every checkpoint rebuilds the docs index from all stored
# results (seconds per run once hundreds pile up); audit.validation_runs and audit.findings keep the history.
KEEP_DOCS_RUNS = 3


def data_docs_dir(gx_project_dir: Path) -> Path:
    """Where the file context rooted at settings.gx_project_dir builds its Data Docs site."""
    return gx_project_dir / "gx" / "uncommitted" / "data_docs" / "local_site"


def _prune_local_results(gx_project_dir: Path, keep: int = KEEP_DOCS_RUNS) -> None:
    """Drop all but the newest `keep` runs of each suite from the validation store and its Data Docs pages."""
    store = gx_project_dir / "gx" / "uncommitted" / "validations"
    pages = data_docs_dir(gx_project_dir) / "validations"
    for suite_dir in (store.iterdir() if store.is_dir() else []):
        if not suite_dir.is_dir():
            continue
        runs = sorted(p for p in suite_dir.glob("*/*") if p.is_dir())   # <run name>/<run time>, time-ordered names
        for run in runs[:-keep] if len(runs) > keep else []:
            for root in (store, pages):
                shutil.rmtree(root / run.relative_to(store), ignore_errors=True)


def validate_candidate(settings: Settings, schema: str, run_id: str,
                       suites: list[str] | None = None) -> list[ValidationOutcome]:
    """Run the suites (all by default) on the candidate schema; record results; raise when a critical check fails."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig

    outcomes = []
    wh = settings.warehouse
    with _context_lock(settings.state_dir), timed("checks", f"Great Expectations checkpoint on {schema}"):
        _prune_local_results(settings.gx_project_dir)
        context = gx.get_context(mode="file", project_root_dir=str(settings.gx_project_dir))
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        source = context.data_sources.add_or_update_postgres(
            name="candidate", connection_string=wh.sqlalchemy_url(search_path=schema))
        batches, definitions = {}, []   # several suites validate the same table: one asset and batch per table
        for suite_name, table in SUITES.items():
            if suites is not None and suite_name not in suites:
                continue
            if table not in batches:
                asset = source.add_table_asset(name=table, table_name=table)
                batches[table] = asset.add_batch_definition_whole_table(name="whole table")
            suite = context.suites.add_or_update(load_suite(settings.expectations_dir, suite_name))
            definitions.append(context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=suite_name, data=batches[table], suite=suite)))
        if not definitions:
            raise ValueError(f"no suite to run among {suites}")
        # One checkpoint for the chosen suites: Data Docs are rebuilt once, not once per suite. It is named after
        # them, since the stored checkpoint of another choice names assets this run does not define.
        checkpoint = context.checkpoints.add_or_update(gx.Checkpoint(
            name="publish_" + "-".join(d.name for d in definitions), validation_definitions=definitions,
            actions=[UpdateDataDocsAction(name="data_docs")], result_format={"result_format": "COMPLETE"}))
        failpoint(settings, "checks.running")
        result = checkpoint.run()
        sites = context.get_docs_sites_urls()
        by_suite = {validation.suite_name: validation for validation in result.run_results.values()}
        for suite_name in [name for name in SUITES if name in by_suite]:
            validation = by_suite[suite_name]
            outcome = ValidationOutcome(suite_name, True, len(validation.results))
            for item in validation.results:
                if item.success:
                    continue
                severity = str(item.expectation_config.severity.value)
                found = _findings(item, severity)
                (outcome.blocking if severity == "critical" else outcome.warnings).extend(found)
            outcome.success = not outcome.blocking
            outcome.data_docs = sites[0]["site_url"] if sites else None
            outcomes.append(outcome)
    _record(wh, outcomes, schema, run_id)
    for outcome in outcomes:
        log("checks", f"{outcome.suite}: {outcome.evaluated} expectations, {len(outcome.blocking)} blocking "
                      f"failures, {len(outcome.warnings)} warnings; Data Docs {outcome.data_docs}")
    failed = [f for o in outcomes for f in o.blocking]
    if failed:
        names = sorted({f.expectation for f in failed})
        sample = "; ".join(f"{f.release_id} {f.unit_code} {f.component_code}: {f.observed} (expected {f.expected})"
                           for f in failed[:5])
        raise BlockingCheckFailed(
            f"blocking checks failed on {schema} ({', '.join(names)}): {sample}. Nothing was published. Every finding "
            f"is in audit.findings (run_id {run_id}) and the Data Docs; correct the input (a corrected file, or a new "
            "edition with a reason) and run again: an edition refused here is replaced or, once its folder is "
            "removed, discarded by the next run.")
    return outcomes


def _record(wh: config.Warehouse, outcomes: list[ValidationOutcome], schema: str, run_id: str) -> None:
    with db.transaction(wh) as cur:
        for o in outcomes:
            cur.execute("delete from audit.validation_runs where run_id = %s and suite_name = %s", (run_id, o.suite))
            cur.execute(
                "insert into audit.validation_runs (run_id, suite_name, candidate, success, blocking_failed, "
                "warnings, evaluated, data_docs) values (%s, %s, %s, %s, %s, %s, %s, %s)",
                (run_id, o.suite, schema, o.success, len(o.blocking), len(o.warnings), o.evaluated, o.data_docs))
            cur.execute("delete from audit.findings where run_id = %s and expectation in %s",
                        (run_id, tuple({f.expectation for f in o.blocking + o.warnings} or {""})))
            for f in o.blocking + o.warnings:
                cur.execute(
                    "insert into audit.findings (run_id, severity, expectation, release_id, unit_code, "
                    "component_code, observed, expected, source_ref) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (run_id, f.severity, f.expectation, f.release_id, f.unit_code, f.component_code, f.observed,
                     f.expected, f.source_ref))
