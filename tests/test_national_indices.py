"""All four national indices in the marts: the values the issue names, each index's load, methodology
changes, region ranks, the time series, and the national-release checks that block (real PostgreSQL, dbt, GX)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from psycopg2 import sql

from ingest.core import db
from ingest.wap import checks
from tests.conftest import query

pytestmark = [pytest.mark.db, pytest.mark.slow]   # on the published marts: one pipeline run

LAI_CHAU_TOTALS = """select index_code, year, score, rank, rank_of, region_rank, region_rank_of, is_synthetic
                     from marts.v_component_score
                     where unit_name = 'Lai Châu' and component_code = 'TOTAL' and (index_code, year) in %s
                     order by index_code, year"""


def test_done_when_values_come_from_v_component_score(published_db):
    wanted = (("PAR_INDEX", 2019), ("PAR_INDEX", 2022), ("PAR_INDEX", 2024), ("PAPI", 2024), ("PCI", 2019),
              ("SIPAS", 2024))
    rows = {(r[0], r[1]): r[2:] for r in query(published_db, LAI_CHAU_TOTALS, (wanted,))}
    assert rows[("PAR_INDEX", 2019)][:3] == (Decimal("79.51"), 51, 63)
    assert rows[("PAR_INDEX", 2022)][:3] == (Decimal("86.29"), 24, 63)
    assert rows[("PAR_INDEX", 2024)][:5] == (Decimal("85.97"), 56, 63, 12, 14)
    assert rows[("PAPI", 2024)][:3] == (Decimal("43.48"), 31, 63)
    assert rows[("PCI", 2019)][:3] == (Decimal("59.95"), 63, 63)
    assert rows[("SIPAS", 2024)][:3] == (Decimal("81.51"), 55, 63)
    assert not any(r[-1] for r in rows.values())          # Lai Châu's figures are published ones


def test_every_index_year_is_a_release_with_its_provinces(published_db):
    releases = query(published_db, """
        select r.release_id, r.coverage, r.is_synthetic, r.units_not_ranked, count(distinct f.unit_code),
               count(*) filter (where f.is_synthetic) > 0
        from marts.dim_release as r join marts.fct_component_score as f using (release_id)
        group by 1, 2, 3, 4 order by 1""")
    complete = [(f"{i}/{y}/1", "complete", True, None, 63, True) for i, years in (
        ("PAPI", (2020, 2021, 2022)), ("PAR_INDEX", (2018, 2019, 2022, 2023, 2024)), ("PCI", (2016, 2017, 2018, 2019)),
        ("SIPAS", (2022, 2023, 2024))) for y in years]
    expected = sorted(complete + [("PAPI/2023/1", "complete", True, "22,74", 61, True),
                                  ("PAPI/2024/1", "complete", True, None, 63, True),
                                  ("PCI/2021/1", "partial", False, None, 21, False)])
    assert releases == expected


def test_each_index_keeps_its_components_and_scale(published_db):
    lai_chau = dict(query(published_db, """
        select index_code || ' ' || year || ' ' || component_code, score from marts.v_component_score
        where unit_name = 'Lai Châu' and component_code in ('TOTAL', '3', '8.SIPAS', '4', 'POLICY')"""))
    assert lai_chau["PAR_INDEX 2019 8.SIPAS"] == Decimal("8.23")
    assert lai_chau["PAPI 2024 3"] == Decimal("4.2190") and lai_chau["PAPI 2023 TOTAL"] == Decimal("43.68")
    assert lai_chau["PCI 2016 4"] == Decimal("6.56") and lai_chau["SIPAS 2023 TOTAL"] == Decimal("79.82")
    # PAPI 2024: 8 dimensions (1-10) make the total; sub-dimensions under them; 4-decimal figures as printed.
    (papi,) = query(published_db, """
        select count(*) filter (where level = 'dimension'), sum(score) filter (where level = 'dimension'),
               count(*) filter (where level = 'sub_dimension')
        from marts.v_component_score where unit_name = 'Lai Châu' and index_code = 'PAPI' and year = 2024""")
    assert papi == (8, Decimal("43.4795"), 28)
    # PCI 2021 from the published-style XLSX: real figures, ranks as printed, no computed ranks (partial).
    (pci,) = query(published_db, """select score, rank, rank_of, computed_rank, is_synthetic, source_ref
        from marts.v_component_score where index_code = 'PCI' and year = 2021 and unit_name = 'Quảng Ninh'
        and component_code = 'TOTAL'""")
    assert pci == (Decimal("73.02"), 1, 63, None, False, "pci_2021.xlsx row 4")


def test_methodology_changes_decide_the_deltas(published_db):
    rows = {(r[0], r[1]): r[2:] for r in query(published_db, """
        select year, component_code, delta_vs_previous, comparable_with_previous, max_score
        from marts.v_component_score where unit_name = 'Lai Châu' and index_code = 'PAR_INDEX'
        and component_code in ('TOTAL', '1', '3')""")}
    assert rows[(2019, "1")] == (Decimal("1.00"), False, Decimal("8.5"))   # same 2018 method: compares (no earlier version)
    assert rows[(2019, "3")][0] == Decimal("1.27")
    assert rows[(2022, "TOTAL")][0] is None                                  # no 2021 release
    assert rows[(2023, "TOTAL")] == (Decimal("-0.51"), True, Decimal("100"))  # 2022 → 2023: same total
    assert rows[(2023, "1")][2] == Decimal("9.5")                              # 8.5 in the 2018-2021 method
    versions = query(published_db, """select methodology_version, comparable_with_previous, max_score
        from marts.dim_methodology_component where index_code = 'PAR_INDEX' and component_code = '1'
        order by methodology_version""")
    assert versions == [("2018", False, Decimal("8.5")), ("2022", False, Decimal("9.5")),
                        ("2023", True, Decimal("9.5")), ("2024", True, Decimal("9.5"))]
    # Ranks compare across years through the percentile; raw rank changes only among equal counts.
    papi = {r[0]: r[1:] for r in query(published_db, """select year, rank, rank_of, rank_change_vs_previous,
        rank_percentile from marts.v_component_score where unit_name = 'Lai Châu' and index_code = 'PAPI'
        and component_code = 'TOTAL'""")}
    assert papi[2024] == (31, 63, None, Decimal("51.61")) and papi[2023][:2] == (18, 61)
    assert papi[2022][2] == 3 and papi[2021][2] == 24           # printed ranks 54 → 30 → 27: up 24, up 3
    (sipas,) = query(published_db, """select rank_change_vs_previous from marts.v_component_score
        where unit_name = 'Lai Châu' and index_code = 'SIPAS' and year = 2024 and component_code = 'TOTAL'""")
    assert sipas == (-5,)                                         # "giảm 05 hạng so với năm 2023"


def test_province_time_series(published_db):
    series = query(published_db, """select year, methodology_version, score, rank, region_rank, is_series_break,
        years_in_series from marts.v_province_time_series where unit_name = 'Lai Châu' and index_code = 'PAR_INDEX'
        and component_code = '1' order by year""")
    assert [(y, v, s, r) for y, v, s, r, *_ in series] == [
        (2018, "2018", Decimal("7.00"), 27), (2019, "2018", Decimal("8.00"), 12),
        (2023, "2023", Decimal("9.44"), 19), (2024, "2024", Decimal("9.41"), 28)]
    assert [row[5] for row in series] == [False, False, True, False]   # 8.5 → 9.5 points: a break
    assert {row[6] for row in series} == {4}
    regions = query(published_db, """select count(distinct unit_code), max(region_rank_of)
        from marts.v_province_time_series where region_name = 'Trung du và miền núi phía Bắc'
        and index_code = 'PCI' and year = 2019 and component_code = 'TOTAL'""")
    assert regions == [(14, 14)]


def _candidate_copy(settings, schema: str) -> None:
    """A candidate schema holding the published marts (what a later run would check)."""
    with db.transaction(settings.warehouse) as cur:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
        cur.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        for table in ("dim_index", "dim_methodology_component", "dim_release", "dim_unit", "fct_component_score"):
            cur.execute(sql.SQL("create table {}.{} as select * from marts.{}").format(
                sql.Identifier(schema), sql.Identifier(table), sql.Identifier(table)))


def test_national_release_checks_block_a_missing_province_and_a_broken_rank(published_db):
    schema = "candidate__national_checks"
    _candidate_copy(published_db, schema)
    with db.transaction(published_db.warehouse) as cur:
        cur.execute(f"delete from {schema}.fct_component_score where release_id = 'SIPAS/2022/1' and unit_code = '01'")
        cur.execute(f"update {schema}.fct_component_score set computed_rank = 57 where release_id = 'PAR_INDEX/2024/1' "
                    "and unit_code = '12' and component_code = 'TOTAL'")
    with pytest.raises(checks.BlockingCheckFailed, match="complete_release_has_every_province"):
        checks.validate_candidate(published_db, schema, "tests__national_checks",   # the suites on national scores
                                  [s for s, table in checks.SUITES.items() if table == "fct_component_score"])
    findings = query(published_db, """select severity, expectation, release_id, unit_code, component_code, observed,
        expected from audit.findings where run_id = 'tests__national_checks' and severity = 'critical' order by 2""")
    assert findings == [
        ("critical", "complete_release_has_every_province", "SIPAS/2022/1", "01", "TOTAL", "missing",
         "every province of 2022 (the release is complete)"),
        ("critical", "computed_rank_equals_printed_rank_in_filled_release", "PAR_INDEX/2024/1", "12", "TOTAL", "56",
         "computed rank 57/63")]
    with db.transaction(published_db.warehouse) as cur:
        cur.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
