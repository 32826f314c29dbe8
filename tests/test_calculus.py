"""derive diff: the general differentiator, verified, never a silent 0."""
import json
import math
import random

import pytest
import sympy
from sympy import KroneckerDelta, Symbol, exp

from cli import main
from derivations import calculus
from derivations.engine.evaluate import evaluate
from derivations.engine.functions import DEFINITIONS
from derivations.engine.inputs import InputError
from derivations.engine.notation import Delta, Sigmoid, indicator, j, s, sigmoid, y, z
from derivations.engine.verify import expand_definitions

x_ = Symbol("x", real=True)
y_ = Symbol("y", real=True)
a_ = Symbol("a", real=True)


def rules_of(d):
    return [step["rule"] for step in json.loads(d.to_json())["steps"]]


def agrees(result, reference, variables, points):
    """``result`` and ``reference`` equal at each point (a dict of values), definitions put in."""
    f = expand_definitions(result, DEFINITIONS)
    g = expand_definitions(reference, DEFINITIONS)
    for point in points:
        values = dict(zip(variables, point))
        assert math.isclose(evaluate(f, values), evaluate(g, values), rel_tol=1e-9, abs_tol=1e-12), point
    return True


def test_logistic_loss_derivative_ends_in_sigma():
    d = calculus.derivative("log(1 + exp(-z))", "z")
    result = d.results["derivative"].expr
    assert result == Sigmoid(z) - 1
    assert sympy.simplify(expand_definitions(result, DEFINITIONS) - (-exp(-z) / (1 + exp(-z)))) == 0
    assert d.verified
    assert rules_of(d) == ["log_rule", "sum_rule", "exp_rule", "linear", "cancel", "recognise_sigmoid"]


def test_hinge_term_with_index_symbols():
    d = calculus.derivative("max(0, s_j - s_y + 1)", "s_j")
    assert d.results["derivative"].expr == (1 - KroneckerDelta(j, y)) * indicator(s[j] - s[y] + 1)
    assert d.verified


def test_latex_input_and_quotient_end_in_sigma_one_minus_sigma():
    d = calculus.derivative(r"\frac{e^{z}}{1 + e^{z}}", "z")
    assert d.results["derivative"].expr == Sigmoid(z) * (1 - Sigmoid(z))
    names = rules_of(d)
    assert names[0] == "quotient_rule" and names[-2:] == ["collect_like_terms", "recognise_sigmoid"]
    assert d.verified


def test_sigmoid_of_ax_is_written_as_a_course_writes_it():
    d = calculus.derivative("exp(a*x)/(1+exp(a*x))", "x")
    result = d.results["derivative"].expr
    assert result == a_ * Sigmoid(a_ * x_) * (1 - Sigmoid(a_ * x_))
    data = json.loads(d.to_json())
    last = data["steps"][-1]
    assert last["rule"] == "recognise_sigmoid" and last["verified"] is True
    assert data["steps"][-2]["after"] == "a*exp(a*x)/(exp(a*x) + 1)**2"
    assert r"\sigma\left(a x\right) \left(1 - \sigma\left(a x\right)\right)" in data["results"]["derivative"]["latex"]


def test_no_rule_is_said_plainly_never_zero(capsys):
    d = calculus.derivative("leaky_relu(x, x) + x^2", "x")     # a slope that varies with x: no rule
    assert not d.verified
    assert d.results["derivative"].value is None
    assert d.results["derivative"].expr != 0
    assert any("no rule applies" in w for w in d.warnings)
    assert d.unevaluated == ["LeakyReLU(x, x)"]
    assert "NOT VERIFIED" in d.to_text()
    assert main(["diff", "leaky_relu(x, x) + x^2", "--wrt", "x"]) == 3      # never exit 0 with a Derivative left
    captured = capsys.readouterr()
    assert "∂/∂x[LeakyReLU(x, x)]" in captured.out
    assert captured.err.count("\n") == 1 and "left unevaluated (exit status 3)" in captured.err


