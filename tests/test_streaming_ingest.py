"""Streaming ingest: files are checked and COPYed a chunk at a time inside the release's one transaction."""
from __future__ import annotations

import pytest

from ingest.core.errors import InputError
from ingest.load import load
from ingest.sources import readers, reference
from tests.conftest import copy_release, query, rewrite_release

pytestmark = pytest.mark.db

RAW_ROWS = ("select unit_code, component_code, score_kind, score, source_row from raw.unit_scores "
            "where release_id = 'PROVINCIAL_PAR/2023/2' order by source_row")


@pytest.fixture
def units_release(tmp_path):
    """A copy of the province's 2023 unit results (253 rows, layout unit_scores)."""
    return copy_release(tmp_path, "PROVINCIAL_PAR", 2023, 2)


def test_chunks_of_five_rows_land_what_the_whole_file_reader_reads(fresh_db, units_release):
    release, method, paths = load.check_release(fresh_db, units_release)
    whole = readers.read_unit_scores(paths["scores.csv"], method, reference.unit_directory(fresh_db.reference_dir),
                                     release.year)
    load.load_release(fresh_db, units_release, "chunked", chunk_rows=5)
    assert query(fresh_db, RAW_ROWS) == [(r.unit_code, r.component_code, r.score_kind, r.score, r.source_row)
                                         for r in whole.rows]
    assert len(whole.rows) == 253


def test_bad_row_after_many_copied_chunks_leaves_nothing_of_the_release(fresh_db, units_release):
    lines = (units_release.parent / "scores.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[240].split(",")            # file row 241: 48 chunks of 5 rows are copied before it
    cells[header.index("score")] = "-"
    lines[240] = ",".join(cells)
    rewrite_release(units_release, data_text="\n".join(lines) + "\n")
    with pytest.raises(InputError) as error:
        load.load_release(fresh_db, units_release, "bad", chunk_rows=5)
    assert (error.value.row, error.value.column) == (241, "score")
    assert error.value.path.endswith("scores.csv")
    assert query(fresh_db, "select (select count(*) from raw.unit_scores), (select count(*) from raw.releases)") \
        == [(0, 0)]


def test_duplicate_in_a_later_chunk_names_the_row_that_gave_it_first(fresh_db, units_release):
    lines = (units_release.parent / "scores.csv").read_text(encoding="utf-8").splitlines()
    lines.append(lines[3])                   # file row 4 again, as the last row (another chunk)
    rewrite_release(units_release, data_text="\n".join(lines) + "\n")
    with pytest.raises(InputError, match="already given at row 4") as error:
        load.load_release(fresh_db, units_release, "duplicate", chunk_rows=5)
    assert error.value.row == len(lines)
    assert query(fresh_db, "select count(*) from raw.unit_scores") == [(0,)]
