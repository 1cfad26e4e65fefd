"""Release packages: manifests, hashes, and the packages built from the bundled report."""
from __future__ import annotations

import filecmp

import pytest

from ingest.core.errors import InputError
from ingest.curation import packaging
from ingest.sources import packages
from tests.conftest import BUNDLED, copy_release, rewrite_release

pytestmark = pytest.mark.unit


def test_bundled_packages_are_discovered_in_order():
    found = [p.relative_to(BUNDLED.releases_dir).as_posix() for p in packages.discover(BUNDLED.releases_dir, "PAR_INDEX")]
    assert found == [f"par_index/{year}/1/release.yaml" for year in (2018, 2019, 2022, 2023, 2024)]


def test_manifest_describes_release():
    release = packages.read_manifest(BUNDLED.releases_dir / "par_index/2024/1/release.yaml")
    assert (release.release_id, release.methodology_version, release.coverage) == ("PAR_INDEX/2024/1", "2024", "complete")
    assert release.is_synthetic and [(f.name, f.synthetic) for f in release.files] == [
        ("scores.csv", False), ("national.csv", False), ("synthetic.csv", True)]
    assert str(release.published_on) == "2025-04-06" and release.publisher == "Bộ Nội vụ"
    assert packages.verify_files(release)["scores.csv"].name == "scores.csv"


def test_sha256_mismatch_names_the_file(tmp_path):
    manifest = copy_release(tmp_path, "PAR_INDEX", 2024)
    with (manifest.parent / "scores.csv").open("a", encoding="utf-8") as handle:
        handle.write("Lai Châu,province,1.1,1.4,,,edited\n")
    with pytest.raises(InputError, match=r"scores.csv: sha256 is [0-9a-f]{64} but release.yaml says"):
        packages.verify_files(packages.read_manifest(manifest))


def test_manifest_must_sit_in_its_own_folder(tmp_path):
    manifest = copy_release(tmp_path, "PAR_INDEX", 2024)
    rewrite_release(manifest, year=2023)
    with pytest.raises(InputError, match="says PAR_INDEX 2023 edition 1 but it sits in par_index/2024/1"):
        packages.read_manifest(manifest)


def test_later_edition_needs_a_reason(tmp_path):
    manifest = rewrite_release(copy_release(tmp_path, "PAR_INDEX", 2024), edition=2)
    with pytest.raises(InputError, match="column 'reason'"):
        packages.read_manifest(manifest)


REPORT_RELEASES = {
    "par_index_2024_analysis": ["par_index/2024/1", "par_index/2023/1", "sipas/2024/1", "sipas/2023/1"],
    "par_pci_2019_analysis": ["par_index/2019/1", "par_index/2018/1", "pci/2019/1", "pci/2018/1", "pci/2017/1",
                              "pci/2016/1"],
    "par_sipas_2023_plan": ["par_index/2022/1", "sipas/2022/1"],
    "papi_2024_report": [f"papi/{year}/1" for year in (2024, 2023, 2022, 2021, 2020)],
}


@pytest.mark.parametrize("report", sorted(REPORT_RELEASES))
def test_packages_are_rebuilt_identically_from_the_report(tmp_path, report):
    """The committed packages, fill included, are exactly what the report's packaging rule (and seed) produces."""
    written = packaging.build(BUNDLED, BUNDLED.data_dir / "reports" / report, releases_dir=tmp_path)
    assert [m.parent.relative_to(tmp_path).as_posix() for m in written] == REPORT_RELEASES[report]
    for manifest in written:
        committed = BUNDLED.releases_dir / manifest.relative_to(tmp_path)
        names = ["release.yaml"] + [f.name for f in packages.read_manifest(manifest).files]
        assert sorted(p.name for p in manifest.parent.iterdir()) == sorted(names)
        for name in names:
            assert filecmp.cmp(manifest.parent / name, committed.parent / name, shallow=False), name


def test_first_printing_wins_and_others_stay_for_the_audit():
    """Field 2's 2024 rank is printed as 22 in the first table and 49 later: the package carries 22."""
    rows = {(r[2]): r for r in (line.split(",") for line in
            (BUNDLED.releases_dir / "par_index/2024/1/scores.csv").read_text(encoding="utf-8").splitlines()[1:])}
    assert rows["2"][3:6] == ["9.09", "22", "63"]
    assert rows["8.2"][3] == "8.16"           # 8.15 in section 2.8
    assert "TOTAL.appraisal.self_assessed" not in rows
    printed = (BUNDLED.data_dir / "reports/par_index_2024_analysis/scores.csv").read_text(encoding="utf-8")
    assert "PAR_INDEX,2024,Lai Châu,province,2,,90.90,49,63,,,L177" in printed