def test_constant_is_zero_with_its_rule():
    d = calculus.derivative("Delta^2 + 3", "z")
    assert d.results["derivative"].expr == 0
    assert json.loads(d.to_json())["steps"][0]["rule"] == "constant"


# --- breadth: every function, its rule, its value ---------------------------------------------------------

BREADTH = [
    ("sin(x)*cos(x)", "sin_rule", sympy.cos(x_) ** 2 - sympy.sin(x_) ** 2),
    ("tanh(x)", "tanh_rule", 1 - sympy.tanh(x_) ** 2),
    ("tan(x)", "tan_rule", sympy.sec(x_) ** 2),
    ("cot(x)", "cot_rule", -sympy.csc(x_) ** 2),
    ("sec(x)", "sec_rule", sympy.sec(x_) * sympy.tan(x_)),
    ("csc(x)", "csc_rule", -sympy.csc(x_) * sympy.cot(x_)),
    ("arcsin(x/2)", "asin_rule", 1 / sympy.sqrt(4 - x_ ** 2)),
    ("acos(x/2)", "acos_rule", -1 / sympy.sqrt(4 - x_ ** 2)),
    ("atan(x^2)", "atan_rule", 2 * x_ / (1 + x_ ** 4)),
    ("arccot(x)", "acot_rule", -1 / (1 + x_ ** 2)),
    ("sinh(2x)", "sinh_rule", 2 * sympy.cosh(2 * x_)),
    ("cosh(x)", "cosh_rule", sympy.sinh(x_)),
    ("coth(x)", "coth_rule", 1 - sympy.coth(x_) ** 2),
    ("sech(x)", "sech_rule", -sympy.sech(x_) * sympy.tanh(x_)),
    ("csch(x)", "csch_rule", -sympy.csch(x_) * sympy.coth(x_)),
    ("arsinh(x)", "asinh_rule", 1 / sympy.sqrt(x_ ** 2 + 1)),
    ("arcosh(x + 2)", "acosh_rule", 1 / sympy.sqrt((x_ + 2) ** 2 - 1)),
    ("artanh(x/3)", "atanh_rule", 3 / (9 - x_ ** 2)),
    ("abs(x)", "abs_rule", sympy.sign(x_)),
    ("sqrt(1 + x^2)", "sqrt_rule", x_ / sympy.sqrt(1 + x_ ** 2)),
    ("x^x", "logarithmic_differentiation", x_ ** x_ * (sympy.log(x_) + 1)),
    ("sigmoid(3x)", "sigmoid_rule", 3 * Sigmoid(3 * x_) * (1 - Sigmoid(3 * x_))),
    ("relu(x)", "relu_rule", indicator(x_)),
    ("leaky_relu(x, 0.1)", "leaky_relu_rule", indicator(x_) + sympy.Rational(1, 10) * (1 - indicator(x_))),
    ("softplus(x)", "softplus_rule", Sigmoid(x_)),
    ("erf(x)", "erf_rule", 2 / sympy.sqrt(sympy.pi) * exp(-x_ ** 2)),
    ("max(x, 1 - x)", "max_rule", 2 * indicator(2 * x_ - 1) - 1),
    ("max(x, x^2, 1 - x)", "max_many_rule", 2 * indicator(2 * x_ - 1) - 1),      # on (-1, 1): 1 - x, then x
    ("min(x, -x, 2 - x^2)", "min_many_rule", -sympy.sign(x_)),                     # on (-1, 1): -|x|
    ("cbrt(x)", "cbrt_rule", 1 / (3 * sympy.Abs(x_) ** sympy.Rational(2, 3))),
    ("pow(x, 3) + pow(2, x)", "power_rule", 3 * x_ ** 2 + 2 ** x_ * sympy.log(2)),
    ("log(x^2 + 1, 2)", "log_rule", 2 * x_ / ((x_ ** 2 + 1) * sympy.log(2))),
    ("|x| + |x - 2|", "abs_rule", sympy.sign(x_) - 1),                            # on (-1, 1)
    ("leaky_relu(x)", "leaky_relu_rule", indicator(x_) + sympy.Rational(1, 100) * (1 - indicator(x_))),
    (r"\operatorname{sgn}(x) + x", "sign_rule", sympy.Integer(1)),
    ("min(x, x^2)", "min_rule", indicator(x_ ** 2 - x_) + 2 * x_ * (1 - indicator(x_ ** 2 - x_))),
    ("x^2 [x > 0] + x [x <= 0]", "indicator", 2 * x_ * indicator(x_) + sympy.Heaviside(-x_, 1)),
]


