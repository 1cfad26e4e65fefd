"""The values of an anchored synthetic national release: every unit ranked, every printed fact kept.

Pure functions over integers (scores in units of 10^-decimals): order the units so that each printed rank
is its place and printed scores keep their order (a printed order within a region too), draw distinct values
between printed neighbours, and split a unit's filled total into children that keep their own printed ranks.
national_fill.py reads the anchors and writes the package files.
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ingest.core.errors import InputError
from ingest.sources import methodology
from ingest.sources.reference import normalise

SPREAD = Decimal("0.15")      # filled totals reach this share of the scale beyond the anchors
ATTEMPTS = 200                # tries at correlated leaf orders before giving up on a split
REFORM_YEAR = 2025            # the 34 provinces of 1 July 2025 hold on 31 December 2025


class FillError(InputError):
    """The anchors cannot all hold at once (or the spec is wrong): nothing is written."""


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    region: str


@dataclass
class Fact:
    """What the sources say about one unit and component (score and/or rank), and where."""

    score: int | None = None          # in units of 10^-decimals
    rank: int | None = None
    source: str = ""


@dataclass
class Anchors:
    facts: dict[tuple[str, str], Fact] = field(default_factory=dict)      # (unit code, component) -> fact
    region_ranks: dict[str, tuple[int, str]] = field(default_factory=dict)  # unit code -> (rank, source), TOTAL
    last_place: dict[str, str] = field(default_factory=dict)              # unit code -> source


def provinces(year: int, reference_dir: Path) -> list[Province]:
    """The provinces ranked in `year`: the 63 of 2008-08-01 to 2025-06-30 up to 2024, the 34 of the 2025 reform
    from 2025 on (names resolve on the last day of the year). A 2025 province keeps its predecessors' region
    where they all had the same one (as marts.dim_unit), else it has none."""
    with (reference_dir / "provinces.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if year < REFORM_YEAR:
        return [Province(r["code"], normalise(r["province_vi"]), r["region_vi"]) for r in rows]
    regions: dict[str, set[str]] = {}
    for row in rows:
        regions.setdefault(normalise(row["merged_into_2025_vi"]), set()).add(row["region_vi"])
    with (reference_dir / "provinces_2025.csv").open(encoding="utf-8", newline="") as handle:
        after = [(r["code"], normalise(r["province_vi"])) for r in csv.DictReader(handle)]
    shared = {name: found.pop() for name, found in regions.items() if len(found) == 1}
    return [Province(code, name, shared.get(name, "")) for code, name in after]


def scaled(value: Decimal, scale: int, where: Path, what: str) -> int:
    """A printed value in units of the fill's last decimal; more decimals than the fill keeps is an error."""
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        raise FillError(where, f"{what}: {value} has more decimals than the fill's {len(str(scale)) - 1}")
    return int(scaled)


def text_of(value: int, decimals: int) -> str:
    """A filled value written with exactly `decimals` places."""
    return f"{Decimal(value).scaleb(-decimals):.{decimals}f}"


# --- structure of the methodology ------------------------------------------------------------------------

@dataclass(frozen=True)
class Tree:
    method: methodology.Methodology
    generated: tuple[str, ...]              # required components and their ancestors, in registry order
    children: dict[str, tuple[str, ...]]    # within `generated`
    sums: frozenset[str]                    # parents whose generated children add up to them

    @property
    def required(self) -> list[str]:
        return [c for c in self.generated if self.method.components[c].required]

    def bounds(self, code: str, unscaled_max: Decimal | None) -> tuple[Decimal, Decimal]:
        component = self.method.components[code]
        top = component.max_score if component.max_score is not None else unscaled_max
        if top is None:
            raise FillError(self.method.path, f"component {code} has no maximum; give the fill an 'unscaled_max'")
        return component.min_score or Decimal(0), top


def tree_of(method: methodology.Methodology) -> Tree:
    wanted: set[str] = set()
    for code, component in method.components.items():
        if component.required:
            while code is not None:
                wanted.add(code)
                code = method.components[code].parent
    generated = tuple(c for c in method.components if c in wanted)
    children = {c: tuple(k for k in generated if method.components[k].parent == c) for c in generated}
    sums = set()
    for parent, kids in children.items():
        maxima = [method.components[k].max_score for k in kids]
        if kids and None not in maxima and sum(maxima) == method.components[parent].max_score:
            sums.add(parent)
    return Tree(method, generated, children, frozenset(sums))


