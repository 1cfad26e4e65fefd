"""The messages of the row and file checks of release data, in one place.

The readers (sources/readers.py, sources/layouts.py) and the loader (load/) check rows in Python today; checks
moved into set-based SQL later must say the same words, so each message is made here and only here. A message
says what is wrong with the value (quoted through errors.shown, so it is bounded) and, where it helps, what is
accepted instead; the InputError around it names the file, the row and the column.
"""
from __future__ import annotations

from ingest.core.errors import shown
from ingest.sources import notation


def not_a_number(text: str, decimal_comma: bool = False) -> str:
    example = "73,02" if decimal_comma else "85.97"
    return (f"expected a number with a decimal {'comma' if decimal_comma else 'point'} (e.g. {example}), got "
            f"{shown(text)}: {notation.why_not(text, decimal_comma)}")


def not_a_whole_number(text: str, signed: bool = False) -> str:
    kind = "a whole number (+ or - allowed)" if signed else "a whole number"
    return f"expected {kind}, got {shown(text)} (ASCII digits 0-9, at most 9 of them)"


def empty(column: str) -> str:
    return f"{column} is empty"


def unit_name_empty() -> str:
    return "unit name is empty"


def unknown_unit_type(unit_type: str, known: set[str]) -> str:
    return f"unknown unit type {shown(unit_type)}; expected one of {sorted(known)}"


def unit_not_valid_on(unit_type: str, name: str, validity: list[str], day) -> str:
    return f"{unit_type} {shown(name)} is valid {', '.join(validity)}, not on {day}"


def unknown_unit(unit_type: str, name: str) -> str:
    return (f"unknown {unit_type} {shown(name)}: not in data/reference (add an alias to "
            "data/reference/unit_aliases.csv if it is another name of a known unit)")


def unit_type_not_in_release(unit_type: str, name: str, index_code: str, allowed: tuple[str, ...]) -> str:
    return (f"a {index_code} release holds {' and '.join(allowed)} rows only; this row is the {unit_type} "
            f"{shown(name)} (a national release ranks provinces: put other units in their own index)")


def unknown_component(code: str, index_code: str, version: str) -> str:
    return f"component {shown(code)} is not in methodology {index_code} {version}"


def index_differs(given: str, expected: str) -> str:
    return f"index {shown(given)} differs from the manifest's {expected}"


def year_differs(given: str, expected: int) -> str:
    return f"year {shown(given)} differs from the manifest's {expected}"


def already_given(what: str, where: str) -> str:
    return f"{what} is already given {where}"


def rank_without_rank_of() -> str:
    return "a rank needs its rank_of (the number of units ranked) in the same row"


def rank_of_differs(rank_of: int, ranked: int, description: str) -> str:
    return (f"rank_of {rank_of} differs from the {ranked} units this release ranks ({description}); rank_of is the "
            "number of units ranked that year")


def score_kind_unknown(kind: str, kinds: tuple[str, ...]) -> str:
    return f"score_kind must be one of {kinds}, got {shown(kind)}"


def no_score_given() -> str:
    return "gives no score, no pct_of_max and no change_printed"


def no_data_rows() -> str:
    return "has no data rows"


def duplicate_column(name: str, positions: list[int]) -> str:
    where = ", ".join(map(str, positions[:-1])) + f" and {positions[-1]}"
    return (f"column {shown(name)} appears {len(positions)} times (columns {where}); "
            "a file names each column once, so which one holds the values cannot be known")


def misaligned_row(header_columns: int, row_columns: int) -> str:
    return (f"has {header_columns} columns in the header but {row_columns} here "
            "(a truncated or misaligned row)")
