"""derive diff: the general differentiator, verified, never a silent 0."""
import json

import sympy
from sympy import KroneckerDelta, exp

from cli import main
from derivations import calculus
from derivations.engine.notation import Delta, indicator, j, s, y, z


def test_logistic_loss_derivative():
    d = calculus.derivative("log(1 + exp(-z))", "z")
    result = d.results["derivative"].expr
    assert sympy.simplify(result - (-exp(-z) / (1 + exp(-z)))) == 0
    assert d.verified
    rules = [step["rule"] for step in json.loads(d.to_json())["steps"]]
    assert rules == ["log_rule", "sum_rule", "exp_rule", "linear"]


def test_hinge_term_with_index_symbols():
    d = calculus.derivative("max(0, s_j - s_y + 1)", "s_j")
    assert d.results["derivative"].expr == (1 - KroneckerDelta(j, y)) * indicator(s[j] - s[y] + 1)
    assert d.verified


def test_latex_input_and_quotient():
    d = calculus.derivative(r"\frac{e^{z}}{1 + e^{z}}", "z")
    result = d.results["derivative"].expr
    assert sympy.simplify(result - exp(z) / (1 + exp(z)) ** 2) == 0
    names = [step["rule"] for step in json.loads(d.to_json())["steps"]]
    assert names[0] == "quotient_rule"


def test_no_rule_is_said_plainly_never_zero():
    d = calculus.derivative("z^z", "z")
    assert not d.verified
    assert d.results["derivative"].value is None
    assert d.results["derivative"].expr != 0
    assert any("no rule applies" in w for w in d.warnings)
    assert "NOT VERIFIED" in d.to_text()


def test_constant_is_zero_with_its_rule():
    d = calculus.derivative("Delta^2 + 3", "z")
    assert d.results["derivative"].expr == 0
    assert json.loads(d.to_json())["steps"][0]["rule"] == "constant"


def test_cli_json_and_bad_expressions(capsys):
    assert main(["diff", "log(1 + exp(-z))", "--wrt", "z", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["derivation"] == "diff" and data["verified"] is True
    assert set(data["results"]) == {"derivative"}
    for expression in ["__import__('os').system('echo hi')", "log(", "x.__class__", "9^{9^{9^9}}"]:
        assert main(["diff", expression, "--wrt", "z"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "cannot read the expression" in err
    assert main(["diff", "z^2", "--wrt", "z + 1"]) == 2
    assert "--wrt must be one variable" in capsys.readouterr().err


def test_margin_derivative_symbol_delta():
    d = calculus.derivative(r"\max(0, s_j - s_{y_i} + \Delta)", "s_{y_i}")
    expected = (KroneckerDelta(j, y) - 1) * indicator(s[j] - s[y] + Delta)
    assert sympy.expand(d.results["derivative"].expr - expected) == 0
