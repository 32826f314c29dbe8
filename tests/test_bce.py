"""Two-class cross-entropy reduces to binary cross-entropy: every step verified, the result as a formula."""
import math
import random

import pytest
import sympy
from sympy import log

from cli import main
from derivations import bce
from derivations.engine import rules as R
from derivations.engine.notation import Sigmoid, p, s, sigmoid, z
from derivations.engine.steps import Chain, Claim, Step
from derivations.engine.verify import VerificationError, Verifier
from derivations.report.render import render

from .conftest import require_pdflatex

t = bce.t


@pytest.fixture(scope="module")
def reduction():
    return bce.reduction()


def test_result_is_binary_cross_entropy(reduction):
    loss = reduction.results["loss"].expr
    assert loss == -t[1] * log(Sigmoid(z)) - (1 - t[1]) * log(1 - Sigmoid(z))
    assert reduction.results["dloss_dz"].expr == Sigmoid(z) - t[1]
    assert reduction.verified


def test_the_reduction_steps(reduction):
    section = next(sec for sec in reduction.sections if sec.title == "The reduction")
    chain = next(b for b in section.blocks if isinstance(b, Chain))
    assert [step.rule.name for step in chain.steps] == ["definition", "write_out_sum", "sum_to_one", "sum_to_one",
                                                        "rewrite"]
    assert chain.steps[2].rule.symbol == t[2] and chain.steps[2].rule.rest == 1 - t[1]
    assert chain.steps[3].rule.symbol == p[2] and chain.steps[3].rule.rest == 1 - p[1]
    sigmoid_section = next(sec for sec in reduction.sections if sec.title.startswith("The probability"))
    p1 = next(b for b in sigmoid_section.blocks if isinstance(b, Chain))
    assert p1.lhs == p[1] and p1.result == Sigmoid(z)
    assert all(step.verified for step in chain.steps + p1.steps)


def test_reduced_form_equals_the_original_numerically():
    rng = random.Random(11)
    for _ in range(20):
        s1, s2, t1 = rng.uniform(-5, 5), rng.uniform(-5, 5), rng.uniform(0, 1)
        p1 = math.exp(s1) / (math.exp(s1) + math.exp(s2))
        original = -t1 * math.log(p1) - (1 - t1) * math.log(1 - p1)
        zz = s1 - s2
        sig = 1 / (1 + math.exp(-zz))
        reduced = -t1 * math.log(sig) - (1 - t1) * math.log(1 - sig)
        assert math.isclose(original, reduced, rel_tol=1e-9)


def test_the_seed_slip_is_not_copied(reduction):
    """sigma(s_1) + sigma(s_2) is not 1; sigma(z) + sigma(-z) is."""
    verifier = Verifier({Sigmoid: sigmoid})
    assert not verifier.check(Sigmoid(s[1]) + Sigmoid(s[2]), sympy.S.One).ok
    assert verifier.check(Sigmoid(z) + Sigmoid(-z), sympy.S.One).ok
    assert "≈ 1.46212" in render(reduction, "text")


def test_a_wrong_step_is_caught():
    definitions = {p: bce.probability, t: bce.target, z: s[1] - s[2], Sigmoid: sigmoid, bce.CE: bce.loss_expression()}
    verifier = Verifier(definitions)
    wrong = -t[1] * log(Sigmoid(z)) - (1 - t[1]) * log(Sigmoid(z))        # p_2 taken as p_1
    with pytest.raises(VerificationError):
        verifier.stamp(Step(bce.CE, wrong, R.SumToOne(p[2], 1 - p[1])))
    with pytest.raises(VerificationError):                                  # sigma of the wrong difference
        verifier.stamp(Step(p[1], Sigmoid(s[2] - s[1]), R.RecogniseDefinition(z, s[1] - s[2])))


def test_one_hot_claim(reduction):
    claim = next(b for b in reduction.blocks() if isinstance(b, Claim) and b.rule.name == "kronecker_collapse")
    assert claim.rhs == -log(p[sympy.Symbol("y_i", integer=True)]) and claim.verified


def test_cli(capsys):
    code = main(["bce-reduction", "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0 and '"derivation": "bce-reduction"' in out


def test_latex_compiles(reduction):
    require_pdflatex()
    from derivations.report.latex import compile_pdf
    assert compile_pdf(render(reduction, "latex")).startswith(b"%PDF")
