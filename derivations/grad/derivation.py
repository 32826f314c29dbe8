"""``derive grad``: the derivation of the gradient of a loss or layer written in the loss language.

From the definitions (each one's matrix form checked against its index form), through each part of the
gradient in index form (case splits where a Kronecker delta with a label is left), to the gradients in matrix
form, each checked against the whole loss; then the numbers: the gradients at random data against centred
finite differences, and, with ``--data``, the loss and gradients at the arrays of a file.
"""
from __future__ import annotations

import numpy as np
import sympy
from sympy import Eq
from sympy.matrices.expressions.matexpr import MatrixElement

from ..engine import rules as R
from ..engine.build import Builder, note, sentence
from ..engine.inputs import InputError
from ..engine.matrices import Gradient as GradientOf
from ..engine.notation import SIGMOID_DEFINITION, Times
from ..engine.steps import Code, Result, Section, Step, Table, Text
from ..engine.verify import VerificationError
from ..lang.lower import Program
from ..report import Report
from . import numbers as num
from .graph import backpropagate
from .local import CLASS_COUNTS, UnknownDerivative, derive_part
from .simplify import simplify
from .specs import Resolved, resolve

#: the sizes at which each whole gradient is checked against the loss (K; D, N and H one, two and three more)
WHOLE_CLASS_COUNTS = (2,)
#: a gradient written out with every intermediate gradient put in is shown when it is no longer than this
MAX_INLINED_LENGTH = 160
#: entries of a result listed in a text report (the JSON holds every one)
MAX_SHOWN_ENTRIES = 36


def gradient(spec: str, wrt=None, data=None) -> Report:
    """The derivation for ``spec`` (a built-in's name, a file, or the text of a spec) with respect to ``wrt``
    (names separated by commas, or a list; default: the spec's own ``wrt`` line)."""
    resolved = resolve(spec)
    program = resolved.program
    variables = variables_of(program, wrt)
    try:
        backprop = backpropagate(program, variables)
    except InputError:
        raise
    report = Report("grad", title_of(resolved, variables), {"spec": resolved.label, "wrt": ",".join(variables)})
    try:
        _build(report, resolved, program, backprop, data)
    except UnknownDerivative as error:
        raise InputError(f"no rule differentiates {error.args[0]}") from None
    except VerificationError as error:
        raise RuntimeError(f"a step did not verify: {error}") from None
    return report


def variables_of(program: Program, wrt) -> list:
    from ..lang.lower import check_variable
    if wrt is None or wrt == "":
        if program.wrt is None:
            arrays = [i.name for i in program.inputs.values() if i.kind == "array"]
            raise InputError(f"name the variables: --wrt NAMES (the spec's arrays: {', '.join(arrays)})")
        names = list(program.wrt)
    else:
        names = [n.strip() for n in (wrt.split(",") if isinstance(wrt, str) else wrt)]
    if not names or any(not n for n in names):
        raise InputError(f"--wrt takes names separated by commas, not {wrt!r}")
    if len(set(names)) != len(names):
        raise InputError("--wrt names a variable twice")

    class _Compiler:
        inputs = program.inputs
        nodes = program.nodes

        @staticmethod
        def error(message, at):
            return InputError(f"--wrt: {message}")

    for name in names:
        check_variable(_Compiler, name, None)
    return names


def title_of(resolved: Resolved, variables) -> str:
    what = resolved.program.spec.title or (f"The built-in {resolved.name}" if resolved.name else "A loss")
    return f"{what}: the gradient with respect to {', '.join(variables)}"


# --- the report -----------------------------------------------------------------------------------------------

def _build(report, resolved, program, backprop, data):
    report.sections.append(_spec_section(resolved, program, backprop))
    parts_shown = {}
    for node in backprop.order:
        section = _node_section(program, backprop, node)
        report.sections.append(section)
        parts_shown[node.name] = section
    report.sections.append(_gradients_section(program, backprop, report))
    report.sections.append(_check_section(program, backprop, report))
    if data is not None:
        report.sections.append(_data_section(program, backprop, data, report))
    report.verification_note = _verification_note(program)