# --- ordering units so that every printed rank holds ---------------------------------------------------

def order_units(units: list[str], facts: dict[str, Fact], rng: random.Random, where: Path, code: str,
                preference: list[str] | None = None, region_order: dict[str, list[str]] | None = None) -> list[str]:
    """Units from best to worst: printed ranks at their place, printed scores in score order, regions in
    their printed order; the others where `preference` (or chance) puts them."""
    n = len(units)
    slots: list[str | None] = [None] * n
    ranked = {u: f.rank for u, f in facts.items() if f.rank is not None}
    for unit, rank in sorted(ranked.items(), key=lambda item: item[1]):
        if not 1 <= rank <= n or slots[rank - 1] is not None:
            raise FillError(where, f"{code}: rank {rank} of {unit} cannot be given ({n} units; taken by "
                                   f"{slots[rank - 1] if 1 <= rank <= n else '-'})")
        slots[rank - 1] = unit
    placed = {u: i for i, u in enumerate(slots) if u is not None}

    def free_between(low: int, high: int) -> list[int]:
        return [i for i in range(low + 1, high) if slots[i] is None]

    # Regions: members keep their printed order; those without a national rank go between their neighbours.
    for members in (region_order or {}).values():
        known = [-1] + [placed[m] for m in members if m in placed] + [n]
        if known[1:-1] != sorted(known[1:-1]):
            raise FillError(where, f"{code}: the printed national ranks contradict the printed order in the region")
        segment: list[str] = []
        bound = 0
        for member in members + [None]:
            if member is not None and member not in placed:
                segment.append(member)
                continue
            low, high = known[bound], known[bound + 1]
            choices = free_between(low, high)
            if len(choices) < len(segment):
                raise FillError(where, f"{code}: no room for {len(segment)} region members between places "
                                       f"{low + 1} and {high + 1}")
            for unit, slot in zip(segment, sorted(rng.sample(choices, len(segment)))):
                slots[slot] = unit
                placed[unit] = slot
            segment, bound = [], bound + 1

    # Printed scores without a printed rank: between the printed scores above and below them.
    scored = sorted(((f.score, u) for u, f in facts.items() if f.score is not None and u not in placed),
                    reverse=True)
    def bounds(score: int) -> tuple[int, int]:
        above = [i for i, u in enumerate(slots) if u is not None and facts.get(u, Fact()).score is not None
                 and facts[u].score > score]
        below = [i for i, u in enumerate(slots) if u is not None and facts.get(u, Fact()).score is not None
                 and facts[u].score < score]
        return max(above, default=-1), min(below, default=n)

    for number, (score, unit) in enumerate(scored):
        low, high = bounds(score)
        # Leave room for the lower printed scores that must also fit above the same printed rank.
        waiting = sum(1 for later, _ in scored[number + 1:] if bounds(later)[1] == high)
        choices = free_between(low, high)
        choices = choices[:len(choices) - waiting] if waiting else choices
        if not choices:
            raise FillError(where, f"{code}: no place for {unit}'s printed score between the printed ranks")
        slot = rng.choice(choices)
        slots[slot] = unit
        placed[unit] = slot

    rest = [u for u in (preference or units) if u not in placed]
    if preference is None:
        rng.shuffle(rest)
    for slot, unit in zip([i for i, u in enumerate(slots) if u is None], rest):
        slots[slot] = unit
    return slots   # type: ignore[return-value]


def _gaps(order: list[str], facts: dict[str, Fact], low: int, high: int) -> dict[str, tuple[int, int]]:
    """For each unit without a printed score: the open interval its value must lie in, from its neighbours."""
    result = {}
    above = high + 1
    for index, unit in enumerate(order):
        fact = facts.get(unit)
        if fact is not None and fact.score is not None:
            above = fact.score
            continue
        below = next((facts[u].score for u in order[index + 1:] if facts.get(u) and facts[u].score is not None),
                     low - 1)
        result[unit] = (below, above)
    return result


