"""The shortcuts the batch grader takes to SymPy's numbers give exactly what SymPy's own constructors give, and a
batch's forms evaluated by one shared evaluator have the values a fresh evaluator gives them."""
import random
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
import sympy

from derivations.check import judge
from derivations.check.exact_arrays import DIGITS, ExactEvaluator, as_matrix, as_sympy
from derivations.check.families import batch as family
from derivations.check.numeric import read_number, to_float
from derivations.check.registry import Given


def sympy_matrix(array):
    """What SymPy makes of the entries (the construction as_matrix replaces)."""
    array = np.atleast_2d(np.asarray(array, dtype=object))
    return sympy.ImmutableMatrix(array.shape[0], array.shape[1], [as_sympy(v) for v in array.flat])


def obj(rows):
    return np.array(rows, dtype=object)


@pytest.mark.parametrize("array", [
    obj([[Fraction(1, 2), Fraction(0)], [Fraction(3), 0]]),
    obj([[Fraction(2), 1], [0, 0]]),
    obj([[Fraction(-7, 40), Fraction(3, 8), Fraction(1, 3)]]),
    obj([Fraction(1, 7), Fraction(-2, 3)]),
    Fraction(5, 3),
    obj([[0, 0]]),
    obj([[np.int64(3), Fraction(-1, 2)]]),
    obj([[Decimal("0.1234567"), Fraction(1, 3)], [Fraction(0), Decimal(0)]]),
    obj([[Decimal("0.5"), Decimal("-0E-5")], [Fraction(0), Decimal("2")]]),
])
def test_as_matrix_is_the_matrix_sympy_makes(array):
    mine, theirs = as_matrix(array), sympy_matrix(array)
    assert mine == theirs and theirs == mine and hash(mine) == hash(theirs)
    assert mine.args == theirs.args and sympy.srepr(mine) == sympy.srepr(theirs)
    assert [type(v) for v in mine] == [type(v) for v in theirs]
    assert mine._rep == theirs._rep and mine._rep.domain == theirs._rep.domain
    assert mine.T == theirs.T and 2 * mine == 2 * theirs
    assert judge._entries_of(mine) == list(theirs)


def test_a_decimal_becomes_the_float_sympy_parses():
    rng = random.Random(5)
    with localcontext() as context:
        context.prec = DIGITS
        values = [Decimal(rng.uniform(-9, 9)).exp() / Decimal(rng.randint(1, 999)) * rng.choice([-1, 1])
                  for _ in range(3000)]
        values += [Decimal(rng.randint(-10 ** 6, 10 ** 6)) / Decimal(rng.randint(1, 10 ** 6)) for _ in range(1000)]
    values += [Decimal(0), Decimal("-0"), Decimal("0E-10"), Decimal(3), Decimal("1E+3"), Decimal("-2.5"),
               Decimal("1e-300"), Decimal("1e-500"), Decimal("5e400")]
    for value in values:
        mine, theirs = as_sympy(value), sympy.Float(str(value), DIGITS)
        assert (mine._mpf_, mine._prec, type(mine)) == (theirs._mpf_, theirs._prec, type(theirs)), value
        assert to_float(mine) == float(theirs)


def test_a_written_decimal_is_read_as_rational_would_read_its_text():
    rng = random.Random(3)
    texts = ["0", "-0", "0.0", "-0.000", "2", "2.0", "1.5e3", "1.5E+3", "-3.38e-48", "1e2", "12e-2", "0.04489",
             "123456789012345678901234567890.5", "-7e+5", ".5", "5."]
    texts += [f"{rng.uniform(-100, 100):.{rng.randint(0, 8)}f}" for _ in range(500)]
    texts += [f"{rng.uniform(-1, 1):.{rng.randint(1, 6)}e}" for _ in range(500)]
    for text in texts:
        written = read_number(text)
        mine, theirs = judge._exact(written), sympy.Rational(str(written.value))
        assert mine == theirs and type(mine) is type(theirs), text
        assert read_number(text) is written or read_number(text) == written


def test_one_evaluator_serves_both_losses_and_both_reg_forms_with_a_fresh_evaluators_values():
    raw = {"X": [[1.5, 0.9, 0.8], [1.7, -0.8, -0.9], [-1.4, 0.8, -0.1]], "y": [0, 2, 1],
           "W": [[0.9, 0.2, 0.4], [1.0, 0.9, 1.0], [-0.5, 0.9, -1.0]], "reg": 0.05}
    numbers = {(loss, form): family.numbers(loss, Given.read(dict(raw, reg_form=form)))
               for loss in ("svm", "softmax") for form in ("full", "half")}
    assert len({id(n.evaluator) for n in numbers.values()}) == 1
    for (loss, form), shared in numbers.items():
        fresh = family._new_evaluator(loss, Given.read(dict(raw, reg_form=form)))
        assert isinstance(fresh, ExactEvaluator) and fresh is not shared.evaluator
        for expr in (shared.dW_form(), shared.loss_form()):
            assert as_matrix(shared.value(expr)) == as_matrix(fresh.value(expr)), (loss, form, expr)
    # the SVM's loss with another Delta (a mistake's numbers): its own evaluator, its own values
    svm = numbers[("svm", "full")]
    other = family.BatchNumbers("svm", svm.given, delta=0, base=svm)
    fresh = family._new_evaluator("svm", svm.given, delta=0)
    assert other.evaluator is not svm.evaluator
    assert other.value(other.loss_form()) == fresh.value(other.loss_form()) != svm.value(svm.loss_form())
