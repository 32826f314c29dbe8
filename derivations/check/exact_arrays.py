"""The matrix forms of a batch evaluated exactly, from the decimals a sheet gives.

A sheet's batch (X, W, reg, Delta) is written in short decimals (0.1, -0.75). The numbers a student
computes by hand from them, S = X W, the margins, dW for the SVM, are rationals that end after a few
digits, so an answer 0.8 must be compared with 4/5, not with the float 0.8000000000000000444 a NumPy
evaluation gives. Here the verified matrix forms of :mod:`derivations.losses.batch` and
:mod:`derivations.losses.logistic_batch` (dW = X^T (B - Y ∘ (B 1 1^T)) / N + 2 λ W, ...) are evaluated
node by node, like :class:`derivations.engine.arrays.ArrayEvaluator` does with floats, on NumPy object
arrays whose entries are exact:

* ``fractions.Fraction`` wherever the arithmetic is rational (+, -, x, /, max(0, u), 1[u > 0]): the
  whole SVM, the scores, the penalty;
* ``mpmath.mpf`` at :data:`DIGITS` significant digits after an exp or a log (softmax, logsumexp,
  sigmoid, softplus), which a short decimal can only equal when the value is rational anyway
  (p = 1/2 when two scores are equal): :func:`as_sympy` marks such values as known to that many digits,
  and the judge treats an answer within :data:`EXACT_WITHIN` of them as equal.

Only the node types the forms use are evaluated; anything else raises ``ValueError``.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import sympy
from sympy import MatAdd, MatMul, MatrixSymbol, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct

#: digits carried after an exp or a log; a value is "exactly" an answer within 10^-40 relative of it
DIGITS = 50
EXACT_WITHIN = mpmath.mpf(10) ** -40


def fraction(value) -> Fraction:
    """An exact SymPy rational (or int, or Fraction) as a Fraction."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    rational = sympy.Rational(value)
    return Fraction(int(rational.p), int(rational.q))


def exact_array(rows) -> np.ndarray:
    """A 2-D object array of Fractions from rows (or a flat list, as one column) of exact numbers."""
    if rows and not isinstance(rows[0], (list, tuple)):
        rows = [[v] for v in rows]
    array = np.empty((len(rows), len(rows[0])), dtype=object)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            array[r, c] = fraction(v)
    return array


def one_hot(labels, classes) -> np.ndarray:
    array = np.zeros((len(labels), classes), dtype=object)
    array[:] = 0
    for n, label in enumerate(labels):
        array[n, label] = 1
    return array


def _ones(n, m) -> np.ndarray:
    array = np.empty((n, m), dtype=object)
    array[:] = 1
    return array


def _mpf(v):
    return mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else mpmath.mpf(v)


