"""``derive gradcheck``: the generated code's analytic gradient against centred differences, kinks named.

The analytic dW comes from the module :mod:`.module` prints from the verified
matrix form; the numeric one from :func:`~derivations.engine.gradcheck.check_gradient`.
Every mismatch is explained from the data where a kink explains it: the
(example n, class j) margins within reach of the +-h step, their values and
the one-sided slopes. ``kink_demo`` answers seed 002's Question 1.
"""
from __future__ import annotations

import hashlib

import numpy as np
import sympy
from sympy import Eq, Max

from ..engine.build import decimal_number, note, sentence, warning
from ..engine.differentiate import d as derivative
from ..engine.gradcheck import BANDS, FAILING, NOISE_FACTOR, check_gradient, choose_entries, kinks_crossed, svm_margins
from ..engine.inputs import InputError, number
from ..engine.matrices import W_, X_
from ..engine.notation import D, Delta, K, N, W, c, feature, lam
from ..engine.steps import Code, Figure, Math, Result, Section, Table, Text
from ..losses.batch import MAX_REG
from ..report import Report
from .module import LOSSES, load

TITLE = "Gradient check of the generated {name} loss"
NAMES = {"svm": "multiclass SVM", "softmax": "softmax", "logistic": "logistic-regression"}
MAX_RANDOM = (100_000, 100_000, 10_000)
#: multiply-adds a check may do: each entry checked evaluates the loss twice (2 N D K); about 10 to 40 s
MAX_WORK = 10_000_000_000
#: the largest step of the centred difference
MAX_STEP = 1.0
MAX_ENTRIES_SHOWN = 200
MAX_KINKS_NAMED = 5


def random_batch(shape: str, seed, loss="svm") -> dict:
    """X ~ N(0, 1) (N x D), labels uniform in 0..K-1, W ~ 0.01 N(0, 1) (D x K), from a generator seeded by ``seed``;
    for logistic regression ``shape`` is N,D, the targets are 0 or 1 and W holds D weights."""
    try:
        sizes = [int(part) for part in str(shape).split(",")]
    except ValueError:
        raise InputError(f"--random must be N,D,K (whole numbers), not {shape!r}") from None
    if loss == "logistic":
        if len(sizes) != 2 or any(v < 1 for v in sizes) or sizes[0] * sizes[1] > 50_000_000:
            raise InputError(f"--random must be N,D for logistic regression (N, D >= 1), not {shape!r}")
        rng = np.random.default_rng(int(seed))
        n, d = sizes
        return {"X": rng.standard_normal((n, d)), "y": rng.integers(0, 2, n).astype(float),
                "W": 0.01 * rng.standard_normal(d)}
    if len(sizes) != 3 or any(v < 1 for v in sizes) or sizes[2] < 2:
        raise InputError(f"--random must be N,D,K with N, D >= 1 and K >= 2, not {shape!r}")
    if any(v > cap for v, cap in zip(sizes, MAX_RANDOM)) or sizes[0] * sizes[1] > 50_000_000:
        raise InputError(f"--random {shape} is too large: at most N = {MAX_RANDOM[0]}, D = {MAX_RANDOM[1]}, "
                         f"K = {MAX_RANDOM[2]} and N x D = 50,000,000")
    n, d, k = sizes
    rng = np.random.default_rng(int(seed))
    return {"X": rng.standard_normal((n, d)), "y": rng.integers(0, k, n), "W": 0.01 * rng.standard_normal((d, k))}


def _check_work(entries, shape, all_entries) -> None:
    """Refuse a check that would take more than :data:`MAX_WORK` multiply-adds (each entry: 2 N D K)."""
    n, d, k = shape
    per_entry = 2 * n * d * k
    if entries * per_entry <= MAX_WORK:
        return
    allowed = MAX_WORK // per_entry
    asked = "--all" if all_entries else "--num-checks"
    advice = (f"check at most {allowed:,} entries (--num-checks {allowed}) or use a smaller batch" if allowed
              else "even one entry is more: use a smaller batch")
    raise InputError(f"{asked} asks for {entries:,} entries of W; on a batch of N x D x K = {n} x {d} x {k} each costs "
                     f"2 N D K = {per_entry:,} multiply-adds, and a check does at most {MAX_WORK:.0e}: {advice}")


def _float(value, what, positive=False):
    exact = number(value, what)
    if positive and not exact > 0:
        raise InputError(f"{what} must be a positive number, not {value}")
    return float(exact)


def _digest(*arrays) -> int:
    """A seed from the data being checked (so the same data always checks the same entries)."""
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
        h.update(str(a.shape).encode())
    return int.from_bytes(h.digest()[:8], "big")


