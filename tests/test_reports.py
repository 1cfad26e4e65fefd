"""The province report written from the marts (DOCX read back, HTML rendered in headless Chromium, one Airflow
run of the province_report DAG) and the audit of published reports (the slips of the 2024 analysis)."""
from __future__ import annotations

import csv
import html.parser
import json
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.curation import audit
from ingest.curation.audit import output
from ingest.local import airflow_local
from ingest.reports import province_report
from ingest.reports import text as words
from tests.browser import CHROMIUM_FLAGS, chromium
from tests.conftest import BUNDLED, PROJECT, query

# The hand-written report's first results table (par_index_2024_analysis L37-L136): score and national rank.
FIELDS_2024 = {"TOTAL": ("85,97", "56/63"), "1": ("9,41", "28/63"), "2": ("9,09", "22/63"), "3": ("12,98", "49/63"),
               "4": ("9,57", "43/63"), "5": ("12,38", "42/63"), "6": ("9,35", "53/63"), "7": ("11,33", "36/63"),
               "8.1": ("3,69", "50/63"), "8.2": ("8,16", "43/63")}
# Column positions in the year-on-year table: STT, name, prev max, prev score, prev rank, max, score, %, rank, Δ, Δ rank.
SCORE, RANK = 6, 8
REPORT_2024 = PROJECT / "data/reports/par_index_2024_analysis"
REGION = "xếp thứ 12/14 trong vùng Trung du và miền núi phía Bắc"


