"""``derive gradcheck SPEC``: the generated code's gradients against centred differences, for any spec.

The analytic gradients come from the module ``derive codegen SPEC`` prints (:mod:`.module`); the numeric ones
from :func:`~derivations.engine.gradcheck.check_gradient` on the generated loss (for a layer, the sum of dout
times its output). A failing entry is explained where the +-h step moves the argument of a kink of the spec
(max(0, u), |u|, 1[u > 0], the largest entry of a row) across it: found from the matrix forms themselves.
"""
from __future__ import annotations

import numpy as np
import sympy

from ..engine.arrays import ArrayEvaluator
from ..engine.build import sentence, warning
from ..engine.elementwise import Abs, RowMax
from ..engine.gradcheck import BANDS, check_gradient, choose_entries
from ..engine.inputs import InputError, number
from ..engine.matrices import Hinge, Positive
from ..engine.steps import Code, Result, Section, Table, Text
from ..grad import numbers as num
from ..lang import names as nm
from ..report import Report
from .module import Module

#: the largest sizes --random draws, and the most multiply-adds a check may cost
MAX_SIZE = 100_000
MAX_ENTRIES_SHOWN = 200
MAX_STEP = 1.0


def parse_sizes(text) -> dict:
    """``N=500,D=3073,H=100,K=10`` as sizes (the others keep the defaults of the self-check)."""
    sizes = dict(num.CHECK_SIZES)
    if text in (None, ""):
        return sizes
    for part in str(text).split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in nm.DIMENSIONS or not value.strip().isdigit():
            raise InputError(f"--random takes sizes as N=500,D=3073,H=100,K=10 (N, D, H, K), not {text!r}")
        size = int(value)
        if not 1 <= size <= MAX_SIZE:
            raise InputError(f"--random: {name} must be between 1 and {MAX_SIZE:,}, not {size}")
        sizes[name] = size
    if sizes["K"] < 2:
        raise InputError("--random: K must be at least 2")
    return sizes


def gradcheck(spec, wrt=None, *, data=None, random=None, seed=0, h="1e-5", num_checks=10,
              all_entries=False) -> Report:
    """Check the generated gradients of ``spec`` on a file's arrays or on random data of the sizes given."""
    step = float(number(h, "--h"))
    if not 0 < step <= MAX_STEP:
        raise InputError(f"--h is the step of a centred difference: a positive number at most {MAX_STEP:g}, not {h}")
    if data is not None and random is not None:
        raise InputError("give --data FILE or --random N=...,K=..., not both")
    module = Module(spec, wrt)
    program, backprop = module.program, module.backprop
    upstream = backprop.upstream
    if data is not None:
        batch = num.read_data(program, data, upstream)
    else:
        sizes = parse_sizes(random)
        batch = num.random_data(program, upstream, sizes, seed=int(seed))
    namespace = {"__name__": "derive_generated_spec"}
    exec(compile(module.source, "<derive codegen>", "exec"), namespace)  # noqa: S102 - our printout of verified forms
    arguments = {name: batch.arrays[name] for name in _argument_names(program)}
    if program.is_loss:
        loss_value, grads = namespace["loss_and_grad"](**arguments)

        def loss_at(changed):
            return namespace["loss"](**{**arguments, **changed})
    else:
        dout = batch.arrays[upstream.name]
        grads = namespace["backward"](dout, **arguments)

        def loss_at(changed):
            out = namespace["forward"](**{**arguments, **changed})
            return float(np.sum(np.reshape(out, dout.shape) * dout))
        loss_value = loss_at({})
    if not np.isfinite(loss_value):
        raise InputError("the loss is beyond double precision at these numbers: a gradient check needs finite ones")
    kinks = _Kinks(program, backprop, batch)
    checks = []
    for item in backprop.variables:
        base = np.asarray(batch.arrays[item.name], dtype=float)
        matrix = base.reshape(base.shape[0], -1) if base.ndim == 2 else base.reshape(-1, 1)
        analytic = np.asarray(grads[f"d{item.name}"], dtype=float).reshape(matrix.shape)
        count = None if all_entries else num_checks
        entries = choose_entries(matrix.shape, count, num.seed_of(item.name, seed, matrix.shape))

        def loss_of(changed, item=item, shape=base.shape):
            return loss_at({item.name: changed.reshape(shape)})

        result = check_gradient(loss_of, analytic, matrix, entries, step,
                                kinks=lambda entry, s, item=item: kinks.crossed(item, entry, s))
        checks.append((item, result))
    return _report(module, batch, data, random, seed, step, checks, loss_value)


def _argument_names(program) -> list:
    return [item.name for item in program.inputs.values()]