@pytest.mark.parametrize("expression, rule, expected", BREADTH)
def test_every_function_has_its_rule_and_the_right_derivative(expression, rule, expected):
    d = calculus.derivative(expression, "x")
    assert d.verified, d.warnings
    assert rule in rules_of(d)
    rng = random.Random(3)
    points = [(rng.choice([-1, 1]) * rng.uniform(0.1, 0.9),) for _ in range(5)]
    if expression.startswith(("arcosh", "x^x")):
        points = [(abs(p[0]) + 0.2,) for p in points]
    assert agrees(d.results["derivative"].expr, expected, [x_], points)


def test_gelu_through_erf():
    d = calculus.derivative("gelu(x)", "x")
    phi = (1 + sympy.erf(x_ / sympy.sqrt(2))) / 2
    expected = phi + x_ * exp(-x_ ** 2 / 2) / sympy.sqrt(2 * sympy.pi)
    assert d.verified and "erf_rule" in rules_of(d)
    assert agrees(d.results["derivative"].expr, expected, [x_], [(-1.3,), (0.4,), (2.0,)])


@pytest.mark.parametrize("latex, plain", [
    (r"\tanh x", "tanh(x)"), (r"\frac{1}{1 + x^2}", "1/(1 + x^2)"), (r"\sigma(2x)", "sigmoid(2x)"),
    (r"\max(0, x^2 - 1)", "max(0, x^2 - 1)"), (r"\sin^2 x", "sin(x)^2"), (r"\sin^{-1} x", "arcsin(x)"),
    (r"\left| x - 1 \right|", "abs(x - 1)"), (r"\operatorname{ReLU}(x)", "relu(x)"), (r"\min\{x, 2\}", "min(x, 2)"),
])
def test_latex_and_plain_text_give_the_same_derivative(latex, plain):
    assert calculus.derivative(latex, "x").results["derivative"].expr == \
        calculus.derivative(plain, "x").results["derivative"].expr


def test_gradient_one_verified_chain_per_variable():
    d = calculus.derivative("x^2*y + sin(y)", "x,y")
    data = json.loads(d.to_json())
    assert d.verified
    assert d.results["d/dx"].expr == 2 * x_ * y_
    assert d.results["d/dy"].expr == x_ ** 2 + sympy.cos(y_)
    assert d.results["gradient"].expr == [2 * x_ * y_, x_ ** 2 + sympy.cos(y_)]
    assert [s_.title for s_ in d.sections] == ["Partial derivative with respect to x",
                                               "Partial derivative with respect to y", "Gradient"]
    assert data["results"]["gradient"]["exact"] == "[2*x*y, x**2 + cos(y)]"


# --- issue 14: domains, index symbols, non-real constants, messages ------------------------------------------------

@pytest.mark.parametrize("expression, expected", [
    ("sqrt(x)+1", 1 / (2 * sympy.sqrt(x_))),
    ("x+sqrt(x)", 1 + 1 / (2 * sympy.sqrt(x_))),
    ("1/(1+sqrt(x))", -1 / (2 * sympy.sqrt(x_) * (1 + sympy.sqrt(x_)) ** 2)),
    ("log(1+sqrt(x))", 1 / (2 * sympy.sqrt(x_) * (1 + sympy.sqrt(x_)))),
    ("exp(sqrt(x))", exp(sympy.sqrt(x_)) / (2 * sympy.sqrt(x_))),
    ("max(0, sqrt(x))", 1 / (2 * sympy.sqrt(x_))),
])
def test_square_roots_are_checked_where_they_are_real(expression, expected):
    d = calculus.derivative(expression, "x")
    assert d.verified
    assert agrees(d.results["derivative"].expr, expected, [x_], [(0.3,), (1.7,), (4.0,)])
    assert "with x > 0" in d.to_text()


