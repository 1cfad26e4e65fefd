"""Documentation: every published mart and column is described, BI tools see the descriptions, and the
dbt docs and Great Expectations Data Docs built by the `publish_docs` DAG render in headless Chromium."""
from __future__ import annotations

import re

import pytest

from ingest.local import airflow_local, superset_bundle
from ingest.reports import docs
from tests.browser import rendered_text, serve_directory
from tests.conftest import query

PUBLISHED = """select table_name from information_schema.tables where table_schema = 'marts'
               and (table_name like 'dim\\_%%' or table_name like 'fct\\_%%' or table_name like 'v\\_%%')"""


def _normal(text: str | None) -> str:
    return " ".join((text or "").split())


@pytest.mark.db
@pytest.mark.slow
def test_every_published_mart_and_column_is_documented(published_db):
    marts = superset_bundle.documented_marts(published_db.dbt_dir)
    published = {name for (name,) in query(published_db, PUBLISHED)}
    assert published == set(marts)
    for name, model in marts.items():
        columns = query(published_db, "select column_name, data_type from information_schema.columns "
                                      "where table_schema = 'marts' and table_name = %s order by ordinal_position", (name,))
        assert [(c["name"], c["data_type"]) for c in model["columns"]] == columns, name


@pytest.mark.db
@pytest.mark.slow
def test_bi_tools_read_the_descriptions_from_the_published_marts(published_db):
    """persist_docs writes comments into the candidate; publish carries them into marts (tables and views)."""
    for name, model in superset_bundle.documented_marts(published_db.dbt_dir).items():
        (relation,) = query(published_db, "select obj_description(%s::regclass, 'pg_class')", (f"marts.{name}",))
        assert _normal(relation[0]) == _normal(model["description"]), name
        comments = dict(query(published_db, "select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a "
                                             "where a.attrelid = %s::regclass and a.attnum > 0", (f"marts.{name}",)))
        assert {k: _normal(v) for k, v in comments.items()} == \
            {c["name"]: _normal(c["description"]) for c in model["columns"]}, name
    # What a BI user connected as bi_reader sees:
    (seen,) = query(published_db, "select col_description('marts.v_component_score'::regclass, 3)", user="bi_reader")
    assert seen[0].startswith("The year the results are about")


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.browser
@pytest.mark.slow
def test_publish_docs_dag_builds_a_site_that_renders(published_db):
    """`airflow dags test publish_docs`, then the landing page, dbt docs and GX Data Docs in Chromium."""
    assert airflow_local.run_dag(published_db, "publish_docs") == 0
    site = published_db.docs_dir
    assert {p.name for p in (site / "dbt").iterdir()} == set(docs.DBT_SITE_FILES)
    with serve_directory(site) as base:
        landing = rendered_text(f"{base}/index.html", budget_ms=2000)
        for name in superset_bundle.documented_marts(published_db.dbt_dir):
            assert f"marts.{name}" in landing
        assert "Tổng quan chỉ số quản trị của tỉnh (province overview)" in landing   # the exposure

        model = rendered_text(f"{base}/dbt/index.html#!/model/model.governance.fct_component_score")
        assert "fct_component_score" in model
        assert "National rank as published (1 = best)." in model          # a column description
        assert "Scores of the current edition of each release" in model   # the model description
        view = rendered_text(f"{base}/dbt/index.html#!/model/model.governance.v_component_score")
        assert "Vietnamese name of the component as the methodology prints it" in view

        gx = docs.gx_pages(site / "gx")
        assert "fct_component_score" in gx and all(set(links) == {"suite", "latest_validation"} for links in gx.values())
        page = (site / "index.html").read_text(encoding="utf-8")
        assert all(links["latest_validation"] in page and links["suite"] in page for links in gx.values())
        validation = rendered_text(f"{base}/{gx['fct_component_score']['latest_validation']}", budget_ms=5000)
        assert "Expectation Suite: fct_component_score" in validation
        assert re.search(r"Evaluated Expectations \d+ Successful Expectations \d+ Unsuccessful Expectations [1-9]", validation)
        assert "the parent's score equals their sum" in validation   # the warning kept as published
        suite = rendered_text(f"{base}/{gx['fct_component_score']['suite']}", budget_ms=5000)
        assert "A rank is between 1 and the number of units ranked that year." in suite


@pytest.mark.unit
def test_landing_page_lists_marts_from_the_manifest():
    manifest = {"nodes": {
        "model.governance.fct_x": {"resource_type": "model", "fqn": ["governance", "marts", "fct_x"], "name": "fct_x",
                                   "unique_id": "model.governance.fct_x", "description": "Điểm <b>số</b>"},
        "model.governance.stg_y": {"resource_type": "model", "fqn": ["governance", "staging", "stg_y"], "name": "stg_y",
                                   "unique_id": "model.governance.stg_y", "description": "staging"}},
        "exposures": {}}
    page = docs.landing_page(manifest, {})
    assert "marts.fct_x" in page and "Điểm &lt;b&gt;số&lt;/b&gt;" in page
    assert "stg_y" not in page and "none yet" in page


COLUMN = {"name": "a", "data_type": "text", "description": "A column."}


@pytest.mark.unit
@pytest.mark.parametrize("bad, error", [({"columns": []}, "needs a description"),
                                        ({"description": ""}, "needs a description"),
                                        ({"columns": [COLUMN, COLUMN]}, r"lists a column twice: \['a'\]")])
def test_a_mart_without_docs_is_refused(tmp_path, bad, error):
    import yaml

    model = {"name": "fct_new", "description": "A new mart.", "columns": [COLUMN], **bad}
    folder = tmp_path / "models" / "marts" / "sub"   # marts in sub-folders are read too
    folder.mkdir(parents=True)
    (folder / "fct_new.yml").write_text(yaml.safe_dump({"version": 2, "models": [model]}))
    with pytest.raises(ValueError, match=f"mart fct_new {error}"):
        superset_bundle.documented_marts(tmp_path)
