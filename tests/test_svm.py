"""The SVM derivation: the worked numbers, each case's formula, the explanations."""
import sympy
from sympy import Max

from derivations import svm
from derivations.engine.notation import Delta, K, SumExcept, indicator, j, k, s, y
from derivations.engine.steps import CaseSplit, Chain


def test_worked_example_loss_and_gradient(svm_example):
    assert svm_example.results["loss"].value == 2.0
    assert svm_example.results["loss"].expr == 2
    assert svm_example.results["dscores"].value == [-1.0, 0.0, 1.0]


def test_delta_two_gives_three():
    d = svm.gradient(delta=2, scores=[3, -1, 4], label=0)
    assert d.results["loss"].value == 3.0
    assert d.results["dscores"].value == [-1.0, 0.0, 1.0]


def test_case_formulas_are_the_textbook_ones(svm_example):
    correct = svm_example.results["dscore_correct"].expr
    incorrect = svm_example.results["dscore_incorrect"].expr
    assert correct == -SumExcept(indicator(s[j] - s[y] + Delta), j, y)
    assert incorrect == indicator(s[k] - s[y] + Delta)


def test_every_step_verified_and_case_split_conditions(svm_example):
    assert svm_example.verified
    splits = [b for b in svm_example.blocks() if isinstance(b, CaseSplit)]
    assert len(splits) == 1
    conditions = [case.condition for case in splits[0].cases]
    assert conditions == [sympy.Eq(k, y), sympy.Ne(k, y)]
    for case in splits[0].cases:
        chain = case.blocks[0]
        assert isinstance(chain, Chain)
        methods = {step.verification.method for step in chain.steps}
        assert "instantiated" in methods          # the sums over K were checked at K = 2..5


def test_gradient_steps_use_the_named_rules(svm_example):
    split = next(b for b in svm_example.blocks() if isinstance(b, CaseSplit))
    incorrect_rules = [step.rule.name for step in split.cases[1].blocks[0].steps]
    assert incorrect_rules == ["definition", "sum_linearity", "max_zero", "linear",
                               "kronecker_evaluation", "kronecker_collapse"]


def test_margin_on_the_hinge_warns_and_uses_zero():
    d = svm.gradient(delta=1, scores=[3, 2, 0], label=0, classes=["a", "b", "c"])
    assert d.results["loss"].value == 0.0
    assert d.results["dscores"].value == [0.0, 0.0, 0.0]
    assert any("hinge" in w and "b" in w for w in d.warnings)


def test_negative_delta_is_accepted_with_a_note():
    d = svm.gradient(delta=-1, scores=[3, -1, 4], label=0)
    assert d.results["loss"].value == 0.0 + max(0, -1 - 3 - 1) + max(0, 4 - 3 - 1)
    assert any("negative" in w for w in d.warnings)


def test_only_incorrect_classes_explanation_is_computed():
    from derivations.engine.steps import Claim
    d = svm.gradient(delta=1)
    claims = [b for b in d.blocks() if isinstance(b, Claim)]
    split_claim = next(c for c in claims if c.rule.name == "split_sum")
    # the full sum minus the j != y_i sum is exactly the constant max(0, Delta)
    assert sympy.simplify(split_claim.rhs - svm.loss_expression()) == Max(0, Delta)
    assert split_claim.verified


def test_safety_margin_equivalence_is_verified():
    from derivations.engine.steps import Claim
    d = svm.gradient(delta=1)
    claim = next(b for b in d.blocks() if isinstance(b, Claim) and b.relation == "iff")
    assert claim.rhs == sympy.Ge(s[y], s[j] + Delta)
    assert claim.verified


def test_worked_example_against_plain_python():
    """The numbers against an independent loop, as one would write it in NumPy-free code."""
    import random
    rng = random.Random(3)
    for _ in range(20):
        n = rng.randint(2, 6)
        scores = [rng.randint(-5, 5) for _ in range(n)]
        label = rng.randrange(n)
        delta = rng.choice([1, 2, 0.5])
        d = svm.gradient(delta=delta, scores=scores, label=label)
        margins = [scores[i] - scores[label] + delta for i in range(n)]
        loss = sum(max(0, m) for i, m in enumerate(margins) if i != label)
        grad = [(1.0 if margins[i] > 0 else 0.0) for i in range(n)]
        grad[label] = -sum(grad[i] for i in range(n) if i != label)
        assert abs(d.results["loss"].value - loss) < 1e-12
        assert d.results["dscores"].value == grad


def test_symbolic_k_is_kept():
    d = svm.gradient(delta=1)
    assert d.results["dscore_correct"].value is None
    assert K not in d.results["dscore_incorrect"].expr.free_symbols