def _verification_note(program):
    """What the checks of this spec did, and only that: the class counts where the spec has classes, labels
    where it has labels, kinks where it has one, the loss or the layer's output."""
    dims = sorted({_dim_name(d) for item in program.inputs.values() if item.kind == "array" for d in item.dims}
                  | ({"N", "K"} if program.labels is not None else set()))
    others = [program_symbol(d) for d in dims if d != "K"]
    parts = ["Every step was checked by "]
    if "K" in dims:
        parts += ["setting the number of classes ", program_symbol("K"), " to ", ", ".join(map(str, CLASS_COUNTS))]
        if others:
            parts += [" and each other size (", *_listed(others), ") one, two and three more"]
    elif others:
        parts += ["giving each size (", *_listed(others), ") one, two and three more"]
    if program.labels is not None:
        parts += [", giving the examples labels such that every class is some example's label"]
    parts += [", and comparing both sides at random points", *([" on both sides of every kink"] if _has_kink(program)
                                                             else []), "; "]
    parts += ["a part of a gradient with the upstream gradient and the arrays it uses drawn at random (so that it "
              "is the derivative through that definition alone), each whole gradient against the definition of ",
              "the loss" if program.is_loss else "the layer's output", ". The numbers are floating point."]
    return sentence(*parts)


def _listed(symbols) -> list:
    out = []
    for i, symbol in enumerate(symbols):
        out += ([", "] if i else []) + [symbol]
    return out


def _has_kink(program) -> bool:
    """A max(0, u), 1[u > 0], |u| or a row's largest entry anywhere in the spec's definitions."""
    from ..engine.elementwise import Abs, RowMax
    from ..engine.matrices import Hinge, Positive
    return any(isinstance(part, (Hinge, Positive, Abs, RowMax))
               for node in program.nodes for part in sympy.preorder_traversal(node.matrix))


def explained(words: str):
    """A paragraph of a spec's explanations: its words, and what stands between backticks as code (a formula
    written as the spec writes it, `h = max(0, X W1 + b1)`)."""
    parts = words.split("`")
    if len(parts) % 2 == 0:                       # an unmatched backtick: all words
        return sentence(words)
    return sentence(*[Code(part) if i % 2 else part for i, part in enumerate(parts) if part])


def program_symbol(name):
    from ..lang.names import DIMENSIONS
    return DIMENSIONS[name]


def _spec_section(resolved, program, backprop) -> Section:
    blocks = [explained(text) for text in program.spec.explanations]
    blocks.append(sentence("The spec", *([" (", Code(resolved.label), ")"] if resolved.name else []), ":"))
    code = [line.split("#", 1)[0] for line in program.spec.text.splitlines()]
    lines = [part.strip() for line in code for part in line.split(";")]
    import textwrap
    for line in lines:
        if line:                                   # a long statement over lines, as the language allows
            blocks += [sentence(Code(piece)) for piece in textwrap.wrap(line, 76, subsequent_indent="    ",
                                                                         break_long_words=False)]
    declared = []
    for item in program.inputs.values():
        if item.kind == "array":
            shape = Times(*item.dims) if len(item.dims) == 2 else item.dims[0]
            declared += [item.symbol, " is ", shape, "; "] if len(item.dims) == 2 else \
                [item.symbol, " a vector of ", shape, " entries; "]
        elif item.kind == "labels":
            declared += ["the labels ", item.symbol[sympy.Symbol("n", integer=True)], " are classes 0, ..., ",
                         program_symbol("K") - 1, "; "]
        else:
            declared += [item.symbol, " is a ", "positive " if item.positive else "", "scalar",
                         *([" (", Eq(item.symbol, item.default), " unless given)"] if item.default is not None
                           else []), "; "]
    if backprop.upstream is not None:
        up = backprop.upstream
        declared += [up.symbol, ", the gradient of a loss ", sympy.Symbol("L"), " downstream with respect to the "
                     "layer's output ", program.output.symbol, ", is given (", Times(*up.dims) if len(up.dims) == 2
                     else up.dims[0], "); "]
    if declared:
        declared[-1] = declared[-1].rstrip("; ") + "."
        blocks.append(sentence(*declared))
    blocks.append(sentence("Each definition in matrix form, and its entry in index form (the two checked equal):"))
    every = {**SIGMOID_DEFINITION, **{n.base: _definition(n) for n in program.nodes}}
    from .local import Widening
    for node in program.nodes:
        builder = Widening({node.base: _definition(node), **SIGMOID_DEFINITION}, every)
        row = node.indices[0] if node.indices else sympy.Integer(0)
        col = node.indices[1] if len(node.indices) > 1 else sympy.Integer(0)
        entry = MatrixElement(node.matrix, row, col) if node.indices else node.matrix
        chain = builder.chain([
            Step(node.element, node.index, R.Definition(node.element, node.index)),
            Step(node.index, entry, R.MatrixEntry()),
        ])
        blocks.append(sentence(Eq(node.symbol, node.matrix, evaluate=False)))
        blocks.append(chain)
    return Section("The spec and its definitions", blocks)


