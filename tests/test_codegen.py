"""Generated loss-and-gradient code: against naive loops and finite differences, ruff-clean, self-checking."""
import subprocess
import sys

import numpy as np
import pytest

from derivations.codegen.module import generate, load


def naive_svm(W, X, y, reg, delta, reg_form):
    """The SVM loss and gradient with explicit loops over examples and classes (CS231n's svm_loss_naive)."""
    N, K = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    for n in range(N):
        scores = X[n] @ W
        for j in range(K):
            if j == y[n]:
                continue
            margin = scores[j] - scores[y[n]] + delta
            if margin > 0:
                loss += margin
                dW[:, j] += X[n]
                dW[:, y[n]] -= X[n]
    weight = reg if reg_form == "full" else reg / 2
    return loss / N + weight * np.sum(W * W), dW / N + 2 * weight * W


def naive_softmax(W, X, y, reg, reg_form):
    N, K = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    for n in range(N):
        scores = X[n] @ W
        scores = scores - scores.max()
        p = np.exp(scores) / np.exp(scores).sum()
        loss -= np.log(p[y[n]])
        for j in range(K):
            dW[:, j] += (p[j] - (j == y[n])) * X[n]
    weight = reg if reg_form == "full" else reg / 2
    return loss / N + weight * np.sum(W * W), dW / N + 2 * weight * W


def _random(seed):
    rng = np.random.default_rng(seed)
    N, D, K = (int(v) for v in rng.integers(1, 7, 3))
    K = max(K, 2)
    return rng.standard_normal((N, D)), rng.integers(0, K, N), rng.standard_normal((D, K)), float(rng.uniform(0, 1))


@pytest.mark.parametrize("reg_form", ["full", "half"])
def test_generated_svm_matches_naive_loops_and_finite_differences(reg_form):
    generated = load("svm", reg_form)
    for seed in range(25):
        X, y, W, reg = _random(seed)
        loss, dW = generated["loss_and_grad"](W, X, y, reg, delta=1.0)
        ref_loss, ref_dW = naive_svm(W, X, y, reg, 1.0, reg_form)
        assert loss == pytest.approx(ref_loss, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(dW, ref_dW, rtol=1e-12, atol=1e-12)
        assert generated["loss"](W, X, y, reg, delta=1.0) == pytest.approx(loss, rel=1e-14)


@pytest.mark.parametrize("reg_form", ["full", "half"])
def test_generated_softmax_matches_naive_loops_and_finite_differences(reg_form):
    generated = load("softmax", reg_form)
    h = 1e-6
    for seed in range(25):
        X, y, W, reg = _random(seed)
        loss, dW = generated["loss_and_grad"](W, X, y, reg)
        ref_loss, ref_dW = naive_softmax(W, X, y, reg, reg_form)
        assert loss == pytest.approx(ref_loss, rel=1e-12)
        np.testing.assert_allclose(dW, ref_dW, rtol=1e-10, atol=1e-12)
        d, c = seed % W.shape[0], seed % W.shape[1]
        up, down = W.copy(), W.copy()
        up[d, c] += h
        down[d, c] -= h
        numeric = (generated["loss"](up, X, y, reg) - generated["loss"](down, X, y, reg)) / (2 * h)
        assert numeric == pytest.approx(dW[d, c], rel=1e-6, abs=1e-8)


def test_softmax_code_is_stable_for_huge_scores():
    generated = load("softmax", "full")
    X, y, W = np.array([[1000.0, -1000.0]]), np.array([0]), np.eye(2)
    loss, dW = generated["loss_and_grad"](W, X, y, 0.0)
    assert np.isfinite(loss) and np.all(np.isfinite(dW)) and loss == pytest.approx(0.0, abs=1e-300)


@pytest.mark.parametrize("loss", ["svm", "softmax"])
def test_generated_file_imports_only_numpy_passes_ruff_and_checks_itself(tmp_path, loss):
    source = generate(loss, "full")
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["import numpy as np"]
    assert "1[M > 0] is 0 where a margin is exactly 0" in source or loss == "softmax"
    path = tmp_path / f"{loss}_loss.py"
    path.write_text(source)
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", str(path)],
                          capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True)
    assert run.returncode == 0 and "gradient check passed" in run.stdout


def test_self_check_fails_on_a_planted_error(tmp_path):
    source = generate("softmax", "full").replace("dW = 2 * reg * W +", "dW = 2.5 * reg * W +")
    path = tmp_path / "broken.py"
    path.write_text(source)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True)
    assert run.returncode == 1 and "FAILED" in run.stdout


def naive_logistic(w, X, t, reg, reg_form):
    """Binary cross-entropy with the sigmoid, example by example."""
    N = X.shape[0]
    loss, dw = 0.0, np.zeros_like(w)
    for n in range(N):
        z = X[n] @ w
        y = 1 / (1 + np.exp(-z))
        loss += -t[n] * np.log(y) - (1 - t[n]) * np.log(1 - y)
        dw += (y - t[n]) * X[n]
    weight = reg if reg_form == "full" else reg / 2
    return loss / N + weight * np.sum(w * w), dw / N + 2 * weight * w


@pytest.mark.parametrize("reg_form", ["full", "half"])
def test_generated_logistic_matches_naive_loops(reg_form):
    generated = load("logistic", reg_form)
    for seed in range(25):
        rng = np.random.default_rng(seed)
        N, D = (int(v) for v in rng.integers(1, 7, 2))
        X, t, w = rng.standard_normal((N, D)), rng.uniform(0, 1, N), rng.standard_normal(D)
        reg = float(rng.uniform(0, 1))
        loss, dw = generated["loss_and_grad"](w, X, t, reg)
        ref_loss, ref_dw = naive_logistic(w, X, t, reg, reg_form)
        assert dw.shape == w.shape
        assert loss == pytest.approx(ref_loss, rel=1e-12)
        np.testing.assert_allclose(dw, ref_dw, rtol=1e-10, atol=1e-13)


def test_logistic_code_is_stable_far_from_zero():
    generated = load("logistic", "full")
    X, w = np.array([[1.0], [1.0]]), np.array([800.0])
    loss, dw = generated["loss_and_grad"](w, X, np.array([1.0, 0.0]), 0.0)
    assert loss == pytest.approx(400.0) and dw == pytest.approx([0.5])      # (0 + 800) / 2 and ((1-1) + (1-0)) / 2


def test_the_logistic_matrix_form_is_verified_and_a_wrong_one_is_not():
    from sympy import MatMul, Transpose

    from derivations.engine.matrices import X_, Gradient
    from derivations.engine.matrix_functions import Logistic
    from derivations.engine.notation import N, lam
    from derivations.engine.verify import Verifier
    from derivations.losses import logistic_batch as lb
    verifier = Verifier(lb.definitions("full"), spread=1.0)
    right = lb.gradient_matrix("full")
    wrong = MatMul(1 / N, Transpose(X_), lb.t_ - Logistic(lb.Z_)) + 2 * lam * lb.w_
    assert verifier.check(Gradient(lb.OBJECTIVE, lb.w_), right).ok
    assert not verifier.check(Gradient(lb.OBJECTIVE, lb.w_), wrong).ok
