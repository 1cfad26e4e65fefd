"""Points needed for the plans' rank targets (marts.fct_points_needed, fct_points_needed_by_criterion), the
terminal lines of `make run` and the what-if, on the published sample marts.

The expectations come from the plan (Kế hoạch 2205/KH-UBND: total "Tăng từ 3-5 hạng so với năm 2023", field 5
"36-39"), Lai Châu's printed scores and owners (par_index_2024_analysis), and, for the score at the target rank,
from the national release in the marts, computed here the way the mart is documented: the N-th best score of the
other ranked provinces. Fields 2 and 3 are left out on purpose: their printed ranks conflict in the report and
another change resolves them."""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest

from ingest.reports import points_needed, what_if
from tests.conftest import query

PLAN = "kh_2205_2024"
D = Decimal


def _others(settings, component: str) -> list[tuple[Decimal, str, bool, Decimal | None]]:
    """The other ranked provinces of the PAR INDEX 2024 release on a component, best first."""
    return query(settings, """
        select s.score, u.unit_name, s.is_synthetic, s.delta_vs_previous
        from marts.fct_component_score as s join marts.dim_unit as u using (unit_key)
        where s.release_id = 'PAR_INDEX/2024/1' and s.component_code = %s and u.unit_name <> 'Lai Châu'
          and s.rank is not null
        order by s.score desc, s.unit_code""", (component,))


def _target(settings, component: str, metric: str) -> dict:
    rows = query(settings, """
        select target_rank, rank, score, threshold_score, threshold_unit_name, threshold_is_synthetic, points_needed,
               score_gap, is_reached, target_rank_basis
        from marts.fct_points_needed where plan_id = %s and component_code = %s and metric = %s""",
                 (PLAN, component, metric))
    keys = ("target_rank", "rank", "score", "threshold_score", "threshold_unit_name", "threshold_is_synthetic",
            "points_needed", "score_gap", "is_reached", "basis")
    (row,) = rows
    return dict(zip(keys, row))


@pytest.mark.db
@pytest.mark.slow
def test_the_totals_gain_of_places_becomes_a_rank_and_a_gap_in_points(published_db):
    total = _target(published_db, "TOTAL", "rank_gain_min")
    # 49th in 2023 (par_index_2024_analysis L135), "Tăng từ 3-5 hạng": at worst 46th; 56th with 85.97 in 2024.
    assert (total["target_rank"], total["rank"], total["score"], total["is_reached"]) == (46, 56, D("85.97"), False)
    assert total["basis"] == "rank 49 of 2023 minus 3 places (Tăng từ 3-5 hạng so với năm 2023)"
    score, name, synthetic, _ = _others(published_db, "TOTAL")[46 - 1]
    assert (total["threshold_score"], total["threshold_unit_name"], total["threshold_is_synthetic"]) == \
        (score, name, synthetic)
    assert total["points_needed"] == total["score_gap"] == score - D("85.97") > 0
    # Only the rank-range's worse end and the minimum gain are targets to reach; the other ends are not.
    metrics = query(published_db, "select distinct metric from marts.fct_points_needed where plan_id = %s", (PLAN,))
    assert sorted(m for (m,) in metrics) == ["rank_gain_min", "rank_max"]


@pytest.mark.db
@pytest.mark.slow
def test_a_field_target_and_a_reached_one(published_db):
    field = _target(published_db, "5", "rank_max")          # "36-39"; 42nd with 12.38 (L81)
    score, _, synthetic, _ = _others(published_db, "5")[39 - 1]
    assert (field["target_rank"], field["rank"], field["is_reached"]) == (39, 42, False)
    assert (field["threshold_score"], field["threshold_is_synthetic"]) == (score, synthetic)
    assert field["points_needed"] == score - D("12.38")
    reached = _target(published_db, "6", "rank_max")        # "54-57"; 53rd (L100): reached, with a margin
    score, _, _, _ = _others(published_db, "6")[57 - 1]
    assert (reached["is_reached"], reached["points_needed"], reached["score_gap"]) == (True, 0, score - D("9.35"))
    assert reached["score_gap"] <= 0


@pytest.mark.db
@pytest.mark.slow
def test_where_the_points_can_come_from_by_department(published_db):
    rows = query(published_db, """
        select c.component_code, c.points_lost, c.lead_department_name, c.department_points_lost, c.department_rank,
               c.rank_in_department, c.owner_vi, c.covers_gap_alone, p.points_needed
        from marts.fct_points_needed_by_criterion as c join marts.fct_points_needed as p using (target_key)
        where c.plan_id = %s and p.component_code = 'TOTAL'""", (PLAN,))
    by_code = {r[0]: r for r in rows}
    # Every criterion that lost points (maximum − printed score), and no other.
    lost = query(published_db, """
        select component_code, max_score - score from marts.v_component_score
        where unit_name = 'Lai Châu' and index_code = 'PAR_INDEX' and year = 2024 and level = 'criterion'
          and max_score > score""")
    assert {code: points for code, points in lost} == {code: r[1] for code, r in by_code.items()}
    # Sở Nội vụ leads 1.6, 4.1, 5.2, 5.3, 5.4, 5.5 and 5.7 (the report's owner cells, part 2): 3.49 points.
    home_affairs = {code for code, r in by_code.items() if r[2] == "Sở Nội vụ"}
    assert home_affairs == {"1.6", "4.1", "5.2", "5.3", "5.4", "5.5", "5.7"}
    assert {r[3] for r in by_code.values() if r[2] == "Sở Nội vụ"} == {D("3.49")}
    assert by_code["5.4"][4:6] == (1, 1)                     # the most lost of the first department
    assert by_code["5.4"][7] == (D("3.49") >= by_code["5.4"][8])
    # The first department an owner cell names leads; the cell stays as printed.
    assert by_code["2.3"][2] == "Sở Tài chính" and by_code["2.3"][6].startswith("Sở Tài chính tham mưu")
    assert by_code["8.1"][2] == "Sở Kế hoạch và Đầu tư" and "(nay là Sở Tài chính)" in by_code["8.1"][6]
    assert by_code["8.2"][2] == by_code["4.3"][2] == points_needed.NO_DEPARTMENT   # no owner printed beside them


