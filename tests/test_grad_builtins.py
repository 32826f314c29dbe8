"""Every built-in of derive grad: it derives with every step verified, its numbers (from the verified matrix
forms) equal a NumPy reference written here by hand on random data, and the code derive codegen prints from
it passes its own check and gives the same numbers."""
import contextlib
import io

import numpy as np
import pytest

from derivations.grad.derivation import gradient
from derivations.grad.specs import builtin_names
from derivations.gradcode.module import generate

N, D, H, K = 7, 4, 5, 3


def softmax(S):
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def onehot(y, k=K):
    Y = np.zeros((len(y), k))
    Y[np.arange(len(y)), y] = 1
    return Y


def lse(S):
    top = S.max(axis=1)
    return top + np.log(np.exp(S - top[:, None]).sum(axis=1))


# --- the references: (loss or output, {d<name>: gradient}) from the arrays ----------------------------------------

def squared_hinge(X, y, W, reg):
    S = X @ W
    m = np.maximum(0, S - S[np.arange(N), y][:, None] + 1)
    m[np.arange(N), y] = 0
    dS = 2 * m / N
    dS[np.arange(N), y] = -dS.sum(axis=1)
    return (m ** 2).sum() / N + reg * (W ** 2).sum(), {"dW": X.T @ dS + 2 * reg * W}


def crammer_singer(X, y, W, reg):
    S = X @ W
    others = S.copy()
    others[np.arange(N), y] = -np.inf
    j = others.argmax(axis=1)
    margin = 1 + others.max(axis=1) - S[np.arange(N), y]
    active = (margin > 0) / N
    dS = np.zeros_like(S)
    np.add.at(dS, (np.arange(N), j), active)
    np.add.at(dS, (np.arange(N), y), -active)
    return np.maximum(0, margin).mean() + reg * (W ** 2).sum(), {"dW": X.T @ dS + 2 * reg * W}


def label_smoothing(X, y, W, eps, reg):
    S = X @ W
    P = softmax(S)
    Q = (1 - eps) * onehot(y) + eps / K
    loss = -(Q * np.log(P)).sum() / N + reg * (W ** 2).sum()
    return loss, {"dW": X.T @ (P - Q) / N + 2 * reg * W}


def weighted_softmax(X, y, W, cw, reg):
    S = X @ W
    w = cw[y]
    loss = (w * (lse(S) - S[np.arange(N), y])).sum() / w.sum() + reg * (W ** 2).sum()
    dS = w[:, None] * (softmax(S) - onehot(y)) / w.sum()
    return loss, {"dW": X.T @ dS + 2 * reg * W}


def ridge(X, w, t, reg):
    r = X @ w - t
    return (r ** 2).mean() + reg * (w ** 2).sum(), {"dw": 2 * X.T @ r / N + 2 * reg * w}


def huber(X, w, t, delta):
    r = X @ w - t
    small = np.abs(r) <= delta
    loss = np.where(small, 0.5 * r ** 2, delta * (np.abs(r) - delta / 2)).mean()
    return loss, {"dw": X.T @ np.where(small, r, delta * np.sign(r)) / N}


def l1(X, y, W, reg):
    S = X @ W
    loss = (lse(S) - S[np.arange(N), y]).mean() + reg * np.abs(W).sum()
    return loss, {"dW": X.T @ (softmax(S) - onehot(y)) / N + reg * np.sign(W)}


def affine(dout, x, w, b):
    return x @ w + b, {"dx": dout @ w.T, "dw": x.T @ dout, "db": dout.sum(axis=0)}


def relu(dout, x):
    return np.maximum(0, x), {"dx": dout * (x > 0)}


def two_layer(X, y, W1, b1, W2, b2, reg):
    Z = X @ W1 + b1
    h = np.maximum(0, Z)
    S = h @ W2 + b2
    loss = (lse(S) - S[np.arange(N), y]).mean() + reg * ((W1 ** 2).sum() + (W2 ** 2).sum())
    dS = (softmax(S) - onehot(y)) / N
    dh = dS @ W2.T
    dZ = dh * (Z > 0)
    return loss, {"dW1": X.T @ dZ + 2 * reg * W1, "db1": dZ.sum(axis=0),
                  "dW2": h.T @ dS + 2 * reg * W2, "db2": dS.sum(axis=0)}


def _normalisation(dout, x, gamma, beta, eps, axis):
    """Batch (axis 0) or layer (axis 1) normalisation, backpropagated stage by stage (CS231n's staged graph,
    not the one-line dx the spec states)."""
    count = x.shape[axis]
    mu = x.mean(axis=axis, keepdims=True)
    xc = x - mu
    var = (xc ** 2).mean(axis=axis, keepdims=True)
    std = np.sqrt(var + eps)
    xhat = xc / std
    out = gamma * xhat + beta
    dxhat = dout * gamma
    dvar = (dxhat * xc * -0.5 * (var + eps) ** -1.5).sum(axis=axis, keepdims=True)
    dmu = (-dxhat / std).sum(axis=axis, keepdims=True) + dvar * (-2 * xc).mean(axis=axis, keepdims=True)
    dx = dxhat / std + dvar * 2 * xc / count + dmu / count
    return out, {"dx": dx, "dgamma": (dout * xhat).sum(axis=0), "dbeta": dout.sum(axis=0)}


def batchnorm(dout, x, gamma, beta, eps):
    return _normalisation(dout, x, gamma, beta, eps, 0)


