"""Recovery: an edition refused by the checks never blocks the next run once its files are removed or replaced, and
a published edition loaded by mistake is withdrawn with `govwh retract` — through the command line, as a person
would, with its exit codes and messages."""
from __future__ import annotations

import shutil
from dataclasses import replace
from decimal import Decimal

import pytest

from ingest.core import checksum
from tests.conftest import copy_release, linked_data_dir, published_database, query, rewrite_release
from tests.test_error_path import govwh

pytestmark = [pytest.mark.db, pytest.mark.slow]

LAI_CHAU_FIELD_1 = ("select score, edition from marts.v_component_score where index_code = 'PAR_INDEX' and year = 2024 "
                    "and unit_name = 'Lai Châu' and component_code = '1'")


def _edition_2(tmp_path, score: str) -> None:
    """PAR INDEX 2024 edition 2: edition 1 with Lai Châu's field 1 at `score`."""
    second = tmp_path / "releases/par_index/2024/2"
    shutil.rmtree(second, ignore_errors=True)
    shutil.copytree(tmp_path / "releases/par_index/2024/1", second)
    text = (second / "scores.csv").read_text(encoding="utf-8").replace(",1,9.41,28,63,", f",1,{score},28,63,")
    rewrite_release(second / "release.yaml", data_text=text, edition=2, reason=f"test: field 1 = {score}")


def _ok(settings, *args):
    code, errors, output = govwh(settings, *args)
    assert code == 0 and errors == [] and "Traceback" not in output, output[-3000:]


def _blocked(settings) -> str:
    code, errors, output = govwh(settings, "pipeline", "--index", "PAR_INDEX", "--year", "2024")
    assert code == 2 and len(errors) == 1 and "Traceback" not in output, output[-3000:]
    return errors[0]


def test_refused_edition_removed_or_replaced_then_retracted(published_template, tmp_path):
    with published_database(published_template, "recovery") as wh:
        copy_release(tmp_path, "PAR_INDEX", 2024)
        sandbox = replace(wh, data_dir=linked_data_dir(tmp_path, releases=tmp_path / "releases"))
        published = checksum.mart_checksums(wh.warehouse)

        # A correction above the field's maximum: refused by the checks, kept out of marts, left in raw.
        _edition_2(tmp_path, "9.91")
        line = _blocked(sandbox)
        assert "blocking checks failed" in line and "score_within_min_and_max" in line and "Nothing was published" in line
        assert checksum.mart_checksums(wh.warehouse) == published
        assert query(wh, "select count(*) from raw.releases where release_id = 'PAR_INDEX/2024/2'") == [(1,)]

        # Its package removed: the next run discards it and publishes what is there, as before.
        shutil.rmtree(tmp_path / "releases/par_index/2024/2")
        _ok(sandbox, "pipeline", "--index", "PAR_INDEX", "--year", "2024")
        assert checksum.mart_checksums(wh.warehouse) == published
        assert query(wh, "select release_id, kind, was_published from audit.withdrawals") == [
            ("PAR_INDEX/2024/2", "discarded", False)]
        assert query(wh, "select count(*) from raw.releases where release_id = 'PAR_INDEX/2024/2'") == [(0,)]

        # Refused again, then its file corrected in place: the corrected files are the edition.
        _edition_2(tmp_path, "9.91")
        _blocked(sandbox)
        _edition_2(tmp_path, "9.42")
        _ok(sandbox, "pipeline", "--index", "PAR_INDEX", "--year", "2024")
        assert query(wh, LAI_CHAU_FIELD_1) == [(Decimal("9.42"), 2)]
        assert query(wh, "select count(*) from audit.withdrawals where kind = 'discarded'") == [(2,)]

        # Edition 2 turns out to have been loaded by mistake: retract it (its folder moved out first).
        code, errors, _ = govwh(sandbox, "retract", "PAR_INDEX", "2024", "2", "--reason", "loaded by mistake")
        assert code == 2 and "still in data/releases: move its folder out first" in errors[0]
        shutil.move(tmp_path / "releases/par_index/2024/2", tmp_path / "edition-2-withdrawn")
        _ok(sandbox, "retract", "PAR_INDEX", "2024", "2", "--reason", "loaded by mistake")
        assert query(wh, LAI_CHAU_FIELD_1) == [(Decimal("9.41"), 1)]
        assert checksum.mart_checksums(wh.warehouse) == published
        assert query(wh, "select release_id, kind, reason, was_published, rows > 0 from audit.withdrawals "
                         "where kind = 'retracted'") == [("PAR_INDEX/2024/2", "retracted", "loaded by mistake", True,
                                                          True)]
        assert query(wh, "select action, detail from audit.load_log where release_id = 'PAR_INDEX/2024/2' "
                         "order by logged_at desc limit 1") == [("retracted", "loaded by mistake")]
