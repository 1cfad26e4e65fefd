"""Printed numbers and what they can stand for: a printed value is an interval (its rounding), not a point.

A figure printed with d decimals stands for any value that rounds to it: v ± half a unit of the d-th decimal.
A report may drop trailing zeros ("1" for 1.00); `floor_decimals` says how many decimals its figures are known
to (a printed "1" is then 1.00 ± 0.005). Ranks, rank changes and counts are exact. Relations are checked on
intervals, so a difference of two rounded values that is off by one in the last decimal is not a slip.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def parse(text: str | None) -> Decimal | None:
    """A printed number as a Decimal; None for an empty cell; ValueError when it is no number ('+0.0.16')."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def places(value: Decimal) -> int:
    return max(-value.as_tuple().exponent, 0)


def rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def same(a: Decimal, b: Decimal) -> bool:
    """Equal to the precision of the coarser of the two printings (43.48 = 43.4796; 9.8 = 9.80)."""
    decimals = min(places(a), places(b))
    return rounded(a, decimals) == rounded(b, decimals)


@dataclass(frozen=True)
class Interval:
    lo: Decimal
    hi: Decimal

    @staticmethod
    def exact(value: Decimal) -> "Interval":
        return Interval(value, value)

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: "Interval") -> "Interval":
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def scaled(self, factor: Decimal) -> "Interval":
        a, b = self.lo * factor, self.hi * factor
        return Interval(min(a, b), max(a, b))

    def divided(self, other: "Interval") -> "Interval | None":
        """self / other; None when the divisor can be zero."""
        if other.lo <= 0 <= other.hi:
            return None
        quotients = [self.lo / other.lo, self.lo / other.hi, self.hi / other.lo, self.hi / other.hi]
        return Interval(min(quotients), max(quotients))

    def meets(self, other: "Interval") -> bool:
        return self.lo <= other.hi and other.lo <= self.hi

    @property
    def middle(self) -> Decimal:
        return (self.lo + self.hi) / 2


@dataclass(frozen=True)
class Printed:
    """A number as printed: its value, and whether it is exact (a rank, a count) or rounded."""

    value: Decimal
    exact: bool = False
    floor_decimals: int = 0

    @property
    def decimals(self) -> int:
        return places(self.value) if self.exact else max(places(self.value), self.floor_decimals)

    def interval(self, truncation: bool = False) -> Interval:
        """What the printing stands for; with `truncation`, also the values a writer cut off instead of rounding
        (a percentage 92.64 printed 92)."""
        if self.exact:
            return Interval.exact(self.value)
        unit = Decimal(1).scaleb(-self.decimals)
        high = unit if truncation and self.value >= 0 else unit / 2
        low = unit if truncation and self.value < 0 else unit / 2
        return Interval(self.value - low, self.value + high)

    def __str__(self) -> str:
        return str(self.value)