def layernorm(dout, x, gamma, beta, eps):
    return _normalisation(dout, x, gamma, beta, eps, 1)


REFERENCES = {
    "squared_hinge": (squared_hinge, {"reg": 0.3}),
    "crammer_singer": (crammer_singer, {"reg": 0.3}),
    "label_smoothing": (label_smoothing, {"eps": 0.2, "reg": 0.3}),
    "weighted_softmax": (weighted_softmax, {"reg": 0.3}),
    "ridge": (ridge, {"reg": 0.3}),
    "huber": (huber, {"delta": 0.7}),
    "l1": (l1, {"reg": 0.3}),
    "affine": (affine, {}),
    "relu": (relu, {}),
    "two_layer": (two_layer, {"reg": 0.3}),
    "batchnorm": (batchnorm, {"eps": 1e-3}),
    "layernorm": (layernorm, {"eps": 1e-3}),
}


def test_every_builtin_has_a_reference():
    assert set(REFERENCES) == set(builtin_names())


def random_arrays(name, seed):
    """Random arrays by the built-in's names (with the sizes N, D, H, K above)."""
    rng = np.random.default_rng(seed)
    shapes = {"X": (N, D), "W": (D, K), "w": (D,), "t": (N,), "cw": (K,), "W1": (D, H), "b1": (H,), "W2": (H, K),
              "b2": (K,), "x": (N, D), "gamma": (D,), "beta": (D,)}
    layer = {"affine": {"w": (D, H), "b": (H,), "dout": (N, H)}, "relu": {"dout": (N, D)},
             "batchnorm": {"dout": (N, D)}, "layernorm": {"dout": (N, D)}}.get(name, {})
    shapes.update(layer)
    arrays = {key: rng.standard_normal(shape) for key, shape in shapes.items()}
    arrays["y"] = rng.integers(0, K, N)
    arrays["cw"] = rng.uniform(0.5, 2.0, K)
    arrays["t"] = 2 * rng.standard_normal(N)
    return arrays


def reference_of(name, arrays):
    function, scalars = REFERENCES[name]
    import inspect
    names = list(inspect.signature(function).parameters)
    given = {**arrays, **scalars}
    return function(*[given[n] for n in names]), {n: given[n] for n in names}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_builtin_derives_verified_and_matches_its_reference(name):
    arrays = random_arrays(name, seed=sum(map(ord, name)))
    (value, gradients), used = reference_of(name, arrays)
    report = gradient(name, data=used)
    assert report.verified and report.has_steps
    steps = [s for block in report.blocks() for s in getattr(block, "steps", [])]
    assert len(steps) > 10 and all(s.verification.ok for s in steps)
    if "loss" in report.results:
        assert report.results["loss"].value == pytest.approx(value, rel=1e-10)
    for key, expected in gradients.items():
        got = np.asarray(report.results[key].value, dtype=float)
        assert got.shape == np.shape(expected), key
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-11, err_msg=f"{name} {key}")


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_generated_code_checks_itself_and_matches_the_reference(name):
    source = generate(name)
    namespace = {"__name__": "generated"}
    exec(compile(source, name, "exec"), namespace)  # noqa: S102 - the package's own printout
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        assert namespace["_self_check"]() == 0
    assert "gradient check passed" in printed.getvalue()
    arrays = random_arrays(name, seed=7)
    (value, gradients), used = reference_of(name, arrays)
    if "loss_and_grad" in namespace:
        loss, grads = namespace["loss_and_grad"](**used)
        assert loss == pytest.approx(value, rel=1e-10)
    else:
        dout = used.pop("dout")
        grads = namespace["backward"](dout, **used)
        np.testing.assert_allclose(namespace["forward"](**used), value, rtol=1e-10)
    for key, expected in gradients.items():
        np.testing.assert_allclose(grads[key], expected, rtol=1e-9, atol=1e-11, err_msg=f"{name} {key}")


def test_the_simplified_dx_of_batchnorm_is_a_verified_step():
    report = gradient("batchnorm")
    chains = [b for b in report.blocks() if getattr(b, "steps", None)]
    stated = [s for c in chains for s in c.steps if type(s.rule).__name__ == "StatedForm"]
    assert len(stated) == 1 and stated[0].verification.ok
    from derivations.report.printing import text
    assert text(report.results["dx"].expr).startswith("(1/N)")


def test_crammer_singer_splits_the_cases_of_the_label():
    report = gradient("crammer_singer")
    splits = [b for b in report.blocks() if type(b).__name__ == "CaseSplit"]
    assert splits and all(case.verified for split in splits for case in split.cases)
    from derivations.report.printing import text
    assert "argmax" in text(report.results["dW"].expr)


def test_an_indicator_splits_into_its_two_signs():
    from derivations.report.printing import text
    relu = gradient("relu")
    split = next(b for b in relu.blocks() if type(b).__name__ == "CaseSplit")
    shown = [text(case.condition) + ": " + text(case.blocks[0].result) for case in split.cases]
    assert shown == ["x_{i,d} > 0: dout_{i,d}", "x_{i,d} ≤ 0: 0"]
    assert all(step.verification.ok for case in split.cases for step in case.blocks[0].steps)
    huber = gradient("huber")
    split = next(b for b in huber.blocks() if type(b).__name__ == "CaseSplit")
    results = [text(case.blocks[0].result) for case in split.cases]
    assert results == ["δ·sign(rᵢ)/N", "|rᵢ|·sign(rᵢ)/N"]