class _Kinks:
    """Where a step of an entry moves the argument of a kink across 0 (max(0, u), |u|, 1[u > 0]) or changes the
    largest entry of a row: compared at the two points of the centred difference, from the spec's matrix forms."""

    def __init__(self, program, backprop, batch):
        self.program, self.backprop, self.batch = program, backprop, batch
        self.arguments = []
        for node in program.nodes:
            for part in sympy.preorder_traversal(node.matrix):
                if isinstance(part, (Hinge, Positive, Abs)):
                    self.arguments.append(part.matrix)
                elif isinstance(part, RowMax):
                    self.arguments.append(part)
        self.numbers = num.Numbers(program, None, batch)

    def crossed(self, item, entry, h) -> tuple:
        if not self.arguments:
            return ()
        base = np.asarray(self.batch.arrays[item.name], dtype=float)
        values = []
        for sign in (1, -1):
            moved = base.copy()
            flat = moved.reshape(moved.shape[0], -1) if moved.ndim == 2 else moved.reshape(-1, 1)
            flat[entry] += sign * h
            arrays = dict(self.batch.arrays, **{item.name: moved})
            evaluator = self.numbers._evaluator(arrays)
            values.append([np.asarray(_value(evaluator, a), dtype=float) for a in self.arguments])
        found = []
        for argument, up, down in zip(self.arguments, *values):
            if isinstance(argument, RowMax):
                continue
            changed = np.sign(up) != np.sign(down)
            found += [(str(argument), tuple(int(i) for i in index)) for index in zip(*np.nonzero(changed))]
        return tuple(found)


def _value(evaluator: ArrayEvaluator, expr):
    return evaluator.value(expr)


def _report(module, batch, data, random, seed, step, checks, loss_value) -> Report:
    label = module.resolved.label
    parameters = {"spec": label, "wrt": ",".join(i.name for i in module.backprop.variables), "h": step}
    parameters.update({"data": str(data)} if data is not None else {"random": random or "", "seed": int(seed)})
    parameters.update({f"size_{k}": v for k, v in batch.sizes.items()})
    report = Report("gradcheck", f"Gradient check of the generated code of {label}", parameters)
    where = (["the arrays of ", Code(str(batch.source or data))] if data is not None else
             [f"random data (seed {int(seed)}): arrays with standard normal entries, labels uniform, scalars their "
              "values in the spec"])
    sizes = ", ".join(f"{k} = {v}" for k, v in batch.sizes.items())
    report.sections.append(Section("What is checked", [
        sentence("The gradients of the code ", Code(f"derive codegen {label}"), " prints from the verified matrix "
                 "forms, at ", *where, f" ({sizes}), against centred differences with a step of {step:g}; "
                 "the relative error is |a - n| / (|a| + |n|).")]))
    header = [[Text("entry")], [Text("analytic")], [Text("numeric")], [Text("relative error")], [Text("band")],
              [Text("kinks crossed")]]
    rows, shown, failed, unexplained = [], 0, 0, 0
    rows_json, by_variable = [], {}
    for item, result in checks:
        for e in result.entries:
            index = [e.row, e.col] if len(item.dims) == 2 else [e.row]
            failed += e.failed
            unexplained += e.failed and not e.explained
            rows_json.append(index)
            by_variable.setdefault(item.name, []).append(index + [e.analytic, e.numeric, e.relative_error])
            if shown < MAX_ENTRIES_SHOWN:
                rows.append([[Text(f"d{item.name}{index}")], [Text(f"{e.analytic:.10g}")], [Text(f"{e.numeric:.10g}")],
                             [Text(f"{e.relative_error:.1e}")], [Text(e.band)],
                             [Text(str(len(e.kinks)) if e.kinks else "-")]])
                shown += 1
    bands = ", ".join(f"{name} below {bound:.0e}" for bound, name in BANDS[:-1]) + f", {BANDS[-1][1]} above"
    blocks = [Table(header, rows), sentence(f"Bands: {bands}; an entry passes in the first two, and a failure is "
                                            "explained when the step crosses a kink of the loss (the centred "
                                            "difference then mixes two one-sided slopes).")]
    if len(rows_json) > shown:
        blocks.append(sentence(f"The first {shown} of {len(rows_json)} entries are shown; the JSON report holds all."))
    report.sections.append(Section("The entries", blocks))
    if unexplained:
        verdict = warning(f"{unexplained} entr{'y fails' if unexplained == 1 else 'ies fail'} with no kink to explain "
                          "it: the analytic gradient is wrong there.")
    elif failed:
        verdict = sentence(f"{len(rows_json) - failed} of {len(rows_json)} entries pass; the other {failed} sit on a "
                           "kink crossed by the step: the gradient is right.")
    else:
        verdict = sentence(f"All {len(rows_json)} entries pass.")
    report.sections.append(Section("Verdict", [verdict]))
    report.results["loss"] = Result("loss", sympy.Symbol("L"), float(loss_value), "the loss at these numbers")
    for name, entries in by_variable.items():
        report.results[f"d{name}_entries"] = Result(f"d{name}_entries", sympy.Symbol(f"d{name}"), entries,
                                                    "(index, analytic, numeric, relative error) for each entry "
                                                    f"of d{name} checked")
    report.results["failed"] = Result("failed", sympy.Integer(failed), failed, "entries outside the passing bands")
    report.results["unexplained"] = Result("unexplained", sympy.Integer(unexplained), unexplained,
                                           "failures no kink explains: a wrong gradient")
    report.verification_note = sentence("Checked for this document: the entries listed above, against centred "
                                        "differences, in floating point. The code was printed from matrix forms "
                                        "every step of whose derivation was verified, and its loss and gradients "
                                        "were compared with those forms evaluated on random data before it was "
                                        "run here.")
    report.passed = unexplained == 0
    return report


__all__ = ["gradcheck", "parse_sizes"]
