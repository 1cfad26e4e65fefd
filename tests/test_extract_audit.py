"""End to end (database): the project's own report DOCX, written from the marts, through the extractor and the
audit. Unchanged, the audit finds nothing of the draft's own; with three numbers changed by hand, it names those
three places and nothing else. The one break the published data holds itself (field 5 of Lai Châu 2024 published as
12.38 while its criteria add up to 12.30, kept as printed with a warning of the checks) is listed apart as
inherited, never as a slip of the draft."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from ingest import cli
from ingest.curation import audit
from ingest.curation.extract import extractor, transcription
from ingest.curation.extract.registry import Registry
from ingest.reports import province_report
from tests.conftest import query

pytestmark = [pytest.mark.db, pytest.mark.slow]

# (the table's second header cell, the row's first cell, column, printed, changed to): a criterion's score in the
# points-lost table, the total's 2023 rank in the year-on-year table, field 1's rank in the targets table. Each is a
# figure the warehouse holds.
CHANGES = (("Tiêu chí", "5.7", 3, "3,06", "3,16"), ("Lĩnh vực / tiêu chí", "TOTAL", 4, "49/63", "48/63"),
           ("Chỉ số thành phần", "1", 5, "28", "27"))


def _changed(original: Path, target: Path) -> Path:
    doc = Document(str(original))
    for header, first, column, printed, changed in CHANGES:
        (table,) = [t for t in doc.tables if t.rows[0].cells[1].text == header and t.rows[0].cells[0].text == "STT"
                    and t.rows[0].cells[2].text != "Mục tiêu thứ hạng"]
        row = next(r for r in table.rows if r.cells[0].text == first)
        assert row.cells[column].text == printed
        row.cells[column].text = changed
    doc.save(str(target))
    return target


def _audit(settings, document: Path, out: Path) -> tuple[list, list]:
    folder, _ = transcription.transcribe(document, Registry.from_settings(settings), out)
    _, own, inherited, note = audit.audit_draft(settings, folder)
    assert note.startswith("compared with marts.v_component_score")
    return own, inherited


def test_the_audit_names_the_three_numbers_changed_in_the_generated_docx(published_db, tmp_path):
    reg = Registry.from_settings(published_db)
    _, original = province_report.write(published_db, "Lai Châu", "PAR_INDEX", 2024, tmp_path)
    (tmp_path / "changed").mkdir()
    changed = _changed(original, tmp_path / "changed" / original.name)

    own, inherited = _audit(published_db, original, tmp_path / "audit_original")
    assert own == []
    assert [(f.kind, f.year, f.unit_name) for f in inherited] == [("inherited:parts_do_not_sum", 2024, "Lai Châu")]
    assert "warned at publication: parent_equals_sum_of_children on 5: 12.38" in inherited[0].detail

    facts_before = {(f.key, f.printed_at): f for f in extractor.extract(original, reg).facts}
    places = {f.source_ref for f in extractor.extract(changed, reg).facts
              if (f.key, f.printed_at) in facts_before and facts_before[(f.key, f.printed_at)].value != f.value}
    assert places == {"T3R7C4", "T2R2C4", "T4R3C5"}
    own, inherited_after = _audit(published_db, changed, tmp_path / "audit_changed")
    assert sorted(f.source_ref for f in own) == sorted(places)
    assert [f.kind for f in inherited_after] == [f.kind for f in inherited]
    # Nothing published changed: field 5 is still the printed 12.38.
    assert query(published_db, "select score from marts.v_component_score where index_code = 'PAR_INDEX' and "
                               "year = 2024 and unit_code = '12' and component_code = '5'") == [(Decimal("12.38"),)]


def test_audit_report_on_a_document_from_the_command_line(published_db, tmp_path, capsys, monkeypatch):
    _, original = province_report.write(published_db, "Lai Châu", "PAR_INDEX", 2024, tmp_path)
    monkeypatch.setenv("WAREHOUSE_PORT", str(published_db.warehouse.port))
    monkeypatch.setenv("WAREHOUSE_DB", published_db.warehouse.database)
    monkeypatch.setenv("GOVWH_STATE_DIR", str(tmp_path / "state"))
    assert cli.main(["audit-report", str(original), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert f"{original.name}: 0 finding(s)" in printed and "1 more inherited from the published data" in printed
    assert (tmp_path / "state" / "audit" / "documents" / original.name / "scores.csv").is_file()
