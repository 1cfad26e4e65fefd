"""Command line of the warehouse: `python -m ingest.cli <command>` (also installed as `govwh`).

Every refusal ends with one line `error: <what, where, what to do>` on stderr and a non-zero exit (2 bad input or a
blocking check, 3 the warehouse does not answer, 4 the run lock stayed busy, 1 anything unexpected); `--debug`
shows the traceback instead."""
from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from ingest.core.config import Settings
from ingest.core.errors import Refusal, unreachable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govwh", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    parser.add_argument("--lock-wait", type=float, metavar="SECONDS",
                        help="how long to wait for another run's lock on the warehouse (default GOVWH_LOCK_WAIT, 3600)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("db-start", help="start the embedded PostgreSQL (or check WAREHOUSE_URL) and bootstrap it")
    sub.add_parser("db-stop", help="stop the embedded PostgreSQL")
    sub.add_parser("db-url", help="print a libpq URL of the warehouse")
    pipe = sub.add_parser("pipeline", help="ingest → dbt → checks → publish, without Airflow")
    pipe.add_argument("--index", help="an index code of data/reference/indices.csv (default: every index)")
    pipe.add_argument("--year", type=int)
    retract = sub.add_parser("retract", help="withdraw a loaded edition (recorded with the reason) and publish its "
                                             "partition again without it")
    retract.add_argument("index")
    retract.add_argument("year", type=int)
    retract.add_argument("edition", type=int)
    retract.add_argument("--reason", required=True, help="why it is withdrawn (kept in audit.withdrawals)")
    dag = sub.add_parser("run-dag", help="run a DAG once through Airflow (airflow dags test)")
    dag.add_argument("dag_id")
    dag.add_argument("--conf", default="{}", help="JSON params, e.g. '{\"index\": \"PAR_INDEX\", \"year\": 2024}'")
    sub.add_parser("airflow-setup", help="prepare the project-local AIRFLOW_HOME")
    sub.add_parser("summary", help="print Lai Châu's PAR INDEX summary from the marts")
    need = sub.add_parser("points-needed", help="print the points a plan's rank targets need and the departments "
                                                "that can recover them (marts.fct_points_needed)")
    need.add_argument("--unit", default="Lai Châu")
    need.add_argument("--index", default="PAR_INDEX")
    need.add_argument("--year", type=int, help="the year of the results (default: the latest with rank targets)")
    need.add_argument("--plan", help="one plan_id (default: every plan with rank targets that year)")
    what = sub.add_parser("what-if", help="the ranks if a department recovers points on a criterion (from the marts)")
    what.add_argument("--unit", default="Lai Châu")
    what.add_argument("--index", default="PAR_INDEX")
    what.add_argument("--year", type=int, required=True)
    what.add_argument("--component", action="append", required=True, help="the criterion (repeat with --points)")
    what.add_argument("--points", action="append", required=True, type=Decimal, help="points recovered on it")
    sub.add_parser("docs", help="dbt docs of the published marts and the GX Data Docs, in .state/docs")
    serve = sub.add_parser("serve-docs", help="serve the documentation site and the province's reports over HTTP")
    serve.add_argument("--bind", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8190)
    sub.add_parser("superset-bundle", help="write docker/superset/bundle/ from the dashboard specs and the marts' docs")
    ui = sub.add_parser("superset-ui", help="Superset with the starter dashboard on the local marts (as bi_reader)")
    ui.add_argument("--port", type=int, default=8188)
    sub.add_parser("checksum", help="print a checksum of every published mart (equal after an idempotent rerun)")
    sub.add_parser("unit-summary", help="print the province's own index of departments and districts from the marts")
    new = sub.add_parser("new-release", help="write a release package from the files a ministry published")
    new.add_argument("index")
    new.add_argument("year", type=int)
    new.add_argument("files", nargs="+", type=Path)
    new.add_argument("--layout", help="the files' layout (canonical or a name in data/layouts; default: recognised)")
    new.add_argument("--publisher", help="default: the index's publisher in data/reference/indices.csv")
    new.add_argument("--published-on", type=date.fromisoformat, help="the publication date, YYYY-MM-DD")
    new.add_argument("--source", help="the decision or page the files come from")
    new.add_argument("--reason", help="why a second or later edition exists (a correction)")
    new.add_argument("--start-methodology", action="store_true",
                     help="no methodology version covers the year: start <year>.yaml from the previous one")
    pkg = sub.add_parser("package-report", help="write release packages from a report's transcribed figures")
    pkg.add_argument("report_dir")
    fill = sub.add_parser("fill-national", help="make a release's anchored synthetic fill again from its release.yaml")
    fill.add_argument("manifest", help="data/releases/<index>/<year>/<edition>/release.yaml with a 'fill' section")
    gen = sub.add_parser("generate-national-scale",
                         help="write a national-scale SYNTHETIC data directory for benchmarks (never into data/)")
    gen.add_argument("--out", type=Path, help="the data directory to write (default .state/bench/data)")
    gen.add_argument("--scale", type=float, default=1.0, help="communes = 3,321 × scale")
    gen.add_argument("--seed", type=int, default=1)
    conv = sub.add_parser("convert-layout", help="rewrite a wide table from one layout (data/layouts) into another")
    conv.add_argument("source")
    conv.add_argument("source_layout")
    conv.add_argument("target")
    conv.add_argument("target_layout")
    rep = sub.add_parser("report", help="write a province's analysis report (HTML and DOCX) from the marts")
    rep.add_argument("--unit", default="Lai Châu")
    rep.add_argument("--index", default="PAR_INDEX")
    rep.add_argument("--year", type=int, help="the year of the results (default: the latest published)")
    rep.add_argument("--out", type=Path, help="folder to write into (default .state/reports)")
    aud = sub.add_parser("audit-report", help="list the discrepancies of a published report's printed figures")
    aud.add_argument("report_dirs", nargs="+", help="data/reports/<report>, or a report document (.docx or text)")
    aud.add_argument("--out", type=Path, help="folder of the CSV files, one per report (default .state/audit)")
    aud.add_argument("--brief", action="store_true", help="one line per report instead of the table")
    ext = sub.add_parser("extract-report", help="the printed facts of a report document (.docx or text), and "
                                               "what it could not attribute")
    ext.add_argument("documents", nargs="+", type=Path)
    ext.add_argument("--out", type=Path, help="folder to write <document>.facts.csv and .not_understood.csv into")
    mex = sub.add_parser("measure-extractor", help="recall and precision of extract-report against the transcriptions")
    mex.add_argument("--details", action="store_true", help="also list each missed and each extra fact")
    syn = sub.add_parser("synthetic-transcription",
                         help="write a SYNTHETIC transcription with planted slips (and their answer key) to try the audit")
    syn.add_argument("out", type=Path, help="the folder to write (its answer key goes beside it, <out>.planted.csv)")
    syn.add_argument("--seed", type=int, default=1)
    syn.add_argument("--clean", action="store_true", help="plant no slip")
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv                # accepted after the command too
    args = parser.parse_args([a for a in argv if a != "--debug"])
    args.debug = debug
    try:
        settings = Settings.from_environment()   # the one place the command line reads its configuration
        if args.lock_wait is not None:
            settings = dataclasses.replace(settings, lock_wait=max(0.0, args.lock_wait))
        return _run(args, settings)
    except Exception as exc:   # noqa: BLE001 - one message for a person; --debug for the traceback
        if args.debug:
            raise
        return _refused(exc, args)


