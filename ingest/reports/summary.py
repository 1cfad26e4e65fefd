"""The terminal summary of `make run`, read from the published marts (never from the files)."""
from __future__ import annotations

from decimal import Decimal

from ingest.core import db
from ingest.core.config import Warehouse


def _signed(value, places: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{value:+.{places}f}" if places else f"{value:+d}"
    return text.replace("-", "−")


def _fixed(value, places: int = 2) -> str:
    return "–" if value is None else f"{Decimal(value):.{places}f}"


def fetch(wh: Warehouse, unit_name: str, index_code: str, year: int | None) -> list[dict]:
    with db.transaction(wh) as cur:
        if year is None:
            cur.execute("select max(year) from marts.v_component_score where unit_name = %s and index_code = %s",
                        (unit_name, index_code))
            (year,) = cur.fetchone()
        cur.execute("""
            select index_name, year, edition, is_synthetic, component_code, component_name, level, score,
                   max_score, pct_of_max, rank, rank_of, delta_vs_previous, rank_change_vs_previous,
                   previous_rank, region_name, region_rank, region_rank_of, printed_conflict, release_id, unit_code
            from marts.v_component_score
            where unit_name = %s and index_code = %s and year = %s
              and (level in ('total', 'field') or rank is not null)
            order by component_position""", (unit_name, index_code, year))
        columns = [c.name for c in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]


def render(wh: Warehouse, unit_name: str = "Lai Châu", index_code: str = "PAR_INDEX", year: int | None = None) -> str:
    rows = fetch(wh, unit_name, index_code, year)
    if not rows:
        return f"No published {index_code} scores for {unit_name} in marts.v_component_score."
    total = next((r for r in rows if r["level"] == "total"), rows[0])
    lines = [
        f"{unit_name} — {index_code} {total['year']} ({total['index_name']}), edition {total['edition']}"
        + (" [SYNTHETIC]" if total["is_synthetic"] else "") + "   (from marts.v_component_score)",
        f"Total {_fixed(total['score'])} / {_fixed(total['max_score'], 0)} ({_fixed(total['pct_of_max'])}% of max), "
        f"rank {total['rank']}/{total['rank_of']}; vs {total['year'] - 1}: {_signed(total['delta_vs_previous'])} "
        f"points, {_signed(total['rank_change_vs_previous'], 0)} places (rank {total['previous_rank'] or '–'} → "
        f"{total['rank']})",
        *([f"Rank in {total['region_name']}: {total['region_rank']}/{total['region_rank_of']} (computed from the "
           "complete national release)"] if total.get("region_rank") else []),
        "",
        f"{'':<7}{'component':<52}{'score':>7}{'max':>7}{'% max':>8}{'rank':>8}{'Δ score':>9}{'Δ rank':>8}",
    ]
    for r in rows:
        if r is total:
            continue
        name = r["component_name"] if len(r["component_name"]) <= 50 else r["component_name"][:49] + "…"
        indent = "" if r["level"] == "field" else "  "
        rank = f"{r['rank']}/{r['rank_of']}" if r["rank"] else "–"
        code = r["component_code"] + ("*" if r["printed_conflict"] else "")
        lines.append(f"{indent + code:<7}{name:<52}{_fixed(r['score']):>7}{_fixed(r['max_score'], 1):>7}"
                     f"{_fixed(r['pct_of_max']):>8}{rank:>8}{_signed(r['delta_vs_previous']):>9}"
                     f"{_signed(r['rank_change_vs_previous'], 0):>8}")
    lines.extend(_conflict_lines(wh, total["release_id"], total["unit_code"]))
    lines.append("")
    lines.extend(_other_indices_lines(wh, unit_name, index_code))
    lines.extend(_findings_lines(wh))
    lines.append("Δ = change against the previous year (rank: positive = moved up); – = not published or not comparable.")
    return "\n".join(lines)


def _conflict_lines(wh: Warehouse, release_id: str, unit_code: str) -> list[str]:
    """Footnotes: the scores and ranks the source report prints with different values, and the one published."""
    with db.transaction(wh) as cur:
        cur.execute("""
            select component_code, measure, status, candidate_value, is_published, printings, evidence, decision_reason
            from marts.fct_printed_conflict
            where release_id = %s and unit_code = %s and score_kind = ''
            order by component_code, measure, is_published desc, candidate_value""", (release_id, unit_code))
        found = cur.fetchall()
    lines = []
    for code, measure, status, value, published, printings, evidence, reason in found:
        if published:
            why = {"resolved": "supported by the record", "unresolved": "the evidence ties: first printing kept",
                   "decided": f"decided: {reason}"}[status]
            relations = " | ".join(evidence.split(" | ")[1:])      # what the record says beyond the printings
            lines.append(f"    {code} {measure} {value} ({printings}) published, {why}"
                         + (f": {relations}" if relations and status == "resolved" else ""))
        else:
            lines[-1] += f"; also printed {value} ({printings})"
    if lines:
        lines.insert(0, "  * printed with different values in the source report (marts.fct_printed_conflict):")
    return lines


def _findings_lines(wh: Warehouse) -> list[str]:
    """Warnings of the last validation: published as published, listed with their location."""
    with db.transaction(wh) as cur:
        cur.execute("""
            select f.release_id, f.component_code, f.observed, f.expected, f.source_ref, f.expectation
            from audit.findings as f
            where f.run_id = (select run_id from audit.validation_runs order by validated_at desc limit 1)
              and f.severity = 'warning'
            order by f.release_id, f.component_code""")
        found = cur.fetchall()
    if not found:
        return []
    lines = [f"Checks: {len(found)} warning(s) kept as published, recorded in audit.findings:"]
    for release_id, code, observed, expected, ref, name in found:
        lines.append(f"  {release_id} component {code}: published {observed}, expected {expected} [{name}; {ref}]")
    lines.append("")
    return lines


def _other_indices_lines(wh: Warehouse, unit_name: str, shown: str) -> list[str]:
    """One line per other index: the unit's latest total, national and region rank, change (from the marts)."""
    with db.transaction(wh) as cur:
        cur.execute("""
            select distinct on (index_code) index_code, year, score, max_score, rank, rank_of, region_rank,
                   region_rank_of, delta_vs_previous, release_is_synthetic
            from marts.v_component_score
            where unit_name = %s and component_code = 'TOTAL' and index_code <> %s
            order by index_code, year desc""", (unit_name, shown))
        found = cur.fetchall()
    if not found:
        return []
    lines = [f"{unit_name} on the other indices (latest year; region ranks from complete national releases):"]
    for index_code, year, score, top, rank, rank_of, region_rank, region_of, delta, filled in found:
        region = f", region {region_rank}/{region_of}" if region_rank else ""
        note = "  (other provinces: anchored synthetic fill)" if filled else ""
        change = "–" if delta is None else f"{delta:+}".replace("-", "−")   # as many decimals as printed
        lines.append(f"  {index_code:<10}{year}  {score:>8} / {_fixed(top, 0):<4} rank {rank or '–'}/{rank_of or '–'}"
                     f"{region}; vs {year - 1}: {change}{note}")
    lines.append("")
    return lines


def render_units(wh: Warehouse, index_code: str = "PROVINCIAL_PAR", year: int | None = None) -> str:
    """A province's own index: the final ranking of each group and the self-vs-appraised gap, from the marts."""
    with db.transaction(wh) as cur:
        cur.execute("select max(year) from marts.fct_unit_score where index_code = %s", (index_code,))
        year = year or cur.fetchone()[0]
        if year is None:
            return f"No published {index_code} unit scores in marts.fct_unit_score."
        cur.execute("""
            select unit_group_name, rank, rank_of, unit_name, score, max_score,
                   coalesce(pct_of_max_printed, pct_of_max), change_printed,
                   edition, is_synthetic, index_name
            from marts.v_unit_score
            where index_code = %s and year = %s and score_kind = 'final' and level = 'total'
            order by unit_group_code, rank""", (index_code, year))
        ranking = cur.fetchall()
        cur.execute("""
            select count(*), count(*) filter (where is_over_scored), max(gap), bool_or(is_synthetic)
            from marts.fct_unit_score_gap where index_code = %s and year = %s""", (index_code, year))
        gaps, over, largest, synthetic = cur.fetchone()
    lines = [f"{index_code} {year} ({ranking[0][10] if ranking else ''}), final results, edition "
             f"{ranking[0][8] if ranking else '–'}   (from marts.v_unit_score)", ""]
    group = None
    for name, rank, rank_of, unit, score, max_score, pct, change, _, is_synthetic, _ in ranking:
        if name != group:
            group = name
            lines.append(f"  {name}")
        lines.append(f"    {rank:>2}/{rank_of:<3}{unit:<42}{_fixed(score):>7} / {_fixed(max_score, 1):<6}"
                     f"{_fixed(pct):>7}%{_signed(change):>8}" + ("  [SYNTHETIC]" if is_synthetic else ""))
    if gaps:
        lines += ["", f"Self-assessed vs appraised (marts.fct_unit_score_gap{', SYNTHETIC self-assessment' if synthetic else ''}): "
                      f"{over} of {gaps} over-scored, largest gap {_signed(largest)} points"]
    lines.append("% = the index % as printed (score / the unit's maximum); last column: change vs the previous year "
                 "as printed.")
    return "\n".join(lines)
