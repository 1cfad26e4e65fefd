"""A partial run reuses the published dimensions whose inputs did not change (ingest/wap/reuse.py), and builds
them as before when anything they are built from changed."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest
import yaml

from ingest.core.checksum import mart_checksums
from ingest.wap import pipeline, reuse, transform
from tests.conftest import DATA, copy_release, linked_data_dir, make_database, query, rewrite_release

REUSED_NODES = {"seed.governance.units", "seed.governance.provinces", "seed.governance.indices",
                "model.governance.dim_unit", "model.governance.dim_index", "model.governance.dim_unit_succession",
                "model.governance.dim_methodology_component", "model.governance.stg_reference__units"}
# Built by a national correction whether or not the dimensions are reused.
BUILT_NODES = {"model.governance.dim_release", "model.governance.fct_component_score",
               "seed.governance.target_verdicts", "model.governance.fct_target_attainment",
               # a rebuilt fact's relationships to a reused dimension are still tested
               "test.governance.relationships_fct_component_score_unit_key__unit_key__ref_dim_unit_"}
IDENTITY = ("select relname, pg_class.oid::bigint, (select string_agg(xmin::text, ',' order by xmin::text) from {}) "
            "from pg_class where oid = '{}'::regclass")


def _executed(settings, pipeline_name: str) -> set[str]:
    results = json.loads((settings.dbt_dir / "target" / pipeline_name / "run_results.json").read_text())
    return {".".join(r["unique_id"].split(".")[:3]) for r in results["results"]}   # without a test's hash


def _identities(settings) -> dict[str, tuple]:
    """Each reusable mart's oid and its rows' xmin: a relation replaced, or rows deleted and inserted, differ."""
    names = [n for n in reuse.REUSABLE if query(settings, "select to_regclass(%s)", (f"marts.{n}",))[0][0]]
    return {n: query(settings, IDENTITY.format(f"marts.{n}", f"marts.{n}"))[0] for n in names}


def _second_edition(releases) -> None:
    """PAR_INDEX 2024 edition 2: one score changed (a corrected release), as tests/test_corrections.py makes it."""
    first, second = releases / "par_index/2024/1", releases / "par_index/2024/2"
    second.mkdir()
    for path in first.iterdir():   # not what the report printed twice (conflicts.csv)
        if path.name != "conflicts.csv":
            (second / path.name).write_bytes(path.read_bytes())
    text = (second / "scores.csv").read_text(encoding="utf-8").replace(",8.16,", ",8.15,")
    rewrite_release(second / "release.yaml", data_text=text, edition=None, reason="test edition")
    doc = yaml.safe_load((second / "release.yaml").read_text(encoding="utf-8"))
    doc["edition"], doc["files"] = 2, [f for f in doc["files"] if f["name"] != "conflicts.csv"]
    (second / "release.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def sandbox(fresh_db, tmp_path):
    for year in (2023, 2024):
        copy_release(tmp_path, "PAR_INDEX", year)
    return replace(fresh_db, data_dir=linked_data_dir(tmp_path, releases=tmp_path / "releases",
                                                      reference=tmp_path / "reference"))


@pytest.fixture(autouse=True)
def _reference_copy(tmp_path):
    shutil.copytree(DATA / "reference", tmp_path / "reference")


@pytest.mark.db
@pytest.mark.slow
def test_correction_reuses_dims_and_publishes_what_a_full_build_gives(settings, sandbox, tmp_path):
    pipeline.run_all(sandbox, pipeline_name="reuse")
    before = _identities(sandbox)
    assert set(before) == set(reuse.REUSABLE)

    _second_edition(tmp_path / "releases")
    pipeline.run_all(sandbox, "PAR_INDEX", 2024, pipeline_name="reuse")
    executed = _executed(sandbox, "reuse")
    assert not executed & REUSED_NODES, executed & REUSED_NODES
    assert BUILT_NODES <= executed, BUILT_NODES - executed
    # publish left the reused relations as they were: same relation, same row versions (not replaced by themselves)
    assert _identities(sandbox) == before
    assert query(sandbox, "select max(edition) from marts.dim_release where release_id like 'PAR_INDEX/2024/%%'") \
        == [(2,)]

    scratch = replace(make_database(settings, "reuse_scratch"), data_dir=sandbox.data_dir)
    pipeline.run_all(scratch, pipeline_name="scratch")
    assert mart_checksums(sandbox.warehouse) == mart_checksums(scratch.warehouse)


@pytest.mark.db
@pytest.mark.slow
def test_a_changed_reference_file_rebuilds_the_dims(sandbox, tmp_path):
    pipeline.run_all(sandbox, pipeline_name="reuse")
    units = tmp_path / "reference" / "units.csv"
    lines = units.read_text(encoding="utf-8").splitlines()
    code, name = lines[1].split(",")[:2]
    units.write_text("\n".join([lines[0], lines[1].replace(name, name + " (renamed)", 1), *lines[2:]]) + "\n",
                     encoding="utf-8")
    before = _identities(sandbox)

    pipeline.run_all(sandbox, "PAR_INDEX", 2024, pipeline_name="reuse")
    assert {"seed.governance.units", "model.governance.dim_unit", "model.governance.dim_index"} \
        <= _executed(sandbox, "reuse")
    assert query(sandbox, "select unit_name from marts.dim_unit where unit_code = %s", (code,)) \
        == [(name + " (renamed)",)]
    assert _identities(sandbox)["dim_unit"] != before["dim_unit"]

    # What the partial run published is recorded: the next one reuses it.
    pipeline.run_all(sandbox, "PAR_INDEX", 2024, pipeline_name="reuse")
    assert not _executed(sandbox, "reuse") & REUSED_NODES


@pytest.mark.db
@pytest.mark.slow
def test_a_published_dim_that_changed_or_is_missing_is_built_again(sandbox):
    pipeline.run_all(sandbox, pipeline_name="reuse")
    expected = query(sandbox, "select count(*), min(index_name) from marts.dim_index")
    query(sandbox, "update marts.dim_index set index_name = 'edited outside a publish'")
    pipeline.run_all(sandbox, "PAR_INDEX", 2024, pipeline_name="reuse")
    assert "model.governance.dim_index" in _executed(sandbox, "reuse")
    assert query(sandbox, "select count(*), min(index_name) from marts.dim_index") == expected

    query(sandbox, "delete from audit.published_inputs where relation = 'dim_unit_succession'")
    pipeline.run_all(sandbox, "PAR_INDEX", 2024, pipeline_name="reuse")
    assert "model.governance.dim_unit_succession" in _executed(sandbox, "reuse")


@pytest.mark.db
@pytest.mark.slow
def test_what_a_reused_dim_leaves_out_is_read_by_nothing_else(sandbox):
    """dbt's manifest: the ancestors left out with a reused dimension (`+dim_unit`) feed only that dimension, and
    a reusable dimension reads no landing table but the methodology (dim_release reads raw.releases: built)."""
    pipeline.run_all(sandbox, pipeline_name="reuse")
    manifest = json.loads((sandbox.dbt_dir / "target" / "reuse" / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest["sources"]}
    parents = {uid: node.get("depends_on", {}).get("nodes", []) for uid, node in nodes.items()}
    model = {name: f"model.governance.{name}" for name in reuse.REUSABLE}

    def ancestors(uid):
        found = set(parents.get(uid, []))
        for parent in list(found):
            found |= ancestors(parent)
        return found

    for name, selector in reuse.REUSABLE.items():
        sources = {a for a in ancestors(model[name]) if a.startswith("source.")}
        assert all(".raw.methodology_" in s for s in sources), (name, sources)
        if selector.startswith("+"):
            left_out = ancestors(model[name]) | {model[name]}
            for uid, node_parents in parents.items():
                if not uid.startswith("test.") and uid not in left_out:
                    assert not set(node_parents) & (left_out - {model[name]}), (uid, name)


@pytest.mark.unit
def test_selection_when_dims_are_reused():
    assert transform.selection(["PCI/2020"], ["dim_unit"]) == [
        "--indirect-selection", "cautious", "--exclude", "tag:provincial+1", "+dim_unit"]
    assert transform.selection(["PROVINCIAL_PAR/2026"], ["dim_unit_group"]) == [
        "--indirect-selection", "cautious", "--exclude", "dim_unit_group"]
    assert transform.selection(["PCI/2020"]) == ["--exclude", "tag:provincial"]   # nothing reused: as before
