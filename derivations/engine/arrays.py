"""Evaluating matrix expressions with NumPy: the numbers of a batch at the sizes of real courses.

The verified matrix forms of :mod:`derivations.losses.batch` (dW = X^T (P - Y) / N + 2 lambda W, ...)
are evaluated node by node, one NumPy operation per node of the expression:
nothing is written out entry by entry, and no intermediate is larger than its
node's own shape (an N x K product for Y ∘ (B 1_K 1_K^T), a D x K one for X^T M):

* a named matrix (S, M, B, P) is evaluated once from its definition and kept;
* ``A 1_K`` is ``A.sum(axis=1)``, ``1_N^T A`` is ``A.sum(axis=0)``, a column times ``1_K^T``
  is a broadcast view (no copy), ``1_N 1_K^T`` a broadcast 1;
* ``softmax`` and ``logsumexp`` of rows subtract each row's maximum first, so
  e^{S} never overflows (the same numbers, in floating point that holds them);
* scalars (1/N, lambda, Delta) are put in from ``scalars``.

Anything else raises :class:`NotEvaluable`.
"""
from __future__ import annotations

import numpy as np
import sympy
from sympy import MatAdd, MatMul, MatrixSymbol, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct

from .evaluate import NotEvaluable
from .matrices import Hinge, Ones, Positive, RowLogSumExp, RowSoftmax


class _OnesColumn:
    """1_n, not materialised."""

    def __init__(self, n):
        self.n = n


class _OnesRow:
    """1_n^T, not materialised."""

    def __init__(self, n):
        self.n = n


class ArrayEvaluator:
    """Values of matrix expressions for given arrays and scalars.

    ``arrays`` maps the given matrices (X, W, Y) to NumPy arrays; ``named`` holds
    (MatrixSymbol, definition) pairs evaluated on first use; ``scalars`` maps
    N, D, K, lambda, Delta to numbers. ``overrides`` replaces a named matrix by
    a given array (finite differences put in perturbed scores).
    """

    def __init__(self, arrays: dict, scalars: dict, named=(), overrides: dict | None = None):
        self.arrays = dict(arrays)
        self.scalars = {sympy.sympify(k): sympy.sympify(v) for k, v in scalars.items()}
        self._scalar_values: dict = {}
        self.definitions = dict(named)
        self.cache: dict = dict(overrides or {})

    def value(self, expr):
        """The value of ``expr``: an array, or a float for a scalar or a 1 x 1 matrix."""
        found = self._matrix(expr) if isinstance(expr, sympy.MatrixExpr) else self.scalar(expr)
        found = self._materialise(found)
        if isinstance(found, np.ndarray) and found.shape == (1, 1):
            return float(found[0, 0])
        return found

    def scalar(self, expr) -> float:
        found = self._scalar_values.get(expr)
        if found is None:
            value = sympy.sympify(expr).xreplace(self.scalars)
            if value.free_symbols:
                raise NotEvaluable(f"no value for {', '.join(sorted(map(str, value.free_symbols)))}")
            found = self._scalar_values[expr] = float(value)
        return found

    def _size(self, n) -> int:
        return int(self.scalar(n))

    # --- nodes ----------------------------------------------------------------------------------

    def _matrix(self, expr):
        if isinstance(expr, MatrixSymbol):
            return self._symbol(expr)
        if isinstance(expr, Ones):
            return _OnesColumn(self._size(expr.args[0]))
        if isinstance(expr, Transpose):
            inner = self._matrix(expr.arg)
            if isinstance(inner, _OnesColumn):
                return _OnesRow(inner.n)
            if isinstance(inner, _OnesRow):
                return _OnesColumn(inner.n)
            return inner.T
        if isinstance(expr, MatMul):
            return self._product(expr)
        if isinstance(expr, MatAdd):
            terms = [self._materialise(self._matrix(t)) for t in expr.args]
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            return total
        if isinstance(expr, HadamardProduct):
            factors = [self._materialise(self._matrix(f)) for f in expr.args]
            total = factors[0]
            for factor in factors[1:]:
                total = total * factor
            return total
        if isinstance(expr, HadamardPower):
            return self._materialise(self._matrix(expr.base)) ** self.scalar(expr.exp)
        if isinstance(expr, Hinge):
            return np.maximum(0.0, self._materialise(self._matrix(expr.matrix)))
        if isinstance(expr, Positive):
            return (self._materialise(self._matrix(expr.matrix)) > 0).astype(float)
        if isinstance(expr, RowSoftmax):
            scores = self._materialise(self._matrix(expr.matrix))
            shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
            return shifted / shifted.sum(axis=1, keepdims=True)
        if isinstance(expr, RowLogSumExp):
            scores = self._materialise(self._matrix(expr.matrix))
            top = scores.max(axis=1, keepdims=True)
            return top + np.log(np.exp(scores - top).sum(axis=1, keepdims=True))
        raise NotEvaluable(f"cannot evaluate {type(expr).__name__} with NumPy")

    def _symbol(self, symbol):
        if symbol in self.cache:
            return self.cache[symbol]
        if symbol in self.arrays:
            return self.arrays[symbol]
        if symbol in self.definitions:
            found = self._materialise(self._matrix(self.definitions[symbol]))
            self.cache[symbol] = found
            return found
        raise NotEvaluable(f"no value for the matrix {symbol}")

    def _product(self, expr):
        coefficient, matrices = expr.as_coeff_matrices()
        factor = self.scalar(coefficient)
        operands = [self._matrix(m) for m in matrices]
        total = operands[0]
        for operand in operands[1:]:
            total = _multiply(total, operand)
        if factor == 1:
            return total
        return factor * self._materialise(total)

    @staticmethod
    def _materialise(value):
        if isinstance(value, _OnesColumn):
            return np.ones((value.n, 1))
        if isinstance(value, _OnesRow):
            return np.ones((1, value.n))
        return value


def _multiply(a, b):
    """a b, with the columns and rows of ones summed or broadcast instead of multiplied."""
    if isinstance(b, _OnesColumn):
        if isinstance(a, _OnesRow):
            return np.full((1, 1), float(a.n))
        return a.sum(axis=1, keepdims=True)                  # A 1_K: the row sums
    if isinstance(a, _OnesRow):
        return b.sum(axis=0, keepdims=True)                  # 1_N^T A: the column sums
    if isinstance(b, _OnesRow):
        column = np.ones((a.n, 1)) if isinstance(a, _OnesColumn) else a
        if column.shape[1] != 1:
            raise NotEvaluable("a product with a row of ones needs a column on its left")
        return np.broadcast_to(column, (column.shape[0], b.n))   # v 1_K^T: v in every column, no copy
    if isinstance(a, _OnesColumn):
        if b.shape[0] != 1:
            raise NotEvaluable("a product with a column of ones needs a row on its right")
        return np.broadcast_to(b, (a.n, b.shape[1]))
    return a @ b


__all__ = ["ArrayEvaluator", "NotEvaluable"]
