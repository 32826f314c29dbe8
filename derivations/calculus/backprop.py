"""``derive backprop``: the gradient of an expression at a point, by backpropagation through its computational graph.

As the lecture after the loss functions teaches it: the expression is staged
into primitive gates (:mod:`.graph`), the forward pass computes each node's
value, and the backward pass multiplies the gradient arriving from above
(upstream) by each gate's local gradient, adding up where a value fans out.

Every local gradient is derived by the engine's rules and verified like any
step (one chain per edge); the gradients of the inputs are checked against
``derive diff`` (a verified derivative per input, evaluated at the point).
Values are exact while they are rational (-2 + 5 = 3) and 30-digit floats
otherwise; reports show 4 significant digits. Where a gate is not
differentiable at the point (abs at 0, max on its kink) the subgradient of
code (0 on the kink) is used and a warning says so; where a value is not a
real number (log of a negative number) the report says where, and no
gradient is given.
"""
from __future__ import annotations

import hashlib

import sympy
from sympy import Indexed, Symbol

from ..engine import rules as R
from ..engine.algebra import tidy
from ..engine.build import Builder, note, sentence
from ..engine.differentiate import d, differentiate
from ..engine.functions import DEFINITIONS
from ..engine.inputs import InputError, number
from ..engine.notation import plain_symbols
from ..engine.steps import Chain, Claim, Figure, Math, Result, Section, Step, Table, Text, Verification
from ..engine.verify import VerificationError
from ..report import Report
from .diff import (
    Differentiation,
    _split_top_level,
    as_real_variables,
    calculus_builder,
    read,
    read_expression,
    refuse_non_real,
    worth_cancelling,
    written,
)
from .graph import Graph, stage
from .values import Evaluation, Overflow, magnitude_text, product, total

TITLE = "Backpropagation through a computational graph"
SUMMARY = "any expression at a point: forward pass, backward pass (upstream x local), gradients, a picture"

#: significant digits shown
DIGITS = 4

#: relative difference allowed between backpropagation and derive diff at the point
AGREEMENT = 1e-9

#: how the steps of ``derive backprop`` were checked, for the report's last paragraph
VERIFICATION_NOTE = ("Each step of a local gradient was checked symbolically (the difference of its two sides "
                     "simplifies to 0) or, where SymPy cannot decide, by evaluating both sides at random points; each "
                     "gradient of an input was compared, at the point, with its symbolic derivative, "
                     "itself derived and verified step by step. Values are computed gate by gate, exact while short, else with 30 digits.")


# --- the point -------------------------------------------------------------------------------------

def read_point(at) -> dict:
    """``x=-2,y=5`` (or ``w=[2,-3,-3]`` for w_0, w_1, w_2, or a dict) as {variable: exact number}."""
    if at is None or (isinstance(at, str) and not at.strip()):
        raise InputError("--at needs the values of the variables, e.g. --at x=-2,y=5,z=-4")
    if isinstance(at, dict):
        items = [(str(k), v) for k, v in at.items()]
    else:
        items = []
        for part in _split_top_level(at):
            if "=" not in part:
                raise InputError(f"--at takes name=value pairs separated by commas, e.g. x=-2,y=5; not {part!r}")
            name, value = part.split("=", 1)
            items.append((name.strip(), value.strip()))
    point = {}
    for name, value in items:
        if isinstance(value, (list, tuple)) or (isinstance(value, str) and value.startswith("[")):
            entries = value if isinstance(value, (list, tuple)) else _split_top_level(value.strip()[1:-1])
            from ..parse.names import INDEXED
            if name not in INDEXED:
                raise InputError(f"a vector value needs an indexed name ({', '.join(INDEXED)}), not {name!r}")
            for i, entry in enumerate(entries):
                point[INDEXED[name][i]] = number(entry, f"the value of {name}_{i}")
            continue
        variable = read_expression(name, "variable")
        if not isinstance(variable, (Symbol, Indexed)):
            raise InputError(f"--at names one variable per value, such as x or w_0, not {name!r}")
        point[variable] = number(value, f"the value of {name}")
    return point


