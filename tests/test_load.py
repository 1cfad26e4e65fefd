"""Ingest into the real PostgreSQL: lineage, idempotent reloads, and bad files that load nothing."""
from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.core.errors import InputError
from ingest.load import load
from tests.conftest import BUNDLED, copy_release, query, rewrite_release

pytestmark = pytest.mark.db

MANIFEST_2024 = BUNDLED.releases_dir / "par_index/2024/1/release.yaml"


def _raw_counts(wh):
    return query(wh, "select (select count(*) from raw.releases), (select count(*) from raw.component_scores), "
                     "(select count(*) from raw.methodology_components)")[0]


def test_load_lands_rows_with_lineage(fresh_db):
    result = load.load_release(fresh_db, MANIFEST_2024, "t1")
    files = query(fresh_db, "select file_name, row_count, is_synthetic from raw.release_files order by file_name")
    assert files == [("conflicts.csv", 8, False), ("national.csv", 1, False), ("scores.csv", 86, False),
                     ("synthetic.csv", files[3][1], True)]
    assert (result.action, result.rows) == ("loaded", 8 + 87 + files[3][1])
    row = query(fresh_db, "select s.release_id, s.score, s.rank, s.rank_of, s.source_row, s.file_sha256 = f.file_sha256, "
                          "s.unit_name, s.unit_code, s.loaded_at is not null, s.is_synthetic from raw.component_scores s "
                          "join raw.release_files f on f.release_id = s.release_id and f.file_sha256 = s.file_sha256 "
                          "where s.component_code = 'TOTAL' and s.unit_name = 'Lai Châu'")
    assert row == [("PAR_INDEX/2024/1", Decimal("85.97"), 56, 63, 2, True, "Lai Châu", "12", True, False)]
    # Every generated row is flagged, every published one is not.
    assert query(fresh_db, "select f.file_name, bool_and(s.is_synthetic), count(*) from raw.component_scores s "
                           "join raw.release_files f on f.release_id = s.release_id and f.file_sha256 = s.file_sha256 "
                           "group by 1 order by 1") == [("national.csv", False, 1), ("scores.csv", False, 86),
                                                        ("synthetic.csv", True, files[3][1])]
    # The facts the report prints with different values land beside the scores, with their lineage.
    assert query(fresh_db, "select component_code, measure, candidate_value, is_published, status, printings, support "
                           "from raw.printed_conflicts where component_code = '2' order by candidate_value") == [
        ("2", "rank", Decimal("22"), False, "resolved", "L48; L735", 2),
        ("2", "rank", Decimal("49"), True, "resolved", "L177; L323", 3)]


def test_loading_the_same_release_again_changes_nothing(fresh_db):
    load.load_release(fresh_db, MANIFEST_2024, "t1")
    before = query(fresh_db, "select release_id, component_code, loaded_at from raw.component_scores order by 1, 2")
    counts = _raw_counts(fresh_db)
    assert load.load_release(fresh_db, MANIFEST_2024, "t2").action == "unchanged"
    assert _raw_counts(fresh_db) == counts
    assert query(fresh_db, "select release_id, component_code, loaded_at from raw.component_scores order by 1, 2") == before


def test_bad_file_loads_nothing(fresh_db, tmp_path):
    manifest = copy_release(tmp_path, "PAR_INDEX", 2024)
    text = (manifest.parent / "scores.csv").read_text(encoding="utf-8").replace("Lai Châu,province,3.4,5,", "Lai Châu,province,3.4,5;0,")
    rewrite_release(manifest, data_text=text)
    with pytest.raises(InputError) as caught:
        load.load_release(fresh_db, manifest, "t1")
    assert "scores.csv, row 23, column 'score'" in str(caught.value)
    assert _raw_counts(fresh_db) == (0, 0, 0)


@pytest.mark.slow   # a copy of the published marts
def test_published_edition_with_other_content_is_refused(published_db, tmp_path):
    """A published edition never changes: other files under its number are refused, saying what to do instead."""
    manifest = copy_release(tmp_path, "PAR_INDEX", 2024)
    text = (manifest.parent / "scores.csv").read_text(encoding="utf-8").replace(",1.92,", ",1.93,")
    rewrite_release(manifest, data_text=text)
    counts = _raw_counts(published_db)
    with pytest.raises(InputError, match="already loaded with different content .published; loaded .*; a corrected "
                                         "release is a new edition with a reason. To withdraw the published one: "
                                         "govwh retract PAR_INDEX 2024 1 --reason"):
        load.load_release(published_db, manifest, "t2")
    assert _raw_counts(published_db) == counts


def test_unpublished_edition_with_other_content_replaces_its_load(fresh_db, tmp_path):
    """Loaded but never published (its run was refused): replaced files are the edition now; the earlier load is
    kept in audit.withdrawals, not in raw, so it never blocks the next run."""
    load.load_release(fresh_db, MANIFEST_2024, "t1")
    manifest = copy_release(tmp_path, "PAR_INDEX", 2024)
    text = (manifest.parent / "scores.csv").read_text(encoding="utf-8").replace(",1.92,", ",1.93,")
    rewrite_release(manifest, data_text=text)
    counts = _raw_counts(fresh_db)
    assert load.load_release(fresh_db, manifest, "t2").action == "loaded"
    assert _raw_counts(fresh_db) == counts
    assert query(fresh_db, "select count(*) from raw.component_scores where score = 1.93") == [(1,)]
    assert query(fresh_db, "select release_id, kind, was_published, rows > 700 from audit.withdrawals") == [
        ("PAR_INDEX/2024/1", "discarded", False, True)]
    assert query(fresh_db, "select action from audit.load_log order by logged_at") == [
        ("loaded",), ("discarded",), ("loaded",)]
