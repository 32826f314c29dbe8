"""Logistic regression: the seed's chain-rule route, every step verified; the batch; the worked numbers."""
import json
import math
import random
import re

import pytest
import sympy
from sympy import Integer, Rational, log

from cli import main
from derivations import logistic
from derivations.engine import rules as R
from derivations.engine.differentiate import d
from derivations.engine.inputs import InputError
from derivations.engine.notation import N, j, t, w, x, z
from derivations.engine.steps import Chain, Claim, Step
from derivations.engine.verify import VerificationError, Verifier
from derivations.losses.logistic import EXAMPLE, LOSS, TN, XN, YN, Y
from derivations.report.render import render

from .conftest import require_pdflatex


@pytest.fixture(scope="module")
def symbolic():
    return logistic.gradient()


@pytest.fixture(scope="module")
def seed_example():
    return logistic.gradient(weights="0.5,-1", inputs="2,1", target="1")


def words(derivation) -> str:
    """The text report with its line wrapping undone."""
    return " ".join(render(derivation, "text").split())


def section(derivation, start):
    return next(s for s in derivation.sections if s.title.startswith(start))


def chains(sec):
    return [b for b in sec.blocks if isinstance(b, Chain)]


def test_results_are_prediction_minus_target(symbolic):
    results = symbolic.results
    assert results["dloss_dw"].expr == (Y - t) * x[j]
    assert results["dloss_dz"].expr == Y - t
    assert results["dy_dz"].expr == Y * (1 - Y)
    assert sympy.simplify(results["dloss_dy"].expr - (-t / Y + (1 - t) / (1 - Y))) == 0
    assert symbolic.verified


def test_each_factor_by_the_rules(symbolic):
    step1 = chains(section(symbolic, "Step 1"))[0]
    assert step1.lhs == d(LOSS, Y)
    assert [s.rule.name for s in step1.steps][:4] == ["definition", "sum_rule", "constant_factor", "log_rule"]
    assert step1.steps[-1].rule.name == "rewrite" and step1.steps[-1].rule.identity[1] == 1 - t

    step2 = chains(section(symbolic, "Step 2"))
    seed_route, sigmoid_rule = step2
    names = [s.rule.name for s in seed_route.steps]
    assert names[:3] == ["definition", "power_rule", "sum_rule"] and "exp_rule" in names
    assert names[-3:] == ["split_fraction", "rewrite", "divide_term_by_term"]
    assert seed_route.steps[-1].more[0] == R.RecogniseDefinition(Y, 1 / (1 + sympy.exp(-z)))
    assert seed_route.result == Y * (1 - Y)
    assert [s.rule.name for s in sigmoid_rule.steps] == ["sigmoid_rule"]

    step3 = chains(section(symbolic, "Step 3"))[0]
    assert [s.rule.name for s in step3.steps] == ["definition", "sum_linearity", "linear", "kronecker_collapse"]
    assert step3.result == x[j]
    assert "D = 2..5" in step3.steps[-1].verification.detail


def test_the_product_is_multiplied_out_to_y_minus_t(symbolic):
    sec = section(symbolic, "Step 4")
    chain = chains(sec)[0]
    assert [s.rule.name for s in chain.steps] == ["chain_rule", "derived_above", "expand", "expand",
                                                  "collect_like_terms"]
    assert chain.steps[0].after == sympy.Mul(d(LOSS, Y), d(Y, z), d(z, w[j]), evaluate=False)
    expanded = chain.steps[3].after.args[0] if chain.steps[3].after.args[1] == x[j] else chain.steps[3].after.args[1]
    assert len(expanded.args) == 4 and sympy.Add(*expanded.args) == Y - t          # -t + t y + y - t y
    assert chain.result == (Y - t) * x[j] and chain.verified
    claim = next(b for b in sec.blocks if isinstance(b, Claim))
    assert claim.lhs == d(LOSS, z) and claim.rhs == Y - t and claim.verified