def gradcheck(loss="svm", *, data=None, random=None, seed=0, delta=1, reg=0, reg_form="full", h="1e-5",
              num_checks=10, all_entries=False) -> Report:
    """Check the generated ``loss_and_grad`` of ``loss`` on a batch (a file, a mapping, or ``random`` = "N,D,K")."""
    from ..losses.batch_numbers import read_batch
    from ..losses.logistic_batch import read_batch as read_logistic
    from .module import matrix_form

    if loss not in LOSSES:
        raise InputError(f"unknown loss {loss!r} for gradcheck; choose {', '.join(LOSSES)}")
    if (data is None) == (random is None):
        raise InputError("give the batch with --data FILE (.npz or .json with X, y, W) or --random N,D,K, not both")
    step = _float(h, "--h", positive=True)
    if step > MAX_STEP:
        raise InputError(f"--h is the step of a centred difference: at most {MAX_STEP:g} (usually 1e-5), not {h}")
    delta_value = _float(delta, "--delta")
    reg_value = _float(reg, "--reg")
    if reg_value < 0 or reg_value > MAX_REG:
        raise InputError(f"--reg must be between 0 and {MAX_REG:.0e}, not {reg}")
    if not all_entries and (not isinstance(num_checks, int) or num_checks < 1):
        raise InputError("--num-checks must be a whole number of at least 1")
    source = "random data" if random is not None else None
    reader = read_logistic if loss == "logistic" else read_batch
    batch = reader(random_batch(random, seed, loss) if random is not None else data)
    X, y, W = batch.X, batch.y, batch.W
    _check_work(W.size if all_entries else min(num_checks, W.size), batch.shape, all_entries)
    generated = load(loss, reg_form)
    extra = {"delta": delta_value} if loss == "svm" else {}

    def loss_of(W_):
        return generated["loss"](W_, X, y, reg_value, **extra)

    _, dW = generated["loss_and_grad"](W, X, y, reg_value, **extra)
    W = W.reshape(-1, 1) if W.ndim == 1 else W
    if W is not batch.W:
        def loss_of(W_):
            return generated["loss"](W_.reshape(-1), X, y, reg_value)
        dW = dW.reshape(-1, 1)
    entries = choose_entries(W.shape, None if all_entries else num_checks, _digest(X, y, W))
    if not (np.isfinite(loss_of(W)) and np.isfinite(dW).all()):
        raise InputError(f"the loss or its gradient is beyond float64's range at these weights (--reg {reg}, "
                         f"--delta {delta}): a gradient check needs finite numbers")
    if loss == "svm":
        margins = svm_margins(W, X, y, delta_value)

        def kinks(entry, s):
            return kinks_crossed(margins, X, y, entry, s)
    else:
        kinks = None
    result = check_gradient(loss_of, dW, W, entries, step, kinks=kinks)

    form = matrix_form(loss, reg_form)
    n, d, k = batch.shape
    parameters = {"loss": loss, "reg_form": reg_form, "reg": reg_value, "h": step, "N": n, "D": d, "K": k,
                  "entries": len(entries)}
    if loss == "svm":
        parameters["delta"] = delta_value
    parameters.update({"random": random, "seed": int(seed)} if random is not None else {"data": batch.source})
    report = Report("gradcheck", TITLE.format(name=NAMES[loss]), parameters)
    report.sections.append(_what_section(form, loss, reg_form, step, batch, source or batch.source, random, seed,
                                         delta_value, reg_value))
    report.sections.append(_entries_section(result))
    explained = [e for e in result.entries if e.explained]
    unexplained = result.unexplained
    if explained or unexplained:
        report.sections.append(_mismatch_section(explained, unexplained, step))
    report.sections.append(_verdict_section(result))
    report.results["entries"] = Result("entries", form.dW, [[e.row, e.col, e.analytic, e.numeric, e.relative_error]
                                                           for e in result.entries],
                                       "(d, c, analytic, numeric, relative error) for each entry checked")
    report.results["loss"] = Result("loss", form.loss, result.loss, "L at W")
    report.results["failed"] = Result("failed", sympy.Integer(sum(e.failed for e in result.entries)),
                                      sum(e.failed for e in result.entries), "entries outside the passing bands")
    report.results["explained_by_kinks"] = Result("explained_by_kinks", sympy.Integer(len(explained)),
                                                  len(explained), "failures a crossed kink explains")
    report.results["unexplained"] = Result("unexplained", sympy.Integer(len(unexplained)), len(unexplained),
                                           "failures no kink explains: a wrong gradient")
    report.verification_note = _code_note(loss)
    report.passed = result.ok
    return report


