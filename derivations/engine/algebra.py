"""Tidying a derivative once the rules have run: Kronecker deltas and sums.

Each function looks for one place its identity applies and returns the
rewritten expression with the rule it applied, or ``None``. :func:`tidy`
applies them until none applies, one step each, so every tidying move is a
step of its own, verified like the others.

``facts`` are the relations known in the current case, e.g. ``Ne(k, y_i)``.
"""
from __future__ import annotations

import sympy
from sympy import Add, Eq, KroneckerDelta, Mul, Ne, Sum

from . import rules as R
from .differentiate import _sum_parts
from .notation import K, SumExcept
from .steps import Step


def _known(a, b, facts, exclusions):
    """1 if a = b is known, 0 if a != b is known (from facts or a sum's exclusion), else None."""
    if a == b:
        return sympy.S.One, Eq(a, b)
    for fact in facts:
        if {fact.lhs, fact.rhs} == {a, b}:
            if isinstance(fact, Ne):
                return sympy.S.Zero, fact
            if isinstance(fact, Eq):
                return sympy.S.One, fact
    for index, excluded in exclusions:
        if {index, excluded} == {a, b}:
            return sympy.S.Zero, Ne(index, excluded)
    return None


def evaluate_kronecker(expr, facts=()):
    """delta_{ab} -> 0 or 1 wherever a relation (a case's condition, a sum's j != y_i) decides it."""
    found = {}

    def walk(e, exclusions):
        if isinstance(e, KroneckerDelta):
            known = _known(e.args[0], e.args[1], facts, exclusions)
            if known is not None and e not in found:
                found[e] = known
            return
        if isinstance(e, SumExcept):
            exclusions = exclusions + ((e.index, e.excluded),)
        for arg in e.args:
            walk(arg, exclusions)

    walk(expr, ())
    if not found:
        return None
    first_delta, (value, reason) = next(iter(found.items()))
    return expr.xreplace({delta: v for delta, (v, _) in found.items()}), R.KroneckerEvaluation(
        first_delta, value, reason)


def multiply_out(expr):
    """``expr`` with products multiplied out (sympy.expand), but an exponential of a sum kept as it is: SymPy would
    write e^{sum_q a_q} as the product prod_q e^{a_q}, which is no clearer and which no step's check evaluates."""
    kept = {}
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.exp) and node.args[0].has(Sum) and node not in kept:
            kept[node] = sympy.Dummy("e")
    if not kept:
        return sympy.expand(expr)
    return sympy.expand(expr.xreplace(kept)).xreplace({v: k for k, v in kept.items()})


def _summand_terms_with_delta(summand, index):
    return [t for t in Add.make_args(summand) if any(index in dl.args for dl in t.atoms(KroneckerDelta))]


def _sums(expr):
    """(node, summand, index, rebuild) for every sum in ``expr``, outermost first."""
    for node in sympy.preorder_traversal(expr):
        parts = _sum_parts(node)
        if parts is not None:
            yield (node, *parts)


def split_sum(expr, facts=()):
    """sum_j (a_j + b_j) -> sum_j a_j + sum_j b_j, where a term holds a delta on j (to collapse it next)."""
    for node, summand, index, rebuild in _sums(expr):
        summand = multiply_out(summand) if isinstance(summand, Mul) and _summand_terms_with_delta(
            multiply_out(summand), index) else summand
        if isinstance(summand, Add) and _summand_terms_with_delta(summand, index):
            replacement = Add(*[rebuild(t) for t in summand.args])
            return expr.xreplace({node: replacement}), R.SplitSum(index)
    return None


def collapse_kronecker(expr, facts=()):
    """sum_j g_j delta_{jk} -> g_k when k is in the sum's range (for sum_{j != y}: when k != y is known).

    In a sum over several indices (sum_n sum_j, which SymPy keeps as one sum) any of them may collapse;
    the others stay summed over."""
    for node, summand, index, _ in _sums(expr):
        if not isinstance(summand, (Mul, KroneckerDelta)):
            continue
        if isinstance(node, Sum):
            indices = [limit[0] for limit in node.limits]
        else:
            indices = [index]
        for bound in indices:
            for delta in Mul.make_args(summand):
                if not isinstance(delta, KroneckerDelta) or bound not in delta.args:
                    continue
                target = delta.args[1] if delta.args[0] == bound else delta.args[0]
                if any(target.has(i) for i in indices):
                    continue
                if isinstance(node, SumExcept):
                    known = _known(target, node.excluded, facts, ())
                    if known is None or known[0] != 0:
                        continue
                rest = Mul(*[f for f in Mul.make_args(summand) if f is not delta])
                replacement = rest.xreplace({bound: target})
                if isinstance(node, Sum) and len(node.limits) > 1:         # the other sums stay
                    replacement = Sum(replacement, *[limit for limit in node.limits if limit[0] != bound])
                return expr.xreplace({node: replacement}), R.KroneckerCollapse(bound, target)
    return None


def factor_out_of_sum(expr, facts=()):
    """sum_j c f_j -> c sum_j f_j for a factor c that does not involve j."""
    for node, summand, index, rebuild in _sums(expr):
        factors = Mul.make_args(summand)
        indices = [limit[0] for limit in node.limits] if isinstance(node, Sum) else [index]
        constant = [f for f in factors if not any(f.has(i) for i in indices)]
        varying = [f for f in factors if any(f.has(i) for i in indices)]
        if constant and varying:
            c = Mul(*constant)
            return expr.xreplace({node: c * rebuild(Mul(*varying))}), R.SumFactorOut(c, index)
    return None


def sum_of_constant(expr, facts=()):
    """sum over the K - 1 classes j != y_i (or all K) of a constant c -> (K - 1) c (or K c)."""
    for node, summand, index, _ in _sums(expr):
        if summand.has(index):
            continue
        if isinstance(node, SumExcept):
            count = node.upper - node.lower
        elif isinstance(node, Sum):
            (_, lo, hi) = node.limits[0]
            count = hi - lo + 1
            if len(node.limits) > 1:                             # the outer sums stay
                return expr.xreplace({node: Sum(count * summand, *node.limits[1:])}), R.SumOfConstant(summand, count)
        return expr.xreplace({node: count * summand}), R.SumOfConstant(summand, count)
    return None


TIDY_MOVES = (evaluate_kronecker, split_sum, collapse_kronecker, factor_out_of_sum)


def tidy(expr, facts=(), moves=TIDY_MOVES, max_steps=20):
    """The steps that tidy ``expr`` with ``moves`` (first that applies, repeatedly)."""
    steps = []
    for _ in range(max_steps):
        for move in moves:
            found = move(expr, facts)
            if found is not None:
                after, rule = found
                steps.append(Step(expr, after, rule))
                expr = after
                break
        else:
            return steps
    return steps


__all__ = ["tidy", "evaluate_kronecker", "split_sum", "collapse_kronecker", "factor_out_of_sum",
           "sum_of_constant", "K"]
