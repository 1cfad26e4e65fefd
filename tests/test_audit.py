"""The audit of published reports on the five real transcriptions and on SYNTHETIC ones with planted slips.

Without a warehouse: the comparison with the marts is tested in test_reports.py.
"""
from __future__ import annotations

import re
import shutil

import pytest

from ingest.core.errors import InputError
from ingest.curation import audit
from ingest.synthetic import transcriptions
from tests.conftest import BUNDLED, PROJECT

pytestmark = pytest.mark.unit
REPORTS = PROJECT / "data/reports"

# Each real slip the audit reports, read in the source text too (README, "The audit of published reports"):
# (where, component, measure, printed, expected, kind). "None" = the evidence names more than one candidate.
REAL_SLIPS = {
    "par_index_2024_analysis": {
        ("L4", "", "documents_cited.csv:day_printed", "38", "31", "out_of_range"),        # decision of "38/3/2025"
        ("L9", "", "facts.csv:value", "1", "2", "count_disagrees"),         # "1/8 rose in rank": fields 6 and 8.1 rose
        ("L37", "1", "delta", "-0.03", "-0.02", "printed_twice"),          # −0.02 at L240 and L316
        ("L48", "2", "delta", "0.01", "-0.27", "printed_twice"),           # 9.36 → 9.09
        ("L48; L735", "2", "rank", "22", "49", "printed_twice"),           # −15 from 34 (L48, L323) fits 49 only
        ("L59", "3", "rank", "49", "22", "printed_twice"),                 # −15 from 7 (L386) fits 22 only
        ("L59", "3", "rank_change", "-22", "-15", "printed_twice"),
        ("L233", "8.2", "rank", "55", "43", "printed_twice"),              # the SIPAS index's own rank
        ("L285", "1.5", "delta", "1", "0.00", "changes_do_not_sum"),        # the criteria's changes add up to 0.98
        ("L378", "2", "delta", "0.26", "-0.27", "printed_twice"),
        ("L523; L532; L541; L549", "5.2", "score", "2.29", "None", "parts_do_not_sum"),   # 12.38 vs 12.30
        ("L569", "5.7", "facts.csv:value", "None", "None", "unreadable_value"),           # a maximum printed "1/0"
        ("L598", "6.1", "facts.csv:value", "0.77", "77.00", "share_not_part_over_whole"),  # "0,77%" for 0.77/1.0
        ("L716", "8.2", "score", "8.15", "8.16", "printed_twice"),         # 8.16 agrees with 81.60% (L233)
    },
    "par_pci_2019_analysis": {
        ("L86", "TOTAL.survey", "score", "26.26", "26.68", "parts_do_not_sum"),   # the fields' survey parts: 26.68
        ("L205", "2.survey", "points_lost_2019.csv:points_lost", "0.9", "0.99", "not_difference"),
        ("L349", "8.appraisal", "targets.csv:value", "1", "2", "rank_band_disagrees_with_change"),   # 41 → 39-41
        ("L448", "4", "delta", "-0.7", "-0.07", "printed_twice"),
        ("L599", "10", "pci_2019_indicators.csv:compared_year_printed", "2019", "2018", "not_difference"),
        ("L613", "8", "delta", "-0.48", "-0.49", "printed_twice"),
        ("L728", "", "service_centre_2019_2020.csv:value", "10529", "10586", "not_sum_of_parts"),
        ("L733", "", "service_centre_2019_2020.csv:value", "0.8", "0.7", "printed_twice"),   # 71 / 9,974
    },
    "papi_2024_report": {
        ("L18", "TOTAL", "changes_vs_earlier_years.csv:rank_compared_year_printed", "2023", "2021",
         "printed_values_differ"),                                          # "giảm 01 bậc so với năm 2023 (30/63)"
        ("L33", "1", "delta", "0.26", "0.22", "changes_do_not_sum"),    # against the 2023 total and dimensions
        ("L33", "1.2", "delta", "-0.6363", "-0.1775", "delta_not_difference"),
        ("L33", "1.1", "score", "1.67", "0.9383", "delta_not_difference"),  # 2023: printed like 1.2's 1.67
        ("L33", "1", "dimension_national_ranges.csv:national_max", "59546", "10", "out_of_range"),
        ("L77", "6.1", "delta", "-0.18", "-0.12", "delta_not_difference"),
        ("L77", "6", "delta", "None", "None", "unreadable_value"),          # "+0.0.16"
        ("L107", "", "dimension_spread.csv:value", "7.13", "7.7217", "not_highest_value"),   # dimension 6
        ("L107", "", "dimension_spread.csv:value", "2.68", "3.4233", "not_lowest_value"),    # dimension 8
    },
    "par_sipas_2023_plan": {
        ("L55; L325", "TOTAL", "targets.csv:value", "None", "None", "printed_twice"),     # 87% and 86%: a tie
        ("L57", "TOTAL", "targets.csv:value", "1", "0", "rank_band_disagrees_with_change"),  # 24 → 20-24, +1
    },
    "provincial_par_2023_units": {
        ("L347", "TD", "group_averages.csv:value", "3.61", "None", "not_sum_of_parts"),   # 3.61 + 1.58 ≠ 6.39
        ("L669", "2", "group_averages.csv:denominator", "20", "19", "printed_twice"),     # "7/20" of 19 assessed
        ("L1056", "5.3", "group_averages.csv:value", "0", "-4", "printed_twice"),         # −4% and unchanged
        ("L1314; L1318", "6", "group_averages.csv:value", "4", "None", "parts_exceed_whole"),   # 4/8 + 5/8
    },
}


