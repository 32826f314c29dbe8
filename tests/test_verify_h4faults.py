"""derive verify on the faults a held-out corpus (h4) found (issue 18, fifth round): each file in
tests/data/written_h4faults, a correct version and one with a planted slip, with each mathematical line's
verdict and the exit status recorded by hand before the fix (verdicts.yaml).

Every line recorded correct is verified (read and not called wrong), every planted slip is wrong at its
line, and the exit status is the one recorded.
"""

import pytest
import sympy

from derivations.check.written import check_text
from derivations.check.written.context import dotted_letters, function_argument, softmax_without_p

from .recorded_corpus import recorded_corpus_tests

RECORDED, outcomes, test_every_line_gets_its_recorded_verdict, test_the_exit_status_is_the_one_recorded = \
    recorded_corpus_tests("written_h4faults")


# --- fault 1: values after with / at / where / for / given, vectors included ------------------------

LOGISTIC = ("Let $w$ and $x$ be vectors, $z = w^T x$ and $\\hat y = \\sigma(z)$.\n\n"
            "Numerically, {word} $w = [1, -1]$, $x = [2, 1]$: $z = {z}$.\n")


@pytest.mark.parametrize("word", ["with", "at", "where", "for", "given"])
def test_a_vector_given_after_a_word_is_a_given_value(word):
    outcome = check_text(LOGISTIC.format(word=word, z=1), "t.md", timeout=None)
    assert outcome.line_verdicts() == {1: "verified", 3: "verified"}
    assert outcome.status == 0


@pytest.mark.parametrize("word", ["with", "at"])
def test_a_slip_after_a_given_vector_is_wrong(word):
    outcome = check_text(LOGISTIC.format(word=word, z=3), "t.md", timeout=None)
    assert outcome.line_verdicts() == {1: "verified", 3: "wrong"}
    assert outcome.status == 1


def test_the_steps_after_words_and_an_equals_sign_are_read():
    text = "Numerically, gradient $= (0.731 - 1)[2, 1] = [-0.538, {last}]$.\n"
    assert check_text(text.format(last="-0.269"), "t.md", timeout=None).line_verdicts() == {1: "verified"}
    assert check_text(text.format(last="0.269"), "t.md", timeout=None).line_verdicts() == {1: "wrong"}


def test_a_fragment_after_words_is_still_no_step():
    outcome = check_text("Let $L = x^2$, a loss that is $> 0$ when $x \\neq 0$.\n", "t.md", timeout=None)
    assert outcome.status == 0


# --- fault 2: p given by its numbers in a softmax text ----------------------------------------------

@pytest.mark.parametrize("text, about", [
    ("Softmax.\ns = [1, 2]\nL = -log p_y = -log(0.731)", True),       # p_y used in a chain, not defined
    ("Softmax.\np = [0.269, 0.731]\nL = -log(0.731)", True),          # p given by its numbers
    ("Softmax.\n$p \\approx (0.269, 0.731)$", True),
    ("Softmax.\np_k = exp(s_k) / sum_j exp(s_j)\nL = -log p_y", False),
    ("Softmax: $p_k = e^{s_k} / Z$, L = -log p_y", False),
    ("The loss L = -log p_y = 0.3", False),                             # not about the softmax
])
def test_a_softmax_text_that_does_not_define_p(text, about):
    assert softmax_without_p(text) is about


def test_p_given_by_numbers_is_checked_against_the_softmax_of_the_scores():
    text = "Softmax cross-entropy.\nScores s = [0, 1], y = 1.\np = [0.269, {p1}]\nL = -log p_y = -log(0.731)\n"
    assert check_text(text.format(p1="0.731"), "t.txt", timeout=None).line_verdicts() == \
        {2: "verified", 3: "verified", 4: "verified"}
    assert check_text(text.format(p1="0.769"), "t.txt", timeout=None).line_verdicts()[3] == "wrong"


# --- fault 3: a number added to a vector, entry by entry ---------------------------------------------

SVM_WORKED = "L_i = sum_{{j != y_i}} max(0, s_j - s_{{y_i}} + 1)\nScores s = [3, -1, 4], y_i = 2.\n{line}\n"


@pytest.mark.parametrize("line, verdict", [
    ("s - 4 = [-1, -5, 0]", "verified"), ("s - 4 = [-1, -5, 1]", "wrong"),
    ("s - s_{y_i} + 1 = [0, -4, 1]", "verified"), ("s + 1 - s_{y_i} = [0, -4, 2]", "wrong"),
    ("s_j - s_{y_i} + 1 = [0, -4, 1]", "verified"), ("s_j - s_{y_i} + 1 = [0, -3, 1]", "wrong"),
    ("[3, -1, 4] - 4 = [-1, -5, 0]", "verified"), ("[3, -1, 4] - 4 = [-1, -5, 4]", "wrong"),
])
def test_a_number_added_to_a_vector_is_added_to_each_entry(line, verdict):
    outcome = check_text(SVM_WORKED.format(line=line), "t.txt", timeout=None)
    assert outcome.line_verdicts() == {1: "verified", 2: "verified", 3: verdict}


