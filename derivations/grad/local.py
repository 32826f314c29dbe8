"""One part of a gradient, derived in index form and read as a matrix: every step verified.

For a definition V (entry V_ij in index form) and one array A it uses, the part of dL/dA_pq that flows back
through V is sum_ij G_ij dV_ij/dA_pq, with G = dL/dV held fixed (for the loss itself, dL/dA_pq of its
definition). The steps:

1. the upstream gradient held fixed: sum_ij G_ij dV_ij/dA_pq = d/dA_pq (sum_ij G_ij V_ij);
2. V_ij replaced by its definition (its index form);
3. the rules of :mod:`derivations.engine.differentiate` (sum, product, chain rules, max(0, u), exp, log, ...),
   then the Kronecker deltas collapsed and the sums tidied (:mod:`derivations.engine.algebra`);
4. where a Kronecker delta with a label is left (c = y_i or not), the cases, each worked out (:mod:`.cases`);
5. the result read as entry (p, q) of the matrix that backpropagation gives (:mod:`.backprop`).

Each step is checked by a verifier that knows only V's definition: the arrays V uses and the upstream
gradient G are unknowns drawn at random (with N, D, H and K set to small sizes, on both sides of every kink),
which is what makes the result the partial derivative through V alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Derivative, Indexed, IndexedBase, Sum, Symbol
from sympy.matrices.expressions.matexpr import MatrixElement

from ..engine import rules as R
from ..engine.algebra import tidy
from ..engine.build import Builder
from ..engine.differentiate import d, differentiate
from ..engine.notation import SIGMOID_DEFINITION
from ..engine.steps import Chain, Step
from ..lang import names as nm
from ..lang.lower import Node, bound_as_dummies, readable_bound_indices
from .cases import indicator_cases, label_cases
from .graph import Backprop, Part


class UnknownDerivative(ValueError):
    """A derivative no rule applies to was left in a part (a function the differentiator does not know)."""

#: the verifier's sizes: K takes each of these, D, N and H one, two and three more
CLASS_COUNTS = (2, 3)

#: names for the indices of the entry differentiated with respect to, by the dimension they run over
VARIABLE_LETTERS = {"N": ("i", "p", "a"), "D": ("d", "e", "f"), "H": ("h", "g", "l"), "K": ("c", "k", "b")}


@dataclass
class LocalDerivation:
    """The steps of one part and the entry it ends in."""

    part: Part
    variable: object           # the entry A_pq differentiated with respect to
    indices: tuple             # (p, q)
    chain: Chain               # the derivation in index form, ending in entry (p, q) of the part's matrix
    index_result: object       # the index form before it is read as a matrix
    cases: object = None       # a CaseSplit, when a Kronecker delta with a label was left
    matrix: Chain = None       # the index form read as entry (p, q) of the part's matrix


def symbols_in(expr) -> set:
    """The names of every symbol in ``expr``, bound ones included."""
    found = set()
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, Symbol):
            found.add(node.name)
        elif isinstance(node, IndexedBase):
            found.add(str(node.label))
    return found


def variable_indices(item, avoid: set) -> tuple:
    """Index symbols for an entry of ``item`` (an Input or Node), named by its dimensions, avoiding ``avoid``."""
    from ..lang.lower import dim_name
    chosen = []
    for dim in item.dims:
        letters = VARIABLE_LETTERS[dim_name(dim)]
        name = next((x for x in letters if x not in avoid and x not in (c.name for c in chosen)), None)
        k = 2
        while name is None:
            candidate = f"{letters[0]}{k}"
            name = candidate if candidate not in avoid else None
            k += 1
        chosen.append(Symbol(name, integer=True))
    return tuple(chosen)


def entry_of(item, indices):
    return item.base[tuple(indices)] if indices else item.base


def surrogate(backprop: Backprop, node: Node, own=None):
    """(the expression differentiated, the first steps' left side or None): the loss's definition itself, or
    sum_ij G_ij V_ij for a definition with upstream gradient G (its entries indexed by ``own``, default its own
    indices)."""
    own = node.indices if own is None else tuple(own)
    upstream = backprop.upstream_entry(node, own)
    if upstream is None:
        return node.index, None
    body = upstream * node.entry(*own)
    held = upstream * (node.base[own] if own else node.base)
    for index, dim in reversed(list(zip(own, node.dims))):
        body = Sum(body, (index, 0, dim - 1))
        held = Sum(held, (index, 0, dim - 1))
    return body, held


class Widening:
    """A builder that checks with ``narrow`` definitions first (the fewest names put in: the cheapest to evaluate)
    and, where a check finds too few points at which both sides are real numbers (log P with P drawn at random
    below 0), checks again with ``wide`` ones (P = sigma(X W), as the spec computes it) from then on."""

    def __init__(self, narrow: dict, wide: dict):
        self.builder = Builder(narrow, class_counts=CLASS_COUNTS)
        self.wide = wide if wide != narrow else None

    def _retry(self, make, steps):
        from ..engine.verify import VerificationError
        try:
            return make()
        except VerificationError as error:
            if self.wide is None or not error.verification.undecided:
                raise
            for step in steps:
                step.verification = None
            self.builder, self.wide = Builder(self.wide, class_counts=CLASS_COUNTS), None
            return make()

    def chain(self, steps, conditions=()):
        return self._retry(lambda: self.builder.chain(steps, conditions), steps)

    def claim(self, lhs, rhs, rule, relation="=", conditions=()):
        return self._retry(lambda: self.builder.claim(lhs, rhs, rule, relation, conditions), [])


def local_definitions(backprop: Backprop, part: Part, alone: bool = False) -> dict:
    """What the verifier of one part may put in: V's definition; the definitions of what V uses (A itself, held as
    the variable, and the others with what they are made of, so that their values are those the spec computes:
    P = sigma(X W) between 0 and 1), except an array of V that depends on A (mu = mean(x) for x - mu): that one
    stays an unknown drawn at random, which makes the result the derivative through V alone; and the named
    matrices the part's matrix holds (softmax(S) written P)."""
    program = backprop.program
    node, parent = part.consumer, part.parent
    found = dict(SIGMOID_DEFINITION)
    found[node.base] = _definition(node)
    if alone:                                    # V's definition, and those of the named matrices of the part
        for symbol in part.matrix.atoms(nm.SpecArray):
            other = program.node(symbol.name)
            if other is not None and other is not node and symbol not in node.uses():
                found[other.base] = _definition(other)
                for inner in _parents(program, other):
                    if inner is not parent and not _depends(program, inner, parent.symbol):
                        found.setdefault(inner.base, _definition(inner))
        return found
    blocked = {other.name for other in _parents(program, node)
               if other is not parent and _depends(program, other, parent.symbol)}

    def add(item):
        if item.name in blocked or item.base in found:
            return
        found[item.base] = _definition(item)
        for inner in _parents(program, item):
            add(inner)

    for other in _parents(program, node):
        add(other)
    for symbol in part.matrix.atoms(nm.SpecArray):
        other = program.node(symbol.name)
        if other is not None and other is not node:
            add(other)
    return found


