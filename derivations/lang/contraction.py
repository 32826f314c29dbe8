"""Index notation with more than two free indices on the way: a product that a sum contracts to a matrix.

``Y[n, j] = sum_d X[n, d] W[d, j] + b[j]``: inside the sum, ``X[n, d] W[d, j]`` has three free indices (n, d, j),
which no matrix holds; the sum over d makes it the matrix product X W. A :class:`Wide` value keeps such an
expression as a sum of terms, each a coefficient times factors of at most two indices, until a sum (or mean)
over an index contracts the factors that hold it:

* the factors holding the summed index i and one other index a: sum_i A_ai B_ai = ((A ∘ B) 1)_a;
* holding i and two others a and b: the factors with a on the left, those with b on the right,
  sum_i A_ai c_i B_ib = ((A ∘ 1 c^T) B)_ab (a factor with i alone goes left);
* holding i alone: sum_i u_i v_i = 1^T (u ∘ v); no factor holding i: D times the term (a sum of a constant).

The index form is kept whole beside the terms (the sum of the index forms), so the matrix form built here is
checked against it like any other definition's.
"""
from __future__ import annotations

from dataclasses import dataclass

from sympy import HadamardProduct, MatMul, Sum, Transpose

from ..engine.matrices import Ones
from .values import Axis, Value, add, arrange, filled, power, scale

#: terms a wide expression may have (a product of sums multiplies their counts)
MAX_TERMS = 16


class Contraction(ValueError):
    """What cannot be contracted to a matrix (said by the compiler with its place)."""


@dataclass(frozen=True)
class Wide:
    """A sum of terms ``(coefficient, factors)`` whose free indices are ``axes`` (more than two of them, named),
    each factor a Value of at most two named indices; ``index`` is the whole in index form."""

    terms: tuple
    index: object
    axes: tuple

    constant = False
    positional = False
    named = True

    def symbols(self) -> tuple:
        return tuple(a.symbol for a in self.axes)


def union_axes(*values) -> tuple:
    """The axes of ``values`` (anything with ``axes``), each once, in the order met."""
    return _union([v.axes for v in values])


def _union(groups) -> tuple:
    axes = []
    for group in groups:
        for axis in group:
            if all(axis.symbol != a.symbol for a in axes):
                axes.append(axis)
    return tuple(axes)


def _holds(value, axis) -> bool:
    return any(a.symbol == axis.symbol for a in value.axes)


def terms_of(value) -> tuple:
    """A Value or a Wide as terms: a constant is a coefficient, an array a single factor."""
    if isinstance(value, Wide) or value.terms is not None:
        return value.terms
    if value.constant:
        return ((value.matrix, ()),)
    return ((1, (value,)),)


def combine(op: str, a, b, index):
    """``a op b`` (+, -, *, /) of two values, one of them wide or the two with more than two indices together."""
    left, right = terms_of(a), terms_of(b)
    if op == "+":
        terms = left + right
    elif op == "-":
        terms = left + tuple((-c, f) for c, f in right)
    elif op == "*":
        terms = tuple((c1 * c2, f1 + f2) for c1, f1 in left for c2, f2 in right)
    else:
        if isinstance(b, Wide):
            raise Contraction("a division by an expression with more than two free indices")
        if b.constant:
            terms = tuple((c / b.matrix, f) for c, f in left)
        else:
            inverse = Value(power(b.matrix, -1), 1 / b.index, b.axes)
            terms = tuple((c, f + (inverse,)) for c, f in left)
    if len(terms) > MAX_TERMS:
        raise Contraction(f"more than {MAX_TERMS} terms with more than two free indices")
    return Wide(terms, index, union_axes(a, b))


def negate(w: Wide) -> Wide:
    return Wide(tuple((-c, f) for c, f in w.terms), -w.index, w.axes)


def reduce(w: Wide, axis: Axis, index, mean: bool):
    """sum_i (or mean_i) of ``w`` over ``axis`` (``index``: the result's index form): a Wide while more than two
    free indices are left, else a Value with its matrix form."""
    terms = []
    for coefficient, factors in w.terms:
        holding = [f for f in factors if _holds(f, axis)]
        rest = [f for f in factors if not _holds(f, axis)]
        if not holding:
            coefficient = coefficient * axis.dim
        else:
            rest.append(_contract(holding, axis))
        if mean:
            coefficient = coefficient / axis.dim
        terms.append((coefficient, tuple(rest)))
    axes = tuple(a for a in w.axes if a.symbol != axis.symbol)
    if len(axes) > 2:
        return Wide(tuple(terms), index, axes)
    matrix = None
    for coefficient, factors in terms:
        term = _term_matrix(coefficient, factors, axes)
        matrix = term if matrix is None else add(matrix, term)
    return Value(matrix, index, axes)


def _term_matrix(coefficient, factors, axes):
    if not factors:
        return filled(coefficient, axes)
    return scale(coefficient, _product([arrange(f, axes) for f in factors]))


def _contract(factors, axis: Axis) -> Value:
    """sum_i of the product of ``factors`` (each holding the index i of ``axis``): a Value of the other indices."""
    i = axis.symbol
    others = _union([tuple(a for a in f.axes if a.symbol != i) for f in factors])
    index = 1
    for f in factors:
        index = index * f.index
    index = Sum(index, (i, 0, axis.dim - 1))
    if len(others) == 0:                        # sum_i u_i v_i = u^T v
        first = arrange(factors[0], (axis,))
        rest = [arrange(f, (axis,)) for f in factors[1:]]
        return Value(MatMul(Transpose(first), _product(rest) if rest else Ones(axis.dim)), index, ())
    if len(others) == 1:                        # sum_i A_ai v_i = (A v)_a
        column = [f for f in factors if f.symbols() == (axis.symbol,)]
        rows = [f for f in factors if f.symbols() != (axis.symbol,)]
        left = _product([arrange(f, (others[0], axis)) for f in rows])
        right = _product([arrange(f, (axis,)) for f in column]) if column else Ones(axis.dim)
        return Value(MatMul(left, right), index, others)
    if len(others) > 2:
        names = ", ".join(a.symbol.name for a in others)
        raise Contraction(f"the sum over {i.name} leaves more than two free indices ({names}) in one product")
    first, second = others
    left = [f for f in factors if not _holds(f, second)]          # holding a (or i alone)
    right = [f for f in factors if _holds(f, second)]
    if any(_holds(f, first) for f in right):
        raise Contraction(f"an array with three free indices under the sum over {i.name}")
    left_matrix = _product([arrange(f, (first, axis)) for f in left])
    right_matrix = _product([arrange(f, (axis, second)) for f in right])
    return Value(MatMul(left_matrix, right_matrix), index, (first, second))


def _product(matrices):
    return matrices[0] if len(matrices) == 1 else HadamardProduct(*matrices)


__all__ = ["Wide", "Contraction", "combine", "negate", "reduce", "union_axes", "MAX_TERMS"]
