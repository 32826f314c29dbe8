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


def readme_spec() -> str:
    """The spec the README shows a user writing (the first text block of its section on derive grad)."""
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Gradients of any loss or layer"):]
    start = section.index("```text\n") + len("```text\n")
    return section[start:section.index("```", start)]


def test_the_readme_spec_derives_and_matches_its_reference(tmp_path):
    spec = tmp_path / "multilabel.txt"
    spec.write_text(readme_spec())
    rng = np.random.default_rng(5)
    X, W = rng.standard_normal((6, 4)), rng.standard_normal((4, 3))
    T = rng.integers(0, 2, (6, 3)).astype(float)
    report = gradient(str(spec), data={"X": X, "W": W, "T": T})
    assert_all_verified(report)
    P = 1 / (1 + np.exp(-X @ W))
    loss = -(T * np.log(P) + (1 - T) * np.log(1 - P)).sum() / 6
    assert report.results["loss"].value == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(report.results["dW"].value, X.T @ (P - T) / 6, rtol=1e-10)


# --- specs written for these tests (not in the repository's built-ins), with their references -----------------

HELD_OUT = {
    "tanh regression": ("X: N x D\nW1: D x H\nw2: H\nt: N\nh = tanh(X W1)\nr = h w2 - t\nL = mean(r^2)\nwrt W1, w2",
                        lambda a: _tanh_regression(**a)),
    "softmax with a temperature": ("X: N x D\nW: D x K\ny: labels\nT: positive scalar = 2\nS = X W / T\n"
                                   "L = mean_n (logsumexp_k S[n, k] - S[n, y[n]])\nwrt W",
                                   lambda a: _temperature(**a)),
    "inverted dropout": ("x: N x D\nm: N x D\np: positive scalar = 0.5\nout = x * m / p\nwrt x",
                         lambda a: (a["x"] * a["m"] / 0.5, {"dx": a["dout"] * a["m"] / 0.5})),
    "hinge with a margin, index form": ("X: N x D\nW: D x K\ny: labels\ndelta: scalar = 2\nS = X W\n"
                                        "L = sum_n sum_{j != y[n]} max(0, S[n, j] - S[n, y[n]] + delta) / N\nwrt W",
                                        lambda a: _hinge(**a)),
    # sigmoid of a sum: the generated code once computed sigma(X W - b) for sigma(X W + b) (a minus on X W only)
    "multi-label sigmoid with a bias": ("X: N x D\nW: D x K\nb: K\nZ: N x K\nP = sigmoid(X W + b)\n"
                                        "L = -mean_n sum_k (Z[n, k] log(P[n, k]) + (1 - Z[n, k]) log(1 - P[n, k]))"
                                        "\nwrt W, b", lambda a: _multilabel(**a)),
    "sigmoid hidden layer, squared error": ("X: N x D\nW1: D x H\nb1: H\nw2: H\nt: N\nh = sigmoid(X W1 - b1)\n"
                                            "r = h w2 - t\nL = mean(r^2)\nwrt W1, b1, w2",
                                            lambda a: _sigmoid_regression(**a)),
}


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _multilabel(X, W, b, Z, **_):
    """Z holds the 0/1 targets."""
    P = _sigmoid(X @ W + b)
    n = len(X)
    loss = -(Z * np.log(P) + (1 - Z) * np.log(1 - P)).sum() / n
    return loss, {"dW": X.T @ (P - Z) / n, "db": (P - Z).sum(axis=0) / n}


def _sigmoid_regression(X, W1, b1, w2, t, **_):
    h = _sigmoid(X @ W1 - b1)
    r = h @ w2 - t
    dr = 2 * r / len(t)
    dZ = np.outer(dr, w2) * h * (1 - h)
    return (r ** 2).mean(), {"dW1": X.T @ dZ, "db1": -dZ.sum(axis=0), "dw2": h.T @ dr}


def _tanh_regression(X, W1, w2, t, **_):
    h = np.tanh(X @ W1)
    r = h @ w2 - t
    dr = 2 * r / len(t)
    return (r ** 2).mean(), {"dW1": X.T @ (np.outer(dr, w2) * (1 - h ** 2)), "dw2": h.T @ dr}


