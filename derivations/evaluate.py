"""Fast float evaluation of an instantiated SymPy expression at a point.

Verification evaluates the same few expressions at many points; walking the
tree with ``math`` is far cheaper than ``subs``/``evalf`` or building a
``lambdify`` for each. Only the functions losses use are known; anything else
raises :class:`NotEvaluable`, which makes the check fail rather than pass.

The indicator convention is the one the derivations state: ``Heaviside(u, h0)``
is 1 for u > 0, 0 for u < 0 and ``h0`` on the kink (SymPy's ``Heaviside(u)``
without ``h0`` is 1/2 there). ``DiracDelta(u)`` is 0 off the kink.
"""
from __future__ import annotations

import math

import sympy
from sympy import (Abs, Add, DiracDelta, Heaviside, Indexed, KroneckerDelta, Max, Min, Mul, Number,
                   NumberSymbol, Piecewise, Pow, Symbol, exp, log)
from sympy.core.relational import Relational


class NotEvaluable(ValueError):
    """The expression holds something the evaluator does not know (e.g. an unevaluated derivative)."""


def evaluate(expr, point: dict) -> float:
    """The float value of ``expr`` with every free symbol / indexed score looked up in ``point``."""
    return _eval(expr, point)


def _eval(e, point):
    if isinstance(e, Number):
        return float(e)
    if isinstance(e, (Symbol, Indexed)):
        try:
            return point[e]
        except KeyError:
            raise NotEvaluable(f"no value for {e}") from None
    if isinstance(e, Add):
        return math.fsum(_eval(a, point) for a in e.args)
    if isinstance(e, Mul):
        result = 1.0
        for a in e.args:
            result *= _eval(a, point)
        return result
    if isinstance(e, Pow):
        base, exponent = _eval(e.args[0], point), _eval(e.args[1], point)
        return base ** exponent
    if isinstance(e, exp):
        return math.exp(_eval(e.args[0], point))
    if isinstance(e, log):
        return math.log(_eval(e.args[0], point))
    if isinstance(e, Max):
        return max(_eval(a, point) for a in e.args)
    if isinstance(e, Min):
        return min(_eval(a, point) for a in e.args)
    if isinstance(e, Heaviside):
        u = _eval(e.args[0], point)
        if u > 0:
            return 1.0
        if u < 0:
            return 0.0
        return float(e.args[1]) if len(e.args) > 1 else 0.5
    if isinstance(e, DiracDelta):
        if _eval(e.args[0], point) != 0:
            return 0.0
        raise NotEvaluable("DiracDelta on its kink")
    if isinstance(e, KroneckerDelta):
        return 1.0 if _eval(e.args[0], point) == _eval(e.args[1], point) else 0.0
    if isinstance(e, Abs):
        return abs(_eval(e.args[0], point))
    if isinstance(e, Piecewise):
        for value, condition in e.args:
            if condition is sympy.true or (isinstance(condition, Relational) and _holds(condition, point)):
                return _eval(value, point)
        raise NotEvaluable("no branch of a Piecewise applies")
    if isinstance(e, NumberSymbol):
        return float(e)
    raise NotEvaluable(f"cannot evaluate {type(e).__name__}")


def _holds(relation, point) -> bool:
    lhs, rhs = _eval(relation.lhs, point), _eval(relation.rhs, point)
    return {"<": lhs < rhs, "<=": lhs <= rhs, ">": lhs > rhs, ">=": lhs >= rhs,
            "==": lhs == rhs, "!=": lhs != rhs}[relation.rel_op]
