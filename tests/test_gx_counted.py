"""The unexpected-rows expectation whose query runs once (ingest/wap/gx_counted.py) says what Great Expectations'
own one says: the same success, count and rows, on few and on more rows than it returns."""
from __future__ import annotations

import os

import pytest

from ingest.core import db
from ingest.wap.checks import load_suite

QUERY = ("select release_id, unit_code, score::text as observed, 'at most 10' as expected from {batch} "
         "where score > 10")


def _validate(settings, expectation):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_postgres(
        name="t", connection_string=settings.warehouse.sqlalchemy_url(search_path="gx_counted"))
    batch = source.add_table_asset(name="scores", table_name="scores").add_batch_definition_whole_table(
        name="whole").get_batch()
    return batch.validate(expectation, result_format={"result_format": "COMPLETE"})


@pytest.mark.db
@pytest.mark.parametrize("over_ten", [0, 3, 250])
def test_counted_once_says_what_the_plain_expectation_says(fresh_db, over_ten):
    import great_expectations as gx

    from ingest.wap.gx_counted import UnexpectedRowsCountedOnceExpectation, counted_once

    with db.transaction(fresh_db.warehouse) as cur:
        cur.execute("create schema gx_counted; create table gx_counted.scores (release_id text, unit_code text, "
                    "score numeric)")
        cur.execute("insert into gx_counted.scores select 'R/1', 'u' || n, case when n <= %s then 11 else 9 end "
                    "from generate_series(1, 400) as n", (over_ten,))
    plain = gx.expectations.UnexpectedRowsExpectation(unexpected_rows_query=QUERY)
    written = {"type": "unexpected_rows_expectation", "kwargs": {"unexpected_rows_query": QUERY}}
    once = UnexpectedRowsCountedOnceExpectation(**counted_once(written)["kwargs"])

    expected, found = _validate(fresh_db, plain), _validate(fresh_db, once)
    assert found.success is expected.success is (over_ten == 0)
    assert found.result["observed_value"] == expected.result["observed_value"] == over_ten
    rows = found.result["details"]["unexpected_rows"]
    assert sorted(map(str, rows)) == sorted(map(str, expected.result["details"]["unexpected_rows"]))
    assert len(rows) == min(over_ten, 200) and all(set(row) == {"release_id", "unit_code", "observed", "expected"}
                                                   for row in rows)


@pytest.mark.unit
def test_the_suites_run_their_unexpected_rows_queries_counted_once():
    from ingest.core.config import PROJECT_ROOT

    suite = load_suite(PROJECT_ROOT / "expectations", "fct_unit_score")
    queries = [e for e in suite.expectations if hasattr(e, "unexpected_rows_query")]
    assert queries and all(type(e).__name__ == "UnexpectedRowsCountedOnceExpectation" for e in queries)
    assert all("count(*) over ()" in e.unexpected_rows_query for e in queries)
