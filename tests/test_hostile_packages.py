"""Hostile packages through the whole pipeline (hypothesis, a few examples: each is a pipeline run): a correction of
Lai Châu's PAR INDEX 2024 rows with one cell written in any notation or name. The invariant: refused (an InputError
or a blocking check) with the marts unchanged, or published with the marts holding exactly what the cell says."""
from __future__ import annotations

import itertools
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.core import checksum
from ingest.core.errors import InputError
from ingest.sources import packages
from ingest.wap import checks, pipeline
from tests.conftest import copy_release, linked_data_dir, published_database, query
from tests.test_hostile_properties import GRAMMAR, benign_names, hostile_names, notations

pytestmark = [pytest.mark.db, pytest.mark.slow]

REFERENCE = (Path(__file__).parent / "bad_inputs" / "valid_reference.csv").read_text(encoding="utf-8").splitlines()
COLUMNS = REFERENCE[0].split(",")
EDITIONS = itertools.count(2)
LAI_CHAU = "12"


@pytest.fixture(scope="module")
def sandbox(published_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    copy_release(root, "PAR_INDEX", 2024)
    with published_database(published_template, "hostile") as wh:
        yield replace(wh, data_dir=linked_data_dir(root, releases=root / "releases")), root / "releases/par_index/2024"


lai_chau_names = st.one_of(benign_names(), hostile_names()).filter(lambda case: case[1] == LAI_CHAU).map(lambda c: c[0])
mutations = st.one_of(
    st.tuples(st.just("score"), st.integers(min_value=1, max_value=10), notations),
    st.tuples(st.just("rank"), st.integers(min_value=1, max_value=10),
              st.one_of(st.integers(min_value=1, max_value=70).map(str), notations)),
    st.tuples(st.just("unit_name"), st.integers(min_value=1, max_value=10), lai_chau_names))


def _package(folder: Path, edition: int, column: str, row: int, value: str) -> tuple[str, str]:
    lines = [line.split(",") for line in REFERENCE]
    lines[row][COLUMNS.index(column)] = '"' + value.replace('"', '""') + '"'
    target = folder / str(edition)
    target.mkdir()
    (target / "scores.csv").write_text("\n".join(",".join(cells) for cells in lines) + "\n", encoding="utf-8")
    (target / "release.yaml").write_text(yaml.safe_dump({
        "index": "PAR_INDEX", "year": 2024, "edition": edition, "publisher": "Bộ Nội vụ", "source": "hypothesis",
        "methodology_version": "2024", "coverage": "partial", "reason": f"{column} of row {row + 1} = {value!r}",
        "changes": {"coverage": "a few rows of one province", "units": "Lai Châu only"},
        "files": [{"name": "scores.csv", "sha256": packages.sha256_of(target / "scores.csv")}]}, allow_unicode=True),
        encoding="utf-8")
    return lines[row][COLUMNS.index("component_code")], target


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(mutations)
@example(mutation=("rank", 1, ""))
def test_a_hostile_correction_is_refused_or_published_as_written(sandbox, mutation):
    wh, folder = sandbox
    column, row, value = mutation
    edition = next(EDITIONS)
    component, package = _package(folder, edition, column, row, value)
    before = checksum.mart_checksums(wh.warehouse)
    try:
        pipeline.run_all(wh, "PAR_INDEX", 2024, pipeline_name="hostile")
    except (InputError, checks.BlockingCheckFailed):
        assert checksum.mart_checksums(wh.warehouse) == before
        return
    finally:
        shutil.rmtree(package)          # the next run discards it if it was refused after loading
    published = query(wh, "select score, rank, edition from marts.v_component_score where index_code = 'PAR_INDEX' "
                          "and year = 2024 and unit_code = %s and component_code = %s", (LAI_CHAU, component))
    assert len(published) == 1 and published[0][2] == edition
    score, rank, _ = published[0]
    if column == "score":
        assert GRAMMAR.fullmatch(value) and score == Decimal(value.strip(" \t"))
    elif column == "rank" and value.strip():
        assert rank == int(value)
    elif column == "rank":      # a blank cell prints no rank: the history holds none, the mart ranks by score
        assert query(wh, "select rank from marts.fct_component_score_history where index_code = 'PAR_INDEX' "
                         "and year = 2024 and edition = %s and unit_code = %s and component_code = %s",
                     (edition, LAI_CHAU, component)) == [(None,)]
