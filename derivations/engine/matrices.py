"""Matrices of symbolic size, and the index form of their entries.

The batch derivations write their results as matrix expressions (SymPy's
``MatrixSymbol``, ``MatMul``, ``MatAdd``, ``Transpose``, ``HadamardProduct``)
in X (N x D), W (D x K), S = X W, the one-hot labels Y, and the named
matrices B and P, beside a few nodes of their own defined here:

* :class:`Ones`: the column of n ones 1_n (so B 1_K holds the row sums of B);
* :class:`Hinge` and :class:`Positive`: max(0, u) and 1[u > 0] entry by entry;
* :class:`RowSoftmax` and :class:`RowLogSumExp`: softmax of each row, and log sum_m e^{S_nm} of each row;
* :class:`Gradient`: the matrix of derivatives dL/dM_ij, and :class:`Column`: the column w_c of W.

:func:`entry` writes entry (i, j) of any of these in index form, with sums
over the inner dimensions and the entries of named matrices given by
:func:`register` (X_nd for X, delta_{c,y_n} for Y, ...). That is how a matrix
step is verified: entry (i, j) of both sides, for symbolic i and j, is an
ordinary scalar identity, checked with N, D and K set to small sizes.
"""
from __future__ import annotations

import sympy
from sympy import Derivative, Dummy, Integer, KroneckerDelta, MatrixSymbol, Sum
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr
from sympy.matrices.expressions.special import OneMatrix, ZeroMatrix

from .notation import D, K, N, S, W, X, labels, x


class Ones(MatrixExpr):
    """The column 1_n of n ones: B 1_K sums the rows of B, 1_N^T A 1_K sums every entry of A."""

    def __new__(cls, n):
        return MatrixExpr.__new__(cls, sympy.sympify(n))

    @property
    def shape(self):
        return (self.args[0], Integer(1))

    def _entry(self, i, j, **kwargs):
        return Integer(1)


class _Elementwise(MatrixExpr):
    """A function applied to every entry of one matrix."""

    def __new__(cls, matrix):
        return MatrixExpr.__new__(cls, matrix)

    @property
    def matrix(self):
        return self.args[0]

    @property
    def shape(self):
        return self.args[0].shape

    def _entry(self, i, j, **kwargs):
        return self.scalar(entry(self.matrix, i, j))


class Hinge(_Elementwise):
    """max(0, M), entry by entry."""

    @staticmethod
    def scalar(u):
        return sympy.Max(0, u, evaluate=False)


class Positive(_Elementwise):
    """1[M > 0], entry by entry (0 on the kink, as in code's ``margins > 0``)."""

    @staticmethod
    def scalar(u):
        return sympy.Heaviside(u, 0)


class RowSoftmax(MatrixExpr):
    """The softmax of each row: entry (n, c) is e^{S_nc} / sum_m e^{S_nm}."""

    def __new__(cls, matrix):
        return MatrixExpr.__new__(cls, matrix)

    @property
    def matrix(self):
        return self.args[0]

    @property
    def shape(self):
        return self.args[0].shape

    def _entry(self, i, j, **kwargs):
        m = Dummy("m", integer=True)
        rows, cols = self.matrix.shape
        return sympy.exp(entry(self.matrix, i, j)) / Sum(sympy.exp(entry(self.matrix, i, m)), (m, 0, cols - 1))


class RowLogSumExp(MatrixExpr):
    """The column of log sum_m e^{S_nm}, one entry per row n of S."""

    def __new__(cls, matrix):
        return MatrixExpr.__new__(cls, matrix)

    @property
    def matrix(self):
        return self.args[0]

    @property
    def shape(self):
        return (self.args[0].shape[0], Integer(1))

    def _entry(self, i, j, **kwargs):
        m = Dummy("m", integer=True)
        cols = self.matrix.shape[1]
        return sympy.log(Sum(sympy.exp(entry(self.matrix, i, m)), (m, 0, cols - 1)))


class Column(MatrixExpr):
    """Column ``index`` of a matrix: w_c, the weights of class c, is column c of W."""

    def __new__(cls, matrix, index):
        return MatrixExpr.__new__(cls, matrix, sympy.sympify(index))

    @property
    def matrix(self):
        return self.args[0]

    @property
    def index(self):
        return self.args[1]

    @property
    def shape(self):
        return (self.args[0].shape[0], Integer(1))

    def _entry(self, i, j, **kwargs):
        return entry(self.matrix, i, self.index)


class Gradient(MatrixExpr):
    """The matrix of derivatives of the scalar ``function`` with respect to each entry of ``matrix``: dL/dW."""

    def __new__(cls, function, matrix):
        return MatrixExpr.__new__(cls, function, matrix)

    @property
    def function(self):
        return self.args[0]

    @property
    def matrix(self):
        return self.args[1]

    @property
    def shape(self):
        return self.args[1].shape

    def _entry(self, i, j, **kwargs):
        return Derivative(self.function, entry(self.matrix, i, j), evaluate=False)


