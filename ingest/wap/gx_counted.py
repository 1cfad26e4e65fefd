"""An unexpected-rows expectation whose query runs once.

Great Expectations' `unexpected_rows_expectation` runs its query twice: `SELECT COUNT(*) FROM (query)` for the
count, then the query again for the first rows. The structural checks of the suites are joins and sums over
millions of rows, so each ran twice (half of the checks' time at national scale, bench/). This subclass asks
for the rows only, with the count computed in the same statement (`count(*) over ()`): same rows, same count,
same result format, one execution. Imported only when the checks run (Great Expectations is heavy to import).
"""
from __future__ import annotations

from typing import ClassVar, Tuple

from great_expectations.core.result_format import ResultFormat
from great_expectations.expectations import UnexpectedRowsExpectation

TOTAL = "unexpected_rows_total__"
PLAIN_TYPE = "unexpected_rows_expectation"


def counted_in_one_pass(query: str) -> str:
    """The query's rows, each with the number of rows the whole query returns."""
    return f"select counted.*, count(*) over () as {TOTAL} from ({query.rstrip('; ')}) as counted"


class UnexpectedRowsCountedOnceExpectation(UnexpectedRowsExpectation):
    """UnexpectedRowsExpectation, its count taken from the rows' query instead of a second run of it."""

    metric_dependencies: ClassVar[Tuple[str, ...]] = ("unexpected_rows_query.table",)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine=None) -> dict:
        fetched = metrics["unexpected_rows_query.table"]
        count = int(fetched[0][TOTAL]) if fetched else 0
        rows = [{key: value for key, value in row.items() if key != TOTAL} for row in fetched]
        result_format = self._get_result_format(runtime_configuration=runtime_configuration)
        if isinstance(result_format, dict):
            result_format = result_format.get("result_format", ResultFormat.SUMMARY)
        if result_format == ResultFormat.BOOLEAN_ONLY:
            return {"success": count == 0}
        result: dict = {"observed_value": count}
        if result_format == ResultFormat.COMPLETE:
            result["details"] = {"unexpected_rows": rows}
        return {"success": count == 0, "result": result}


def counted_once(expectation: dict) -> dict:
    """A suite's expectation as written in expectations/*.json, with an unexpected-rows query counted in one pass."""
    if expectation.get("type") != PLAIN_TYPE:
        return expectation
    kwargs = dict(expectation["kwargs"])
    kwargs["unexpected_rows_query"] = counted_in_one_pass(kwargs["unexpected_rows_query"])
    return {**expectation, "type": "unexpected_rows_counted_once_expectation", "kwargs": kwargs}
