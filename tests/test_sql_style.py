"""The dbt project's SQL keeps one style: sqlfluff with the committed dbt/.sqlfluff (no dbt connection needed)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT

pytestmark = pytest.mark.unit


def test_dbt_sql_passes_sqlfluff():
    sqlfluff = [sys.executable, "-m", "sqlfluff", "lint", "dbt/models", "dbt/macros", "dbt/tests", "--processes", "2",
                "--disable-progress-bar", "--nocolor"]
    done = subprocess.run(sqlfluff, cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
