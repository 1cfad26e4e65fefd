"""The methodology registry across versions: PAR INDEX 2018 → 2022, PAPI 6 → 8 dimensions, SIPAS, PCI (no database)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.sources import methodology
from tests.conftest import BUNDLED

pytestmark = pytest.mark.unit


def _maxima(method, level):
    return [float(c.max_score) for c in method.components.values() if c.level == level and c.parent == "TOTAL"]


def test_par_index_2018_2021_fields_with_sipas_inside_field_8():
    method = methodology.load("PAR_INDEX", "2018", BUNDLED.methodology_dir)
    assert (method.first_year, method.last_year) == (2018, 2021)
    assert _maxima(method, "field") == [8.5, 10, 14, 12, 14, 12.5, 13, 16]
    sipas = method.components["8.SIPAS"]
    assert (sipas.parent, sipas.level, sipas.part, sipas.max_score) == ("8", "part", "survey", Decimal("10"))
    assert [c for c, m in method.components.items() if m.required] == ["TOTAL", "1", "2", "3", "4", "5", "6", "7", "8"]


def test_par_index_2022_changes_the_fields_and_keeps_the_total_comparable():
    new, old = methodology.load("PAR_INDEX", "2022", BUNDLED.methodology_dir), methodology.load("PAR_INDEX", "2018", BUNDLED.methodology_dir)
    assert new.previous_version == "2018" and methodology.load("PAR_INDEX", "2023", BUNDLED.methodology_dir).previous_version == "2022"
    assert _maxima(new, "field") == [9.5, 10, 13, 10.5, 15, 12, 13.5, 16.5]
    assert new.components["8.1"].max_score + new.components["8.2"].max_score == new.components["8"].max_score
    assert new.components["TOTAL"].comparable_with_previous is True
    assert {new.components[str(i)].comparable_with_previous for i in range(1, 9)} == {False}
    assert old.components["2"].max_score == new.components["2"].max_score   # same maximum, still declared a break
    # 2022 prints only its total in points: only the total is required of every province.
    assert [c for c, m in new.components.items() if m.required] == ["TOTAL"]


def test_papi_from_six_to_eight_dimensions():
    six, eight = methodology.load("PAPI", "2011", BUNDLED.methodology_dir), methodology.load("PAPI", "2018", BUNDLED.methodology_dir)
    assert eight.previous_version == "2011"
    for method, count in ((six, 6), (eight, 8)):
        dimensions = [c for c in method.components.values() if c.level == "dimension"]
        assert len(dimensions) == count
        assert {(c.min_score, c.max_score, c.required) for c in dimensions} == {(Decimal(1), Decimal(10), True)}
        total = method.components["TOTAL"]
        assert (total.min_score, total.max_score) == (Decimal(count), Decimal(count * 10))
    assert len([c for c in eight.components.values() if c.level == "sub_dimension"]) == 28


@pytest.mark.parametrize("index, version, required", [
    ("SIPAS", "2022", ["TOTAL"]),
    ("PCI", "2016", ["TOTAL"] + [str(i) for i in range(1, 11)]),
])
def test_sipas_and_pci(index, version, required):
    method = methodology.load(index, version, BUNDLED.methodology_dir)
    assert [c for c, m in method.components.items() if m.required] == required
    assert method.components["TOTAL"].max_score == Decimal(100)
    if index == "PCI":   # a weighted total: sub-index maxima are not printed, so no parent = sum applies
        assert {method.components[c].max_score for c in required[1:]} == {None}
