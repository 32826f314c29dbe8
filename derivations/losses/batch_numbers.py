"""The numbers of a batch: the loss and dW from the verified matrix forms, evaluated with NumPy.

``read_batch`` reads X (N x D), y (N labels in 0..K-1) and W (D x K) from an
``.npz`` or ``.json`` file (by :mod:`.batch_files`: sizes and types checked
before anything is loaded, no pickles) or a mapping, checking every shape and
value and naming the problem in one line.
``compute`` evaluates the matrix forms of :mod:`.batch` (no loss written by
hand: the expressions the derivation verified, by
:class:`~derivations.engine.arrays.ArrayEvaluator`), checks dW by centred
finite differences at sampled entries away from every kink, and finds the
margins that sit exactly on a kink. ``worked_numbers`` puts them in the report.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy

from ..engine.arrays import ArrayEvaluator
from ..engine.build import decimal_number, note, sentence, warning
from ..engine.differentiate import d as derivative
from ..engine.gradcheck import kinks_crossed
from ..engine.inputs import InputError
from ..engine.matrices import S_, W_, X_, Y_
from ..engine.notation import D, Delta, Dots, K, N, Times, feature, lam
from ..engine.notation import c as class_
from ..engine.steps import Code, Math, Result, Section, Table
from .batch_files import describe, read_arrays, real_array
from .regulariser import regulariser

#: at most this many examples, features, classes (and entries in all)
MAX_EXAMPLES, MAX_FEATURES, MAX_CLASSES = 100_000, 100_000, 10_000
MAX_ENTRIES = 50_000_000

#: finite differences: the step, how many entries are checked, and how close they must be
FD_STEP = 1e-5
FD_ENTRIES = 4
FD_TOLERANCE = 1e-6

#: how many rows and columns of a large matrix a report shows (the middle elided)
SHOW_ROWS, SHOW_COLUMNS = (3, 2), (4, 2)
MAX_KINKS_NAMED = 10


@dataclass
class Batch:
    """A batch read and checked: float64 X (N x D), integer labels y, float64 W (D x K)."""

    X: np.ndarray
    y: np.ndarray
    W: np.ndarray
    source: str

    @property
    def shape(self):
        return self.X.shape[0], self.X.shape[1], self.W.shape[1]


def read_batch(data) -> Batch:
    """X, y and W from a ``.npz`` or ``.json`` path, or a mapping; bad data raises InputError naming it.

    A file is read by :func:`.batch_files.read_arrays`: a regular file only, every size and type checked
    before the arrays are read.
    """
    if isinstance(data, (str, Path)):
        raw, source = read_arrays(data), Path(data).name
    elif isinstance(data, dict):
        raw, source = data, "the given arrays"
    else:
        raise InputError("data must be a .npz or .json path, or a mapping with X, y and W")
    missing = [key for key in ("X", "y", "W") if key not in raw]
    if missing:
        raise InputError(f"{source} has no {', '.join(missing)}: it must hold X (N x D inputs, one example a row), "
                         f"y (N labels 0..K-1) and W (D x K weights)")
    X = _matrix(raw["X"], "X", "N x D (one example a row)")
    W = _matrix(raw["W"], "W", "D x K (one column per class)")
    n, features = X.shape
    if W.shape[0] != features:
        raise InputError(f"W has {W.shape[0]} rows but X has {features} columns: X is N x D and W is D x K, so W "
                         f"must have D = {features} rows")
    classes = W.shape[1]
    if classes < 2:
        raise InputError(f"W has {classes} column; W is D x K with at least two classes")
    if n > MAX_EXAMPLES or features > MAX_FEATURES or classes > MAX_CLASSES or X.size + W.size > MAX_ENTRIES:
        raise InputError(f"the batch is too large (N = {n}, D = {features}, K = {classes}); at most "
                         f"{MAX_EXAMPLES} examples, {MAX_FEATURES} features, {MAX_CLASSES} classes")
    y = _labels(raw["y"], n, classes)
    return Batch(X, y, W, source)


def _matrix(value, name, shape) -> np.ndarray:
    """``value`` as a float64 matrix of finite real numbers, or InputError naming what is wrong."""
    array = real_array(value, name, shape)
    if array.ndim != 2:
        raise InputError(f"{name} has shape {array.shape}; it must be a matrix, {shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise InputError(f"{name} is empty (shape {array.shape}); it must be {shape}")
    if not np.isfinite(array.sum()) and not np.isfinite(array).all():   # NaN and inf reach the sum: one pass
        where = np.argwhere(~np.isfinite(array))[0]
        raise InputError(f"{name}[{where[0]}, {where[1]}] is {array[tuple(where)]}: every entry must be finite")
    return array


def _labels(value, n, classes) -> np.ndarray:
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, RecursionError):
        raise InputError(f"y must be {n} labels in 0..{classes - 1}, one per row of X") from None
    if raw.dtype == object and raw.ndim == 1:
        raise InputError(f"y must hold {n} whole class numbers 0..{classes - 1}, not text, null or huge numbers")
    if raw.dtype == object or raw.ndim != 1:
        raise InputError(f"y has shape {raw.shape}; it must be {n} labels in 0..{classes - 1}, one per row of X")
    if raw.shape[0] != n:
        raise InputError(f"y has {raw.shape[0]} labels but X has {n} rows: one label per example")
    if raw.dtype.kind == "f":
        if not np.isfinite(raw).all() or not (raw == np.round(raw)).all():
            raise InputError(f"y must hold whole class numbers 0..{classes - 1}")
    elif raw.dtype.kind not in "iu":
        raise InputError(f"y must hold class numbers 0..{classes - 1}, not {describe(raw.dtype)}")
    labels = raw.astype(np.int64)
    outside = np.flatnonzero((labels < 0) | (labels >= classes))
    if outside.size:
        i = int(outside[0])
        raise InputError(f"label y[{i}] = {labels[i]} is outside 0..{classes - 1} for the K = {classes} columns of W")
    return labels


# --- the numbers -------------------------------------------------------------------------------

@dataclass
class Numbers:
    """What the matrix forms give for one batch, and how they were checked."""

    scores: np.ndarray
    loss: float
    dW: np.ndarray
    checked: list              # (d, c) entries checked by finite differences
    worst: float               # their largest relative difference
    kinks: list                # (n, j) with a margin exactly 0 (SVM)
    skipped: int               # entries not checked because a step would cross a kink
    violated: int | None       # how many margins are violated (the 1s of B; SVM)


def one_hot(labels, classes) -> np.ndarray:
    found = np.zeros((labels.shape[0], classes))
    found[np.arange(labels.shape[0]), labels] = 1.0
    return found


def compute(form, batch: Batch, delta=1.0, reg=0.0) -> Numbers:
    """The loss and dW of ``batch`` from the matrix forms ``form``, checked by finite differences."""
    n, features, classes = batch.shape
    Y = one_hot(batch.y, classes)
    scalars = {N: n, D: features, K: classes, lam: float(reg), Delta: float(delta)}
    arrays = {X_: batch.X, W_: batch.W, Y_: Y}
    evaluator = ArrayEvaluator(arrays, scalars, form.named)
    dW = np.asarray(evaluator.value(form.dW), dtype=float)
    loss = evaluator.value(form.loss)
    scores = evaluator.cache[S_]
    named = {name.name: evaluator.cache.get(name) for name, _ in form.named}
    margins = named.get("M")
    kinks = [] if margins is None else _kinks(margins, batch.y)
    violated = None if named.get("B") is None else int(np.count_nonzero(named["B"]))
    checked, worst, skipped = _finite_differences(form, batch, evaluator, scores, margins, dW, loss)
    return Numbers(scores, float(loss), dW, checked, worst, kinks, skipped, violated)


def _kinks(margins, labels):
    on = margins == 0.0
    on[np.arange(labels.shape[0]), labels] = False
    return [(int(a), int(b)) for a, b in np.argwhere(on)]


def _crosses_a_kink(margins, labels, X, d, c, step) -> bool:
    """Whether moving W_dc by +-step moves some margin across 0 (or onto it)."""
    return margins is not None and bool(kinks_crossed(margins, X, labels, (d, c), step))


def _finite_differences(form, batch, evaluator, scores, margins, dW, loss):
    """Centred differences (L(W + h E_dc) - L(W - h E_dc)) / 2h at sampled entries (d, c) away from kinks.

    S = X W is linear in W, so the scores of W +- h E_dc are S +- h X_{:,d} e_c^T: each perturbed
    loss is the verified matrix-form loss evaluated at those scores and weights (O(N K), not O(N D K)).
    """
    features, classes = batch.W.shape
    total = features * classes
    # seeded from what is checked (its shape, its loss and gradient), so the same batch samples the same entries
    key = repr((batch.X.shape, batch.W.shape, float(loss).hex(), float(dW.sum()).hex())).encode()
    rng = np.random.default_rng(int(hashlib.sha256(key).hexdigest()[:16], 16))
    if total <= FD_ENTRIES:
        candidates = [(d, c) for d in range(features) for c in range(classes)]
    else:
        flat = rng.choice(total, size=min(total, 4 * FD_ENTRIES), replace=False)
        candidates = [(int(f) // classes, int(f) % classes) for f in flat]
    checked, worst, skipped = [], 0.0, 0
    weights, moved = batch.W.copy(), scores.copy()          # one copy each, moved entry by entry and put back
    for d, c in candidates:
        if len(checked) >= FD_ENTRIES:
            break
        step = FD_STEP * max(1.0, abs(float(batch.W[d, c])))
        if _crosses_a_kink(margins, batch.y, batch.X, d, c, step):
            skipped += 1
            continue
        values = []
        original, column = batch.W[d, c], scores[:, c].copy()
        for sign in (1.0, -1.0):
            moved[:, c] = column + sign * step * batch.X[:, d]
            weights[d, c] = original + sign * step
            values.append(evaluator.moved({W_: weights}, {S_: moved}).value(form.loss))
        moved[:, c] = column                                  # back to W and S for the next entry
        weights[d, c] = original
        numeric = (values[0] - values[1]) / (2 * step)
        error = abs(numeric - dW[d, c]) / max(1.0, abs(dW[d, c]), abs(numeric))
        worst = max(worst, error)
        checked.append((d, c))
    if worst > FD_TOLERANCE:
        raise RuntimeError(f"dW disagrees with finite differences (relative difference {worst:.1e})")
    return checked, worst, skipped


# --- the report ---------------------------------------------------------------------------------

def worked_numbers(derivation, form, batch: Batch, delta, reg) -> None:
    """Evaluate the matrix forms for ``batch`` and add the numbers, their check and the kinks to the report."""
    numbers = compute(form, batch, float(delta), float(reg))
    n, features, classes = batch.shape
    derivation.parameters.update(data=batch.source, N=n, D=features, K=classes)
    derivation.parameters.setdefault("reg", float(reg))
    blocks = [_batch_origin(batch),
              sentence(_eq(N, n), " examples, ", _eq(D, features), " features, ", _eq(K, classes), " classes, ",
                       _eq(lam, _number(reg)), *([", ", _eq(Delta, _number(delta))] if form.loss_name == "svm" else []),
                       ", and the regulariser ", regulariser(form.reg_form), " (", Code("--reg-form " + form.reg_form),
                       "). Each number below is the matrix form above evaluated with NumPy, node by node.")]
    if batch.X.size <= 24 and batch.W.size <= 24:
        blocks.append(sentence("The inputs, one example a row, their labels and the weights: ",
                               _eq(X_, sympy.ImmutableMatrix(batch.X.astype(int) if _integers(batch.X) else batch.X)),
                               ", ", _eq(sympy.Symbol("y"), sympy.ImmutableMatrix([[int(v) for v in batch.y]])),
                               ", ", _eq(W_, sympy.ImmutableMatrix(batch.W.astype(int) if _integers(batch.W)
                                                                   else batch.W)), "."))
    blocks += [
        sentence("The loss: ", _eq(sympy.Symbol("L", real=True), _number(numbers.loss, 10)), "."),
        sentence("The gradient ", _GRADIENT, " (", Times(features, classes), ")" + (
            ", its middle rows and columns elided" if features > sum(SHOW_ROWS) or classes > sum(SHOW_COLUMNS)
            else "") + ":"),
        Table(*_matrix_table(numbers.dW)),
        note(*_fd_words(numbers)),
    ]
    if numbers.violated is not None:
        blocks.append(sentence(f"{numbers.violated} of the {n * (classes - 1)} margins (example, incorrect class) "
                               "are violated: those are the 1s of ", sympy.Symbol("B"), "."))
    messages = _kink_messages(numbers.kinks)
    for message in messages:
        derivation.warnings.append(message)
        blocks.append(warning(message))
    derivation.sections.append(Section("Worked numbers", blocks))
    derivation.results["scores"] = Result("scores", form.named[0][1], numbers.scores,
                                          "S = XW at the given batch (N rows of K; a NumPy array)")
    derivation.results["loss"] = Result("loss", form.loss, numbers.loss, "L at the given batch")
    derivation.results["dW"] = Result("dW", form.dW, numbers.dW,
                                      "dL/dW at the given batch (D rows of K; a NumPy array)")


def _batch_origin(batch: Batch):
    """Where the batch comes from: a file given with --data, or the small batch built in."""
    if batch.source is None:
        return sentence("The numbers are a small batch built in for this report, whose first example the weights "
                        "score 3, ", sympy.Integer(-1), ", 4 like the homework's. Give ", Code("--data FILE"),
                        " (X, y and W) to work your own batch, ", Code("--reg"), " and ", Code("--reg-form"),
                        " to change the regulariser; ", Code("--no-example"), " leaves this section out.")
    return sentence("The numbers are the batch read from ", Code(batch.source), ".")


def _integers(matrix) -> bool:
    return bool(np.all(np.isfinite(matrix)) and np.all(matrix == np.round(matrix)) and np.all(abs(matrix) < 1e9))


def _eq(a, b):
    return sympy.Eq(a, b, evaluate=False)


def _number(value, digits=6):
    """A number for display: an integer as such, else at most ``digits`` significant digits (0.1, not 0.100000)."""
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return sympy.Integer(int(value))
    text = f"{value:.{digits}g}"
    mantissa = text.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return sympy.Float(text, max(1, len(mantissa)))


#: the gradient of the objective with respect to the weights, as the reports write it
_GRADIENT = derivative(sympy.Symbol("L", real=True), W_)


def _matrix_table(matrix):
    rows, columns = matrix.shape
    row_ids = _shown(rows, SHOW_ROWS)
    column_ids = _shown(columns, SHOW_COLUMNS)
    header = [[Math(feature)]] + [[Math(Dots("row"))] if c is None else [Math(sympy.Eq(class_, c))]
                                  for c in column_ids]
    body = []
    for r in row_ids:
        if r is None:
            body.append([[Math(Dots("column"))] for _ in range(len(column_ids) + 1)])
            continue
        body.append([[Math(sympy.Integer(r))]] + [[Math(Dots("row"))] if c is None
                                                  else [Math(_number(matrix[r, c], 4))]
                                        for c in column_ids])
    return header, body


def _shown(count, ends):
    head, tail = ends
    if count <= head + tail:
        return list(range(count))
    return list(range(head)) + [None] + list(range(count - tail, count))


def _fd_words(numbers) -> list:
    """How the gradient's entries were checked against finite differences, in words and formulas."""
    words = ["Checked: the entries "]
    for place, (row, column) in enumerate(numbers.checked):
        words += [", " if place else "", sympy.Tuple(row, column)]
    words += [" (each ", sympy.Tuple(feature, class_), ") agree with centred finite differences of the matrix-form "
              "loss (step ", decimal_number(f"{FD_STEP:g}"), ", the scores moved with the weights, ",
              sympy.Eq(S_, sympy.MatMul(X_, W_), evaluate=False), " being linear in ", W_,
              "); largest relative difference ", decimal_number(f"{numbers.worst:.1e}"), "."]
    if numbers.skipped:
        words.append(f" {numbers.skipped} sampled entr{'y was' if numbers.skipped == 1 else 'ies were'} skipped: a "
                     f"step of that size would move a margin across its kink.")
    return words


def _kink_messages(kinks):
    if not kinks:
        return []
    named = ", ".join(f"(example {n}, class {j})" for n, j in kinks[:MAX_KINKS_NAMED])
    more = f" and {len(kinks) - MAX_KINKS_NAMED} more" if len(kinks) > MAX_KINKS_NAMED else ""
    return [sentence(f"{len(kinks)} margin{'s are' if len(kinks) > 1 else ' is'} exactly 0, on the kink of the "
                     f"hinge: {named}{more}. The loss has no derivative there; ", _GRADIENT, " uses the subgradient "
                     f"0 for {'them' if len(kinks) > 1 else 'it'} (a margin counts only when it is positive), as "
                     "code's ", Code("margins > 0"), " does.")]


__all__ = ["read_batch", "compute", "worked_numbers", "Batch", "Numbers", "one_hot"]
