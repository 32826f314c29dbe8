"""derive verify on writing it had not seen (issue 18, fourth round): each file in tests/data/written_dev4
with each mathematical line's verdict and the exit status recorded by hand before the fix (verdicts.yaml).

Every line recorded correct is verified (read and not called wrong), every planted slip is wrong at its
line, and the exit status is the one recorded.
"""

import pytest

from derivations.check.written import check_text
from derivations.check.written.reader import claims_derivative
from derivations.check.written.running import segments

from .recorded_corpus import DATA, recorded_corpus_tests

RECORDED, outcomes, test_every_line_gets_its_recorded_verdict, test_the_exit_status_is_the_one_recorded = \
    recorded_corpus_tests("written_dev4")
CORPUS = DATA / "written_dev4"


# --- a case written before its formula on the same line --------------------------------------------

@pytest.mark.parametrize("line, formula", [
    ("For j != y_i: dL_i/dw_j = x_i", "dL_i/dw_j = x_i \\text{ for } j != y_i"),
    ("For j != y_i, dL_i/dw_j = x_i", "dL_i/dw_j = x_i \\text{ for } j != y_i"),
    ("When j = y_i: dL_i/dw_j = -x_i", "dL_i/dw_j = -x_i \\text{ when } j = y_i"),
    ("Case k = y_i: dL_i/ds_k = p_k - 1", "dL_i/ds_k = p_k - 1 \\text{ for } k = y_i"),
    ("If u > 0: dh/du = 1", "dh/du = 1 \\text{ if } u > 0"),
])
def test_a_leading_case_is_the_condition_of_the_formula_after_it(line, formula):
    assert [s.text for s in segments(line) if s.kind == "maths"] == [formula]


def test_values_after_at_stay_apart():
    assert [s.text for s in segments("evaluated at x = -2, y = 5") if s.kind == "maths"] == ["x = -2", "y = 5"]


def test_the_case_restricts_its_own_line_only():
    text = ("p_k = exp(s_k) / sum_j exp(s_j)\nL_i = -log(p_{y_i})\n"
            "For k != y_i: dL_i/ds_k = p_k\n"
            "dL_i/ds_k = p_k - 1(k = y_i)\n")
    outcome = check_text(text, "t.txt", timeout=None)
    assert outcome.line_verdicts() == {1: "verified", 2: "verified", 3: "verified", 4: "verified"}
    assert [e.conditions for e in outcome.entries if e.source_line == 4] == [""]


def test_an_equation_of_derivatives_after_when_is_not_read_and_not_counted():
    text = "Let $L = x^2$. The loss is flat when $\\frac{dL}{dx} = 2x + 1$.\n"
    outcome = check_text(text, "t.md", timeout=None)
    assert outcome.line_verdicts() == {1: "unread"}
    assert outcome.status == 3


@pytest.mark.parametrize("text, claims", [
    ("dL_i/dw_j = x_i", True), ("\\frac{\\partial L}{\\partial w} = x", True), ("\\nabla_w L = x", True),
    ("j \\neq y_i", False), ("s_j = w_j^T x_i", False), ("d = 3", False),
])
def test_an_equation_of_derivatives_is_a_claim(text, claims):
    assert claims_derivative(text) is claims


def test_a_markdown_case_before_its_formula_restricts_that_line_only():
    text = ("With $p_i = \\frac{e^{s_i}}{\\sum_k e^{s_k}}$:\n\n"
            "For $i \\neq j$: $\\frac{\\partial p_i}{\\partial s_j} = -p_i p_j$.\n\n"
            "$$\\frac{\\partial p_i}{\\partial s_j} = p_i (\\delta_{ij} - p_j)$$\n")
    outcome = check_text(text, "t.md", timeout=None)
    assert outcome.line_verdicts() == {1: "verified", 3: "verified", 5: "verified"}
    assert [e.conditions for e in outcome.entries if e.source_line in (3, 5)] == ["i ≠ j", ""]


def test_reg_between_operators_is_maths_and_a_new_problem_starts_a_part():
    from derivations.check.written.context import is_part_start
    line = "L = -(1/N) sum_n log P_{n,y_n} + reg * sum_d sum_k W_dk^2"
    assert [(s.kind, s.text) for s in segments(line)] == [("maths", line)]
    assert is_part_start("New problem: a batch X (N x D), scores")
    assert not is_part_start("The problem is that the scores overflow")


def test_words_inside_brackets_stay_words():
    line = "gradient in index form (delta = 1, regularization strength reg)"
    assert [(s.kind, s.text) for s in segments(line)] == [
        ("words", "gradient in index form"), ("maths", "delta = 1"), ("words", "regularization strength reg")]
    assert [(s.kind, s.text) for s in segments("the true class is cat (y = 0).")] == [
        ("words", "the true class is cat"), ("maths", "y = 0")]


def test_a_dot_between_two_subscripted_names_in_plain_text_is_a_dot_product_of_vectors():
    from derivations.check.written.context import vector_family_letters
    assert vector_family_letters("s_j = x_i . w_j") == {"x", "w"}
    assert vector_family_letters("-y_T \\cdot y_k") == set()


