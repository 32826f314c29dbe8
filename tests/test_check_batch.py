"""Grading a batch given on a sheet (X, y, W, reg, reg_form): exact decimals compared exactly, the batch loss,
the mistakes of the matrix form, and the forms being the ones the batch derivations verify."""
import numpy as np
import pytest

from derivations.check import grade
from derivations.check.judge import judge
from derivations.check.quantities import lookup
from derivations.check.registry import Given
from derivations.check.sheet import parse

# by hand: S = X W = [[0.35, 0.1], [0.4, 0.9]]; margins 0.75 (example 0, class 1) and 0.5 (example 1, class 0)
# are violated; X^T B / N = [[-1, 1], [0.75, -0.75]]; 2 lambda W = [[0.04, -0.02], [0.06, 0.08]];
# L = (0.75 + 0.5) / 2 + 0.1 (0.04 + 0.01 + 0.09 + 0.16) = 0.655
SMALL = {"X": [[1, 0.5], [-1, 2]], "y": [0, 1], "W": [[0.2, -0.1], [0.3, 0.4]], "reg": 0.1, "reg_form": "full"}


def grade_one(quantity, answer, given=SMALL):
    q = lookup(quantity)
    return judge("item", q, q.reference(Given.read(given)), answer, options={"delta": 1})


def sheet(given_yaml: str, items_yaml: str):
    s = parse(f"given: {given_yaml}\nitems:\n{items_yaml}", "sheet.yaml")
    context = grade.sheet_context(s)
    return [grade.grade_item(item, context) for item in s.items]


@pytest.mark.parametrize("quantity, answer", [
    ("svm.scores", "[[0.35, 0.1], [0.4, 0.9]]"),
    ("svm.scores", [[0.35, 0.1], [0.4, 0.9]]),
    ("svm.dW", "[[-0.96, 0.98], [0.81, -0.67]]"),
    ("svm.dW", [[-0.96, 0.98], [0.81, -0.67]]),
    ("svm.dW", r"\begin{bmatrix} -0.96 & 0.98 \\ 0.81 & -0.67 \end{bmatrix}"),
    ("svm.loss", "0.655"),
    ("svm.loss", 0.655),
])
def test_short_exact_decimals_are_exactly_right(quantity, answer):
    result = grade_one(quantity, answer)
    assert (result.verdict, result.score, result.rule) == ("correct", 1.0, "exact"), result.feedback


def test_yaml_decimals_on_a_sheet_are_exact_too():
    """The issue's report: svm.dW answered [[0.8, -0.75], [0.1, 0.2]] was '0 of 4 entries right' when exactly right."""
    # X^T B / N with no penalty: B = [[-1, 1], [1, -1]] as above, X = [[0.8, 0.2], [-0.8, 0.6]]
    results = sheet("{X: [[0.8, 0.2], [-0.8, 0.6]], y: [0, 1], W: [[1, 0.5], [0.5, 1]], reg: 0}",
                    "  - {id: a, quantity: svm.scores, answer: [[0.9, 0.6], [-0.5, 0.2]]}\n"
                    "  - {id: b, quantity: svm.dW, answer: [[-0.8, 0.8], [0.2, -0.2]]}\n"
                    "  - {id: c, quantity: svm.dW, answer: '[[-0.8, 0.8], [0.2, -0.2]]'}\n"
                    "  - {id: d, quantity: svm.loss, answer: 0.85}\n")
    # margins: example 0, class 1: 0.6 - 0.9 + 1 = 0.7; example 1, class 0: -0.5 - 0.2 + 1 = 0.3; mean 0.5
    assert [r.verdict for r in results[:3]] == ["correct"] * 3, [r.feedback for r in results]
    assert results[3].verdict == "incorrect" and results[3].expected == "0.5"


