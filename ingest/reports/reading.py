"""The province report's figures, read from the published marts (never from files)."""
from __future__ import annotations

from ingest.core import config, db
from ingest.core.errors import NothingPublished
from ingest.reports import points_needed
from ingest.reports.model import ConflictNote, LostPoints, Report, Row, TargetLine
from ingest.reports.text import change_words, number

LEVELS_IN_TABLE = ("total", "field", "criterion")


def _dicts(cur) -> list[dict]:
    columns = [c.name for c in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


def has_region_rank(cur) -> bool:
    """Region ranks come with the national releases (region_rank in v_component_score); the audit of published
    reports compares printed region ranks only where the marts have them."""
    cur.execute("select 1 from information_schema.columns where table_schema = %s and table_name = "
                "'v_component_score' and column_name = 'region_rank'", (config.PUBLISHED_SCHEMA,))
    return cur.fetchone() is not None


def _row(r: dict) -> Row:
    return Row(r["component_code"], r["component_name"], r["level"], r["score"], r["max_score"], r["pct_of_max"],
               r["rank"], r["rank_of"], r["delta_vs_previous"], r["rank_change_vs_previous"],
               printed_conflict=r.get("printed_conflict"))


def _conflicts(cur, release_id: str, unit_code: str, names: dict[str, str]) -> list[ConflictNote]:
    """The scores and ranks of the release the source report prints with different values (fct_printed_conflict)."""
    cur.execute("""
        select component_code, measure, status, candidate_value, is_published, printings, evidence, decision_reason
        from marts.fct_printed_conflict
        where release_id = %s and unit_code = %s and score_kind = ''
        order by component_code, measure, is_published desc, candidate_value""", (release_id, unit_code))
    notes: dict[tuple[str, str], ConflictNote] = {}
    for code, measure, status, value, published, printings, evidence, reason in cur.fetchall():
        if published:
            notes[(code, measure)] = ConflictNote(code, names.get(code, code), measure, status, value, printings, [],
                                                  evidence, reason)
        elif (code, measure) in notes:
            notes[(code, measure)].others.append((value, printings))
    return list(notes.values())


def _scores(cur, unit_name: str, index_code: str, year: int) -> list[dict]:
    cur.execute("""
        select component_code, component_name, level, part, component_position, score, max_score, pct_of_max,
               rank, rank_of, delta_vs_previous, rank_change_vs_previous, region_name, unit_code, unit_type, index_name,
               release_id, is_synthetic, printed_conflict, region_rank, region_rank_of
        from marts.v_component_score
        where unit_name = %s and index_code = %s and year = %s
        order by component_position""", (unit_name, index_code, year))
    return _dicts(cur)


def _joined(text: str, more: str) -> str:
    """'16-19' + '16-19' stays; '–' + 'x' = 'x'; otherwise 'a; b'."""
    if text == "–":
        return more
    return text if more in text.split("; ") else f"{text}; {more}"


def _result(value, metric_kind: str) -> str:
    return number(value, 0 if metric_kind == "rank" else 2)


def _note(line: TargetLine, differences: list[str], issues: list[str]) -> str | None:
    """Why a target has no verdict, or why the warehouse's verdict differs from the one a report printed."""
    notes = list(dict.fromkeys(issues))
    compared = "; ".join(dict.fromkeys(differences))
    if line.verdict_agrees is False:
        notes.append(f"Đánh giá khác báo cáo vì báo cáo so với kết quả khác: {compared}." if compared
                     else "Báo cáo in đánh giá khác với cùng kết quả.")
    elif compared:
        notes.append(f"Báo cáo in kết quả khác ({compared}); đánh giá không đổi.")
    return " ".join(notes) or None


def _targets(cur, unit_code: str, index_code: str, year: int, names: dict[str, str]) -> list[TargetLine]:
    cur.execute("""
        select a.plan_id, t.plan_ref, a.component_code, a.metric, a.metric_kind, a.target_printed, a.actual_value,
               a.actual_source_ref, a.attainment, a.verdict, a.verdict_printed, a.verdict_agrees, a.result_printed,
               a.result_source_ref, a.result_agrees, a.owner_vi, a.is_conflicting, a.printed_values
        from marts.fct_target_attainment as a
        join marts.fct_target as t using (target_key)
        where a.unit_code = %s and a.index_code = %s and a.year = %s and a.metric_kind <> 'other'
        order by a.plan_id, t.source_row""", (unit_code, index_code, year))
    lines: dict[tuple[str, str], TargetLine] = {}
    differences: dict[tuple[str, str], list[str]] = {}
    issues: dict[tuple[str, str], list[str]] = {}
    for r in _dicts(cur):
        key = (r["plan_id"], r["component_code"])
        line = lines.setdefault(key, TargetLine(r["plan_ref"], r["component_code"],
                                                names.get(r["component_code"], r["component_code"])))
        printed = r["target_printed"] or "–"
        if r["actual_value"] is None:
            result = "chưa có"
        elif r["metric_kind"] == "score":
            result = f"{number(r['actual_value'])}%"
        elif r["metric"].startswith("rank_gain"):
            result = f"{change_words(r['actual_value'], 'hạng')} so với năm {year - 1}"
        else:
            result = str(int(r["actual_value"]))
        if r["metric_kind"] == "score":
            line.score_target, line.score_result = printed, result
        else:
            line.rank_target = _joined(line.rank_target, printed)
            line.rank_result = _joined(line.rank_result, result)
        line.verdict, line.verdict_printed, line.verdict_agrees = r["verdict"], r["verdict_printed"], r["verdict_agrees"]
        line.owner = r["owner_vi"] or line.owner
        if r["is_conflicting"]:
            issues.setdefault(key, []).append(f"Kế hoạch in mục tiêu này với các giá trị khác nhau ({r['printed_values']}); "
                                              "không chọn giá trị nào.")
        elif r["attainment"] == "no_actual":
            issues.setdefault(key, []).append(f"Chưa có kết quả năm {year} trong kho dữ liệu.")
        if r["result_agrees"] is False:
            differences.setdefault(key, []).append(
                f"báo cáo {_result(r['result_printed'], r['metric_kind'])} ({r['result_source_ref']}), kho dữ liệu "
                f"{_result(r['actual_value'], r['metric_kind'])} ({r['actual_source_ref']})")
    for key, line in lines.items():
        line.note = _note(line, differences.get(key, []), issues.get(key, []))
    return list(lines.values())


def fetch(wh: config.Warehouse, unit_name: str, index_code: str, year: int | None = None) -> Report:
    with db.transaction(wh) as cur:
        if year is None:
            cur.execute("select max(year) from marts.v_component_score where unit_name = %s and index_code = %s",
                        (unit_name, index_code))
            (year,) = cur.fetchone()
        current = _scores(cur, unit_name, index_code, year) if year else []
        if not current:
            raise NothingPublished(f"no published {index_code} scores for {unit_name} in {year or 'any year'} "
                              "(marts.v_component_score)")
        previous = {r["component_code"]: r for r in _scores(cur, unit_name, index_code, year - 1)}
        total_row = next(r for r in current if r["level"] == "total")
        cur.execute("select publisher, published_on, source from marts.dim_release where release_id = %s",
                    (total_row["release_id"],))
        publisher, published_on, source = cur.fetchone() or (None, None, None)
        unit_code = total_row["unit_code"]
        cur.execute("""
            select component_code, component_name, score, max_score, points_lost, owner_vi, owner_named_for
            from marts.v_points_lost
            where unit_code = %s and index_code = %s and year = %s and level = 'criterion' and points_lost > 0
            order by points_lost desc, component_position""", (unit_code, index_code, year))
        lost = [LostPoints(*r) for r in cur.fetchall()]
        cur.execute("""
            select year, rank, rank_of from marts.v_component_score
            where unit_name = %s and index_code = %s and level = 'total' and rank is not null
            order by year""", (unit_name, index_code))
        history = [tuple(r) for r in cur.fetchall()]
        names = {r["component_code"]: r["component_name"] for r in current}
        targets = _targets(cur, unit_code, index_code, year, names)
        conflicts = _conflicts(cur, total_row["release_id"], unit_code, names)
    rows = []
    for r in current:
        if r["level"] not in LEVELS_IN_TABLE:
            continue
        row = _row(r)
        before = previous.get(r["component_code"])
        if before:
            row.previous_score, row.previous_max = before["score"], before["max_score"]
            row.previous_rank, row.previous_rank_of = before["rank"], before["rank_of"]
        rows.append(row)
    fields_pct = [(r["component_code"], r["component_name"], (previous.get(r["component_code"]) or {}).get("pct_of_max"),
                   r["pct_of_max"]) for r in current if r["level"] == "field"]
    return Report(
        unit_name=unit_name, unit_type=total_row["unit_type"], index_code=index_code,
        index_name=total_row["index_name"], year=year, release_id=total_row["release_id"], publisher=publisher,
        published_on=published_on, source=source, is_synthetic=any(r["is_synthetic"] for r in current),
        region_name=total_row["region_name"], total=next(row for row in rows if row.level == "total"),
        region_rank=total_row["region_rank"], region_rank_of=total_row["region_rank_of"],
        parts=[_row(r) for r in current if r["level"] == "part" and r["component_code"].startswith("TOTAL.")],
        rows=rows, lost=lost, targets=targets, rank_history=history, fields_pct=fields_pct, conflicts=conflicts,
        points=points_needed.fetch(wh, unit_name, index_code, year))
