"""Vectors and matrices in a written derivation, as functions of their indices.

A student writes ``\\mathbf{W}^T \\mathbf{x}``, ``X^T (P - Y) / N + 2 \\lambda W``, ``x_i g^T``,
``\\mathrm{diag}(p) - p p^T`` or ``p - [1, 0, 0]``. None of these is expanded into entries here:

* a :class:`Vector` is ``entry(d)``, its component d (``count`` of them); ``transposed`` marks a row;
* a :class:`Grid` is ``entry(r, c)``, the entry in row r and column c (``rows`` x ``cols``);
* a :class:`MatrixName` is a matrix the text names by a capital letter (entry (r, c) is ``base[r, c]``);
* a vector written out (``[1, 0, 0]``) is a SymPy ``ImmutableMatrix``.

Products follow linear algebra (A B sums over the inner index, u v^T is an outer product, u^T v
a dot product, A v a matrix times a vector), sums and multiples go entry by entry. A matrix left
standing is read at a row and a column index (the caller's), so both sides of a matrix equation
are compared entry by entry, the way the engine checks its own matrix steps. Shapes are counts
(K, D, N); a product whose inner counts are known to differ is refused.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import sympy

from ..engine import notation
from .errors import ParseError

#: letters of a sum's bound index get this mark (as in :mod:`derivations.parse.written`)
BOUND_MARK = "~"
#: the row index at which a matrix left standing is read
ROW = sympy.Symbol("r_", integer=True)


@dataclass(frozen=True)
class Vector:
    """A vector-valued expression: ``entry(d)`` is its component d; it has ``count`` components.

    ``transposed`` marks ``a^T`` (a row), which a following vector turns into a dot product.
    """

    entry: Callable[[sympy.Expr], sympy.Expr]
    count: sympy.Expr
    transposed: bool = False
    key: tuple = ()


@dataclass(frozen=True)
class MatrixName:
    """A matrix written as a capital letter (``\\mathbf{W}``, ``X``): entry (d, c) is ``base[d, c]``."""

    base: sympy.IndexedBase
    rows: sympy.Expr
    columns: sympy.Expr
    transposed: bool = False


@dataclass(frozen=True)
class Grid:
    """A matrix-valued expression: ``entry(r, c)`` is its entry in row r, column c."""

    entry: Callable[[sympy.Expr, sympy.Expr], sympy.Expr]
    rows: sympy.Expr
    cols: sympy.Expr


ARRAYS = (Vector, MatrixName, Grid)


class Fresh:
    """Bound indices for the sums of matrix products, distinct within one expression (k1~, k2~ ...)."""

    def __init__(self):
        self.count = 0

    def __call__(self, letter: str = "k") -> sympy.Symbol:
        self.count += 1
        return sympy.Symbol(f"{letter}{self.count}{BOUND_MARK}", integer=True)


def as_grid(value):
    """A :class:`MatrixName` as a :class:`Grid` (transposed if it is); anything else as it is."""
    if isinstance(value, MatrixName):
        base = value.base
        grid = Grid(lambda r, c, b=base: b[r, c], value.rows, value.columns)
        return transpose(grid) if value.transposed else grid
    return value


def transpose(value):
    if isinstance(value, Vector):
        return replace(value, transposed=not value.transposed)
    if isinstance(value, MatrixName):
        return replace(value, transposed=not value.transposed)
    if isinstance(value, Grid):
        return Grid(lambda r, c, g=value: g.entry(c, r), value.cols, value.rows)
    if isinstance(value, sympy.MatrixBase):
        return value.T
    raise ParseError("^T of something that is not a vector or a matrix: write it bold (\\mathbf) or as a sum")


def one_hot(label) -> Vector:
    """e_label: the one-hot vector over the classes, 1 at ``label`` (e_y, onehot(y), p - y's y)."""
    return Vector(lambda d, j=label: sympy.KroneckerDelta(d, j), notation.K, key=("e", label))


def vector_map(vector: Vector, function) -> Vector:
    return Vector(lambda d, v=vector, f=function: f(v.entry(d)), vector.count, vector.transposed)


def grid_map(grid: Grid, function) -> Grid:
    return Grid(lambda r, c, g=grid, f=function: f(g.entry(r, c)), grid.rows, grid.cols)


def elementwise(value, function):
    """``function`` applied to each entry (exp(s), a multiple of a matrix)."""
    value = as_grid(value)
    if isinstance(value, Vector):
        return vector_map(value, function)
    if isinstance(value, Grid):
        return grid_map(value, function)
    if isinstance(value, sympy.MatrixBase):
        return value.applyfunc(function)
    return function(value)


def written_out(vector: Vector, length: int) -> sympy.ImmutableMatrix:
    """A vector's ``length`` entries, to meet a vector written out ([1, 0, 0])."""
    if vector.transposed:
        raise ParseError("a transposed vector and a vector written out are not added")
    return sympy.ImmutableMatrix([vector.entry(sympy.Integer(m)) for m in range(length)])


def add(values: list):
    """The sum of numbers, vectors or matrices (entry by entry); a vector or matrix added to a number is refused."""
    values = [as_grid(v) for v in values]
    literals = [v for v in values if isinstance(v, sympy.MatrixBase)]
    grids = [v for v in values if isinstance(v, Grid)]
    vectors = [v for v in values if isinstance(v, Vector)]
    scalars = [v for v in values if not isinstance(v, (Vector, Grid, sympy.MatrixBase))]
    if not literals and not grids and not vectors:
        return sympy.Add(*values)
    if any(v != 0 for v in scalars) and (grids or not _broadcast(scalars, vectors, literals)):
        raise ParseError("a vector added to a number is not read" if not grids else
                         "a matrix added to a number is not read")
    if any(v != 0 for v in scalars):           # s - 4, s - s_{y_i} + 1: the number added to each entry
        scalar = sympy.Add(*scalars)
        if vectors:
            vectors[0] = Vector(lambda d, v=vectors[0]: v.entry(d) + scalar, vectors[0].count, vectors[0].transposed)
        else:
            literals[0] = literals[0].applyfunc(lambda e: e + scalar)
    if literals:
        if grids:
            raise ParseError("a matrix added to a vector written out is not read")
        length = len(literals[0])
        if any(len(v) != length for v in literals):
            raise ParseError("vectors of different lengths are added")
        total = sympy.ImmutableMatrix(sympy.zeros(*literals[0].shape))
        for v in literals:
            total = total + v.reshape(*literals[0].shape)
        for v in vectors:
            total = total + written_out(v, length).reshape(*literals[0].shape)
        return sympy.ImmutableMatrix(total)
    if grids:
        if vectors:
            raise ParseError("a matrix added to a vector is not read")
        return Grid(lambda r, c, gs=tuple(grids): sympy.Add(*[g.entry(r, c) for g in gs]), grids[0].rows, grids[0].cols)
    if len({v.transposed for v in vectors}) > 1:
        raise ParseError("a row and a column vector added are not read")
    return Vector(lambda d, vs=tuple(vectors): sympy.Add(*[v.entry(d) for v in vs]), vectors[0].count,
                  vectors[0].transposed)


#: the names a number subtracted from every entry goes by (s - c with c = max_j s_j, z - m, x - mu, w x + b)
_SHIFT_NAMES = frozenset({"c", "C", "m", "M", "b", "mu"})


def _broadcast(scalars, vectors, literals) -> bool:
    """Whether numbers added to a vector are added to each of its entries (s - 4, s - s_{y_i} + 1, [3, -1] + 1):
    a number, or an entry of the very vector added (a quantity of its own, p - t, is not read)."""
    if any(v.transposed for v in vectors):
        return False
    bases = {a.base for v in vectors for a in sympy.sympify(v.entry(sympy.Symbol("d_", integer=True)))
             .atoms(sympy.Indexed)}
    for scalar in scalars:
        scalar = sympy.sympify(scalar)
        if scalar.is_number or scalar.free_symbols and all(s.name in _SHIFT_NAMES for s in scalar.free_symbols) \
                and not scalar.atoms(sympy.Indexed):
            continue
        entries = scalar.atoms(sympy.Indexed)
        if not entries or any(e.base not in bases for e in entries) \
                or scalar.free_symbols - set().union(*(e.free_symbols for e in entries)):
            return False
    return bool(vectors or literals)


def scale(value, factor):
    """``factor`` times a number, a vector or a matrix."""
    return elementwise(value, lambda e: factor * e)


def _differ(left, right) -> bool:
    """Whether two counts are known to differ (K and D, 3 and 4)."""
    return left != right and ((isinstance(left, sympy.Symbol) and isinstance(right, sympy.Symbol))
                              or bool((left - right).is_number))


def _inner_count(left, right):
    """The count an inner index runs to; a product whose counts are known to differ is refused."""
    if _differ(left, right):
        raise ParseError(f"the sizes in a product do not match ({left} columns and {right} rows)")
    return left


def times(a, b, fresh: Fresh):
    """a times b: numbers; a number and a vector or matrix; u^T v (a dot product); u v^T (an outer product);
    A B, A v and u^T A (the inner index summed)."""
    a, b = as_grid(a), as_grid(b)
    if isinstance(a, Grid) and isinstance(b, Grid):
        inner = _inner_count(a.cols, b.rows)
        k = fresh()
        return Grid(lambda r, c, x=a, y=b, k=k: sympy.Sum(x.entry(r, k) * y.entry(k, c), (k, 0, inner - 1)),
                    a.rows, b.cols)
    if isinstance(a, Grid) and isinstance(b, Vector):
        if b.transposed:
            raise ParseError("a matrix times a row vector is not read")
        if _differ(a.cols, b.count) and not _differ(a.rows, b.count):
            # W x_i with the course's W (D x K, a column per class): the text's W has a row per class
            # (W in R^{K x D}, s = W x), so W x is the course's W^T x
            k = fresh()
            return Vector(lambda c, x=a, v=b, k=k: sympy.Sum(x.entry(k, c) * v.entry(k), (k, 0, a.rows - 1)), a.cols)
        inner = _inner_count(a.cols, b.count)
        k = fresh()
        return Vector(lambda r, x=a, v=b, k=k: sympy.Sum(x.entry(r, k) * v.entry(k), (k, 0, inner - 1)), a.rows)
    if isinstance(a, Vector) and isinstance(b, Grid):
        if not a.transposed:
            raise ParseError("a column vector times a matrix is not read (write u^T A)")
        inner = _inner_count(a.count, b.rows)
        k = fresh()
        return Vector(lambda c, u=a, y=b, k=k: sympy.Sum(u.entry(k) * y.entry(k, c), (k, 0, inner - 1)), b.cols,
                      transposed=True)
    if isinstance(a, Vector) and isinstance(b, Vector):
        if a.transposed and not b.transposed:
            d = fresh("d")
            return sympy.Sum(a.entry(d) * b.entry(d), (d, 0, a.count - 1))
        if not a.transposed and b.transposed:
            return Grid(lambda r, c, u=a, v=b: u.entry(r) * v.entry(c), a.count, b.count)
        raise ParseError("a product of two vectors is only read as u^T v (a dot product) or u v^T (an outer product)")
    if isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
        if isinstance(a, (Vector, Grid)) or isinstance(b, (Vector, Grid)):
            raise ParseError("a product with a vector written out is not read")
        return a * b
    if isinstance(a, (Vector, Grid)):
        if isinstance(a, Vector) and a.transposed:
            raise ParseError("a transposed vector times a number is not read")
        return elementwise(a, lambda e, f=b: e * f)
    if isinstance(b, (Vector, Grid)):
        if isinstance(b, Vector) and b.transposed:
            raise ParseError("a number times a transposed vector is not read")
        return elementwise(b, lambda e, f=a: f * e)
    return sympy.Mul(a, b)


def hadamard(a, b):
    """a ⊙ b: entry by entry."""
    a, b = as_grid(a), as_grid(b)
    if isinstance(a, Grid) and isinstance(b, Grid):
        return Grid(lambda r, c, x=a, y=b: x.entry(r, c) * y.entry(r, c), a.rows, a.cols)
    if isinstance(a, Vector) and isinstance(b, Vector):
        return Vector(lambda d, u=a, v=b: u.entry(d) * v.entry(d), a.count, a.transposed)
    raise ParseError("an entrywise product (⊙) of a vector and a matrix is not read")


def diagonal(value):
    """diag(v): the square matrix with v on its diagonal."""
    if not isinstance(value, Vector):
        raise ParseError("diag(...) of something that is not a vector is not read")
    return Grid(lambda r, c, v=value: v.entry(r) * sympy.KroneckerDelta(r, c), value.count, value.count)


def trace(value, fresh: Fresh):
    """tr(A): the sum of the diagonal of a square matrix (tr(W^T W), the squared Frobenius norm)."""
    value = as_grid(value)
    if not isinstance(value, Grid):
        raise ParseError("tr(...) of something that is not a matrix is not read")
    if (value.rows - value.cols).is_nonzero:
        raise ParseError("tr(...) of a matrix that is not square")
    d = fresh("d")
    return sympy.Sum(value.entry(d, d), (d, 0, value.rows - 1))


def softmax(value, fresh: Fresh):
    """softmax(v): e^{v_c} / sum_m e^{v_m}; of a matrix, row by row (each example's scores)."""
    value = as_grid(value)
    if isinstance(value, Vector):
        m = fresh("m")
        return Vector(lambda c, v=value, m=m: sympy.exp(v.entry(c)) / sympy.Sum(sympy.exp(v.entry(m)),
                                                                                  (m, 0, v.count - 1)), value.count)
    if isinstance(value, Grid):
        m = fresh("m")
        return Grid(lambda r, c, g=value, m=m: sympy.exp(g.entry(r, c)) / sympy.Sum(sympy.exp(g.entry(r, m)),
                                                                                     (m, 0, g.cols - 1)),
                    value.rows, value.cols)
    if isinstance(value, sympy.MatrixBase):
        total = sum(sympy.exp(v) for v in value)
        return value.applyfunc(lambda v: sympy.exp(v) / total)
    raise ParseError("softmax(...) of one number is not read")
