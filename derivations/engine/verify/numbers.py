"""Numbers without unknowns, evaluated once per distinct subexpression.

A worked example at K = 1000 classes has vectors whose entries share one long subexpression
(softmax's denominator e^{s_0} + ... + e^{s_999} appears in every p_j). These evaluators keep a
memo keyed by the expression, so that the shared part is evaluated once for the whole vector and
for both sides of a step: checking such a step costs the size of the result, not K times it.

* :func:`rational_value`: sums, products, integer powers, max, min, indicators and |.| of rationals,
  exactly (a :class:`~fractions.Fraction`), or None when there is anything else (e^u, log u);
* :func:`mp_value`: the same and e^u, log u, real powers, at a fixed number of digits with mpmath;
* :func:`largest_exponent`: the largest |u| of an e^u, which sets how many digits are needed.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy
from sympy import Abs, Add, Heaviside, KroneckerDelta, Max, Min, Mul, Pow, exp, log


class NotANumber(ValueError):
    """The expression is not made of numbers the evaluator knows."""


_MISSING = object()


def rational_value(expr, memo: dict | None = None):
    """The exact value of ``expr`` as a Fraction, or None when it is not made of rationals alone."""
    memo = {} if memo is None else memo
    try:
        return _rational(expr, memo)
    except (NotANumber, ZeroDivisionError):
        return None


def _rational(e, memo):
    found = memo.get(e, _MISSING)
    if found is not _MISSING:
        return found
    if e.is_Rational:
        value = Fraction(int(e.p), int(e.q))
    elif isinstance(e, Add):
        value = sum((_rational(a, memo) for a in e.args), Fraction(0))
    elif isinstance(e, Mul):
        value = Fraction(1)
        for a in e.args:
            value *= _rational(a, memo)
    elif isinstance(e, Pow) and e.exp.is_Integer:
        value = _rational(e.base, memo) ** int(e.exp)
    elif isinstance(e, (Max, Min)):
        values = [_rational(a, memo) for a in e.args]
        value = max(values) if isinstance(e, Max) else min(values)
    elif isinstance(e, Heaviside):
        u = _rational(e.args[0], memo)
        at_kink = _rational(e.args[1], memo) if len(e.args) > 1 else Fraction(1, 2)
        value = Fraction(1) if u > 0 else Fraction(0) if u < 0 else at_kink
    elif isinstance(e, Abs):
        value = abs(_rational(e.args[0], memo))
    elif isinstance(e, KroneckerDelta) and all(a.is_Integer for a in e.args):
        value = Fraction(int(e.args[0] == e.args[1]))
    else:
        raise NotANumber(type(e).__name__)
    memo[e] = value
    return value


def largest_exponent(expr, memo: dict | None = None) -> float:
    """The largest |u| of the e^u (with a numeric u) in ``expr``, each subexpression looked at once."""
    memo = {} if memo is None else memo
    return _largest(expr, memo)


def _largest(e, memo):
    found = memo.get(e, _MISSING)
    if found is not _MISSING:
        return found
    value = 0.0
    if isinstance(e, exp) and e.args[0].is_number:
        try:
            value = abs(float(e.args[0]))
        except (TypeError, OverflowError):
            value = float("inf")
    for a in e.args:
        value = max(value, _largest(a, memo))
    memo[e] = value
    return value


def mp_value(expr, memo: dict | None = None):
    """The value of ``expr`` (numbers only) as an mpmath number at the current mpmath precision.

    Call it inside ``mpmath.workdps(digits)``; the memo must be used at one precision only.
    Raises :class:`NotANumber` for anything it does not know or that is not real.
    """
    memo = {} if memo is None else memo
    return _mp(expr, memo)


def _mp(e, memo):
    found = memo.get(e, _MISSING)
    if found is not _MISSING:
        return found
    if e.is_Rational:
        value = mpmath.mpf(int(e.p)) / int(e.q) if e.q != 1 else mpmath.mpf(int(e.p))
    elif e.is_Float:
        value = mpmath.mpf(e._mpf_)
    elif e is sympy.E:
        value = mpmath.e
    elif e is sympy.pi:
        value = mpmath.pi
    elif isinstance(e, Add):
        value = mpmath.fsum([_mp(a, memo) for a in e.args])
    elif isinstance(e, Mul):
        value = mpmath.fprod([_mp(a, memo) for a in e.args])
    elif isinstance(e, Pow):
        base = _mp(e.base, memo)
        if e.exp.is_Integer:
            if base == 0 and e.exp < 0:
                raise NotANumber("division by zero")
            value = base ** int(e.exp)
        else:
            if base < 0 or (base == 0 and _mp(e.exp, memo) <= 0):
                raise NotANumber("not a real power")
            value = mpmath.power(base, _mp(e.exp, memo))
    elif isinstance(e, exp):
        value = mpmath.exp(_mp(e.args[0], memo))
    elif isinstance(e, log):
        inner = _mp(e.args[0], memo)
        if inner <= 0:
            raise NotANumber("log of a number that is not positive")
        value = mpmath.log(inner)
    elif isinstance(e, (Max, Min)):
        values = [_mp(a, memo) for a in e.args]
        value = max(values) if isinstance(e, Max) else min(values)
    elif isinstance(e, Heaviside):
        u = _mp(e.args[0], memo)
        at_kink = _mp(e.args[1], memo) if len(e.args) > 1 else mpmath.mpf(0.5)
        value = mpmath.mpf(1) if u > 0 else mpmath.mpf(0) if u < 0 else at_kink
    elif isinstance(e, Abs):
        value = abs(_mp(e.args[0], memo))
    else:
        raise NotANumber(type(e).__name__)
    memo[e] = value
    return value
