"""Release semantics enforced at ingest: a correction says what it changes besides values; editions and folders are
what they claim to be; a lower-case index never turns a run into a full refresh."""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from ingest.core.errors import InputError
from ingest.load import load
from ingest.sources import packages, safe_yaml
from ingest.wap import pipeline
from tests.conftest import BUNDLED, copy_release, linked_data_dir, query, rewrite_release

def _edition_2(tmp_path, keep=lambda line: True, **fields):
    """PAR INDEX 2024 edition 1 and an edition 2 of its files with the rows `keep` keeps and the manifest's
    `fields`; returns both release.yaml."""
    first = copy_release(tmp_path, "PAR_INDEX", 2024)
    second = first.parent.parent / "2"
    shutil.copytree(first.parent, second)
    doc = safe_yaml.load(second / "release.yaml")
    for entry in doc["files"]:
        path = second / entry["name"]
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(lines[:1] + [line for line in lines[1:] if keep(line)]), encoding="utf-8")
        entry["sha256"] = packages.sha256_of(path)
    return first, rewrite_release(second / "release.yaml", edition=2, reason="test correction", files=doc["files"],
                                  **fields)


@pytest.mark.db
def test_a_correction_that_changes_coverage_must_say_so(fresh_db, tmp_path):
    first, second = _edition_2(tmp_path, coverage="partial")
    load.load_release(fresh_db, first, "t1")
    with pytest.raises(InputError, match=r"edition 2 changes coverage from edition 1 \(coverage complete → partial\) "
                                         r"without saying why.*changes: \{coverage: <why>\}") as caught:
        load.load_release(fresh_db, second, "t2")
    assert caught.value.column == "changes"
    assert query(fresh_db, "select release_id from raw.releases") == [("PAR_INDEX/2024/1",)]

    rewrite_release(second, changes={"coverage": "the ministry re-published part of the table"})
    assert load.load_release(fresh_db, second, "t3").action == "loaded"
    assert query(fresh_db, "select declared_changes ->> 'coverage' from raw.releases where edition = 2") == [
        ("the ministry re-published part of the table",)]
    assert query(fresh_db, "select detail from audit.load_log where run_id = 't3'") == [
        ("coverage complete → partial (the ministry re-published part of the table)",)]


@pytest.mark.db
def test_a_correction_that_leaves_out_a_unit_must_say_so(fresh_db, tmp_path):
    first, second = _edition_2(tmp_path, keep=lambda line: not line.startswith("Điện Biên,"))
    load.load_release(fresh_db, first, "t1")
    with pytest.raises(InputError, match=r"changes units from edition 1 \(1 unit\(s\) left out, e.g. 'Điện Biên'\)"):
        load.load_release(fresh_db, second, "t2")
    rewrite_release(second, changes={"units": "Điện Biên's results withdrawn by the ministry"})
    assert load.load_release(fresh_db, second, "t3").action == "loaded"


@pytest.mark.unit
def test_edition_and_year_folders_that_are_not_numbers_are_reported(tmp_path):
    copy_release(tmp_path, "PAR_INDEX", 2024)
    odd = tmp_path / "releases/par_index/2024/2b"
    odd.mkdir()
    (odd / "release.yaml").write_text("index: PAR_INDEX\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"2024/2b: an edition folder of data/releases is a positive whole number "
                                         r"\(1, 2, ...\), got '2b'"):
        packages.discover(tmp_path / "releases", "PAR_INDEX")
    shutil.rmtree(odd)
    (tmp_path / "releases/par_index/2024/3").mkdir()            # an empty folder: a package that was removed
    assert len(packages.discover(tmp_path / "releases", "PAR_INDEX")) == 1
    (tmp_path / "releases/par_index/2024/3/scores.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds files but no release.yaml"):
        packages.discover(tmp_path / "releases", "PAR_INDEX")
    (tmp_path / "releases/par_index/2024/3/scores.csv").unlink()
    (tmp_path / "releases/par_index/20x4/1").mkdir(parents=True)
    with pytest.raises(InputError, match="a year folder of data/releases is a four-digit year, got '20x4'"):
        packages.discover(tmp_path / "releases")


@pytest.mark.unit
@pytest.mark.parametrize("given", ["par_index", "Par_Index", "PAR_INDEX"])
def test_an_index_in_another_case_is_read_as_its_code(given):
    assert pipeline.selected_index(BUNDLED, given) == "PAR_INDEX"
    assert pipeline.release_groups(BUNDLED, given, None) == pipeline.release_groups(BUNDLED, "PAR_INDEX", None)


@pytest.mark.unit
@pytest.mark.parametrize("given", ["", " ", "PAR INDEX", "PAR_INDEX ", "par", 7, ["PAR_INDEX"]])
def test_an_index_that_is_no_code_is_refused(given):
    with pytest.raises(InputError, match="unknown index .*: the indices are PAR_INDEX, SIPAS, PAPI, PCI, PROVINCIAL_PAR"):
        pipeline.release_groups(BUNDLED, given, None)


@pytest.mark.db
def test_a_selection_with_nothing_loaded_is_refused_not_a_full_refresh(fresh_db, tmp_path):
    """finish_ingest returns [] (= every partition) only when no index and no year were asked for."""
    sandbox = replace(fresh_db, data_dir=linked_data_dir(tmp_path, releases=tmp_path / "releases"))
    (tmp_path / "releases").mkdir()
    with pytest.raises(InputError, match="no release of index=PAR_INDEX year=2024 is loaded: nothing to rebuild"):
        pipeline.finish_ingest(sandbox, "par_index", 2024, "t1")
    with pytest.raises(InputError, match="no release of index=any year=2024 is loaded"):
        pipeline.finish_ingest(sandbox, None, 2024, "t1")
