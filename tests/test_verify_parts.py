"""The verifier's parts, each on its own: instances, sampling, comparison, exact numbers, equivalence."""
import random

import sympy
from sympy import Eq, Heaviside, Max, Ne, exp, log

from derivations.engine.evaluate import Instance, concrete
from derivations.engine.notation import D, Delta, K, N, SumExcept, j, k, s, y
from derivations.engine.verify.comparison import check_numerically, compare_at, describe
from derivations.engine.verify.equivalence import check_equivalence
from derivations.engine.verify.exact import check_exact_numbers, exact_digits, symbolically_equal
from derivations.engine.verify.instances import Instances
from derivations.engine.verify.sampling import Sampler
from derivations.engine.verify.unknowns import integer_symbols, symbolic_counts


def test_index_choices_respect_the_case():
    instances = Instances(max_index_choices=10)
    choices = instances.index_choices({k, y}, 3, (Ne(k, y),))
    assert len(choices) == 6 and all(c[k] != c[y] for c in choices)
    assert instances.index_choices({k, y}, 3, (Eq(k, y),)) == [{k: 0, y: 0}, {k: 1, y: 1}, {k: 2, y: 2}]
    capped = Instances(max_index_choices=2).index_choices({k, y}, 4, (Ne(k, y),))
    assert len(capped) == 2 and capped[0] == {k: 0, y: 1}


def test_several_counts_take_different_sizes_and_samples_are_shared():
    instances = Instances(class_counts=(2, 3))
    samples = instances.samples_for(set(), (), (K, D, N))
    assert [(s_.env[K], s_.env[D], s_.env[N]) for s_ in samples] == [(2, 3, 4), (3, 4, 5)]
    assert instances.samples_for(set(), (), (K, D, N))[0] is samples[0]


def test_kink_point_lands_on_the_wanted_side():
    sampler = Sampler(random.Random(1))
    sample = Instances().samples_for({y}, (), (K,))[0]
    node = Max(0, s[j] - s[y] + Delta, evaluate=False)
    env = {**sample.env, j: 1}
    variables = sampler.variables((node.xreplace({j: 1}),), sample.env)
    for wanted in (True, False):
        point = sampler.kink_point(sample, node, env, wanted, variables)
        u = concrete(node.args[0] - node.args[1], env)       # the argument the evaluator records for a max
        assert (sample.evaluator.value(u, point) > 0) == wanted


def test_compare_at_finds_the_mismatch_and_records_kinks():
    sample = Instances().samples_for(set(), (), ())[0]
    z = sympy.Symbol("z", real=True)
    points = [{z: 1.5}, {z: -2.0}]
    count, mismatch, signs = compare_at(sample, Max(0, z, evaluate=False), z * Heaviside(z, 0), points)
    assert count == 2 and mismatch is None and {True, False} in [set(v) for v in signs.values()]
    count, mismatch, _ = compare_at(sample, Max(0, z, evaluate=False), z, points)
    assert count == 1 and mismatch[0] == {z: -2.0} and mismatch[1:] == (0.0, -2.0)


def test_numeric_check_covers_both_sides_of_each_kink_and_says_so():
    loss = SumExcept(Max(0, s[j] - s[y] + Delta, evaluate=False), j, y)
    written = SumExcept((s[j] - s[y] + Delta) * Heaviside(s[j] - s[y] + Delta, 0), j, y)
    result = check_numerically(loss, written, (), (K,), instances=Instances(), sampler=Sampler(random.Random(3)),
                               base_points=4)
    assert result.ok and result.method == "instantiated"
    assert result.detail.startswith("K = 2..5") and "both sides of" in result.detail
    wrong = check_numerically(loss, SumExcept(s[j] - s[y] + Delta, j, y), (), (K,), instances=Instances(),
                              sampler=Sampler(random.Random(3)), base_points=4)
    assert not wrong.ok and "sides differ" in wrong.detail


def test_describe_names_counts_choices_points_and_kinks():
    samples = Instances().samples_for({y}, (), (K,))
    assert describe(samples, 40, 7, (K,)) == "K = 2..5, 8 index choices, 40 points, both sides of 7 kinks"


def test_exact_numbers_tell_tiny_differences_apart():
    assert check_exact_numbers(log(1 + exp(-110)), log(1 + exp(-110))).ok
    assert not check_exact_numbers(log(1 + 2 * exp(-110)), log(1 + exp(-110))).ok
    assert not check_exact_numbers(exp(1000) + 1, exp(1000)).ok
    assert exact_digits(exp(-230)) == 40 + 2 * 99


def test_symbolic_equality_and_what_is_instantiated():
    z = sympy.Symbol("z", real=True)
    assert symbolically_equal((z + 1) ** 2, z ** 2 + 2 * z + 1)
    assert not symbolically_equal(z ** 2, z)
    assert integer_symbols(s[k] - s[y]) == {k, y}
    assert symbolic_counts(SumExcept(s[j], j, y)) == (K,)


def test_equivalence_catches_strict_read_as_weak():
    u = sympy.Symbol("u", real=True)
    sampler = Sampler(random.Random(5))
    assert check_equivalence(Eq(Max(0, u), 0), sympy.Le(u, 0), sampler).ok
    assert not check_equivalence(sympy.Gt(u, 0), sympy.Ge(u, 0), sampler).ok


def test_instance_evaluates_sums_for_the_chosen_count():
    env = {K: 3, y: 0}
    value = Instance(env).value(SumExcept(s[j], j, y), {(s, (1,)): 2.0, (s, (2,)): 5.0})
    assert value == 7.0