class ExactEvaluator:
    """Values of the matrix forms for exact arrays: ``arrays`` maps X, W, Y (or w, t) to object arrays,
    ``scalars`` maps N, D, K, lambda, Delta to exact numbers, ``named`` the named matrices' definitions."""

    def __init__(self, arrays: dict, scalars: dict, named=()):
        self.arrays = dict(arrays)
        self.scalars = {sympy.sympify(k): sympy.Rational(fraction(v).numerator, fraction(v).denominator)
                        for k, v in scalars.items()}
        self.definitions = dict(named)
        self.cache: dict = {}

    def value(self, expr):
        """The value of ``expr``: an object array, or a scalar for a 1 x 1 matrix."""
        with mpmath.workdps(DIGITS):
            found = self._node(expr)
        if isinstance(found, np.ndarray) and found.shape == (1, 1):
            return found[0, 0]
        return found

    def scalar(self, expr):
        value = sympy.sympify(expr).xreplace(self.scalars)
        if value.free_symbols or not value.is_Rational:
            raise ValueError(f"no exact value for {expr}")
        return Fraction(int(value.p), int(value.q))

    def _node(self, expr):
        if isinstance(expr, MatrixSymbol):
            if expr in self.cache:
                return self.cache[expr]
            if expr in self.arrays:
                return self.arrays[expr]
            if expr in self.definitions:
                found = self.cache[expr] = self._node(self.definitions[expr])
                return found
            raise ValueError(f"no value for the matrix {expr}")
        name = type(expr).__name__
        if name == "Ones":
            return _ones(int(self.scalar(expr.args[0])), 1)
        if isinstance(expr, Transpose):
            return self._node(expr.arg).T
        if isinstance(expr, MatMul):
            coefficient, matrices = expr.as_coeff_matrices()
            total = self._node(matrices[0])
            for m in matrices[1:]:
                total = total.dot(self._node(m))
            scale = self.scalar(coefficient)
            return total if scale == 1 else total * scale
        if isinstance(expr, MatAdd):
            terms = [self._node(a) for a in expr.args]
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            return total
        if isinstance(expr, HadamardProduct):
            terms = [self._node(a) for a in expr.args]
            total = terms[0]
            for term in terms[1:]:
                total = total * term
            return total
        if isinstance(expr, HadamardPower):
            exponent = int(self.scalar(expr.exp))
            return self._node(expr.base) ** exponent
        inner = self._node(expr.args[0])
        if name == "Hinge":
            return _map(inner, lambda u: u if u > 0 else 0)
        if name == "Positive":
            return _map(inner, lambda u: 1 if u > 0 else 0)
        if name == "RowSoftmax":
            return _rows(inner, _softmax_row)
        if name == "RowLogSumExp":
            out = np.empty((inner.shape[0], 1), dtype=object)
            for n in range(inner.shape[0]):
                out[n, 0] = _logsumexp(inner[n])
            return out
        if name == "Logistic":
            return _map(inner, lambda u: 1 / (1 + mpmath.exp(-_mpf(u))))
        if name == "Softplus":
            return _map(inner, lambda u: _softplus(_mpf(u)))
        raise ValueError(f"cannot evaluate {name} exactly")


def _map(array, fn) -> np.ndarray:
    out = np.empty(array.shape, dtype=object)
    for index, v in np.ndenumerate(array):
        out[index] = fn(v)
    return out


def _rows(array, fn) -> np.ndarray:
    out = np.empty(array.shape, dtype=object)
    for n in range(array.shape[0]):
        out[n] = fn(array[n])
    return out


def _softmax_row(row):
    top = max(row)
    exponentials = [mpmath.exp(_mpf(v - top)) for v in row]
    total = mpmath.fsum(exponentials)
    if all(v == row[0] for v in row):
        return [Fraction(1, len(row))] * len(row)          # equal scores: 1/K exactly
    return [e / total for e in exponentials]


def _logsumexp(row):
    top = max(row)
    return _mpf(top) + mpmath.log(mpmath.fsum(mpmath.exp(_mpf(v - top)) for v in row))


def _softplus(u):
    return u + mpmath.log(1 + mpmath.exp(-u)) if u > 0 else mpmath.log(1 + mpmath.exp(u))


def as_sympy(value):
    """An exact entry as SymPy: a Fraction as a Rational, an mpf as a Float carrying its :data:`DIGITS`."""
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, mpmath.mpf):
        return sympy.Float(value, DIGITS)
    raise TypeError(f"not an exact entry: {value!r}")


def as_matrix(array) -> sympy.ImmutableMatrix:
    """An object array (or a scalar) as a SymPy matrix of exact entries (one row for a vector)."""
    array = np.atleast_2d(np.asarray(array, dtype=object))
    return sympy.ImmutableMatrix(array.shape[0], array.shape[1], [as_sympy(v) for v in array.flat])


def is_known_to_digits(value) -> bool:
    """Whether ``value`` is a Float of :func:`as_sympy` (known to :data:`DIGITS` digits), not a rounded float."""
    return isinstance(value, sympy.Float) and value._prec >= 150


def equal_to_digits(exact, value) -> bool:
    """Whether the exact rational ``exact`` equals ``value`` (known to DIGITS digits) within EXACT_WITHIN."""
    with mpmath.workdps(DIGITS):
        a = mpmath.mpf(int(exact.p)) / int(exact.q)
        b = mpmath.mpf(value._mpf_)
        return abs(a - b) <= EXACT_WITHIN * max(1, abs(b))


__all__ = ["ExactEvaluator", "exact_array", "one_hot", "as_matrix", "as_sympy", "fraction", "is_known_to_digits",
           "equal_to_digits", "DIGITS"]