def test_an_item_may_set_its_own_reg_form_over_a_batch_given():
    """An item's own given (reg_form: half) over the sheet's batch keeps the batch as read: graded against the half
    penalty, not refused (it was 'X must hold numbers only': the exact entries were read again as a sheet's)."""
    # reg_form half, lambda 0.1: L = 0.625 + 0.05 (0.04 + 0.01 + 0.09 + 0.16) = 0.64; dW = X^T B / N + 0.1 W
    results = sheet("{X: [[1, 0.5], [-1, 2]], y: [0, 1], W: [[0.2, -0.1], [0.3, 0.4]], reg: 0.1, reg_form: full}",
                    "  - {id: a, quantity: svm.loss, answer: 0.655}\n"
                    "  - {id: b, quantity: svm.loss, answer: 0.64, given: {reg_form: half}}\n"
                    "  - {id: c, quantity: svm.dW, answer: '[[-0.98, 0.99], [0.78, -0.71]]', given: {reg_form: half}}\n"
                    "  - {id: d, quantity: svm.loss, answer: 0.655, given: {reg_form: half}}\n"
                    "  - {id: e, quantity: svm.loss, answer: 0.64, given: {reg_form: third}}\n")
    assert [(r.verdict, r.rule) for r in results[:3]] == [("correct", "exact")] * 3, [r.feedback for r in results]
    assert results[3].verdict == "incorrect" and results[3].expected == "0.64"
    assert results[3].diagnosis == "other-reg-form", results[3].feedback
    assert results[4].verdict == "invalid" and "reg_form must be full or half" in results[4].feedback


def test_minus_point_three_passes_where_it_is_right():
    # reg_form half, lambda 1: dW = X^T B / N + W; entry (1, 1) = -0.75 + 0.4 = -0.35; (0, 1) = 1 - 0.1 = 0.9
    given = dict(SMALL, reg=1, reg_form="half")
    assert grade_one("svm.dW", "[[-0.8, 0.9], [1.05, -0.35]]", given).verdict == "correct"
    # a softmax-free exact -0.3: W's (0, 0) entry 0.2 - 0.5 = -0.3 with lambda 2.5, half: -1 + 2.5 * 0.2 = -0.5;
    # simpler: the scores of X = [[-1, 0]], W = [[0.3, 0.1], [5, 5]] are [-0.3, -0.1]
    tiny = {"X": [[-1, 0]], "y": [0], "W": [[0.3, 0.1], [5, 5]]}
    assert grade_one("svm.scores", "[-0.3, -0.1]", tiny).verdict == "correct"
    assert grade_one("svm.scores", "[-0.3001, -0.1]", tiny).verdict == "correct"      # right to 3 figures
    assert grade_one("svm.scores", "[-0.31, -0.1]", tiny).verdict == "partially-correct"


def test_the_batch_loss_and_its_mistakes():
    assert grade_one("svm.loss", "0.655").verdict == "correct"
    mistakes = {"1.28": "missing-1/N",            # (0.75 + 0.5) + 0.03
                "0.64": "other-reg-form",         # 0.625 + 0.015
                "0.625": "reg-left-out",
                "1.655": "kept-correct-term"}     # + Delta for each of the two examples, averaged: + 1
    for answer, tag in mistakes.items():
        result = grade_one("svm.loss", answer)
        assert (result.verdict, result.diagnosis) == ("incorrect", tag), (answer, result.feedback)


def _softmax_loss(given):
    X, y, W = np.array(given["X"], float), np.array(given["y"]), np.array(given["W"], float)
    S = X @ W
    S = S - S.max(axis=1, keepdims=True)
    log_p = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
    factor = 1 if given.get("reg_form", "full") == "full" else 0.5
    return -log_p[np.arange(len(y)), y].mean() + factor * given.get("reg", 0) * (W ** 2).sum()


def test_softmax_batch_loss_to_three_figures_and_its_diagnoses():
    value = _softmax_loss(SMALL)
    assert grade_one("softmax.loss", f"{value:.3g}").verdict == "correct"
    assert grade_one("softmax.loss", f"{value:.4f}").verdict == "correct"
    assert grade_one("softmax.loss", f"{value * 1.02:.3g}").verdict == "incorrect"
    assert grade_one("softmax.loss", f"{value - 0.03:.4f}").diagnosis == "reg-left-out"


