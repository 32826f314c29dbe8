"""``derive codegen SPEC``: a standalone NumPy module printed from the verified matrix forms of ``derive grad``.

For a loss: ``loss(...)`` and ``loss_and_grad(...)`` returning (L, {"dW": ..., ...}); for a layer:
``forward(...)`` and ``backward(dout, ...)`` returning {"dx": ..., ...} (it runs the forward pass again). The
arguments are the spec's declared names in order (a scalar with a value in the spec defaults to it). Every
expression is printed by :class:`~derivations.codegen.printer.ArrayCodePrinter` from a matrix form whose
derivation verified (nothing here knows a loss); a part computed twice is computed once into a temporary.
``python FILE.py`` runs a self-check: centred differences on random data, exit status 1 on a mismatch.
"""
from __future__ import annotations

import textwrap
from collections import Counter

import sympy
from sympy import MatAdd, MatMul, MatrixSymbol, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct

from .. import __version__
from ..engine.inputs import InputError
from ..engine.matrices import Ones
from ..grad import numbers as num
from ..grad.derivation import variables_of
from ..grad.graph import backpropagate
from ..grad.specs import resolve
from ..lang import names as nm
from ..lang.lower import dim_name
from ..report.printing import text
from .printing import SpecCodePrinter

#: the sizes of the self-check's random data
CHECK_SIZES = {"N": 5, "D": 4, "H": 3, "K": 3}


class Module:
    """The generated source of one spec, and what it was made from."""

    def __init__(self, spec: str, wrt=None):
        self.resolved = resolve(spec)
        self.program = self.resolved.program
        self.variables = variables_of(self.program, wrt)
        self.backprop = backpropagate(self.program, self.variables)
        self.source = _generate(self)
        from .agreement import check
        check(self, seed=num.seed_of("codegen", self.program.spec.text))


def generate(spec: str, wrt=None) -> str:
    """The source of the module for ``spec`` (a built-in, a file, or a spec's text)."""
    return Module(spec, wrt).source


def _arguments(program, upstream=None) -> list:
    """(name, default) of each argument: the declared names in order; a layer's dout first."""
    out = [(upstream.name, None)] if upstream is not None else []
    required, optional = [], []
    for item in program.inputs.values():
        if item.kind == "scalar" and item.default is not None:
            value = float(item.default)
            optional.append((item.name, repr(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)))
        else:
            required.append((item.name, None))
    return out + required + optional


def _signature(arguments) -> str:
    return ", ".join(name if default is None else f"{name}={default}" for name, default in arguments)


def _frame(program, upstream, sizes_needed) -> list:
    """Lines that read the arguments: float arrays (vectors as columns), one-hot labels, the sizes."""
    lines = []
    items = list(program.inputs.values()) + ([upstream] if upstream is not None else [])
    for item in items:
        if item.kind == "array":
            shape = "reshape(-1, 1)" if len(item.dims) == 1 else None
            lines.append(f"{item.name} = np.asarray({item.name}, dtype=float)" + (f".{shape}" if shape else ""))
    sources = {}
    for item in items:
        if item.kind == "array":
            for axis, dim in enumerate(item.dims):
                sources.setdefault(dim_name(dim), f"{item.name}.shape[{axis}]")
    labels = program.labels
    if labels is not None:
        sources.setdefault("N", f"len({labels.name})")
        sizes_needed |= {"N", "K"}
    for name in ("N", "D", "H", "K"):
        if name in sizes_needed:
            if name not in sources:
                raise InputError(f"no array of the spec gives the size {name}: the generated code could not know it")
            lines.append(f"{name} = {sources[name]}")
    if labels is not None:
        onehot = labels.onehot.name
        lines.append(f"{onehot} = np.zeros((N, K))                       # one-hot labels: "
                     f"{onehot}[n, {labels.name}[n]] = 1")
        lines.append(f"{onehot}[np.arange(N), np.asarray({labels.name}, dtype=int)] = 1")
    return lines