def test_a_quantity_of_its_own_added_to_a_vector_is_still_not_read():
    from derivations.parse.errors import ParseError
    from derivations.parse.written_arrays import Vector, add
    s, t = sympy.IndexedBase("s"), sympy.Symbol("t")
    vector = Vector(lambda d: s[d], sympy.Symbol("K"))
    assert add([vector, sympy.Integer(-4)]).entry(sympy.Integer(0)) == s[0] - 4
    with pytest.raises(ParseError):
        add([vector, -t])


# --- fault 4: w_j·x_n, w·x_n a dot product ----------------------------------------------------------

@pytest.mark.parametrize("text, plain, family", [
    ("s_nj = w_j·x_n", set(), {"w", "x"}),
    ("z_n = w·x_n", {"w"}, {"x"}),
    ("z = w·x + b", {"w", "x"}, set()),
    ("z_k = w_k \\cdot x", set(), set()),             # in LaTeX, \cdot is any product
    ("∂p_i/∂s_j = -p_i·p_j", set(), set()),           # a product of two numbers
    ("y_T \\cdot y_k", set(), set()),
])
def test_the_weights_and_the_input_with_a_dot_are_vectors(text, plain, family):
    assert dotted_letters(text) == (plain, family)


BATCH = ("z_n = w·x_n, a_n = σ(z_n)\nL_n = -[t_n log a_n + (1 - t_n) log(1 - a_n)]\n"
         "L = (1/N) Σ_n L_n + λ ||w||²\n∂L/∂w = (1/N) Σ_n (a_n - t_n) x_n + {reg}\n")


@pytest.mark.parametrize("reg, verdict", [("2λ w", "verified"), ("λ w", "wrong"), ("2λ", "unread")])
def test_a_batch_gradient_with_a_dot_product_is_read(reg, verdict):
    outcome = check_text(BATCH.format(reg=reg), "t.txt", timeout=None)
    assert outcome.line_verdicts() == {1: "verified", 2: "verified", 3: "verified", 4: verdict}


# --- fault 5: the one-hot vector of the label, and the sigmoid's names -------------------------------

SOFTMAX = "Softmax cross-entropy: p = softmax(s), L = -log p_y\n{line}\n"


@pytest.mark.parametrize("line, verdict", [
    ("dL/ds = p - onehot(y)", "verified"), ("dL/ds = p - one_hot(y)", "verified"),
    ("dL/ds = p - one-hot(y)", "verified"), ("dL/ds = p - \\mathrm{onehot}(y)", "verified"),
    ("dL/ds = p - e_y", "verified"), ("dL/ds = onehot(y) - p", "wrong"), ("dL/ds = p + one_hot(y)", "wrong"),
])
def test_onehot_of_the_label_is_its_one_hot_vector(line, verdict):
    outcome = check_text(SOFTMAX.format(line=line), "t.txt", timeout=None)
    assert outcome.line_verdicts() == {1: "verified", 2: verdict}


@pytest.mark.parametrize("head, sigmoids, argument", [
    ("σ(x)", set(), "x"), ("\\sigma'(x)", set(), "x"), ("s(x)", {"s"}, "x"), ("s(x)", set(), None),
    ("f(x, y)", {"f"}, None), ("z", set(), None),
])
def test_the_argument_of_the_sigmoid_in_a_formula_head(head, sigmoids, argument):
    assert function_argument(head, sigmoids) == argument


LOGISTIC_NAMES = ("Logistic regression: x is the input vector and w the weight vector.\n"
                  "σ(x) = 1/(1 + e^(-x)) and σ'(x) = {derivative}\n"
                  "z = w^T x and p = σ(z)\nL = -[t log p + (1 - t) log(1 - p)]\ndL/dw = {gradient}\n")


@pytest.mark.parametrize("derivative, gradient, verdicts", [
    ("σ(x)(1 - σ(x))", "(p - t) x", {2: "verified", 3: "verified", 4: "verified", 5: "verified"}),
    ("σ(x)(1 + σ(x))", "(p - t) x", {2: "wrong", 3: "verified", 4: "verified", 5: "verified"}),
    ("σ(x)(1 - σ(x))", "(p - t) w", {2: "verified", 3: "verified", 4: "verified", 5: "wrong"}),
])
def test_sigma_of_the_input_letter_and_p_one_number(derivative, gradient, verdicts):
    outcome = check_text(LOGISTIC_NAMES.format(derivative=derivative, gradient=gradient), "t.txt", timeout=None)
    assert outcome.line_verdicts() == verdicts


def test_s_the_sigmoid_beside_s_the_score():
    text = ("Logistic regression with scores s = w^T x.\nThe sigmoid is s(x) = 1/(1 + exp(-x)).\n"
            "p = s(s) and L = -[t log p + (1 - t) log(1 - p)]\ndL/ds = {slope}\n")
    assert check_text(text.format(slope="p - t"), "t.txt", timeout=None).line_verdicts() == \
        {1: "verified", 2: "verified", 3: "verified", 4: "verified"}
    assert check_text(text.format(slope="t - p"), "t.txt", timeout=None).line_verdicts()[4] == "wrong"
