"""Deciding a step without sampling: symbolic cancellation, or exact arithmetic on numbers.

Numbers with powers of e in them (e^{-110}, log(1 + e^{-4} + e)) are compared
in exact arithmetic with enough digits to hold every e^{u} next to 1: floats
would overflow for e^{1000} or lose 1 + 2e^{-110}.
"""
from __future__ import annotations

import math

import mpmath
import sympy

from ..steps import Verification
from .numbers import NotANumber, largest_exponent, mp_value, rational_value

#: the most digits exact arithmetic may use: e^{u} next to 1 is held for |u| up to about 10,000.
#: Past it a step is not verified (the loss modules refuse such inputs first, with a message).
MAX_EXACT_DIGITS = 9000


def exponent_digits(*exprs) -> int:
    """How many digits the largest e^{u} in ``exprs`` spans: |u| / ln 10."""
    largest = 0.0
    for expr in exprs:
        for e in expr.atoms(sympy.exp):
            if e.args[0].is_number:
                largest = max(largest, abs(float(e.args[0])))
    return int(largest / 2.302585092994046)


def exact_digits(*exprs) -> int:
    """Digits enough to evaluate ``exprs`` (numbers only) without losing a term: 1 + e^{-u} needs u / ln 10 of them.

    Twice that plus 40, so that after cancelling that many digits at least 40 + u / ln 10 remain.
    """
    return 40 + 2 * exponent_digits(*exprs)


#: a power of a sum with more terms than this once multiplied out is not multiplied out ((x + 1)^200,
#: (a + b + ... + x)^9 would take minutes): the numeric check decides
MAX_EXPANDED_TERMS = 64


def costly_to_expand(*exprs) -> bool:
    """Whether multiplying out ``exprs`` could blow up: a power (u_1 + ... + u_m)^n of
    C(n + m - 1, m - 1) > :data:`MAX_EXPANDED_TERMS` terms."""
    for e in exprs:
        for node in sympy.preorder_traversal(e):
            if isinstance(node, sympy.Pow) and node.exp.is_Integer and node.base.is_Add:
                n, m = abs(int(node.exp)), len(node.base.args)
                if n > MAX_EXPANDED_TERMS or math.comb(n + m - 1, m - 1) > MAX_EXPANDED_TERMS:
                    return True
    return False


def symbolically_equal(a, b) -> bool:
    """Whether a - b (derivatives carried out) expands or cancels to 0; False when SymPy cannot tell
    (or when multiplying out would take too long: then the numeric check decides)."""
    if costly_to_expand(a, b):
        return False
    try:
        difference = (a - b).doit()
        if difference == 0:
            return True
        return sympy.expand(difference) == 0 or sympy.cancel(sympy.together(difference)) == 0
    except Exception:  # noqa: BLE001 - undecided symbolically; the numeric check decides
        return False


def rationals_equal(a, b, memo: dict | None = None):
    """True or False when both sides are made of rationals alone (compared exactly), None otherwise."""
    memo = {} if memo is None else memo
    x = rational_value(a, memo)
    if x is None:
        return None
    y_ = rational_value(b, memo)
    if y_ is None:
        return None
    return x == y_


def check_exact_numbers(a, b, scratch: dict | None = None) -> Verification:
    """Two sides made of numbers only, compared in exact arithmetic.

    Both sides are evaluated with :func:`exact_digits` digits and must agree to
    30 + u / ln 10 significant digits: relative, so 3.4e-48 and 0 differ, and
    so do e^{1000} and e^{1000} + 1. Every distinct subexpression is evaluated
    once (``scratch`` keeps the values between the entries of a vector and the
    two sides of a step).
    """
    scratch = {} if scratch is None else scratch
    exponents = scratch.setdefault("exponents", {})
    largest = max(largest_exponent(a, exponents), largest_exponent(b, exponents))
    if not math.isfinite(largest):
        return Verification(False, "numeric", "an exponent is too large to evaluate")
    spread = int(largest / 2.302585092994046)
    digits, agree = 40 + 2 * spread, 30 + spread
    if digits > MAX_EXACT_DIGITS:
        return Verification(False, "numeric", f"exact arithmetic would need {digits} digits, more than the "
                                              f"{MAX_EXACT_DIGITS} allowed")
    memo = scratch.setdefault(("mp", digits), {})
    try:
        with mpmath.workdps(digits):
            x, y_ = mp_value(a, memo), mp_value(b, memo)
            scale = max(abs(x), abs(y_))
            if abs(x - y_) > scale * mpmath.mpf(10) ** -agree:
                return Verification(False, "numeric", f"the numbers differ: {mpmath.nstr(x, 12)} vs "
                                                      f"{mpmath.nstr(y_, 12)}")
        return Verification(True, "numeric", f"exact numbers, equal to {agree} significant digits")
    except NotANumber:
        return _check_with_evalf(a, b)


def _check_with_evalf(a, b) -> Verification:
    """The same comparison by SymPy's evalf, for numbers the memoised evaluator does not know."""
    digits = exact_digits(a, b)
    agree = 30 + exponent_digits(a, b)
    try:
        x, y_ = a.evalf(digits), b.evalf(digits)
    except Exception as error:  # noqa: BLE001 - a side SymPy cannot evaluate fails the check
        return Verification(False, "numeric", f"cannot evaluate a side: {type(error).__name__}: {error}")
    if not (x.is_Number and y_.is_Number) or not (x.is_finite and y_.is_finite):
        return Verification(False, "numeric", f"the sides do not evaluate to finite numbers: {x}, {y_}")
    scale = max(abs(x), abs(y_))
    if abs(x - y_) > scale * sympy.Float(10, digits) ** -agree:
        return Verification(False, "numeric", f"the numbers differ: {sympy.N(x, 12)} vs {sympy.N(y_, 12)}")
    return Verification(True, "numeric", f"exact numbers, equal to {agree} significant digits")
