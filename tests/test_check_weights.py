"""Checking answers about the weights: the seeds' own answers (seed 001 (3)/(4), seed 004's table and part 2) in
scores or in weights notation, the numbers svm.dW / softmax.dW / scores / logistic at given numbers, and the
diagnosed mistakes."""
import numpy as np
import pytest
import sympy

from derivations.check.judge import judge
from derivations.check.quantities import all_quantities, lookup
from derivations.check.registry import Given
from derivations.engine.inputs import InputError


def grade(quantity, answer, **given):
    q = lookup(quantity)
    return judge("item", q, q.reference(Given.read(given or {"delta": 1})), answer, options={"delta": 1})


SEED_ANSWERS = [
    # seed 001, part 2: the solution's line (1) in scores, and (4) as printed
    ("svm.dw_incorrect", r"1_{(s_j - s_{y_i} + 1 > 0)} \mathbf{x}_i", "correct", None),
    ("svm.dw_correct", r"-\left(\sum_{j \neq y_i} 1_{(\mathbf{w}_j^T \mathbf{x}_i - \mathbf{w}_{y_i}^T \mathbf{x}_i"
                       r" + 1 > 0)}\right) \mathbf{x}_i", "correct", None),
    # seed 004's table: the SVM rows as printed there, the softmax rows with their P_j
    ("svm.dw_incorrect", r"1_{(\mathbf{w}_j^T \mathbf{x}_i - \mathbf{w}_{y_i}^T \mathbf{x}_i + 1 > 0)} \mathbf{x}_i",
     "correct", None),
    ("softmax.dw_incorrect", r"P_j \mathbf{x}_i", "correct", None),
    ("softmax.dw_correct", r"(P_j - 1) \mathbf{x}_i", "incorrect", "probability-of-class-j"),
    # seed 004, part 2: the correct class with both typos
    ("softmax.dw_correct", r"(P_j - 1) \underline{x}_j", "incorrect",
     "probability-of-class-j-and-input-of-another-example"),
    # the corrected forms
    ("softmax.dw_correct", r"(P_{y_i} - 1) \mathbf{x}_i", "correct", None),
    ("svm.dw_incorrect", r"\mathbb{1}(s_j - s_{y_i} + 1 > 0) x_i", "correct", None),
    ("svm.dw_incorrect", r"1(\mathbf{w}_j^T \mathbf{x}_i - \mathbf{w}_{y_i}^T \mathbf{x}_i + 1 > 0)\,\mathbf{x}_i",
     "correct", None),
    ("svm.dw_incorrect", r"1((\mathbf{w}_j - \mathbf{w}_{y_i})^T \mathbf{x} + 1 > 0) \mathbf{x}", "correct", None),
    # the mistakes the issue lists
    ("svm.dw_incorrect", r"\mathbb{1}(s_j - s_{y_i} + 1 > 0) x_j", "incorrect", "input-of-another-example"),
    ("softmax.dw_correct", r"(P_{y_i} - 1) \mathbf{x}_j", "incorrect", "input-of-another-example"),
    ("svm.dw_correct", r"\left(\sum_{j \neq y_i} 1_{(s_j - s_{y_i} + 1 > 0)}\right) \mathbf{x}_i", "incorrect",
     "sign-flipped-gradient"),
    ("softmax.dw_correct", r"P_{y_i} \mathbf{x}_i", "incorrect", "no-minus-one"),
]


@pytest.mark.parametrize("quantity, answer, verdict, diagnosis", SEED_ANSWERS)
def test_the_seeds_answers_in_either_notation(quantity, answer, verdict, diagnosis):
    result = grade(quantity, answer)
    assert (result.verdict, result.diagnosis) == (verdict, diagnosis), result.feedback


def test_a_constant_never_passes_for_the_indicator():
    assert grade("svm.dw_incorrect", r"\mathbf{x}_i").verdict == "incorrect"
    assert grade("svm.dw_incorrect", r"1_{(\mathbf{w}_{i}^{T} \mathbf{x}_{i} - \mathbf{w}_{i}^{T} \mathbf{x}_{i} + 1 >"
                                     r" 0)} \mathbf{x}_{i}").verdict == "incorrect"     # seed 001's printed (3)


