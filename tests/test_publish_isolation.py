"""BI users never see a half-published mart: queries during a publish see the old or the new marts."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from decimal import Decimal

import psycopg2
import pytest
import yaml

from ingest.core import config, db
from ingest.wap import pipeline
from tests.conftest import copy_release, linked_data_dir, query, rewrite_release

pytestmark = [pytest.mark.db, pytest.mark.slow]

STATE = ("select (select count(*) from marts.fct_component_score), (select sum(score) from marts.fct_component_score), "
         "(select count(*) from marts.v_component_score), (select max(edition) from marts.dim_release)")


# A correction publishes its partitions (rows deleted and inserted); a full refresh moves the new tables in.
@pytest.mark.parametrize("selection", [("PAR_INDEX", 2024), (None, None)], ids=["partition", "full-refresh"])
def test_readers_during_publish_see_old_or_new_never_a_mix(fresh_db, tmp_path, selection):
    for year in (2023, 2024):
        copy_release(tmp_path, "PAR_INDEX", year)
    sandbox = replace(fresh_db, data_dir=linked_data_dir(tmp_path, releases=tmp_path / "releases"))
    pipeline.run_all(sandbox, pipeline_name="tests")
    old = query(fresh_db, STATE)[0]

    # A second edition that drops the sub-criteria rows and changes a score.
    first = tmp_path / "releases/par_index/2024/1"
    lines = (first / "scores.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.split(",")[2].count(".") == 0 or line.split(",")[2] in ("8.1", "8.2")]
    second = tmp_path / "releases/par_index/2024/2"
    second.mkdir()
    for path in first.iterdir():   # the report's figures and the national fill, not what the report printed twice
        if path.name != "conflicts.csv":
            (second / path.name).write_bytes(path.read_bytes())
    rewrite_release(second / "release.yaml", data_text="\n".join(kept).replace(",8.16,", ",8.15,") + "\n",
                    reason="test edition", edition=None)
    doc = yaml.safe_load((second / "release.yaml").read_text(encoding="utf-8"))
    doc["edition"], doc["files"] = 2, [f for f in doc["files"] if f["name"] != "conflicts.csv"]
    (second / "release.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    seen, errors, stop = set(), [], threading.Event()
    reader_wh = fresh_db.warehouse.as_user(config.BI_ROLE)

    def read_continuously():
        conn = db.connect(reader_wh)
        conn.autocommit = True
        try:
            while not stop.is_set():
                with conn.cursor() as cur:
                    cur.execute(STATE)
                    seen.add(cur.fetchone())
        except psycopg2.Error as exc:
            errors.append(exc)
        finally:
            conn.close()

    readers = [threading.Thread(target=read_continuously) for _ in range(2)]
    for reader in readers:
        reader.start()
    holding = replace(sandbox, failpoint="publish.before_commit:2")   # hold the publish open for 2 s
    try:
        pipeline.run_all(holding, *selection, pipeline_name="tests")
        time.sleep(0.5)   # the readers also see the state after the commit
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    new = query(fresh_db, STATE)[0]

    assert errors == []
    assert new != old and new[0] < old[0] and new[3] == 2
    assert seen == {old, new}, seen - {old, new}
    assert query(fresh_db, "select score from marts.fct_component_score where component_code = '8.2' and year = 2024 "
                           "and index_code = 'PAR_INDEX' and unit_code = '12'") \
        == [(Decimal("8.15"),)]