def _sample_descending(order: list[str], facts: dict[str, Fact], low: int, high: int, rng: random.Random,
                       where: Path, code: str) -> dict[str, int]:
    """Distinct values, best first, for the units without a printed score, between printed neighbours."""
    values = {u: facts[u].score for u in order if facts.get(u) and facts[u].score is not None}
    printed = [(u, values[u]) for u in order if u in values]
    for (better, high_value), (worse, low_value) in zip(printed, printed[1:]):
        if high_value <= low_value:
            raise FillError(where, f"{code}: {better} is placed above {worse} but its printed score {high_value} "
                                   f"is not above {low_value}: the printed ranks contradict the printed scores")
    index = 0
    while index < len(order):
        if order[index] in values:
            index += 1
            continue
        end = index
        while end < len(order) and order[end] not in values:
            end += 1
        above = values[order[index - 1]] if index > 0 else high + 1
        below = values[order[end]] if end < len(order) else low - 1
        count = end - index
        if above - below - 1 < count:
            raise FillError(where, f"{code}: {count} values do not fit between {below} and {above}")
        for unit, value in zip(order[index:end], sorted(rng.sample(range(below + 1, above), count), reverse=True)):
            values[unit] = value
        index = end
    return values


def _split(total: int, fixed: dict[str, int], intervals: dict[str, tuple[int, int]], rng: random.Random) -> dict[str, int] | None:
    """Integers within [low, high] for the free parts so that everything adds up to `total`; None if impossible."""
    rest = total - sum(fixed.values())
    low = sum(lo for lo, _ in intervals.values())
    high = sum(hi for _, hi in intervals.values())
    if not low <= rest <= high:
        return None
    values = {k: lo for k, (lo, _) in intervals.items()}
    left = rest - low
    weights = {k: (hi - lo) * rng.uniform(0.5, 1.5) for k, (lo, hi) in intervals.items()}
    scale = sum(weights.values())
    if scale:
        for key, weight in weights.items():
            share = min(int(left * weight / scale), intervals[key][1] - values[key])
            values[key] += share
        left = rest - sum(values.values())
    keys = sorted(intervals)
    while left > 0:
        open_keys = [k for k in keys if values[k] < intervals[k][1]]
        key = rng.choice(open_keys)
        step = min(left, intervals[key][1] - values[key], max(1, left // len(open_keys)))
        values[key] += step
        left -= step
    return {**fixed, **values}


# --- the generator -----------------------------------------------------------------------------------------

def generate(tree: Tree, year_provinces: list[Province], anchors: Anchors, seed: int, decimals: int, where: Path,
             not_ranked: set[str] = frozenset(), unscaled_max: Decimal | None = None) -> dict[tuple[str, str], int]:
    """Values (in units of 10^-decimals) for every province of the year and generated component;
    anchors included as given."""
    rng = random.Random(seed)
    scale = 10 ** decimals
    units = [p for p in year_provinces if p.code not in not_ranked]
    codes = [p.code for p in units]
    region_of = {p.code: p.region for p in units}
    facts = anchors.facts
    values: dict[tuple[str, str], int] = {(u, c): f.score for (u, c), f in facts.items()
                                           if f.score is not None and c in tree.generated and u in region_of}

    def component_facts(code: str) -> dict[str, Fact]:
        return {u: Fact(f.score, f.rank, f.source) for (u, c), f in facts.items() if c == code and u in region_of}

    def scaled_bounds(code: str) -> tuple[int, int]:
        low, high = tree.bounds(code, unscaled_max)
        return scaled(low, scale, where, code), scaled(high, scale, where, code)

    def ranked_values(code: str, with_regions: bool) -> dict[str, int]:
        own = component_facts(code)
        for unit, source in anchors.last_place.items():
            if code == "TOTAL" and unit in region_of:
                own.setdefault(unit, Fact()).rank = len(codes)
        regions: dict[str, list[str]] = {}
        if with_regions:
            for unit, (rank, _) in sorted(anchors.region_ranks.items(), key=lambda item: item[1][0]):
                regions.setdefault(region_of[unit], []).append(unit)
            for region, members in regions.items():
                # The printed order is complete or partial: the region's other members fill the other places.
                others = [u for u in codes if region_of[u] == region and u not in members]
                rng.shuffle(others)
                full = [None] * (len(members) + len(others))
                for unit in members:
                    full[anchors.region_ranks[unit][0] - 1] = unit
                iterator = iter(others)
                regions[region] = [u if u is not None else next(iterator) for u in full]
        order = order_units(codes, own, rng, where, code, region_order=regions)
        low, high = scaled_bounds(code)
        printed = [f.score for f in own.values() if f.score is not None]
        spread = int((high - low) * SPREAD)
        fill_low = max(low, min(printed, default=low + (high - low) // 2) - spread)
        fill_high = min(high, max(printed, default=low + (high - low) // 2) + spread)
        return _sample_descending(order, own, fill_low, fill_high, rng, where, code)

    def leaves(code: str) -> list[str]:
        kids = tree.children.get(code, ())
        if code not in tree.sums or not kids:
            return [code]
        return [leaf for kid in kids for leaf in leaves(kid)]

    def fill_sum(root: str) -> None:
        """Split each unit's root value into the leaves, keeping every leaf's printed ranks."""
        leaf_codes = leaves(root)
        failed: tuple = ()
        spread_of_root = (max(values[(u, root)] for u in codes) - min(values[(u, root)] for u in codes)) or 1
        for attempt in range(ATTEMPTS):
            noise = spread_of_root * max(0.02, 0.35 * (1 - attempt / ATTEMPTS))
            intervals: dict[str, dict[str, tuple[int, int]]] = {u: {} for u in codes}
            for leaf in leaf_codes:
                own = component_facts(leaf)
                low, high = scaled_bounds(leaf)
                if not any(f.rank is not None for f in own.values()):
                    for unit in codes:   # no printed rank to keep: anywhere on the scale
                        intervals[unit][leaf] = (low, high)
                    continue
                preference = sorted(codes, key=lambda u: -(values[(u, root)] + rng.gauss(0, noise)))
                order = order_units(codes, own, rng, where, leaf, preference=preference)
                for unit, (below, above) in _gaps(order, own, low, high).items():
                    intervals[unit][leaf] = (max(low, below + 1), min(high, above - 1))
            splits = {}
            for unit in codes:
                fixed = {leaf: values[(unit, leaf)] for leaf in leaf_codes if (unit, leaf) in values}
                free = {leaf: intervals[unit][leaf] for leaf in leaf_codes if (unit, leaf) not in values}
                if not free:
                    splits[unit] = fixed   # every part printed: kept as printed (slips are the checks' findings)
                    continue
                # A fixed intermediate (e.g. a printed field 8 with free 8.1/8.2) is kept by splitting it below.
                split = split_unit(root, unit, fixed, free)
                if split is None:
                    failed = (unit, values[(unit, root)], fixed, free)
                    break
                splits[unit] = split
            else:
                for unit, split in splits.items():
                    for leaf, value in split.items():
                        values[(unit, leaf)] = value
                return
        raise FillError(where, f"{root}: could not split the filled totals into {leaf_codes} with every printed "
                               f"rank holding (seed {seed}); the anchors may contradict each other. Last failure: "
                               f"unit {failed[0]} = {failed[1]}, printed {failed[2]}, room {failed[3]}")

    def split_unit(root: str, unit: str, fixed: dict[str, int], free: dict[str, tuple[int, int]]) -> dict[str, int] | None:
        """The unit's leaves under `root`; a printed intermediate (e.g. field 8 above free 8.1/8.2) is split first."""
        middle = [c for c in tree.generated if c in tree.sums and c != root and (unit, c) in values
                  and leaves(c) != [c] and any(leaf in free for leaf in leaves(c))]
        if not middle:
            return _split(values[(unit, root)], fixed, free, rng)
        result = dict(fixed)
        for parent in middle:
            parts = leaves(parent)
            inner = _split(values[(unit, parent)], {k: v for k, v in fixed.items() if k in parts},
                           {k: v for k, v in free.items() if k in parts}, rng)
            if inner is None:
                return None
            result.update(inner)
        rest_free = {k: v for k, v in free.items() if k not in result}
        return _split(values[(unit, root)], result, rest_free, rng)

    def sum_up(code: str, unit: str) -> int:
        if (unit, code) in values:
            return values[(unit, code)]
        value = sum(sum_up(kid, unit) for kid in tree.children[code])
        values[(unit, code)] = value
        return value

    for code in tree.generated:
        parent = tree.method.components[code].parent
        if parent in tree.sums:
            continue   # made by splitting its parent
        if code not in tree.method.components or not tree.method.components[code].required:
            raise FillError(where, f"{code}: a component made of non-additive children must itself be required")
        ranked = ranked_values(code, with_regions=(code == "TOTAL"))
        for unit, value in ranked.items():
            values[(unit, code)] = value
        if code in tree.sums:
            fill_sum(code)
    for code in tree.generated:
        if code in tree.sums:
            for unit in codes:
                sum_up(code, unit)
    return values