class Defined(MatrixExpr):
    """A node that writes its own entries (``_entry(i, j)``): the nodes of :mod:`.elementwise` beyond these."""


OWN_NODES = (Ones, _Elementwise, RowSoftmax, RowLogSumExp, Column, Gradient, Defined)


# --- named matrices and their entries -------------------------------------------------

_ENTRIES: dict = {}


def register(matrix: MatrixSymbol, entries) -> MatrixSymbol:
    """Say what entry (i, j) of a named matrix is, in index form: ``entries(i, j)``."""
    _ENTRIES[matrix] = entries
    return matrix


def named(name: str, rows, cols, entries) -> MatrixSymbol:
    """A matrix symbol whose entry (i, j) is ``entries(i, j)``."""
    return register(MatrixSymbol(name, rows, cols), entries)


#: the inputs of a batch (N x D), the weights (D x K), the scores S = X W (N x K)
X_ = named("X", N, D, lambda i, j: X[i, j])
W_ = named("W", D, K, lambda i, j: W[i, j])
S_ = named("S", N, K, lambda i, j: S[i, j])
#: the one-hot labels: Y_nc = 1 when c = y_n
Y_ = named("Y", N, K, lambda i, j: KroneckerDelta(j, labels[i]))
#: one example: its input x (D x 1) and its scores s = W^T x (K x 1)
x_ = named("x", D, 1, lambda i, j: x[i])


def entry(expr, i, j):
    """Entry (i, j) of the matrix expression ``expr``, in index form (sums over inner dimensions)."""
    i, j = sympy.sympify(i), sympy.sympify(j)
    if expr in _ENTRIES:
        return _ENTRIES[expr](i, j)
    if isinstance(expr, (Ones, OneMatrix)):
        return Integer(1)
    if isinstance(expr, ZeroMatrix):
        return Integer(0)
    if isinstance(expr, sympy.Identity):
        return KroneckerDelta(i, j)
    if isinstance(expr, sympy.MatAdd):
        return sympy.Add(*[entry(term, i, j) for term in expr.args])
    if isinstance(expr, sympy.MatMul):
        return _product_entry(expr, i, j)
    if isinstance(expr, sympy.Transpose):
        return entry(expr.arg, j, i)
    if isinstance(expr, HadamardProduct):
        return sympy.Mul(*[entry(factor, i, j) for factor in expr.args])
    if isinstance(expr, HadamardPower):
        return entry(expr.base, i, j) ** expr.exp
    if isinstance(expr, sympy.MatrixBase):
        return expr[i, j]
    if isinstance(expr, OWN_NODES):
        return expr._entry(i, j)
    if isinstance(expr, MatrixSymbol):
        return MatrixElement(expr, i, j)
    raise ValueError(f"no index form for the entries of {type(expr).__name__}")


def _product_entry(expr, i, j):
    coefficient, matrices = expr.as_coeff_matrices()
    if not matrices:
        return coefficient
    indices = [i] + [Dummy("k", integer=True) for _ in matrices[1:]] + [j]
    body = sympy.Mul(*[entry(m, indices[t], indices[t + 1]) for t, m in enumerate(matrices)])
    limits = [(indices[t + 1], 0, matrices[t].shape[1] - 1) for t in range(len(matrices) - 1)]
    for index, lo, hi in limits:
        if hi == 0:
            body = body.xreplace({index: Integer(0)})         # an inner dimension of 1: no sum
        else:
            body = Sum(body, (index, lo, hi))
    return coefficient * body


def index_form(expr):
    """``expr`` with every entry of a matrix in it written in index form; a 1 x 1 matrix becomes its entry."""
    if isinstance(expr, MatrixExpr) and not isinstance(expr, sympy.MatrixBase):
        if expr.shape == (1, 1):
            return index_form(entry(expr, Integer(0), Integer(0)))
        return expr
    if not isinstance(expr, sympy.Basic) or not expr.has(MatrixElement):
        return expr
    return expr.replace(lambda e: isinstance(e, MatrixElement), lambda e: index_form(entry(e.parent, e.i, e.j)))


def has_symbolic_shape(expr) -> bool:
    """Whether ``expr`` is a matrix expression of symbolic size (not a 1 x 1, not written out)."""
    return isinstance(expr, MatrixExpr) and not isinstance(expr, sympy.MatrixBase) and expr.shape != (1, 1) \
        and not all(sympy.sympify(n).is_Integer for n in expr.shape)


__all__ = ["Ones", "Hinge", "Positive", "RowSoftmax", "RowLogSumExp", "Column", "Gradient", "register", "named",
           "entry", "index_form", "has_symbolic_shape", "X_", "W_", "S_", "Y_", "x_"]
