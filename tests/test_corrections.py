"""Corrections: a corrected release is a new edition; announced fixes are declared; nothing published is lost."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
import yaml

from ingest.core.errors import InputError
from ingest.wap import pipeline
from tests.conftest import copy_release, linked_data_dir, query, rewrite_release

pytestmark = [pytest.mark.db, pytest.mark.slow]

SCORE_82 = ("select edition, score, published_score, correction_reason from marts.fct_component_score "
            "where year = 2024 and unit_code = '12' and component_code = '8.2'")


@pytest.fixture
def sandbox(fresh_db, tmp_path):
    """Settings on a fresh database with a copy of the bundled releases that a test can add editions to, and its
    own corrections folder."""
    for year in (2023, 2024):
        copy_release(tmp_path, "PAR_INDEX", year)
    own = linked_data_dir(tmp_path, releases=tmp_path / "releases", corrections=tmp_path / "corrections")
    return replace(fresh_db, data_dir=own)


def _second_edition(releases, old: str, new: str, reason: str) -> None:
    first = releases / "par_index/2024/1"
    second = releases / "par_index/2024/2"
    second.mkdir()
    for path in first.iterdir():   # the report's figures and the national fill, not what the report printed twice
        if path.name != "conflicts.csv":
            (second / path.name).write_bytes(path.read_bytes())
    text = (second / "scores.csv").read_text(encoding="utf-8").replace(old, new)
    rewrite_release(second / "release.yaml", data_text=text, edition=None, reason=reason)
    doc = yaml.safe_load((second / "release.yaml").read_text(encoding="utf-8"))
    doc["edition"] = 2
    doc["files"] = [f for f in doc["files"] if f["name"] != "conflicts.csv"]
    (second / "release.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def test_new_edition_replaces_only_its_release_and_keeps_history(fresh_db, sandbox):
    pipeline.run_all(sandbox, pipeline_name="tests")
    year_2023 = query(fresh_db, "select * from marts.fct_component_score where year = 2023 "
                                "order by unit_code, component_code")
    _second_edition(sandbox.releases_dir, "8.2,8.16,43,63", "8.2,8.15,43,63", "Bộ Nội vụ corrected the SIPAS points")

    pipeline.run_all(sandbox, "PAR_INDEX", 2024, pipeline_name="tests")

    assert query(fresh_db, SCORE_82) == [(2, Decimal("8.15"), Decimal("8.15"), None)]
    assert query(fresh_db, "select count(*), min(edition) from marts.fct_component_score where year = 2024 "
                           "and unit_code = '12'") == [(86, 2)]
    history = query(fresh_db, "select edition, is_current, score from marts.fct_component_score_history "
                              "where year = 2024 and unit_code = '12' and component_code = '8.2' order by edition")
    assert history == [(1, False, Decimal("8.16")), (2, True, Decimal("8.15"))]
    assert query(fresh_db, "select component_code, field, old_value, new_value, change, release_id, reason "
                           "from audit.corrections") == [
        ("8.2", "score", Decimal("8.16"), Decimal("8.15"), "changed", "PAR_INDEX/2024/2",
         "Bộ Nội vụ corrected the SIPAS points")]
    assert query(fresh_db, "select release_id from raw.releases order by 1") == [
        ("PAR_INDEX/2023/1",), ("PAR_INDEX/2024/1",), ("PAR_INDEX/2024/2",)]
    assert query(fresh_db, "select * from marts.fct_component_score where year = 2023 "
                           "order by unit_code, component_code") == year_2023
    assert query(fresh_db, "select partitions from audit.publish_log order by published_at desc limit 1") == [
        ("PAR_INDEX/2024",)]
    (delta,) = query(fresh_db, "select delta_vs_previous from marts.fct_component_score "
                               "where year = 2024 and unit_code = '12' and component_code = '8.2'")
    assert delta == (Decimal("0.18"),)


def _announce(tmp_path, old: str, new: str = "8.15") -> None:
    path = tmp_path / "corrections" / "par_index" / "2024.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"index": "PAR_INDEX", "year": 2024, "corrections": [{
        "unit_name": "Lai Châu", "unit_type": "province", "component_code": "8.2", "old_score": old,
        "new_score": new, "reason": "announced fix of the SIPAS points", "announced_in": "test"}]},
        allow_unicode=True), encoding="utf-8")


def test_announced_correction_is_applied_visibly(fresh_db, sandbox, tmp_path):
    pipeline.run_all(sandbox, pipeline_name="tests")
    _announce(tmp_path, "8.16")
    pipeline.run_all(sandbox, "PAR_INDEX", 2024, pipeline_name="tests")
    assert query(fresh_db, SCORE_82) == [(1, Decimal("8.15"), Decimal("8.16"), "announced fix of the SIPAS points")]
    assert query(fresh_db, "select change, old_value, new_value from audit.corrections") == [
        ("announced", Decimal("8.16"), Decimal("8.15"))]

    # Deleting the file withdraws the correction: the published value is in force again.
    (tmp_path / "corrections" / "par_index" / "2024.yaml").unlink()
    pipeline.run_all(sandbox, "PAR_INDEX", 2024, pipeline_name="tests")
    assert query(fresh_db, SCORE_82) == [(1, Decimal("8.16"), Decimal("8.16"), None)]


def test_announced_correction_fails_loudly_when_old_value_is_gone(fresh_db, sandbox, tmp_path):
    pipeline.run_all(sandbox, pipeline_name="tests")
    _announce(tmp_path, "8.16")
    pipeline.run_all(sandbox, "PAR_INDEX", 2024, pipeline_name="tests")
    published = query(fresh_db, "select * from marts.fct_component_score order by 1, 3, 8")

    # The publisher re-publishes with the fix: the declared old value 8.16 is no longer there.
    _second_edition(sandbox.releases_dir, "8.2,8.16,43,63", "8.2,8.15,43,63", "re-published with the SIPAS fix")
    with pytest.raises(InputError) as caught:
        pipeline.run_all(sandbox, "PAR_INDEX", 2024, pipeline_name="tests")
    message = str(caught.value)
    assert "corrections/par_index/2024.yaml, row 1, column 'old_score'" in message
    assert "expects Lai Châu / 8.2 = 8.16 but PAR_INDEX/2024/2 publishes 8.15" in message
    assert query(fresh_db, "select * from marts.fct_component_score order by 1, 3, 8") == published
