"""The verifier catches wrong steps, including the subtle ones around kinks."""
import pytest
import sympy
from sympy import Eq, Heaviside, Max, Ne

from derivations import rules as R
from derivations.differentiate import d
from derivations.notation import Delta, L, SumExcept, indicator, j, k, s, y, z
from derivations.steps import Step
from derivations.verify import Verifier, VerificationError, final_check

LOSS = SumExcept(Max(0, s[j] - s[y] + Delta), j, y)


def verifier():
    return Verifier({L: LOSS})


def test_a_correct_case_result_verifies():
    step = Step(d(L, s[k]), indicator(s[k] - s[y] + Delta), R.KroneckerCollapse(j, k))
    verifier().stamp(step, (Ne(k, y),))
    assert step.verified and step.verification.method == "instantiated"


def test_an_injected_wrong_step_is_caught():
    wrong = Step(d(L, s[k]), 2 * indicator(s[k] - s[y] + Delta), R.KroneckerCollapse(j, k))
    with pytest.raises(VerificationError):
        verifier().stamp(wrong, (Ne(k, y),))
    assert wrong.verification.ok is False


def test_a_constant_one_does_not_pass_for_an_indicator():
    """Kink coverage: both sides of the hinge are sampled, so 1 != 1[m > 0] is found."""
    wrong = Step(d(L, s[k]), sympy.S.One, R.KroneckerCollapse(j, k))
    with pytest.raises(VerificationError):
        verifier().stamp(wrong, (Ne(k, y),))


def test_the_wrong_case_formula_is_caught():
    """The incorrect-class formula used for the correct class fails."""
    wrong = Step(d(L, s[k]), indicator(s[k] - s[y] + Delta), R.CaseAssumption(Eq(k, y)))
    with pytest.raises(VerificationError):
        verifier().stamp(wrong, (Eq(k, y),))


def test_dropping_the_max_is_caught():
    wrong = Step(L, SumExcept(s[j] - s[y] + Delta, j, y), R.Definition(L, LOSS))
    with pytest.raises(VerificationError):
        verifier().stamp(wrong)


def test_a_wrong_symbolic_step_is_caught():
    wrong = Step(d(sympy.log(1 + sympy.exp(-z)), z), sympy.exp(-z) / (1 + sympy.exp(-z)), R.LogRule(z, z))
    with pytest.raises(VerificationError):
        Verifier().stamp(wrong)


def test_equivalence_catches_strict_versus_non_strict():
    v = Verifier()
    good = v.check_equivalence(Eq(Max(0, s[j] - s[y] + Delta), 0), sympy.Ge(s[y], s[j] + Delta))
    bad = v.check_equivalence(Eq(Max(0, s[j] - s[y] + Delta), 0), sympy.Gt(s[y], s[j] + Delta))
    assert good.ok and not bad.ok


def test_final_check_against_sympy_and_finite_differences():
    right = final_check(LOSS, indicator(s[k] - s[y] + Delta), s[k], conditions=(Ne(k, y),))
    wrong = final_check(LOSS, Heaviside(s[k] - s[y], 0), s[k], conditions=(Ne(k, y),))
    assert right.ok and right.points > 20 and right.max_relative_error < 1e-6
    assert not wrong.ok