@pytest.mark.parametrize("expression, where", [
    ("log(x-1)", "x > 1"), ("log(x-2)", "x > 2"), ("log(log(x))", "x > 1"), ("log(x)+log(x-1)", "x > 1"),
    ("sqrt(x-5)", "x > 5"), ("log(x - 1000)", "x > 1000"), ("arcsin(x)", "-1 < x < 1"), ("1/x", "x ≠ 0"),
])
def test_domain_is_sampled_and_stated(expression, where):
    d = calculus.derivative(expression, "x")
    assert d.verified
    text = d.to_text()
    assert f"(where {where})" in text and f"points with {where}" in text


def test_sqrt_x_minus_5_checked_only_inside_its_domain():
    from derivations.engine.verify import final_check
    check = final_check(sympy.sqrt(x_ - 5), 1 / (2 * sympy.sqrt(x_ - 5)), x_)
    assert check.ok and check.points >= 3
    assert [str(c.relational()) for c in check.domain] == ["x - 5 > 0"]
    wrong = final_check(sympy.sqrt(x_ - 5), 1 / sympy.sqrt(x_ - 5), x_)     # off by a factor 2 inside the domain
    assert not wrong.ok


def test_too_few_points_in_the_domain_is_not_verified():
    d = calculus.derivative("sqrt(0.001 - x^2)", "x")       # double precision's points miss |x| < 0.03 ...
    assert d.verified and "compared at 3 points found in 50-digit arithmetic" in " ".join(d.to_text().split())
    d = calculus.derivative("sqrt(1e-12 - x^2)", "x")       # ... and no point is found in |x| < 1e-6
    assert not d.verified
    assert any("not verified" in w and "only 0 points" in w for w in d.warnings)
    assert d.results["derivative"].description.startswith("not verified")
    assert "NOT VERIFIED" in d.to_text()


def test_index_letters_as_variables():
    assert calculus.derivative("k^2", "k").results["derivative"].expr == 2 * Symbol("k", real=True)
    assert calculus.derivative("j^3 + x", "j").results["derivative"].expr == 3 * Symbol("j", real=True) ** 2
    assert calculus.derivative("K^2", "K").results["derivative"].expr == 2 * Symbol("K", real=True)
    assert calculus.derivative("y_i^2", "y_i").results["derivative"].expr == 2 * Symbol("y_i", real=True)


