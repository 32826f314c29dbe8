"""Exact evaluation of a loss for a given, shared by the family modules.

A loss is written once as a SymPy expression in symbolic K, y_i and Delta;
here it is instantiated for a sheet's given (K, label, Delta, scores) and
evaluated exactly, its gradient taken by ``sympy.diff`` with the derivations'
kink convention 1[u > 0] = 0 at u = 0.

A piecewise-linear loss (the SVM's sums of max(0, u) and its mistaken
variants) is evaluated by choosing, at the given's scores, the branch each
max takes (max(0, u) is u where u > 0, else 0: on the kink the 0 branch, the
convention 1[u > 0] = 0), which leaves an affine expression: its value is
the loss and its coefficients the gradient. That is exact and linear in the
number of classes, where SymPy's Max and diff are not.
"""
from __future__ import annotations

from functools import lru_cache

import sympy
from sympy import Heaviside, ImmutableMatrix, Max

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


def active_branches(expr, values: dict):
    """``expr`` with each max(...) replaced by the argument that is largest at ``values`` (the first on a tie,
    which for max(0, u) at u = 0 is the 0 branch)."""
    def pick(e):
        if not isinstance(e, Max) or not e.args:
            return e
        arguments = list(e.args)
        if arguments[0] != 0 and any(a == 0 for a in arguments):           # SymPy may sort 0 last
            arguments.sort(key=lambda a: a != 0)
        best, best_value = arguments[0], arguments[0].xreplace(values)
        for a in arguments[1:]:
            value = a.xreplace(values)
            if value > best_value:
                best, best_value = a, value
        return best

    return _bottom_up(expr, pick)


def _bottom_up(e, pick):
    if not e.args or isinstance(e, sympy.Indexed):
        return e
    args = [_bottom_up(a, pick) for a in e.args]
    if isinstance(e, Max):
        return pick(Max(*args, evaluate=False))
    if all(a is b for a, b in zip(args, e.args)):
        return e
    return e.func(*args)


@lru_cache(maxsize=1024)
def piecewise_linear(expr, given: Given):
    """(exact value, exact gradient) of a piecewise-linear loss for the given (see the module's docstring).

    Delta is put in with the scores, after the branches are chosen, so that no max is ever rebuilt with
    numbers in it (SymPy's Max compares its arguments, which is slow)."""
    env = {K: len(given.scores)}
    if given.label is not None:
        env[y] = given.label
    concrete_loss = concrete(expr, env)
    values = {**scores_map(given), Delta: given.delta}
    affine = sympy.expand(active_branches(concrete_loss, values))
    coefficients = {i: sympy.Integer(0) for i in range(len(given.scores))}
    for term in sympy.Add.make_args(affine):
        coefficient, rest = term.as_coeff_Mul()
        if isinstance(rest, sympy.Indexed) and rest.base == s:
            coefficients[int(rest.indices[0])] += coefficient
        elif rest.free_symbols - {Delta}:
            raise ValueError(f"not piecewise linear in the scores: {term}")
    return affine.xreplace(values), ImmutableMatrix([coefficients[i] for i in range(len(given.scores))])


def exact_matrix(value):
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (list, tuple)):
            return ImmutableMatrix(value)
        return ImmutableMatrix(list(value))
    if isinstance(value, sympy.MatrixBase):
        return ImmutableMatrix(value) if value.cols == 1 or value.rows > 1 else ImmutableMatrix(list(value))
    return value
