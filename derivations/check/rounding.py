"""Answers that follow from rounded intermediates: which roundings there are, and which a course accepts.

A student who computes the softmax loss usually writes the probabilities
down first (p = [0.268, 0.005, 0.727]) and takes -ln 0.268 = 1.317, not the
exact 1.318. A :class:`Route` names such intermediates (the probabilities p,
the exponentials e^{s_j}), their exact values and how the quantity follows
from them; :func:`roundings` lists what each rounding of them gives (to 1..6
significant figures, and to 1..6 decimals), computed once per reference.

Whether a rounding is accepted is the policy's call (:mod:`.precision`):
every intermediate that matters keeps at least ``intermediate_figures``
significant figures, and what it gives still agrees with the exact value to
that many figures (p_y = 0.999 for a loss of 0.000918 does not). A coarser
rounding is never accepted; it is only named, so the student learns why
1.20 (from p = 0.3) is not 1.318.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from .precision import decimal_of, leading_place, round_at

MAX_FIGURES = 6


@dataclass(frozen=True, eq=False)
class Route:
    """Intermediates a student may round before going on."""

    name: object                                # how the feedback names them, in the class j: p_j, e^{s_j}
    values: tuple                               # their exact values, as floats
    recompute: Callable                         # tuple of floats -> float, or tuple of floats (a vector)
    used: tuple = ()                            # the entries the result depends on (all when empty)


@dataclass(frozen=True)
class Rounded:
    """What one rounding of a route's intermediates gives."""

    figures: int            # significant figures kept by the coarsest intermediate that matters
    how: object             # "p_j rounded to 3 decimals ([0.268, 0.005, 0.727])", words and maths (a Paragraph)
    value: object           # float, or tuple of floats


def _kept(original: float, rounded: Decimal) -> int:
    """Significant figures a rounding kept of ``original`` (0.26762 -> 0.268 keeps 3; -> 0.3 keeps 1)."""
    if rounded == 0:
        return 0
    return leading_place(original) - rounded.as_tuple().exponent + 1


def _how(route: Route, used, words: str, rounded):
    """"p_0 rounded to 2 significant figures (0.27)", "p_j rounded to 3 decimals ([0.268, 0.005, 0.727])"."""
    import sympy

    from ..engine.notation import j
    from .feedback import decimal, inline
    from .feedback import words as said
    if len(used) == 1:
        return said(route.name.xreplace({j: sympy.Integer(used[0])}), f" rounded {words} (",
                    decimal(format(rounded[used[0]], "f")), ")")
    row = sympy.ImmutableMatrix([[decimal(format(r, "f"), True) for r in rounded]])
    return said(route.name, f" rounded {words}", *inline(row))


def roundings(route: Route) -> list[Rounded]:
    """What rounding the route's intermediates to 1..6 figures, or to 1..6 decimals, gives (each once)."""
    cached = getattr(route, "_roundings", None)
    if cached is not None:
        return cached
    used = route.used or tuple(range(len(route.values)))
    seen, found = set(), []
    ways = [(f"to {n} significant figure{'s' if n > 1 else ''}", n, None) for n in range(1, MAX_FIGURES + 1)]
    ways += [(f"to {d} decimal{'s' if d > 1 else ''}", None, d) for d in range(1, MAX_FIGURES + 1)]
    for words, figures, decimals in ways:
        rounded = []
        for v in route.values:
            if v == 0 or not math.isfinite(v):
                rounded.append(decimal_of(v))
            elif figures is not None:
                rounded.append(round_at(v, leading_place(v) - figures + 1))
            else:
                rounded.append(round_at(v, -decimals))
        key = tuple(rounded)
        if key in seen or all(decimal_of(v) == r for v, r in zip(route.values, rounded)):
            continue
        seen.add(key)
        kept = min(_kept(route.values[i], rounded[i]) if route.values[i] != 0 else MAX_FIGURES for i in used)
        try:
            value = route.recompute(tuple(float(r) for r in rounded))
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        found.append(Rounded(kept, _how(route, used, words, rounded), value))
    object.__setattr__(route, "_roundings", found)
    return found
