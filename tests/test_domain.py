"""The verifier samples inside the domain of every function it meets, and says so when it cannot."""
import random

import pytest
import sympy
from sympy import Symbol, log, sqrt

from derivations.engine.evaluate import Instance, OutsideDomain, evaluate
from derivations.engine.verify import Verifier
from derivations.engine.verify.comparison import MIN_VALID_POINTS, check_numerically, compare_at
from derivations.engine.verify.domain import (
    DOMAIN_CLEARANCE,
    DomainSampler,
    describe_domain,
    domain_conditions,
    never_real,
    window,
)
from derivations.engine.verify.instances import Instances, Sample
from derivations.engine.verify.sampling import Sampler

x = Symbol("x", real=True)
y = Symbol("y", real=True)


def test_conditions_of_each_function():
    found = {(str(c.expr), c.relation) for c in domain_conditions(
        log(x - 1) + sqrt(y) + 1 / x + sympy.asin(y) + sympy.acosh(x) + sympy.tan(x))}
    assert found == {("x - 1", ">"), ("y", ">"), ("x", "!="), ("1 - y**2", ">"), ("x - 1", ">"), ("cos(x)", "!=")}


def test_conditions_that_always_hold_are_left_out_and_those_never_real_found():
    assert domain_conditions(log(1 + sympy.exp(-x)) + sqrt(x ** 2 + 1) + 2 ** x) == ()
    assert str(never_real(domain_conditions(log(-2 - x ** 2))).expr) == "-x**2 - 2"
    assert never_real(domain_conditions(Symbol("z", positive=True) ** x)) is None


def test_log_conditions_are_simplified_to_intervals():
    (clause,) = describe_domain(domain_conditions(log(log(x))))
    assert [str(r) for r in clause[0]] == ["x > 1"]


def test_window_next_to_the_edge_of_a_far_domain():
    assert window(sympy.Interval.open(1000, sympy.oo), 3.0) == [(1000.0, 1006.0)]
    assert window(sympy.Interval.open(-1, 1), 3.0) == [(-1.0, 1.0)]
    assert window(sympy.Interval.open(0, sympy.oo), 3.0) == [(0.0, 3.0)]


def test_points_are_drawn_inside_the_domain_with_clearance():
    conditions = domain_conditions(log(x - 1000) + sqrt(y - x + 1003))
    sampler = DomainSampler(Sampler(random.Random(1)), conditions)
    instance = Instance({})
    points = [sampler.draw(instance, {x, y}) for _ in range(20)]
    assert all(p is not None for p in points)
    assert all(p[x] - 1000 > DOMAIN_CLEARANCE and p[y] - p[x] + 1003 > DOMAIN_CLEARANCE for p in points)


def test_an_empty_or_tiny_domain_gives_no_point():
    sampler = DomainSampler(Sampler(random.Random(1)), domain_conditions(sqrt(sympy.Rational(1, 1000) - x ** 2)))
    assert sampler.draw(Instance({}), {x}) is None


def test_a_real_power_of_a_negative_number_is_outside_the_domain_not_complex():
    with pytest.raises(OutsideDomain):
        evaluate(sqrt(x), {x: -4.0})
    sample = Sample((), {}, Instance({}))
    skipped = []
    count, mismatch, _ = compare_at(sample, sqrt(x) + sqrt(x), 2 * sqrt(x), [{x: -4.0}, {x: 4.0}], skipped)
    assert (count, mismatch, skipped) == (1, None, [{x: -4.0}])


def test_a_check_with_too_few_points_is_undecided_never_verified():
    verification = check_numerically(sqrt(sympy.Rational(1, 1000) - x ** 2), sqrt(sympy.Rational(1, 1000) - x ** 2)
                                     + 0 * x, (), (), instances=Instances(), sampler=Sampler(random.Random(2)),
                                     base_points=4)
    assert not verification.ok and verification.undecided
    assert "no point" in verification.detail or "only" in verification.detail
    assert MIN_VALID_POINTS == 3


def test_a_wrong_step_inside_the_domain_is_still_refuted():
    verifier = Verifier(seed=5)
    wrong = verifier.check(sympy.Derivative(log(x - 5), x), 1 / (x - 4))
    assert not wrong.ok and not wrong.undecided
    right = verifier.check(sympy.Derivative(sqrt(x - 5), x), 1 / (2 * sqrt(x - 5)))
    assert right.ok
