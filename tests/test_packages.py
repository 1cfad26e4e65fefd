"""Release packages: manifests, hashes, and the packages built from the bundled report."""
from __future__ import annotations

import csv
import filecmp
import shutil
from pathlib import Path

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
        ("scores.csv", False), ("conflicts.csv", False), ("national.csv", False), ("synthetic.csv", True)]
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


def _package_rows(path) -> dict[str, list[str]]:
    return {r[2]: r for r in (line.split(",") for line in path.read_text(encoding="utf-8").splitlines()[1:])}


def test_the_supported_printing_is_published_and_the_conflict_travels_with_the_package():
    """Field 2's 2024 rank is printed 22 (L48, L735) and 49 (L177, L323); only 49 agrees with the printed rank change
    −15 from 34 (L48, L323), so the package carries 49. Field 3 is the mirror image: 22 (L185) agrees with its
    printed change −15 from 7 (L386), 49 (L59) with nothing."""
    rows = _package_rows(BUNDLED.releases_dir / "par_index/2024/1/scores.csv")
    assert rows["2"][3:] == ["9.09", "49", "63", "par_index_2024_analysis L48 (rank L177)"]
    assert rows["3"][3:] == ["12.98", "22", "63", "par_index_2024_analysis L59 (rank L185)"]
    assert rows["8.2"][3:6] == ["8.16", "43", "63"]          # 8.15 (L716) and 55 (L233) are the odd printings
    assert "TOTAL.appraisal.self_assessed" not in rows
    release = packages.read_manifest(BUNDLED.releases_dir / "par_index/2024/1/release.yaml")
    conflicts_file = packages.verify_files(release)["conflicts.csv"]       # listed with its sha256
    with conflicts_file.open(encoding="utf-8", newline="") as handle:
        candidates = {(r["component_code"], r["measure"], r["candidate_value"]): r for r in csv.DictReader(handle)}
    assert sorted(candidates) == [("2", "rank", "22"), ("2", "rank", "49"), ("3", "rank", "22"), ("3", "rank", "49"),
                                  ("8.2", "rank", "43"), ("8.2", "rank", "55"), ("8.2", "score", "8.15"),
                                  ("8.2", "score", "8.16")]
    field_2 = candidates[("2", "rank", "49")]
    assert (field_2["is_published"], field_2["status"], field_2["printings"], field_2["support"]) == (
        "true", "resolved", "L177; L323", "3")
    assert "rank_change -15 (L48; L323), PAR_INDEX 2023 Lai Châu 2 rank 34 (L45)" in field_2["evidence"]
    assert candidates[("2", "rank", "22")]["is_published"] == "false"
    assert candidates[("3", "rank", "22")]["is_published"] == "true"


def _copy_report(tmp_path, report: str) -> Path:
    folder = tmp_path / report
    shutil.copytree(BUNDLED.data_dir / "reports" / report, folder)
    return folder


def _with_decision(folder: Path, decision: str) -> None:
    spec = folder / "packaging.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "decisions:\n" + decision, encoding="utf-8")


def test_a_persons_decision_wins_and_is_recorded(tmp_path):
    folder = _copy_report(tmp_path, "par_index_2024_analysis")
    _with_decision(folder, "  - {index: PAR_INDEX, year: 2024, unit: Lai Châu, component: '2', measure: rank, value: 22,\n"
                           "     reason: the Ministry's decision 286/QĐ-BNV prints 22}\n")
    written = packaging.build(BUNDLED, folder, releases_dir=tmp_path / "releases")
    package = written[0].parent
    assert _package_rows(package / "scores.csv")["2"][3:6] == ["9.09", "22", "63"]
    with (package / "conflicts.csv").open(encoding="utf-8", newline="") as handle:
        field_2 = [r for r in csv.DictReader(handle) if r["component_code"] == "2"]
    assert {(r["candidate_value"], r["is_published"], r["status"], r["decision_reason"]) for r in field_2} == {
        ("22", "true", "decided", "the Ministry's decision 286/QĐ-BNV prints 22"),
        ("49", "false", "decided", "the Ministry's decision 286/QĐ-BNV prints 22")}


