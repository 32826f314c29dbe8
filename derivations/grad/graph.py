"""The gradient of a spec's result with respect to the variables asked for, definition by definition.

Backpropagation in the order of the definitions, last first: each definition V that lies between a variable
and the result gets its gradient dV = dL/dV, the sum of the parts that flow back into it from each definition
that uses it (:func:`~.backprop.vector_jacobian`); each variable W gets dW the same way. For a loss the result
L is a scalar and dL/dL = 1; for a layer (a result ``out`` that is not a scalar) the upstream gradient
``dout`` = dL/dout is given, for any loss L downstream.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from sympy import HadamardProduct, Identity, MatAdd, MatMul, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower

from ..lang import names as nm
from ..lang.errors import SpecError
from ..lang.lower import Input, Node, Program
from .backprop import NoMatrixRule, named_where_defined, vector_jacobian
from .simplify import simplify


@dataclass
class Part:
    """The part of dA that flows back through the definition ``consumer``: sum_ij G_ij dV_ij/dA_pq."""

    consumer: Node
    parent: object           # Node or Input
    matrix: object


@dataclass
class Gradient:
    """dA = dL/dA: its matrix symbol (dA), its entries in index form, and the parts it sums."""

    of: object               # Node or Input
    symbol: object
    base: object
    parts: list = field(default_factory=list)

    @property
    def total(self):
        matrices = [p.matrix for p in self.parts]
        return matrices[0] if len(matrices) == 1 else MatAdd(*matrices)

    @property
    def name(self) -> str:
        return self.symbol.name


@dataclass
class Backprop:
    program: Program
    variables: list          # the Inputs differentiated with respect to
    upstream: object         # the Input dout of a layer, or None for a loss
    gradients: dict          # name of a Node or Input -> Gradient, in the order they were completed
    order: list              # the Nodes backpropagated through, last definition first
    stated: dict = field(default_factory=dict)   # name of a variable -> the shorter form its spec states (simplify)

    def final(self, item):
        """The gradient of a variable as the code computes it: the stated shorter form, or the sum of its parts."""
        return self.stated.get(item.name, self.gradients[item.name].total)

    def gradient(self, item) -> Gradient:
        return self.gradients[item.name]

    def upstream_of(self, node: Node):
        """G = dL/dV for the definition V: 1 for a loss, dout for a layer's result, else dV."""
        if node is self.program.output:
            return None if self.upstream is None else self.upstream.symbol
        return self.gradients[node.name].symbol

    def upstream_entry(self, node: Node, indices):
        """The entry of G = dL/dV in index form (None for the loss itself, where it is 1)."""
        if node is self.program.output:
            if self.upstream is None:
                return None
            base = self.upstream.base
        else:
            base = self.gradients[node.name].base
        return base[tuple(indices)] if indices else base

    def definitions(self) -> dict:
        """Every gradient's entries in index form (for the verifier): dV_ij = entry (i, j) of its sum of parts."""
        from ..engine.matrices import entry
        found = {}
        for gradient in self.gradients.values():
            if isinstance(gradient.of, Input):
                continue
            total, dims = gradient.total, gradient.of.dims
            found[gradient.base] = _entries(total, dims, entry)
        return found


def _entries(total, dims, entry):
    if len(dims) == 2:
        return lambda i, j: entry(total, i, j)
    if len(dims) == 1:
        return lambda i: entry(total, i, sympy.Integer(0))
    return entry(total, sympy.Integer(0), sympy.Integer(0))


def backpropagate(program: Program, variables: list) -> Backprop:
    """The gradients of the result with respect to ``variables`` (names of declared arrays)."""
    output = program.output
    inputs = [program.inputs[name] for name in variables]
    upstream = upstream_input(program) if not program.is_loss else None
    by_symbol = program.by_symbol()
    wanted = {item.symbol for item in inputs}
    depends = _dependence(program, wanted)
    needed = _needed(program)
    gradients: dict = {}
    order = []
    definitions = {node.symbol: node.matrix for node in program.nodes}
    taken = set(program.inputs) | {n.name for n in program.nodes}
    for node in reversed(program.nodes):
        if node.name not in needed or not depends[node.name]:
            continue
        if node is not output and node.name not in gradients:
            continue                         # nothing that depends on a variable reaches the result through it
        order.append(node)
        g = Identity(1) if node is output and upstream is None else (
            upstream.symbol if node is output else gradients[node.name].symbol)
        for symbol in sorted(node.matrix.atoms(nm.SpecArray), key=lambda s: s.name):
            item = by_symbol.get(symbol)
            if item is None or (isinstance(item, Node) and not depends[item.name]) \
                    or (isinstance(item, Input) and symbol not in wanted):
                continue
            try:
                matrix = vector_jacobian(node.matrix, symbol, g)
            except NoMatrixRule as error:
                raise SpecError(f"{error} in the definition of {node.name}", program.spec.where(node.at)) from None
            if matrix is None:
                continue
            matrix = named_where_defined(simplify(clean(matrix)), definitions)
            gradient = gradients.get(item.name)
            if gradient is None:
                gradient = gradients[item.name] = _gradient_of(item, program, taken)
            gradient.parts.append(Part(node, item, matrix))
    missing = [item.name for item in inputs if item.name not in gradients]
    if missing:
        raise SpecError(f"the result does not depend on {', '.join(missing)}: nothing to differentiate")
    backprop = Backprop(program, inputs, upstream, gradients, order)
    backprop.stated = stated_forms(program, backprop)
    return backprop


