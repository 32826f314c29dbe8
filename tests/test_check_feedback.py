"""derive check's feedback is words and maths (derivations/check/feedback.py): formulas, values and what a student
typed are segments the printers show in each format; the plain text of JSON, CSV and the terminal is the terminal
printer's rendering of the same paragraph, and the verdicts do not depend on it."""
import json

import pytest
import sympy

from derivations.check import report
from derivations.check.feedback import Code, Math, Quote, decimal, foreign, joined, plain, shown_text, words
from derivations.check.grade import grade_sheet
from derivations.check.sheet import parse
from derivations.engine.notation import Delta, j, k, p, s, y
from derivations.engine.steps import Text
from derivations.report.printing import latex, text

G0 = "given: {scores: [3, -1, 4], label: 0, delta: 1}\n"
BATCH = ("given: {X: [[1, 2], [0.5, -1], [-2, 1]], y: [0, 2, 1], W: [[0.2, -0.5, 0.1], [0.8, -0.75, 0.4]], "
         "reg: 0.1, reg_form: full}\n")


def graded(yaml_items, given=G0):
    return grade_sheet(parse(given + "items:\n" + yaml_items, "s.yaml"))


def one(quantity, answer, given=G0):
    return graded(f"  - id: q\n    quantity: {quantity}\n    answer: {answer}\n", given).items[0]


def maths(paragraph) -> list:
    return [segment.expr for segment in paragraph.segments if isinstance(segment, Math)]


# --- the model ---------------------------------------------------------------------------------------

def test_a_sentence_is_capitalised_and_ends_with_a_period_and_its_formulas_stay_formulas():
    said = joined(words("the margin is ", s[j] - s[y] + Delta), "", words("right to 3 significant figures."))
    assert plain(said) == "The margin is sⱼ - s_{yᵢ} + Δ. Right to 3 significant figures."
    assert maths(said) == [s[j] - s[y] + Delta]


def test_a_relation_between_two_formulas_is_one_formula():
    said = words("the correct class is ", y, " = ", sympy.Integer(0))
    assert maths(said) == [sympy.Eq(y, 0)] and plain(said) == "the correct class is yᵢ = 0"


@pytest.mark.parametrize("message", [
    "unknown name 'did'",
    "unexpected ',' after '[[0.268, -0.386,'",
    "Precision: sig_figs must be a whole number from 1 to 15, not 0",
    "unsupported LaTeX command \\lambda",
    "the Kronecker delta takes two indices, as in \\delta_{jk}",
    "'x2y' could be x2·y or x·2·y: write x2*y (or x2 y) for the name x2 times y, x*2*y for the product",
    "unknown quantity 'nope.x'; see derive check --list-quantities",
    "the item's answer, e.g. 3",
])
def test_a_message_of_another_layer_keeps_its_words_and_sets_what_is_typed_in_code(message):
    said = foreign(message)
    assert plain(said) == message                                    # JSON and the terminal read it as written
    typed = "".join(segment.text for segment in said.segments if isinstance(segment, Code))
    words_only = "".join(segment.text for segment in said.segments if isinstance(segment, Text))
    assert not set(words_only) & set("_\\^·*"), said                  # nothing typed is left among the words
    assert "e.g" not in typed and "item's" not in typed


def test_quoted_student_text_is_in_quotes_in_a_terminal_and_code_in_the_reports():
    from derivations.report.render import environment
    said = words("the words ", Quote("(hinge loss)"), " after the answer were ignored")
    assert plain(said) == "the words '(hinge loss)' after the answer were ignored"
    assert environment("markdown").filters["segments"](said) == "the words `(hinge loss)` after the answer were ignored"
    assert "\\texttt{(hinge loss)}" in environment("latex").filters["segments"](said)


@pytest.mark.parametrize("written, value, shown_as", [
    ("2.1270", sympy.Rational(2127, 1000), "2.1270"),
    ("-1.495", sympy.Rational(-1495, 1000), "-1.495"),
    ("3.37782e-48", sympy.Rational(337782, 10 ** 53), "3.37782e-48"),
    ("2", sympy.Integer(2), "2"),
    ("-0.000", sympy.Integer(0), "0"),
])
def test_a_decimal_is_shown_with_the_digits_written(written, value, shown_as):
    number = decimal(written)                      # for the printers: the value to the digits written, no more
    assert text(number) == shown_as and latex(number).replace(" \\cdot 10^{-48}", "e-48") == shown_as
    assert abs(float(number) - float(value)) <= 1e-3 * abs(float(value))


def test_the_numbers_the_grader_writes_are_read_back_for_the_printers():
    matrix = shown_text("[[1.5, 1.5, -3], [-2, -2, 4]]")
    assert matrix.shape == (2, 3) and [float(v) for v in matrix] == [1.5, 1.5, -3, -2, -2, 4]
    assert latex(matrix) == "\\begin{bmatrix}1.5 & 1.5 & -3\\\\-2 & -2 & 4\\end{bmatrix}"
    assert shown_text("[0.268, 0.005, 0.727]").shape == (1, 3)
    assert text(shown_text("[0.710, 0.096, 0.194]")) == "[0.710, 0.096, 0.194]"    # its last 0 kept
    assert shown_text("𝟙[sₖ - s_{yᵢ} > 0]") is None and shown_text("[[1], [2, 3]]") is None