@pytest.mark.parametrize("decision, message", [
    ("  - {index: PAR_INDEX, year: 2024, unit: Lai Châu, component: '2', measure: rank, value: 30, reason: x}\n",
     "must name one of the printed values"),
    ("  - {index: PAR_INDEX, year: 2024, unit: Lai Châu, component: '2', measure: rank, value: 22}\n",
     "and a reason"),
    ("  - {index: PAR_INDEX, year: 2024, unit: Lai Châu, component: '1', measure: rank, value: 28, reason: x}\n",
     "matches no fact printed with different values"),
])
def test_a_decision_must_name_a_printed_value_and_a_reason(tmp_path, decision, message):
    """A decision can only pick among the printed values: a published number is never made up."""
    folder = _copy_report(tmp_path, "par_index_2024_analysis")
    _with_decision(folder, decision)
    with pytest.raises(InputError, match=message):
        packaging.build(BUNDLED, folder, releases_dir=tmp_path / "releases")


def test_a_tie_keeps_the_first_printing_and_marks_the_fact_unresolved(tmp_path):
    """Without the printed rank changes, field 2's 22 (twice) and 49 (twice) tie: the first printing stays."""
    folder = _copy_report(tmp_path, "par_index_2024_analysis")
    scores = folder / "scores.csv"
    text = scores.read_text(encoding="utf-8")
    for row in ("PAR_INDEX,2024,Lai Châu,province,2,9.09,,22,63,0.01,-15,L48",
                "PAR_INDEX,2024,Lai Châu,province,2,9.09,90.9,49,63,-0.27,-15,L323"):
        assert row in text
        text = text.replace(row, row.replace(",-15,", ",,"))
    scores.write_text(text, encoding="utf-8")
    written = packaging.build(BUNDLED, folder, releases_dir=tmp_path / "releases")
    package = written[0].parent
    assert _package_rows(package / "scores.csv")["2"][3:6] == ["9.09", "22", "63"]
    with (package / "conflicts.csv").open(encoding="utf-8", newline="") as handle:
        field_2 = {r["candidate_value"]: (r["is_published"], r["status"]) for r in csv.DictReader(handle)
                   if r["component_code"] == "2"}
    assert field_2 == {"22": ("true", "unresolved"), "49": ("false", "unresolved")}


def test_a_conflicts_file_needs_one_published_candidate_per_fact(tmp_path):
    """Ingest checks conflicts.csv before landing it: each fact has one published candidate and one status."""
    from ingest.sources import methodology, printed_conflicts, readers
    from ingest.sources.reference import unit_directory

    text = (BUNDLED.releases_dir / "par_index/2024/1/conflicts.csv").read_text(encoding="utf-8")
    method = methodology.load("PAR_INDEX", "2024", BUNDLED.methodology_dir)
    units = unit_directory(BUNDLED.reference_dir)
    good = tmp_path / "conflicts.csv"
    good.write_text(text, encoding="utf-8")
    rows = printed_conflicts.to_conflict_rows(good, readers.read_csv_records(good, None, printed_conflicts.COLUMNS)[0],
                                              method, units, 2024).rows
    assert {(r.component_code, r.measure, str(r.candidate_value)) for r in rows if r.is_published} == {
        ("2", "rank", "49"), ("3", "rank", "22"), ("8.2", "rank", "43"), ("8.2", "score", "8.16")}
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace("Lai Châu,province,2,,rank,resolved,49,true", "Lai Châu,province,2,,rank,resolved,49,false"),
                   encoding="utf-8")
    with pytest.raises(InputError, match="one of them published"):
        printed_conflicts.to_conflict_rows(bad, readers.read_csv_records(bad, None, printed_conflicts.COLUMNS)[0],
                                           method, units, 2024)