@pytest.fixture(scope="module")
def written(published_db, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("report")
    html_path, docx_path = province_report.write(published_db, "Lai Châu", "PAR_INDEX", 2024, out)
    return {"html": html_path, "docx": docx_path}


def _table_rows(table) -> dict[str, list[str]]:
    return {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}


def docx_tables(doc) -> dict[tuple[str, ...], list]:
    """The document's tables by their header row (several tables may share one: one per plan)."""
    found: dict[tuple[str, ...], list] = {}
    for table in doc.tables:
        found.setdefault(tuple(c.text for c in table.rows[0].cells), []).append(table)
    return found


@pytest.mark.db
@pytest.mark.slow
def test_docx_holds_the_headline_and_the_field_table(written):
    from docx import Document

    doc = Document(str(written["docx"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert ("đạt 85,97/100 điểm (85,97% điểm tối đa), tăng 0,19 điểm so với năm 2023, xếp thứ 56/63, giảm 7 hạng "
            "so với năm 2023 (năm 2023: 85,78 điểm, hạng 49/63)") in text
    assert REGION in text
    assert "điểm thẩm định đạt 60,10/68 điểm (88,38%), điểm điều tra xã hội học đạt 25,87/32 điểm (80,84%)" in text
    tables = docx_tables(doc)
    (fields_table,) = tables[tuple(words.year_on_year_header(2024))]
    fields = _table_rows(fields_table)
    assert {code: (fields[code][SCORE], fields[code][RANK]) for code in FIELDS_2024} == FIELDS_2024
    assert fields["2"][2:5] == ["10", "9,36", "34/63"] and fields["2"][9:] == ["−0,27", "+12"]
    lost = _table_rows(tables[tuple(words.LOST_POINTS_HEADER)][0])
    assert list(lost)[:3] == ["8.1", "8.2", "7.3"]
    assert lost["8.1"][2:] == ["6,5", "3,69", "2,81", "Sở Kế hoạch và Đầu tư (nay là Sở Tài chính)"]
    (targets_table,) = tables[tuple(words.TARGETS_HEADER)]
    targets = _table_rows(targets_table)
    assert targets["2"][2:8] == ["Trên 94%", "30-34", "90,90%", "22", "Tỷ lệ điểm không đạt nhưng thứ hạng vượt",
                                 "Không đạt"]
    assert "báo cáo 49 (par_index_2024_analysis L178), kho dữ liệu 22 (par_index_2024_analysis L48)" in targets["2"][8]
    assert targets["1"][6] == targets["1"][7] == "Đạt tỷ lệ điểm nhưng thứ hạng không đạt"
    assert targets["1"][8] == ""


class _Cells(html.parser.HTMLParser):
    """Rows of the year-on-year table in a DOM dump: data-code -> cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self.table, self.code, self.cell = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = attrs.get("id") == "year-on-year"
        elif tag == "tr" and self.table and "data-code" in attrs:
            self.code = attrs["data-code"]
            self.rows[self.code] = []
        elif tag == "td" and self.code:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self.code is not None and self.cell is not None:
            self.rows[self.code].append(self.cell.strip())
            self.cell = None
        elif tag == "tr":
            self.code = None
        elif tag == "table":
            self.table = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def _png_is_a_page(path: Path) -> tuple[int, int, float]:
    """Width, height and the share of image bytes that are neither blank nor filter bytes (PNG decoded by hand)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    inked = sum(1 for b in raw[::7] if b not in (0, 255)) / len(raw[::7])
    return width, height, inked


@pytest.mark.db
@pytest.mark.browser
@pytest.mark.slow
def test_html_rendered_in_headless_chromium(written, tmp_path):
    page = written["html"].as_uri()
    shot = tmp_path / "report.png"
    run = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,2400"]
    done = subprocess.run([*run, f"--screenshot={shot}", page], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    width, height, inked = _png_is_a_page(shot)
    assert (width, height) == (1200, 2400) and inked > 0.02, (width, height, inked)
    dom = subprocess.run([*run, "--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<svg" in dom.stdout and "<script" not in dom.stdout
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", dom.stdout)).split())
    assert "85,97" in text and "56/63" in text and "49/63" in text
    assert REGION in text
    cells = _Cells()
    cells.feed(dom.stdout)
    assert {code: (cells.rows[code][SCORE], cells.rows[code][RANK]) for code in FIELDS_2024} == FIELDS_2024


@pytest.mark.db
@pytest.mark.airflow
@pytest.mark.slow
def test_province_report_dag_runs_after_the_publish_asset(published_db, tmp_path):
    """One real Airflow run of the DAG; it is scheduled on the asset annual_release's publish task emits."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT / "dags"))
    consumer = bag.dags["province_report"]
    emitted = bag.dags["annual_release"].get_task("publish_marts").outlets
    assert [a.uri for a in consumer.timetable.asset_condition.objects] == [a.uri for a in emitted]
    assert all(task.retries >= 1 for task in consumer.tasks)

    conf = {"unit": "Lai Châu", "index": "PAR_INDEX", "year": 2024}
    own_state = replace(published_db, state_dir=tmp_path)      # the task process writes its report here
    assert airflow_local.run_dag(own_state, "province_report", json.dumps(conf)) == 0
    written = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert written == ["par_index_2024_lai_chau.docx", "par_index_2024_lai_chau.html"]
    assert "85,97" in (tmp_path / "reports" / written[1]).read_text(encoding="utf-8")


# --- the audit of published reports ----------------------------------------------------------------------------

def _keyed(findings) -> set[tuple]:
    return {(f.source_ref, f.component_code, f.measure, str(f.printed_value), str(f.expected_value), f.kind)
            for f in findings}


@pytest.mark.db
@pytest.mark.slow
def test_audit_finds_the_slips_of_the_2024_analysis(published_db, tmp_path):
    report, findings, note = audit.audit(published_db, REPORT_2024)
    assert note.startswith("compared with marts.v_component_score")
    found = _keyed(findings)
    assert {
        ("L48", "2", "delta", "0.01", "-0.27", "delta_not_difference"),           # 9.36 -> 9.09 printed as +0.01
        ("L48", "2", "rank_change", "-15", "12", "delta_not_difference"),        # rank 34 -> 22 printed as -15
        ("L81", "5", "score", "12.38", "12.30", "parts_do_not_sum"),             # criteria 5.1-5.7 add up to 12.30
        ("L716", "8.2", "score", "8.15", "8.16", "printed_twice"),               # 8.16 at L125, 8.15 at L716
        ("L716", "8.2", "score", "8.15", "8.16", "differs_from_warehouse"),
        ("L177", "2", "rank", "49", "22", "printed_twice"),                      # ranks of fields 2 and 3 swapped
        ("L185", "3", "rank", "22", "49", "differs_from_warehouse"),
        ("L233", "8.2", "rank", "55", "43", "differs_from_warehouse"),
    } <= found
    # Consistent figures are not findings: appraisal + survey = total, the appraisal's change in percentage points.
    assert not [f for f in findings if f.component_code in ("TOTAL", "TOTAL.appraisal", "TOTAL.survey")]
    assert len(findings) == len(found) == 24

    csv_path = output.write_csv(findings, tmp_path / "audit.csv")
    with csv_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0] == {"source_ref": "L48", "index_code": "PAR_INDEX", "year": "2024", "unit_name": "Lai Châu",
                       "component_code": "2", "measure": "delta", "printed_value": "0.01", "expected_value": "-0.27",
                       "kind": "delta_not_difference", "detail": "9.09 − 9.36 (2024 − 2023, points)"}
    for _ in range(2):                                    # a rerun replaces the report's rows
        output.store(published_db.warehouse, report, findings)
    assert query(published_db, "select count(*), count(distinct scores_sha256) from audit.report_findings "
                               "where report = 'par_index_2024_analysis'") == [(24, 1)]


@pytest.mark.db
@pytest.mark.slow
def test_audit_of_every_report_prints_one_line_each(published_db, tmp_path, capsys):
    folders = sorted(p.parent for p in (PROJECT / "data/reports").glob("*/scores.csv"))
    assert audit.main(published_db, folders, tmp_path, brief=True) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [f.name for f in folders] and len(folders) == 5
    assert lines[1].startswith("par_index_2024_analysis: 24 discrepancies in 156 printed rows")
    papi = dict(query(published_db, "select kind, count(*) from audit.report_findings where report = "
                                    "'papi_2024_report' group by kind"))
    # 43.48 (L18) and 43.4796 (L25) are one value printed to two precisions; '+0.0.16' (L77) is no number.
    assert papi == {"delta_not_difference": 3, "unreadable_value": 1}


SYNTHETIC_SCORES = """index_code,year,unit_name_vi,unit_type,component_code,score,pct_of_max,rank,rank_of,delta_printed,rank_change_printed,source_ref
PAR_INDEX,2024,Lai Châu,province,TOTAL,80.00,81.00,64,63,,,L1
PAR_INDEX,2024,Lai Châu,province,1,9.00,,,,+0.5,,L2
PAR_INDEX,2023,Lai Châu,province,1,8.40,,,,,,L3
PAR_INDEX,2024,Lai Châu,province,2,7.00,70.00,,,,,L4
"""                                                         # field 2's 70.00 % is consistent: no finding
SYNTHETIC_METHODOLOGY = """index_code,year,component_code,parent_code,name_vi,name_en,max_score,level,part,source_ref
PAR_INDEX,2024,TOTAL,,Tổng,Total,100,total,,L1
PAR_INDEX,2024,2,TOTAL,Lĩnh vực 2,Field 2,10,field,,L4
"""


@pytest.mark.unit
def test_audit_kinds_on_synthetic_figures(tmp_path):
    """Made-up figures (not a real report) for the kinds the bundled reports do not contain."""
    (tmp_path / "scores.csv").write_text(SYNTHETIC_SCORES, encoding="utf-8")
    (tmp_path / "methodology.csv").write_text(SYNTHETIC_METHODOLOGY, encoding="utf-8")
    _, findings, note = audit.audit(BUNDLED, tmp_path, with_warehouse=False)
    assert note == "not compared with the warehouse"
    assert _keyed(findings) == {
        ("L1", "TOTAL", "pct_of_max", "81.00", "80.00", "pct_not_score_over_max"),
        ("L1", "TOTAL", "rank", "64", "63", "rank_above_ranked_units"),
        ("L2", "1", "delta", "0.5", "0.60", "delta_not_difference"),
    }


@pytest.mark.db
@pytest.mark.slow
def test_audit_compares_a_provinces_own_units_with_the_unit_marts(published_db, tmp_path):
    """The departments' figures are compared with marts.v_unit_score (the province's own index)."""
    folder = tmp_path / "provincial_par_2023_units"
    shutil.copytree(PROJECT / "data/reports/provincial_par_2023_units", folder)
    scores = (folder / "scores.csv").read_text(encoding="utf-8")
    row = "Ban Dân tộc,department,TOTAL,58.23,79.76,3,5"
    assert row in scores
    (folder / "scores.csv").write_text(scores.replace(row, row.replace("58.23", "58.32").replace(",3,5", ",4,5")),
                                       encoding="utf-8")
    _, findings, note = audit.audit(published_db, folder)
    assert "marts.v_unit_score" in note
    differs = {(f.unit_name, f.measure, str(f.printed_value), str(f.expected_value)) for f in findings
               if f.kind == "differs_from_warehouse"}
    assert differs == {("Ban Dân tộc", "score", "58.32", "58.23"), ("Ban Dân tộc", "rank", "4", "3")}