def _sizes_in(exprs) -> set:
    found = set()
    for expr in exprs:
        for symbol in expr.free_symbols if isinstance(expr, sympy.Basic) else ():
            for name, dim in nm.DIMENSIONS.items():
                if symbol == dim:
                    found.add(name)
    return found


def _generate(module: Module) -> str:
    program, backprop = module.program, module.backprop
    upstream = backprop.upstream
    names = {}
    for item in program.inputs.values():
        if item.kind == "array":
            names[item.symbol] = item.name
        elif item.kind == "labels":
            names[item.onehot] = item.onehot.name
        else:
            names[item.symbol] = item.name
    if upstream is not None:
        names[upstream.symbol] = upstream.name
    for node in program.nodes:
        names[node.symbol] = node.name
    for gradient in backprop.gradients.values():
        names[gradient.symbol] = gradient.name
    for name, dim in nm.DIMENSIONS.items():
        names[dim] = name
    forward = [(node.name, node.matrix) for node in program.nodes]
    backward = [(backprop.gradient(node).name, backprop.gradient(node).total)
                for node in backprop.order if node is not program.output]
    backward += [(f"d{item.name}", backprop.final(item)) for item in backprop.variables]
    backward = _live(backward, len(backprop.variables))
    printer = SpecCodePrinter(names)
    needed_forward = _needed(program, [program.output.symbol])
    forward_lines = [(n, e) for n, e in forward if n in needed_forward]
    all_lines = forward + backward
    sizes = _sizes_in([e for _, e in all_lines])
    frame = _frame(program, upstream, sizes)
    forward_code = _emit(printer, forward_lines, "f")
    returned = [program.output.symbol] if program.is_loss else []          # a layer's backward returns no output
    full_forward = _emit(printer, [(n, e) for n, e in forward if n in _needed(
        program, returned + [s for _, e in backward for s in e.atoms(nm.SpecArray)])], "f")
    backward_code = _emit(printer, backward, "t")
    arguments = _arguments(program, None)
    signature = _signature(arguments)
    out_name = program.output.name
    results = ", ".join(f'"d{item.name}": {_returned(item)}' for item in backprop.variables)
    helpers = "\n\n".join(printer.helper_sources())
    title = program.spec.title or (f"the built-in {module.resolved.name}" if module.resolved.name else "a spec")
    doc = _docstring(module, title)
    source = [f'"""{doc}"""', "import numpy as np", ""]
    if helpers:
        source += ["", helpers.rstrip("\n"), ""]
    body = []
    if program.is_loss:
        body += ["", f"def loss({signature}):", '    """The loss L alone."""']
        body += [f"    {line}" for line in frame + forward_code]
        body += [f"    return float({out_name})", "", ""]
        body += [f"def loss_and_grad({signature}):",
                 '    """The loss L and its gradients, by name (each of the shape of its variable)."""']
        shapes = [f"    _shape_{item.name} = np.shape({item.name})" for item in backprop.variables]
        body += shapes
        body += [f"    {line}" for line in frame + full_forward + backward_code]
        body += [f"    return float({out_name}), {{{results}}}", ""]
    else:
        layer_signature = _signature(_arguments(program, upstream))
        body += ["", f"def forward({signature}):", f'    """The layer\'s output {out_name}."""']
        frame_forward = _frame(program, None, _sizes_in([e for _, e in forward_lines]))
        body += [f"    {line}" for line in frame_forward + forward_code]
        body += [f"    return {out_name}", "", ""]
        body += [f"def backward({layer_signature}):",
                 f'    """The gradients of a loss L with respect to the inputs, given {upstream.name} = dL/d{out_name} '
                 '(the forward pass is run again)."""']
        body += [f"    _shape_{item.name} = np.shape({item.name})" for item in backprop.variables]
        body += [f"    {line}" for line in frame + full_forward + backward_code]
        body += [f"    return {{{results}}}", ""]
    source += body
    source.append(_self_check(program, backprop, arguments, upstream))
    source += ["", "", 'if __name__ == "__main__":', "    raise SystemExit(_self_check())", ""]
    return "\n".join(source)


