"""Tidying a matrix expression that backpropagation built, without changing its value.

Backpropagation composes the rules literally (G ∘ (c 1 1^T), the 1 x 1 identity the loss starts from, a
coefficient inside an entrywise product); these moves write the same matrix the way a course does:

* products flattened, their scalar coefficients collected in front, the 1 x 1 identity dropped;
* an entrywise product with a matrix of ones (or of a constant c) is the other factor (times c);
  a coefficient of a factor of an entrywise product moves in front of it;
* (A^∘a)^∘b = A^∘(ab), A^∘1 = A;
* a sum whose terms share one coefficient has it taken out: c A + c B = c (A + B);
* an entrywise expression (sums, entrywise products and powers of arrays of one shape, constants times
  1 1^T) is one scalar expression applied entry by entry: it is cancelled as a rational function of its
  arrays' entries and kept when that is shorter, P ∘ (T ∘ P^∘-1 - (1 - T) ∘ (1 1^T - P)^∘-1) ∘ (1 1^T - P)
  becoming T - P.

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
    m = _tidied(m)
    shorter = _tidied(_entrywise(m))
    return shorter if shorter != m and sympy.count_ops(shorter) < sympy.count_ops(m) else m


def _tidied(m):
    previous = None
    for _ in range(8):
        if m == previous:
            break
        previous, m = m, _pass(m)
    return m


# --- entrywise expressions as scalar ones ---------------------------------------------------------------------

#: the largest entrywise expression (in operations) cancelled as a rational function
MAX_ENTRYWISE_OPS = 200


def _is_entrywise(m) -> bool:
    """A node whose entry (n, c) is a function of the entries (n, c) of its parts."""
    return isinstance(m, (HadamardProduct, HadamardPower, MatAdd))


def _entrywise(m):
    """``m`` with each largest entrywise part (one holding an entrywise product or power) rewritten from its
    cancelled scalar form, where that is shorter."""
    if not isinstance(m, sympy.MatrixExpr):
        return m
    if _is_entrywise(m) and any(isinstance(part, (HadamardProduct, HadamardPower))
                                for part in sympy.preorder_traversal(m)):
        rewritten = _cancelled(m)
        if rewritten is not None:
            return rewritten
    if not m.args:
        return m
    args = [_entrywise(a) if isinstance(a, sympy.MatrixExpr) else a for a in m.args]
    return m if all(a is b for a, b in zip(args, m.args)) else m.func(*args)


def _cancelled(m):
    """The entrywise expression m from its scalar form cancelled, or None when that is not shorter."""
    leaves = {}
    scalar = _as_scalar(m, m.shape, leaves)
    if scalar is None or sympy.count_ops(scalar) > MAX_ENTRYWISE_OPS:
        return None
    cancelled = sympy.factor_terms(sympy.cancel(sympy.together(scalar)))
    if sympy.count_ops(cancelled) >= sympy.count_ops(scalar):
        return None
    matrices = {symbol: leaf for leaf, symbol in leaves.items()}
    return _as_matrix(cancelled, m.shape, matrices)


def _as_scalar(m, shape, leaves):
    """One entry of m as a scalar expression: each array that is not entrywise (a symbol, a product X W, a
    function of an array) a fresh symbol; None where a part has another shape."""
    if m.shape != shape:
        return None
    if _is_ones(m):
        return sympy.S.One
    if isinstance(m, MatAdd):
        terms = [_as_scalar(a, shape, leaves) for a in m.args]
        return None if any(t is None for t in terms) else sympy.Add(*terms)
    if isinstance(m, HadamardProduct):
        factors = [_as_scalar(a, shape, leaves) for a in m.args]
        return None if any(f is None for f in factors) else sympy.Mul(*factors)
    if isinstance(m, HadamardPower):
        base = _as_scalar(m.base, shape, leaves)
        return None if base is None else base ** m.exp
    if isinstance(m, MatMul):
        coefficient, rest = _coefficient_and_rest(m)
        if coefficient != 1 and rest is not None:
            inner = _as_scalar(rest, shape, leaves)
            return None if inner is None else coefficient * inner
    if m not in leaves:
        leaves[m] = sympy.Dummy(f"e{len(leaves)}")
    return leaves[m]


def _as_matrix(scalar, shape, matrices):
    """The scalar form back as an entrywise matrix expression of ``shape``."""
    from ..lang.values import ones_matrix
    if not scalar.free_symbols & set(matrices):
        return MatMul(scalar, ones_matrix(*shape)) if scalar != 1 else ones_matrix(*shape)
    if scalar in matrices:
        return matrices[scalar]
    if isinstance(scalar, sympy.Add):
        return MatAdd(*[_as_matrix(term, shape, matrices) for term in scalar.args])
    if isinstance(scalar, sympy.Mul):
        constant = sympy.Mul(*[f for f in scalar.args if not f.free_symbols & set(matrices)])
        parts = [_as_matrix(f, shape, matrices) for f in scalar.args if f.free_symbols & set(matrices)]
        body = parts[0] if len(parts) == 1 else HadamardProduct(*parts)
        return body if constant == 1 else MatMul(constant, body)
    if isinstance(scalar, sympy.Pow):
        return HadamardPower(_as_matrix(scalar.base, shape, matrices), scalar.exp)
    raise ValueError(f"not an entrywise form: {scalar}")


def _coefficient_and_rest(m):
    """(c, M) with m = c M, c a scalar and M a matrix expression."""
    if isinstance(m, MatMul):
        coefficient, matrices = m.as_coeff_matrices()
        if not matrices:
            return coefficient, None
        rest = matrices[0] if len(matrices) == 1 else MatMul(*matrices)
        return coefficient, rest
    return sympy.S.One, m


def _negated(term):
    """-term, its coefficient negated (-(c A) = (-c) A, -(-A) = A)."""
    coefficient, rest = _coefficient_and_rest(term)
    return _scaled(-coefficient, rest)


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
        sums = [i for i, f in enumerate(kept) if isinstance(f, MatAdd)]
        if coefficient.could_extract_minus_sign() and len(sums) == 1:      # -c A (T - P) = c A (P - T)
            coefficient = -coefficient
            kept[sums[0]] = MatAdd(*[_negated(term) for term in kept[sums[0]].args])
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
