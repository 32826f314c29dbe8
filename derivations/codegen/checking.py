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

from ..engine.build import note, sentence, warning
from ..engine.gradcheck import BANDS, FAILING, NOISE_FACTOR, check_gradient, choose_entries, kinks_crossed, svm_margins
from ..engine.inputs import InputError, number
from ..engine.notation import Delta, lam
from ..engine.steps import Figure, Result, Section, Table, Text
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
    command = {"svm": "svm-grad", "softmax": "softmax-grad", "logistic": "logistic-grad"}[loss]
    return sentence(f"The analytic gradient was computed by code printed from the matrix form that derive {command} "
                    "--wrt batch derives, every step of it verified by SymPy (setting N, D and K to small sizes and "
                    "comparing both sides on both sides of every kink); the numbers here are floating point.")


def _what_section(form, loss, reg_form, step, batch, source, random, seed, delta_value, reg_value):
    n, d, k = batch.shape
    targets = "targets 0 or 1" if loss == "logistic" else "labels uniform in 0..K-1"
    data_words = (f"random data: X ~ N(0, 1), {targets}, W ~ 0.01 N(0, 1), seed {seed}"
                  if random is not None else source)
    blocks = [
        sentence("The analytic gradient is the generated code's (derive codegen ", Text(loss),
                 f" --reg-form {reg_form}), printed from the verified matrix form"),
        sentence("dW = ", form.dW),
        sentence("of the loss L = ", form.loss, f". The batch: {data_words}; N = {n} examples, D = {d} features"
                 + (f", K = {k} classes; " if loss != "logistic" else "; "),
                 sympy.Eq(lam, sympy.Float(reg_value, 6) if reg_value != int(reg_value) else sympy.Integer(int(reg_value))),
                 *([", ", sympy.Eq(Delta, sympy.Float(delta_value, 6) if delta_value != int(delta_value)
                                   else sympy.Integer(int(delta_value)))] if loss == "svm" else []), "."),
        sentence(f"Each entry W_dc is checked against the centred difference (L(W + h e_dc) - L(W - h e_dc)) / 2h "
                 f"with h = {step:g}, and the relative error |a - n| / (|a| + |n|)."),
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
    report = Report("gradcheck", "Why a gradient check of the SVM sometimes fails (seed 002, Question 1)",
                    {"kink_demo": True, "h": step, "runs": runs, "seed": int(seed)})
    first, second = example.entries
    x, w1, w2 = sympy.symbols("x W_1 W_2", real=True)
    hinge = sympy.Max(0, w1 * x - w2 * x + Delta, evaluate=False)
    blocks = [
        sentence("The seed's loss of one example with one feature and two classes is ", sympy.Eq(
            sympy.Symbol("L", real=True), hinge), ", at x = 1, W_1 = W_2 = 1 and ", sympy.Eq(Delta, int(SEED_DELTA)),
            ": the margin W_1 x - W_2 x + Δ is exactly 0, on the kink of the hinge."),
        sentence(f"The generated code (derive codegen svm) gives the subgradient dL/dW_1 = {first.analytic:g} and "
                 f"dL/dW_2 = {second.analytic:g}: it uses 1[margin > 0], which is 0 on the kink."),
        sentence(f"The centred difference with h = {step:g} gives {first.numeric:.6g} and {second.numeric:.6g}: "
                 f"(max(0, h) - max(0, -h)) / 2h = h / 2h = 1/2. It averages the slope from the left "
                 f"({first.slopes[0]:.6g}) and from the right ({first.slopes[1]:.6g}) of W_1, which differ: L has "
                 "no derivative there, and any value between them is a subgradient."),
        Table([[Text("entry")], [Text("analytic")], [Text("numeric")], [Text("relative error")],
               [Text("slope from the left")], [Text("slope from the right")]],
              [[[Text(name)], [Text(f"{e.analytic:g}")], [Text(f"{e.numeric:.6g}")], [Text(f"{e.relative_error:.2g}")],
                [Text(f"{e.slopes[0]:.6g}")], [Text(f"{e.slopes[1]:.6g}")]]
               for name, e in (("W_1", first), ("W_2", second))]),
        sentence(f"The checker reports the relative error {first.relative_error:.2g} as '{first.band}', and explains "
                 "it: example 0, class 0 has margin 0, within reach of the step. It is not a reason for concern: "
                 "the analytic gradient is a valid subgradient, and away from the kink the two agree."),
    ]
    report.sections.append(Section("The seed's one-dimensional example", blocks))

    rates = [(r.delta, r.h, r.rate) for r in simulation.rows]
    deltas = sorted({r.delta for r in simulation.rows})
    hs = sorted({r.h for r in simulation.rows})
    png = failure_rate_figure(rates, deltas, hs)
    name = f"gradcheck-kinks-{hashlib.sha256(repr(sorted(report.parameters.items())).encode()).hexdigest()[:8]}.png"
    header = [[Text("Δ \\ h")]] + [[Text(f"{h:g}")] for h in hs]
    rows = []
    for delta in deltas:
        cells = []
        for h_ in hs:
            row = next(r for r in simulation.rows if r.delta == delta and r.h == h_)
            cells.append([Text(f"{100 * row.rate:.0f}% ({row.failed}/{row.checked})")])
        rows.append([[Text(f"{delta:g}")]] + cells)
    worst = max(simulation.rows, key=lambda r: (r.rate, -r.h))
    at_one = [r for r in simulation.rows if r.delta == max(deltas)]
    explained_all = all(r.explained == r.failed for r in simulation.rows)
    blocks = [
        sentence(f"A simulation: {simulation.runs} random problems for each (Δ, h), each with N = "
                 f"{simulation.examples} examples, D = {simulation.features} features, K = {simulation.classes} "
                 f"classes, X ~ N(0, 1), uniform labels and the course's small initial weights W ~ "
                 f"{simulation.weight_scale:g} N(0, 1); {simulation.checks} random entries checked in each "
                 f"(generator seeds [{simulation.seed}, run]). The share of entries that fail:"),
        Table(header, rows),
        Figure(name, [Text("The share of gradient-check entries that fail, against the step h, for each margin Δ "
                           "(the same simulation as the table).")]),
        sentence(f"With small weights every score is near 0, so every margin sits near Δ. At Δ = {deltas[0]:g} the "
                 f"margins crowd the kink and the ±h step crosses it often: up to {100 * worst.rate:.0f}% of the "
                 f"entries fail (at h = {worst.h:g}). At Δ = {max(deltas):g} the margins are about "
                 f"{max(deltas):g} away from it, and "
                 + ("no entry fails at any h tried" if all(r.failed == 0 for r in at_one) else
                    f"entries fail only for h as large as {min(r.h for r in at_one if r.failed):g}")
                 + ". A larger margin makes failures rarer; a smaller h does too."
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
