"""derive grad: every built-in derives with every step verified, and its numbers equal an independent NumPy
reference written here (not generated), on random data."""
import json

import numpy as np
import pytest

from cli import main
from derivations.grad.derivation import gradient
from derivations.grad.specs import builtin_names


def rng_batch(seed, N=6, D=4, K=3, H=5):
    rng = np.random.default_rng(seed)
    return rng, dict(N=N, D=D, K=K, H=H)


def results(report):
    return {name: np.asarray(r.value, dtype=float) if r.value is not None else None
            for name, r in report.results.items()}


def assert_all_verified(report):
    assert report.verified
    assert report.has_steps
    steps = [s for b in report.blocks() for s in getattr(b, "steps", [])]
    assert steps and all(s.verification is not None and s.verification.ok for s in steps)


# --- references, written by hand ---------------------------------------------------------------------------

def squared_hinge_reference(X, y, W, reg):
    N = X.shape[0]
    S = X @ W
    margins = np.maximum(0, S - S[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    loss = (margins ** 2).sum() / N + reg * (W ** 2).sum()
    dS = 2 * margins / N
    dS[np.arange(N), y] = -dS.sum(axis=1)
    return loss, X.T @ dS + 2 * reg * W


def test_squared_hinge_derives_and_matches_the_reference():
    rng, s = rng_batch(0)
    X, W = rng.standard_normal((s["N"], s["D"])), rng.standard_normal((s["D"], s["K"]))
    y = rng.integers(0, s["K"], s["N"])
    report = gradient("squared_hinge", "W", data={"X": X, "y": y, "W": W, "reg": 0.3})
    assert_all_verified(report)
    values = results(report)
    loss, dW = squared_hinge_reference(X, y, W, 0.3)
    assert values["loss"] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(values["dW"], dW, rtol=1e-10, atol=1e-12)


def test_every_builtin_is_listed(capsys):
    assert main(["grad", "--list"]) == 0
    out = capsys.readouterr().out
    for name in builtin_names():
        assert name in out


def test_json_results_hold_loss_and_the_gradients(tmp_path, capsys):
    rng, s = rng_batch(1)
    X, W = rng.standard_normal((s["N"], s["D"])), rng.standard_normal((s["D"], s["K"]))
    y = rng.integers(0, s["K"], s["N"])
    data = tmp_path / "batch.npz"
    np.savez(data, X=X, W=W, y=y, reg=np.array(0.1))
    code = main(["grad", "squared_hinge", "--wrt", "W", "--data", str(data), "--format", "json", "--no-cache"])
    out = capsys.readouterr().out
    assert code == 0
    found = json.loads(out)["results"]
    loss, dW = squared_hinge_reference(X, y, W, 0.1)
    assert found["loss"]["value"] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(found["dW"]["value"], dW, rtol=1e-10)


@pytest.mark.parametrize("args, message", [
    (["grad", "nonsense_builtin"], "no built-in or file named 'nonsense_builtin'"),
    (["grad", "squared_hinge", "--wrt", "V"], "no 'V' to differentiate"),
    (["grad", "squared_hinge", "--wrt", "reg"], "reg is a scalar"),
    (["grad", "X: N x D; W: K x D; S = X W; L = sum(S)", "--wrt", "W"], "line 1, column 25: the product of N x D and K x D"),
    (["grad", "X: N x D; L = exp2(X)", "--wrt", "X"], "unknown function 'exp2'"),
    (["grad", "X: N x D; L = sum(X)"], "name the variables"),
    (["grad"], "give a spec"),
])
def test_bad_input_one_line_exit_2(args, message, capsys):
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("derive: error:"), captured.err