@pytest.mark.db
@pytest.mark.slow
def test_the_others_movement_is_their_mean_change_on_the_field(published_db):
    (moved,) = query(published_db, """
        select c.national_component_code, c.others_mean_change, c.others_compared, c.movement_is_synthetic
        from marts.fct_points_needed_by_criterion as c join marts.fct_points_needed as p using (target_key)
        where c.plan_id = %s and p.component_code = '5' and c.component_code = '5.4'""", (PLAN,))
    changes = [(delta, synthetic) for _, _, synthetic, delta in _others(published_db, "5") if delta is not None]
    mean = sum(delta for delta, _ in changes) / len(changes)
    assert moved == ("5", round(mean, 2), len(changes), any(s for _, s in changes))


@pytest.mark.unit
def test_rank_among_the_others_shares_a_rank_on_equal_scores():
    others = [D("90"), D("88"), D("88"), D("85")]
    assert [what_if.rank_among(others, D(s)) for s in ("91", "90", "88", "87.99", "80")] == [1, 1, 2, 4, 5]


@pytest.mark.db
@pytest.mark.slow
def test_what_if_a_department_recovers_points(published_db):
    result = what_if.simulate(published_db.warehouse, "Lai Châu", "PAR_INDEX", 2024,
                              [what_if.Recovery("5.4", D("0.5"))])
    ((recovery, _, lead, score, top),) = result.recoveries
    assert (lead, score, top) == ("Sở Nội vụ", D("0.5"), D("1.5"))
    moved = {m.code: m for m in result.moved}
    assert list(moved) == ["5.4", "5", "TOTAL"]
    total_others = [s for s, _, _, _ in _others(published_db, "TOTAL")]
    field_others = [s for s, _, _, _ in _others(published_db, "5")]
    assert (moved["TOTAL"].new_score, moved["TOTAL"].rank_before) == (D("86.47"), 56)
    assert moved["TOTAL"].rank_after == 1 + sum(1 for s in total_others if s > D("86.47"))
    assert (moved["5"].new_score, moved["5"].rank_before) == (D("12.88"), 42)
    assert moved["5"].rank_after == 1 + sum(1 for s in field_others if s > D("12.88"))
    assert moved["5.4"].rank_after is None                        # criteria are not ranked nationally
    text = what_if.render(result)
    assert "Sở Nội vụ recovers 0.5 points on 5.4" in text and "[others: anchored synthetic fill]" in text
    effects = {t.component_code: t for t in result.targets}
    assert effects["TOTAL"].reached_after is (D("86.47") >= effects["TOTAL"].threshold_score)

    with pytest.raises(what_if.WhatIfError, match="2.1 lost 0.0 points"):      # 3/3 printed: nothing to recover
        what_if.simulate(published_db.warehouse, "Lai Châu", "PAR_INDEX", 2024, [what_if.Recovery("2.1", D("0.5"))])
    with pytest.raises(what_if.WhatIfError, match="cannot be recovered"):      # more than the 1.0 lost: refused
        what_if.simulate(published_db.warehouse, "Lai Châu", "PAR_INDEX", 2024, [what_if.Recovery("5.4", D("1.01"))])
    with pytest.raises(what_if.WhatIfError, match="not a scored field or criterion"):
        what_if.simulate(published_db.warehouse, "Lai Châu", "PAR_INDEX", 2024, [what_if.Recovery("9.9", D("1"))])


def _cli(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **settings.environment()})


@pytest.mark.db
@pytest.mark.slow
def test_the_commands_make_run_prints_and_the_what_if(published_db):
    done = _cli(published_db, "points-needed")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Points needed for the rank targets — Lai Châu, PAR_INDEX 2024")
    assert "Kế hoạch số 2205/KH-UBND ngày 11/6/2024" in lines
    (total,) = [line for line in lines if line.startswith("  TOTAL ")]
    need = _target(published_db, "TOTAL", "rank_gain_min")
    assert "56/63  ≤ 46" in total and f"+{need['points_needed']:.2f} points" in total and "[synthetic]" in total
    assert any(line.startswith("  1. Sở Nội vụ") and "3.49 points" in line for line in lines)
    assert "anchored SYNTHETIC fill" in done.stdout

    done = _cli(published_db, "what-if", "--year", "2024", "--component", "5.4", "--points", "0.5")
    assert done.returncode == 0, done.stderr
    assert "85.97 → 86.47" in done.stdout
    refused = _cli(published_db, "what-if", "--year", "2024", "--component", "5.4", "--points", "2")
    assert refused.returncode == 2 and "5.4 lost 1.0 points (0.5 of 1.5); 2 cannot be recovered" in refused.stderr
