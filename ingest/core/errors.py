"""Errors a person acts on. Every refusal of the pipeline is a `Refusal`: one message that says what is wrong, where
(file, row and column, or the check and the partition) and what to do. The command line prints it as one line and
exits non-zero; an Airflow task fails with the same text (wap/wap_dag.py). Nothing else should reach a person as a
traceback unless they asked for one (`govwh --debug`).

Values quoted from input files go through `shown`, which truncates them: a message never carries a whole field, a
YAML structure or the content of a file.
"""
from __future__ import annotations

import reprlib
from pathlib import Path

from ingest.core import config

MESSAGE_LIMIT = 800         # characters of one message; what a value can add to it is bounded by `shown` first
_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 60
_SHOWN.maxlevel, _SHOWN.maxlist, _SHOWN.maxdict, _SHOWN.maxtuple = 2, 4, 4, 4
_SHOWN.maxset = _SHOWN.maxfrozenset = _SHOWN.maxlong = 4


def shown(value) -> str:
    """A value quoted in a message: its repr, cut to about 60 characters (nested structures to two levels), so
    neither a 5 MB field nor a YAML structure of a million nodes ever reaches a message whole."""
    try:
        return _SHOWN.repr(value)
    except Exception:   # noqa: BLE001 - a value whose repr fails is still named by its type
        return f"<{type(value).__name__}>"


def display_path(path: Path | str) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(config.PROJECT_ROOT))
    except (ValueError, OSError, RuntimeError):
        return str(path)


def _bounded(message: str) -> str:
    return message if len(message) <= MESSAGE_LIMIT else message[:MESSAGE_LIMIT - 1] + "…"


class Refusal(Exception):
    """The pipeline refused to go on, and a person can act on why: nothing was published.

    `exit_code` is what the command line returns; `retryable` tells an Airflow task whether retrying may help
    (a busy lock, a server that does not answer) or cannot (bad input, a failed check)."""

    exit_code = 2
    retryable = False

    def __init__(self, message: str):
        super().__init__(_bounded(message))


class InputError(Refusal, ValueError):
    """Bad input: nothing of the file is loaded."""

    def __init__(self, path: Path | str, message: str, row: int | None = None, column: str | None = None):
        self.path = display_path(path)
        self.row = row
        self.column = column
        self.message = message
        where = self.path
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {shown(column)}"
        super().__init__(f"{where}: {message}")


class NothingPublished(Refusal, LookupError):
    """The marts hold nothing for what was asked (e.g. a report on a unit, index and year not published)."""


class WarehouseUnavailable(Refusal):
    """The warehouse cannot be reached (server down or restarting): retrying later may help."""

    exit_code = 3
    retryable = True


class LockTimeout(Refusal):
    """Another run held the warehouse's run lock for longer than this run would wait."""

    exit_code = 4
    retryable = True


def unreachable(wh: config.Warehouse, reason: str) -> WarehouseUnavailable:
    """The one message for a warehouse that does not answer (psycopg2's OperationalError at connect)."""
    reason = " ".join(str(reason).split())[:300].rstrip(". ")
    reason += "" if reason.endswith("?") else "."          # psycopg2's reason may end with a question
    return WarehouseUnavailable(
        f"cannot connect to the warehouse {wh.user}@{wh.host}:{wh.port}/{wh.database}: {reason} Start it "
        "(`govwh db-start`, `make db-start`) or point WAREHOUSE_URL (or the Airflow connection "
        "governance_warehouse) at a running server, then run again.")
