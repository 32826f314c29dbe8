"""Case splits found in an index form: where a Kronecker delta with a label is left, c = y_i and c != y_i.

After the Kronecker deltas of the indices have collapsed, a part of a gradient may still hold delta_{c, y_i}
(c the class of the entry, y_i the label of its example) or a sum over j != y_i of delta_{cj}: its value
depends on whether c is the label's class. The two cases are worked out separately, each step verified under
its condition (the verifier chooses c and y_i accordingly): the formula with the delta holds both at once.
"""
from __future__ import annotations

import sympy
from sympy import Eq, Heaviside, Indexed, KroneckerDelta, Ne, Symbol

from ..engine import rules as R
from ..engine.algebra import TIDY_MOVES, sum_of_constant, tidy
from ..engine.maxima import Argmax
from ..engine.notation import SumExcept
from ..engine.steps import Case, CaseSplit, Step


def argmax_of_the_excluded(expr, facts=()):
    """1[y = argmax_{j != y} f_j] -> 0: the largest of the other classes is never the excluded one."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, Argmax) and node.at == node.excluded:
            return expr.xreplace({node: sympy.S.Zero}), R.ArgmaxExcluded(node)
    return None


#: the tidying moves within a case: the usual ones, a sum of zeros, the argmax of an excluded class
MOVES = TIDY_MOVES + (argmax_of_the_excluded, sum_of_constant)


def label_in_delta(expr, labels, indices):
    """(c, y[p]) when ``expr`` holds delta_{c, y_p} or sum_{j != y_p} ... delta_{cj} for indices c, p of the entry
    (and no other label), else None."""
    if labels is None or not indices:
        return None
    found = None
    for delta in expr.atoms(KroneckerDelta):
        a, b = delta.args
        for index, other in ((a, b), (b, a)):
            if index in indices and isinstance(other, Indexed) and other.base == labels and \
                    other.indices[0] in indices:
                found = (index, other)
    if found is None:
        for node in sympy.preorder_traversal(expr):
            if isinstance(node, SumExcept) and isinstance(node.excluded, Indexed) and node.excluded.base == labels:
                for delta in node.function.atoms(KroneckerDelta):
                    rest = set(delta.args) - {node.index}
                    if len(rest) == 1 and next(iter(rest)) in indices:
                        found = (next(iter(rest)), node.excluded)
    if found is None:
        return None
    others = {a for a in expr.atoms(Indexed) if a.base == labels} - {found[1]}
    return None if others else found


def label_cases(builder, expr, labels, indices):
    """The case split c = y_p / c != y_p of ``expr`` (each case's steps verified under its condition), or None."""
    found = label_in_delta(expr, labels, indices)
    if found is None:
        return None
    index, label = found
    example = label.indices[0]
    plain = Symbol(f"y_{example.name}", integer=True)
    written = expr.xreplace({label: plain})
    equal, differ = Eq(index, plain), Ne(index, plain)
    same = written.xreplace({index: plain})
    first = [Step(written, same, R.CaseAssumption(equal))] + tidy(same, facts=(equal,), moves=MOVES)
    second = tidy(written, facts=(differ,), moves=MOVES) or [Step(written, written, R.CaseAssumption(differ))]
    cases = [
        Case(equal, "the label's class", [builder.chain(first, conditions=(equal,))]),
        Case(differ, "another class", [builder.chain(second, conditions=(differ,))]),
    ]
    return CaseSplit(cases, R.CaseSplitRule(index, (equal, differ)))


def _decided(expr, u, positive: bool):
    """``expr`` where u > 0 (``positive``) or u <= 0: 1[u > 0] and 1[-u > 0] become 1 or 0, max(a, b) and min(a, b)
    with a - b = +-u the argument that is the larger (smaller) there."""
    minus = sympy.expand(-u)

    def decide(e):
        if isinstance(e, Heaviside) and len(e.args) == 2 and e.args[1] == 0:
            if e.args[0] == u:
                return sympy.S.One if positive else sympy.S.Zero
            if sympy.expand(e.args[0]) == minus:
                return sympy.S.Zero if positive else sympy.S.One
        if isinstance(e, (sympy.Max, sympy.Min)) and len(e.args) == 2:
            a, b = e.args
            gap = sympy.expand(a - b)
            if gap in (sympy.expand(u), minus):
                a_larger = (gap == sympy.expand(u)) == positive
                larger, smaller = (a, b) if a_larger else (b, a)
                return larger if isinstance(e, sympy.Max) else smaller
        return None

    return expr.replace(lambda e: decide(e) is not None, decide)


def indicator_cases(builder, expr):
    """The case split u > 0 / u <= 0 of ``expr`` on the argument u of an indicator 1[u > 0] that holds no index
    summed over (which term of a max is the larger; whether a ReLU passes), each case's steps verified where its
    condition holds (both sides multiplied by the case's indicator, at points on both sides of the kink), or None."""
    free = expr.free_symbols
    found = sorted((h for h in expr.atoms(Heaviside) if len(h.args) == 2 and h.args[1] == 0
                    and h.args[0].free_symbols <= free), key=str)
    if not found:
        return None
    u = found[0].args[0]
    cases = []
    for positive in (True, False):
        condition = sympy.Gt(u, 0, evaluate=False) if positive else sympy.Le(u, 0, evaluate=False)
        weight = Heaviside(u, 0) if positive else 1 - Heaviside(u, 0)
        decided = _decided(expr, u, positive)
        steps = [Step(expr, decided, R.CaseAssumption(condition))]
        steps += tidy(decided, moves=MOVES)
        for step in steps:
            step.verification = builder.verifier.check(step.before * weight, step.after * weight)
            if not step.verification.ok:
                from ..engine.verify import VerificationError
                raise VerificationError(step, step.verification)
        from ..engine.steps import Chain
        cases.append(Case(condition, "where it is positive" if positive else "where it is not", [Chain(steps)]))
    return CaseSplit(cases, R.CaseSplitRule(u, tuple(c.condition for c in cases)))


__all__ = ["label_cases", "label_in_delta", "indicator_cases"]