def _code_note(loss):
    """What was verified behind a report of numbers: the matrix form the code was printed from."""
    sizes = [N, ", ", D, " and ", K] if loss != "logistic" else [N, " and ", D]
    return sentence("Checked for this document: the entries listed above, against centred differences. The analytic "
                    "gradient was computed by code printed from the matrix form of the batch gradient, every step of "
                    "which was verified by SymPy (setting ", *sizes, " to small sizes and comparing both sides on "
                    "both sides of every kink); the numbers here are floating point.")


_L = sympy.Function("L")
_L0 = sympy.Symbol("L", real=True)
_h, _a, _n, _r, _m = sympy.symbols("h a n r m", real=True)
_E = sympy.MatrixSymbol("E", D, K)


def _shown_number(value, digits=6):
    """A number for prose: an integer as such, else ``digits`` significant digits."""
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return sympy.Integer(int(value))
    return decimal_number(f"{value:.{digits}g}")


def _what_section(form, loss, reg_form, step, batch, source, random, seed, delta_value, reg_value):
    n, d, k = batch.shape
    targets = ["targets 0 or 1"] if loss == "logistic" else ["labels uniform in 0, ..., ", K - 1]
    data_words = (["random data: entries of ", X_, " drawn from a standard normal distribution, ", *targets,
                   ", entries of ", W_, " from a normal distribution of standard deviation 0.01 (generator seed ",
                   Code(str(seed)), ")"] if random is not None else ["the file ", Code(str(source))])
    gradient = derivative(sympy.Symbol("L", real=True), W_)
    blocks = [
        sentence("The analytic gradient is that of the generated code (", Code(f"derive codegen {loss} --reg-form "
                                                                                f"{reg_form}"),
                 "), printed from the verified matrix form"),
        sentence(Eq(gradient, form.dW, evaluate=False)),
        sentence("of the loss ", Eq(sympy.Symbol("L", real=True), form.loss, evaluate=False), ". The batch: ",
                 *data_words, "; ", Eq(N, n), " examples, ", Eq(D, d), " features",
                 *([", ", Eq(K, k), " classes; "] if loss != "logistic" else ["; "]),
                 sympy.Eq(lam, sympy.Float(reg_value, 6) if reg_value != int(reg_value) else sympy.Integer(int(reg_value))),
                 *([", ", sympy.Eq(Delta, sympy.Float(delta_value, 6) if delta_value != int(delta_value)
                                   else sympy.Integer(int(delta_value)))] if loss == "svm" else []), "."),
        sentence("Each entry ", W[feature, c], " is checked against the centred difference ",
                 (_L(W_ + _h * _E) - _L(W_ - _h * _E)) / (2 * _h), " (", _E, " the matrix with a 1 at ",
                 sympy.Tuple(feature, c), " and 0 elsewhere) with ", Eq(_h, _shown_number(step)),
                 ", and the relative error ", Eq(_r, abs(_a - _n) / (abs(_a) + abs(_n)), evaluate=False),
                 " of the analytic value ", _a, " and the numeric one ", _n, "."),
    ]
    return Section("What is checked", blocks)


def _entries_section(result):
    header = [[Text("entry (d, c)")], [Text("analytic")], [Text("numeric")], [Text("relative error")],
              [Text("band")], [Text("kinks crossed")]]
    rows = []
    for e in result.entries[:MAX_ENTRIES_SHOWN]:
        verdict = e.band + (" (rounding noise)" if e.noise and e.band in FAILING else "")
        rows.append([[Text(f"({e.row}, {e.col})")], [Text(f"{e.analytic:.10g}")], [Text(f"{e.numeric:.10g}")],
                     [Text(f"{e.relative_error:.1e}")], [Text(verdict)], [Text(str(len(e.kinks)) if e.kinks else "-")]])
    blocks = [Table(header, rows)]
    if len(result.entries) > MAX_ENTRIES_SHOWN:
        blocks.append(note(f"The first {MAX_ENTRIES_SHOWN} of {len(result.entries)} entries are shown; the JSON "
                           "report holds all of them."))
    bands = ", ".join(f"{name} below {bound:.0e}" for bound, name in BANDS[:-1]) + f", {BANDS[-1][1]} above"
    blocks.append(note(f"Bands of the relative error: {bands}. An entry passes in the first two; in the others it "
                       "fails, unless the step of h either way crosses a kink of the loss (then the centred difference averages "
                       "two one-sided slopes, explained below) or the difference is within the rounding of the "
                       f"centred difference itself ({NOISE_FACTOR} eps |L| / h)."))
    return Section("The entries", blocks)