def _inputs_of(expr) -> set:
    """The variables of ``expr`` a value is needed for: real symbols and indexed entries (not their indices)."""
    indexed = expr.atoms(Indexed)
    indices = set().union(*(i.free_symbols for index in indexed for i in index.indices)) if indexed else set()
    return {a for a in plain_symbols(expr) & expr.free_symbols if a not in indices} | indexed


# --- numbers ---------------------------------------------------------------------------------------

def _value(expr, values: dict, evaluation: Evaluation | None = None):
    """``expr`` at ``values``: exact while short, else a 30-digit float (:mod:`.values`, bounded work); None
    where it is not a real number; :class:`~.values.Overflow` beyond double precision. ``evaluation`` collects
    the values that underflowed to 0."""
    return (evaluation or Evaluation()).value(expr, values)


def shown(value):
    """A value as a report shows it: a whole number as itself, anything else to 4 significant digits."""
    if value is None:
        return None
    if value.is_Integer:
        return value
    return sympy.Float(value, DIGITS)


def _text(value) -> str:
    from ..report.printing import text
    return "undefined" if value is None else text(shown(value))


def _cell(*parts):
    segments = []
    for part in parts:
        if isinstance(part, str):
            segments.append(Text(part))
        elif part is None:
            segments.append(Text("undefined"))
        else:
            segments.append(Math(part))
    return segments


# --- the passes ------------------------------------------------------------------------------------

class Backpropagation:
    """The forward and backward passes of ``graph`` at ``point``, with every local gradient verified."""

    def __init__(self, graph: Graph, point: dict, builder: Builder):
        self.graph, self.point, self.builder = graph, point, builder
        self.values: dict = {}
        self.local: dict = {}            # (gate, input) -> (verified chain, value at the point)
        self.flowing: dict = {}          # (gate, input) -> upstream x local
        self.gradients: dict = {}        # node -> d f / d node
        self.warnings: list[str] = []
        self.undefined_at = None         # the first gate whose value is not a real number
        self.no_gradient_at = None       # the first gate whose local gradient is not a real number
        self.evaluation = Evaluation()   # values computed with bounded work; underflows recorded
        self._forward()
        self._local_gradients()
        if self.undefined_at is None and self.no_gradient_at is None:
            self._backward()
        if self.evaluation.underflows:
            from ..report.printing import text
            shown = ", ".join(dict.fromkeys(text(node) for node in self.evaluation.underflows[:3]))
            self.warnings.append(f"some values are below double precision's smallest (about 2.2e-308) and were "
                                 f"taken as 0, as float64 would: {shown}")

    @property
    def has_gradients(self) -> bool:
        return self.undefined_at is None and self.no_gradient_at is None

    def _forward(self):
        for node in self.graph.nodes:
            if node.is_input:
                self.values[node.symbol] = self.point[node.symbol]
                continue
            inputs = [self.values[i] for i in node.inputs]
            if any(v is None for v in inputs):
                self.values[node.symbol] = None
                continue
            try:
                value = _value(node.formula, dict(zip(node.inputs, inputs)), self.evaluation)
            except Overflow as error:
                raise InputError(f"the {node.label} gate {_name(node)} overflows at this point: its value is about "
                                 f"{magnitude_text(error.exponent)}, beyond double precision (about 1.8e308), so f "
                                 "and its gradients cannot be given as numbers; choose a point nearer 0") from None
            self.values[node.symbol] = value
            if value is None and self.undefined_at is None:
                self.undefined_at = node
                self.warnings.append(f"the {node.label} gate {_name(node)} is not a real number at this point "
                                     f"(its input is {', '.join(_text(v) for v in inputs)}): f and its gradients "
                                     "are not defined here")

    def _local_gradients(self):
        for node in self.graph.gates:
            verifier = Builder({**DEFINITIONS, node.symbol: node.formula}, try_symbolic=worth_cancelling).verifier
            values = {i: self.values[i] for i in node.inputs}
            defined = all(v is not None for v in values.values()) and self.values[node.symbol] is not None
            at_kink = []
            for inp in dict.fromkeys(node.inputs):
                steps = [Step(d(node.symbol, inp), d(node.formula, inp), R.Definition(node.symbol, node.formula))]
                steps += differentiate(node.formula, inp)
                if any(isinstance(step.rule, R.NoRule) for step in steps):
                    raise InputError(f"no rule gives the local gradient of the {node.label} gate")
                steps += tidy(steps[-1].after)
                for step in steps:
                    try:
                        verifier.stamp(step)
                    except VerificationError as error:
                        if not error.verification.undecided:
                            raise
                        self.warnings.append(f"the local gradient of {_name(node)} with respect to "
                                             f"{_name_of(inp)} is not verified: {error.verification.detail}")
                chain = Chain(steps)
                try:
                    value = _value(chain.result, values, self.evaluation) if defined else None
                except Overflow as error:
                    raise InputError(f"the local gradient of the {node.label} gate {_name(node)} overflows at this "
                                     f"point: it is about {magnitude_text(error.exponent)}, beyond double precision "
                                     "(about 1.8e308); choose a point nearer 0") from None
                self.local[(node.symbol, inp)] = (chain, value)
                if defined and value is None and self.no_gradient_at is None:
                    self.no_gradient_at = node
                    self.warnings.append(f"the {node.label} gate {_name(node)} has no derivative at this point "
                                         f"(its input is {_text(values[inp])}): the gradients are not defined here")
                if defined and value is not None and _on_a_kink(chain.result, values):
                    at_kink.append((inp, value))
            if at_kink:
                inputs = ", ".join(f"{_name_of(i)} = {_text(values[i])}" for i in dict.fromkeys(node.inputs))
                used = ", ".join(f"{_text(v)} for {_name_of(i)}" for i, v in at_kink)
                self.warnings.append(f"the {node.label} gate {_name(node)} is not differentiable at this point "
                                     f"({inputs}, on its kink): its local gradient is the subgradient code uses "
                                     f"({used})")

    def _backward(self):
        output = self.graph.output.symbol
        self.gradients = {node.symbol: sympy.Integer(0) for node in self.graph.nodes}
        self.gradients[output] = sympy.Integer(1)
        for node in reversed(self.graph.gates):
            upstream = self.gradients[node.symbol]
            for inp in dict.fromkeys(node.inputs):
                _, local = self.local[(node.symbol, inp)]
                try:
                    flowing = _exact_product(upstream, local)
                    self.flowing[(node.symbol, inp)] = flowing
                    self.gradients[inp] = _exact_sum(self.gradients[inp], flowing)
                except Overflow as error:
                    raise InputError(f"the gradient flowing back from {_name(node)} to {_name_of(inp)} overflows at "
                                     f"this point: it is about {magnitude_text(error.exponent)}, beyond double "
                                     "precision (about 1.8e308); choose a point nearer 0") from None


