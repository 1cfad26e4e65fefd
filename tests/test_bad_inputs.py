"""The bad-input corpus (tests/bad_inputs/cases.yaml): every file is refused with file, row and column,
blocked by the checks, or normalised with a record — and the published marts never change."""
from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from ingest.core import checksum
from ingest.core.errors import MESSAGE_LIMIT, InputError
from ingest.load import load
from ingest.sources import packages
from ingest.wap import checks, pipeline
from tests.conftest import linked_data_dir, published_database, query

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
EDITIONS = itertools.count(2)


@pytest.fixture(scope="module")
def corpus_db(published_template):
    with published_database(published_template, "corpus") as wh:
        yield wh


@pytest.fixture(scope="module")
def published_marts(corpus_db):
    """The marts' checksums before any case: every case must leave them exactly so (read once; CI has 30 min)."""
    return checksum.mart_checksums(corpus_db.warehouse)


def _raw_counts(wh):
    return query(wh, "select (select count(*) from raw.releases), (select count(*) from raw.component_scores)")[0]


def _package(tmp_path: Path, case: str, expected: dict) -> tuple[Path, str]:
    """A PAR INDEX 2024 release package around the case file; returns (release.yaml, release_id)."""
    data = CORPUS / (case if case.endswith((".csv", ".xlsx")) else "valid_reference.csv")
    file_name = case if case.endswith(".xlsx") else "scores.csv"
    edition = next(EDITIONS)
    if case.endswith(".yaml"):
        text = (CORPUS / case).read_text(encoding="utf-8")
        if "{edition}" not in text:
            edition = yaml.safe_load(text.replace("{sha256}", "x"))["edition"]
    folder = tmp_path / "releases" / "par_index" / "2024" / str(edition)
    folder.mkdir(parents=True)
    (folder / file_name).write_bytes(data.read_bytes())
    sha = packages.sha256_of(folder / file_name)
    if case.endswith(".yaml"):
        manifest_text = text.replace("{edition}", str(edition)).replace("{sha256}", sha)
    else:
        entry = {"name": file_name, "sha256": sha, **{key: expected[key] for key in ("encoding", "layout") if key in expected}}
        manifest_text = yaml.safe_dump({
            "index": "PAR_INDEX", "year": 2024, "edition": edition, "publisher": "Bộ Nội vụ",
            "source": f"bad-input corpus: {case}", "methodology_version": "2024", "reason": f"corpus case {case}",
            # A case is a few rows of one province: a partial edition of a complete release, and says so.
            "coverage": "partial", "changes": {"coverage": "corpus case: a few rows", "units": "corpus case: Lai Châu"},
            "files": [entry]}, allow_unicode=True)
    (folder / "release.yaml").write_text(manifest_text, encoding="utf-8")
    for name, target in (expected.get("link") or {}).items():   # a file of the package that is a link out of it
        (folder / name).symlink_to(CORPUS / target)
    return folder / "release.yaml", f"PAR_INDEX/2024/{edition}"


def _foreign_hashes(expected: dict) -> set[str]:
    """sha256 of files outside the package that a case points at: no message may carry them."""
    targets = [CORPUS / target for target in (expected.get("link") or {}).values()] + [Path("/etc/hostname")]
    return {packages.sha256_of(path) for path in targets if path.is_file()}


@pytest.mark.unit
def test_corpus_is_large_enough():
    files = [p for p in CORPUS.iterdir() if p.is_file() and p.name != "cases.yaml"]
    assert len(files) >= 80
    assert {p.name for p in files} - {"valid_reference.csv"} == set(CASES)


@pytest.mark.db
@pytest.mark.slow   # each case on a copy of the published marts (one pipeline run), the blocked ones run another
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case, corpus_db, published_marts, tmp_path):
    expected = CASES[case]
    # The corpus's own layouts, and the case's package as the only release.
    settings = replace(corpus_db, data_dir=linked_data_dir(tmp_path, releases=tmp_path / "releases",
                                                           layouts=CORPUS / "layouts"))
    raw_before = _raw_counts(corpus_db)
    manifest, release_id = _package(tmp_path, case, expected)

    if expected["outcome"] == "error":
        with pytest.raises(InputError) as caught:
            load.load_release(settings, manifest, "corpus")
        error = caught.value
        assert expected["message"] in str(error)
        assert len(str(error)) <= MESSAGE_LIMIT and not any(sha in str(error) for sha in _foreign_hashes(expected))
        assert error.path.endswith((".csv", ".yaml", ".xlsx"))
        if "row" in expected:
            assert error.row == expected["row"], str(error)
        if "column" in expected:
            assert error.column == expected["column"], str(error)
        assert _raw_counts(corpus_db) == raw_before

    elif expected["outcome"] == "normalised":
        assert load.load_release(settings, manifest, "corpus").action == "loaded"
        logged = query(corpus_db, "select source_row, rule, original, normalised from audit.normalisations "
                                  "where release_id = %s", (release_id,))
        assert (expected["row"], expected["rule"]) in {(row, rule) for row, rule, _, _ in logged}, logged

    elif expected["outcome"] == "blocked":
        with pytest.raises(checks.BlockingCheckFailed, match=expected["check"]):
            pipeline.run_all(settings, "PAR_INDEX", 2024, pipeline_name="corpus")
        found = query(corpus_db, "select component_code, observed from audit.findings where release_id = %s "
                                 "and expectation = %s and severity = 'critical'", (release_id, expected["check"]))
        assert (expected["component"], expected["observed"]) in found, found

    else:
        pytest.fail(f"unknown outcome {expected['outcome']!r} in cases.yaml")

    assert checksum.mart_checksums(corpus_db.warehouse) == published_marts