def test_a_shape_said_in_words_is_read():
    from derivations.check.written.context import stated_shapes
    assert stated_shapes("X is N x D with rows x_i, W is D x K with columns w_j.") == [("X", "N", "D"), ("W", "D", "K")]
    assert stated_shapes("W is a D by K matrix") == [("W", "D", "K")]
    assert stated_shapes("It is N x D") == []


@pytest.mark.parametrize("written, meaning", [
    ("\\sum_{d,c} W_{dc}^2", "R = Σ_{c=0..K - 1, d=0..D - 1} W_{d,c}^2"),
    ("\\sum_{j,k} s_j s_k", "R = Σ_{k=0..K - 1, j=0..K - 1} s_{j}·s_{k}"),
    ("\\sum_{n,j} M_{nj}", "R = Σ_{j=0..K - 1, n=0..N - 1} M_{n,j}"),
])
def test_a_sum_over_two_indices_sums_over_both(written, meaning):
    outcome = check_text(f"$$R = {written}$$\n", "t.md", timeout=None)
    assert outcome.line_verdicts() == {1: "verified"}
    assert [c.meaning for c in outcome.context if c.kind == "definition"] == [meaning]


def test_an_undefined_loss_inside_a_derivative_is_not_read():
    text = ("$$L = \\frac{1}{N}\\sum_{n=1}^{N} L_n + \\lambda \\sum_{d,c} W_{dc}^2$$\n\n"
            "$$\\frac{\\partial L}{\\partial W} = 2\\lambda W$$\n")
    outcome = check_text(text, "t.md", timeout=None)
    assert outcome.line_verdicts() == {1: "verified", 3: "unread"}
    assert "L" in next(e.verified_by for e in outcome.entries if e.source_line == 3)


def test_the_index_slip_is_named_on_the_side_that_holds_it():
    name = "dev4_13_svm_unicode.txt"
    outcome = check_text((CORPUS / name).read_text(encoding="utf-8"), name, timeout=None)
    wrong = [e for e in outcome.entries if e.source_line == 9 and e.verdict == "wrong"]
    assert [e.diagnosis for e in wrong] == ["index: xⱼ written where xᵢ makes the step hold"]


def test_a_value_stated_as_the_case_of_a_formula_is_put_in():
    text = ("a = σ(z)\nL = -[t log a + (1 - t) log(1 - a)]\n"
            "When t = 1 the gradient ∂L/∂z = a - 1 is negative.\n"
            "When t = 0 the gradient ∂L/∂z = a - 1 is negative.\n")
    outcome = check_text(text, "t.txt", timeout=None)
    assert outcome.line_verdicts() == {1: "verified", 2: "verified", 3: "verified", 4: "wrong"}
    assert [e.conditions for e in outcome.entries] == ["t = 1", "t = 0"]


def test_the_x_of_w_transposed_x_is_a_vector_and_z_n_is_one_number_per_example():
    from derivations.check.written.context import plain_vector_letters
    assert plain_vector_letters("z = w^T x + b, t_n, z_n, x_nd") == {"w", "x"}


@pytest.mark.parametrize("line, formula", [
    ("If u > 0 then dh/du = 1.", "dh/du = 1 \\text{ if } u > 0"),
    ("When u > 0 we get dh/du = 1", "dh/du = 1 \\text{ when } u > 0"),
    ("for u < 0 we have dh/du = 0", "dh/du = 0 \\text{ for } u < 0"),
])
def test_a_case_and_its_formula_joined_by_a_few_words(line, formula):
    assert [s.text for s in segments(line) if s.kind == "maths"] == [formula]


def test_the_value_otherwise_is_the_formula_in_the_other_case():
    found = [s.text for s in segments("dL/ds_k = p_k - 1 if k = y, and p_k otherwise") if s.kind == "maths"]
    assert found == ["dL/ds_k = p_k - 1 \\text{ if } k = y", "dL/ds_k = p_k \\text{ if } k != y"]
    found = [s.text for s in segments("dh/du = 1 if u > 0, and zero otherwise") if s.kind == "maths"]
    assert found[0] == "dh/du = 1 \\text{ if } u > 0"


@pytest.mark.parametrize("name", ["lead_relu_case_after_formula.txt", "lead_relu_otherwise.txt",
                                  "lead_svm_weights_case_colon.txt"])
def test_the_worker_process_reports_what_the_checker_decides(outcomes, name):
    """derive verify runs the check in a worker that sends each line as it is done: a verdict a later piece of
    the same line changes (a case stated after the formula) is sent again."""
    text = (CORPUS / name).read_text(encoding="utf-8")
    assert check_text(text, name).line_verdicts() == outcomes[name].line_verdicts()


def test_reg_w_for_two_reg_w_is_named():
    name = "dev4_03_svm_batch_index.txt"
    outcome = check_text((CORPUS / name).read_text(encoding="utf-8"), name, timeout=None)
    diagnoses = {e.source_line: e.diagnosis for e in outcome.entries if e.verdict == "wrong"}
    assert diagnoses[13].startswith("normalisation: the 1/N of the average over the batch is missing")
    assert diagnoses[17].startswith("regularizer: reg·W_{r,c} is half the gradient")