def _on_a_kink(formula, values) -> bool:
    """Whether an indicator or sign in ``formula`` has its argument exactly 0 at ``values``."""
    for kink in formula.atoms(sympy.Heaviside, sympy.sign):
        at = _value(kink.args[0], values)
        if at is not None and at == 0:
            return True
    return False


def _exact_product(a, b):
    return product(a, b, Symbol("the gradient"))


def _exact_sum(a, b):
    return total(a, b, Symbol("the gradient"))


def _name(node) -> str:
    from ..report.printing import text
    return text(node.symbol)


def _name_of(symbol) -> str:
    from ..report.printing import text
    return text(symbol)


# --- the report ------------------------------------------------------------------------------------

def backprop(expression: str, at) -> Report:
    """The backpropagation of ``expression`` at the point ``at`` (``"x=-2,y=5,z=-4"`` or a dict)."""
    reading = read(expression)
    expr = reading.expr
    if isinstance(expr, sympy.MatrixBase):
        raise InputError("derive backprop needs a single expression, not a vector or matrix")
    point = read_point(at)
    expr, variables = as_real_variables(expr, list(point))
    point = dict(zip(variables, point.values()))
    refuse_non_real(expr, expression)
    graph = stage(expr, order=list(point))
    needed = _inputs_of(expr)
    missing = sorted((written(v) for v in needed if v not in point))
    if missing:
        raise InputError(f"no value for {', '.join(missing)}: give --at {','.join(f'{m}=...' for m in missing)}")
    typed = {v.xreplace({a: Symbol(a.name, real=True) for a in v.free_symbols if a.is_integer}) for v in reading.typed}
    extra = sorted(written(v) for v in point if v not in needed and v not in reading.typed and v not in typed)
    if extra:
        raise InputError(f"--at gives {', '.join(extra)}, which the expression does not have")
    cancelled = [v for v in point if v not in needed]

    builder = calculus_builder()
    passes = Backpropagation(graph, point, builder)
    report = Report("backprop", TITLE, {"expression": expression,
                                        "at": {written(k): str(v) for k, v in point.items()}})
    report.verification_note = sentence(VERIFICATION_NOTE)
    report.warnings.extend(passes.warnings)
    f = graph.output.symbol
    inputs = [v for v in point]
    for v in cancelled:
        passes.gradients[v] = sympy.Integer(0)

    figure_files, figure_block = _figure(graph, passes, expression, point)
    report.files.update(figure_files)
    gates = f"{len(graph.gates)} gate{'s' if len(graph.gates) != 1 else ''}"
    intro = sentence(f"The expression is staged into {gates}: ", Math(sympy.Eq(f, expr,
                     evaluate=False)), ". Each gate's formula uses its inputs' names; values are exact while they "
                     "are whole numbers or fractions, else rounded to 4 significant digits.")
    read_as = [note(f"{said}.") for said in reading.notes]
    if cancelled:
        names = ", ".join(written(v) for v in cancelled)
        read_as.append(note(f"{names} cancel{'s' if len(cancelled) == 1 else ''} out: the expression as read is ",
                            Math(expr), f", which does not depend on {names}; "
                            f"{'its gradient is' if len(cancelled) == 1 else 'their gradients are'} 0."))
    report.sections.append(Section("Computational graph", read_as + [intro] + figure_block
                                   + [_forward_table(graph, passes)]))
    value = passes.values[f]
    if value is None:
        report.results["f"] = Result("f", None, None, "not a real number at this point")
    else:
        report.results["f"] = Result("f", value, float(value), "the value of the expression at the point")
    if not passes.has_gradients:
        report.sections.append(Section("Local gradients, step by step", _local_chains(graph, passes)))
        return report

    report.sections.append(Section("Backward pass", [
        sentence("From the output down, each gate passes to each input the gradient arriving from above "
                 "(upstream) times its local gradient; where a value feeds several gates, what flows back "
                 "from each is added up."), _backward_table(graph, passes)]))
    checks = _against_diff(expr, inputs, passes, builder, report)
    report.sections.append(Section("Gradients", checks))
    report.sections.append(Section("Local gradients, step by step", _local_chains(graph, passes)))

    report.results["gradient"] = Result("gradient", [passes.gradients[v] for v in inputs],
                                        [float(passes.gradients[v]) for v in inputs],
                                        "d f / d input, in the order of --at: " + ", ".join(written(v) for v in inputs))
    for v in inputs:
        report.results[f"d/d{written(v)}"] = Result(f"d/d{written(v)}", passes.gradients[v],
                                                    float(passes.gradients[v]),
                                                    f"d f / d {written(v)} at the point, by backpropagation")
    return report


