"""Errors a user acts on: bad input files (naming the file, the row and the column, and what was expected), and
requests for what the marts do not hold."""
from __future__ import annotations

from pathlib import Path

from ingest.core import config


def display_path(path: Path | str) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(config.PROJECT_ROOT))
    except ValueError:
        return str(path)


class InputError(ValueError):
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
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


class NothingPublished(LookupError):
    """The marts hold nothing for what was asked (e.g. a report on a unit, index and year not published)."""
