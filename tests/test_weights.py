"""Gradients with respect to the weights for one example (seed 001 part 2, seed 004 parts 2-3): the lemma, the
chain rule through the scores reusing the score derivation, the cases, the vector and matrix forms, the numbers."""
import json

import numpy as np
import pytest

from cli import main
from derivations import softmax, svm
from derivations.engine.inputs import InputError
from derivations.engine.steps import CaseSplit, Chain, Claim
from derivations.losses import weights
from derivations.report.printing import latex, text


@pytest.fixture(scope="module")
def svm_weights():
    return svm.gradient(delta=1, wrt="weights", example=False)


@pytest.fixture(scope="module")
def softmax_weights():
    return softmax.gradient(wrt="weights", example=False)


def _claims(derivation):
    return [b for b in derivation.blocks() if isinstance(b, Claim)]


def test_svm_results_are_seed_001_s_3_and_4(svm_weights):
    assert svm_weights.verified and svm_weights.parameters == {"wrt": "weights", "delta": 1.0}
    assert text(svm_weights.results["dw_incorrect"].expr) == "x_{d}·𝟙[s_{c} - s_{yᵢ} + Δ > 0]"
    assert text(svm_weights.results["dw_correct"].expr) == "-x_{d}·Σ_{j≠yᵢ} 𝟙[sⱼ - s_{yᵢ} + Δ > 0]"
    shown = [text(c.lhs) + " = " + text(c.rhs) for c in _claims(svm_weights)]
    assert "∇_{w_{yᵢ}} Lᵢ = -(Σ_{j≠yᵢ} 𝟙[wⱼᵀx - w_{yᵢ}ᵀx + Δ > 0])·x" in shown          # seed 001 (4)
    assert "∇_{w_{c}} Lᵢ = 𝟙[w_{c}ᵀx - w_{yᵢ}ᵀx + Δ > 0]·x" in shown                      # seed 001 (3)
    assert "∂Lᵢ/∂W = x (∇_s Lᵢ)ᵀ" in shown
    assert "∇_w (wᵀx) = x" in shown                                                        # the seed's lemma
    assert all(c.verified for c in _claims(svm_weights))


def test_the_lemma_and_the_chain_rule(svm_weights):
    chains = [b for b in svm_weights.blocks() if isinstance(b, Chain)]
    lemma = next(c for c in chains if text(c.lhs) == "∂sⱼ/∂W_{d,c}")
    assert text(lemma.result) == "x_{d}·δ_{cj}"
    assert any(text(c.lhs) == "∂/∂w_{d}[wᵀx]" and text(c.result) == "x_{d}" for c in chains)
    chain_rule = next(c for c in chains if text(c.lhs) == "∂Lᵢ/∂W_{d,c}" and c.steps[0].rule.name
                      == "chain_rule_scores")
    assert text(chain_rule.result) == "(∂Lᵢ/∂s_{c})·x_{d}"
    # the score gradient is the svm-grad derivation itself, embedded (the same verified case split)
    splits = [b for b in svm_weights.blocks() if isinstance(b, CaseSplit)]
    assert len(splits) == 2 and splits[0].cases[1].blocks[0].result == svm.gradient().results["dscore_incorrect"].expr
    every = [s for c in chains for s in c.steps]
    assert all(s.verified for s in every)
    assert any("D = " in s.verification.detail and "K = " in s.verification.detail for s in every)


def test_softmax_results_are_seed_004_s_with_the_typos_corrected(softmax_weights):
    assert softmax_weights.verified
    assert text(softmax_weights.results["dw_correct"].expr) == "x_{d}·(p_{yᵢ} - 1)"
    assert text(softmax_weights.results["dw_incorrect"].expr) == "p_{c}·x_{d}"
    assert text(softmax_weights.results["dw"].expr) == "x_{d}·(p_{c} - δ_{c,yᵢ})"
    shown = [text(c.lhs) + " = " + text(c.rhs) for c in _claims(softmax_weights)]
    assert "∂Lᵢ/∂W = x (p - y)ᵀ" in shown and "∇_{w_{yᵢ}} Lᵢ = (p_{yᵢ} - 1)·x" in shown
    report = " ".join(softmax_weights.to_text().split())
    assert "Giving the input the class's index, as in xⱼ, is a slip" in report and "not of class j" in report
    assert r"\mathbf{x} \left(\mathbf{p} - \mathbf{y}\right)^{T}" == latex(weights.matrix_form("softmax"))


def _numpy_loss(loss, x, W, label, delta=1.0):
    s = W.T @ x
    if loss == "svm":
        m = np.maximum(0, s - s[label] + delta)
        m[label] = 0
        return m.sum()
    return np.log(np.exp(s - s.max()).sum()) + s.max() - s[label]