def test_equal_scores_give_exact_probabilities():
    """W = 0: every score is 0, P = 1/K exactly, L = ln K; a student's 0.5 is exactly right."""
    given = {"X": [[1, 2], [3, -1]], "y": [0, 1], "W": [[0, 0], [0, 0]]}
    result = grade_one("softmax.probs", "[[0.5, 0.5], [0.5, 0.5]]", given)
    assert (result.verdict, result.rule) == ("correct", "exact")
    assert grade_one("softmax.loss", "0.693", given).verdict == "correct"
    # dW = X^T (P - Y) / N = [[1, 2], [3, -1]]^T [[-0.5, 0.5], [0.5, -0.5]] / 2
    assert grade_one("softmax.dW", "[[0.5, -0.5], [-0.75, 0.75]]", given).rule == "exact"


def test_a_transposed_dW_gets_no_partial_credit_and_is_named():
    # D = K = 2: the transpose has the same shape; its diagonal agrees by coincidence
    dW = np.array([[-0.96, 0.98], [0.81, -0.67]])
    result = grade_one("svm.dW", dW.T.tolist())
    assert (result.verdict, result.score, result.diagnosis) == ("incorrect", 0.0, "transposed"), result.feedback
    assert "No partial credit" in result.feedback


def test_the_batch_numbers_agree_with_numpy_on_random_batches():
    from derivations.losses import batch as b
    from derivations.losses.batch_numbers import compute, read_batch
    rng = np.random.default_rng(19)
    for loss in ("svm", "softmax"):
        for reg_form in ("full", "half"):
            X, W = rng.normal(size=(5, 4)).round(1), rng.normal(size=(4, 3)).round(1)
            given = {"X": X.tolist(), "y": rng.integers(0, 3, 5).tolist(), "W": W.tolist(), "reg": 0.05,
                     "reg_form": reg_form}
            numbers = compute(b.matrix_form(loss, reg_form), read_batch(given), 1.0, 0.05)
            dW = lookup(f"{loss}.dW").reference(Given.read(given)).value
            value = lookup(f"{loss}.loss").reference(Given.read(given)).value
            assert np.allclose(np.array(dW.tolist(), dtype=float), numbers.dW, rtol=1e-12, atol=1e-12)
            assert float(value) == pytest.approx(numbers.loss, rel=1e-12)


def test_the_forms_evaluated_are_the_ones_the_derivations_verify():
    from derivations.losses import batch as b
    from derivations.losses import logistic_batch as lb
    for loss in ("svm", "softmax"):
        for reg_form in ("full", "half"):
            form = b.matrix_form(loss, reg_form)
            assert form.dW == b.gradient_matrix(loss, reg_form) and form.loss == b.loss_matrix(loss, reg_form)
            assert form.named == b.named_matrices(loss)
    for reg_form in ("full", "half"):
        form = lb.matrix_form(reg_form)
        assert form.dW == lb.gradient_matrix(reg_form) and form.loss == lb.loss_matrix(reg_form)


def test_logistic_regression_batch():
    # z = X w = [0.5, 1]; y = sigma(z); t = [1, 0]
    given = {"X": [[1, 0], [1, 1]], "y": [1, 0], "W": [0.5, 0.5], "reg": 0}
    X, t, w = np.array(given["X"], float), np.array(given["y"], float), np.array(given["W"], float)
    z = X @ w
    p = 1 / (1 + np.exp(-z))
    loss = np.mean(np.logaddexp(0, z) - t * z)
    dw = X.T @ (p - t) / 2
    assert grade_one("logistic.loss", f"{loss:.4f}", given).verdict == "correct"
    assert grade_one("logistic.dw", [round(v, 4) for v in dw], given).verdict == "correct"
    result = grade_one("logistic.dw", [round(v, 4) for v in -dw], given)
    assert result.diagnosis == "sign-flipped-gradient"
    assert grade_one("logistic.dw", [round(v, 4) for v in 2 * dw], given).diagnosis == "missing-1/N"
    assert grade_one("logistic.dw", "(y - t) x_j", given).verdict == "correct"         # the formula still
