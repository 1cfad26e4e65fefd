"""Documentation site: dbt docs of the published marts next to the Great Expectations Data Docs.

`govwh docs` (and the DAG `publish_docs`, after each publish) writes, under .state/docs/:
    index.html   a landing page with every mart and its description
    dbt/         `dbt docs generate` against the published schema (index.html, static_index.html, catalog)
    gx/          a copy of the Great Expectations Data Docs site (validation results of the checks)
The site is built in a fresh folder and swapped in, so a reader never sees a half-written site.
"""
from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from ingest.core import config
from ingest.core.config import Settings
from ingest.core.log import log, timed
from ingest.wap import checks

DBT_SITE_FILES = ("index.html", "static_index.html", "manifest.json", "catalog.json")


def build(settings: Settings) -> Path:
    """Generate the whole site in settings.docs_dir; returns its folder."""
    from ingest.wap import transform

    target = settings.docs_dir
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with timed("docs", "dbt docs generate (catalog of the published marts)"):
        # The catalog describes what BI users see: the relations in the published schema.
        dbt_target = settings.dbt_dir / "target" / "docs"
        transform.run_dbt(settings, ["docs", "generate", "--static"], config.PUBLISHED_SCHEMA, target_path=dbt_target)
        (staging / "dbt").mkdir()
        for name in DBT_SITE_FILES:
            shutil.copy2(dbt_target / name, staging / "dbt" / name)
    gx_site = checks.data_docs_dir(settings.gx_project_dir)
    if (gx_site / "index.html").exists():
        shutil.copytree(gx_site, staging / "gx")
    else:
        log("docs", f"no Great Expectations Data Docs yet ({gx_site}); run the pipeline first")
    manifest = json.loads((staging / "dbt" / "manifest.json").read_text(encoding="utf-8"))
    (staging / "index.html").write_text(landing_page(manifest, gx_pages(staging / "gx")), encoding="utf-8")
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    log("docs", f"documentation site in {target / 'index.html'}")
    return target


def published_marts(manifest: dict) -> list[dict]:
    """The models of the marts folder (what publish copies into the published schema), by name."""
    nodes = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["fqn"][1:2] == ["marts"]]
    return sorted(nodes, key=lambda n: n["name"])


def gx_pages(site: Path) -> dict[str, dict[str, str]]:
    """Per suite: its page and its latest validation result page, relative to the docs folder.

    GX's own index builds its tables with scripts from public CDNs, so offline it shows empty lists; the
    suite and validation pages themselves are plain HTML. The landing page links them directly.
    """
    pages: dict[str, dict[str, str]] = {}
    for suite_page in sorted((site / "expectations").glob("*.html")):
        pages[suite_page.stem] = {"suite": suite_page.relative_to(site.parent).as_posix()}
    for suite_dir in sorted(p for p in (site / "validations").glob("*") if p.is_dir()):
        runs = sorted(suite_dir.glob("*/*/*.html"), key=lambda p: p.parent.name)   # <run name>/<run time>/<asset>.html
        if runs:
            pages.setdefault(suite_dir.name, {})["latest_validation"] = runs[-1].relative_to(site.parent).as_posix()
    return pages


def landing_page(manifest: dict, gx: dict[str, dict[str, str]]) -> str:
    rows = "\n".join(
        f'<tr><td><a href="dbt/index.html#!/model/{html.escape(n["unique_id"])}"><code>{config.PUBLISHED_SCHEMA}.'
        f'{html.escape(n["name"])}</code></a></td><td>{html.escape(n["description"])}</td></tr>'
        for n in published_marts(manifest))
    exposures = "\n".join(
        f'<li><a href="{html.escape(e.get("url") or "")}">{html.escape(e.get("label") or e["name"])}</a> — '
        f'{html.escape(e["description"])}</li>' for e in manifest.get("exposures", {}).values())
    suites = "".join(
        f'<li><code>{html.escape(name)}</code>: <a href="{html.escape(links.get("latest_validation", ""))}">latest '
        f'validation result</a>, <a href="{html.escape(links.get("suite", ""))}">expectation suite</a></li>'
        for name, links in gx.items())
    gx_item = (f'<a href="gx/index.html">Great Expectations Data Docs</a> (the checks run before each publish)'
               f'<ul>{suites}</ul>' if gx else "Great Expectations Data Docs: none yet (run the pipeline first)")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Governance-indicator warehouse — documentation</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td{{vertical-align:top;padding:.3em}}</style>
</head><body>
<h1>Governance-indicator warehouse — documentation</h1>
<ul><li><a href="dbt/index.html">dbt docs</a> (models, columns, lineage; static copy:
<a href="dbt/static_index.html">static_index.html</a>)</li><li>{gx_item}</li>
<li><a href="reports/">The province's reports</a> (HTML and DOCX, written after each publish; served by
<code>govwh serve-docs</code>, the docs service)</li></ul>
<h2>Published marts (schema <code>{config.PUBLISHED_SCHEMA}</code>, read-only role <code>{config.BI_ROLE}</code>)</h2>
<table>{rows}</table>
<h2>Dashboards</h2><ul>{exposures}</ul>
</body></html>
"""
