"""The anchored synthetic national releases: reproducible, anchors exact, printed ranks true, every province."""
from __future__ import annotations

import filecmp
from collections import Counter
from decimal import Decimal

import pytest
import yaml

from ingest.curation import packaging
from ingest.sources import layouts, methodology, packages
from ingest.sources.reference import unit_directory
from ingest.synthetic import fill_values, national_fill
from tests.conftest import BUNDLED

pytestmark = pytest.mark.unit

RELEASES = sorted(p.parent.relative_to(BUNDLED.releases_dir).as_posix()
                  for p in BUNDLED.releases_dir.glob("*/*/*/release.yaml")
                  if any(f.synthetic for f in packages.read_manifest(p).files))   # completed by the national fill


def _rows(release_path: str):
    """(row, is_synthetic) for every row of every file of a bundled release."""
    release = packages.read_manifest(BUNDLED.releases_dir / release_path / "release.yaml")
    method = methodology.load(release.index_code, release.methodology_version, BUNDLED.methodology_dir)
    rows = [(row, item.synthetic) for item in release.files if item.holds_scores
            for row in layouts.read_file(release.folder / item.name, item.layout, BUNDLED.layouts_dir, method,
                                         unit_directory(BUNDLED.reference_dir)).rows]
    return release, method, rows


def _computed_rank(rows, unit_code: str, code: str) -> tuple[int, int]:
    """Rank (1 + units strictly better) and the number of units sharing the score."""
    scores = {r.unit_code: r.score for r, _ in rows if r.component_code == code}
    mine = scores[unit_code]
    return 1 + sum(1 for s in scores.values() if s > mine), sum(1 for s in scores.values() if s == mine)


def test_every_index_year_the_reports_hold_is_a_complete_release():
    assert RELEASES == [f"papi/{y}/1" for y in range(2020, 2025)] + [
        f"par_index/{y}/1" for y in (2018, 2019, 2022, 2023, 2024)] + [
        f"pci/{y}/1" for y in range(2016, 2020)] + [f"sipas/{y}/1" for y in (2022, 2023, 2024)]


@pytest.mark.parametrize("release_path", RELEASES)
def test_fill_keeps_every_guarantee(release_path):
    release, method, rows = _rows(release_path)
    tree = fill_values.tree_of(method)
    units = {r.unit_code for r, _ in rows}
    # Every province of the year (PAPI 2023: 61, Quảng Ninh and Bình Dương had no score).
    expected = {p.code for p in fill_values.provinces(release.year, BUNDLED.reference_dir)}
    if release_path == "papi/2023/1":
        expected -= {"22", "74"}
    assert units == expected
    # Every required component for every province, once.
    counts = Counter((r.unit_code, r.component_code) for r, _ in rows)
    assert max(counts.values()) == 1
    for code in tree.required:
        assert {u for (u, c) in counts if c == code} == expected, code
    # Every printed rank is the computed rank, without a tie.
    for row, _ in rows:
        if row.rank is not None and row.component_code in tree.required:
            assert _computed_rank(rows, row.unit_code, row.component_code) == (row.rank, 1), (row.unit_name, row.component_code)
    # A generated parent is exactly the sum of its children where they make up its maximum.
    by_key = {(r.unit_code, r.component_code): (r.score, synthetic) for r, synthetic in rows}
    for parent in tree.sums:
        for unit in units:
            score, synthetic = by_key[(unit, parent)]
            if synthetic:
                assert score == sum(by_key[(unit, kid)][0] for kid in tree.children[parent]), (unit, parent)
    # Generated values stay within the methodology's scale.
    for row, synthetic in rows:
        component = method.components[row.component_code]
        if synthetic and component.max_score is not None:
            assert (component.min_score or 0) <= row.score <= component.max_score


def test_real_figures_are_kept_exactly_and_labelled():
    release, _, rows = _rows("par_index/2024/1")
    # The report package, byte for byte: the foundation's file with fields 2 and 3 carrying the ranks the report's
    # record supports (49 from L177, 22 from L185) instead of the first printing (22 and 49 at L48 and L59).
    assert packages.sha256_of(release.folder / "scores.csv") == \
        "bd838729e0a4da191be39299d91dae432c7e0e77cd40de20a3e83f0d7194846a"
    real = {(r.unit_name, r.component_code): (r.score, r.rank) for r, synthetic in rows if not synthetic}
    assert real[("Lai Châu", "TOTAL")] == (Decimal("85.97"), 56)
    assert real[("Hải Phòng", "TOTAL")] == (Decimal("96.17"), 1)          # national_releases/par_index_2024.csv
    synthetic = {(r.unit_name, r.component_code): r for r, s in rows if s}
    assert ("Lai Châu", "TOTAL") not in synthetic and ("Hải Phòng", "TOTAL") not in synthetic
    # Printed ranks without a printed score: the rank is kept, the score is generated and says so.
    for name, rank in (("Bà Rịa - Vũng Tàu", 2), ("Hà Nội", 3)):
        row = synthetic[(name, "TOTAL")]
        assert row.rank == rank and row.source_ref.startswith("synthetic score; rank printed in national_releases/")
    assert all(r.source_ref.startswith("synthetic") for r in synthetic.values())