def test_a_wrong_step_is_caught():
    verifier = Verifier(logistic.definitions(), spread=logistic.SPREAD)
    with pytest.raises(VerificationError):                                    # sign flipped
        verifier.stamp(Step(d(LOSS, w[j]), (t - Y) * x[j], R.CollectLikeTerms()))
    with pytest.raises(VerificationError):                                    # the sigmoid's factor dropped
        verifier.stamp(Step(d(LOSS, w[j]), sympy.Mul(d(LOSS, Y), d(z, w[j]), evaluate=False),
                            R.ChainRule((Y,), w[j])))
    with pytest.raises(VerificationError):                                    # x_j dropped
        verifier.stamp(Step(d(LOSS, w[j]), Y - t, R.CollectLikeTerms()))
    with pytest.raises(VerificationError):                                    # a wrong dL/dy
        verifier.stamp(Step(d(LOSS, Y), -t / Y - (1 - t) / (1 - Y), R.Expand()))


def test_the_meaning_is_computed(symbolic):
    report = words(symbolic)
    assert "It is 0 exactly when y = t" in report
    assert "With the target t = 1 the error is y - 1, between -1 and 0" in report
    assert "With the target t = 0 the error is y, between 0 and 1" in report
    sec = section(symbolic, "What y")
    squared = next(b for b in sec.blocks if isinstance(b, Claim))
    assert sympy.simplify(squared.rhs - (Y - t) * Y * (1 - Y)) == 0 and squared.verified


def test_the_batch_gradient_and_the_update(symbolic):
    sec = section(symbolic, "The batch")
    n = EXAMPLE
    chain = chains(sec)[-1]
    expected = sympy.Sum((YN[n] - TN[n]) * XN[n, j], (n, 0, N - 1)) / N
    assert chain.result == expected and chain.verified
    assert "N = 3..6" in chain.steps[-1].verification.detail                 # D and N take different values
    update = next(b for b in sec.blocks if isinstance(b, Claim))
    alpha = logistic.ALPHA
    assert update.rhs == w[j] - alpha * expected and update.verified
    wrong = Step(d(logistic.J, w[j]), expected * N, R.DerivedAbove((d(LOSS, w[j]),)))    # no 1/N
    with pytest.raises(VerificationError):
        Verifier(logistic.batch_definitions(), spread=logistic.SPREAD).stamp(wrong)
    assert "wⱼ ← wⱼ - α·Σ_{n=0..N - 1} xⱼ⁽ⁿ⁾·(y⁽ⁿ⁾ - t⁽ⁿ⁾)/N" in words(symbolic)


def test_seed_numbers(seed_example):
    r = seed_example.results
    assert r["z"].expr == 0 and r["y"].expr == Rational(1, 2)
    assert r["loss"].expr == log(2) and r["loss"].value == pytest.approx(math.log(2))
    assert r["dw"].expr == sympy.ImmutableMatrix([-1, Rational(-1, 2)]) and r["dw"].value == [-1.0, -0.5]
    assert seed_example.parameters == {"weights": [0.5, -1.0], "inputs": [2.0, 1.0], "target": 1.0}
    assert seed_example.verified
    assert "w₀ goes up (x₀ > 0); w₁ goes up (x₁ > 0)" in words(seed_example)


def test_worked_numbers_against_plain_floats():
    rng = random.Random(5)
    for _ in range(3):
        count = rng.randint(1, 4)
        weights = [round(rng.uniform(-2, 2), 2) for _ in range(count)]
        inputs = [round(rng.uniform(-3, 3), 2) for _ in range(count)]
        target = rng.choice([0, 1, 0.25])
        r = logistic.gradient(weights=weights, inputs=inputs, target=target).results
        zz = sum(a * b for a, b in zip(weights, inputs))
        yy = 1 / (1 + math.exp(-zz))
        loss = -target * math.log(yy) - (1 - target) * math.log(1 - yy)
        assert r["loss"].value == pytest.approx(loss, rel=1e-9)
        assert r["dw"].value == pytest.approx([(yy - target) * v for v in inputs], rel=1e-9, abs=1e-12)


