"""Exact evaluation of a loss for a given, shared by the family modules.

A loss is written once as a SymPy expression in symbolic K, y_i and Delta;
here it is instantiated for a sheet's given (K, label, Delta, scores) and
evaluated exactly, its gradient taken by ``sympy.diff`` with the derivations'
kink convention 1[u > 0] = 0 at u = 0.
"""
from __future__ import annotations

import sympy
from sympy import Heaviside, ImmutableMatrix

from ...engine.evaluate import concrete
from ...engine.notation import Delta, K, s, y
from ..registry import Given

# --- exact evaluation of a loss for a given ---------------------------------------------


def scores_map(given: Given, scale=1):
    return {s[i]: sympy.Rational(scale) * v for i, v in enumerate(given.scores)}


def for_given(expr, given: Given):
    """``expr`` with the given's K, y_i and Delta put in and its sums written out (scores left symbolic)."""
    env = {K: len(given.scores)}
    if given.label is not None:
        env[y] = given.label
    return concrete(expr, env).xreplace({Delta: given.delta})


def instance(expr, given: Given, scale=1):
    """``expr`` for the given: K, y_i, Delta and the (scaled) scores put in, sums written out."""
    return for_given(expr, given).xreplace(scores_map(given, scale))


def subgradient(expr):
    """SymPy's Heaviside(u) (1/2 on the kink) as the derivations' 1[u > 0] (0 on the kink)."""
    return expr.replace(lambda e: isinstance(e, Heaviside), lambda e: Heaviside(e.args[0], 0))


def gradient(loss_expr, given: Given, scale=1):
    """The exact gradient of a loss with respect to the (unscaled) scores, as a column vector."""
    concrete_loss = for_given(loss_expr, given)
    unscaled = {s[i]: sympy.Rational(scale) * s[i] for i in range(len(given.scores))}
    concrete_loss = concrete_loss.xreplace(unscaled)
    values = {s[i]: v for i, v in enumerate(given.scores)}
    entries = [subgradient(sympy.diff(concrete_loss, s[i])).xreplace(values) for i in range(len(given.scores))]
    return ImmutableMatrix([sympy.nsimplify(e) if e.is_Float else e for e in entries])


def exact_matrix(value):
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (list, tuple)):
            return ImmutableMatrix(value)
        return ImmutableMatrix(list(value))
    if isinstance(value, sympy.MatrixBase):
        return ImmutableMatrix(value) if value.cols == 1 or value.rows > 1 else ImmutableMatrix(list(value))
    return value