# --- the grader's feedback ----------------------------------------------------------------------------

def test_a_formula_answer_is_told_the_formula_it_is_not_equivalent_to():
    item = one("softmax.dscore_incorrect", "'e^{s_k}'")
    assert item.verdict == "incorrect" and item.diagnosis == "unnormalised-softmax"
    assert p[k] in maths(item.message) and sympy.exp(s[k]) in maths(item.message)
    assert item.feedback == plain(item.message)
    assert item.feedback.startswith("Not equivalent to pₖ. Likely mistake: exp(sₖ) was used for pₖ, without dividing")


def test_numbers_in_the_feedback_are_the_values_expected_and_read():
    item = one("svm.loss", "3")
    assert (item.verdict, item.diagnosis) == ("incorrect", "kept-correct-term")
    assert maths(item.message)[:2] == [sympy.Integer(2), sympy.Integer(3)]
    assert item.feedback.startswith("Expected 2, read 3. Likely mistake: the j = yᵢ term was kept in the sum")


def test_the_reading_notes_name_what_was_typed():
    assert one("softmax.loss", "'np.float64(1.3182)'").feedback.startswith("Read the numbers inside NumPy's "
                                                                          "float64(...).")
    item = one("softmax.loss", "'L_i ≈ 1.318'")
    assert item.feedback.startswith("'L_i ≈' before the answer was ignored; ≈ read as =.")
    assert any(isinstance(segment, Quote) and segment.text == "L_i ≈" for segment in item.message.segments)


def test_a_matrix_in_the_feedback_stands_on_its_own_line_and_an_expected_matrix_is_left_to_the_table():
    item = one("svm.dW", "[[-0.8, 1.4, -0.6], [-0.5, -1.15, 1.7]]", BATCH)
    assert item.verdict == "incorrect" and item.rule == "too-few-figures"
    displayed = [segment for segment in item.message.segments if isinstance(segment, Math) and segment.display]
    assert len(displayed) == 1 and displayed[0].expr.shape == (2, 3)              # the matrix to 3 figures
    assert "(expected" not in item.feedback and "3 are needed: [[-0.79, 1.40, -0.65], [-0.51, -1.15, 1.75]]" \
        in item.feedback


def test_the_penalty_is_written_as_a_formula():
    item = one("svm.loss", "1.567", BATCH)
    assert item.diagnosis == "reg-left-out"
    assert "the penalty λ·Σ_{d,c} W_{d,c}² was left out" in item.feedback
    assert "\\lambda \\sum_{d,c} W_{d,c}^{2}" in latex(maths(item.message)[-1])


# --- the reports ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sheet():
    return [graded("  - {id: F, quantity: softmax.dscore_incorrect, answer: 'e^{s_k}'}\n"
                   "  - {id: L, quantity: softmax.loss, answer: 'np.float64(1.3182)'}\n"
                   f"  - id: B\n    quantity: svm.loss\n    given: {BATCH[7:].strip()}\n    answer: 2.733\n"
                   f"  - id: W\n    quantity: svm.dW\n    given: {BATCH[7:].strip()}\n"
                   "    answer: [[-0.8, 1.4, -0.6], [-0.5, -1.15, 1.7]]\n")]


def test_the_markdown_report_typesets_the_feedback(sheet):
    markdown = report.render(sheet, "markdown")
    assert "Not equivalent to $p_{k}$. Likely mistake: $e^{s_{k}}$ was used for $p_{k}$" in markdown
    assert "Read the numbers inside NumPy's `float64(...)`." in markdown
    assert "3 are needed: \n\n$$\n\\begin{bmatrix}-0.79 & 1.40 & -0.65\\\\-0.51 & -1.15 & 1.75\\end{bmatrix}\n$$" \
        in markdown
    assert "| B | `svm.loss` | incorrect | $2.733$ | $1.73292$ |" in markdown       # the value, never a formula


def test_the_latex_report_typesets_the_feedback(sheet):
    document = report.render(sheet, "latex")
    assert "Not equivalent to $p_{k}$. Likely mistake: $e^{s_{k}}$ was used for $p_{k}$" in document
    assert "NumPy's \\texttt{float64(...)}" in document
    assert "\\fitcell{2.733} & \\fitcell{1.73292}" in document
    assert "\\[\\begin{bmatrix}-0.79 & 1.40 & -0.65\\\\-0.51 & -1.15 & 1.75\\end{bmatrix}\\]" in document


def test_json_and_csv_keep_plain_feedback_and_the_verdicts(sheet):
    data = json.loads(report.render(sheet, "json"))
    items = data["sheets"][0]["items"]
    assert [i["verdict"] for i in items] == ["incorrect", "correct", "incorrect", "incorrect"]
    assert items[0]["feedback"] == sheet[0].items[0].feedback and isinstance(items[0]["feedback"], str)
    assert items[2]["expected"] == "1.73292" and items[2]["read_as"] == "2.733"
    assert "exp(sₖ) was used for pₖ" in report.render(sheet, "csv")
