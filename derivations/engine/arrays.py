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
  sigma(Z) and softplus(Z) (logistic regression) are written with ``logaddexp``, for the same reason;
* scalars (1/N, lambda, Delta) are put in from ``scalars``.

Anything else raises :class:`NotEvaluable`.
"""
from __future__ import annotations

import numpy as np
import sympy
from sympy import MatAdd, MatMul, MatrixSymbol, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct

from .evaluate import NotEvaluable
from .matrices import Defined, Hinge, Ones, Positive, RowLogSumExp, RowSoftmax, _Elementwise
from .matrix_functions import Logistic, Softplus


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
        self.fixed: dict = {}          # values of nodes that depend on none of the moved matrices (see moved())
        self.moving: frozenset = frozenset()
        self._depends: dict = {}

    def moved(self, arrays: dict, overrides: dict) -> "ArrayEvaluator":
        """The same evaluator with some given matrices and named ones replaced: for finite differences.

        Named matrices are recomputed unless overridden; a node that depends on none of the replaced
        matrices (1_N 1_K^T - Y, say) is evaluated once and shared by every moved evaluator.
        """
        other = ArrayEvaluator.__new__(ArrayEvaluator)
        other.arrays = {**self.arrays, **arrays}
        other.scalars = self.scalars
        other._scalar_values = self._scalar_values
        other.definitions = self.definitions
        other.cache = dict(overrides)
        other.fixed = self.fixed
        other._depends = self._depends
        other.moving = frozenset(arrays) | frozenset(overrides)
        return other

    def _depends_on(self, expr) -> frozenset:
        """The given and named matrices ``expr`` reads, through the definitions of the named ones."""
        found = self._depends.get(expr)
        if found is None:
            symbols = set(expr.atoms(MatrixSymbol)) if isinstance(expr, sympy.Basic) else set()
            for symbol in list(symbols):
                if symbol in self.definitions:
                    symbols |= self._depends_on(self.definitions[symbol])
            found = self._depends[expr] = frozenset(symbols)
        return found

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
        return self._visit(expr, _plan(expr))

    def _visit(self, expr, fn):
        """``fn`` (the compiled node ``expr``) evaluated, or its value shared when nothing it reads has moved."""
        if not self.moving or isinstance(expr, (MatrixSymbol, Ones, Transpose)):
            return fn(self)
        if self._depends_on(expr) & self.moving:
            return fn(self)
        found = self.fixed.get(expr)
        if found is None:
            found = self.fixed[expr] = fn(self)
        return found

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

    @staticmethod
    def _materialise(value):
        if isinstance(value, _OnesColumn):
            return np.ones((value.n, 1))
        if isinstance(value, _OnesRow):
            return np.ones((1, value.n))
        return value


# --- compiling a node once: each node becomes a function of the evaluator ----------------------------

_PLANS: dict = {}


def _plan(expr):
    """The function ``f(evaluator) -> value`` of the node ``expr``, built once per expression."""
    fn = _PLANS.get(expr)
    if fn is None:
        fn = _PLANS[expr] = _compile(expr)
    return fn


def _child(expr):
    """A function evaluating the child node ``expr`` through the evaluator (which may share its value)."""
    fn = _plan(expr)
    return lambda ev: ev._visit(expr, fn)


def _full(expr):
    child = _child(expr)
    return lambda ev: ArrayEvaluator._materialise(child(ev))


def _compile(expr):
    if isinstance(expr, MatrixSymbol):
        return lambda ev: ev._symbol(expr)
    if isinstance(expr, Ones):
        size = expr.args[0]
        return lambda ev: _OnesColumn(ev._size(size))
    if isinstance(expr, Transpose):
        inner = _child(expr.arg)
        return lambda ev: _transpose(inner(ev))
    if isinstance(expr, MatMul):
        coefficient, matrices = expr.as_coeff_matrices()
        factors = [_child(m) for m in matrices]

        def product(ev):
            scale = ev.scalar(coefficient)
            operands = [f(ev) for f in factors]
            if len(operands) == 3 and isinstance(operands[0], _OnesRow) and isinstance(operands[2], _OnesColumn) \
                    and isinstance(operands[1], np.ndarray):
                total = np.full((1, 1), operands[1].sum())    # 1_N^T A 1_K: every entry of A, in one pass
            else:
                total = operands[0]
                for operand in operands[1:]:
                    total = _multiply(total, operand)
            return total if scale == 1 else scale * ArrayEvaluator._materialise(total)
        return product
    if isinstance(expr, (MatAdd, HadamardProduct)):
        terms = [_full(a) for a in expr.args]
        combine = np.add if isinstance(expr, MatAdd) else np.multiply

        def combined(ev):
            total = terms[0](ev)
            for term in terms[1:]:
                total = combine(total, term(ev))
            return total
        return combined
    if isinstance(expr, HadamardPower):
        base, exponent = _full(expr.base), expr.exp
        return lambda ev: base(ev) ** ev.scalar(exponent)
    if isinstance(expr, Hinge):
        inner = _full(expr.matrix)
        return lambda ev: np.maximum(0.0, inner(ev))
    if isinstance(expr, Positive):
        inner = _full(expr.matrix)
        return lambda ev: (inner(ev) > 0).astype(float)
    if isinstance(expr, Logistic):                  # sigma(z) = e^{-log(1 + e^{-z})}, never overflowing
        inner = _full(expr.matrix)
        return lambda ev: np.exp(-np.logaddexp(0.0, -inner(ev)))
    if isinstance(expr, Softplus):                  # log(1 + e^z), never overflowing
        inner = _full(expr.matrix)
        return lambda ev: np.logaddexp(0.0, inner(ev))
    if isinstance(expr, RowSoftmax):
        inner = _full(expr.matrix)

        def softmax(ev):
            scores = inner(ev)
            shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
            return shifted / shifted.sum(axis=1, keepdims=True)
        return softmax
    if isinstance(expr, RowLogSumExp):
        inner = _full(expr.matrix)

        def logsumexp(ev):
            scores = inner(ev)
            top = scores.max(axis=1, keepdims=True)
            return top + np.log(np.exp(scores - top).sum(axis=1, keepdims=True))
        return logsumexp
    if hasattr(type(expr), "numpy") and isinstance(expr, (_Elementwise, Defined)):
        parts = [_full(a) for a in expr.args]        # the nodes of .elementwise say how NumPy computes them
        return lambda ev: expr.numpy(*[f(ev) for f in parts])
    raise NotEvaluable(f"cannot evaluate {type(expr).__name__} with NumPy")


def _transpose(value):
    if isinstance(value, _OnesColumn):
        return _OnesRow(value.n)
    if isinstance(value, _OnesRow):
        return _OnesColumn(value.n)
    return value.T


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
