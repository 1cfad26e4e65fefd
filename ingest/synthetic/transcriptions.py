"""SYNTHETIC transcriptions of a province's report with planted slips, to measure the audit of published reports.

`write(folder, seed, kinds)` writes a transcription folder as a person would transcribe a report (scores.csv with
one row per printing, methodology.csv, relations.yaml and the tables the report prints: group averages, a
service centre's figures, targets, points lost, national ranges) for a made-up province, every figure consistent,
then plants one slip of each kind asked for, each in its own part of the report so that no two slips touch the
same relation. It returns the answer key: where each slip is printed. The values are random, not estimates of
anything; the unit is named SYNTHETIC.
"""
from __future__ import annotations

import csv
import random
from decimal import Decimal
from pathlib import Path

import yaml

from ingest.synthetic.transcription_tables import (INDEX, RELATIONS, SCORE_COLUMNS, YEAR, Planted, Report, cents,
                                                   group_tables, percent, plan_tables, printed_row, service_tables,
                                                   signed_text)

FIELDS = 8
# Each kind of slip, with the part of the report it is planted in (fields are numbered 1-8).
KINDS = ("conflicting_rank", "wrong_change", "wrong_rank_change", "wrong_percentage", "wrong_criterion",
         "rank_out_of_range", "unreadable", "wrong_criterion_change", "impossible_change", "wrong_count",
         "wrong_mean", "wrong_total_of_parts", "wrong_share", "wrong_points_lost", "wrong_band_gain",
         "wrong_target_pct", "counts_exceed_units", "wrong_weighted_mean", "figure_printed_differently",
         "range_above_maximum")


# --- the report's scores -------------------------------------------------------------------------------------

def _methodology(rng: random.Random) -> dict:
    tree = {}
    for f in range(1, FIELDS + 1):
        tree[str(f)] = [Decimal(rng.choice(["0.5", "1", "1.5", "2", "2.5", "3"])) for _ in range(rng.randint(4, 6))]
    return tree


def _values(rng: random.Random, tree: dict) -> dict:
    values = {}
    for f, maxima in tree.items():
        for i, top in enumerate(maxima, start=1):
            values[f"{f}.{i}"] = top if rng.random() < 0.4 else cents(Decimal(rng.random()) * top)
        values[f] = sum(values[f"{f}.{i}"] for i in range(1, len(maxima) + 1))
    values["TOTAL"] = sum(values[f] for f in tree)
    return values


def _scores(r: Report, tree: dict) -> dict:
    now, before = _values(r.rng, tree), _values(r.rng, tree)
    # Where a criterion's change is the odd one among changes printed without last year's values, the others are at
    # full marks and unchanged (as in the real report): only the odd one can be repaired within its maximum.
    steady = "6"
    for i, top in enumerate(tree[steady], start=1):
        now[f"{steady}.{i}"] = before[f"{steady}.{i}"] = top
    moving = f"{steady}.{r.rng.randint(1, len(tree[steady]))}"
    top = tree[steady][int(moving.split(".")[1]) - 1]
    now[moving], before[moving] = cents(top * Decimal("0.6")), cents(top * Decimal("0.3"))
    for values in (now, before):
        values[steady] = sum(values[f"{steady}.{i}"] for i in range(1, len(tree[steady]) + 1))
        values["TOTAL"] = sum(values[f] for f in tree)
    r.moving = moving
    ranks = {c: (r.rng.randint(1, 63), r.rng.randint(1, 63)) for c in [*tree, "TOTAL"]}     # (before, now)
    maxima = {f: sum(m) for f, m in tree.items()}
    slot = {kind: str(n) for n, kind in enumerate(("conflicting_rank", "wrong_change", "wrong_rank_change",
                                                    "wrong_percentage", "wrong_criterion", "wrong_criterion_change",
                                                    "impossible_change", "rank_out_of_range"), start=1)}
    # The first results table: both years, score and rank; this year's change.
    first = {}
    for code in [*tree, "TOTAL"]:
        printed_row(r, YEAR - 1, code, score=before[code], rank=ranks[code][0], rank_of=63)
        rank, change = ranks[code][1], ranks[code][0] - ranks[code][1]
        printed_rank, printed_change = rank, change
        if code == slot["conflicting_rank"] and "conflicting_rank" in r.kinds and r.rng.random() < 0.5:
            printed_rank = _other_rank(r.rng, rank)          # the odd printing comes first
        if code == slot["wrong_rank_change"] and "wrong_rank_change" in r.kinds:
            printed_change = change + r.rng.choice([-3, -2, 2, 3])
        ref = printed_row(r, YEAR, code, score=now[code], rank=printed_rank, rank_of=63,
                   delta=signed_text(now[code] - before[code]), rank_change=printed_change)
        first[code] = ref
        if printed_rank != rank:
            r.plant("conflicting_rank", [ref], f"field {code} rank {printed_rank}, printed {rank} elsewhere")
        if printed_change != change and r.plant("wrong_rank_change", [ref], f"field {code} rank change"):
            pass
    # A section per field: its heading (score, %, rank, changes) and its criteria.
    for f, maxima_f in tree.items():
        pct = percent(now[f], maxima[f])
        rank = ranks[f][1]
        heading_rank = rank
        conflict_planted = any(p.kind == "conflicting_rank" for p in r.planted)
        if f == slot["conflicting_rank"] and "conflicting_rank" in r.kinds and not conflict_planted:
            heading_rank = _other_rank(r.rng, rank)
        change = now[f] - before[f]
        printed_change = change + r.rng.choice([Decimal("-0.3"), Decimal("0.2"), Decimal("0.5")]) \
            if f == slot["wrong_change"] and "wrong_change" in r.kinds else change
        printed_pct = pct + r.rng.choice([Decimal("-2.5"), Decimal("1.7"), Decimal("3.1")]) \
            if f == slot["wrong_percentage"] and "wrong_percentage" in r.kinds else pct
        heading = printed_row(r, YEAR, f, score=now[f], pct=printed_pct, rank=heading_rank, rank_of=63,
                       delta=signed_text(printed_change), rank_change=ranks[f][0] - rank)
        if heading_rank != rank:
            r.plant("conflicting_rank", [heading], f"field {f} rank {heading_rank}, printed {rank} in the first table")
        if printed_change != change:
            r.plant("wrong_change", [heading], f"field {f} change {printed_change} for {change}")
        if printed_pct != pct:
            r.plant("wrong_percentage", [heading], f"field {f} % {printed_pct} for {pct}")
        _criteria(r, f, maxima_f, now, before, slot)
    # Ranks among the 14 provinces of a region: no other figure relates to them.
    region_rank = r.rng.randint(1, 14)
    shown = 14 + r.rng.randint(1, 5) if "rank_out_of_range" in r.kinds else region_rank
    ref = printed_row(r, YEAR, "TOTAL", rank=shown, rank_of=14)
    r.plant("rank_out_of_range", [ref], "region rank above the 14 ranked provinces")
    return {"now": now, "before": before, "ranks": ranks, "maxima": maxima, "first": first}


