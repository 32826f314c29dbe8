"""The value of an expression of the language, in both forms at once: a matrix expression and an index form.

A :class:`Value` has axes: each is an index symbol with the dimension it runs over. Index notation names them
(``S[n, j]`` has axes n over N and j over K); a whole array has positional ones (``X W`` has two, N and K,
named later). Its ``matrix`` is a SymPy matrix expression whose rows and columns are those axes (a column for
one axis, 1 x 1 for none), or a plain SymPy number or symbol for a constant (``reg``, ``1/2``); its ``index``
is entry (axes) of it, written in index form. Every operation builds both, so a definition's matrix form
and its index form can be checked against each other (entry by entry, at small sizes).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from sympy import HadamardProduct, MatAdd, MatMul, Symbol, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..engine.matrices import Ones


@dataclass(frozen=True)
class Axis:
    symbol: Symbol
    dim: Symbol
    named: bool          # an index the spec names (n, j), or a position of a whole array


@dataclass(frozen=True)
class Value:
    matrix: object       # a MatrixExpr with rows and columns as the axes, or a scalar Expr (a constant)
    index: object        # its entry at the axes' symbols, in index form
    axes: tuple = ()
    terms: object = field(default=None, compare=False)   # in index notation: its terms (see .contraction)

    @property
    def constant(self) -> bool:
        return not isinstance(self.matrix, MatrixExpr)

    @property
    def positional(self) -> bool:
        return any(not a.named for a in self.axes)

    @property
    def named(self) -> bool:
        return any(a.named for a in self.axes)

    def symbols(self) -> tuple:
        return tuple(a.symbol for a in self.axes)


def ones_matrix(rows, cols):
    """1_rows 1_cols^T (a column of ones for cols = 1 is 1_rows itself)."""
    if cols == 1:
        return Ones(rows)
    return MatMul(Ones(rows), Transpose(Ones(cols)))


def filled(constant, axes) -> MatrixExpr:
    """The constant in every entry of an array with these axes (c 1_N 1_K^T; c 1 for a 1 x 1)."""
    rows = axes[0].dim if axes else 1
    cols = axes[1].dim if len(axes) > 1 else 1
    ones = ones_matrix(rows, cols)
    return ones if constant == 1 else MatMul(constant, ones)


def arrange(value: Value, axes) -> MatrixExpr:
    """``value``'s matrix broadcast onto ``axes`` (its own axes among them): a column repeated across columns
    (v 1_K^T), a row down the rows (1_N v^T), a transposed matrix, a constant in every entry."""
    if value.constant:
        return filled(value.matrix, axes)
    own = value.symbols()
    target = tuple(a.symbol for a in axes)
    m = value.matrix
    if own == target:
        return m
    if len(target) == 1:
        if not own:
            return MatMul(Ones(axes[0].dim), m)
    elif len(target) == 2:
        first, second = axes
        if not own:
            return MatMul(Ones(first.dim), m, Transpose(Ones(second.dim)))
        if own == (first.symbol,):
            return MatMul(m, Transpose(Ones(second.dim)))
        if own == (second.symbol,):
            coefficient, rest = _coefficient(m)       # -mu as a row: -(1_N mu^T), not 1_N (-mu)^T
            row = MatMul(Ones(first.dim), Transpose(rest))
            return row if coefficient == 1 else MatMul(coefficient, row)
        if own == (second.symbol, first.symbol):
            return Transpose(m)
    raise ValueError(f"cannot arrange axes {own} as {target}")  # pragma: no cover - callers check


def _coefficient(m):
    """(c, M) with m = c M: the scalar coefficient of a product taken out (1 and m itself otherwise)."""
    if isinstance(m, MatMul):
        coefficient, matrices = m.as_coeff_matrices()
        if matrices and coefficient != 1:
            return coefficient, matrices[0] if len(matrices) == 1 else MatMul(*matrices)
    return sympy.S.One, m


def scale(constant, matrix):
    """c M, without a factor 1."""
    if constant == 1:
        return matrix
    return MatMul(constant, matrix)


def add(a, b):
    """A + B of two matrices (MatAdd), or of two constants."""
    if not isinstance(a, MatrixExpr):
        return a + b
    return MatAdd(a, b)


def hadamard(a, b):
    return HadamardProduct(a, b)


def power(matrix, exponent):
    """A^∘p entry by entry ((A^∘a)^∘b = A^∘(ab))."""
    if exponent == 1:
        return matrix
    if isinstance(matrix, HadamardPower):
        return power(matrix.base, matrix.exp * exponent)
    return HadamardPower(matrix, exponent)


def transpose(matrix):
    return Transpose(matrix)


__all__ = ["Axis", "Value", "arrange", "filled", "ones_matrix", "scale", "add", "hadamard", "power", "transpose"]