def _keyed(findings) -> set[tuple]:
    return {(f.source_ref, f.component_code, f.measure, str(f.printed_value), str(f.expected_value), f.kind)
            for f in findings}


@pytest.mark.parametrize("report", sorted(REAL_SLIPS))
def test_each_real_report_gives_its_slips_and_nothing_else(report):
    examined, findings, note = audit.audit(BUNDLED, REPORTS / report, with_warehouse=False)
    assert note == "not compared with the warehouse"
    assert _keyed(findings) == REAL_SLIPS[report]
    assert len(findings) == len(REAL_SLIPS[report])           # one finding per slip
    assert examined.transcription.undeclared_tables == [] and examined.not_checked == []
    # Every table of the folder is read: scores.csv and each other CSV.
    assert sorted(examined.transcription.tables) == sorted(p.name for p in (REPORTS / report).glob("*.csv")
                                                           if p.name != "scores.csv")


def test_one_wrong_change_is_one_finding_at_the_odd_printing():
    """Field 2's change is printed 0.01 (L48), −0.27 (L323) and 0.26 (L378); 9.09 − 9.36 = −0.27 and the criteria's
    changes support −0.27: L48 and L378 are the slips, each reported once; L323 is not."""
    _, findings, _ = audit.audit(BUNDLED, REPORTS / "par_index_2024_analysis", with_warehouse=False)
    about_the_change = [(f.source_ref, str(f.printed_value), f.kind) for f in findings
                        if f.component_code == "2" and f.measure == "delta"]
    assert about_the_change == [("L48", "0.01", "printed_twice"), ("L378", "0.26", "printed_twice")]


def test_the_odd_printing_is_found_by_evidence_not_by_order():
    """Field 3's rank is printed 49 first (L59) and 22 later (L185): the later printing is the supported one."""
    examined, findings, _ = audit.audit(BUNDLED, REPORTS / "par_index_2024_analysis", with_warehouse=False)
    rank = next(r for k, r in examined.resolutions.items() if k[5] == "3" and k[7] == "rank")
    assert (str(rank.chosen.value), rank.chosen.refs, rank.status) == ("22", "L185", "resolved")
    assert {f.source_ref for f in findings if f.component_code == "3" and f.measure == "rank"} == {"L59"}


def test_a_parent_the_methodology_sums_is_checked_without_the_childrens_maxima(tmp_path):
    """PAPI sub-dimensions 1.x have no printed maxima; relations.yaml says the methodology sums them."""
    folder = tmp_path / "papi_2024_report"
    shutil.copytree(REPORTS / "papi_2024_report", folder)
    scores = folder / "scores.csv"
    scores.write_text(scores.read_text(encoding="utf-8").replace(
        "PAPI,2024,Lai Châu,province,4.2,2.00,,,,+0.02,,L64", "PAPI,2024,Lai Châu,province,4.2,2.50,,,,+0.02,,L64"),
        encoding="utf-8")
    _, findings, _ = audit.audit(BUNDLED, folder, with_warehouse=False)
    odd = [f for f in findings if f.component_code == "4.2"]
    assert [(f.source_ref, str(f.printed_value), str(f.expected_value)) for f in odd] == [("L64", "2.50", "2.00")]
    assert {"parts_do_not_sum", "delta_not_difference"} & {f.kind for f in odd}
    relations = folder / "relations.yaml"
    relations.write_text(relations.read_text(encoding="utf-8").replace("  - {index: PAPI}", ""), encoding="utf-8")
    examined, _, _ = audit.audit(BUNDLED, folder, with_warehouse=False)
    assert not [r for r in examined.relations if r.kind == "parts_do_not_sum" and r.target[5] == "4"]