def _definition(node):
    from .local import _definition as dummified
    return dummified(node)


def _node_section(program, backprop, node) -> Section:
    blocks = []
    output = program.output
    if node is output and backprop.upstream is None:
        blocks.append(sentence("The loss ", node.symbol, " is differentiated with respect to each array its "
                               "definition uses that depends on ", ", ".join(i.name for i in backprop.variables),
                               ":"))
    elif node is output:
        blocks.append(sentence("The part of each gradient that flows back through ", node.symbol, ": by the chain "
                               "rule, for any loss ", sympy.Symbol("L"), " that uses ", node.symbol, ", the part of ",
                               sympy.Symbol("L"), "'s gradient with respect to an array ", node.symbol,
                               " uses is the sum over the entries of ", node.symbol, " of ",
                               backprop.upstream.symbol, " times their derivatives:"))
    else:
        gradient = backprop.gradient(node)
        builder = Builder({gradient.base: _gradient_entries(gradient)}, class_counts=CLASS_COUNTS)
        uses = tuple(p.consumer.symbol for p in gradient.parts)
        blocks.append(sentence("The gradient of the loss with respect to ", node.symbol, " sums the parts that flow "
                               "back through each definition that uses it (",
                               *_listed(uses), "):"))
        blocks.append(builder.claim(gradient.symbol, gradient.total, R.TotalGradient(uses)))
        blocks.append(sentence("and, by the chain rule, the part of the gradient with respect to an array that ",
                               node.symbol, " uses is the sum over the entries of ", node.symbol, " of ",
                               gradient.symbol, " times their derivatives:"))
    for gradient in backprop.gradients.values():
        for part in gradient.parts:
            if part.consumer is not node:
                continue
            derived = derive_part(backprop, part)
            blocks.append(sentence("With respect to ", part.parent.symbol, " (entry ", derived.variable, "):"))
            blocks.append(derived.chain)
            if derived.cases is not None:
                case = derived.cases.cases[0].condition
                if isinstance(case, sympy.Eq):
                    blocks.append(sentence("The Kronecker delta depends on whether ", case.lhs, " is the label's "
                                           "class ", case.rhs, ":"))
                else:
                    blocks.append(sentence("The indicator depends on the sign of ", case.lhs, ":"))
                blocks.append(derived.cases)
                blocks.append(sentence("Both cases at once, as an entry of a matrix:"))
            else:
                blocks.append(sentence("As an entry of a matrix:"))
            blocks.append(derived.matrix)
    return Section(sentence("Through ", Eq(node.symbol, node.matrix, evaluate=False)) if len(
        str(node.matrix)) < 60 else sentence("Through the definition of ", node.symbol), blocks)


def _listed(items) -> list:
    out = []
    for i, item in enumerate(items):
        out.append(item)
        if i < len(items) - 1:
            out.append(", " if i < len(items) - 2 else " and ")
    return out


def _gradient_entries(gradient):
    from ..engine.matrices import entry
    total = gradient.total
    dims = gradient.of.dims
    if len(dims) == 2:
        return lambda i, j: entry(total, i, j)
    if len(dims) == 1:
        return lambda i: entry(total, i, sympy.Integer(0))
    return entry(total, sympy.Integer(0), sympy.Integer(0))