def stated_forms(program: Program, backprop: Backprop) -> dict:
    """The shorter forms the spec states for gradients (``simplify dx = ...``), in matrix form, by variable."""
    from ..lang.lower import lower_expression
    found = {}
    extra = {g.name: Node(g.name, g.of.dims, g.symbol, g.base, g.total, (), None) for g in backprop.gradients.values()}
    if backprop.upstream is not None:            # a layer's dout, declared or not
        extra[backprop.upstream.name] = backprop.upstream
    for statement in program.simplifications:
        target = next((i for i in backprop.variables if "d" + i.name == statement.name), None)
        if target is None:
            names = ", ".join("d" + i.name for i in backprop.variables)
            raise SpecError(f"simplify names the gradient of a variable differentiated with respect to ({names}), "
                            f"not {statement.name}", program.spec.where(statement.at))
        if target.name in found:
            raise SpecError(f"a second simplify for {statement.name}", program.spec.where(statement.at))
        found[target.name] = simplify(lower_expression(program, statement.expr, extra, target.dims, statement.at,
                                                       statement.name))
    return found


def _gradient_of(item, program, taken) -> Gradient:
    name = "d" + item.name
    if name in taken:
        raise SpecError(f"{name!r} would name the gradient of {item.name}, but the spec uses that name: rename it",
                        program.spec.where(item.at))
    shown = "d" + program.shown.get(item.name, item.name)
    symbol = nm.array_symbol(name, item.dims, shown)
    return Gradient(item, symbol, nm.entries_of(name, item.dims, shown))


def upstream_input(program: Program) -> Input:
    """The upstream gradient dout of a layer whose result is ``out``: declared in the spec, or given here."""
    output = program.output
    name = "d" + output.name
    declared = program.inputs.get(name)
    if declared is not None:
        if declared.kind != "array" or declared.dims != output.dims:
            raise SpecError(f"{name} is the upstream gradient of {output.name}: it must have its shape "
                            f"({' x '.join(map(str, output.dims))})", program.spec.where(declared.at))
        return declared
    if program.node(name) is not None:
        raise SpecError(f"{name!r} would name the upstream gradient of {output.name}, but the spec defines it")
    shown = "d" + program.shown.get(output.name, output.name)
    symbol = nm.array_symbol(name, output.dims, shown)
    item = Input(name, "array", output.dims, symbol, nm.entries_of(name, output.dims, shown), at=output.at,
                 dim_names=output.dim_names)
    return item


def _dependence(program: Program, wanted: set) -> dict:
    """name -> whether it depends on a variable differentiated with respect to."""
    found = {}
    for item in program.inputs.values():
        found[item.name] = item.kind == "array" and item.symbol in wanted
    by_symbol = program.by_symbol()
    for node in program.nodes:
        found[node.name] = any(found.get(by_symbol[s].name, False) for s in node.matrix.atoms(nm.SpecArray)
                               if s in by_symbol)
    return found


def _needed(program: Program) -> set:
    """The definitions the result is computed from (itself included)."""
    by_symbol = program.by_symbol()
    needed, todo = set(), [program.output]
    while todo:
        node = todo.pop()
        if node.name in needed:
            continue
        needed.add(node.name)
        for symbol in node.matrix.atoms(nm.SpecArray):
            item = by_symbol.get(symbol)
            if isinstance(item, Node):
                todo.append(item)
    return needed


def clean(m):
    """A matrix expression without the 1 x 1 identity the loss starts from, nor double negations."""
    if not isinstance(m, sympy.MatrixExpr):
        return m
    if isinstance(m, MatMul):
        coefficient, matrices = m.as_coeff_matrices()
        kept = [clean(x) for x in matrices if not (isinstance(x, Identity) and x.shape == (1, 1))]
        if not kept:
            return Identity(1) if coefficient == 1 else MatMul(coefficient, Identity(1))
        if len(kept) == 1 and coefficient == 1:
            return kept[0]
        return MatMul(coefficient, *kept) if coefficient != 1 else MatMul(*kept)
    if isinstance(m, HadamardProduct):
        kept = [clean(x) for x in m.args if not (isinstance(x, Identity) and x.shape == (1, 1))]
        if len(kept) == 1:
            return kept[0]
        return HadamardProduct(*kept)
    if isinstance(m, MatAdd):
        return MatAdd(*[clean(x) for x in m.args])
    if isinstance(m, Transpose):
        inner = clean(m.arg)
        return inner if inner.shape == (1, 1) and isinstance(inner, Identity) else Transpose(inner)
    if isinstance(m, HadamardPower):
        return HadamardPower(clean(m.base), m.exp)
    if m.args and all(isinstance(a, sympy.MatrixExpr) for a in m.args):
        return m.func(*[clean(a) for a in m.args])
    return m


__all__ = ["backpropagate", "Backprop", "Gradient", "Part", "upstream_input", "clean"]
