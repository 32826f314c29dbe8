"""A second look, in 50-digit arithmetic, at the points where the double-precision check of a derivative failed.

The last check of ``derive diff`` compares the derivative with ``sympy.diff`` and with centred finite
differences (step 1e-6) in double precision. Near a pole, or where a function changes very fast
(tan(tan(tan(...))), a finite difference in double precision is wrong in its first digits: the check
fails although the derivative is right. At each such point both comparisons are made again with 50
significant digits, the finite difference with a step of 1e-20 (so that its error, about step² times
the third derivative, is far below what is compared). A point agrees, disagrees (the derivative is
wrong: never shown), or cannot be decided (a side is not a finite real number there, or the work would
take too long): the report says which.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import sympy
from sympy import Indexed

from ..engine.evaluate import concrete
from ..engine.verify import expand_definitions

#: significant digits of the second look
DIGITS = 50

#: the step of its centred finite differences
STEP = sympy.Rational(1, 10 ** 20)

#: relative difference allowed at DIGITS digits (the finite difference keeps about 30 of them)
TOLERANCE = 1e-15

#: seconds the second look may take in all
MAX_SECONDS = 5.0


@dataclass(frozen=True)
class PreciseCheck:
    """How the points rechecked in 50-digit arithmetic came out."""

    agreed: int
    disagreed: int
    undecided: int
    worst: float                # largest relative difference among the points that agreed

    @property
    def ok(self) -> bool:
        return self.agreed > 0 and not self.disagreed and not self.undecided


def _key_to_variable(key):
    return Indexed(key[0], *key[1]) if isinstance(key, tuple) else key


def _value(expr, values):
    """``expr`` at ``values`` to DIGITS digits, or None when it is not a finite real number there."""
    try:
        result = expr.xreplace(values).evalf(DIGITS)
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    if not result.is_number or result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    if result.is_real is not True or not result.is_Number:
        return None
    return result


def recheck(expr, derivative, variable, definitions, disagreements) -> PreciseCheck:
    """``derivative`` against sympy.diff of ``expr`` and 50-digit finite differences at each (indices, point)."""
    f = expand_definitions(expr, definitions)
    g = expand_definitions(derivative, definitions)
    reference = sympy.diff(f, variable)
    agreed = disagreed = undecided = 0
    worst = 0.0
    deadline = time.perf_counter() + MAX_SECONDS
    for env, point in disagreements:
        if time.perf_counter() > deadline:
            undecided += 1
            continue
        var = concrete(variable, env)
        values = {_key_to_variable(key): sympy.Float(value, DIGITS) for key, value in point.items()}
        fc, gc, rc = concrete(f, env), concrete(g, env), concrete(reference, env)
        derived, exact = _value(gc, values), _value(rc, values)
        up, down = dict(values), dict(values)
        up[var] = values[var] + STEP
        down[var] = values[var] - STEP
        high, low = _value(fc, up), _value(fc, down)
        if None in (derived, exact, high, low):
            undecided += 1
            continue
        numeric = (high - low) / (2 * STEP)
        scale = max(sympy.Integer(1), abs(derived))
        differences = (abs(derived - exact) / scale, abs(derived - numeric) / scale)
        if max(differences) > TOLERANCE:
            disagreed += 1
        else:
            agreed += 1
            worst = max(worst, float(max(differences)))
    return PreciseCheck(agreed, disagreed, undecided, worst)


__all__ = ["recheck", "PreciseCheck", "DIGITS"]