def whole_definitions(program, backprop) -> dict:
    """Every definition and every intermediate gradient, in index form: what the check of a whole gradient puts
    in (the loss is differentiated through all of them)."""
    found = dict(SIGMOID_DEFINITION)
    for node in program.nodes:
        found[node.base] = _definition(node)
    found.update(backprop.definitions())
    return found


def loss_symbol(program, backprop):
    """The loss L: the spec's own, or for a layer the sum of dout times out (its definition in index form)."""
    if backprop.upstream is None:
        return program.output.base, None
    output = program.output
    body = backprop.upstream_entry(output, output.indices) * output.element
    for index, dim in reversed(list(zip(output.indices, output.dims))):
        body = sympy.Sum(body, (index, 0, dim - 1))
    return sympy.Symbol("L", real=True), body


def inlined(expr, backprop, program):
    """``expr`` with each intermediate gradient dV put in (simplified), or None when that is too long to show."""
    from ..report.printing import text
    replacements = {g.symbol: g.total for g in backprop.gradients.values() if g.of.name not in program.inputs}
    current = expr
    for _ in range(len(replacements) + 1):
        following = current.xreplace(replacements)
        if following == current:
            break
        current = following
    current = simplify(current)
    if current == expr or len(text(current)) > MAX_INLINED_LENGTH:
        return None
    return current


def _gradients_section(program, backprop, report) -> Section:
    L, body = loss_symbol(program, backprop)
    definitions = whole_definitions(program, backprop)
    if body is not None:
        definitions[L] = body
    builder = Builder(definitions, class_counts=WHOLE_CLASS_COUNTS)
    blocks = []
    if body is not None:
        blocks.append(sentence("For a layer, ", L, " stands for any loss downstream: its gradients are those of ",
                               Eq(L, body, evaluate=False), " with ", backprop.upstream.symbol, " held fixed."))
    for item in backprop.variables:
        gradient = backprop.gradient(item)
        uses = tuple(p.consumer.symbol for p in gradient.parts)
        total = gradient.total
        blocks.append(sentence("The gradient with respect to ", item.symbol, " sums the parts through ",
                               *_listed(uses), ":"))
        steps = [Step(GradientOf(L, item.symbol), total, R.TotalGradient(uses))]
        stated = backprop.stated.get(item.name)
        short = stated if stated is not None else inlined(total, backprop, program)
        if stated is not None:
            steps.append(Step(total, stated, R.StatedForm()))
        elif short is not None:
            steps.append(Step(total, short, R.DerivedAbove(
                tuple(g.symbol for g in backprop.gradients.values() if g.of.name not in program.inputs))))
        if stated is not None:
            _check_stated(builder, steps[-1], item, program, backprop.upstream)
        blocks.append(builder.chain(steps))
        if stated is not None:
            blocks.append(sentence("The last line is the shorter form the spec states (", Code("simplify"),
                                   "), checked equal to the sum of the parts like every other step."))
        elif short is not None:
            blocks.append(sentence("The last line puts in every intermediate gradient."))
        elif _intermediates_in(total, backprop, program):
            names = _intermediates_in(total, backprop, program)
            blocks.append(sentence("The intermediate gradients (", *_listed(names), ") are left as derived above: "
                                   "put in, the line would run past ", str(MAX_INLINED_LENGTH), " characters (a ",
                                   Code("simplify"), " line in the spec can state a shorter form, which is then "
                                   "checked)."))
        report.results[f"d{item.name}"] = Result(f"d{item.name}", short if short is not None else total,
                                                 description=f"dL/d{item.name} in matrix form "
                                                             f"({' x '.join(map(str, item.dims))})")
    if program.is_loss:
        report.results["loss"] = Result("loss", program.output.matrix, description="L in matrix form")
    blocks.append(note("Each gradient above was checked entry by entry against the derivative of the loss as "
                       "defined (every definition put in), at small sizes, on both sides of every kink."))
    return Section("The gradients in matrix form", blocks)


def _intermediates_in(expr, backprop, program) -> tuple:
    """The intermediate gradients dV that ``expr`` holds."""
    return tuple(g.symbol for g in backprop.gradients.values() if g.of.name not in program.inputs and expr.has(g.symbol))


