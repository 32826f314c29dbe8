"""The gradient checker: bands, noise, and the kinks it names (seed 002, Question 1)."""
import numpy as np
import pytest

from derivations.engine import gradcheck as G
from derivations.engine.gradcheck import Kink, band, check_gradient, choose_entries, relative_error

svm_kinks_crossed, svm_margins = G.svm_kinks_crossed, G.svm_margins


def naive_svm_loss(W, X, y, delta):
    """The SVM data loss written as loops, the way the seed states it (no regularisation)."""
    total = 0.0
    for n in range(X.shape[0]):
        scores = [sum(X[n, d] * W[d, j] for d in range(X.shape[1])) for j in range(W.shape[1])]
        for j in range(W.shape[1]):
            if j != y[n]:
                total += max(0.0, scores[j] - scores[y[n]] + delta)
    return total / X.shape[0]


def test_relative_error_and_bands():
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1.0, 3.0) == 0.5
    assert [band(e) for e in (1e-9, 1e-6, 1e-3, 0.5)] == ["excellent", "pass", "suspicious", "wrong"]


def test_seed_002_one_dimensional_example_is_a_kink_not_a_bug():
    X, y, W = np.array([[1.0]]), np.array([1]), np.array([[1.0, 1.0]])      # x = 1, W1 = W2 = 1, Delta = 0
    analytic = np.zeros((1, 2))                                              # 1[margin > 0] = 0 at margin 0
    result = check_gradient(lambda W_: naive_svm_loss(W_, X, y, 0.0), analytic, W, choose_entries(W.shape, None, 0),
                            1e-5, kinks=lambda entry, h: svm_kinks_crossed(W, X, y, 0.0, entry, h))
    first, second = result.entries
    assert first.numeric == pytest.approx(0.5) and second.numeric == pytest.approx(-0.5)
    assert first.band == "wrong" and first.explained and result.ok
    assert first.kinks == (Kink(0, 0, 0.0, 1e-5),)
    assert first.slopes == pytest.approx((0.0, 1.0)) and second.slopes == pytest.approx((-1.0, 0.0))


def test_a_wrong_gradient_away_from_kinks_fails_unexplained():
    rng = np.random.default_rng(3)
    X, y, W = rng.standard_normal((5, 4)), rng.integers(0, 3, 5), rng.standard_normal((4, 3))
    margins = svm_margins(W, X, y, 1.0)
    assert np.min(np.abs(margins[np.isfinite(margins)])) > 1e-3
    wrong = np.ones((4, 3))
    result = check_gradient(lambda W_: naive_svm_loss(W_, X, y, 1.0), wrong, W, choose_entries(W.shape, 5, 1), 1e-5,
                            kinks=lambda entry, h: svm_kinks_crossed(W, X, y, 1.0, entry, h))
    assert not result.ok and all(not e.kinks for e in result.entries)


def test_smooth_loss_passes_and_entries_are_seeded():
    A = np.arange(6.0).reshape(2, 3)
    loss = lambda W: float(np.sum(np.exp(W) * A))                            # noqa: E731
    W = np.array([[0.1, -0.2, 0.3], [0.0, 0.5, -1.0]])
    result = check_gradient(loss, np.exp(W) * A, W, choose_entries(W.shape, None, 0), 1e-5)
    assert result.ok and all(e.band in ("excellent", "pass") or e.noise for e in result.entries)
    assert choose_entries((30, 10), 10, 7) == choose_entries((30, 10), 10, 7)
    assert len(set(choose_entries((30, 10), 10, 7))) == 10
    with pytest.raises(ValueError):
        check_gradient(loss, A, W, [(0, 0)], 0.0)