def test_vector_notation_is_only_read_for_weight_quantities():
    assert grade("svm.dscore_incorrect", r"w_k^T x_i").verdict == "invalid"
    result = grade("svm.dw_incorrect", r"\mathbf{w}_j^T")
    assert result.verdict == "invalid" and "transpose" in result.feedback


ONE = {"inputs": [1, 2], "weights": [[1, 0, 2], [1, -1, 1]], "label": 0, "delta": 1}


@pytest.mark.parametrize("quantity, answer, verdict, diagnosis", [
    ("svm.dW", [[-1, 0, 1], [-2, 0, 2]], "correct", None),
    ("svm.dW", r"\begin{bmatrix} -1 & 0 & 1 \\ -2 & 0 & 2 \end{bmatrix}", "correct", None),
    ("svm.dW", [[1, 0, 1], [2, 0, 2]], "partially-correct", "sign-of-correct-class"),
    ("svm.dW", [[-1, -2], [0, 0], [1, 2]], "incorrect", "transposed"),
    ("svm.dW", [[-2, 1, 1], [-4, 2, 2]], "incorrect", "dropped-max"),            # systematic: no partial credit
    ("svm.scores", [3, -2, 4], "correct", None),
    ("softmax.dW", [[-0.7315, 0.0018, 0.7297], [-1.4631, 0.0036, 1.4595]], "correct", None),
    ("softmax.dW", [[0.2685, 0.0018, 0.7297], [0.537, 0.0036, 1.4595]], "partially-correct", "no-minus-one"),
])
def test_one_example_numbers(quantity, answer, verdict, diagnosis):
    result = grade(quantity, answer, **ONE)
    assert (result.verdict, result.diagnosis) == (verdict, diagnosis), result.feedback


def _batch(reg_form="full"):
    rng = np.random.default_rng(8)
    X, W = rng.normal(size=(5, 3)).round(2), rng.normal(size=(3, 4)).round(2)
    return {"X": X.tolist(), "y": [0, 1, 3, 3, 2], "W": W.tolist(), "reg": 0.1, "reg_form": reg_form}


