"""The audit against the warehouse: the value the report's record supports for a fact, and the marts' value."""
from __future__ import annotations

from decimal import Decimal

from ingest.core import db
from ingest.core.config import Warehouse
from ingest.curation.audit.blame import Finding
from ingest.curation.audit.facts import Facts
from ingest.curation.audit.numbers import same
from ingest.sources.reference import UnitDirectory


def published_values(wh: Warehouse, facts: Facts) -> tuple[dict, list[str], bool] | None:
    """The published values of the report's index-years, or None without marts. Keys: (index, year, unit,
    component, score kind): provinces by code from v_component_score, a province's own units by name and score
    kind from v_unit_score (the latest edition)."""
    from ingest.reports.reading import has_region_rank

    t = facts.transcription
    pairs = sorted({(t.index_map.get(p.index_code, p.index_code), p.year) for p in t.printings})
    selection = ([i for i, _ in pairs], [y for _, y in pairs])
    with db.transaction(wh) as cur:
        cur.execute("select to_regclass('marts.v_component_score') is not null, "
                    "to_regclass('marts.v_unit_score') is not null")
        national, own_units = cur.fetchone()
        if not national:
            return None
        region = has_region_rank(cur)
        columns = "region_rank, region_rank_of" if region else "null::integer, null::integer"
        cur.execute(f"""
            select index_code, year, unit_code, component_code, '', score, rank, rank_of, {columns},
                   'marts.v_component_score (' || coalesce(source_ref, '') || ')'
            from marts.v_component_score
            where (index_code, year) in (select * from unnest(%s::text[], %s::int[]))""", selection)
        published = {row[:5]: row[5:] for row in cur.fetchall()}
        views = ["marts.v_component_score"]
        if own_units:
            cur.execute("""
                select distinct on (index_code, year, unit_name, component_code, score_kind)
                       index_code, year, unit_name, component_code, score_kind, score, rank, rank_of, null, null,
                       'marts.v_unit_score (' || coalesce(source_ref, '') || ')'
                from marts.v_unit_score
                where (index_code, year) in (select * from unnest(%s::text[], %s::int[]))
                order by index_code, year, unit_name, component_code, score_kind, edition desc""", selection)
            published.update({row[:5]: row[5:] for row in cur.fetchall()})
            views.append("marts.v_unit_score")
    return published, views, region


def differs_from_warehouse(facts: Facts, published: dict, units: UnitDirectory) -> list[Finding]:
    """Each fact's supported value (its only printing, or the one the evidence chose) against the marts'."""
    t = facts.transcription
    found = []
    for key, fact in facts.facts.items():
        if key[0] != "scores" or key[7] not in ("score", "rank") or key[5] in t.not_components:
            continue
        index_code, year, unit_type, unit_name, code, kind = key[1:7]
        index = t.index_map.get(index_code, index_code)
        code = t.code_map(index_code).get(code, code)
        if unit_type == "province":
            unit_code, _ = units.match(unit_type, unit_name)
            row = published.get((index, year, unit_code, code, "")) if unit_code else None
        else:
            row = published.get((index, year, unit_name, code, kind))
        value = facts.value(key)
        if row is None or value is None:
            continue
        score, rank, rank_of, region_rank, region_rank_of, where = row
        scope = key[8]            # national, or "of N" for a rank among N units (a region, a province's group)
        if key[7] == "score":
            stored, measure = score, "score"
        elif rank_of is not None and scope in ("national", f"of {rank_of}"):
            stored, measure = rank, "rank"
        elif region_rank_of is not None and scope == f"of {region_rank_of}":
            stored, measure = region_rank, "region_rank"
        else:
            continue
        # The warehouse holds printed values too: equal to the coarser of the two precisions (43.48 = 43.4796).
        if stored is not None and not same(value.value, Decimal(stored)):
            chosen = next(c for c in fact.candidates if same(c.value.value, value.value))
            context = fact.context
            found.append(Finding(chosen.refs, context["index_code"], context["year"], context["unit_name"],
                                 context["component_code"], measure, value.value, Decimal(stored),
                                 "differs_from_warehouse", where))
    return found
