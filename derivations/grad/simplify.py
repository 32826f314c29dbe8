"""Tidying a matrix expression that backpropagation built, without changing its value.

Backpropagation composes the rules literally (G ∘ (c 1 1^T), the 1 x 1 identity the loss starts from, a
coefficient inside an entrywise product); these moves write the same matrix the way a course does:

* products flattened, their scalar coefficients collected in front, the 1 x 1 identity dropped;
* an entrywise product with a matrix of ones (or of a constant c) is the other factor (times c);
  a coefficient of a factor of an entrywise product moves in front of it;
* (A^∘a)^∘b = A^∘(ab), A^∘1 = A;
* a sum whose terms share one coefficient has it taken out: c A + c B = c (A + B).

Every result is checked afterwards against the index form of the loss, so a wrong move could not pass unseen.
"""
from __future__ import annotations

import sympy
from sympy import HadamardProduct, Identity, MatAdd, MatMul, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.special import ZeroMatrix

from ..engine.matrices import Ones


def simplify(m):
    """``m`` tidied (see the module's docstring); a scalar is returned as it is."""
    if not isinstance(m, sympy.MatrixExpr):
        return m
    previous = None
    for _ in range(8):
        if m == previous:
            break
        previous, m = m, _pass(m)
    return m


def _coefficient_and_rest(m):
    """(c, M) with m = c M, c a scalar and M a matrix expression."""
    if isinstance(m, MatMul):
        coefficient, matrices = m.as_coeff_matrices()
        if not matrices:
            return coefficient, None
        rest = matrices[0] if len(matrices) == 1 else MatMul(*matrices)
        return coefficient, rest
    return sympy.S.One, m


def _is_ones(m) -> bool:
    """Whether m is a matrix of ones: 1_n, 1_n^T, 1_n 1_k^T."""
    if isinstance(m, Ones):
        return True
    if isinstance(m, Transpose):
        return _is_ones(m.arg)
    if isinstance(m, MatMul):
        coefficient, matrices = m.as_coeff_matrices()
        return coefficient == 1 and all(_is_ones(x) for x in matrices)
    return False


def _scaled(coefficient, m):
    if m is None:
        return None
    if coefficient == 0:
        return ZeroMatrix(*m.shape)
    if coefficient == 1:
        return m
    inner, rest = _coefficient_and_rest(m)
    return MatMul(coefficient * inner, rest) if inner != 1 or rest is not m else MatMul(coefficient, m)


def _counted_ones(factors, coefficient):
    """1_k^T 1_k = k in a product: the count taken into the coefficient."""
    out = []
    for factor in factors:
        if out and isinstance(factor, Ones) and isinstance(out[-1], Transpose) and isinstance(out[-1].arg, Ones) \
                and out[-1].arg.args[0] == factor.args[0] and (len(out) > 1 or len(factors) > 2):
            coefficient *= factor.args[0]
            out.pop()
            continue
        out.append(factor)
    return out, coefficient


def _like_terms_collected(terms):
    """a M + b M = (a + b) M: terms with the same matrix part added up (their coefficients simplified)."""
    order, sums = [], {}
    for term in terms:
        coefficient, rest = _coefficient_and_rest(term)
        if rest is None:
            return terms
        if rest not in sums:
            order.append(rest)
            sums[rest] = sympy.S.Zero
        sums[rest] += coefficient
    if len(order) == len(terms):
        return terms
    out = []
    for rest in order:
        coefficient = sympy.factor_terms(sympy.cancel(sums[rest]))
        if coefficient != 0:
            out.append(rest if coefficient == 1 else MatMul(coefficient, rest))
    return out


def _pass(m):
    if isinstance(m, MatMul):
        coefficient, matrices = m.as_coeff_matrices()
        kept = []
        for factor in matrices:
            factor = _pass(factor)
            if isinstance(factor, Identity) and factor.shape == (1, 1):
                continue
            inner, rest = _coefficient_and_rest(factor)
            coefficient *= inner
            if rest is None:
                continue
            if isinstance(rest, MatMul):
                kept.extend(rest.args)
            else:
                kept.append(rest)
        kept, coefficient = _counted_ones(kept, coefficient)
        if any(isinstance(f, ZeroMatrix) for f in kept) or coefficient == 0:
            return ZeroMatrix(*m.shape)
        if not kept:
            return MatMul(coefficient, Identity(1)) if coefficient != 1 else Identity(1)
        body = kept[0] if len(kept) == 1 else MatMul(*kept)
        return body if coefficient == 1 else MatMul(coefficient, body)
    if isinstance(m, HadamardProduct):
        coefficient, factors = sympy.S.One, []
        for factor in m.args:
            factor = _pass(factor)
            if isinstance(factor, HadamardProduct):
                parts = factor.args
            else:
                parts = (factor,)
            for part in parts:
                inner, rest = _coefficient_and_rest(part)
                coefficient *= inner
                if rest is None or (isinstance(rest, Identity) and rest.shape == (1, 1)):
                    continue
                if isinstance(rest, ZeroMatrix):
                    return ZeroMatrix(*m.shape)
                if _is_ones(rest) and rest.shape == m.shape:
                    continue
                factors.append(rest)
        if not factors:
            from ..lang.values import ones_matrix
            body = ones_matrix(*m.shape)
        else:
            body = factors[0] if len(factors) == 1 else HadamardProduct(*factors)
        return body if coefficient == 1 else MatMul(coefficient, body)
    if isinstance(m, MatAdd):
        terms = []
        for term in m.args:
            term = _pass(term)
            if isinstance(term, MatAdd):
                terms.extend(term.args)
            elif not isinstance(term, ZeroMatrix):
                terms.append(term)
        if not terms:
            return ZeroMatrix(*m.shape)
        terms = _like_terms_collected(terms)
        if not terms:
            return ZeroMatrix(*m.shape)
        if len(terms) == 1:
            return terms[0]
        coefficients = [_coefficient_and_rest(t)[0] for t in terms]
        common = abs(coefficients[0]) if coefficients[0].is_number else coefficients[0]
        if common not in (1, -1) and all(c == common or c == -common for c in coefficients):
            signed = [_coefficient_and_rest(t)[1] if c == common else MatMul(-1, _coefficient_and_rest(t)[1])
                      for t, c in zip(terms, coefficients)]
            return MatMul(common, MatAdd(*signed))
        return MatAdd(*terms)
    if isinstance(m, Transpose):
        from .backprop import transposed
        inner = _pass(m.arg)
        return transposed(inner)
    if isinstance(m, HadamardPower):
        base = _pass(m.base)
        if m.exp == 1:
            return base
        if isinstance(base, HadamardPower):
            return HadamardPower(base.base, base.exp * m.exp)
        return HadamardPower(base, m.exp)
    if m.args and any(isinstance(a, sympy.MatrixExpr) for a in m.args):
        return m.func(*[_pass(a) if isinstance(a, sympy.MatrixExpr) else a for a in m.args])
    return m


__all__ = ["simplify"]
