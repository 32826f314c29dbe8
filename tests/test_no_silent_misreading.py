"""Numbers written side by side are never read as a product, and NumPy-printed vectors inside YAML lists are
read as vectors (found by grading a held-out TA corpus: '2 3' was graded as 6, '1.81.5' as 1.81 x 0.5, and
an unquoted YAML [0.08 0.60 0.02 0.30] as the product of its four numbers)."""
import pytest
import sympy

from derivations.check import sheet as sheets
from derivations.check.grade import grade_sheet
from derivations.parse import ParseError
from derivations.parse import parse_expression as parse_answer


@pytest.mark.parametrize("text", ["2 3", "1.81.5", "0.08 0.60", "2 3 x", "-1 0 1", "1e-3 2"])
def test_two_numbers_side_by_side_are_refused(text):
    with pytest.raises(ParseError, match="two numbers side by side"):
        parse_answer(text)


@pytest.mark.parametrize("text, value", [("(2)(3)", 6), ("2 x", "2*x"), ("2*3", 6), ("2 (3)", 6), ("0.5", "1/2")])
def test_products_that_are_written_as_products_stay(text, value):
    assert sympy.simplify(parse_answer(text) - sympy.sympify(value, locals={"x": sympy.Symbol("x", real=True)})) == 0


def _grade(yaml_text):
    return grade_sheet(sheets.parse(yaml_text, "t"))


def test_numpy_printed_vector_in_an_unquoted_yaml_list_is_a_vector():
    result = _grade("""
given: {scores: [0.5, 2.5, -1, 1.8], label: 0, delta: 1}
items:
  - {id: p, quantity: softmax.probs, answer: [0.08142339 0.60164201 0.01816801 0.29876658]}
  - {id: n, quantity: svm.loss, answer: '2 3'}
""")
    verdicts = {item.id: item.verdict for item in result.items}
    assert verdicts == {"p": "correct", "n": "invalid"}


def test_numpy_printed_rows_in_an_unquoted_yaml_matrix_are_rows():
    result = _grade("""
given: {X: [[1, 2], [0.5, -1]], y: [0, 1], W: [[0.8, -0.75], [0.1, 0.2]], reg: 0, reg_form: full}
items:
  - {id: s, quantity: svm.scores, answer: [[1 -0.35], [0.3 -0.575]]}
  - {id: w, quantity: svm.scores, answer: [[1 -0.35], [0.3 -0.5]]}
""")
    verdicts = {item.id: item.verdict for item in result.items}
    assert verdicts == {"s": "correct", "w": "partially-correct"}
