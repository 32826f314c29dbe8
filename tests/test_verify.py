"""The verifier catches wrong steps, including the subtle ones around kinks."""
import pytest
import sympy
from sympy import Eq, Heaviside, Max, Ne

from derivations.engine import rules as R
from derivations.engine.differentiate import d
from derivations.engine.notation import Delta, L, SumExcept, indicator, j, k, s, y, z
from derivations.engine.steps import Step
from derivations.engine.verify import VerificationError, Verifier, final_check

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


# --- counts other than K, indexed names of any rank, derivatives by a defined name -------------------

def test_a_sum_over_the_feature_count_is_instantiated():
    """z = sum_{d < D} w_d x_d: D is set to 2..5 like K; dz/dw_j = x_j holds and 2 x_j does not."""
    from derivations.engine.notation import D, w, x
    f = sympy.Symbol("d", integer=True)
    total = sympy.Sum(w[f] * x[f], (f, 0, D - 1))
    checker = Verifier({z: total})
    right = checker.check(d(z, w[j]), x[j])
    assert right.ok and right.method == "instantiated" and "D = 2..5" in right.detail
    assert not checker.check(d(z, w[j]), 2 * x[j]).ok
    assert not checker.check(total, sympy.Sum(w[f] * x[f], (f, 0, D - 2))).ok      # one term short


def test_two_counts_take_different_values():
    """With D and N in one step they differ (D = n, N = n + 1), so a sum up to the wrong count is caught."""
    from derivations.engine.notation import D, N, w
    f = sympy.Symbol("d", integer=True)
    checker = Verifier()
    assert not checker.check(sympy.Sum(w[f], (f, 0, D - 1)), sympy.Sum(w[f], (f, 0, N - 1))).ok
    same = checker.check(sympy.Sum(w[f], (f, 0, D - 1)) + N, sympy.Sum(w[f], (f, 0, D - 1)) + N)
    assert same.ok


def test_an_indexed_name_with_two_indices():
    """x^(n)_d: every pair of indices gets its own random value."""
    from derivations.engine.notation import D, N, PerExample, w
    X = PerExample("x", real=True)
    f, n = sympy.Symbol("d", integer=True), sympy.Symbol("n", integer=True)
    double = sympy.Sum(sympy.Sum(w[f] * X[n, f], (f, 0, D - 1)), (n, 0, N - 1))
    checker = Verifier()
    assert checker.check(sympy.diff(double, w[j]), sympy.Sum(X[n, j], (n, 0, N - 1))).ok
    assert not checker.check(sympy.diff(double, w[j]), sympy.Sum(X[n, n], (n, 0, N - 1))).ok


def test_a_derivative_with_respect_to_a_defined_name():
    """dL/dy holds y as the variable even though y := sigma(z); the chain rule through it verifies."""
    from derivations.engine.notation import Sigmoid, sigmoid, t
    Y, LCE = sympy.Symbol("y", real=True), sympy.Symbol("L_CE", real=True)
    loss = -t * sympy.log(Y) - (1 - t) * sympy.log(1 - Y)
    checker = Verifier({LCE: loss, Y: Sigmoid(z), Sigmoid: sigmoid})
    assert checker.check(d(LCE, Y), -t / Y + (1 - t) / (1 - Y)).ok
    assert checker.check(d(LCE, z), d(LCE, Y) * d(Y, z)).ok
    assert checker.check(d(LCE, z), Y - t).ok
    assert not checker.check(d(LCE, z), d(LCE, Y)).ok                     # the sigmoid's factor dropped
    assert not checker.check(d(LCE, Y), Y - t).ok