def _forward_table(graph, passes) -> Table:
    header = [_cell("node"), _cell("gate"), _cell("computes"), _cell("forward value")]
    rows = []
    for node in graph.nodes:
        if node.is_input:
            rows.append([_cell(node.symbol), _cell("input"), _cell(node.symbol), _cell(shown(passes.values[node.symbol]))])
        else:
            rows.append([_cell(node.symbol), _cell(node.label), _cell(sympy.Eq(node.symbol, node.formula,
                                                                              evaluate=False)),
                         _cell(shown(passes.values[node.symbol]))])
    return Table(header, rows)


def _backward_table(graph, passes) -> Table:
    f = graph.output.symbol
    header = [_cell("gate"), _cell("to input"), _cell("upstream ", d(f, Symbol("v"))),
              _cell("local ", d(Symbol("v"), Symbol("u"))), _cell("upstream times local")]
    rows = []
    for node in reversed(graph.gates):
        for inp in dict.fromkeys(node.inputs):
            chain, local = passes.local[(node.symbol, inp)]
            rows.append([_cell(node.symbol, f" ({node.label})"), _cell(inp),
                         _cell(shown(passes.gradients[node.symbol])),
                         _local_cell(node, inp, chain.result, local),
                         _cell(shown(passes.flowing[(node.symbol, inp)]))])
    return Table(header, rows)