def _parents(program, node) -> list:
    """The definitions (not the inputs) ``node``'s matrix form reads."""
    found = []
    for symbol in sorted(node.uses(), key=lambda s: s.name):
        inner = program.node(symbol.name)
        if inner is not None and inner is not node:
            found.append(inner)
    return found


def _depends(program, node, symbol) -> bool:
    """Whether ``node`` is computed from the array ``symbol`` (directly or through other definitions)."""
    if symbol in node.uses():
        return True
    return any(_depends(program, inner, symbol) for inner in _parents(program, node))


def _definition(node: Node):
    """A definition as the verifier is given it: its sums' indices Dummies (never a step's free index)."""
    index = bound_as_dummies(node.index)
    if not node.indices:
        return index
    return lambda *indices: index.xreplace(dict(zip(node.indices, indices)))


def derive_part(backprop: Backprop, part: Part) -> LocalDerivation:
    """The verified steps from sum_ij G_ij dV_ij/dA_pq (or dL/dA_pq) to entry (p, q) of the part's matrix."""
    node, parent = part.consumer, part.parent
    body, held = surrogate(backprop, node)
    # the entry's indices named first (W_dc, x_id), avoiding the names that stand free; the sums' own indices
    # renamed out of their way
    avoid = {s.name for s in body.free_symbols if isinstance(s, Symbol)} | {str(b.label) for b in
                                                                             body.atoms(IndexedBase)}
    indices = variable_indices(parent, avoid)
    variable = entry_of(parent, indices)
    bound = symbols_in(node.index) - {s.name for s in node.index.free_symbols if isinstance(s, Symbol)}
    own = _own_indices(node, set(avoid) | bound | {i.name for i in indices})
    body, held = surrogate(backprop, node, own)
    body = readable_bound_indices(body, set(indices))
    held = None if held is None else readable_bound_indices(held, set(indices))
    builder = Widening(local_definitions(backprop, part, alone=True), local_definitions(backprop, part))
    steps = []
    if held is None:
        steps.append(Step(d(node.element, variable), d(body, variable), R.Definition(node.element, node.index)))
    else:
        upstream = backprop.upstream_entry(node, own)
        spread = _chain_rule_form(held, upstream, node.base[own] if own else node.base, variable)
        steps.append(Step(spread, d(held, variable), R.HoldUpstream(upstream, node.element)))
        steps.append(Step(d(held, variable), d(body, variable), R.Definition(node.element, node.index)))
    steps += differentiate(body, variable, start=d(body, variable))
    steps += tidy(steps[-1].after)
    if any(isinstance(step.rule, R.NoRule) for step in steps):
        raise UnknownDerivative(steps[-1].after)
    chain = builder.chain(steps)
    result = chain.result
    labels = backprop.program.labels
    cases = label_cases(builder, result, labels.symbol if labels else None, indices)
    if cases is None:
        cases = indicator_cases(builder.builder if isinstance(builder, Widening) else builder, result)
    row = indices[0] if indices else sympy.Integer(0)
    col = indices[1] if len(indices) > 1 else sympy.Integer(0)
    entry = MatrixElement(part.matrix, row, col) if indices else part.matrix
    matrix = builder.chain([Step(result, entry, R.MatrixEntry())])
    return LocalDerivation(part, variable, indices, chain, result, cases, matrix)


def _own_indices(node, taken: set) -> tuple:
    """The indices of V's entries in the sum over them: its own, each renamed where the entry differentiated
    with respect to has taken its name."""
    from ..lang.lower import _readable
    out, used = [], set(taken)
    for index, dim in zip(node.indices, node.dims):
        chosen = index if index.name not in used else _readable(Symbol("_" + index.name, integer=True), dim, used)
        used.add(chosen.name)
        out.append(chosen)
    return tuple(out)


def _chain_rule_form(held, upstream, element, variable):
    """sum_ij G_ij dV_ij / dA_pq: the sum of ``held`` with each V_ij under a derivative."""
    body = held
    limits = []
    while isinstance(body, Sum):
        limits = list(body.limits) + limits
        body = body.function
    inner = upstream * Derivative(element, variable, evaluate=False)
    for limit in limits:
        inner = Sum(inner, limit)
    return inner


def is_indexed(e) -> bool:
    return isinstance(e, Indexed)


__all__ = ["derive_part", "LocalDerivation", "CLASS_COUNTS", "surrogate", "variable_indices", "symbols_in"]