def _refused(exc: Exception, args) -> int:
    """The one line a person reads, and the exit code."""
    import psycopg2

    if isinstance(exc, Refusal):
        message, code = str(exc), exc.exit_code
    elif isinstance(exc, psycopg2.OperationalError):
        warehouse = Settings.from_environment().warehouse
        refusal = unreachable(warehouse, str(exc))
        message, code = str(refusal), refusal.exit_code
    elif isinstance(exc, ValueError) and "GOVWH_" in str(exc):      # a setting of the environment
        message, code = str(exc), 2
    else:
        message = (f"unexpected {type(exc).__name__} in `govwh {args.command}`: {' '.join(str(exc).split())[:300]}. "
                   "This is a bug, not your input: run again with --debug for the traceback and report it")
        code = 1
    print(f"error: {message}", file=sys.stderr)
    return code


def _run(args, settings: Settings) -> int:
    if args.command == "db-start":
        from ingest.local import warehouse
        warehouse.start(settings)
    elif args.command == "db-stop":
        from ingest.local import server
        server.stop(settings)
    elif args.command == "db-url":
        print(settings.warehouse.url)
    elif args.command == "pipeline":
        from ingest.wap import pipeline
        pipeline.run_all(settings, index_code=args.index, year=args.year)
    elif args.command == "retract":
        from ingest.wap import pipeline
        pipeline.retract(settings, args.index, args.year, args.edition, args.reason)
    elif args.command == "run-dag":
        from ingest.local import airflow_local
        return airflow_local.run_dag(settings, args.dag_id, args.conf)
    elif args.command == "airflow-setup":
        from ingest.local import airflow_local
        airflow_local.setup(settings)
    elif args.command == "summary":
        from ingest.reports import summary
        print(summary.render(settings.warehouse))
    elif args.command == "points-needed":
        from ingest.reports import points_needed
        year = args.year or points_needed.latest_year(settings.warehouse, args.unit, args.index)
        print(points_needed.render(points_needed.fetch(settings.warehouse, args.unit, args.index, year, args.plan)
                                   if year else []))
    elif args.command == "what-if":
        from ingest.reports import what_if
        if len(args.component) != len(args.points):
            raise Refusal("give one --points for each --component")
        recoveries = [what_if.Recovery(c, p) for c, p in zip(args.component, args.points)]
        print(what_if.render(what_if.simulate(settings.warehouse, args.unit, args.index, args.year, recoveries)))
    elif args.command == "new-release":
        from ingest.curation import new_release
        made = new_release.build(settings, args.index, args.year, args.files, layout=args.layout,
                                 publisher=args.publisher, published_on=args.published_on, source=args.source,
                                 reason=args.reason, start_new_methodology=args.start_methodology)
        print(f"{made.manifest}: {made.rows} rows, {made.units} units, coverage {made.coverage} "
              f"({made.coverage_note}); layouts: "
              + ", ".join(f"{name} {layout}" for name, layout in made.layouts.items()))
        print(f"{made.methodology_note}.")
        print(f"Next: check release.yaml, then .venv/bin/python -m ingest.cli run-dag annual_release "
              f"--conf '{{\"index\": \"{args.index}\", \"year\": {args.year}}}'")
    elif args.command == "docs":
        from ingest.reports import docs
        docs.build(settings)
    elif args.command == "serve-docs":
        from ingest.local import docs_server
        docs_server.serve(settings, args.bind, args.port)
    elif args.command == "superset-bundle":
        from ingest.local import superset_bundle
        for path in superset_bundle.write(settings.dbt_dir):
            print(path.relative_to(superset_bundle.SUPERSET_DIR))
    elif args.command == "superset-ui":
        from ingest.local import superset_local
        superset_local.run_ui(settings, args.port)
    elif args.command == "checksum":
        from ingest.core import checksum
        print(checksum.render(checksum.mart_checksums(settings.warehouse)))
    elif args.command == "unit-summary":
        from ingest.reports import summary
        print(summary.render_units(settings.warehouse))
    elif args.command == "package-report":
        from ingest.curation import packaging
        for path in packaging.build(settings, Path(args.report_dir)):
            print(path)
    elif args.command == "fill-national":
        from ingest.synthetic import national_fill
        print(national_fill.refill(settings, Path(args.manifest)))
    elif args.command == "generate-national-scale":
        from ingest.synthetic import national_scale
        out = args.out or settings.bench_data_dir
        made = national_scale.generate(settings, out, scale=args.scale, seed=args.seed)
        print(f"{out}: {made.releases} generated releases, {made.rows} rows, {made.bytes / 1e6:.0f} MB, "
              f"{made.communes} synthetic communes")
    elif args.command == "convert-layout":
        from ingest.sources import layouts
        records = layouts.read_records(Path(args.source), layouts.load_layout(args.source_layout,
                                                                              settings.layouts_dir))
        target_layout = layouts.load_layout(args.target_layout, settings.layouts_dir)
        print(layouts.write_table(records, target_layout, Path(args.target)))
    elif args.command == "report":
        from ingest.reports import province_report
        for path in province_report.write(settings, args.unit, args.index, args.year, args.out):
            print(path)
    elif args.command == "audit-report":
        from ingest.curation import audit
        return audit.main(settings, [Path(p) for p in args.report_dirs], args.out, brief=args.brief)
    elif args.command == "extract-report":
        from ingest.curation.extract import report as extract_report
        return extract_report.main_extract(settings, args.documents, args.out)
    elif args.command == "measure-extractor":
        from ingest.curation.extract import report as extract_report
        return extract_report.main_measure(settings, args.details)
    elif args.command == "synthetic-transcription":
        from ingest.synthetic import transcriptions
        planted = transcriptions.write(args.out, args.seed, () if args.clean else transcriptions.KINDS)
        print(transcriptions.write_key(planted, args.out.with_name(f"{args.out.name}.planted.csv")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