def _mismatch_section(explained, unexplained, step):
    blocks = []
    for e in explained:
        named = "; ".join(f"example {k_.example}, class {k_.cls}: margin {k_.margin:.3g}, moved {k_.change:.3g} "
                          "either way" for k_ in e.kinks[:MAX_KINKS_NAMED])
        more = f" and {len(e.kinks) - MAX_KINKS_NAMED} more" if len(e.kinks) > MAX_KINKS_NAMED else ""
        backward, forward = e.slopes
        blocks.append(sentence(
            f"Entry ({e.row}, {e.col}): a step of {step:g} either way in W_{e.row},{e.col} moves {len(e.kinks)} margin"
            f"{'s' if len(e.kinks) > 1 else ''} across 0 ({named}{more}). There the loss has a corner: the slope "
            f"from the left is {backward:.6g} and from the right {forward:.6g}; the centred difference "
            f"{e.numeric:.6g} mixes the two, while the code's subgradient (1[margin > 0] = 0 on the kink) gives "
            f"{e.analytic:.6g}. Not a bug: a smaller h, or a point off the kink, makes them agree."))
    for e in unexplained:
        blocks.append(warning(f"Entry ({e.row}, {e.col}): analytic {e.analytic:.10g}, numeric {e.numeric:.10g}, "
                              f"relative error {e.relative_error:.1e}, and no kink lies within reach of the step: "
                              "the analytic gradient is wrong there."))
    return Section("The mismatches, explained", blocks)


def _verdict_section(result):
    failed = sum(e.failed for e in result.entries)
    explained = sum(e.explained for e in result.entries)
    if result.ok and not failed:
        words = f"All {len(result.entries)} entries pass."
    elif result.ok:
        words = (f"{len(result.entries) - failed} of {len(result.entries)} entries pass; the other {failed} sit on "
                 "a kink crossed by the step, as explained above: the gradient is right.")
    else:
        words = (f"{len(result.unexplained)} entr{'y fails' if len(result.unexplained) == 1 else 'ies fail'} with no "
                 f"kink to explain {'it' if len(result.unexplained) == 1 else 'them'}"
                 + (f" ({explained} more are explained by kinks)" if explained else "") + ".")
    return Section("Verdict", [sentence(words)])


# --- seed 002, Question 1 ------------------------------------------------------------------------------

