"""The test inputs a student's loss function is run on: each built to expose a kind of mistake.

Every input is a batch ``(W, X, y, reg)`` (and Delta for the SVM), drawn by a generator
seeded from the loss, the input's name and Delta, so the same command always runs the same
numbers. For the SVM and softmax (X is N x D, W is D x K, y holds labels 0..K-1):

* ``small``: N = 7, D = 5, K = 4, random; the penalty is a visible part of the loss, so a
  missing or halved regulariser, a missing 1/N and most sign mistakes show here;
* ``kinks`` (SVM): integers, with margins s_j - s_{y_n} + Delta that are exactly 0 in floating
  point (any order of summation gives them exactly), where 1[M > 0] and 1[M >= 0] differ;
* ``unused-label``: class K - 1 is never a label (code that takes K from y fails here);
* ``ties``: W = 0, every score equal (the SVM's margins are all Delta, softmax is uniform);
* ``large-scores``: scores near 1,000 (e^1000 overflows unless each row's maximum is subtracted);
* ``delta`` (SVM, for a function that takes ``delta``): another Delta, so a hard-coded 1 shows;
* ``cifar``: the CIFAR-10 development shape N = 500, D = 3073 (3072 pixels and a bias), K = 10,
  with pixel-like values and W ~ 0.0001 N(0, 1) as the course initialises it;
* ``wide-1000``, ``wide-8000`` (timing only): D = 3, K = 3 and many examples, where a Python
  loop over the examples costs far more than the arithmetic.

For logistic regression W holds the D weights (a vector), y the N targets 0 or 1, and the
inputs are the same in spirit (``unused-label``: every target is 1; ``large-scores``: z near
+-1,000, where sigma(z) rounds to exactly 0 or 1).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

LOSSES = ("svm", "softmax", "logistic")
CIFAR = (500, 3073, 10)
WIDE = (1000, 8000)


@dataclass
class TestInput:
    """One batch to run a function on, and what it is for."""

    name: str
    purpose: str               # a TA's words for what it exposes
    X: np.ndarray
    y: np.ndarray
    W: np.ndarray
    reg: float
    delta: float | None = None         # the SVM's Delta (None for other losses)
    needs_delta: bool = False          # only for a function that takes a ``delta`` argument
    timing_only: bool = False          # run to time the function, compared but not shown first
    notes: list = field(default_factory=list)

    @property
    def shape(self) -> tuple:
        n, d = self.X.shape
        k = self.W.shape[1] if self.W.ndim == 2 else 1
        return n, d, k

    @property
    def small(self) -> bool:
        """Small enough to print as matrices in a report."""
        return self.X.size <= 40 and self.W.size <= 40

    def describe(self) -> str:
        n, d, k = self.shape
        shape = f"N = {n}, D = {d}" + (f", K = {k}" if self.W.ndim == 2 else "")
        extra = f", Δ = {self.delta:g}" if self.delta is not None else ""
        return f"'{self.name}' ({self.purpose}; {shape}, reg = {self.reg:g}{extra})"

    def described(self) -> tuple:
        """:meth:`describe` as words and formulas (see :mod:`.said`): the sizes, λ (the code's reg) and Δ."""
        import sympy

        from ..engine.notation import D, Delta, K, N, lam
        from .said import number
        n, d, k = self.shape
        sizes = [sympy.Eq(N, n), sympy.Eq(D, d)] + ([sympy.Eq(K, k)] if self.W.ndim == 2 else [])
        sizes += [sympy.Eq(lam, number(self.reg))] + ([sympy.Eq(Delta, number(self.delta))]
                                                       if self.delta is not None else [])
        parts = [f"'{self.name}' ({self.purpose}; "]
        for index, size in enumerate(sizes):
            parts += ([", "] if index else []) + [size]
        return tuple(parts + [")"])


def _rng(loss: str, name: str, delta) -> np.random.Generator:
    digest = hashlib.sha256(f"derive check-code {loss} {name} {delta!r}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def _labels(rng, n, k, unused=None) -> np.ndarray:
    """n labels in 0..k-1 using every class (but ``unused``) at least once when n allows it."""
    classes = [c for c in range(k) if c != unused]
    labels = np.array(classes * (n // len(classes) + 1))[:n]
    rng.shuffle(labels)
    return labels.astype(np.int64)


def _cifar_like(rng, n, d) -> np.ndarray:
    """Mean-subtracted pixel values (whole numbers in -128..127 less a mean) and a bias column of ones."""
    pixels = rng.integers(0, 256, size=(n, d - 1)).astype(np.float64)
    pixels -= pixels.mean(axis=0)
    return np.hstack([pixels, np.ones((n, 1))])


def _exact_kinks(rng, delta: float, n=6, d=3, k=4, tries=200):
    """Integer X and W = Delta * integers with at least two margins exactly 0 and others on both sides."""
    for _ in range(tries):
        X = rng.integers(-2, 3, size=(n, d)).astype(np.float64)
        W = delta * rng.integers(-1, 2, size=(d, k)).astype(np.float64)
        y = _labels(rng, n, k)
        scores = X @ W
        margins = scores - scores[np.arange(n), y][:, None] + delta
        margins[np.arange(n), y] = np.nan
        zero = np.count_nonzero(margins == 0)
        if zero >= 2 and np.count_nonzero(margins > 0) >= 2 and np.count_nonzero(margins < 0) >= 2:
            return X, y, W
    return None


def classifier_inputs(loss: str, delta: float = 1.0, with_delta: bool = True) -> list:
    """The inputs for the SVM (with its Delta) or softmax, in the order a report goes through them."""
    svm = loss == "svm"
    d_value = float(delta) if svm else None
    found = []
    rng = _rng(loss, "small", d_value)
    found.append(TestInput("small", "random numbers, a visible penalty", rng.standard_normal((7, 5)),
                           _labels(rng, 7, 4), 0.5 * rng.standard_normal((5, 4)), 0.1, d_value))
    if svm:
        exact = _exact_kinks(_rng(loss, "kinks", d_value), float(delta))
        if exact is not None:
            X, y, W = exact
            found.append(TestInput("kinks", "margins exactly 0, where the hinge has a corner", X, y, W, 0.05,
                                   d_value))
    rng = _rng(loss, "unused-label", d_value)
    found.append(TestInput("unused-label", "class 4 is never a label", rng.standard_normal((6, 4)),
                           _labels(rng, 6, 5, unused=4), 0.5 * rng.standard_normal((4, 5)), 0.2, d_value))
    rng = _rng(loss, "ties", d_value)
    found.append(TestInput("ties", "W = 0: every score equal", rng.standard_normal((5, 3)), _labels(rng, 5, 3),
                           np.zeros((3, 3)), 0.1, d_value))
    rng = _rng(loss, "large-scores", d_value)
    X = np.hstack([rng.standard_normal((5, 3)), np.ones((5, 1))])
    W = np.vstack([2.0 * rng.standard_normal((3, 3)), 1000.0 + rng.standard_normal((1, 3))])
    found.append(TestInput("large-scores", "scores near 1,000", X, _labels(rng, 5, 3), W, 1e-7, d_value))
    if svm and with_delta:
        other = 0.5 if float(delta) != 0.5 else 2.0
        rng = _rng(loss, "delta", other)
        found.append(TestInput("delta", f"another margin, Δ = {other:g}", rng.standard_normal((7, 5)),
                               _labels(rng, 7, 4), 0.5 * rng.standard_normal((5, 4)), 0.1, other, needs_delta=True))
    rng = _rng(loss, "cifar", d_value)
    n, d, k = CIFAR
    found.append(TestInput("cifar", "the CIFAR-10 development shape", _cifar_like(rng, n, d), _labels(rng, n, k),
                           0.0001 * rng.standard_normal((d, k)), 1e3, d_value))
    for size in WIDE:
        rng = _rng(loss, f"wide-{size}", d_value)
        found.append(TestInput(f"wide-{size}", "many examples, for timing", rng.standard_normal((size, 3)),
                               _labels(rng, size, 3), 0.5 * rng.standard_normal((3, 3)), 0.1, d_value,
                               timing_only=True))
    return found


def logistic_inputs() -> list:
    """The inputs for logistic regression: W holds D weights, y the N targets 0 or 1."""
    found = []

    def targets(rng, n, ones=None):
        if ones is not None:
            return np.ones(n, dtype=np.int64)
        return _labels(rng, n, 2)

    rng = _rng("logistic", "small", None)
    found.append(TestInput("small", "random numbers, a visible penalty", rng.standard_normal((7, 5)),
                           targets(rng, 7), 0.5 * rng.standard_normal(5), 0.1))
    rng = _rng("logistic", "unused-label", None)
    found.append(TestInput("unused-label", "every target is 1", rng.standard_normal((6, 4)), targets(rng, 6, ones=1),
                           0.5 * rng.standard_normal(4), 0.2))
    rng = _rng("logistic", "ties", None)
    found.append(TestInput("ties", "W = 0: every prediction 1/2", rng.standard_normal((5, 3)), targets(rng, 5),
                           np.zeros(3), 0.1))
    rng = _rng("logistic", "large-scores", None)
    X = np.hstack([rng.standard_normal((6, 2)), np.array([[1.0], [-1.0]] * 3)])
    W = np.array([0.5 * rng.standard_normal(), 0.5 * rng.standard_normal(), 1000.0])
    found.append(TestInput("large-scores", "z near 1,000 and -1,000", X, targets(rng, 6), W, 1e-7))
    rng = _rng("logistic", "cifar", None)
    n, d, _ = CIFAR
    found.append(TestInput("cifar", "the CIFAR-10 development shape", _cifar_like(rng, n, d), targets(rng, n),
                           0.0001 * rng.standard_normal(d), 1e3))
    for size in WIDE:
        rng = _rng("logistic", f"wide-{size}", None)
        found.append(TestInput(f"wide-{size}", "many examples, for timing", rng.standard_normal((size, 3)),
                               targets(rng, size), 0.5 * rng.standard_normal(3), 0.1, timing_only=True))
    return found


def inputs_for(loss: str, delta: float = 1.0) -> list:
    """The test inputs of ``loss`` (svm, softmax or logistic)."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose {', '.join(LOSSES)}")
    return logistic_inputs() if loss == "logistic" else classifier_inputs(loss, delta)


#: the inputs whose every entry of dW is checked against centred differences of the student's own loss
GRADCHECK = {"svm": ("small", "kinks"), "softmax": ("small", "unused-label"), "logistic": ("small", "unused-label")}
