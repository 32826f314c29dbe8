"""The numbers of a batch, from the verified matrix forms: against NumPy finite differences of an independent
loss at random shapes, the kink warnings, the JSON contract, and bad data (one line, exit 2, no output)."""
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from derivations.engine.inputs import InputError
from derivations.losses import batch, batch_numbers


def reference_loss(loss, X, y, W, delta, reg, reg_form):
    """The objective written directly (not from the derivation): the FD reference of the tests."""
    n = X.shape[0]
    S = X @ W
    if loss == "svm":
        margins = S - S[np.arange(n), y][:, None] + delta
        margins[np.arange(n), y] = 0.0
        data = np.maximum(0.0, margins).sum() / n
    else:
        top = S.max(axis=1, keepdims=True)
        data = float(np.mean(top[:, 0] + np.log(np.exp(S - top).sum(axis=1)) - S[np.arange(n), y]))
    return data + (1.0 if reg_form == "full" else 0.5) * reg * float((W * W).sum())


def near_kink(X, y, W, delta, d, c, h):
    """Whether a step h in W_dc moves an SVM margin across (or onto) its kink."""
    S = X @ W
    margins = S - S[np.arange(X.shape[0]), y][:, None] + delta
    for n in range(X.shape[0]):
        reach = abs(h * X[n, d]) * 1.5 + 1e-12
        if y[n] != c and abs(margins[n, c]) <= reach:
            return True
        if y[n] == c and any(abs(margins[n, j]) <= reach for j in range(W.shape[1]) if j != c):
            return True
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 6), st.integers(1, 6), st.integers(2, 6), st.integers(0, 2 ** 32 - 1),
       st.sampled_from(["svm", "softmax"]), st.sampled_from(["full", "half"]),
       st.sampled_from([0.0, 0.1, 1.5]), st.sampled_from([1.0, 0.5, 2.0]))
def test_dW_matches_numpy_finite_differences(n, features, classes, seed, loss, reg_form, reg, delta):
    rng = np.random.default_rng(seed)
    X, W = rng.normal(size=(n, features)), rng.normal(size=(features, classes))
    y = rng.integers(0, classes, n)
    form = batch.matrix_form(loss, reg_form)
    data = batch_numbers.read_batch({"X": X, "y": y, "W": W})
    numbers = batch_numbers.compute(form, data, delta, reg)
    assert numbers.loss == pytest.approx(reference_loss(loss, X, y, W, delta, reg, reg_form), rel=1e-12, abs=1e-12)
    h = 1e-6
    compared = 0
    for d in range(features):
        for c in range(classes):
            if loss == "svm" and near_kink(X, y, W, delta, d, c, h):
                continue
            up, down = W.copy(), W.copy()
            up[d, c] += h
            down[d, c] -= h
            fd = (reference_loss(loss, X, y, up, delta, reg, reg_form)
                  - reference_loss(loss, X, y, down, delta, reg, reg_form)) / (2 * h)
            assert abs(numbers.dW[d, c] - fd) <= 1e-6 * max(1.0, abs(fd)), (d, c, numbers.dW[d, c], fd)
            compared += 1
    assert compared > 0 or loss == "svm"


def test_margins_exactly_on_the_kink_are_named():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
    y = np.array([0, 2, 0])               # example 0: s = (1, 0, 2), margin of class 1 is 0 - 1 + 1 = 0
    derivation = batch.gradient("svm", data={"X": X, "y": y, "W": W})
    warnings = " ".join(map(str, derivation.warnings))
    assert "(example 0, class 1)" in warnings and "exactly 0" in warnings
    numbers = batch_numbers.compute(batch.matrix_form("svm", "full"), batch_numbers.read_batch(
        {"X": X, "y": y, "W": W}))
    assert numbers.kinks == [(0, 1)]
    assert numbers.violated == 5                     # the other five margins of incorrect classes are positive


def test_json_contract_of_a_batch(tmp_path, capsys):
    rng = np.random.default_rng(5)
    X, W, y = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), np.array([0, 1, 1, 0])
    path = tmp_path / "b.npz"
    np.savez(path, X=X, y=y, W=W)
    code = main(["softmax-grad", "--wrt", "batch", "--data", str(path), "--reg", "0.25", "--reg-form", "half",
                 "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["parameters"]["wrt"] == "batch" and data["parameters"]["reg"] == 0.25
    assert data["parameters"]["reg_form"] == "half"
    results = data["results"]
    assert np.allclose(results["scores"]["value"], X @ W)
    assert len(results["dW"]["value"]) == 3 and all(len(row) == 2 for row in results["dW"]["value"])
    assert results["loss"]["value"] == pytest.approx(reference_loss("softmax", X, y, W, 1.0, 0.25, "half"))
    assert "X^{T}" in results["dW"]["latex"] and "P - Y" in results["dW"]["latex"]
    assert data["verified"] is True


def _write(tmp_path, name, **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return str(path)


@pytest.mark.parametrize("make, message", [
    (lambda p: _write(p, "a.npz", y=np.array([0]), W=np.ones((2, 2))), "has no X"),
    (lambda p: _write(p, "b.npz", X=np.ones((2, 3)), y=np.array([0, 1]), W=np.ones((2, 2))),
     "W has 2 rows but X has 3 columns"),
    (lambda p: _write(p, "c.npz", X=np.ones((2, 2)), y=np.array([0, 2]), W=np.ones((2, 2))),
     "label y[1] = 2 is outside 0..1"),
    (lambda p: _write(p, "d.npz", X=np.array([[1.0, np.nan], [0, 0]]), y=np.array([0, 1]), W=np.ones((2, 2))),
     "X[0, 1] is nan"),
    (lambda p: _write(p, "e.npz", X=np.ones((2, 2)), y=np.array([0, 1, 1]), W=np.ones((2, 2))),
     "y has 3 labels but X has 2 rows"),
    (lambda p: _write(p, "f.npz", X=np.array([None, 1], dtype=object), y=np.array([0, 1]), W=np.ones((2, 2))),
     "pickled object array"),
])
def test_bad_data_is_one_line_exit_2_and_no_output(tmp_path, capsys, make, message):
    path = make(tmp_path)
    out_file = tmp_path / "report.md"
    code = main(["svm-grad", "--wrt", "batch", "--data", path, "-o", str(out_file)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in captured.err
    assert not out_file.exists()


def test_bad_json_data(tmp_path):
    ragged = tmp_path / "r.json"
    ragged.write_text(json.dumps({"X": [[1, 2], [3]], "y": [0, 1], "W": [[1, 0], [0, 1]]}))
    with pytest.raises(InputError, match="X has rows of different lengths"):
        batch_numbers.read_batch(ragged)
    other = tmp_path / "x.csv"
    other.write_text("1,2")
    with pytest.raises(InputError, match=r"\.npz or \.json"):
        batch_numbers.read_batch(other)
    with pytest.raises(InputError, match="no such file"):
        batch_numbers.read_batch(tmp_path / "missing.npz")


def test_numbers_are_the_same_every_run(tmp_path):
    rng = np.random.default_rng(11)
    data = {"X": rng.normal(size=(30, 12)), "y": rng.integers(0, 4, 30), "W": rng.normal(size=(12, 4))}
    first = batch.gradient("svm", data=data, reg=0.1).to_text()
    assert batch.gradient("svm", data=data, reg=0.1).to_text() == first
    assert "⋮" in first                                   # 12 rows: the middle elided
