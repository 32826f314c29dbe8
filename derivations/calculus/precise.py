"""A second look, in 50-digit arithmetic, where double precision cannot decide a check of ``derive diff``.

The last check of ``derive diff`` compares the derivative with ``sympy.diff`` and with centred finite
differences (step 1e-6) in double precision. Near a pole, or where a function changes very fast
(tan(tan(tan(...))), a finite difference in double precision is wrong in its first digits: the check
fails although the derivative is right. At each such point both comparisons are made again with 50
significant digits, the finite difference with a step of 1e-20 (so that its error, about step² times
the third derivative, is far below what is compared). A point agrees, disagrees (the derivative is
wrong: never shown), or cannot be decided (a side is not a finite real number there, or the work would
take too long): the report says which.

Where a step, or the last check, found no point at all at which double precision could evaluate both
sides (``exp(exp(exp(exp(exp(x)))))`` overflows for x > 0.7), :func:`check_step` and
:func:`check_result` look for points where 50-digit numbers (up to 10^(10^9)) can, and compare there.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass

import sympy
from sympy import Indexed

from ..engine.evaluate import concrete
from ..engine.notation import plain_symbols
from ..engine.steps import Verification
from ..engine.verify import expand_definitions
from ..engine.verify.sampling import seed_of
from .values import Evaluation, Overflow

#: the largest values (in decimal digits) the 50-digit checks compute with
MAX_EXPONENT = 1e9

#: points a check at 50 digits compares at, and the candidates tried to find them
POINTS, CANDIDATES = 6, 40

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
    """``expr`` at ``values`` to DIGITS digits (bounded work, :mod:`.values`), or None when it is not a finite real
    number there or is beyond 10^MAX_EXPONENT."""
    try:
        return Evaluation(DIGITS, MAX_EXPONENT).value(expr, values)
    except (Overflow, TypeError, ValueError, ArithmeticError, RecursionError):
        return None


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
        if var not in values:
            values[var] = sympy.Float(0, DIGITS)
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


def _unknowns(*exprs) -> list:
    """The real variables of ``exprs``: symbols standing for themselves and indexed entries, in a fixed order."""
    found = set()
    for e in exprs:
        found |= {a for a in plain_symbols(e) & e.free_symbols if not a.is_integer} | e.atoms(Indexed)
    return sorted(found, key=str)


def _plain(expr) -> bool:
    """Whether ``expr`` has only real variables: no index, count or sum to instantiate first."""
    return not any(a.is_integer for a in expr.free_symbols) and not expr.has(sympy.Sum)


def _candidates(material, unknowns):
    """Points to try, seeded by what is checked: spread over (-3, 3), then nearer 0 and further out."""
    rng = random.Random(seed_of(*material))
    for n in range(CANDIDATES):
        spread = (3, 1, 0.25, 10)[n % 4]
        yield {v: sympy.Float(rng.uniform(-spread, spread), DIGITS) if not v.is_positive
               else sympy.Float(rng.uniform(0.05, spread), DIGITS) for v in unknowns}


def check_step(before, after, definitions) -> Verification | None:
    """``before = after`` at points where 50-digit numbers can evaluate both sides; None when that cannot decide."""
    a = expand_definitions(before, definitions)
    b = expand_definitions(after, definitions)
    if not (_plain(a) and _plain(b)):
        return None
    a, b = a.doit(deep=True), b.doit(deep=True)        # the derivatives left in a step, by sympy.diff
    deadline = time.perf_counter() + MAX_SECONDS
    compared = 0
    for point in _candidates((a, b), _unknowns(a, b)):
        if compared >= POINTS or time.perf_counter() > deadline:
            break
        x, y = _value(a, point), _value(b, point)
        if x is None or y is None:
            continue
        if abs(x - y) > TOLERANCE * max(sympy.Integer(1), abs(x)):
            return Verification(False, "numeric", f"in {DIGITS}-digit arithmetic the sides differ: {x} vs {y}")
        compared += 1
    if compared < 3:
        return None
    return Verification(True, "precise", f"{compared} points in {DIGITS}-digit arithmetic (double precision "
                        "overflows or cannot be trusted here)", points=compared)


def points_for(expr, derivative, definitions) -> tuple:
    """(indices, point) pairs where 50-digit numbers can evaluate ``expr`` and ``derivative``, for :func:`recheck`."""
    f = expand_definitions(expr, definitions)
    g = expand_definitions(derivative, definitions)
    if not (_plain(f) and _plain(g)):
        return ()
    unknowns = _unknowns(f, g)
    found, deadline = [], time.perf_counter() + MAX_SECONDS
    for point in _candidates((f, g), unknowns):
        if len(found) >= POINTS or time.perf_counter() > deadline:
            break
        if _value(f, point) is not None and _value(g, point) is not None:
            found.append(({}, {(v.base, tuple(int(i) for i in v.indices)) if isinstance(v, Indexed) else v: value
                               for v, value in point.items()}))
    return tuple(found)


__all__ = ["recheck", "check_step", "points_for", "PreciseCheck", "DIGITS"]