def _local_cell(node, inp, formula, value):
    if formula.is_number:
        return _cell(sympy.Eq(d(node.symbol, inp), formula, evaluate=False))
    return _cell(sympy.Eq(d(node.symbol, inp), formula, evaluate=False), " = ", shown(value))


def _against_diff(expr, inputs, passes, builder, report) -> list:
    """The gradients of the inputs, each against derive diff's verified derivative at the point."""
    f = passes.graph.output.symbol
    header = [_cell("input"), _cell("by backpropagation"), _cell("differentiated, at the point")]
    rows, claims = [], []
    for v in inputs:
        done = Differentiation(expr, v, builder)
        try:
            at_point = None if not done.verified else _value(done.result, passes.point)
        except Overflow:
            at_point = None
            report.warnings.append(f"derive diff's d f / d {v} overflows double precision at this point (a part of "
                                   "it is beyond 1.8e308): the gradient is not checked against it")
        backpropagated = passes.gradients[v]
        if at_point is not None and abs(float(backpropagated) - float(at_point)) > \
                AGREEMENT * max(1.0, abs(float(at_point))):
            raise RuntimeError(f"backpropagation and derive diff disagree on d f / d {v}")
        if not done.verified:
            report.warnings.append(sentence("the derivative ", d(f, v), " could not be verified: the gradient is not checked"))
        claims.append(Claim(d(f, v), done.result, R.DerivedElsewhere("diff"),
                            verification=Verification(done.verified, "derivation",
                                                      "the step-by-step derivative, every step verified")))
        rows.append([_cell(v), _cell(d(f, v), " = ", shown(backpropagated)),
                     _cell(shown(at_point), " ✓" if at_point is not None else " (not checked)")])
    lead = sentence("The gradients of the inputs are the sums of what flows back into them. Each is checked "
                    "against the derivative found by differentiating the expression step by step (every step "
                    "verified, below), at the same point:")
    return [lead, Table(header, rows)] + claims


def _local_chains(graph, passes) -> list:
    blocks = [sentence("Each local gradient is the derivative of the gate's formula with respect to one input, "
                       "by the rules of differentiation, every step verified:")]
    for node in graph.gates:
        for inp in dict.fromkeys(node.inputs):
            chain, _ = passes.local[(node.symbol, inp)]
            blocks.append(chain)
    return blocks


def _figure(graph, passes, expression, point):
    """The picture of the graph (PNG), or a note when Graphviz is missing."""
    from ..report.graphs import DrawnEdge, DrawnNode, GraphvizUnavailable, dot_source, render_dot
    from ..report.printing import text
    nodes = [DrawnNode(str(n.symbol), text(n.symbol) if n.is_input else n.label, n.is_input) for n in graph.nodes]
    edges = []
    for node in graph.gates:
        for inp in dict.fromkeys(node.inputs):
            flowing = passes.flowing.get((node.symbol, inp))
            edges.append(DrawnEdge(str(inp), str(node.symbol), _text(passes.values[inp]),
                                   _text(flowing) if flowing is not None else "?"))
    output = graph.output.symbol
    out_gradient = "1" if passes.has_gradients else "?"
    source = dot_source(nodes, edges, str(output), _text(passes.values[output]), out_gradient)
    key = hashlib.sha256(repr((expression, sorted((str(k), str(v)) for k, v in point.items()))).encode()).hexdigest()
    name = f"backprop-{key[:8]}.png"
    try:
        png = render_dot(source, "png")
    except GraphvizUnavailable as error:
        return {}, [note(str(error) + ".")]
    caption = [Text("The computational graph: on each edge, the forward value (green, above) and the gradient "
                    "that flows back along it (red, below).")]
    return {name: png}, [Figure(name, caption)]


__all__ = ["backprop", "read_point", "Backpropagation", "TITLE", "SUMMARY"]
