"""The one notation of numbers in release files (README: "Numbers in release files").

A number is ASCII digits with an optional leading minus and an optional decimal point followed by digits:
`85.97`, `-0.35`, `9`, `09.41`. At most 9 digits before the point and 9 after. Surrounding spaces and tabs are
ignored. Nothing else is read: not an exponent (`1e2`), a leading `+`, full-width or other non-ASCII digits
(`８５.９７`, `٨٥`), underscores (`85_97`), thousands separators, a decimal comma (except in a wide layout that
declares `decimal_comma`, where the comma takes the point's place and a point is refused), a percent sign,
spaces inside, a Unicode minus (`−`), `NaN` or `Infinity`. A whole number (rank, rank_of) is ASCII digits only,
at most 9 (a change of rank may carry a sign). The patterns are plain regular expressions so that set-based SQL
checks (PostgreSQL `~`) can use the very same ones.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

DECIMAL_PATTERN = r"-?[0-9]{1,9}(\.[0-9]{1,9})?"
WHOLE_PATTERN = r"[0-9]{1,9}"
SIGNED_WHOLE_PATTERN = r"[+-]?[0-9]{1,9}"
_DECIMAL = re.compile(DECIMAL_PATTERN, re.ASCII)
_WHOLE = re.compile(WHOLE_PATTERN, re.ASCII)
_SIGNED_WHOLE = re.compile(SIGNED_WHOLE_PATTERN, re.ASCII)
SPACES = " \t"          # the only characters stripped around a number
_NOT_NUMBERS = {"nan", "snan", "qnan", "inf", "infinity", "-inf", "+inf", "-infinity", "+infinity", "-nan", "+nan"}


def decimal(text: str, decimal_comma: bool = False) -> Decimal | None:
    """The number `text` writes in the one notation, or None when it is written any other way."""
    text = text.strip(SPACES)
    if decimal_comma:
        if "." in text:
            return None
        text = text.replace(",", ".", 1)
    return Decimal(text) if _DECIMAL.fullmatch(text) else None


def whole(text: str, signed: bool = False) -> int | None:
    """A whole number (ASCII digits, a sign only where `signed`), or None."""
    text = text.strip(SPACES)
    return int(text) if (_SIGNED_WHOLE if signed else _WHOLE).fullmatch(text) else None


def why_not(text: str, decimal_comma: bool = False) -> str:
    """What in `text` is outside the notation, in words a person can act on."""
    body = text.strip(SPACES)
    folded = body.casefold()
    if not body:
        return "it is empty"
    if folded in _NOT_NUMBERS or folded.lstrip("+-") in _NOT_NUMBERS:
        return "NaN and infinity are not numbers"
    if any(c.isdigit() and not c.isascii() for c in body) or any(
            unicodedata.category(c) == "Nd" and not c.isascii() for c in body):
        return "full-width or other non-ASCII digits are not read; write the digits 0-9"
    if "\u2212" in body or "\u2013" in body:
        return "a Unicode minus or dash is not read; write the minus as -"
    if "_" in body:
        return "underscores are not read"
    if re.fullmatch(r"[+-]?[0-9.,]*[0-9][eE][+-]?[0-9]+", body):
        return "exponent notation (1e2) is not read; write the number out"
    if body.startswith("+"):
        return "a leading + is not read"
    if "%" in body:
        return "a percent sign is not read; the column holds the number alone"
    if any(c.isspace() for c in body):
        return "spaces inside a number are not read"
    if decimal_comma and "." in body:
        return "the layout says the table uses decimal commas: expected a decimal comma (e.g. 73,02), not a point"
    if not decimal_comma and "," in body:
        return "decimal commas and thousands separators are not read in the canonical layout"
    digits = body.lstrip("-").replace(",", ".")
    whole_part, _, fraction = digits.partition(".")
    if re.fullmatch(r"[0-9]*\.?[0-9]*", digits, re.ASCII) and digits not in ("", "."):
        if not whole_part:
            return "a digit is needed before the decimal point (0.5, not .5)"
        if "." in digits and not fraction:
            return "a digit is needed after the decimal point"
        if len(whole_part) > 9 or len(fraction) > 9:
            return "more than 9 digits before or after the decimal point"
    return "it is not a number"
