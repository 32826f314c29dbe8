"""``derive train``: gradient descent with the generated ``loss_and_grad`` on a real image data set (seed 002, Q2).

The run itself is :func:`.train.sgd`; this module reads the options, makes
the figures (the loss curve; the learned weights, one image per class) and
says why the weights look like templates from numbers: how strongly each
class's weight image correlates with the mean image of its own class and of
the others.
"""
from __future__ import annotations

import hashlib

import numpy as np
import sympy
from sympy import Eq

from ..engine.build import decimal_number, note, sentence
from ..engine.inputs import InputError, number
from ..engine.matrices import W_, Column, Gradient
from ..engine.notation import Assign, Delta, WeightedScore, c, lam
from ..engine.steps import Code, Figure, Result, Section, Table, Text
from ..losses.batch import MAX_REG
from ..report import Report
from .module import load
from .train import load_digits, prepare, sgd

DATASETS = ("digits",)
#: bounds of a run: epochs, SGD steps (each a call of loss_and_grad, ~0.1 ms at least) and multiply-adds
#: (forward and backward on every batch and the loss after every epoch: 3 N D K an epoch): a minute or two at most
MAX_EPOCHS = 10_000
MAX_STEPS = 500_000
MAX_WORK = 30_000_000_000
MAX_RATE = 1e6
NAMES = {"svm": "multiclass SVM", "softmax": "softmax"}


def _positive(value, what, integer=False, allow_zero=False):
    exact = number(value, what)
    if (exact < 0) or (exact == 0 and not allow_zero) or (integer and not exact.is_Integer):
        kind = "a whole number" if integer else "a number"
        raise InputError(f"{what} must be {kind} {'>= 0' if allow_zero else '> 0'}, not {value}")
    return int(exact) if integer else float(exact)