def _reference_dW(loss, given):
    X, y, W = np.array(given["X"]), np.array(given["y"]), np.array(given["W"])
    n = X.shape[0]
    S = X @ W
    if loss == "svm":
        margins = S - S[np.arange(n), y][:, None] + 1
        margins[np.arange(n), y] = 0
        B = (margins > 0).astype(float)
        B[np.arange(n), y] = -B.sum(axis=1)
        G = B
    else:
        P = np.exp(S - S.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        P[np.arange(n), y] -= 1
        G = P
    factor = 2 if given["reg_form"] == "full" else 1
    return X.T @ G / n + factor * given["reg"] * W, S


@pytest.mark.parametrize("loss", ["svm", "softmax"])
@pytest.mark.parametrize("reg_form", ["full", "half"])
def test_batch_numbers_and_their_mistakes(loss, reg_form):
    given = _batch(reg_form)
    dW, S = _reference_dW(loss, given)
    assert grade(f"{loss}.dW", dW.round(6).tolist(), **given).verdict == "correct"
    assert grade(f"{loss}.scores", S.round(6).tolist(), **given).verdict == "correct"
    W, n = np.array(given["W"]), len(given["y"])
    factor = 2 if reg_form == "full" else 1
    data = dW - factor * given["reg"] * W
    other = data + (3 - factor) * given["reg"] * W
    mistakes = {"missing-1/N": data * n + factor * given["reg"] * W, "other-reg-form": other, "transposed": dW.T}
    for tag, wrong in mistakes.items():
        result = grade(f"{loss}.dW", wrong.round(6).tolist(), **given)
        assert result.verdict in ("incorrect", "partially-correct") and result.diagnosis == tag, (tag, result.feedback)
    if loss == "svm":
        q = lookup("svm.dW")
        ref = q.reference(Given.read(given))
        dropped = next(v for v in ref.variants if v.tag == "dropped-delta")
        assert grade("svm.dW", np.array(dropped.value.tolist(), dtype=float).round(6).tolist(),
                     **given).diagnosis == "dropped-delta"


def test_logistic_numbers():
    given = {"weights": [0.5, -1], "inputs": [2, 1], "target": 1}
    assert grade("logistic.loss", "0.6931", **given).verdict == "correct"
    assert grade("logistic.loss", "0.301", **given).diagnosis == "log10"
    assert grade("logistic.y", "0.5", **given).verdict == "correct"
    assert grade("logistic.dw", [-1, -0.5], **given).verdict == "correct"
    assert grade("logistic.dw", [1, 0.5], **given).diagnosis == "sign-flipped-gradient"
    assert grade("logistic.dw", [-0.5, -0.5], **given).diagnosis == "missing-input"
    assert grade("logistic.dw", [-4, -2], **given).diagnosis == "missing-sigmoid-derivative"
    assert grade("logistic.dw", "(y - t) x_j", **given).verdict == "correct"
    other = {"weights": [1, 1], "inputs": [1, 0.5], "target": 0}          # z = 1.5
    assert grade("logistic.y", "1.5", **other).diagnosis == "no-sigmoid"
    assert grade("logistic.y", "0.1824", **other).diagnosis == "sign-of-z"
    assert grade("logistic.dw", "(y - t) x_j").verdict == "correct"       # no numbers: the formula


def test_listed_and_needing_their_given():
    names = {q.name for q in all_quantities()}
    assert {"svm.dW", "softmax.dW", "svm.scores", "softmax.scores", "logistic.loss", "logistic.y", "logistic.dw",
            "svm.dw_correct", "svm.dw_incorrect", "softmax.dw_correct", "softmax.dw_incorrect"} <= names
    with pytest.raises(InputError, match="svm.dW needs inputs, weights"):
        lookup("svm.dW").reference(Given.read({"label": 0}))
    with pytest.raises(InputError, match="rows of different lengths|ragged"):
        Given.read({"inputs": [1, 2], "weights": [[1, 0], [1]], "label": 0})
    with pytest.raises(InputError, match="reg"):
        Given.read({**_batch(), "reg": -1})


@pytest.mark.parametrize("given", [
    {"inputs": [1, 2], "weights": [[1, 0, 2], [1, -1, 1]], "label": 0},
    {"inputs": [0.5, -1, 2], "weights": [[0.2, -0.3], [1, 0.5], [-0.4, 0.1]], "label": 1, "delta": 2},
])
def test_one_example_numbers_are_the_weight_derivations(given):
    """The grader computes s, dL/ds and dW = x (dL/ds)^T itself (a derivation per sheet took seconds): the same
    exact values as the verified derivation of derive svm-grad / softmax-grad --wrt weights."""
    from derivations.check.families.weights import _example_derivation
    g = Given.read(given)
    for loss in ("svm", "softmax"):
        value = lookup(f"{loss}.dW").reference(g).value
        derived = _example_derivation(loss, g).results["dW"].expr
        assert value.shape == derived.shape
        assert all(sympy.simplify(a - b) == 0 for a, b in zip(value, derived)), loss


@pytest.mark.parametrize("given", [{"weights": [0.5, -1], "inputs": [2, 1], "target": 1},
                                   {"weights": [1, -0.5, 0.25], "inputs": [2, 1, -4], "target": 0},
                                   {"weights": [0.3, 0.2], "inputs": [1, 1], "target": 0.25}])
def test_logistic_numbers_are_the_logistic_derivations(given):
    from derivations.check.families.logistic_numbers import _worked
    g = Given.read(given)
    d = _worked(g)
    for quantity, key in (("logistic.y", "y"), ("logistic.loss", "loss"), ("logistic.dw", "dw")):
        value = lookup(quantity).reference(g).value
        derived = d.results[key].expr
        pairs = zip(value, derived) if isinstance(value, sympy.MatrixBase) else [(value, derived)]
        assert all(abs(float((a - b).evalf(30))) < 1e-25 for a, b in pairs), quantity


@pytest.mark.parametrize("quantity, answer_for_label_0", [
    ("svm.dW", [[-1, 0, 1], [-2, 0, 2]]),
    ("softmax.dW", [[-0.7315, 0.0018, 0.7297], [-1.4631, 0.0036, 1.4595]]),
])
def test_one_example_gradient_worked_for_another_label(quantity, answer_for_label_0):
    """dW of ONE's example worked out with class 0 as the label when it is class 2: the mistake is named and no
    entry earns credit (as for the gradient of the scores), although some entries agree by accident."""
    result = grade(quantity, answer_for_label_0, **{**ONE, "label": 2})
    assert (result.verdict, result.diagnosis, result.score) == ("incorrect", "wrong-label", 0), result.feedback
    assert "class 0" in result.feedback
