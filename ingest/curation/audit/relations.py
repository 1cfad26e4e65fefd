"""A relation between printed facts: a target fact and what its value must be, computed from other facts.

Every relation the audit checks, built in (builtin.py) or declared per table (declared.py), is one of seven
computations on intervals: a linear combination (sums, differences, changes, means), a ratio (percentages,
shares), a weighted mean, a count of values meeting a condition, the lowest or highest value, a place in a ranked
group, or bounds. A relation holds when the target's
printed interval meets the computed one; a broken relation is explained by one odd printing (blame.py), and
`solve` gives the value an input would need for the relation to hold.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from ingest.curation.audit.facts import FactKey
from ingest.curation.audit.numbers import Interval, Printed

ONE, ZERO = Decimal(1), Decimal(0)
INFINITY = Decimal("Infinity")
Values = Callable[[FactKey], "Printed | None"]


def _interval(values: Values, key: FactKey) -> Interval | None:
    printed = values(key)
    return printed.interval() if printed is not None else None


@dataclass(frozen=True)
class Linear:
    """Σ coefficient × fact + constant."""

    terms: tuple[tuple[Decimal, FactKey], ...]
    constant: Decimal = ZERO

    @property
    def keys(self) -> tuple[FactKey, ...]:
        return tuple(key for _, key in self.terms)

    def value(self, values: Values, skip: FactKey | None = None) -> Interval | None:
        total = Interval.exact(self.constant)
        for coefficient, key in self.terms:
            if key == skip:
                continue
            part = _interval(values, key)
            if part is None:
                return None
            total = total + part.scaled(coefficient)
        return total

    def coefficient(self, key: FactKey) -> Decimal:
        return sum((c for c, k in self.terms if k == key), ZERO)


@dataclass(frozen=True)
class Sum:
    """target = linear combination."""

    expression: Linear

    @property
    def keys(self):
        return self.expression.keys

    def expect(self, values: Values) -> Interval | None:
        return self.expression.value(values)

    def solve(self, values: Values, target: Interval, key: FactKey) -> Interval | None:
        coefficient = self.expression.coefficient(key)
        rest = self.expression.value(values, skip=key)
        if not coefficient or rest is None:
            return None
        return (target - rest).scaled(ONE / coefficient)


@dataclass(frozen=True)
class Ratio:
    """target = scale × numerator / denominator (a percentage, a share)."""

    numerator: Linear
    denominator: Linear
    scale: Decimal = Decimal(100)

    @property
    def keys(self):
        return self.numerator.keys + self.denominator.keys

    def expect(self, values: Values) -> Interval | None:
        top, bottom = self.numerator.value(values), self.denominator.value(values)
        if top is None or bottom is None:
            return None
        quotient = top.divided(bottom)
        return quotient.scaled(self.scale) if quotient else None

    def solve(self, values: Values, target: Interval, key: FactKey) -> Interval | None:
        coefficient = self.numerator.coefficient(key)
        bottom, rest = self.denominator.value(values), self.numerator.value(values, skip=key)
        if not coefficient or bottom is None or rest is None or key in self.denominator.keys:
            return None
        needed = Interval(min(target.lo * bottom.lo, target.lo * bottom.hi), max(target.hi * bottom.lo,
                                                                                 target.hi * bottom.hi))
        return (needed.scaled(ONE / self.scale) - rest).scaled(ONE / coefficient)


@dataclass(frozen=True)
class WeightedMean:
    """target = Σ weight × value / Σ weight (an average over groups of different sizes)."""

    pairs: tuple[tuple[FactKey, FactKey], ...]     # (weight, value)

    @property
    def keys(self):
        return tuple(k for pair in self.pairs for k in pair)

    def expect(self, values: Values) -> Interval | None:
        total, weights = Interval.exact(ZERO), Interval.exact(ZERO)
        for weight_key, value_key in self.pairs:
            counted, value = values(weight_key), _interval(values, value_key)
            if counted is None or value is None:
                return None
            weight = Interval.exact(counted.value)       # a weight is a number of units, not a rounded value
            products = [weight.lo * value.lo, weight.lo * value.hi, weight.hi * value.lo, weight.hi * value.hi]
            total, weights = total + Interval(min(products), max(products)), weights + weight
        return total.divided(weights)

    def solve(self, values, target, key):
        return None


@dataclass(frozen=True)
class Count:
    """target = how many of the facts meet the condition (op threshold); an interval when a value straddles it."""

    keys: tuple[FactKey, ...]
    op: str
    threshold: Decimal = ZERO

    def expect(self, values: Values) -> Interval | None:
        surely = maybe = 0
        for key in self.keys:
            value = _interval(values, key)
            if value is None:
                return None
            low, high = _meets(value.lo, self.op, self.threshold), _meets(value.hi, self.op, self.threshold)
            inside = self.op in ("=", "==") and value.lo <= self.threshold <= value.hi
            if low and high and (self.op not in ("=", "==") or value.lo == value.hi):
                surely += 1
            elif low or high or inside:
                maybe += 1
        return Interval(Decimal(surely), Decimal(surely + maybe))

    def solve(self, values, target, key):
        return None


def _meets(value: Decimal, op: str, threshold: Decimal) -> bool:
    return {">": value > threshold, ">=": value >= threshold, "<": value < threshold, "<=": value <= threshold,
            "=": value == threshold, "==": value == threshold}[op]


@dataclass(frozen=True)
class Extreme:
    """target = the lowest (min) or the highest (max) of the facts: a printed spread of values."""

    keys: tuple[FactKey, ...]
    which: str                     # min | max

    def expect(self, values: Values) -> Interval | None:
        found = [_interval(values, k) for k in self.keys]
        if None in found:
            return None
        pick = min if self.which == "min" else max
        return Interval(pick(i.lo for i in found), pick(i.hi for i in found))

    def solve(self, values: Values, target: Interval, key: FactKey) -> Interval | None:
        """Only the lowest (highest) value can be the printed lowest (highest) one: it would have to be the target."""
        found = {k: _interval(values, k) for k in self.keys}
        if None in found.values() or key not in found:
            return None
        middle = {k: i.middle for k, i in found.items()}
        extreme = (min if self.which == "min" else max)(middle, key=middle.get)
        return target if key == extreme else None


@dataclass(frozen=True)
class Place:
    """target (a rank) = 1 + how many units of the group have a higher value (an interval where values may tie)."""

    own: FactKey
    others: tuple[FactKey, ...]

    @property
    def keys(self):
        return (self.own, *self.others)

    def expect(self, values: Values) -> Interval | None:
        mine = _interval(values, self.own)
        theirs = [_interval(values, k) for k in self.others]
        if mine is None or None in theirs:
            return None
        above = sum(1 for t in theirs if t.lo > mine.hi)
        level = sum(1 for t in theirs if t.hi >= mine.lo)
        return Interval(Decimal(1 + above), Decimal(1 + level))

    def solve(self, values, target, key):
        return None


@dataclass(frozen=True)
class Bounds:
    """lower ≤ target ≤ upper (either may be absent)."""

    lower: Linear | None
    upper: Linear | None

    @property
    def keys(self):
        return (self.lower.keys if self.lower else ()) + (self.upper.keys if self.upper else ())

    def expect(self, values: Values) -> Interval | None:
        low = self.lower.value(values) if self.lower else Interval.exact(-INFINITY)
        high = self.upper.value(values) if self.upper else Interval.exact(INFINITY)
        if low is None or high is None:
            return None
        return Interval(low.lo, high.hi)

    def solve(self, values: Values, target: Interval, key: FactKey) -> Interval | None:
        """The values of a fact in a bound that keep the target within it (a half-open interval)."""
        for bound, below in ((self.lower, True), (self.upper, False)):
            coefficient = bound.coefficient(key) if bound else ZERO
            rest = bound.value(values, skip=key) if coefficient else None
            if rest is None:
                continue
            # lower: c·x + rest ≤ target.hi; upper: c·x + rest ≥ target.lo
            edge = ((target.hi if below else target.lo) - (rest.lo if below else rest.hi)) / coefficient
            keep_below = below == (coefficient > 0)
            return Interval(-INFINITY, edge) if keep_below else Interval(edge, INFINITY)
        return None


@dataclass
class Relation:
    kind: str                      # the finding's kind when it breaks, e.g. parts_do_not_sum
    says: str                      # the relation in words, for the finding
    target: FactKey
    computation: Sum | Ratio | WeightedMean | Count | Extreme | Place | Bounds
    truncation: bool = False       # a printed percentage may be cut off rather than rounded
    source: str = "scores.csv"     # the table that declares it (or scores.csv for the built-in ones)
    exact: bool = False            # its figures are whole numbers as stated (ranks, counts), not rounded values

    def _read(self, values: Values) -> Values:
        if not self.exact:
            return values
        return lambda key: (lambda v: None if v is None else Printed(v.value, True))(values(key))

    @property
    def terms(self) -> tuple[FactKey, ...]:
        return (self.target, *dict.fromkeys(k for k in self.computation.keys if k != self.target))

    def expected(self, values: Values) -> Interval | None:
        return self.computation.expect(self._read(values))

    def holds(self, values: Values) -> bool | None:
        """True, False, or None when a fact it needs has no value."""
        values = self._read(values)
        target, expected = values(self.target), self.expected(values)
        if target is None or expected is None:
            return None
        return target.interval(self.truncation).meets(expected)

    def needed(self, values: Values, key: FactKey) -> Interval | None:
        """The value `key` would need for the relation to hold (None where it cannot be said)."""
        values = self._read(values)
        if key == self.target:
            return self.expected(values)
        target = values(self.target)
        if target is None:
            return None
        return self.computation.solve(values, target.interval(self.truncation), key)
