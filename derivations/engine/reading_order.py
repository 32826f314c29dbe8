"""The order in which the course writes the terms of a sum: scores first, then symbols, then numbers.

``s_j - s_{y_i} + Delta`` rather than SymPy's ``Delta + s_j - s_{y_i}``; ``1 - p_k``, not ``-p_k + 1``.
The printers write sums in this order, and worked examples put numbers into
them in the same order, so a written-out sum reads like the formula above it.
"""
from __future__ import annotations

from sympy import Add, Indexed, Mul, Number, Sum, exp

from .notation import SumExcept, WeightedScore, lam


def term_key(term):
    """Scores first (positive before negative), then other symbols, then numbers; a term with a bracketed
    sum in it after one without (-t_1 log p_1 - (1 - t_1) log p_2)."""
    coeff, rest = term.as_coeff_Mul()
    negative = coeff.is_Number and coeff < 0
    if isinstance(term, Number):
        return (3, 0, 0, 0, 0)
    has_indexed = bool(term.atoms(Indexed)) or term.has(WeightedScore)      # w_j^T x is a score too
    bracketed = any(isinstance(f, Add) for f in Mul.make_args(rest))
    summed = any(isinstance(f, (Sum, SumExcept)) for f in Mul.make_args(rest))  # (1/N) sum_n ... before 2 lambda W
    penalty = 1 if rest.has(lam) else 0                                          # the penalty lambda ... last
    return (0 if has_indexed else 1, 1 if negative else 0, 1 if bracketed else 0, penalty, 0 if summed else 1)


def ordered_terms(expr: Add):
    """The terms of a sum in reading order: scores first, then symbols, then numbers;
    a sum never starts with a minus when it has a positive term (``1 - p_k``, not ``-p_k + 1``).
    """
    terms = list(Add.make_args(expr))
    if not expr.free_symbols:
        return terms            # arithmetic written out by a derivation keeps its order
    if any(isinstance(t, (Sum, SumExcept, exp)) for t in terms):       # 1 + Σ ..., Σ ... - e^{s_j}, 1 + e^{-u}
        return sorted(terms, key=lambda t: (0 if isinstance(t, Number) else 1,) + term_key(t))
    terms = sorted(terms, key=term_key)
    if term_key(terms[0])[1] == 1:
        positive = [t for t in terms if term_key(t)[1] == 0]
        if positive:
            terms.remove(positive[0])
            terms.insert(0, positive[0])
    return terms