def _check_stated(builder, step, item, program, upstream) -> None:
    """The shorter form a spec states (simplify d<name> = ...) checked first: a form that is not the gradient is
    the spec's mistake (bad input, said in one line with the counterexample), not the engine's."""
    from .refusal import refusal
    try:
        builder.verifier.stamp(step)
    except VerificationError as error:
        where = next((program.spec.where(s.at) for s in program.simplifications if s.name == f"d{item.name}"), None)
        message = refusal(f"simplify d{item.name}", item, error.verification.mismatch, program, upstream)
        raise InputError(f"{where}: {message}" if where else message) from None


def _check_section(program, backprop, report) -> Section:
    seed = num.seed_of(program.spec.text, ",".join(i.name for i in backprop.variables))
    data = num.random_data(program, backprop.upstream, seed=seed)
    numbers = num.Numbers(program, backprop, data)
    checked = num.finite_differences(numbers, seed)
    failed = [c for c in checked if not c.passed]
    if failed:
        worst = failed[0]
        raise RuntimeError(f"the gradient d{worst.variable} disagrees with finite differences at {worst.index}: "
                           f"{worst.analytic} vs {worst.numeric}")
    sizes = ", ".join(f"{k} = {v}" for k, v in data.sizes.items() if any(
        k == _dim_name(d) for i in program.inputs.values() for d in i.dims) or (k in ("N", "K") and program.labels))
    header = [[Text("entry")], [Text("from the matrix form")], [Text("finite difference")], [Text("relative error")]]
    rows = [[[Text(f"d{c.variable}{list(c.index)}")], [Text(f"{c.analytic + 0.0:.10g}")],
             [Text(f"{c.numeric + 0.0:.10g}")], [Text(f"{c.error:.1e}")]] for c in checked]
    blocks = [
        sentence(f"At random data ({sizes}; arrays with standard normal entries, labels uniform, scalars their "
                 f"values), {len(checked)} entries of the gradients, computed from the matrix forms with NumPy, "
                 f"against centred differences of the loss with a step of {num.STEP:g}:"),
        Table(header, rows),
        sentence(f"All {len(checked)} agree to within a relative error of {num.TOLERANCE:g}."),
    ]
    return Section("A check by finite differences", blocks)


def _dim_name(symbol) -> str:
    from ..lang.lower import dim_name
    return dim_name(symbol)


def _data_section(program, backprop, source, report) -> Section:
    data = num.read_data(program, source, backprop.upstream)
    numbers = num.Numbers(program, backprop, data)
    blocks = [sentence("The arrays of ", Code(str(data.source or "the data given")), " (",
                       ", ".join(f"{k} = {v}" for k, v in data.sizes.items()), "):")]
    if program.is_loss:
        loss = numbers.loss()
        report.results["loss"].value = loss
        blocks.append(sentence(Eq(sympy.Symbol("L"), sympy.Float(loss, 10), evaluate=False)))
    else:
        out = np.asarray(numbers.output(), dtype=float)
        report.results[program.output.name] = Result(program.output.name, program.output.matrix,
                                                     value=out.tolist(), description="the layer's output")
    for item in backprop.variables:
        value = numbers.gradient(item)
        if not np.all(np.isfinite(value)):
            raise InputError(f"d{item.name} is beyond double precision at these arrays")
        report.results[f"d{item.name}"].value = value.tolist()
        blocks.append(sentence(f"d{item.name} ({' x '.join(map(str, value.shape))}): " + _numbers_text(value)))
    return Section("The numbers at the data given", blocks)


def _numbers_text(value) -> str:
    flat = value.reshape(-1)
    shown = ", ".join(f"{v:.6g}" for v in flat[:MAX_SHOWN_ENTRIES])
    more = f", ... ({flat.size - MAX_SHOWN_ENTRIES} more in the JSON report)" if flat.size > MAX_SHOWN_ENTRIES else ""
    return f"[{shown}{more}]"


__all__ = ["gradient", "whole_definitions", "loss_symbol", "variables_of"]
