"""`govwh new-release INDEX YEAR FILE…`: a package from the files as a ministry publishes them, which the pipeline
loads; the methodology version it will use, or a new one started from the previous version."""
from __future__ import annotations

import shutil
from dataclasses import replace
from decimal import Decimal

import pytest
import yaml

from ingest.core.errors import InputError
from ingest.curation import new_release
from ingest.load import load
from ingest.sources import packages
from ingest.wap import pipeline
from tests.conftest import BUNDLED, DATA, linked_data_dir, query

PCI_2021 = DATA / "releases/pci/2021/1"


def _data(tmp_path, methodology: bool = False):
    """A data directory with its own (empty) releases folder and, when asked, its own copy of the methodology."""
    own = {"releases": tmp_path / "releases"}
    own["releases"].mkdir()
    if methodology:
        own["methodology"] = tmp_path / "methodology"
        shutil.copytree(DATA / "methodology", own["methodology"])
    return replace(BUNDLED, data_dir=linked_data_dir(tmp_path, **own))


@pytest.mark.db
@pytest.mark.slow
def test_a_published_workbook_becomes_a_package_the_pipeline_loads(fresh_db, tmp_path):
    download = tmp_path / "downloads" / "pci_2021.xlsx"            # VCCI's table, as downloaded
    download.parent.mkdir()
    shutil.copy2(PCI_2021 / "pci_2021.xlsx", download)
    settings = replace(fresh_db, data_dir=_data(tmp_path).data_dir)
    made = new_release.build(settings, "PCI", 2021, [download], published_on=None,
                             source="pcivietnam.vn, bảng chỉ số các tỉnh thành 2021")
    assert made.manifest == settings.releases_dir / "pci/2021/1/release.yaml"
    assert (made.layouts, made.methodology_version, made.coverage) == ({"pci_2021.xlsx": "pci_province_table_vi"},
                                                                       "2016", "partial")
    assert made.methodology_note == "methodology 2016 (2016–open) will be used"
    assert (made.rows, made.units) == (21 * 11, 21)            # the top 21 provinces, total and 10 sub-indices
    doc = yaml.safe_load(made.manifest.read_text(encoding="utf-8"))
    bundled = yaml.safe_load((PCI_2021 / "release.yaml").read_text(encoding="utf-8"))
    assert doc["files"] == bundled["files"]                      # same bytes, same sha256 and layout
    assert (doc["publisher"], doc["edition"], doc["synthetic"]) == ("VCCI", 1, False)

    pipeline.run_all(settings, index_code="PCI", year=2021, pipeline_name="new_release")
    published = query(settings, "select count(*), max(score) filter (where component_code = 'TOTAL') "
                                "from marts.fct_component_score where release_id = 'PCI/2021/1'")
    assert published == [(231, Decimal("73.02"))]             # Quảng Ninh, first in 2021

    with pytest.raises(InputError, match="a new edition must say why"):
        new_release.build(settings, "PCI", 2021, [download])
    second = new_release.build(settings, "PCI", 2021, [download], reason="Kiểm tra lại")
    assert packages.read_manifest(second.manifest).edition == 2


@pytest.mark.db
def test_a_year_without_a_methodology_needs_a_new_one_started_from_the_previous(fresh_db, tmp_path):
    settings = replace(fresh_db, data_dir=_data(tmp_path, methodology=True).data_dir)
    published = tmp_path / "par_index_2025.csv"
    published.write_text("unit_name,unit_type,component_code,score,rank,rank_of\n"
                         "Lai Châu,province,TOTAL,86.50,20,34\n", encoding="utf-8")
    with pytest.raises(InputError, match="no methodology version of PAR_INDEX covers 2025 .* a new one is needed"):
        new_release.build(settings, "PAR_INDEX", 2025, [published])
    assert not (settings.releases_dir / "par_index").exists()
    assert not (settings.methodology_dir / "par_index/2025.yaml").exists()

    made = new_release.build(settings, "PAR_INDEX", 2025, [published], start_new_methodology=True)
    draft = yaml.safe_load(made.started_methodology.read_text(encoding="utf-8"))
    previous = yaml.safe_load((DATA / "methodology/par_index/2024.yaml").read_text(encoding="utf-8"))
    assert (draft["version"], draft["first_year"], draft["last_year"], draft["previous_version"]) == \
        ("2025", 2025, None, "2024")
    assert draft["source"].startswith("DRAFT started from version 2024")
    assert [(c["code"], c.get("max_score")) for c in draft["components"]] == \
        [(c["code"], c.get("max_score")) for c in previous["components"]]
    assert not any("comparable_with_previous" in c for c in draft["components"])
    assert (made.layouts, made.coverage) == ({"par_index_2025.csv": "canonical"}, "partial")
    assert "new methodology 2025 started from 2024" in made.methodology_note

    result = load.load_release(settings, made.manifest, "test-new-release")
    assert (result.release_id, result.action, result.rows) == ("PAR_INDEX/2025/1", "loaded", 1)
    with pytest.raises(InputError, match="already covers 2025"):
        new_release.build(settings, "PAR_INDEX", 2025, [published], reason="again", start_new_methodology=True)


@pytest.mark.unit
def test_the_layout_is_recognised_or_asked_for(tmp_path):
    settings = _data(tmp_path)
    assert new_release.detect_layout(PCI_2021 / "pci_2021.xlsx", settings) == "pci_province_table_vi"
    assert new_release.detect_layout(DATA / "releases/par_index/2024/1/scores.csv", settings) == "canonical"
    odd = tmp_path / "odd.csv"
    odd.write_text("Tỉnh,Điểm\nLai Châu,85.97\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the file's layout .* --layout"):
        new_release.detect_layout(odd, settings)
    with pytest.raises(InputError, match="unknown index 'NOPE'"):
        new_release.build(settings, "NOPE", 2025, [odd])