@pytest.mark.parametrize("loss, seed", [("svm", 1), ("svm", 2), ("softmax", 3), ("softmax", 4)])
def test_worked_numbers_match_numpy_finite_differences(loss, seed):
    rng = np.random.default_rng(seed)
    features, classes = rng.integers(1, 5), rng.integers(2, 6)
    x = rng.integers(-3, 4, features).astype(float)
    W = rng.integers(-3, 4, (features, classes)) / 2
    label = int(rng.integers(0, classes))
    g = weights.gradient(loss, inputs=list(x), weights=W.tolist(), label=label)
    assert np.allclose(g.results["scores"].value, W.T @ x)
    assert g.results["loss"].value == pytest.approx(_numpy_loss(loss, x, W, label), rel=1e-12, abs=1e-12)
    dW = np.array(g.results["dW"].value)
    assert dW.shape == (features, classes)
    h = 1e-6
    for d in range(features):
        for c in range(classes):
            up, down = W.copy(), W.copy()
            up[d, c] += h
            down[d, c] -= h
            fd = (_numpy_loss(loss, x, up, label) - _numpy_loss(loss, x, down, label)) / (2 * h)
            s = W.T @ x
            near = loss == "svm" and any(abs(s[j] - s[label] + 1) <= 2 * h * abs(x[d]) + 1e-12
                                         for j in range(classes) if j != label)
            if not near:
                assert abs(dW[d, c] - fd) <= 1e-6 * max(1, abs(fd)), (d, c)


def test_the_seed_example_exactly():
    g = svm.gradient(wrt="weights", inputs=[1, 2], weights=[[1, 0, 2], [1, -1, 1]], label=0)
    assert g.results["scores"].value == [3.0, -2.0, 4.0]
    assert g.results["dscores"].value == [-1.0, 0.0, 1.0]
    assert g.results["dW"].value == [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0]]
    assert text(g.results["dW"].expr) == "[[-1, 0, 1], [-2, 0, 2]]"


def test_a_margin_on_the_kink_is_warned_about():
    g = svm.gradient(wrt="weights", inputs=[1], weights=[[1, 0, 2]], label=0, classes=["cat", "dog", "car"])
    assert any("dog sits exactly on the hinge" in w for w in g.warnings)


def test_json_contract_one_example(capsys):
    code = main(["svm-grad", "--wrt", "weights", "--inputs", "1,2", "--weights", "1,0,2;1,-1,1", "--label", "0",
                 "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["verified"]
    assert data["parameters"]["wrt"] == "weights" and data["parameters"]["weights"] == [[1, 0, 2], [1, -1, 1]]
    results = data["results"]
    assert results["scores"]["value"] == [3.0, -2.0, 4.0] and results["loss"]["value"] == 2.0
    assert results["dW"]["value"] == [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0]]
    assert "\\mathbf{1}" in results["dw_incorrect"]["latex"] and "x_{d}" in results["dw_correct"]["latex"]


@pytest.mark.parametrize("kwargs, message", [
    ({"inputs": [1, 2], "weights": [[1, 0], [1]], "label": 0}, "ragged"),
    ({"inputs": [1, 2], "weights": [[1, 0, 2]], "label": 0}, "1 row; W is D x K, so 2 rows"),
    ({"inputs": [1, 2], "weights": "1,0;1,2", "label": 2}, "outside 0..1"),
    ({"inputs": [1, "inf"], "weights": "1,0;1,2", "label": 0}, "finite"),
    ({"inputs": [1, 2], "label": 0}, "--weights missing"),
    ({"inputs": [1, 2], "weights": "1;2", "label": 0}, "at least two classes"),
])
def test_bad_one_example_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        weights.gradient("svm", **kwargs)


@pytest.mark.parametrize("args, message", [
    (["svm-grad", "--wrt", "weights", "--scores", "1,2", "--label", "0"], "--scores belongs to --wrt scores"),
    (["softmax-grad", "--wrt", "weights", "--inputs", "1", "--weights", "1,2", "--label", "0", "--scale", "2"],
     "--scale applies to"),
    (["svm-grad", "--inputs", "1,2"], "--inputs belongs to --wrt weights"),
    (["svm-grad", "--wrt", "batch", "--inputs", "1,2"], "--inputs belongs to --wrt weights, not --wrt batch"),
])
def test_options_of_another_wrt_are_refused(args, message, capsys):
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and message in captured.err and len(captured.err.splitlines()) == 1


def test_compare_weights_side_by_side(capsys):
    code = main(["compare", "--wrt", "weights", "--inputs", "1,2", "--weights", "1,0,2;1,-1,1", "--label", "0",
                 "--classes", "cat,dog,car", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["verified"] and data["parameters"]["wrt"] == "weights"
    assert data["results"]["svm_dW"]["value"] == [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0]]
    softmax_dW = np.array(data["results"]["softmax_dW"]["value"])
    assert softmax_dW.shape == (2, 3) and np.allclose(softmax_dW.sum(axis=1), 0)       # columns of dW sum to 0
    from derivations import compare
    report = " ".join(compare.compare(wrt="weights", inputs=[1, 2], weights=[[1, 0, 2], [1, -1, 1]], label=0,
                                      classes=["cat", "dog", "car"]).to_text().split())
    assert "The SVM leaves dog alone" in report and "Σ_{c} ∂Lᵢ^SVM/∂W_{d,c} = 0" in report
    code = main(["compare", "--wrt", "weights", "--scores", "1,2", "--label", "0"])
    assert code == 2