def test_a_score_above_its_maximum_is_found(tmp_path):
    folder = tmp_path / "par_index_2024_analysis"
    shutil.copytree(REPORTS / "par_index_2024_analysis", folder)
    scores = folder / "scores.csv"
    row = "PAR_INDEX,2024,Lai Châu,province,4.2,1,,,,0,,L475"
    assert row in scores.read_text(encoding="utf-8")
    scores.write_text(scores.read_text(encoding="utf-8").replace(row, row.replace(",1,", ",1.5,")), encoding="utf-8")
    _, findings, _ = audit.audit(BUNDLED, folder, with_warehouse=False)
    odd = [f for f in findings if f.source_ref == "L475"]
    assert [(f.measure, str(f.printed_value), str(f.expected_value)) for f in odd] == [("score", "1.5", "1.00")]
    assert odd[0].kind in ("out_of_range", "parts_do_not_sum") and "0 ≤ score ≤ 1" in odd[0].detail


@pytest.mark.parametrize("declaration, message", [
    ("tables:\n  scores.csv:\n    relations:\n      - {kind: sum, of: 1}\n", "needs a `target`"),
    ("tables:\n  missing.csv: {about: x}\n", "declares missing.csv, which the folder does not hold"),
    ("tables:\n  facts.csv:\n    value: value\n    relations:\n      - {kind: product}\n", "unknown kind 'product'"),
])
def test_relations_yaml_is_checked(tmp_path, declaration, message):
    folder = tmp_path / "report"
    shutil.copytree(REPORTS / "par_index_2024_analysis", folder)
    (folder / "relations.yaml").write_text(declaration, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        audit.audit(BUNDLED, folder, with_warehouse=False)


def test_a_table_without_declared_relations_is_named(tmp_path, capsys):
    folder = tmp_path / "report"
    shutil.copytree(REPORTS / "par_sipas_2023_plan", folder)
    (folder / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    examined, _, _ = audit.audit(BUNDLED, folder, with_warehouse=False)
    assert examined.transcription.undeclared_tables == ["extra.csv"]


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


def test_audit_kinds_on_made_up_figures(tmp_path):
    """A few made-up printings (no relations.yaml: scores.csv's relations come from the methodology)."""
    (tmp_path / "scores.csv").write_text(SYNTHETIC_SCORES, encoding="utf-8")
    (tmp_path / "methodology.csv").write_text(SYNTHETIC_METHODOLOGY, encoding="utf-8")
    _, findings, _ = audit.audit(BUNDLED, tmp_path, with_warehouse=False)
    assert _keyed(findings) == {
        ("L1", "TOTAL", "pct_of_max", "81.00", "80.00", "pct_not_score_over_max"),
        ("L1", "TOTAL", "rank", "64", "63", "out_of_range"),
        ("L2", "1", "delta", "0.5", "0.6", "delta_not_difference"),
    }


# --- SYNTHETIC transcriptions with planted slips -----------------------------------------------------------

SEEDS = range(30)


def _lines(ref: str) -> frozenset:
    return frozenset(re.findall(r"L\d+", ref))


def test_planted_slips_are_found_once_each_at_the_odd_printing(tmp_path):
    """Recall and precision over SYNTHETIC reports, every kind of slip planted in each (and every fifth clean): a
    slip counts as found when a finding names exactly the printing(s) it was planted at."""
    found = missed = false = 0
    kinds_found = set()
    for seed in SEEDS:
        clean = seed % 5 == 4
        folder = tmp_path / f"synthetic_{seed}"
        planted = transcriptions.write(folder, seed, () if clean else transcriptions.KINDS)
        _, findings, _ = audit.audit(BUNDLED, folder, with_warehouse=False)
        if clean:
            assert findings == [], (seed, findings)
            continue
        at = {_lines(f.source_ref) for f in findings}
        for slip in planted:
            if frozenset(slip.lines) in at:
                found += 1
                kinds_found.add(slip.kind)
            else:
                missed += 1
        false += len(at - {frozenset(slip.lines) for slip in planted})
    recall, precision = found / (found + missed), found / (found + false)
    assert recall >= 0.95 and precision >= 0.95, (recall, precision)
    assert kinds_found == set(transcriptions.KINDS)


def test_a_synthetic_transcription_is_written_with_its_answer_key(tmp_path):
    planted = transcriptions.write(tmp_path / "synthetic", 3, ("wrong_share", "unreadable"))
    key = transcriptions.write_key(planted, tmp_path / "synthetic.planted.csv")
    assert [p.kind for p in planted] == ["unreadable", "wrong_share"]
    assert key.read_text(encoding="utf-8").splitlines()[0] == "kind,source_ref,what"
    with pytest.raises(ValueError, match="unknown kinds of slip"):
        transcriptions.write(tmp_path / "other", 3, ("no_such_slip",))
