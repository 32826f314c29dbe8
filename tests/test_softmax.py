"""The softmax derivation: the worked numbers, each case's formula, exact arithmetic at extreme scores."""
import json
import math
import random

import pytest
import sympy
from sympy import Eq, KroneckerDelta, Ne, exp, log

from cli import main
from derivations import softmax
from derivations.engine import rules as R
from derivations.engine.differentiate import d
from derivations.engine.inputs import InputError
from derivations.engine.notation import L, k, p, s, y
from derivations.engine.steps import CaseSplit, Chain, Claim, Step
from derivations.engine.verify import VerificationError, Verifier
from derivations.report.render import render, to_dict

from .conftest import require_pdflatex


@pytest.fixture(scope="module")
def example():
    return softmax.gradient(scores=[3, -1, 4], label=0, classes=["cat", "dog", "bird"])


def rounded(values, places=4):
    return [round(v, places) for v in values]


def test_worked_numbers(example):
    assert rounded(example.results["probs"].value) == [0.2676, 0.0049, 0.7275]
    assert round(example.results["loss"].value, 4) == 1.3182
    assert rounded(example.results["dscores"].value) == [-0.7324, 0.0049, 0.7275]


def test_exact_loss_is_the_log_sum_exp_value(example):
    exact = example.results["loss"].expr
    assert exact.free_symbols == set()
    assert abs(sympy.N(exact - (log(exp(-1) + exp(3) + exp(4)) - 3), 50)) < 1e-45
    assert sympy.sympify(to_dict(example)["results"]["loss"]["exact"]) == log(1 + exp(-4) + sympy.E)


def test_case_formulas(example):
    assert example.results["dscore_correct"].expr == p[y] - 1
    assert example.results["dscore_incorrect"].expr == p[k]
    assert example.results["dscore"].expr == p[k] - KroneckerDelta(k, y)
    assert example.results["dscore_correct"].value is None


def test_every_step_verified_and_the_route(example):
    assert example.verified
    split = next(b for b in example.blocks() if isinstance(b, CaseSplit))
    assert [case.condition for case in split.cases] == [Eq(k, y), Ne(k, y)]
    incorrect = [step.rule.name for step in split.cases[1].blocks[0].steps]
    assert incorrect == ["rewrite", "sum_rule", "linear", "log_rule", "sum_linearity", "exp_rule",
                         "indexed_variable", "kronecker_evaluation", "kronecker_collapse", "recognise_definition"]
    correct = split.cases[0].blocks[0]
    assert correct.steps[0].rule.name == "case_assumption"
    assert correct.steps[-2].after == exp(s[y]) / softmax.sum_exp() - 1
    # the log-sum-exp route: definition, definition of p, log of a quotient, log of exp
    loss_chain = next(b for b in example.sections[0].blocks if isinstance(b, Chain) and len(b.steps) == 4)
    assert [step.rule.name for step in loss_chain.steps] == ["definition", "definition", "log_of_quotient",
                                                              "log_of_exp"]
    assert loss_chain.result == log(softmax.sum_exp()) - s[y]


def test_why_p_goes_to_one_is_verified(example):
    claims = [b for b in example.blocks() if isinstance(b, Claim)]
    iffs = [c for c in claims if c.relation == "iff"]
    assert {(c.lhs, c.rhs) for c in iffs} == {(sympy.Ge(-log(p[y]), 0), sympy.Le(p[y], 1)),
                                             (Eq(-log(p[y]), 0), Eq(p[y], 1))}
    push = next(c for c in claims if c.lhs == p[y] - 1)
    assert push.verified and push.rhs == -softmax.SumExcept(p[softmax.j], softmax.j, y)


def test_rounding_note_reproduces_the_seed_figure(example):
    text = " ".join(render(example, "text").split())   # the terminal report wraps lines
    assert "rounding p₀ first to 0.268 gives -log 0.268 = 1.317 instead of 1.318" in text


def test_extreme_scores_keep_the_tiny_loss():
    result = softmax.gradient(scores=[10, -100, -100], label=0)
    loss = result.results["loss"]
    assert loss.value != 0.0
    assert math.isclose(loss.value, 3.3778e-48, rel_tol=1e-4)
    exact = sympy.sympify(to_dict(result)["results"]["loss"]["exact"])
    assert math.isclose(float(sympy.N(exact, 60)), 3.3778e-48, rel_tol=1e-4)
    assert math.isclose(result.results["dscores"].value[0], -3.3778e-48, rel_tol=1e-4)
    assert any("rounds to 1.0 in float64" in w for w in result.warnings)
    assert result.verified


def test_scores_of_a_thousand_do_not_overflow():
    result = softmax.gradient(scores=[1000, 0, -1000], label=0)
    assert result.results["loss"].value == 0.0                      # underflows as a float
    exact = result.results["loss"].expr                           # log(1 + e^{-1000} + e^{-2000})
    assert sympy.sstr(sympy.N(exact, 1000).evalf(4)) == "5.076e-435"   # needs the digits: 1 + 1e-435
    assert any("overflows float64" in w for w in result.warnings)
    assert any("underflows in float64" in w and "p[2]" in w for w in result.warnings)    # p_2, in maths
    wrong = softmax.gradient(scores=[1000, 0, -1000], label=2)
    assert wrong.results["loss"].value == 2000.0
    assert rounded(wrong.results["dscores"].value) == [1.0, 0.0, -1.0]
    assert any("the correct class" in w and "infinite" in w for w in wrong.warnings)


