"""Checking an analytic gradient against centred finite differences, and saying which kinks spoil the check.

For an entry W_dc the numeric gradient is the centred difference

    (L(W + h e_dc) - L(W - h e_dc)) / 2h,

compared with the analytic entry by the relative error |a - n| / (|a| + |n|)
(0 when both are 0), as CS231n's ``grad_check_sparse`` prints it. The bands
of :data:`BANDS` say what counts as a pass. A centred difference cannot be
more exact than the rounding of the two losses it subtracts: a difference
within :func:`noise_floor` is reported as numerical noise, not as a failure.

A loss with kinks (max(0, u) in the SVM) has no derivative where u = 0, and
the +-h step crosses a kink whenever |u| < h |du/dW_dc|: the centred
difference then averages the two one-sided slopes and disagrees with the
subgradient the code uses. :func:`svm_kinks_crossed` finds those (example n,
class j) pairs from the data, and the check reports the one-sided slopes,
so that a mismatch is explained rather than feared.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: (upper bound of the relative error, band); an entry in the last two bands fails unless a kink explains it
BANDS = ((1e-7, "excellent"), (1e-5, "pass"), (1e-2, "suspicious"), (float("inf"), "wrong"))
FAILING = ("suspicious", "wrong")
#: the centred difference's rounding: a difference below NOISE_FACTOR * eps * |L| / h is noise
NOISE_FACTOR = 64


def relative_error(analytic: float, numeric: float) -> float:
    """|a - n| / (|a| + |n|), and 0 when both are exactly 0."""
    total = abs(analytic) + abs(numeric)
    return 0.0 if total == 0 else abs(analytic - numeric) / total


def band(error: float) -> str:
    """The band of a relative error: excellent, pass, suspicious or wrong."""
    for bound, name in BANDS:
        if error < bound:
            return name
    return BANDS[-1][1]


def noise_floor(loss_value: float, h: float) -> float:
    """How far a centred difference can be off from rounding alone: eps |L| / h, times a safety factor."""
    return NOISE_FACTOR * np.finfo(float).eps * max(abs(loss_value), 1.0) / h


@dataclass(frozen=True)
class Kink:
    """A margin the +-h step moves across 0: example n, class j, its value and how far the step moves it."""

    example: int
    cls: int
    margin: float
    change: float             # the margin at W +- h e_dc is margin +- change


@dataclass
class EntryCheck:
    """One entry W_dc: analytic against numeric, its band, and what lies within reach of the step."""

    row: int
    col: int
    analytic: float
    numeric: float
    relative_error: float
    band: str
    noise: bool = False                      # the difference is within the rounding of the centred difference
    kinks: tuple = ()                        # Kink, for each margin the step crosses
    slopes: tuple | None = None              # (backward, forward) one-sided slopes, when a kink is crossed

    @property
    def failed(self) -> bool:
        return self.band in FAILING and not self.noise

    @property
    def explained(self) -> bool:
        """A failure that a crossed kink accounts for."""
        return self.failed and bool(self.kinks)


@dataclass
class GradientCheck:
    """The result of checking some entries of a gradient."""

    h: float
    loss: float
    entries: list = field(default_factory=list)

    @property
    def unexplained(self) -> list:
        return [e for e in self.entries if e.failed and not e.explained]

    @property
    def ok(self) -> bool:
        return not self.unexplained


def choose_entries(shape, count: int | None, seed: int) -> list[tuple[int, int]]:
    """``count`` distinct entries of a matrix of ``shape``, drawn by a generator seeded with ``seed``; all when None."""
    rows, cols = shape
    if count is None or count >= rows * cols:
        return [(r, c) for r in range(rows) for c in range(cols)]
    rng = np.random.default_rng(seed)
    flat = rng.choice(rows * cols, size=count, replace=False)
    return [(int(i // cols), int(i % cols)) for i in sorted(flat)]


def svm_margins(W, X, y, delta) -> np.ndarray:
    """The N x K margins s_nj - s_{n,y_n} + Delta (the correct class's own entry set to -inf: it has no hinge)."""
    scores = X @ W
    margins = scores - scores[np.arange(len(y)), y][:, None] + delta
    margins[np.arange(len(y)), y] = -np.inf
    return margins


def kinks_crossed(margins, X, y, entry, h) -> tuple:
    """Every (n, j) whose margin a step of h either way in W_dc moves to or across 0.

    ``margins`` is the N x K matrix S_nj - S_{n,y_n} + Delta (its entries (n, y_n) are
    not hinges and are ignored). W_dc enters s_nc = sum_d x_nd W_dc, so the step moves
    the margin of (n, j) by h x_nd (1[j = c] - 1[y_n = c]); it is crossed when
    |margin| <= |move|. O(N K) for one entry.
    """
    d, c = entry
    count = margins.shape[0]
    move = h * X[:, d][:, None] * ((np.arange(margins.shape[1]) == c)[None, :].astype(float)
                                   - (y == c)[:, None].astype(float))
    crossed = (move != 0) & (np.abs(margins) <= np.abs(move))
    crossed[np.arange(count), y] = False
    return tuple(Kink(int(n), int(j), float(margins[n, j]), float(abs(move[n, j])))
                 for n, j in zip(*np.nonzero(crossed)))


def svm_kinks_crossed(W, X, y, delta, entry, h) -> tuple:
    """:func:`kinks_crossed` for the margins of W on X, y with margin Delta."""
    return kinks_crossed(svm_margins(W, X, y, delta), X, y, entry, h)


def check_gradient(loss, gradient, W, entries, h: float, kinks=None) -> GradientCheck:
    """Check ``gradient`` (the analytic dW) at ``entries`` against centred differences of ``loss(W)``.

    ``kinks(entry, h)`` (optional) lists the kinks a step of the entry crosses;
    where it finds some, the one-sided slopes (L(W) - L(W - h)) / h and
    (L(W + h) - L(W)) / h are recorded.
    """
    if not h > 0:
        raise ValueError("h must be a positive number")
    W = np.array(W, dtype=float)
    base = float(loss(W))
    result = GradientCheck(h, base)
    floor = noise_floor(base, h)
    for d, c in entries:
        saved = W[d, c]
        W[d, c] = saved + h
        up = float(loss(W))
        W[d, c] = saved - h
        down = float(loss(W))
        W[d, c] = saved
        numeric = (up - down) / (2 * h)
        analytic = float(gradient[d, c])
        error = relative_error(analytic, numeric)
        entry = EntryCheck(d, c, analytic, numeric, error, band(error), noise=bool(abs(analytic - numeric) <= floor))
        if kinks is not None:
            entry.kinks = kinks((d, c), h)
            if entry.kinks:
                entry.slopes = ((base - down) / h, (up - base) / h)
        result.entries.append(entry)
    return result
