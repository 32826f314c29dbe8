"""Backpropagation on matrix expressions: the part of dL/dA that flows through one definition.

For a definition V = f(A, B, ...) and the upstream gradient G = dL/dV (a matrix of V's shape),
:func:`vector_jacobian` returns the matrix sum_ij G_ij dV_ij/dA, by the rules of matrix calculus, node by node:

* V = A B (a product, with columns of ones for sums and broadcasts): dA = G B^T, dB = A^T G;
* V = A + B: both get G; V = A^T: A gets G^T; V = c A: A gets c G;
* V = A ∘ B: A gets G ∘ B; V = A^∘p: A gets p G ∘ A^∘(p-1);
* V = f(A) entry by entry: A gets G ∘ f'(A) (max(0, A): G ∘ 1[A > 0]; e^A: G ∘ e^A; log A: G ∘ A^∘-1;
  tanh A: G ∘ (1 - tanh^2 A); sigma(A): G ∘ sigma(A) ∘ (1 - sigma(A)); |A|: G ∘ sign A);
* P = softmax of each row of A: A gets P ∘ (G - (P ∘ G) 1 1^T);
  logsumexp of each row: A gets (G 1^T) ∘ softmax(A); the largest of each row: (G 1^T) ∘ its one-hot argmax.

Nothing here is trusted: each part is checked against the index form of the definition, differentiated step by
step, entry by entry at small sizes (:mod:`.local`), and the whole gradient against the loss (:mod:`.derivation`).
"""
from __future__ import annotations

import sympy
from sympy import HadamardProduct, MatAdd, MatMul, MatrixSymbol, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.special import ZeroMatrix

from ..engine.elementwise import Abs, Exp, Log, RowArgmax, RowMax, Sign, Tanh
from ..engine.matrices import Hinge, Ones, Positive, RowLogSumExp, RowSoftmax
from ..engine.matrix_functions import Logistic, Softplus


class NoMatrixRule(ValueError):
    """A node of a definition that backpropagation has no rule for."""


def vector_jacobian(expr, variable: MatrixSymbol, upstream):
    """sum_ij G_ij d expr_ij / d variable as a matrix expression (None when ``expr`` does not hold ``variable``)."""
    parts: list = []
    _walk(expr, upstream, variable, parts)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MatAdd(*parts)


def transposed(m):
    """m^T, carried into products: (A B)^T = B^T A^T, (A^T)^T = A; a 1 x 1 is its own transpose."""
    if isinstance(m, Transpose):
        return m.arg
    if isinstance(m, MatMul):
        coefficient, matrices = m.as_coeff_matrices()
        factors = [transposed(x) for x in reversed(matrices)]
        return MatMul(coefficient, *factors) if coefficient != 1 else MatMul(*factors)
    if m.shape == (1, 1) and not isinstance(m, (MatAdd, HadamardProduct, HadamardPower)):
        return m
    return Transpose(m)


def ones_like(m):
    rows, cols = m.shape
    return Ones(rows) if cols == 1 else MatMul(Ones(rows), Transpose(Ones(cols)))


def _times(g, factor):
    """g ∘ factor."""
    return HadamardProduct(g, factor)


def _walk(e, g, variable, parts):
    if e == variable:
        parts.append(g)
        return
    if not isinstance(e, sympy.MatrixExpr) or not e.has(variable):
        return
    if isinstance(e, MatAdd):
        for term in e.args:
            _walk(term, g, variable, parts)
        return
    if isinstance(e, MatMul):
        coefficient, matrices = e.as_coeff_matrices()
        for i, factor in enumerate(matrices):
            if not factor.has(variable):
                continue
            left, right = matrices[:i], matrices[i + 1:]
            pieces = []
            if left:
                pieces.append(transposed(MatMul(*left)) if len(left) > 1 else transposed(left[0]))
            pieces.append(g)
            if right:
                pieces.append(transposed(MatMul(*right)) if len(right) > 1 else transposed(right[0]))
            inner = MatMul(*pieces) if len(pieces) > 1 else pieces[0]
            if coefficient != 1:
                inner = MatMul(coefficient, inner)
            _walk(factor, inner, variable, parts)
        return
    if isinstance(e, Transpose):
        _walk(e.arg, transposed(g), variable, parts)
        return
    if isinstance(e, HadamardProduct):
        for i, factor in enumerate(e.args):
            if factor.has(variable):
                others = e.args[:i] + e.args[i + 1:]
                _walk(factor, HadamardProduct(g, *others), variable, parts)
        return
    if isinstance(e, HadamardPower):
        p = e.exp
        if p == 2:
            inner = MatMul(2, HadamardProduct(g, e.base))
        elif p - 1 == 1:
            inner = MatMul(p, HadamardProduct(g, e.base))
        else:
            inner = MatMul(p, HadamardProduct(g, HadamardPower(e.base, p - 1)))
        _walk(e.base, inner, variable, parts)
        return
    derivative = _elementwise_derivative(e)
    if derivative is not None:
        if isinstance(derivative, ZeroMatrix):
            return
        _walk(e.args[0], _times(g, derivative), variable, parts)
        return
    if isinstance(e, RowSoftmax):
        cols = e.shape[1]
        row_sums = MatMul(-1, HadamardProduct(e, g), Ones(cols), Transpose(Ones(cols)))
        _walk(e.matrix, HadamardProduct(e, MatAdd(g, row_sums)), variable, parts)
        return
    if isinstance(e, RowLogSumExp):
        cols = e.matrix.shape[1]
        _walk(e.matrix, HadamardProduct(MatMul(g, Transpose(Ones(cols))), RowSoftmax(e.matrix)), variable, parts)
        return
    if isinstance(e, RowMax):
        cols = e.matrix.shape[1]
        hot = RowArgmax(e.matrix, e.mask) if e.mask is not None else RowArgmax(e.matrix)
        _walk(e.matrix, HadamardProduct(MatMul(g, Transpose(Ones(cols))), hot), variable, parts)
        return
    if isinstance(e, (RowArgmax, Positive, Sign, Ones)):
        return                                   # constant away from kinks and ties
    raise NoMatrixRule(f"no backpropagation rule for {type(e).__name__}")


def _elementwise_derivative(e):
    """f'(A) entry by entry for f(A), or None when ``e`` is not such a node."""
    if isinstance(e, (Positive, Sign, RowArgmax)):
        return ZeroMatrix(*e.shape)
    if isinstance(e, Hinge):
        return Positive(e.matrix)
    if isinstance(e, Exp):
        return e
    if isinstance(e, Log):
        return HadamardPower(e.matrix, -1)
    if isinstance(e, Tanh):
        return MatAdd(ones_like(e), MatMul(-1, HadamardPower(e, 2)))
    if isinstance(e, Abs):
        return Sign(e.matrix)
    if isinstance(e, Logistic):
        return HadamardProduct(e, MatAdd(ones_like(e), MatMul(-1, e)))
    if isinstance(e, Softplus):
        return Logistic(e.matrix)
    return None


def named_where_defined(expr, definitions: dict):
    """``expr`` with each part that a definition spells out replaced by its name (softmax(S) by P, where the spec
    defines P = softmax(S)): the code computes it once."""
    if not definitions:
        return expr
    return expr.xreplace({definition: symbol for symbol, definition in definitions.items()})


__all__ = ["vector_jacobian", "transposed", "named_where_defined", "NoMatrixRule"]