def _other_rank(rng: random.Random, rank: int) -> int:
    return rng.choice([x for x in range(1, 64) if abs(x - rank) > 3])


def _criteria(r: Report, f: str, maxima_f: list, now: dict, before: dict, slot: dict) -> None:
    with_previous = f in (slot["wrong_change"], slot["wrong_criterion"], slot["conflicting_rank"])
    odd = int(r.moving.split(".")[1]) - 1 if f == slot["wrong_criterion_change"] else r.rng.randrange(len(maxima_f))
    for i, top in enumerate(maxima_f, start=1):
        code = f"{f}.{i}"
        score, change = now[code], now[code] - before[code]
        printed_score, printed_change = score, signed_text(change)
        if f == slot["wrong_criterion"] and i - 1 == odd and "wrong_criterion" in r.kinds:
            printed_score = cents(score + r.rng.choice([Decimal("0.3"), Decimal("-0.4")])) if score >= Decimal("0.5") \
                else cents(score + Decimal("0.3"))
        if f == slot["impossible_change"] and i - 1 == odd and "impossible_change" in r.kinds:
            printed_change = signed_text(cents(score - top - Decimal(r.rng.choice(["0.5", "1", "1.5"]))))
        if f == slot["wrong_criterion_change"] and i - 1 == odd and "wrong_criterion_change" in r.kinds:
            printed_change = signed_text(change + Decimal(r.rng.choice(["0.5", "1"])))
        if f == slot["rank_out_of_range"] and i - 1 == odd and "unreadable" in r.kinds:
            printed_change = "+0.0.16"
        if f == slot["impossible_change"] and i - 1 != odd:
            printed_change = ""          # the section prints this criterion's change only: no sum of changes
        ref = printed_row(r, YEAR, code, score=printed_score, delta=printed_change)
        if printed_score != score:
            r.plant("wrong_criterion", [ref], f"criterion {code} score {printed_score} for {score}")
        if printed_change == "+0.0.16":
            r.plant("unreadable", [ref], f"criterion {code} change printed '+0.0.16'")
        elif printed_change and printed_change != signed_text(change):
            kind = "impossible_change" if f == slot["impossible_change"] else "wrong_criterion_change"
            r.plant(kind, [ref], f"criterion {code} change {printed_change} for {signed_text(change)}")
        if with_previous:
            printed_row(r, YEAR - 1, code, score=before[code], ref=ref)


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write(folder: Path, seed: int, kinds=KINDS) -> list[Planted]:
    """A SYNTHETIC transcription folder with one slip of each of `kinds` planted; returns where they are."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds of slip {sorted(unknown)}; known: {', '.join(KINDS)}")
    folder.mkdir(parents=True, exist_ok=True)
    r = Report(random.Random(seed), set(kinds))
    tree = _methodology(r.rng)
    s = _scores(r, tree)
    tables = {**group_tables(r), **service_tables(r), **plan_tables(r, tree, s)}
    _write_csv(folder / "scores.csv", SCORE_COLUMNS, r.scores)
    methodology = []
    for year in (YEAR - 1, YEAR):
        methodology.append([INDEX, year, "TOTAL", "", sum(s["maxima"].values()), "total"])
        for f, maxima in tree.items():
            methodology.append([INDEX, year, f, "TOTAL", s["maxima"][f], "field"])
            methodology += [[INDEX, year, f"{f}.{i}", f, top, "criterion"] for i, top in enumerate(maxima, start=1)]
    methodology += [[index, YEAR, "TOTAL", "", 100, "total"] for index in ("UNITS_A", "UNITS_B")]
    _write_csv(folder / "methodology.csv", ["index_code", "year", "component_code", "parent_code", "max_score",
                                            "level"], methodology)
    for name, (header, rows) in tables.items():
        _write_csv(folder / name, header, rows)
    (folder / "relations.yaml").write_text("# SYNTHETIC transcription (ingest/synthetic/transcriptions.py)\n"
                                           + yaml.safe_dump(RELATIONS, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")
    return r.planted


def write_key(planted: list[Planted], path: Path) -> Path:
    """The answer key beside the folder (not in it: the audit reads every CSV of a transcription)."""
    _write_csv(path, ["kind", "source_ref", "what"], [[p.kind, "; ".join(p.lines), p.what] for p in planted])
    return path