@pytest.mark.parametrize("expression, wrt, words", [
    ("s_k^2", "k", "k: it is the class index k in sₖ, a whole number"),
    ("s_j * delta_{jk}", "j", "the class index j"),
    ("s_{y_i}^2", "y_i", "the label y_i"),
    (r"\sum_j s_j", "K", "the count K"),
])
def test_index_used_as_an_index_is_refused(capsys, expression, wrt, words):
    with pytest.raises(InputError, match="cannot differentiate with respect to"):
        calculus.derivative(expression, wrt)
    assert main(["diff", expression, "--wrt", wrt]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err


@pytest.mark.parametrize("expression, words", [
    ("log(-1)*x", "it is not real"), ("sqrt(-1)*x", "it is not real"),
    ("(-1)^x", "needs a positive base"), ("0^x", "needs a positive base"),
    ("asin(2) + x", "between -1 and 1"), ("log(-2 - x^2)", "not positive"),
])
def test_non_real_constants_are_refused(capsys, expression, words):
    assert main(["diff", expression, "--wrt", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_leading_minus_works_and_the_double_dash_too(capsys):
    assert main(["diff", "-x^2", "--wrt", "x", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"]["derivative"]["exact"] == "-2*x"
    assert main(["diff", "--wrt", "x", "--", "-x^3"]) == 0
    assert "-3·x^2" in capsys.readouterr().out


def test_sqrt_of_a_square_speaks_of_absolute_values_not_Abs():
    d = calculus.derivative("sqrt(x^2)", "x")
    text = d.to_text()
    assert "Abs" not in text and "|x|" in text and "Read as |x|" in text
    assert d.results["derivative"].expr == sympy.sign(x_) and d.verified


def test_unknown_function_is_named_with_the_known_ones(capsys):
    assert main(["diff", "foo(x)", "--wrt", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown name 'foo'" in err and "tanh" in err and "softplus" in err
    assert main(["diff", r"\foo x", "--wrt", "x"]) == 2
    err = capsys.readouterr().err
    assert "unsupported LaTeX command \\foo" in err and "known functions" in err
    assert main(["diff", "|x|y|z|", "--wrt", "x"]) == 2                    # |x| itself is read (issue 22)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "|x|·y·|z|" in err and "|x·|y|·z|" in err
    assert main(["diff", "|x", "--wrt", "x"]) == 2
    assert "not closed" in capsys.readouterr().err


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


def test_caps_on_size_and_nesting(capsys):
    assert main(["diff", "+".join(["x"] * 1200), "--wrt", "x"]) == 2
    assert "input too long" in capsys.readouterr().err
    assert main(["diff", "sin(" * 7 + "x" + ")" * 7, "--wrt", "x"]) == 2
    assert "too many nested functions" in capsys.readouterr().err
    assert calculus.derivative("sin(" * 6 + "x" + ")" * 6, "x").verified


def test_margin_derivative_symbol_delta():
    d = calculus.derivative(r"\max(0, s_j - s_{y_i} + \Delta)", "s_{y_i}")
    expected = (KroneckerDelta(j, y) - 1) * indicator(s[j] - s[y] + Delta)
    assert sympy.expand(d.results["derivative"].expr - expected) == 0


def test_sigma_is_the_named_function_here_and_its_definition_in_answers():
    from derivations.parse import parse_expression
    assert parse_expression(r"\sigma(z)") == sigmoid(z)                  # answers: unchanged
    assert calculus.read_expression(r"\sigma(z)") == Sigmoid(z)


def test_calculus_grammar_extends_the_answer_grammar_without_conflicts(caplog):
    import logging
    from importlib import resources

    import lark
    folder = resources.files("derivations.parse")
    grammar = folder.joinpath("expression.lark").read_text() + "\n" + folder.joinpath("calculus.lark").read_text()
    with caplog.at_level(logging.DEBUG, logger="lark"):
        lark.Lark(grammar, parser="lalr", debug=True)
    assert not [r for r in caplog.records if "conflict" in r.getMessage().lower()]
    from derivations.parse import ParseError, parse_expression
    with pytest.raises(ParseError, match="unknown name 'tanh'"):               # answers do not gain functions
        parse_expression("tanh(x)")


def test_hostile_expressions_are_not_multiplied_out_nor_cancelled_at_length():
    from derivations.calculus.diff import worth_cancelling
    from derivations.engine.verify.exact import costly_to_expand
    big = calculus.read_expression("((x+1)^200 + (x-1)^200)/((x+2)^100 + 1)")
    wide = calculus.read_expression("(a+b+c+d+g+h+x)^9/(x+1)")
    assert costly_to_expand(big) and costly_to_expand(wide) and not costly_to_expand((x_ + 1) ** 12)
    nested = expand_definitions(calculus.read_expression("sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(x)))))"),
                                DEFINITIONS)
    assert not worth_cancelling(nested, nested) and worth_cancelling(sympy.sin(x_), sympy.cos(x_))
    for text in ("((x+1)^200 + (x-1)^200)/((x+2)^100 + 1)", "(a+b+c+d+g+h+x)^9/(x+1)",
                 "sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(x))))))"):
        d = calculus.derivative(text, "x")
        assert d.verified and d.results["derivative"].expr.has(x_)


def test_overflow_everywhere_is_not_verified_never_verified():
    d = calculus.derivative("exp(x)^1000/(1+exp(x))^1000", "x")     # overflows double precision: 50 digits decide
    assert d.verified and "50-digit arithmetic" in d.to_text()
    d = calculus.derivative("exp(exp(x^2 + 30))", "x")               # beyond 10^(10^9) everywhere
    assert not d.verified and any("not verified" in w and "0 in 50-digit arithmetic" in w for w in d.warnings)


# --- names: a letter followed by digits is one name (issue 22) ----------------------------------------------

def test_w0_is_a_name_not_w_times_0():
    from derivations.engine.notation import w, x
    d = calculus.derivative("w0*x", "x")
    assert d.results["derivative"].expr == w[0] and d.verified
    d = calculus.derivative("x2 + x", "x")
    assert d.results["derivative"].expr == 1 and d.verified
    d = calculus.derivative("x2 + x", "x2")
    assert d.results["derivative"].expr == 1 and d.verified
    d = calculus.derivative("w0*x0 + w1*x1 + w2", "w1")
    assert d.results["derivative"].expr == x[1]
    d = calculus.derivative("b2^2 + W1*b2", "b2")
    b2, w1 = Symbol("b2", real=True), Symbol("W1", real=True)
    assert d.results["derivative"].expr == 2 * b2 + w1 and d.verified


def test_a_plain_letter_and_its_indexed_entries_are_different_variables():
    from derivations.engine.notation import x
    d = calculus.derivative("x_0*x", "x")
    assert d.results["derivative"].expr == x[0] and d.verified
    d = calculus.derivative("x_0*w_0", "x")              # x does not occur: 0, never an unevaluated derivative
    assert d.results["derivative"].expr == 0 and d.verified


@pytest.mark.parametrize("expression, readings", [
    ("x2y", ["x2·y", "x·2·y"]), ("e2 + x", ["a name e2", "e·2"]), ("s_j2 + x", ["s_j·2", "index j2"])])
def test_names_that_could_be_read_two_ways_are_refused_with_both_readings(capsys, expression, readings):
    assert main(["diff", expression, "--wrt", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and all(reading in err for reading in readings)


def test_the_last_line_says_how_the_steps_were_checked():
    numeric = calculus.derivative("tan(tan(x))", "x")                    # SymPy's cancellation is skipped here
    assert numeric.verified
    text = " ".join(numeric.to_text().split("✓ Every step was verified")[-1].split())    # the last paragraph
    assert "verified by SymPy" not in numeric.to_text()
    assert "numerically at 4 random points each" in text
    symbolic = calculus.derivative("x^2", "x")
    assert "symbolically" in symbolic.to_markdown().strip().splitlines()[-1]
    assert "numerically" not in symbolic.to_markdown().strip().splitlines()[-1]


def test_a_cancelled_variable_has_derivative_0_with_a_note():
    d = calculus.derivative("(x - x)*y + y", "x,y")
    assert d.results["d/dx"].expr == 0 and d.results["d/dy"].expr == 1 and d.verified
    assert "x cancels out" in d.to_text()
    d = calculus.derivative("x_0*w_0", "x")
    assert "x does not occur in the expression (x₀ is another variable)" in d.to_text()


# --- every function of the language, raised to powers, in every format (issue 22) ---------------------------

import mpmath  # noqa: E402

#: each function as typed (u is its argument) and its mpmath reference; arguments kept inside the domain
LANGUAGE = [
    ("sin(u)", mpmath.sin), ("cos(u)", mpmath.cos), ("tan(u)", mpmath.tan), ("cot(u)", mpmath.cot),
    ("sec(u)", mpmath.sec), ("csc(u)", mpmath.csc),
    ("arcsin(u/4)", lambda u: mpmath.asin(u / 4)), ("arccos(u/4)", lambda u: mpmath.acos(u / 4)),
    ("arctan(u)", mpmath.atan), ("arccot(u)", lambda u: mpmath.atan(1 / u)),
    ("sinh(u)", mpmath.sinh), ("cosh(u)", mpmath.cosh), ("tanh(u)", mpmath.tanh), ("coth(u)", mpmath.coth),
    ("sech(u)", mpmath.sech), ("csch(u)", mpmath.csch), ("arsinh(u)", mpmath.asinh),
    ("arcosh(u^2 + 2)", lambda u: mpmath.acosh(u ** 2 + 2)), ("artanh(u/4)", lambda u: mpmath.atanh(u / 4)),
    ("exp(u)", mpmath.exp), ("log(u^2 + 1)", lambda u: mpmath.log(u ** 2 + 1)),
    ("ln(u^2 + 1)", lambda u: mpmath.log(u ** 2 + 1)), ("log10(u^2 + 1)", lambda u: mpmath.log10(u ** 2 + 1)),
    ("log2(u^2 + 1)", lambda u: mpmath.log(u ** 2 + 1, 2)), ("log(u^2 + 1, 3)", lambda u: mpmath.log(u ** 2 + 1, 3)),
    ("sqrt(u^2 + 1)", lambda u: mpmath.sqrt(u ** 2 + 1)), ("cbrt(u)", lambda u: mpmath.sign(u) * abs(u) ** (mpmath.mpf(1) / 3)),
    ("abs(u)", abs), ("|u|", abs), ("sigmoid(u)", lambda u: 1 / (1 + mpmath.exp(-u))),
    (r"\sigma(u)", lambda u: 1 / (1 + mpmath.exp(-u))), ("1/(1+exp(-u))", lambda u: 1 / (1 + mpmath.exp(-u))),
    ("relu(u)", lambda u: max(u, 0)), ("leaky_relu(u)", lambda u: u if u > 0 else u / 100),
    ("leaky_relu(u, 0.2)", lambda u: u if u > 0 else u / 5), ("softplus(u)", lambda u: mpmath.log(1 + mpmath.exp(u))),
    ("erf(u)", mpmath.erf), ("gelu(u)", lambda u: u / 2 * (1 + mpmath.erf(u / mpmath.sqrt(2)))),
    ("max(u, 0)", lambda u: max(u, 0)), ("max(u, 1, -u)", lambda u: max(u, 1, -u)),
    ("min(u, 1)", lambda u: min(u, 1)), ("min(u, 2, u^2)", lambda u: min(u, 2, u ** 2)),
    ("pow(u, 3)", lambda u: u ** 3), ("pow(2, u)", lambda u: mpmath.power(2, u)),
    (r"\operatorname{sgn}(u) + u", lambda u: mpmath.sign(u) + u),
]

#: points away from every kink and pole of the functions above
POINTS = ("0.37", "-0.81", "1.3")


def _derivative_at(result, point: str):
    """The engine's own derivative (a SymPy expression it built) at x = point, definitions put in."""
    value = expand_definitions(result, DEFINITIONS).xreplace({x_: sympy.Rational(point)})
    return mpmath.mpf(str(sympy.N(value, 30)))


@pytest.mark.parametrize("typed, function", LANGUAGE, ids=[typed for typed, _ in LANGUAGE])
def test_every_function_raised_to_a_power_in_every_format(typed, function):
    import re
    called = re.sub(r"(?<![A-Za-z])u(?![A-Za-z])", "x", typed)
    one_call = re.fullmatch(r"\\?[A-Za-z0-9_]+\((?:[^()]|\([^()]*\))*\)", called)
    for power in ("2", "3"):
        expression = f"{called}^{power}" if one_call else f"({called})^{power}"
        d = calculus.derivative(expression, "x")
        for fmt in ("text", "markdown", "latex", "json"):
            rendered = getattr(d, f"to_{fmt}")()
            assert rendered and "Traceback" not in rendered
        assert d.verified and not d.unevaluated, (expression, d.warnings)
        with mpmath.workdps(40):
            for point in POINTS:
                reference = mpmath.diff(lambda t: function(t) ** int(power), mpmath.mpf(point))
                got = _derivative_at(d.results["derivative"].expr, point)
                assert abs(got - reference) <= 1e-12 * max(1, abs(reference)), (expression, point, got, reference)
