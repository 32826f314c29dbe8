"""Number literals as exact SymPy rationals, with their size capped."""
from __future__ import annotations

import re

import sympy

from .errors import ParseError
from .limits import Limits

_LITERAL = re.compile(r"(?P<whole>\d*)(?:\.(?P<fraction>\d*))?(?:[eE](?P<exponent>[-+]?\d+))?")


def number(literal: str, limits: Limits) -> sympy.Rational:
    """The exact value of a literal such as ``2``, ``0.268`` (67/250) or ``3.38e-48``."""
    match = _LITERAL.fullmatch(literal)
    whole, fraction = match["whole"], match["fraction"] or ""
    digits = len((whole + fraction).lstrip("0"))
    if digits > limits.max_digits:
        raise ParseError(f"number too long: {digits} digits (limit {limits.max_digits})")
    exponent = _exponent(match["exponent"], limits) - len(fraction)
    mantissa = int(whole + fraction or "0")
    if exponent >= 0:
        return sympy.Integer(mantissa * 10**exponent)
    return sympy.Rational(mantissa, 10**-exponent)


def _exponent(text: str | None, limits: Limits) -> int:
    """The power of ten written after ``e``, within the exponent cap."""
    value = int(text or "0")
    if abs(value) > limits.max_exponent:
        raise ParseError(f"exponent too large in a number: e{text} (limit {limits.max_exponent})")
    return value


def integer(literal: str, limits: Limits, what: str) -> int:
    """A literal that must be a whole number, such as an index in ``s_2``; ``what`` names it in errors."""
    value = number(literal, limits)
    if not value.is_Integer:
        raise ParseError(f"{what} must be a whole number, not {literal}")
    return int(value)
