"""Grading logistic-regression formulas: y = sigma(z) known to the verifier, mistakes from the encoded loss."""
import pytest
import sympy
from sympy import log

from derivations.check.families.logistic import _logistic_case
from derivations.check.grade import grade_sheet
from derivations.check.quantities import lookup
from derivations.check.registry import Given
from derivations.check.sheet import parse
from derivations.engine.notation import j, t, x
from derivations.losses.logistic import Y


def one(quantity, answer):
    sheet = parse(f"items:\n  - id: q\n    quantity: {quantity}\n    answer: {answer}\n", "s.yaml")
    return grade_sheet(sheet).items[0]


@pytest.mark.parametrize("answer", [
    "'(y - t) x_j'",
    "'x_j (y - t)'",
    "'(\\sigma(z) - t) x_j'",
    "'\\frac{x_j}{1 + e^{-z}} - t x_j'",
    "'y x_j - t x_j'",
    "'(y - t) \\cdot x_k'",                      # another name for the weight's index
    "'-(t - y) x_j'",
    "'\\left(-\\frac{t}{y} + \\frac{1 - t}{1 - y}\\right) y (1 - y) x_j'",   # the chain not yet multiplied out
])
def test_dw_correct_forms(answer):
    item = one("logistic.dw", answer)
    assert item.verdict == "correct", item.feedback
    assert item.score == 1.0 and item.diagnosis is None


@pytest.mark.parametrize("answer", ["'y - t'", "'\\sigma(z) - t'", "'-t + \\frac{1}{1 + e^{-z}}'"])
def test_dz_correct_forms(answer):
    assert one("logistic.dz", answer).verdict == "correct"


@pytest.mark.parametrize("answer, tag", [
    ("'(t - y) x_j'", "sign-flipped-gradient"),
    ("'(t - \\sigma(z)) x_j'", "sign-flipped-gradient"),
    ("'y - t'", "missing-input"),
    ("'\\sigma(z) - t'", "missing-input"),
    ("'\\left(-\\frac{t}{y} + \\frac{1 - t}{1 - y}\\right) x_j'", "missing-sigmoid-derivative"),
    ("'\\frac{(y - t) x_j}{\\ln 10}'", "log10"),
])
def test_dw_mistakes_are_diagnosed(answer, tag):
    item = one("logistic.dw", answer)
    assert item.verdict == "incorrect" and item.score == 0
    assert item.diagnosis == tag, item.feedback
    assert "Likely mistake" in item.feedback


def test_sign_flip_is_described():
    item = one("logistic.dw", "'(t - y) x_j'")
    assert "xⱼ·(t - y) instead of xⱼ·(y - t)" in item.feedback


@pytest.mark.parametrize("answer, tag", [
    ("'t - y'", "sign-flipped-gradient"),
    ("'-\\frac{t}{y} + \\frac{1 - t}{1 - y}'", "missing-sigmoid-derivative"),
    ("'(y - t) / \\ln(10)'", "log10"),
    ("'y (1 - y)'", "missing-loss-derivative"),                # dy/dz for dL/dz: the chain stops at the sigmoid
])
def test_dz_mistakes_are_diagnosed(answer, tag):
    item = one("logistic.dz", answer)
    assert item.verdict == "incorrect" and item.diagnosis == tag


@pytest.mark.parametrize("quantity, answer", [
    ("logistic.dw", "'x_j'"),
    ("logistic.dw", "'y x_j'"),
    ("logistic.dw", "'(y - t) x_j^2'"),
    ("logistic.dw", "'(y - t) y (1 - y) x_j'"),                 # the squared error's gradient
    ("logistic.dw", "'t - y'"),                                 # two mistakes at once: no single diagnosis
    ("logistic.dz", "'-t \\log y'"),
])
def test_unrelated_answers_are_rejected_without_a_false_diagnosis(quantity, answer):
    item = one(quantity, answer)
    assert item.verdict == "incorrect" and item.score == 0
    assert item.diagnosis is None, item.feedback


@pytest.mark.parametrize("answer", ["1", "0", "'-\\ln 2'"])
def test_a_number_is_not_a_formula(answer):
    item = one("logistic.dw", answer)
    assert (item.verdict, item.score) == ("incorrect", 0.0)      # a TA marks it wrong (issue 19), with the message
    assert item.feedback.startswith("A formula was expected") and item.rule == "wrong-kind"


def test_references_come_from_the_derivation():
    dw = lookup("logistic.dw").reference(Given())
    dz = lookup("logistic.dz").reference(Given())
    assert dw.expr == (Y - t) * x[j] and dz.expr == Y - t
    assert dw.derivation.name == "logistic-grad"
    assert set(dw.definitions) >= {Y}
    variants = {v.tag: v.expr for v in dw.variants}
    assert set(variants) == {"sign-flipped-gradient", "log10", "missing-sigmoid-derivative", "missing-input",
                             "missing-loss-derivative"}
    assert sympy.simplify(variants["sign-flipped-gradient"] - (t - Y) * x[j]) == 0
    assert sympy.simplify(variants["missing-input"] - (Y - t)) == 0
    assert sympy.simplify(variants["missing-sigmoid-derivative"] - (-t / Y + (1 - t) / (1 - Y)) * x[j]) == 0
    assert sympy.simplify(variants["log10"] - (Y - t) * x[j] / log(10)) == 0
    assert {v.tag for v in dz.variants} == {"sign-flipped-gradient", "log10", "missing-sigmoid-derivative",
                                            "missing-loss-derivative"}
    assert sympy.simplify(variants["missing-loss-derivative"] - Y * (1 - Y) * x[j]) == 0


def test_variants_follow_the_encoded_loss(monkeypatch):
    """References and variants come from the chain of the encoded loss, which must give the derivation's result:
    a different encoded loss no longer agrees with it, and the reference refuses to be built."""
    from derivations import logistic
    monkeypatch.setattr(logistic, "loss_expression", lambda prediction=Y, target=t: -target * log(prediction))
    with pytest.raises(RuntimeError, match="does not give the derivation's dloss_dw"):
        _logistic_case("dloss_dw")(Given())


def test_listed():
    from derivations.check.quantities import all_quantities
    names = [q.name for q in all_quantities()]
    assert "logistic.dw" in names and "logistic.dz" in names


def test_a_name_with_digits_is_one_name_never_a_silent_product():
    """x0 is x_0 (issue 22): '(y - t) x0' is read as (y - t) x_0, not (y - t)·x·0 = 0."""
    from derivations.parse import parse_expression
    assert parse_expression("(y - t) x0") == (sympy.Symbol("y", real=True) - t) * x[0]
    assert one("logistic.dw", "'(y - t) x0'").verdict == "incorrect"             # x_0 is not x_j
    unread = one("logistic.dw", "'(y - t) x2y'")
    assert unread.verdict == "invalid" and "x2·y" in unread.feedback and "x·2·y" in unread.feedback
