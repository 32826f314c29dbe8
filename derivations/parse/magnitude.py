"""Keeping computed numbers small: guarded powers and final checks of the result.

SymPy evaluates ``Integer ** Integer`` eagerly, so ``9^{9^{9^9}}`` would
never finish.  Every power goes through :func:`power`, which refuses a numeric
exponent beyond the cap, and a numeric result estimated to exceed the digit
cap, *before* SymPy computes anything.
"""
from __future__ import annotations

import math

import sympy

from .errors import ParseError
from .limits import Limits


def power(base: sympy.Expr, exponent: sympy.Expr, limits: Limits) -> sympy.Expr:
    """``base ** exponent``, refused when the exponent or the numeric result would be huge."""
    if exponent.is_Rational:
        if abs(exponent.p) > limits.max_exponent or exponent.q > limits.max_exponent:
            raise ParseError(f"exponent too large: {_describe(exponent)} (limit {limits.max_exponent})")
        if base.is_number:
            digits = float(abs(exponent)) * _log10_size(base)
            if digits > limits.max_number_digits:
                raise ParseError(f"number too large: about {digits:.0f} digits (limit {limits.max_number_digits})")
        if base.is_zero and exponent.is_negative:
            raise ParseError("division by zero")
    return sympy.Pow(base, exponent)


def _log10_size(expr: sympy.Expr) -> float:
    """An upper bound on the decimal digits of the rational numbers in a numeric expression."""
    return sum(math.log10(abs(r.p)) + math.log10(r.q) for r in expr.atoms(sympy.Rational) if r.p)


def check_size(expr: sympy.Basic, limits: Limits) -> None:
    """Refuse a result holding a number with more digits than the cap (products can grow them)."""
    max_bits = limits.max_number_digits * math.log2(10)
    for r in expr.atoms(sympy.Rational):
        if max(r.p.bit_length(), r.q.bit_length()) > max_bits:
            raise ParseError(f"number too large: more than {limits.max_number_digits} digits")


def check_defined(expr: sympy.Basic) -> None:
    """Refuse a result that is undefined or infinite, such as 1/0 or log(0)."""
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ParseError("the expression is undefined (a division by zero or the log of zero)")


def _describe(value: sympy.Rational) -> str:
    """A number for an error message: itself when short, else its approximate length."""
    if max(abs(value.p), value.q) < 10**15:
        return str(value)
    return f"a number of about {int(max(abs(value.p), value.q).bit_length() * math.log10(2)) + 1} digits"