def test_saturated_prediction_keeps_exact_values_and_warns():
    g = logistic.gradient(weights=[1000, 1], inputs=[2, 1], target=0)
    assert g.results["y"].value == 1.0 and g.results["loss"].value == pytest.approx(2001.0)
    assert any("rounds to 1.0 in float64" in message for message in g.warnings)
    stable = next(b for b in section(g, "Worked").blocks if isinstance(b, Claim))
    assert stable.rhs == logistic.stable_loss(True) and stable.verified
    assert logistic.gradient(weights=[-1000, 1], inputs=[2, 1], target=1).results["loss"].value == \
        pytest.approx(1999.0)


@pytest.mark.parametrize("weights, inputs, target, message", [
    ("0.5,-1", "2", "1", "2 weights for 1 inputs"),
    ("0.5,-1", "2,1", "1.5", "target must be between 0 and 1"),
    ("0.5,-1", "2,1", "-0.1", "target must be between 0 and 1"),
    ("0.5,abc", "2,1", "1", "weight 1 ('abc') must be a number"),
    ("0.5,-1", "2,nan", "1", "must be a finite number"),
    ("0.5,-1", "2,1", "one", "target must be a number"),
    ("0.5,-1", "2,1", None, "--target missing"),
    ("", "2,1", "1", "weights are empty"),
    ("0.5,,1", "2,1,1", "1", "empty entry"),
    ("1e6", "1", "1", "too large for exact evaluation"),
])
def test_bad_input(weights, inputs, target, message):
    with pytest.raises(InputError, match=re.escape(message)):
        logistic.gradient(weights=weights, inputs=inputs, target=target)


def test_cli_bad_input_is_one_line_exit_2(capsys, tmp_path):
    target = tmp_path / "out.txt"
    code = main(["logistic-grad", "--weights", "0.5,-1", "--inputs", "2", "--target", "1", "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("derive: error:")
    assert not target.exists()
    assert main(["logistic-grad", "--target", "2", "--weights", "1", "--inputs", "1"]) == 2


def test_cli_formats(capsys):
    args = ["logistic-grad", "--weights", "0.5,-1", "--inputs", "2,1", "--target", "1"]
    assert main(args + ["--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["derivation"] == "logistic-grad" and data["verified"]
    assert data["results"]["dw"]["value"] == [-1.0, -0.5] and data["results"]["dloss_dw"]["exact"] == "(-t + y)*x[j]"
    assert all(step["verified"] for step in data["steps"])
    shown = {"text": "xⱼ·(y - t)", "markdown": r"x_{j} \left(y - t\right)", "latex": r"x_{j} \left(y - t\right)"}
    for fmt, formula in shown.items():
        assert main(args + ["--format", fmt]) == 0
        assert formula in capsys.readouterr().out
    assert main(["list"]) == 0 and "logistic-grad" in capsys.readouterr().out


def test_latex_compiles(seed_example):
    require_pdflatex()
    from derivations.report.latex import compile_pdf
    assert compile_pdf(render(seed_example, "latex")).startswith(b"%PDF")


def test_one_feature():
    g = logistic.gradient(weights=[2], inputs=[-1.5], target=0)
    assert g.results["dw"].expr == sympy.ImmutableMatrix([-Rational(3, 2) / (1 + sympy.exp(3))])
    assert g.results["z"].expr == Integer(-3)


def test_inputs_of_very_different_sizes():
    """The finite-difference check moves z by 1e-6 whatever |x_d| is, so 1e300 and 1e-300 both check out."""
    g = logistic.gradient(weights=[0, 0], inputs=["1e300", "-1e-300"], target="0.3")
    assert g.results["dw"].expr == sympy.ImmutableMatrix([Rational(1, 5) * 10 ** 300, -Rational(1, 5) / 10 ** 300])
    assert g.results["dw"].value == pytest.approx([2e299, -2e-301], rel=1e-12)
    with pytest.raises(InputError, match="beyond float64's range"):
        logistic.gradient(weights=[0], inputs=["1e400"], target=0)
