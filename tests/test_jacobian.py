"""The softmax Jacobian: the case formulas, the matrix form, the numbers against finite differences."""
import json
import math

import pytest
import sympy
from sympy import Eq, KroneckerDelta, Ne

from cli import main
from derivations import jacobian
from derivations.engine import rules as R
from derivations.engine.differentiate import d
from derivations.engine.notation import K, j, k, p, s
from derivations.engine.steps import CaseSplit, Chain, Step
from derivations.engine.verify import VerificationError, Verifier
from derivations.losses.softmax import probability
from derivations.report.render import render

from .conftest import require_pdflatex


@pytest.fixture(scope="module")
def numeric():
    return jacobian.jacobian(scores=[3, -1, 4])


def softmax_floats(scores):
    top = max(scores)
    total = sum(math.exp(v - top) for v in scores)
    return [math.exp(v - top) / total for v in scores]


def test_case_formulas(numeric):
    assert numeric.results["jacobian_diagonal"].expr == p[j] * (1 - p[j])
    assert numeric.results["jacobian_off_diagonal"].expr == -p[j] * p[k]
    assert numeric.results["jacobian_entry"].expr == p[j] * (KroneckerDelta(j, k) - p[k])


def test_cases_follow_the_quotient_rule(numeric):
    assert numeric.verified
    split = next(b for b in numeric.blocks() if isinstance(b, CaseSplit))
    assert [case.condition for case in split.cases] == [Eq(j, k), Ne(j, k)]
    diagonal = [step.rule.name for step in split.cases[0].blocks[0].steps]
    assert diagonal[:3] == ["case_assumption", "definition", "quotient_rule"]
    assert diagonal[-4:] == ["factor", "split_fraction", "divide_term_by_term", "recognise_definition"]
    off = [step.rule.name for step in split.cases[1].blocks[0].steps]
    assert off[:2] == ["definition", "quotient_rule"] and off[-2:] == ["split_fraction", "recognise_definition"]
    for case in split.cases:
        assert all(step.verified for step in case.blocks[0].steps)


def test_numbers_against_finite_differences(numeric):
    scores = [3.0, -1.0, 4.0]
    matrix = numeric.results["jacobian"].value
    assert [round(v, 4) for v in matrix[0]] == [0.1960, -0.0013, -0.1947]
    h = 1e-6
    for b in range(3):
        up = softmax_floats([v + (h if c == b else 0) for c, v in enumerate(scores)])
        down = softmax_floats([v - (h if c == b else 0) for c, v in enumerate(scores)])
        for a in range(3):
            assert abs(matrix[a][b] - (up[a] - down[a]) / (2 * h)) < 1e-8
    for row in matrix:
        assert abs(sum(row)) < 1e-15                    # each row sums to 0
    assert all(matrix[a][b] == pytest.approx(matrix[b][a]) for a in range(3) for b in range(3))


def test_matrix_form_is_diag_minus_outer(numeric):
    section = next(sec for sec in numeric.sections if str(sec.title).startswith("The matrix"))
    chain = next(b for b in section.blocks if isinstance(b, Chain))
    form = chain.result
    assert isinstance(form, sympy.MatAdd)
    column = sympy.ImmutableMatrix([p[0], p[1], p[2]])
    expected = sympy.ImmutableMatrix(3, 3, lambda a, b: p[a] if a == b else 0) - column * column.T
    assert sympy.expand(form.as_explicit() - expected) == sympy.zeros(3, 3)
    assert chain.verified


def test_chain_rule_back_to_the_loss(numeric):
    section = next(sec for sec in numeric.sections if sec.title.startswith("Back to the loss"))
    chain = next(b for b in section.blocks if isinstance(b, Chain))
    assert chain.result == p[k] - KroneckerDelta(k, sympy.Symbol("y_i", integer=True))


def test_a_wrong_entry_is_caught():
    verifier = Verifier({p: probability})
    with pytest.raises(VerificationError):
        verifier.stamp(Step(d(p[j], s[k]), p[j] * (1 - p[k]), R.KroneckerCollapse(j, k)), (Ne(j, k),))
    with pytest.raises(VerificationError):                       # the sign of the off-diagonal entry
        verifier.stamp(Step(d(p[j], s[k]), p[j] * p[k], R.KroneckerCollapse(j, k)), (Ne(j, k),))


def test_extreme_scores_stay_finite():
    result = jacobian.jacobian(scores=[1000, 0, -1000])
    matrix = result.results["jacobian"].value
    assert all(math.isfinite(v) for row in matrix for v in row)
    exact = result.results["jacobian"].expr[0, 0]               # p_0 (1 - p_0) = about e^{-1000}
    assert matrix[0][0] == 0.0 and sympy.N(exact, 1000) > 0       # underflows as a float only


def test_without_scores():
    result = jacobian.jacobian()
    assert result.results["jacobian"].value is None
    assert result.results["jacobian"].expr.shape == (3, 3)
    assert result.verified and K not in result.results["jacobian_entry"].expr.free_symbols


def test_cli(capsys):
    code = main(["softmax-jacobian", "--scores", "3,-1,4", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["derivation"] == "softmax-jacobian"
    assert [round(v, 4) for v in data["results"]["jacobian"]["value"][2]] == [-0.1947, -0.0036, 0.1983]


def test_cli_bad_input(capsys):
    code = main(["softmax-jacobian", "--scores", "3,x"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and len(captured.err.strip().splitlines()) == 1


def test_latex_compiles(numeric):
    require_pdflatex()
    from derivations.report.latex import compile_pdf
    assert compile_pdf(render(numeric, "latex")).startswith(b"%PDF")