def test_scale_two_gives_the_correct_seed_value():
    result = softmax.gradient(scores=[3, -1, 4], label=0, classes=["cat", "dog", "bird"], scale=2)
    assert round(result.results["loss"].value, 4) == 2.1270          # not the seed's 2.249
    assert rounded(result.results["probs"].value) == [0.1192, 0.0, 0.8808]
    assert result.parameters["scale"] == 2.0
    text = " ".join(render(result, "text").split())   # the terminal report wraps lines
    assert "the loss rises from 1.318 to 2.127" in text
    assert "bird scores above the correct class (cat)" in text


def test_scale_explanation_follows_the_numbers():
    flatter = softmax.gradient(scores=[3, -1, 4], label=0, scale="0.5")
    assert round(flatter.results["loss"].value, 4) == 1.0239                # log(1 + e^{-2} + e^{1/2})
    assert "the loss falls from 1.318 to 1.024" in " ".join(render(flatter, "text").split())
    top = softmax.gradient(scores=[5, 1, 2], label=0, scale=2)
    words = render(top, "text")
    assert "the correct class (class 0) has the top score" in words and "falls" in words


def test_against_plain_python():
    rng = random.Random(5)
    for _ in range(10):
        n = rng.randint(2, 6)
        scores = [rng.randint(-8, 8) for _ in range(n)]
        label = rng.randrange(n)
        result = softmax.gradient(scores=scores, label=label)
        top = max(scores)
        total = sum(math.exp(v - top) for v in scores)
        probs = [math.exp(v - top) / total for v in scores]
        loss = -(scores[label] - top - math.log(total))
        assert math.isclose(result.results["loss"].value, loss, rel_tol=1e-12, abs_tol=1e-15)
        for got, want in zip(result.results["probs"].value, probs):
            assert math.isclose(got, want, rel_tol=1e-12)
        grad = [q - (1 if i == label else 0) for i, q in enumerate(probs)]
        for got, want in zip(result.results["dscores"].value, grad):
            assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-15)


def test_a_wrong_step_is_caught():
    verifier = Verifier(softmax.definitions())
    with pytest.raises(VerificationError):
        verifier.stamp(Step(d(L, s[k]), p[k] - 1, R.KroneckerCollapse(softmax.m, k)), (Ne(k, y),))
    with pytest.raises(VerificationError):                       # the incorrect-class formula for the correct class
        verifier.stamp(Step(d(L, s[y]), p[y], R.KroneckerCollapse(softmax.m, y)), (Eq(k, y),))
    assert verifier.check(d(L, s[k]), p[k] - KroneckerDelta(k, y)).ok


def test_a_tiny_loss_is_not_taken_for_zero():
    """Exact numbers: 3.4e-48 and 0 differ, though floats cannot tell them apart."""
    verifier = Verifier()
    before = -log(exp(10) / (exp(10) + 2 * exp(-100)))
    assert not verifier.check(before, sympy.S.Zero).ok
    result = verifier.check(before, log(1 + 2 * exp(-110)))
    assert result.ok and "exact numbers" in result.detail
    assert not verifier.check(exp(1000), exp(1000) + 1).ok      # would overflow as floats


def test_symbolic_only():
    result = softmax.gradient(example=False)
    assert "loss" not in result.results and result.verified
    assert result.parameters == {}


def test_json_contract(example):
    data = json.loads(render(example, "json"))
    assert data["derivation"] == "softmax-grad"
    assert set(data["results"]) >= {"probs", "loss", "dscores", "dscore_correct", "dscore_incorrect"}
    assert data["results"]["dscore_correct"]["value"] is None
    assert data["results"]["dscore_incorrect"]["latex"] == "p_{k}"
    assert data["verified"] is True and data["warnings"] == []
    assert all(step["verified"] for step in data["steps"])


@pytest.mark.parametrize("kwargs, message", [
    ({"scores": [3, -1, 4], "label": 0, "scale": 0}, "scale must not be 0"),
    ({"scores": [3, -1, 4], "label": 0, "scale": "0.0"}, "scale must not be 0"),
    ({"scores": [3, -1, 4], "label": 0, "scale": "x"}, "scale must be a number"),
    ({"scale": 2, "example": False}, "--scale needs a worked example"),
    ({"scores": [3, -1, 4], "label": 5}, "outside 0..2"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        softmax.gradient(**kwargs)


@pytest.mark.parametrize("args, message", [
    (["softmax-grad", "--scores", "3,-1,4", "--label", "0", "--scale", "0"], "scale must not be 0"),
    (["softmax-grad", "--scores", "3,-1,4", "--label", "3"], "outside 0..2"),
    (["softmax-grad", "--scores", "3,-1", "--label", "0", "--classes", "a,b,c"], "3 class names"),
])
def test_cli_bad_input_is_one_line_and_exit_2(args, message, capsys, tmp_path):
    target = tmp_path / "report.md"
    code = main(args + ["-o", str(target)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == []


def test_cli_json_values(capsys):
    code = main(["softmax-grad", "--scores", "3,-1,4", "--label", "0", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert round(data["results"]["loss"]["value"], 4) == 1.3182


def test_latex_compiles(example):
    require_pdflatex()
    from derivations.report.latex import compile_pdf
    assert compile_pdf(render(example, "latex")).startswith(b"%PDF")