def _check_work(prepared, epochs, batch_size) -> None:
    """Refuse a run beyond :data:`MAX_STEPS` SGD steps or :data:`MAX_WORK` multiply-adds, naming the limit."""
    count, features = prepared.X_train.shape
    steps = epochs * -(-count // batch_size)
    if steps > MAX_STEPS:
        raise InputError(f"--epochs {epochs} over {count:,} training examples in batches of {batch_size} is "
                         f"{steps:,} SGD steps; a run takes at most {MAX_STEPS:,} (raise --batch-size or lower --epochs)")
    work = 3 * epochs * count * features * len(prepared.classes)
    if work > MAX_WORK:
        raise InputError(f"--epochs {epochs} over {count:,} training examples of {features:,} features and "
                         f"{len(prepared.classes)} classes is {work:.1e} multiply-adds (3 N D K an epoch); a run does "
                         f"at most {MAX_WORK:.0e} (lower --epochs or use fewer examples)")


#: the gradient of the loss with respect to the weights, as the prose writes it
_GRADIENT = Gradient(sympy.Symbol("L", real=True), W_)


def _dataset(dataset, data, seed):
    if (dataset is None) == (data is None):
        raise InputError("give --dataset digits or --data FILE (.npz or .json with X and y), not both")
    if dataset is not None:
        if dataset not in DATASETS:
            raise InputError(f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}")
        try:
            return load_digits(seed)
        except ImportError as error:
            raise InputError(str(error)) from None
    from pathlib import Path

    from ..losses.batch_files import read_arrays
    from ..losses.batch_numbers import MAX_CLASSES, _labels, _matrix
    path = Path(data)
    raw = read_arrays(path, names=("X", "y"))
    if "X" not in raw or "y" not in raw:
        raise InputError(f"{path.name} must hold X (N x D, one example a row) and y (N labels 0..K-1)")
    X = _matrix(raw["X"], "X", "N x D (one example a row)")
    y = _labels(raw["y"], X.shape[0], MAX_CLASSES)
    present = np.unique(y)
    if present.size < 2:
        raise InputError(f"y holds one class ({int(present[0])}); training a classifier needs examples of at least "
                         f"two classes")
    try:
        return prepare(path.name, X, y, seed=seed)
    except ValueError as error:
        raise InputError(f"{path.name}: {error}") from None


def train(loss="softmax", *, dataset=None, data=None, epochs=20, lr="0.5", reg="0.001", batch_size=64, seed=0,
          delta=1, progress=None) -> Report:
    """Train ``loss`` (svm or softmax) by minibatch SGD and report the curve, the accuracy and the weights."""
    from ..report.plots import loss_curve_figure

    if loss not in NAMES:
        raise InputError(f"unknown loss {loss!r} for train; choose svm or softmax")
    epochs = _positive(epochs, "--epochs", integer=True)
    batch_size = _positive(batch_size, "--batch-size", integer=True)
    rate = _positive(lr, "--lr")
    strength = _positive(reg, "--reg", allow_zero=True)
    margin = float(number(delta, "--delta"))
    if epochs > MAX_EPOCHS or batch_size > 1_000_000:
        raise InputError(f"--epochs is at most {MAX_EPOCHS} and --batch-size at most 1000000")
    if rate > MAX_RATE:
        raise InputError(f"--lr is at most {MAX_RATE:.0e}, not {lr}")
    if strength > MAX_REG:
        raise InputError(f"--reg is at most {MAX_REG:.0e}, not {reg}")
    prepared = _dataset(dataset, data, int(seed))
    _check_work(prepared, epochs, batch_size)
    generated = load(loss, "full")
    extra = {"delta": margin} if loss == "svm" else {}

    def loss_and_grad(W, X, y, reg_):
        return generated["loss_and_grad"](W, X, y, reg_, **extra)

    with np.errstate(over="ignore", invalid="ignore"):
        run = sgd(loss_and_grad, prepared, epochs=epochs, lr=rate, reg=strength, batch_size=batch_size,
                  seed=int(seed), progress=progress)
    diverged = next((i for i, value in enumerate(run.epoch_losses) if not np.isfinite(value)), None)
    if diverged is not None or not np.isfinite(run.W).all():
        epoch = (diverged if diverged is not None else len(run.epoch_losses) - 1) + 1
        raise InputError(f"training diverged: the loss is beyond float64's range after epoch {epoch} "
                         f"(--lr {lr}, --reg {reg}); lower --lr")
    parameters = {"loss": loss, "dataset": prepared.name, "epochs": epochs, "lr": rate, "reg": strength,
                  "batch_size": batch_size, "seed": int(seed)}
    if loss == "svm":
        parameters["delta"] = margin
    report = Report("train", f"Training a linear {NAMES[loss]} classifier on {prepared.name}", parameters)
    key = hashlib.sha256(repr(sorted(parameters.items())).encode()).hexdigest()[:8]
    n_train, features = prepared.X_train.shape
    blocks = [
        sentence(f"{prepared.name}: {n_train} training and {len(prepared.y_test)} held-out examples (split at "
                 f"random, reproducibly), {features - 1} features scaled to ", sympy.Interval(0, 1), " with the "
                 "training mean subtracted, and a constant 1 appended (the bias trick: the last row of ", W_,
                 f" is the bias); {len(prepared.classes)} classes."),
        sentence("Minibatch gradient descent from small random weights (normal, standard deviation ",
                 decimal_number("0.001"), f"): {epochs} epochs over shuffled batches of {batch_size}, ",
                 Assign(W_, W_ - decimal_number(f"{rate:g}") * _GRADIENT), ", with ", _GRADIENT,
                 " from the generated ", Code("loss_and_grad"), " and ", Eq(lam, decimal_number(f"{strength:g}")),
                 *([", ", Eq(Delta, decimal_number(f"{margin:g}"))] if loss == "svm" else []), "."),
    ]
    report.sections.append(Section("The data and the run", blocks))

    curve_name = f"train-loss-{key}.png"
    report.files[curve_name] = loss_curve_figure(run.epoch_losses, f"{NAMES[loss]} on {prepared.name}")
    change = run.epoch_losses[0] - run.epoch_losses[-1]
    report.sections.append(Section("The loss", [
        Figure(curve_name, [Text("The training loss (with the penalty) after each epoch.")]),
        sentence(f"The loss goes from {run.epoch_losses[0]:.4f} after the first epoch to {run.epoch_losses[-1]:.4f} "
                 f"after the last ({'down' if change > 0 else 'up'} {abs(change):.4f}). Accuracy: "
                 f"{100 * run.train_accuracy:.1f}% on the training examples, {100 * run.test_accuracy:.1f}% on the "
                 "held-out ones."),
    ]))
    if prepared.image_shape is not None:
        report.sections.append(_weights_section(run, prepared, loss, key, report))
    report.results["accuracy"] = Result("accuracy", sympy.Float(run.test_accuracy, 6), run.test_accuracy,
                                        "held-out accuracy")
    report.results["train_accuracy"] = Result("train_accuracy", sympy.Float(run.train_accuracy, 6),
                                              run.train_accuracy, "training accuracy")
    report.results["loss"] = Result("loss", sympy.Float(run.epoch_losses[-1], 10), run.epoch_losses[-1],
                                    "training loss after the last epoch")
    report.results["epoch_losses"] = Result("epoch_losses", sympy.Integer(0), run.epoch_losses,
                                            "training loss after each epoch")
    report.results["W"] = Result("W", sympy.Symbol("W"), run.W,
                                 f"the trained weights, {run.W.shape[0]} x {run.W.shape[1]}: a row per feature, the "
                                 "last row the bias, a column per class (scores = [x, 1] W)",
                                 exact="float64: the numbers of value", latex="W")
    report.parameters["classes"] = [str(name) for name in prepared.classes]
    from .checking import _code_note
    report.verification_note = _code_note(loss)
    report.passed = True
    return report


def weights_npz(report) -> bytes:
    """The trained weights of a :func:`train` report as a NumPy ``.npz`` file: ``W`` (a row per feature, the last
    the bias; a column per class) and ``classes``. The same weights give the same bytes (the archive's dates are
    fixed, unlike ``numpy.savez``'s)."""
    import io
    import zipfile

    arrays = {"W": np.asarray(report.results["W"].value, dtype=np.float64),
              "classes": np.asarray(report.parameters["classes"])}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def _weights_section(run, prepared, loss, key, report):
    from ..report.plots import weight_images_figure

    height, width = prepared.image_shape
    templates = run.W[:-1].T.reshape(len(prepared.classes), height, width)
    name = f"train-weights-{key}.png"
    report.files[name] = weight_images_figure(templates, prepared.classes, f"learned weights ({NAMES[loss]})")
    means = np.stack([prepared.X_train[prepared.y_train == c, :-1].mean(axis=0)
                      for c in range(len(prepared.classes))])
    flat = run.W[:-1].T
    correlation = np.corrcoef(np.vstack([flat, means]))[: len(flat), len(flat):]
    own = np.diag(correlation)
    others = np.array([np.max(np.delete(correlation[c], c)) for c in range(len(flat))])
    rows = [[[Text(prepared.classes[c])], [Text(f"{own[c]:.2f}")], [Text(f"{others[c]:.2f}")]]
            for c in range(len(flat))]
    ahead = int(np.sum(own > others))
    return Section("The learned weights", [
        Figure(name, sentence("Each class's weights ", Column(W_, c), " (a column of ", W_, " without the bias), "
                              "shown as an image on one colour scale for every class, centred at 0: red where a "
                              "bright pixel raises the class's score, blue where it lowers it, white where it does "
                              "not matter.").segments),
        sentence("Why they look like templates: the score of class ", c, " is ", WeightedScore(c), ", a sum of "
                 "pixel times weight, so a weight image that resembles the typical image of its class gives that "
                 "class a high score on its own examples and a low one on the others. Measured: the correlation of "
                 "each weight image with the mean (centred) training image of its own class and, for comparison, "
                 "the largest with another class's mean:"),
        Table([[Text("class")], [Text("own class")], [Text("best other class")]], rows),
        note(f"For {ahead} of the {len(flat)} classes the weights correlate more with their own class's mean image "
             "than with any other: each ", Column(W_, c), " is a blurred template of its class, with what tells it "
             "apart from the similar classes (negative where those classes are bright)."),
    ])