def _temperature(X, W, y, **_):
    S = X @ W / 2
    e = np.exp(S - S.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    n = len(y)
    Y = np.zeros_like(P)
    Y[np.arange(n), y] = 1
    return -np.log(P[np.arange(n), y]).mean(), {"dW": X.T @ (P - Y) / (2 * n)}


def _hinge(X, W, y, **_):
    S = X @ W
    n = len(y)
    m = np.maximum(0, S - S[np.arange(n), y][:, None] + 2)
    m[np.arange(n), y] = 0
    B = (m > 0).astype(float)
    B[np.arange(n), y] = -B.sum(axis=1)
    return m.sum() / n, {"dW": X.T @ B / n}


def held_out_arrays(seed):
    rng = np.random.default_rng(seed)
    shapes = {"X": (6, 4), "W1": (4, 3), "b1": (3,), "w2": (3,), "t": (6,), "W": (4, 3), "b": (3,), "x": (6, 4),
              "m": (6, 4), "dout": (6, 4)}
    arrays = {k: rng.standard_normal(v) for k, v in shapes.items()}
    arrays["m"] = (rng.random((6, 4)) < 0.5).astype(float)
    arrays["Z"] = (rng.random((6, 3)) < 0.5).astype(float)
    arrays["y"] = rng.integers(0, 3, 6)
    return arrays


def used_by(spec, arrays):
    """The arrays a spec declares (and a layer's dout)."""
    return {k: v for k, v in arrays.items() if f"{k}:" in spec.split() or k == "dout" and "out =" in spec}


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_generated_code_of_a_held_out_spec_matches_its_reference(name):
    """The module derive codegen prints computes the reference's numbers itself (its own gradient check can
    only compare the code with its own loss, so a wrong forward pass would pass it)."""
    from derivations.gradcode.module import generate
    spec, reference = HELD_OUT[name]
    namespace = {"__name__": "generated"}
    exec(compile(generate(spec), name, "exec"), namespace)  # noqa: S102 - the package's own printout
    arrays = held_out_arrays(5)
    value, gradients = reference(arrays)
    used = used_by(spec, arrays)
    if "loss_and_grad" in namespace:
        loss, grads = namespace["loss_and_grad"](**used)
        assert loss == pytest.approx(value, rel=1e-10)
    else:
        dout = used.pop("dout")
        np.testing.assert_allclose(namespace["forward"](**used), value, rtol=1e-10)
        grads = namespace["backward"](dout, **used)
    for key, expected in gradients.items():
        np.testing.assert_allclose(grads[key], expected, rtol=1e-9, atol=1e-12, err_msg=f"{name} {key}")


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_held_out_specs_derive_and_match_their_references(name):
    spec, reference = HELD_OUT[name]
    arrays = held_out_arrays(11)
    value, gradients = reference(arrays)
    report = gradient(spec, data=used_by(spec, arrays))
    assert_all_verified(report)
    if "loss" in report.results:
        assert report.results["loss"].value == pytest.approx(value, rel=1e-10)
    for key, expected in gradients.items():
        np.testing.assert_allclose(report.results[key].value, expected, rtol=1e-9, atol=1e-12)


def test_codegen_and_gradcheck_of_a_spec_through_the_command_line(tmp_path, capsys):
    target = tmp_path / "two_layer.py"
    assert main(["codegen", "two_layer", "-o", str(target)]) == 0
    source = target.read_text()
    assert "def loss_and_grad(X, y, W1, b1, W2, b2, reg=0.1):" in source
    assert "dZ = dh * (Z > 0)" in source
    capsys.readouterr()
    assert main(["gradcheck", "batchnorm", "--random", "N=20,D=6", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)["results"]
    assert found["unexplained"]["value"] == 0 and len(found["dx_entries"]["value"]) == 10
    assert all(row[-1] < 1e-6 for row in found["dx_entries"]["value"])
    assert main(["codegen", "two_layer", "--backend", "torch"]) == 2
    assert "NumPy" in capsys.readouterr().err
    assert main(["gradcheck", "two_layer", "--random", "N=5,Q=3"]) == 2
    assert "N=500,D=3073" in capsys.readouterr().err


def test_a_wrong_stated_form_is_refused(capsys):
    spec = ("X: N x D; W: D x K; T: N x K; P = sigmoid(X W); "
            "L = -mean_n sum_k (T[n, k] log(P[n, k]) + (1 - T[n, k]) log(1 - P[n, k])); simplify dW = X' (P - T)")
    assert main(["grad", spec, "--wrt", "W", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "simplify dW: the form stated is not the gradient" in err and err.count("\n") == 1


def test_the_printed_code_is_checked_against_the_verified_forms():
    """Module() runs the printed code on random data against derive's own evaluation of the matrix forms; a
    printing slip (the minus of sigma(z) taking only part of z) is a PrintingError, not a module."""
    from derivations.gradcode.agreement import PrintingError, check, differences
    from derivations.gradcode.module import Module
    spec = HELD_OUT["multi-label sigmoid with a bias"][0]
    module = Module(spec)
    gaps = differences(module)
    assert set(gaps) == {"loss", "dW", "db"} and max(gaps.values()) <= 1e-12
    assert "-(X @ W + b.T)" in module.source
    module.source = module.source.replace("-(X @ W + b.T)", "-X @ W + b.T")
    with pytest.raises(PrintingError, match="loss differs"):
        check(module)


def test_the_verification_paragraph_says_only_what_was_checked():
    """A regression spec has no classes, labels or kinks; a hinge has all three; a layer has an output."""
    ridge, hinge, layer = (_note_text(gradient(name)) for name in ("ridge", "squared_hinge", "affine"))
    assert "classes" not in ridge and "labels" not in ridge and "kink" not in ridge and "the loss" in ridge
    assert "number of classes" in hinge and "every class is some example's label" in hinge and "kink" in hinge
    assert "the layer's output" in layer and "classes" not in layer


def _note_text(report):
    from derivations.report.render import render
    plain = render(report, "text")
    return " ".join(plain[plain.index("Every step was checked by"):].split())


def test_an_entrywise_gradient_is_cancelled_to_the_course_form():
    """Sigmoid cross-entropy: P ∘ (Z ∘ P^∘-1 - (1 - Z) ∘ (1 1^T - P)^∘-1) ∘ (1 1^T - P) is Z - P entry by entry,
    so dW is (1/N) X^T (P - Z) and db its column sums; the form is checked against the loss like every step."""
    from derivations.report.printing import text as plain
    spec = HELD_OUT["multi-label sigmoid with a bias"][0]
    report = gradient(spec)
    assert_all_verified(report)
    assert plain(report.results["dW"].expr) == "(1/N)·Xᵀ (P - Z)"
    assert plain(report.results["db"].expr) == "(1/N)·(P - Z)ᵀ 𝟙_N"


def test_the_entrywise_cancellation_keeps_values():
    import sympy

    from derivations.grad.simplify import simplify
    from derivations.lang.values import ones_matrix
    P, T = sympy.MatrixSymbol("P", 3, 2), sympy.MatrixSymbol("T", 3, 2)
    ones = ones_matrix(3, 2)
    tangled = sympy.HadamardProduct(P, sympy.MatAdd(sympy.HadamardProduct(T, sympy.HadamardPower(P, -1)),
                                                    sympy.MatMul(-1, sympy.HadamardPower(ones - P, -1)),
                                                    sympy.HadamardProduct(T, sympy.HadamardPower(ones - P, -1))),
                                    ones - P)
    short = simplify(tangled)
    assert sympy.count_ops(short) < sympy.count_ops(tangled)
    rng = np.random.default_rng(3)
    values = {P: sympy.ImmutableMatrix(rng.uniform(0.1, 0.9, (3, 2))), T: sympy.ImmutableMatrix(rng.random((3, 2)))}
    as_array = lambda m: np.array(m.subs(values).doit().as_explicit().evalf(), dtype=float)  # noqa: E731
    np.testing.assert_allclose(as_array(short), as_array(tangled), rtol=1e-12)
    np.testing.assert_allclose(as_array(short), np.array(values[T] - values[P], dtype=float), rtol=1e-12)


def test_batchnorm_reads_as_written():
    """A row subtracted is x - 1_N mu^T (not x + 1_N (-mu)^T), and a name of several letters is one upright name
    in index form (xc_{n,d} is \\mathrm{xc}, not x times c)."""
    from derivations.report.printing import latex
    report = gradient("batchnorm")
    source = render_latex(report)
    assert r"\mathrm{xc} = x - \mathbf{1}_{N} \pmb{\mu}^{T}" in source
    assert r"\mathrm{xc}_{n,d}" in source and r"\left(- \pmb{\mu}\right)" not in source
    assert latex(report.results["dgamma"].expr)


def render_latex(report):
    from derivations.report.render import render
    return render(report, "latex")