def _live(statements, results: int) -> list:
    """The statements the last ``results`` ones need (an intermediate gradient a stated shorter form no longer
    uses is not computed)."""
    needed = {name for name, _ in statements[-results:]}
    kept = []
    for name, expr in reversed(statements):
        if name in needed:
            kept.append((name, expr))
            needed |= {s.name for s in expr.atoms(nm.SpecArray)}
    return list(reversed(kept))


def _returned(item) -> str:
    return f"d{item.name}.reshape(_shape_{item.name})"


def _needed(program, symbols) -> set:
    """The names of the definitions the symbols are computed from."""
    by_symbol = {n.symbol: n for n in program.nodes}
    found, todo = set(), [s for s in symbols if s in by_symbol]
    while todo:
        node = by_symbol[todo.pop()]
        if node.name in found:
            continue
        found.add(node.name)
        todo += [s for s in node.matrix.atoms(nm.SpecArray) if s in by_symbol]
    return found


def _costly(e) -> bool:
    """Whether computing ``e`` twice would cost a pass over an array: anything but a name, a transpose of one,
    a column or matrix of ones, a scalar."""
    if not isinstance(e, sympy.MatrixExpr) or isinstance(e, (MatrixSymbol, Ones)):
        return False
    if isinstance(e, Transpose):
        return _costly(e.arg)
    if isinstance(e, MatMul):
        _, matrices = e.as_coeff_matrices()
        return any(_costly(m) or isinstance(m, MatrixSymbol) for m in matrices) and not all(
            isinstance(m, (Ones, Transpose)) and not _costly(m) for m in matrices)
    return e.shape != (1, 1)


def _subtrees(e, out: Counter):
    if not isinstance(e, sympy.MatrixExpr):
        return
    if _costly(e):
        out[e] += 1
    for arg in e.args:
        _subtrees(arg, out)


def _emit(printer, statements, prefix) -> list:
    """``name = code`` for each statement, with each costly part that appears more than once computed once into
    a temporary just before its first use."""
    counts = Counter()
    for _, expr in statements:
        _subtrees(expr, counts)
    repeated = {e for e, n in counts.items() if n > 1 and not isinstance(e, (MatAdd,)) or n > 1}
    lines, temporaries = [], {}
    for name, expr in statements:
        expr = _with_temporaries(expr, repeated, temporaries, printer, lines, prefix)
        lines.append(f"{name} = {printer.code(expr)}")
    return lines


def _with_temporaries(expr, repeated, temporaries, printer, lines, prefix):
    """``expr`` with each repeated part replaced by its temporary (defined on first use, innermost first)."""
    if not isinstance(expr, sympy.MatrixExpr) or isinstance(expr, MatrixSymbol):
        return expr
    if expr in temporaries:
        return temporaries[expr]
    if expr.args:
        args = [_with_temporaries(a, repeated, temporaries, printer, lines, prefix) for a in expr.args]
        rebuilt = expr if all(a is b for a, b in zip(args, expr.args)) else _rebuild(expr, args)
    else:
        rebuilt = expr
    if expr in repeated:
        name = f"_{prefix}{len(temporaries) + 1}"
        symbol = nm.SpecArray(name, *expr.shape)
        printer.names[symbol] = name
        lines.append(f"{name} = {printer.code(rebuilt)}")
        temporaries[expr] = symbol
        return symbol
    return rebuilt


def _rebuild(expr, args):
    if isinstance(expr, MatMul):
        return MatMul(*args)
    if isinstance(expr, MatAdd):
        return MatAdd(*args)
    if isinstance(expr, HadamardProduct):
        return HadamardProduct(*args)
    if isinstance(expr, HadamardPower):
        return HadamardPower(*args)
    return expr.func(*args)