def kink_demo(h="1e-5", runs=20, seed=0) -> Report:
    """Seed 002's one-dimensional example through the checker, and the failure frequency against Delta and h."""
    from ..report.plots import failure_rate_figure
    from .kinks import SEED_DELTA, failure_frequency, seed_example

    step = _float(h, "--h", positive=True)
    if step > MAX_STEP:
        raise InputError(f"--h is the step of a centred difference: at most {MAX_STEP:g} (usually 1e-5), not {h}")
    if not isinstance(runs, int) or not 1 <= runs <= 1000:
        raise InputError("--runs must be a whole number from 1 to 1000")
    generated = load("svm", "full")
    example = seed_example(generated["loss_and_grad"], step)
    simulation = failure_frequency(generated["loss_and_grad"], runs=runs, seed=int(seed))
    report = Report("gradcheck", "Why a gradient check of the SVM sometimes fails",
                    {"kink_demo": True, "h": step, "runs": runs, "seed": int(seed)})
    first, second = example.entries
    x, w1, w2 = sympy.symbols("x W_1 W_2", real=True)
    hinge = sympy.Max(0, w1 * x - w2 * x + Delta, evaluate=False)
    blocks = [
        sentence("The loss of one example with one feature and two classes is ", sympy.Eq(
            sympy.Symbol("L", real=True), hinge), ", at ", Eq(x, 1), ", ", Eq(w1, 1), ", ", Eq(w2, 1), " and ",
            sympy.Eq(Delta, int(SEED_DELTA)), ": the margin ", w1 * x - w2 * x + Delta,
            " is exactly 0, on the kink of the hinge."),
        sentence("The generated code gives the subgradient ", Eq(derivative(_L0, w1), _shown_number(first.analytic), evaluate=False),
                 " and ", Eq(derivative(_L0, w2), _shown_number(second.analytic), evaluate=False), ": it uses ",
                 sympy.Heaviside(_m, 0), " for the margin ", _m, ", which is 0 on the kink."),
        sentence("The centred difference with ", Eq(_h, _shown_number(step)), " gives ", _shown_number(first.numeric), " and ",
                 _shown_number(second.numeric), ": ", (Max(0, _h) - Max(0, -_h)) / (2 * _h), " = ",
                 sympy.Rational(1, 2), ". It averages the slope from the left (", _shown_number(first.slopes[0]),
                 ") and from the right (", _shown_number(first.slopes[1]), ") of ", w1, ", which differ: ", _L0,
                 " has no derivative there, and any value between them is a subgradient."),
        Table([[Text("entry")], [Text("analytic")], [Text("numeric")], [Text("relative error")],
               [Text("slope from the left")], [Text("slope from the right")]],
              [[[Math(name)], [Math(_shown_number(e.analytic))], [Math(_shown_number(e.numeric))],
                [Math(_shown_number(e.relative_error, 2))], [Math(_shown_number(e.slopes[0]))], [Math(_shown_number(e.slopes[1]))]]
               for name, e in ((w1, first), (w2, second))]),
        sentence(f"The checker reports the relative error {first.relative_error:.2g} as '{first.band}', and explains "
                 "it: example 0, class 0 has margin 0, within reach of the step. It is not a reason for concern: "
                 "the analytic gradient is a valid subgradient, and away from the kink the two agree."),
    ]
    report.sections.append(Section("A one-dimensional example", blocks))

    rates = [(r.delta, r.h, r.rate) for r in simulation.rows]
    deltas = sorted({r.delta for r in simulation.rows})
    hs = sorted({r.h for r in simulation.rows})
    png = failure_rate_figure(rates, deltas, hs)
    name = f"gradcheck-kinks-{hashlib.sha256(repr(sorted(report.parameters.items())).encode()).hexdigest()[:8]}.png"
    header = [[Math(Delta), Text(" (rows), "), Math(_h), Text(" (columns)")]] + [[Math(_shown_number(h))] for h in hs]
    rows = []
    for delta in deltas:
        cells = []
        for h_ in hs:
            row = next(r for r in simulation.rows if r.delta == delta and r.h == h_)
            cells.append([Text(f"{100 * row.rate:.0f}% ({row.failed}/{row.checked})")])
        rows.append([[Math(_shown_number(delta))]] + cells)
    worst = max(simulation.rows, key=lambda r: (r.rate, -r.h))
    at_one = [r for r in simulation.rows if r.delta == max(deltas)]
    explained_all = all(r.explained == r.failed for r in simulation.rows)
    blocks = [
        sentence(f"A simulation: {simulation.runs} random problems for each pair ", sympy.Tuple(Delta, _h),
                 ", each with ", Eq(N, simulation.examples), " examples, ", Eq(D, simulation.features), " features, ",
                 Eq(K, simulation.classes), " classes, inputs drawn from a standard normal distribution, uniform "
                 "labels and the course's small initial weights (normal, standard deviation ",
                 _shown_number(simulation.weight_scale), f"); {simulation.checks} random entries checked in each. "
                 "The share of entries that fail:"),
        Table(header, rows),
        Figure(name, [Text("The share of gradient-check entries that fail, against the step "), Math(_h),
                      Text(", for each margin "), Math(Delta), Text(" (the same simulation as the table).")]),
        sentence("With small weights every score is near 0, so every margin sits near ", Delta, ". At ",
                 Eq(Delta, _shown_number(deltas[0])), " the margins crowd the kink and a step of ", _h, " either way "
                 f"crosses it often: up to {100 * worst.rate:.0f}% of the entries fail (at ", Eq(_h, _shown_number(worst.h)),
                 "). At ", Eq(Delta, _shown_number(max(deltas))), " the margins are about ", _shown_number(max(deltas)),
                 " away from it, and ",
                 *(["no entry fails at any step tried"] if all(r.failed == 0 for r in at_one) else
                   ["entries fail only for steps as large as ",
                    Eq(_h, _shown_number(min(r.h for r in at_one if r.failed)))]),
                 ". A larger margin makes failures rarer; a smaller step does too."
                 + (" Every failure in the simulation is explained by a crossed kink." if explained_all else "")),
    ]
    report.sections.append(Section("How often a check fails, measured", blocks))
    report.files[name] = png
    report.results["seed_analytic"] = Result("seed_analytic", sympy.Integer(0), [first.analytic, second.analytic],
                                             "the code's subgradient at the seed's point (W_1, W_2)")
    report.results["seed_numeric"] = Result("seed_numeric", sympy.Rational(1, 2), [first.numeric, second.numeric],
                                            "the centred differences at the seed's point (W_1, W_2)")
    report.verification_note = _code_note("svm")
    report.results["failure_rates"] = Result("failure_rates", sympy.Integer(0),
                                             [[r.delta, r.h, r.checked, r.failed, r.explained]
                                              for r in simulation.rows],
                                             "(Delta, h, entries checked, failed, explained by kinks)")
    report.passed = True
    return report
