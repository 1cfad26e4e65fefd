"""The national-scale generator (bench data) and that data through the whole pipeline, at a small --scale."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from ingest.core import checksum
from ingest.core.config import Settings
from ingest.sources import packages
from ingest.synthetic import communes, national_scale
from ingest.synthetic.generated import Summary
from ingest.wap import transform
from tests.conftest import BUNDLED, PROJECT, query

SCALE = 0.02      # 66 communes: the same shapes as the default scale, in seconds


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, Summary]:
    out = tmp_path_factory.mktemp("national_scale") / "data"
    return out, national_scale.generate(BUNDLED, out, scale=SCALE, seed=7)


def _commune_rows(files: list[Path]) -> int:
    return sum(sum(1 for _ in f.open(encoding="utf-8")) - 1 for f in files if "provincial_par" in f.parts)


@pytest.mark.unit
@pytest.mark.slow
def test_same_seed_same_files_and_everything_generated_says_synthetic(generated, tmp_path):
    out, summary = generated
    again = national_scale.generate(BUNDLED, tmp_path / "again", scale=SCALE, seed=7)
    assert [(f.relative_to(out), packages.sha256_of(f)) for f in summary.files] \
        == [(f.relative_to(tmp_path / "again"), packages.sha256_of(f)) for f in again.files]
    assert (out / "reference/units.csv").read_bytes() == (tmp_path / "again/reference/units.csv").read_bytes()
    for path in summary.files:
        doc = yaml.safe_load((path.parent / "release.yaml").read_text(encoding="utf-8"))
        assert doc["synthetic"] is True and doc["publisher"].startswith("SYNTHETIC"), path
    commune_lines = [line for line in (out / "reference/units.csv").read_text(encoding="utf-8").splitlines()
                     if ",commune," in line]
    assert len(commune_lines) == summary.communes == round(communes.COMMUNES * SCALE)
    assert all("SYNTHETIC" in line for line in commune_lines)


@pytest.mark.unit
@pytest.mark.slow
def test_real_releases_are_carried_unchanged(generated):
    out, _ = generated
    for manifest in BUNDLED.releases_dir.glob("*/*/*/release.yaml"):
        for item in yaml.safe_load(manifest.read_text(encoding="utf-8"))["files"]:
            source = manifest.parent / item["name"]
            assert (out / "releases" / source.relative_to(BUNDLED.releases_dir)).read_bytes() == source.read_bytes()


@pytest.mark.unit
@pytest.mark.slow
def test_default_scale_holds_at_least_five_million_fact_rows(generated):
    """Commune rows grow with the number of communes, national rows do not: extrapolate to 3,321 communes."""
    _, summary = generated
    commune_rows = _commune_rows(summary.files)
    assert commune_rows == summary.communes * len(communes.commune_tree(BUNDLED.methodology_dir)[0].codes) * 4 \
        * communes.QUARTERS * len(national_scale.DEFAULT_COMMUNE_YEARS)
    national_rows = summary.rows - commune_rows
    assert national_rows > 4 * 10 * 34     # every index, ten years, at least the 34 provinces
    assert national_rows + commune_rows // summary.communes * communes.COMMUNES >= 5_000_000


@pytest.mark.unit
def test_refuses_to_write_into_the_bundled_data():
    with pytest.raises(ValueError, match="refusing"):
        national_scale.generate(BUNDLED, BUNDLED.data_dir / "generated")


def _pipeline(settings: Settings, *selection: str) -> None:
    env = {**os.environ, **settings.environment()}
    subprocess.run([sys.executable, "-m", "ingest.cli", "pipeline", *selection], env=env, check=True,
                   cwd=PROJECT)


def _new_edition(release: Path, reason: str) -> Path:
    """The next edition of a generated release with the first score of its file lowered by 0.01."""
    doc = yaml.safe_load((release / "release.yaml").read_text(encoding="utf-8"))
    folder = release.parent / str(doc["edition"] + 1)
    shutil.copytree(release, folder)
    item = doc["files"][0]
    lines = (folder / item["name"]).read_text(encoding="utf-8").split("\n")
    header, fields = lines[0].split(","), lines[1].split(",")
    fields[header.index("score")] = f"{float(fields[header.index('score')]) - 0.01:.2f}"
    lines[1] = ",".join(fields)
    (folder / item["name"]).write_text("\n".join(lines), encoding="utf-8")
    item["sha256"] = packages.sha256_of(folder / item["name"])
    doc.update(edition=doc["edition"] + 1, reason=reason)
    (folder / "release.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.mark.db
@pytest.mark.slow
def test_national_scale_data_through_the_pipeline_and_a_correction(generated, fresh_db, tmp_path):
    source, summary = generated
    data_dir = tmp_path / "data"
    shutil.copytree(source, data_dir)
    on_generated = replace(fresh_db, data_dir=data_dir)
    _pipeline(on_generated)

    provinces = dict(query(fresh_db, "select year, count(distinct unit_code) from marts.fct_component_score "
                                     "where index_code = 'PAR_INDEX' and component_code = 'TOTAL' "
                                     "and year in (2024, 2026) group by year"))
    assert provinces == {2024: 63, 2026: 34}
    generated_commune_rows = _commune_rows(summary.files)
    assert query(fresh_db, "select count(*), bool_and(is_synthetic), count(distinct unit_code) "
                           "from marts.fct_unit_score_history where unit_type = 'commune'") \
        == [(generated_commune_rows, True, summary.communes)]
    commune_marts = {name: value for name, value in checksum.mart_checksums(fresh_db.warehouse).items() if "unit" in name}

    # A correction of one national release rebuilds its index's partitions only: the communes' marts stay
    # as they were (the provincial models are not even built) and the corrected value is published.
    corrected = _new_edition(data_dir / "releases/pci/2020/1", "test: a corrected national release")
    corrected_line = (corrected / "synthetic.csv").read_text(encoding="utf-8").split("\n")[1].split(",")
    _pipeline(on_generated, "--index", "PCI", "--year", "2020")
    assert {name: value for name, value in checksum.mart_checksums(fresh_db.warehouse).items() if "unit" in name} == commune_marts
    assert query(fresh_db, "select f.score, f.edition from marts.fct_component_score f "
                           "join marts.dim_unit u using (unit_key) where f.index_code = 'PCI' and f.year = 2020 "
                           "and u.unit_name = %s and f.component_code = %s",
                 (corrected_line[0], corrected_line[2])) == [(Decimal(corrected_line[3]), 2)]
    assert query(fresh_db, "select partitions from audit.publish_log order by published_at desc limit 1") \
        == [("PCI/2020, PCI/2021",)]

    # A corrected quarterly delivery of the communes adds its own release's rows to the history: the earlier
    # editions' published rows are not rebuilt, and fct_unit_score shows the new edition.
    history = ("select release_id, count(*) from marts.fct_unit_score_history where index_code = 'PROVINCIAL_PAR' "
               "and year = 2026 group by release_id order by release_id")
    before = query(fresh_db, history)
    per_edition = summary.communes * len(communes.commune_tree(BUNDLED.methodology_dir)[0].codes) * 4
    _new_edition(data_dir / "releases/provincial_par/2026/4", "test: a corrected quarterly delivery")
    _pipeline(on_generated, "--index", "PROVINCIAL_PAR", "--year", "2026")
    assert query(fresh_db, history) == before + [("PROVINCIAL_PAR/2026/5", per_edition)]
    assert query(fresh_db, "select distinct edition from marts.fct_unit_score where year = 2026 "
                           "and index_code = 'PROVINCIAL_PAR'") == [(5,)]

    # Every partial publish above ends where a full refresh of the same inputs ends.
    partial = checksum.mart_checksums(fresh_db.warehouse)
    _pipeline(on_generated)
    assert checksum.mart_checksums(fresh_db.warehouse) == partial


@pytest.mark.unit
def test_national_partitions_leave_the_provincial_models_out():
    assert transform.selection(["PCI/2020", "PCI/2021"]) == ["--exclude", "tag:provincial"]
    assert transform.selection(["PROVINCIAL_PAR/2026", "PCI/2020"]) == []
    assert transform.selection([]) == []          # a full refresh builds everything


@pytest.mark.db
@pytest.mark.slow
def test_the_bench_baseline_builds_on_data_made_from_the_bundled_inputs(generated, fresh_db):
    """bench/baseline.py (make bench's floor: COPY + SQL) runs on the generated data as the bundled inputs are now:
    a column added to data/reference and not to the baseline's tables once broke `make bench`."""
    sys.path.insert(0, str(PROJECT / "bench"))
    try:
        import baseline
    finally:
        sys.path.remove(str(PROJECT / "bench"))
    source, summary = generated
    result = baseline.run(replace(fresh_db, data_dir=source))
    assert result["mart_rows"]["fct_unit_score_history"] >= _commune_rows(summary.files) > 0
    assert result["mart_rows"]["fct_component_score"] > 0


@pytest.mark.unit
def test_generated_data_is_made_again_when_a_bundled_input_changes(tmp_path):
    """make bench keeps its generated directory only while the inputs it was made from are unchanged."""
    data_dir = tmp_path / "data"
    shutil.copytree(BUNDLED.data_dir, data_dir)
    copy = replace(BUNDLED, data_dir=data_dir)
    before = national_scale.inputs_fingerprint(copy)
    assert before == national_scale.inputs_fingerprint(BUNDLED)
    provinces = data_dir / "reference" / "provinces.csv"
    provinces.write_text(provinces.read_text(encoding="utf-8").replace(",", ",x", 1), encoding="utf-8")
    assert national_scale.inputs_fingerprint(copy) != before