def _docstring(module, title) -> str:
    program, backprop = module.program, module.backprop
    lines = [f"{title[0].upper() + title[1:]}: generated by derive {__version__} (`derive codegen "
             f"{module.resolved.label}`) from the verified matrix forms of `derive grad`.", ""]
    for node in program.nodes:
        lines.append(f"    {node.name} = {text(node.matrix)}")
    lines.append("")
    for item in backprop.variables:
        lines.append(f"    d{item.name} = {text(backprop.final(item))}")
    gradients = [g for g in backprop.gradients.values() if g.of.name not in program.inputs]
    if gradients:
        lines += ["", "with"]
        lines += [f"    {g.name} = {text(g.total)}" for g in gradients]
    lines += ["", "Vectors are columns inside; the gradients come back in the shapes of their variables.",
              "Kinks: 1[u > 0] is 0 at u = 0, sign(0) = 0, and the argmax of a row is its first largest entry."]
    return "\n".join(textwrap.fill(line, 116, subsequent_indent="        ") if len(line) > 116 else line
                     for line in lines)


def _self_check(program, backprop, arguments, upstream) -> str:
    """The check ``python FILE.py`` runs: centred differences of the loss on random data."""
    draws = []
    for item in program.inputs.values():
        if item.kind == "array":
            shape = ", ".join(f"sizes[{dim_name(d)!r}]" for d in item.dims)
            draws.append(f"    args[{item.name!r}] = rng.standard_normal(({shape},))")
        elif item.kind == "labels":
            draws.append(f"    args[{item.name!r}] = rng.integers(0, sizes['K'], sizes['N'])")
        elif item.default is None:
            draws.append(f"    args[{item.name!r}] = {0.5 if item.positive else 0.1}")
    variables = [item.name for item in backprop.variables]
    if upstream is None:
        value = "loss(**arguments)"
        analytic = "    _, grads = loss_and_grad(**args)"
    else:
        shape = ", ".join(f"sizes[{dim_name(d)!r}]" for d in upstream.dims)
        draws.append(f"    upstream = rng.standard_normal(({shape},))")
        value = "float(np.sum(np.reshape(forward(**arguments), upstream.shape) * upstream))"
        analytic = "    grads = backward(upstream, **args)"
    lines = [
        "",
        "def _self_check(seed=0, entries=6, h=1e-6):",
        '    """Centred differences of the loss against the analytic gradients at random entries of random data."""',
        "    rng = np.random.default_rng(seed)",
        f"    sizes = {CHECK_SIZES!r}",
        "    args = {}",
        *draws,
        analytic,
        "    worst, failed = 0.0, 0",
        f"    for name in {variables!r}:",
        "        base = np.asarray(args[name], dtype=float)",
        "        for flat in rng.choice(base.size, size=min(entries, base.size), replace=False):",
        "            index = np.unravel_index(int(flat), base.shape)",
        "            values = []",
        "            for step in (h, -h):",
        "                moved = base.copy()",
        "                moved[index] += step",
        "                arguments = dict(args, **{name: moved})",
        f"                values.append({value})",
        "            numeric = (values[0] - values[1]) / (2 * h)",
        "            analytic = float(np.asarray(grads['d' + name])[index])",
        "            error = abs(numeric - analytic) / max(abs(numeric) + abs(analytic), 1e-12)",
        "            passed = error < 1e-6 or abs(numeric - analytic) < 1e-9      # both (near) 0: rounding",
        "            failed += not passed",
        "            worst = max(worst, error)",
        "            print(f'd{name}{[int(i) for i in index]}  analytic {analytic: .10f}  numeric {numeric: .10f}  '",
        "                  f'relative error {error:.1e}' + ('' if passed else '  FAILED'))",
        "    print('gradient check', 'FAILED' if failed else 'passed', f'(largest relative error {worst:.1e})')",
        "    return 1 if failed else 0",
    ]
    return "\n".join(lines)


_LOADED: dict = {}


def load(spec: str, wrt=None) -> dict:
    """The generated module's namespace, compiled from :func:`generate`'s source (this package's own printout of
    verified expressions; the spec's names in it are identifiers its grammar allows, checked against Python's
    keywords and the code's own names)."""
    key = (spec, wrt)
    if key not in _LOADED:
        source = generate(spec, wrt)
        namespace = {"__name__": "derive_generated_spec"}
        exec(compile(source, "<derive codegen>", "exec"), namespace)  # noqa: S102
        _LOADED[key] = namespace
    return _LOADED[key]


__all__ = ["generate", "load", "Module"]
