"""Staging an expression into a computational graph of primitive gates (as the lecture on backpropagation does).

Each node of the SymPy tree becomes a gate whose inputs are the nodes of its
arguments: add, multiply, *-1 (negate), +c and *c (a constant folded in),
1/x, x^2, sqrt, x^n, exp, log, sigma, max and min (of any number of inputs), ReLU, the elementary
functions, ... A sum of negated terms, -(a + b), becomes a *-1 gate on a + b,
as the staged sigmoid neuron has it. Equal sub-expressions share one node,
so a variable used twice has two outgoing edges (its gradients add up).

Nodes are numbered u_1, u_2, ... in the order of the forward pass; the last
one is the output f. A gate's ``formula`` is written with its inputs' symbols
(u_3 = u_1 u_2): the engine differentiates that formula for each input to get
the gate's local gradients.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from sympy import Add, Indexed, Max, Min, Mul, Pow, Symbol, exp, log

from ..engine.elementary import ONE_ARGUMENT
from ..engine.functions import LeakyRelu, Relu, Softplus
from ..engine.inputs import InputError
from ..engine.notation import Sigmoid

#: gates in one graph at most
MAX_GATES = 300


@dataclass
class Node:
    """One node: an input (a variable) or a gate computing ``formula`` of its ``inputs``."""

    symbol: sympy.Expr             # the variable itself for an input; u_1, u_2, ... for a gate
    kind: str                      # "input", or the gate: "add", "multiply", "negate", "exp", ...
    label: str                     # what the picture writes in the gate: "+", "*", "*-1", "1/x", "exp", ...
    formula: sympy.Expr            # in the inputs' symbols: u_1 + u_2; for an input, its symbol
    inputs: tuple = ()             # the symbols of the input nodes, in order
    computes: sympy.Expr = None    # the part of f it computes, in the user's variables

    @property
    def is_input(self) -> bool:
        return self.kind == "input"


@dataclass
class Graph:
    """The nodes in forward order (inputs first as they are met); the last node is the output."""

    nodes: list[Node] = field(default_factory=list)

    @property
    def output(self) -> Node:
        return self.nodes[-1]

    @property
    def inputs(self) -> list[Node]:
        return [n for n in self.nodes if n.is_input]

    @property
    def gates(self) -> list[Node]:
        return [n for n in self.nodes if not n.is_input]

    def node(self, symbol) -> Node:
        return next(n for n in self.nodes if n.symbol == symbol)

    def consumers(self, symbol) -> list[Node]:
        return [n for n in self.nodes if symbol in n.inputs]


def _const_str(c) -> str:
    from ..report.printing import text
    return text(c)


def _decompose(e):
    """(kind, label, children, formula maker) for a sub-expression ``e``; InputError for what cannot be staged."""
    if isinstance(e, Add):
        terms = list(e.args)
        constant = Add(*[t for t in terms if not t.free_symbols])
        varying = [t for t in terms if t.free_symbols]
        if len(varying) > 1 and constant == 0 and all(t.could_extract_minus_sign() for t in varying):
            return "negate", "*-1", [Add(*[-t for t in varying])], lambda a: -a
        if len(varying) == 1:
            label = f"+{_const_str(constant)}" if not constant.could_extract_minus_sign() else \
                f"-{_const_str(-constant)}"
            return "add_constant", label, varying, lambda a: a + constant
        return "add", "+", varying, lambda *a: Add(*a) + constant
    if isinstance(e, Mul):
        factors = list(e.args)
        constant = Mul(*[f for f in factors if not f.free_symbols])
        varying = [f for f in factors if f.free_symbols]
        if len(varying) == 1:
            if constant == -1:
                return "negate", "*-1", varying, lambda a: -a
            return "scale", f"*{_const_str(constant)}", varying, lambda a: constant * a
        return "multiply", "*", varying, lambda *a: constant * Mul(*a)
    if isinstance(e, Pow):
        base, exponent = e.args
        if not exponent.free_symbols:
            if exponent == -1:
                return "reciprocal", "1/x", [base], lambda a: 1 / a
            if exponent == 2:
                return "square", "x²", [base], lambda a: a ** 2
            if exponent == sympy.S.Half:
                return "sqrt", "√x", [base], lambda a: sympy.sqrt(a)
            return "power", f"x^{_const_str(exponent)}", [base], lambda a: a ** exponent
        if not base.free_symbols:
            return "exponential", f"{_const_str(base)}^x", [exponent], lambda a: base ** a
        return "power", "x^y", [base, exponent], lambda a, b: a ** b
    if isinstance(e, exp):
        return "exp", "exp", [e.args[0]], exp
    if isinstance(e, log) and len(e.args) == 1:
        return "log", "log", [e.args[0]], log
    if isinstance(e, Sigmoid):
        return "sigmoid", "σ", [e.args[0]], Sigmoid
    if isinstance(e, (Max, Min)):
        name = "max" if isinstance(e, Max) else "min"
        constant = [a for a in e.args if not a.free_symbols]
        varying = [a for a in e.args if a.free_symbols]
        if constant:
            shown = ", ".join([_const_str(c) for c in constant] + ["·"] * len(varying))
            return name, f"{name}({shown})", varying, lambda *a: e.func(*constant, *a)
        return name, name, varying, lambda *a: e.func(*a)
    if isinstance(e, Relu):
        return "relu", "ReLU", [e.args[0]], Relu
    if isinstance(e, Softplus):
        return "softplus", "softplus", [e.args[0]], Softplus
    if isinstance(e, LeakyRelu) and not e.args[1].free_symbols:
        slope = e.args[1]
        return "leaky_relu", "LeakyReLU", [e.args[0]], lambda a: LeakyRelu(a, slope)
    if isinstance(e, sympy.Heaviside):
        rest = e.args[1:]
        return "indicator", "1[·>0]", [e.args[0]], lambda a: sympy.Heaviside(a, *rest)
    if isinstance(e, sympy.sign):
        return "sign", "sign", [e.args[0]], sympy.sign
    if type(e) in ONE_ARGUMENT and len(e.args) == 1:
        from ..report.printing import text
        name = "abs" if isinstance(e, sympy.Abs) else text(e.func(Symbol("x")))[:-len("(x)")]
        return type(e).__name__, name, [e.args[0]], e.func
    raise InputError(f"derive backprop cannot stage {type(e).__name__} into gates: it stages functions of "
                     "scalar variables (no sums over classes, derivatives or Kronecker deltas)")


def stage(expr, order=()) -> Graph:
    """The graph of primitive gates computing ``expr``; InputError when it cannot be staged or is too big.

    The inputs come first, in ``order`` (then as met), the gates after them in the order of the forward pass.
    """
    graph = Graph()
    memo: dict = {}
    counter = [0]

    def node_for(e):
        if e in memo:
            return memo[e]
        if isinstance(e, (Symbol, Indexed)):
            node = Node(e, "input", str(e), e, (), e)
        else:
            kind, label, children, make = _decompose(e)
            inputs = tuple(node_for(child).symbol for child in children)
            counter[0] += 1
            if counter[0] > MAX_GATES:
                raise InputError(f"the expression needs more than {MAX_GATES} gates: too large to draw and tabulate")
            node = Node(Symbol(f"u_{counter[0]}", real=True), kind, label, make(*inputs), inputs, e)
        memo[e] = node
        graph.nodes.append(node)
        return node

    if not expr.free_symbols:
        raise InputError("the expression has no variables: there is nothing to backpropagate to")
    stack = [(expr, False)]
    while stack:                         # post-order without recursion: children before their gate
        e, ready = stack.pop()
        if e in memo:
            continue
        if ready or isinstance(e, (Symbol, Indexed)):
            node_for(e)
            continue
        stack.append((e, True))
        _, _, children, _ = _decompose(e)
        stack.extend((child, False) for child in reversed(children))
    output = graph.output
    if output.is_input:               # f = x (what is left of (x - y)*z + x once y cancels out): one identity gate
        name = "f" if str(output.symbol) != "f" else "u_1"
        graph.nodes.append(Node(Symbol(name, real=True), "identity", "identity", output.symbol, (output.symbol,),
                                output.symbol))
        return graph
    rank = {v: i for i, v in enumerate(order)}
    inputs = sorted(graph.inputs, key=lambda n: rank.get(n.symbol, len(rank)))
    graph.nodes = inputs + graph.gates
    if "f" not in {str(a) for a in expr.free_symbols}:
        output.symbol = Symbol("f", real=True)              # the output is f, as in the lecture
    return graph


__all__ = ["Graph", "Node", "stage", "MAX_GATES"]
