"""Seed 002, Question 1, answered with numbers: why a gradient check of the SVM sometimes fails.

The seed's one-dimensional example is L = max(0, W_1 x - W_2 x + Delta) at
x = 1, W_1 = W_2 = 1, Delta = 0: the margin is exactly 0. The code's
subgradient uses 1[margin > 0] = 0, so dL/dW_1 = 0, while the centred
difference (max(0, h) - max(0, -h)) / 2h = 1/2 averages the one-sided slopes
0 and 1. :func:`seed_example` works it through with the checker.

:func:`failure_frequency` measures how often a check fails on random data
as the margin Delta and the step h vary: with the course's small initial
weights (W ~ 0.0001 N(0, 1)) every score is near 0, so every margin sits
near Delta; at Delta = 0 they crowd the kink, and the +-h step crosses it
often, while a margin of 1 keeps them far away.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.gradcheck import check_gradient, choose_entries, svm_kinks_crossed

SEED_X, SEED_LABEL, SEED_W, SEED_DELTA = np.array([[1.0]]), np.array([1]), np.array([[1.0, 1.0]]), 0.0


def seed_example(loss_and_grad, h=1e-5):
    """The checker on the seed's example: entries W_1 (class 0) and W_2 (the correct class 1)."""
    def loss(W):
        return loss_and_grad(W, SEED_X, SEED_LABEL, 0.0, delta=SEED_DELTA)[0]
    _, dW = loss_and_grad(SEED_W, SEED_X, SEED_LABEL, 0.0, delta=SEED_DELTA)
    return check_gradient(loss, dW, SEED_W, choose_entries(SEED_W.shape, None, 0), h,
                          kinks=lambda entry, step: svm_kinks_crossed(SEED_W, SEED_X, SEED_LABEL, SEED_DELTA, entry,
                                                                      step))


@dataclass(frozen=True)
class FrequencyRow:
    """Failures of a gradient check for one (Delta, h): out of ``checked`` entries over all runs."""

    delta: float
    h: float
    checked: int
    failed: int
    explained: int           # failures where the step crossed a kink

    @property
    def rate(self) -> float:
        return self.failed / self.checked if self.checked else 0.0


@dataclass(frozen=True)
class Simulation:
    """How the failure frequency was measured: the data's shape and distribution, runs, entries, seed."""

    examples: int
    features: int
    classes: int
    weight_scale: float
    runs: int
    checks: int
    seed: int
    rows: tuple


def failure_frequency(loss_and_grad, *, deltas=(0.0, 0.01, 0.1, 1.0), hs=(1e-7, 1e-5, 1e-3, 1e-1), examples=20,
                      features=50, classes=10, weight_scale=1e-4, runs=20, checks=10, seed=0) -> Simulation:
    """For each (Delta, h): ``runs`` random problems (X ~ N(0, 1), W ~ weight_scale N(0, 1), uniform labels),
    ``checks`` random entries each; how many fail, and how many of those a crossed kink explains."""
    rows = []
    for delta in deltas:
        for h in hs:
            checked = failed = explained = 0
            for run in range(runs):
                rng = np.random.default_rng([seed, run])
                X = rng.standard_normal((examples, features))
                y = rng.integers(0, classes, examples)
                W = weight_scale * rng.standard_normal((features, classes))
                _, dW = loss_and_grad(W, X, y, 0.0, delta=delta)
                result = check_gradient(
                    lambda W_, X=X, y=y, delta=delta: loss_and_grad(W_, X, y, 0.0, delta=delta)[0], dW, W,
                    choose_entries(W.shape, checks, seed * 1_000_003 + run), h,
                    kinks=lambda entry, step, W=W, X=X, y=y, delta=delta: svm_kinks_crossed(W, X, y, delta, entry,
                                                                                            step))
                checked += len(result.entries)
                failed += sum(e.failed for e in result.entries)
                explained += sum(e.explained for e in result.entries)
            rows.append(FrequencyRow(delta, h, checked, failed, explained))
    return Simulation(examples, features, classes, weight_scale, runs, checks, seed, tuple(rows))
