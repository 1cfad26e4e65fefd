"""The set-based landing (load/set_checks.py) never decides otherwise than the Python readers: on every file of the
bad-input corpus, of the project's releases and of a set of mutations, it either leaves the file to the readers or
lands exactly the rows they land (every column), for a file they accept without a normalisation note."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg2
import pytest

from ingest.core import db
from ingest.core.errors import InputError
from ingest.load import landing, load, set_checks
from ingest.sources import layouts, methodology, packages
from ingest.sources.reference import unit_directory

pytestmark = pytest.mark.db

CORPUS = Path(__file__).parent / "bad_inputs"
GOOD = (CORPUS / "valid_reference.csv").read_text(encoding="utf-8")
_HEADER, _FIRST, *_REST = GOOD.splitlines()
# Mutations of a valid file, each a case the SQL check must flag or land as the readers do.
MUTATIONS = {
    "score_with_spaces": lambda cells: cells | {"score": " 85.5 "},
    "score_exponent": lambda cells: cells | {"score": "1e2"},
    "score_plus": lambda cells: cells | {"score": "+85.5"},
    "score_leading_zero": lambda cells: cells | {"score": "085.50"},
    "score_negative_zero": lambda cells: cells | {"score": "-0"},
    "score_ten_digits": lambda cells: cells | {"score": "1234567890"},
    "score_empty": lambda cells: cells | {"score": ""},
    "rank_signed": lambda cells: cells | {"rank": "+5"},
    "rank_without_rank_of": lambda cells: cells | {"rank_of": ""},
    "rank_of_other": lambda cells: cells | {"rank_of": "62"},
    "rank_of_leading_zero": lambda cells: cells | {"rank_of": "063"},
    "source_ref_nbsp": lambda cells: cells | {"source_ref": "p. 3\u00a0"},
    "source_ref_space_inside": lambda cells: cells | {"source_ref": "p. 3 t 1"},
    "unit_type_spaces": lambda cells: cells | {"unit_type": " province"},
    "component_spaces": lambda cells: cells | {"component_code": cells["component_code"] + " "},
    "unit_name_spaces": lambda cells: cells | {"unit_name": cells["unit_name"] + "  "},
}
TEXT_MUTATIONS = {
    "trailing_blank_line": GOOD + "\n",
    "end_of_data_marker": GOOD + "\\.\n" + _REST[0] + "\n",
    "byte_order_mark": "\ufeff" + GOOD,
    "carriage_returns": GOOD.replace("\n", "\r\n"),
    "line_separator": GOOD.replace("\n", "\u2028", 2),
    "no_final_newline": GOOD.rstrip("\n"),
    "duplicate_row": GOOD + _FIRST + "\n",
    "header_only": _HEADER + "\n",
    "misaligned": GOOD + _FIRST + ",x\n",
}


# Clean files the SQL check decides alone (the test would pass vacuously if it left everything to Python).
DECIDED = {"corpus/valid_reference.csv", "mutation/score_leading_zero", "mutation/score_negative_zero",
           "mutation/rank_of_leading_zero", "mutation/source_ref_space_inside", "text/no_final_newline"}


def _mutated(change) -> str:
    header = _HEADER.split(",")
    cells = dict(zip(header, _FIRST.split(",")))
    cells.update({k: "" for k in ("rank", "rank_of", "source_ref") if k not in cells})
    cells = change(cells)
    columns = list(dict.fromkeys(header + [k for k in cells if k not in header]))
    return "\n".join([",".join(columns), ",".join(cells[c] for c in columns), *_REST]) + "\n"


def _cases() -> list[tuple[str, str, bytes]]:
    cases = [(f"corpus/{p.name}", "canonical", p.read_bytes()) for p in sorted(CORPUS.glob("*.csv"))]
    cases += [(f"mutation/{name}", "canonical", _mutated(change).encode()) for name, change in MUTATIONS.items()]
    cases += [(f"text/{name}", "canonical", text.encode()) for name, text in TEXT_MUTATIONS.items()]
    return cases


def _release(tmp_path: Path, data: bytes, layout: str, index: str = "PAR_INDEX", year: int = 2024,
             version: str = "2024") -> tuple[packages.Release, packages.ReleaseFile, Path]:
    folder = tmp_path / "releases" / index.lower() / str(year) / "1"
    folder.mkdir(parents=True)
    (folder / "scores.csv").write_bytes(data)
    item = packages.ReleaseFile("scores.csv", packages.sha256_of(folder / "scores.csv"), layout)
    release = packages.Release(path=folder / "release.yaml", index_code=index, year=year, edition=1,
                               published_on=dt.date(year, 6, 1), publisher="test", source="test",
                               methodology_version=version, is_synthetic=False, coverage="partial", reason=None,
                               files=(item,))
    return release, item, folder / "scores.csv"


def _both_ways(settings, release, item, path) -> tuple[object, object]:
    """(what the set-based path landed or None when it left the file to Python, what the readers landed or the
    error they raised); each in a rolled-back transaction."""
    units = unit_directory(settings.reference_dir)
    method = methodology.load(release.index_code, release.methodology_version, settings.methodology_dir)
    rules = load.release_rules(release, units)
    target = landing.TARGETS.get(item.layout, landing.COMPONENT_SCORES)
    columns = ", ".join(target.columns)
    outcomes = []
    for set_based in (True, False):
        with db.transaction(settings.warehouse) as cur:
            cur.execute("insert into raw.releases (release_id, index_code, year, edition, publisher, source, "
                        "methodology_version, is_synthetic, coverage, manifest_path, manifest_sha256) values "
                        "(%s, %s, %s, 1, 'test', 'test', %s, false, 'partial', 'x', 'x')",
                        (release.release_id, release.index_code, release.year, release.methodology_version))
            try:
                if set_based:
                    set_checks.land(cur, release, item, path, method, units, rules, columns)
                else:
                    chunks, notes = landing._chunks(item, path, method, units, Path(settings.layouts_dir),
                                                    release.year, 5, rules)
                    assert not notes and not any(c.normalisations for c in list(chunks)), "normalised"
                    landing_land = landing.set_checks.LAYOUTS
                    landing.set_checks.LAYOUTS = ()
                    try:
                        landing.land(cur, release, item, path, method, units, settings.layouts_dir, 5, rules)
                    finally:
                        landing.set_checks.LAYOUTS = landing_land
                cur.execute(f"select {columns}, file_sha256, source_file from {target.table} order by source_row")
                outcomes.append(cur.fetchall())
            except (set_checks.NotDecided, psycopg2.DataError, psycopg2.IntegrityError):
                assert set_based
                outcomes.append(None)
            except (InputError, AssertionError) as exc:
                assert not set_based, f"the set-based path raised {exc}"
                outcomes.append(exc)
            cur.connection.rollback()
    return outcomes[0], outcomes[1]


@pytest.mark.parametrize("name, layout, data", _cases(), ids=[c[0] for c in _cases()])
def test_set_based_landing_lands_what_the_readers_land_or_leaves_the_file_to_them(fresh_db, tmp_path, name, layout,
                                                                                  data):
    release, item, path = _release(tmp_path, data, layout)
    set_based, python = _both_ways(fresh_db, release, item, path)
    if set_based is not None:
        assert set_based == python
    assert (set_based is not None) == (name in DECIDED) or name not in DECIDED


def test_the_project_releases_land_the_same_rows_set_based(fresh_db, tmp_path):
    landed = 0
    for manifest in packages.discover(fresh_db.releases_dir):
        release = packages.read_manifest(manifest)
        for item in release.files:
            if item.layout not in set_checks.LAYOUTS:
                continue
            path = release.folder / item.name
            set_based, python = _both_ways(fresh_db, release, item, path)
            assert set_based is None or set_based == python, path
            landed += set_based is not None
    assert landed >= 10     # most of them are decided in SQL


def test_a_clean_unit_scores_file_is_landed_set_based(fresh_db, tmp_path):
    manifest = packages.discover(fresh_db.releases_dir, "PROVINCIAL_PAR", 2023)[-1]
    release = packages.read_manifest(manifest)
    item = release.files[0]
    text = (release.folder / item.name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if '"' not in line]
    assert layouts.CANONICAL != item.layout and len(lines) > 100
    mine, item_copy, path = _release(tmp_path, ("\n".join(lines) + "\n").encode(), item.layout, release.index_code,
                                     release.year, release.methodology_version)
    set_based, python = _both_ways(fresh_db, mine, item_copy, path)
    assert set_based is not None and set_based == python and len(set_based) == len(lines) - 1


def test_facts_name_a_loaded_release_and_a_release_with_facts_is_not_deleted(fresh_db, tmp_path):
    """The per-statement check that replaced the facts' foreign key to raw.releases keeps its guarantee."""
    manifest = packages.discover(fresh_db.releases_dir, "PAR_INDEX", 2024)[0]
    load.load_release(fresh_db, manifest, "triggers")
    for statement in (
            "insert into raw.component_scores (release_id, file_sha256, source_file, source_row, unit_name, unit_code, "
            "unit_type, component_code, score) values ('PAR_INDEX/1999/1', 'x', 'x', 2, 'x', 'x', 'province', 'x', 1)",
            "insert into raw.unit_scores (release_id, file_sha256, source_file, source_row, unit_name, unit_code, "
            "unit_type, component_code, score_kind) values ('PAR_INDEX/1999/1', 'x', 'x', 2, 'x', 'x', 'x', 'x', 'self')",
            "delete from raw.releases where release_id = 'PAR_INDEX/2024/1'",
            "update raw.component_scores set release_id = 'PAR_INDEX/1999/1'"):
        with pytest.raises(psycopg2.errors.ForeignKeyViolation, match="is not in raw.releases|still has fact rows|"
                                                                        "is not updated"), \
                db.transaction(fresh_db.warehouse) as cur:
            cur.execute("delete from raw.release_files")
            cur.execute("delete from raw.printed_conflicts")
            cur.execute(statement)
