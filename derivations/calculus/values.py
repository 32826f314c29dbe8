"""Values at a point, computed node by node with bounded work: exact while small, 30 digits otherwise.

``derive backprop`` shows every value of the forward and backward passes. SymPy would compute
``10^(10^10)`` exactly (ten billion digits) the moment the values of ``x^x^x`` at x = 10 are put
in, and ``exp(exp(exp(10)))`` has some 10^9565 digits before its decimal point: neither ends. So an
expression is evaluated here from its leaves up, each node from the values of its arguments:

* a rational value stays exact while its numerator and denominator have at most
  :data:`MAX_EXACT_DIGITS` digits, else it becomes a :data:`DIGITS`-digit float;
* a power whose exact value would be longer is computed as a float; one whose size can be seen to
  exceed double precision (about 1.8e308) is not computed at all;
* a value beyond double precision raises :class:`Overflow` naming the node and the value's order of
  magnitude (every result of the report is also written as a float64); a nonzero value below double
  precision's smallest (about 2.2e-308) is taken as 0, as float64 would, and recorded in ``underflows``.

A value that is not a real number (log of a negative number, 1/0) is None.
"""
from __future__ import annotations

import math
import sys

import mpmath
import sympy

from ..engine.functions import DEFINITIONS
from ..engine.verify import expand_definitions

#: digits of a value that is not exact
DIGITS = 30

#: digits of the numerator or denominator of an exact value, at most
MAX_EXACT_DIGITS = 60

#: the largest magnitude of a value (float64's largest)
MAX_MAGNITUDE = sys.float_info.max

#: the smallest nonzero magnitude kept (float64's smallest normal number)
MIN_MAGNITUDE = sys.float_info.min

_LOG10_MAX = math.log10(MAX_MAGNITUDE)


class Overflow(ArithmeticError):
    """A value beyond double precision: ``node`` is the part of the expression, ``exponent`` its order of magnitude
    (the value is about 10^exponent)."""

    def __init__(self, node, exponent: float):
        self.node, self.exponent = node, exponent
        super().__init__(f"{node} is about 10^{exponent:.0f}, beyond double precision")


def magnitude_text(exponent: float) -> str:
    """``10^9565``, ``10^(1.0e10)``: an order of magnitude for a message."""
    return f"10^{exponent:.0f}" if exponent < 1e15 else f"10^({exponent:.1e})"


class Evaluation:
    """Evaluates expressions at one point; remembers the nodes whose values underflowed to 0.

    ``digits`` and ``max_exponent`` (values up to 10^max_exponent in magnitude, down to 10^-max_exponent)
    default to those of a report's values; :mod:`.precise` checks with 50 digits and much larger values.
    """

    def __init__(self, digits: int = DIGITS, max_exponent: float = _LOG10_MAX):
        self.underflows: list = []
        self.digits, self.max_exponent = digits, max_exponent

    def value(self, expr, values: dict):
        """``expr`` at ``values`` (symbol or entry -> number): a SymPy Rational or Float, or None where it is not
        a real number; :class:`Overflow` beyond double precision."""
        expr = expand_definitions(expr, DEFINITIONS)
        memo: dict = {}
        stack = [(expr, False)]
        while stack:
            node, ready = stack.pop()
            if node in memo:
                continue
            if node in values:
                memo[node] = self._bounded(node, values[node])
                continue
            if not node.args or isinstance(node, (sympy.Indexed, sympy.Symbol)):
                memo[node] = self._atom(node)
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((arg, False) for arg in node.args)
                continue
            arguments = [memo[arg] for arg in node.args]
            memo[node] = None if any(a is None for a in arguments) else self._node(node, arguments)
        return memo[expr]

    def _atom(self, node):
        if node.is_Number:
            return self._bounded(node, node)
        if isinstance(node, sympy.NumberSymbol):
            return sympy.Float(node.evalf(self.digits), self.digits)
        return None                            # a symbol without a value: not a number here

    def _node(self, node, arguments):
        if isinstance(node, sympy.Pow):
            return self._power(node, *arguments)
        if isinstance(node, sympy.exp):
            (u,) = arguments
            if u > self.max_exponent * math.log(10):      # beyond the largest value: not computed
                raise Overflow(node, float(u) / math.log(10))
            if u < -(self.max_exponent + 16) * math.log(10):
                return self._underflow(node)
        try:
            result = node.func(*arguments)
            if not result.is_Number:
                result = result.evalf(self.digits)
        except (TypeError, ValueError, ArithmeticError, RecursionError):
            return None
        return self._bounded(node, result)

    def _power(self, node, base, exponent):
        if base.is_zero and exponent.is_negative:
            return None
        if base.is_zero or exponent.is_zero:
            return self._bounded(node, sympy.Pow(base, exponent))
        size = float(exponent) * _log10(base)
        if size > self.max_exponent:
            raise Overflow(node, size)
        if size < -self.max_exponent - 16:
            return self._underflow(node)
        if base.is_Rational and exponent.is_Integer:
            digits = abs(int(exponent)) * math.log10(max(abs(base.p), base.q) + 1)
            if digits <= MAX_EXACT_DIGITS:
                return self._bounded(node, sympy.Pow(base, exponent))
        result = sympy.Pow(sympy.Float(base, self.digits), exponent)
        if not result.is_Number:
            result = result.evalf(self.digits)
        return self._bounded(node, result)

    def _underflow(self, node):
        self.underflows.append(node)
        return sympy.Integer(0)

    def _bounded(self, node, result):
        """``result`` as a value: exact if short, else a float; None if not a finite real number."""
        if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or not result.is_Number:
            return None
        if result.is_real is not True:
            return None
        if result.is_Rational:
            if max(abs(result.p), result.q) < 10 ** MAX_EXACT_DIGITS:
                return self._checked(node, result)
            result = sympy.Float(result, self.digits)
        return self._checked(node, result)

    def _checked(self, node, result):
        if result.is_zero:
            return result
        size = _log10(result)
        if size > self.max_exponent:
            raise Overflow(node, size)
        if size < -self.max_exponent:
            return self._underflow(node)
        return result


def _log10(value) -> float:
    """log10 |value| of a nonzero number, however large or small (a SymPy Float may exceed a float's range)."""
    if value.is_Rational:
        return math.log10(abs(value.p)) - math.log10(value.q)
    mantissa, exponent = mpmath.frexp(abs(value._to_mpmath(64)))
    return float(mpmath.log10(mantissa)) + float(exponent) * math.log10(2)


def product(a, b, node=None):
    """``a b`` with the bounds of :class:`Evaluation` (exact while short)."""
    return Evaluation()._bounded(node if node is not None else sympy.Symbol("product"), a * b)


def total(a, b, node=None):
    """``a + b`` with the bounds of :class:`Evaluation`."""
    return Evaluation()._bounded(node if node is not None else sympy.Symbol("sum"), a + b)


__all__ = ["Evaluation", "Overflow", "magnitude_text", "product", "total", "DIGITS", "MAX_EXACT_DIGITS"]