def test_par_index_2024_ranks_and_region_order_hold():
    _, _, rows = _rows("par_index/2024/1")
    totals = {r.unit_name: r.score for r, _ in rows if r.component_code == "TOTAL"}
    assert sum(1 for s in totals.values() if s > Decimal("85.97")) == 55
    region = [p for p in fill_values.provinces(2024, BUNDLED.reference_dir) if p.region == "Trung du và miền núi phía Bắc"]
    order = [p.name for p in sorted(region, key=lambda p: -totals[p.name])]
    assert order == ["Thái Nguyên", "Yên Bái", "Phú Thọ", "Sơn La", "Bắc Giang", "Lào Cai", "Hà Giang", "Điện Biên",
                     "Hòa Bình", "Lạng Sơn", "Tuyên Quang", "Lai Châu", "Bắc Kạn", "Cao Bằng"]
    # Lai Châu's field ranks as packaged hold (field 2: 49, field 3: 22, as the record supports; conflicts.csv).
    assert [_computed_rank(rows, "12", code)[0] for code in ("1", "2", "3", "4", "5", "6", "7", "8.1", "8.2")] == [
        28, 49, 22, 43, 42, 53, 36, 50, 43]


def test_ranks_stated_through_printed_changes_and_places_hold():
    """SIPAS 2024 is 55th, 'down 5 places' on 2023; PAPI 2024 is 31st, 'down 13' on 2023; Đắk Nông last in PAPI 2023."""
    _, _, sipas = _rows("sipas/2023/1")
    assert _computed_rank(sipas, "12", "TOTAL") == (50, 1)
    _, _, papi = _rows("papi/2023/1")
    assert _computed_rank(papi, "12", "TOTAL") == (18, 1)
    assert _computed_rank(papi, "67", "TOTAL") == (61, 1)
    real = {r.unit_name: r.score for r, synthetic in papi if not synthetic and r.component_code == "TOTAL"}
    assert real["Thừa Thiên Huế"] == Decimal("46.0415") and real["Sóc Trăng"] == Decimal("45.61")


def test_same_seed_same_files_other_seed_other_fill(tmp_path):
    spec = yaml.safe_load((BUNDLED.data_dir / "reports/par_index_2024_analysis/packaging.yaml").read_text(encoding="utf-8"))
    first = packaging.build(BUNDLED, BUNDLED.data_dir / "reports/par_index_2024_analysis", releases_dir=tmp_path / "a")[0]
    again = packaging.build(BUNDLED, BUNDLED.data_dir / "reports/par_index_2024_analysis", releases_dir=tmp_path / "b")[0]
    assert filecmp.cmp(first.parent / "synthetic.csv", again.parent / "synthetic.csv", shallow=False)
    assert spec["releases"][0]["national_fill"]["seed"] == 2024
    # `govwh fill-national` makes the fill again from release.yaml alone: same seed, same bytes.
    national_fill.refill(BUNDLED, first)
    assert filecmp.cmp(first.parent / "synthetic.csv", again.parent / "synthetic.csv", shallow=False)
    assert filecmp.cmp(first, again, shallow=False)
    # Another seed: other generated values, the same printed figures and ranks.
    doc = yaml.safe_load(first.read_text(encoding="utf-8"))
    doc["fill"]["seed"] = 7
    first.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    national_fill.refill(BUNDLED, first)
    assert not filecmp.cmp(first.parent / "synthetic.csv", again.parent / "synthetic.csv", shallow=False)
    assert filecmp.cmp(first.parent / "scores.csv", again.parent / "scores.csv", shallow=False)
    release = packages.read_manifest(first)
    method = methodology.load("PAR_INDEX", "2024", BUNDLED.methodology_dir)
    rows = [r for f in release.files if f.holds_scores
            for r in layouts.read_file(first.parent / f.name, f.layout, BUNDLED.layouts_dir, method,
                                       unit_directory(BUNDLED.reference_dir)).rows]
    totals = sorted((r.score for r in rows if r.component_code == "TOTAL"), reverse=True)
    assert totals.index(Decimal("85.97")) == 55 and totals[0] == Decimal("96.17")


def test_contradicting_anchors_are_refused(tmp_path):
    """A printed rank that cannot hold (two provinces given the same place) stops the fill; nothing is guessed."""
    method = methodology.load("SIPAS", "2022", BUNDLED.methodology_dir)
    tree = fill_values.tree_of(method)
    anchors = fill_values.Anchors(facts={("12", "TOTAL"): fill_values.Fact(8151, 55, "a"),
                                           ("80", "TOTAL"): fill_values.Fact(None, 55, "b")})
    with pytest.raises(fill_values.FillError, match="rank 55 of .* cannot be given"):
        fill_values.generate(tree, fill_values.provinces(2024, BUNDLED.reference_dir), anchors, seed=1, decimals=2, where=tmp_path)
    anchors = fill_values.Anchors(facts={("12", "TOTAL"): fill_values.Fact(8151, 55, "a"),
                                           ("80", "TOTAL"): fill_values.Fact(8271, 56, "b")})
    with pytest.raises(fill_values.FillError):
        fill_values.generate(tree, fill_values.provinces(2024, BUNDLED.reference_dir), anchors, seed=1, decimals=2, where=tmp_path)


def test_release_yaml_names_the_generator_not_a_module(tmp_path):
    """`fill: generator:` is the generator's registered name, so moving code changes no data file; refill refuses
    a fill that another generator made."""
    for manifest in BUNDLED.releases_dir.glob("*/*/*/release.yaml"):
        fill = yaml.safe_load(manifest.read_text(encoding="utf-8")).get("fill")
        assert fill is None or fill["generator"] == national_fill.GENERATOR, manifest
    first = packaging.build(BUNDLED, BUNDLED.source_reports_dir / "par_sipas_2023_plan", releases_dir=tmp_path)[0]
    doc = yaml.safe_load(first.read_text(encoding="utf-8"))
    doc["fill"]["generator"] = "ingest.national_fill"
    first.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(fill_values.FillError, match="made by 'ingest.national_fill'"):
        national_fill.refill(BUNDLED, first)
