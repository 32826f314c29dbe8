"""Cheap exact checks for the steps of a worked example: each distinct subexpression looked at once.

* :func:`substitute`: ``xreplace`` with a memo, so values put into K entries that share one long
  denominator cost its length once;
* :func:`kind_of`: whether an expression is made of rationals alone, of numbers with powers of e,
  of other numbers, or has unknowns left (memoised);
* :func:`same_when_written_out`: both sides equal once every sum with known bounds is written out
  and every sum and product is put in SymPy's canonical form (a step that writes out
  sum_{j != 0} max(0, s_j - s_0 + 1) for K = 1000 is checked in the time it takes to read it).
"""
from __future__ import annotations

from sympy import Abs, Add, Derivative, Heaviside, Indexed, KroneckerDelta, Max, Min, Mul, Pow, Sum, Symbol, exp, log

from ..evaluate import concrete
from ..notation import SumExcept

#: what :func:`kind_of` says
SYMBOLIC, RATIONAL, WITH_EXP, OTHER_NUMBER = 0, 1, 2, 3

_MISSING = object()
_SAME = object()        # memo: the expression is unchanged (give back this very object, not an equal copy)


def substitute(expr, values: dict, memo: dict):
    """``expr.xreplace(values)``, each distinct subexpression rebuilt once (``memo`` for these values only)."""
    found = memo.get(expr, _MISSING)
    if found is not _MISSING:
        return expr if found is _SAME else found
    if expr in values:
        result = values[expr]
    elif not expr.args:
        result = expr
    else:
        args = [substitute(a, values, memo) for a in expr.args]
        if all(n is o for n, o in zip(args, expr.args)):
            result = expr
        elif isinstance(expr, (exp, log)) and not args[0].free_symbols:
            result = expr.func(*args, evaluate=False)     # log of a K-term number: no sign questions asked
        else:
            result = expr.func(*args)
    memo[expr] = _SAME if result is expr else result
    return result


def kind_of(expr, memo: dict) -> int:
    """SYMBOLIC (an unknown, derivative or sum is left), RATIONAL (rationals, +, *, integer powers, max,
    min, indicators, |.|), WITH_EXP (numbers with a power of e), or OTHER_NUMBER (sqrt 2, log 3, pi ...)."""
    found = memo.get(expr, _MISSING)
    if found is not _MISSING:
        return found
    if isinstance(expr, (Symbol, Indexed, Derivative, Sum, SumExcept)):
        kind = SYMBOLIC
    elif expr.is_Rational:
        kind = RATIONAL
    elif not expr.args:
        kind = OTHER_NUMBER if expr.is_number else SYMBOLIC
    else:
        kinds = [kind_of(a, memo) for a in expr.args]
        if SYMBOLIC in kinds:
            kind = SYMBOLIC
        elif isinstance(expr, exp) or WITH_EXP in kinds:
            kind = WITH_EXP
        elif OTHER_NUMBER in kinds:
            kind = OTHER_NUMBER
        elif isinstance(expr, (Add, Mul, Max, Min, Heaviside, Abs, KroneckerDelta)) or \
                (isinstance(expr, Pow) and expr.exp.is_Integer):
            kind = RATIONAL
        else:
            kind = OTHER_NUMBER
    memo[expr] = kind
    return kind


def written_out_form(expr, memo: dict):
    """``expr`` with every sum with known bounds written out and every + and * in canonical form
    (max, min and indicators kept as they are, unevaluated)."""
    found = memo.get(expr, _MISSING)
    if found is not _MISSING:
        return expr if found is _SAME else found
    if isinstance(expr, (Sum, SumExcept)):
        written = concrete(expr, {})
        result = written_out_form(written, memo) if written != expr else expr
    elif not expr.args:
        result = expr
    else:
        args = [written_out_form(a, memo) for a in expr.args]
        if isinstance(expr, (Add, Mul)):
            result = expr.func(*args)                 # unevaluated sums (a written-out loss) put in order
            if result == expr:
                result = expr                         # the same object: its parents need not be rebuilt
        elif any(n is not o for n, o in zip(args, expr.args)):
            result = expr.func(*args, evaluate=False) if isinstance(expr, (Max, Min, Heaviside)) \
                else expr.func(*args)
        else:
            result = expr
    memo[expr] = _SAME if result is expr else result
    return result


def same_when_written_out(a, b) -> bool:
    """Whether the two sides are the same expression once sums are written out and put in canonical form."""
    memo: dict = {}
    try:
        return written_out_form(a, memo) == written_out_form(b, memo)
    except Exception:  # noqa: BLE001 - undecided here; the other checks decide
        return False
