"""The methodology registry and the canonical CSV reader (no database)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.core.errors import InputError
from ingest.sources import methodology, readers
from ingest.sources.reference import unit_directory
from tests.conftest import BUNDLED

pytestmark = pytest.mark.unit

HEADER = "unit_name,unit_type,component_code,score,rank,rank_of,source_ref\n"


@pytest.mark.parametrize("version", ["2023", "2024"])
def test_par_index_fields_add_up_to_100(version):
    method = methodology.load("PAR_INDEX", version, BUNDLED.methodology_dir)
    fields = [c for c in method.components.values() if c.level == "field"]
    assert len(fields) == 8
    assert sum(c.max_score for c in fields) == Decimal("100")
    parts = [c.max_score for c in method.components.values() if c.parent == "TOTAL" and c.level == "part"]
    assert sorted(parts) == [Decimal("32"), Decimal("68")]


def test_2024_field_maxima_and_changed_criteria():
    new, old = methodology.load("PAR_INDEX", "2024", BUNDLED.methodology_dir), methodology.load("PAR_INDEX", "2023", BUNDLED.methodology_dir)
    assert [float(new.components[str(i)].max_score) for i in range(1, 9)] == [9.5, 10, 13, 10.5, 15, 12, 13.5, 16.5]
    assert (old.components["3.2"].max_score, new.components["3.2"].max_score) == (Decimal("3.0"), Decimal("3.5"))
    assert new.components["3.2"].comparable_with_previous is False
    assert old.components["6.1"].max_score is None


def _read(tmp_path, body: str):
    path = tmp_path / "scores.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return readers.read_canonical(path, methodology.load("PAR_INDEX", "2024", BUNDLED.methodology_dir), unit_directory(BUNDLED.reference_dir))


def test_reads_and_resolves_units(tmp_path):
    result = _read(tmp_path, "Lai Châu,province,TOTAL,85.97,56,63,L7\nLai  Châu,province,1,9.41,,,\n")
    assert [(r.unit_code, r.component_code, r.score, r.rank) for r in result.rows] == [
        ("12", "TOTAL", Decimal("85.97"), 56), ("12", "1", Decimal("9.41"), None)]
    assert result.rows[1].source_row == 3
    assert [(n.source_row, n.rule) for n in result.normalisations] == [(3, "spacing")]


@pytest.mark.parametrize("body, row, column, message", [
    ("Lai Châu,province,TOTAL,\"85,97\",56,63,\n", 2, "score", "decimal point"),
    ("Lai Châu,province,TOTAL,85.97,56,63,\nLai Châu,province,9,1,,,\n", 3, "component_code", "not in methodology"),
    ("Atlantis,province,TOTAL,85.97,,,\n", 2, "unit_name", "unknown province 'Atlantis'"),
    ("Lai Châu,planet,TOTAL,85.97,,,\n", 2, "unit_type", "unknown unit type"),
    ("Lai Châu,province,TOTAL,85.97,,,\nLai Châu,province,TOTAL,85.98,,,\n", 3, "component_code", "already given at row 2"),
    ("Lai Châu,province,TOTAL,,56,63,\n", 2, "score", "score is empty"),
    ("Lai Châu,province,TOTAL,85.97,fifty,63,\n", 2, "rank", "whole number"),
])
def test_bad_rows_name_file_row_and_column(tmp_path, body, row, column, message):
    with pytest.raises(InputError) as caught:
        _read(tmp_path, body)
    error = caught.value
    assert (error.row, error.column) == (row, column)
    assert message in str(error) and "scores.csv" in str(error)


def test_header_only_file_is_rejected(tmp_path):
    with pytest.raises(InputError, match="has no data rows"):
        _read(tmp_path, "")
