"""Tests of derivations.parse: the exact SymPy objects typed maths becomes, and the inputs it refuses."""
from __future__ import annotations

import logging
import re
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import lark
import pytest
import sympy
from sympy import E, Heaviside, ImmutableMatrix, Integer, KroneckerDelta, Max, Rational, Sum, Symbol, exp, log, sqrt

from derivations.engine.notation import (
    Delta,
    K,
    SumExcept,
    all_classes_sum,
    indicator,
    j,
    k,
    m,
    p,
    s,
    sigmoid,
    t,
    w,
    x,
    y,
    z,
)
from derivations.parse import NOTATION, ParseError, parse_expression
from derivations.parse.names import i

a, b, c, u = (Symbol(name, real=True) for name in "abcu")
y_scalar = Symbol("y", real=True)
x_scalar = Symbol("x", real=True)


def parses_to(text: str, expected, **options) -> None:
    """Assert that ``text`` parses to exactly ``expected`` (structural equality)."""
    result = parse_expression(text, **options)
    assert result == expected, f"{text!r} parsed to {result!r}, expected {expected!r}"


# ---- numbers ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2", Integer(2)),
    ("0.268", Rational(67, 250)),
    ("0.004", Rational(1, 250)),
    (".5", Rational(1, 2)),
    ("-1", Integer(-1)),
    ("-0.732", Rational(-183, 250)),
    ("3.38e-48", Rational(338, 100) / Integer(10) ** 48),
    ("2E3", Integer(2000)),
    (r"3.38 \times 10^{-48}", Rational(338, 100) / Integer(10) ** 48),
    (r"\frac{1}{2}", Rational(1, 2)),
    (r"\dfrac{3}{4}", Rational(3, 4)),
    ("1/2", Rational(1, 2)),
    ("2^{10}", Integer(1024)),
    ("2**10", Integer(1024)),
    ("2^10", Integer(1024)),
    ("10^{-3}", Rational(1, 1000)),
    ("000000000000000000000000000000000007", Integer(7)),   # leading zeros are not digits that count
])
def test_numbers_are_exact(text, expected):
    parses_to(text, expected)


# ---- operators -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("a + b - c", a + b - c),
    ("a * b", a * b),
    (r"a \cdot b", a * b),
    (r"a \times b", a * b),
    ("a · b × c ⋅ u", a * b * c * u),
    ("a / b", a / b),
    (r"a \div b", a / b),
    ("a^b", a ** b),
    ("a^{b+c}", a ** (b + c)),
    ("a**b**c", a ** (b ** c)),
    ("2x", 2 * x_scalar),
    ("2 a b", 2 * a * b),
    ("p_k x_i", p[k] * x[i]),
    ("(y - t) x_j", (y_scalar - t) * x[j]),
    ("x_j(y-t)", x[j] * (y_scalar - t)),
    ("(a + b)(a - b)", (a + b) * (a - b)),
    (r"\left( a + b \right) c", (a + b) * c),
    ("[a + b] c", (a + b) * c),
    ("{a + b} c", (a + b) * c),
    (r"a \, b \; c \! u \quad a \qquad b \: c \  u", a ** 2 * b ** 2 * c ** 2 * u ** 2),
    ("-a b", -(a * b)),
    ("a - -b", a + b),
    ("a * -b", -(a * b)),
    ("1/2 a", a / 2),
    ("a − b", a - b),                              # U+2212 MINUS SIGN
    ("-a^2", -(a ** 2)),
])
def test_operators(text, expected):
    parses_to(text, expected)


# ---- names -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("s_k", s[k]),
    ("s_j", s[j]),
    ("s_m", s[m]),
    ("s_{y_i}", s[y]),
    ("s_y", s[y]),
    ("s_{y}", s[y]),
    ("s_{y_{i}}", s[y]),
    ("s_0", s[0]),
    ("s_{2}", s[2]),
    ("p_k", p[k]),
    ("p_{y_i}", p[y]),
    ("x_j", x[j]),
    ("x_i", x[i]),
    ("w_j", w[j]),
    ("y_i", y),
    ("z", z),
    ("t", t),
    ("K", K),
    (r"\Delta", Delta),
    ("Delta", Delta),
    ("Δ", Delta),
    ("∆", Delta),
    ("a", a),
    ("x", x_scalar),
    ("y", y_scalar),
    ("j", j),
    ("e", E),
    ("e^{s_k}", exp(s[k])),
    ("e^x", exp(x_scalar)),
])
def test_names(text, expected):
    parses_to(text, expected)


# a letter followed by digits is one name (issue 22): never the product w·0, x·2
@pytest.mark.parametrize("text, expected", [
    ("w0*x", x_scalar * w[0]),
    ("w0 x", x_scalar * w[0]),
    ("x2 + x", x[2] + x_scalar),
    ("w0*x0 + w1*x1 + w2", w[0] * x[0] + w[1] * x[1] + w[2]),
    ("s0 - s_0", Integer(0)),                    # s0 and s_0 are one variable
    ("P1", p[1]),
    ("x12", x[12]),
    ("b2 + W1", Symbol("b2", real=True) + Symbol("W1", real=True)),
    ("z1 t2", Symbol("z1", real=True) * Symbol("t2", real=True)),
    ("2x", 2 * x_scalar),                        # a number then a letter still multiplies
    ("x 2", 2 * x_scalar),
    ("2x3", 2 * x[3]),
    ("2e3", Integer(2000)),                      # a number's exponent, not the name e3
    ("e^x2", exp(x[2])),
    ("p_{y_i} s1", p[y] * s[1]),
])
def test_a_letter_followed_by_digits_is_one_name(text, expected):
    parses_to(text, expected)


@pytest.mark.parametrize("text, readings", [
    ("x2y", ["x2·y", "x·2·y"]),
    ("3 + w1b", ["w1·b", "w·1·b"]),
    ("s_j2", ["s_j·2", "the index j2"]),
    ("e2", ["a name e2", "e·2"]),
    ("x01", ["x1", "a name of its own"]),
])
def test_a_name_that_could_be_read_two_ways_is_refused_with_both_readings(text, readings):
    error = refuses(text)
    for reading in readings:
        assert reading in str(error)


def test_a_name_with_digits_takes_no_subscript():
    refuses("x1_2", "takes no subscript")


def test_x_i_uses_an_integer_index():
    assert parse_expression("x_i").indices == (Symbol("i", integer=True),)


# ---- functions -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (r"\log x", log(x_scalar)),
    ("log(x)", log(x_scalar)),
    (r"\ln x", log(x_scalar)),
    ("ln(x)", log(x_scalar)),
    (r"-\log p_{y_i}", -log(p[y])),
    (r"\log 0.268", log(Rational(67, 250))),
    (r"\log x^2", log(x_scalar ** 2)),
    (r"\log(x)^2", log(x_scalar) ** 2),
    (r"\log_{10} x", log(x_scalar, 10)),
    (r"\log_2 x", log(x_scalar, 2)),
    ("log10(x)", log(x_scalar, 10)),
    ("log2(x)", log(x_scalar, 2)),
    (r"\log_e x", log(x_scalar)),
    (r"\exp(s_k)", exp(s[k])),
    ("exp(a)", exp(a)),
    (r"\max(0, u)", Max(0, u)),
    ("max(0, u)", Max(0, u)),
    (r"\max\{0, u\}", Max(0, u)),
    (r"\max(a, b, c)", Max(a, b, c)),
    (r"\sigma(z)", sigmoid(z)),
    ("sigma(z)", sigmoid(z)),
    ("σ(z)", sigmoid(z)),
    (r"\sigma(z)(1-\sigma(z))", sigmoid(z) * (1 - sigmoid(z))),
    (r"\sqrt{x}", sqrt(x_scalar)),
    ("sqrt(4)", Integer(2)),
    (r"\sqrt{2}", sqrt(2)),
])
def test_functions(text, expected):
    parses_to(text, expected)


@pytest.mark.parametrize("base, expected", [("e", log(a)), ("10", log(a, 10)), ("2", log(a, 2))])
def test_log_base_sets_the_bare_log(base, expected):
    parses_to(r"\log a", expected, log_base=base)
    parses_to("log(a)", expected, log_base=base)
    parses_to(r"\ln a", log(a), log_base=base)
    parses_to(r"\log_{10} a", log(a, 10), log_base=base)


def test_unknown_log_base_option_is_a_programming_error():
    with pytest.raises(ValueError, match="log_base"):
        parse_expression("x", log_base="3")


# ---- indicators and conditions ---------------------------------------------------------------------------------

MARGIN = s[j] - s[y] + Delta


@pytest.mark.parametrize("text", [
    r"\mathbb{1}(s_j - s_{y_i} + \Delta > 0)",
    r"\mathbb{1}[s_j - s_{y_i} + \Delta > 0]",
    r"\mathbb{1}_{s_j - s_{y_i} + \Delta > 0}",
    r"\mathbb{1}_{(s_j - s_{y_i} + \Delta > 0)}",
    r"\mathbb{1}\{s_j - s_{y_i} + \Delta > 0\}",
    r"\mathbb{I}(s_j - s_{y_i} + \Delta > 0)",
    r"\mathbb{I}[s_j - s_{y_i} + \Delta > 0]",
    r"\mathbf{1}(s_j - s_{y_i} + \Delta > 0)",
    r"1_{(s_j - s_{y_i} + \Delta > 0)}",
    r"1_{s_j - s_{y_i} + \Delta > 0}",
    r"1(s_j - s_{y_i} + \Delta > 0)",
    r"1[s_j - s_{y_i} + \Delta > 0]",
    r"𝟙[s_j - s_{y_i} + \Delta > 0]",
    r"[s_j - s_{y_i} + \Delta > 0]",
    r"[0 < s_j - s_{y_i} + \Delta]",
    r"[s_j + \Delta > s_{y_i}]",
    r"[s_{y_i} < s_j + Δ]",
    r"\mathbb{1}(s_j - s_{y_i} + \Delta \gt 0)",
])
def test_indicator_of_a_positive_margin(text):
    parses_to(text, indicator(MARGIN))


@pytest.mark.parametrize("text, expected", [
    ("[u > 0]", indicator(u)),
    ("[a > b]", indicator(a - b)),
    ("[a < b]", indicator(b - a)),
    ("[a >= b]", Heaviside(a - b, 1)),
    (r"[a \geq b]", Heaviside(a - b, 1)),
    (r"[a \ge b]", Heaviside(a - b, 1)),
    ("[a ≥ b]", Heaviside(a - b, 1)),
    ("[a <= b]", Heaviside(b - a, 1)),
    (r"[a \leq b]", Heaviside(b - a, 1)),
    ("[a ≤ b]", Heaviside(b - a, 1)),
    ("[j = y_i]", KroneckerDelta(j, y)),
    ("[j == k]", KroneckerDelta(j, k)),
    ("[j = y]", KroneckerDelta(j, y)),
    (r"\mathbb{1}(j = y_i)", KroneckerDelta(j, y)),
    (r"[j \neq y_i]", 1 - KroneckerDelta(j, y)),
    (r"[j \ne y_i]", 1 - KroneckerDelta(j, y)),
    ("[j != k]", 1 - KroneckerDelta(j, k)),
    ("[j ≠ y_i]", 1 - KroneckerDelta(j, y)),
    ("[k = 0]", KroneckerDelta(k, 0)),
    ("1(a + b)", a + b),                           # 1(...) without a condition is just a product
    ("1 [a]", a),
])
def test_conditions(text, expected):
    parses_to(text, expected)


# ---- Kronecker delta -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (r"\delta_{jk}", KroneckerDelta(j, k)),
    (r"\delta_{j,k}", KroneckerDelta(j, k)),
    (r"\delta_{j y_i}", KroneckerDelta(j, y)),
    (r"\delta_{jy_i}", KroneckerDelta(j, y)),
    ("delta_{k,y}", KroneckerDelta(k, y)),
    ("δ_{jk}", KroneckerDelta(j, k)),
    (r"p_k - \delta_{k y_i}", p[k] - KroneckerDelta(k, y)),
])
def test_kronecker_delta(text, expected):
    parses_to(text, expected)


# ---- sums ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    r"\sum_{j \neq y_i} \max(0, s_j - s_{y_i} + \Delta)",
    r"\sum_{j \ne y_i} \max(0, s_j - s_{y_i} + \Delta)",
    r"\sum_{j != y} \max(0, s_j - s_{y_i} + \Delta)",
    r"\sum_{j \neq y_i} \max\{0, s_j - s_{y_i} + \Delta\}",
    r"\sum\limits_{j \neq y_i} \max(0, s_j - s_{y_i} + \Delta)",
    r"∑_{j≠y_i} max(0, s_j - s_{y_i} + Δ)",
    r"sum_{j != y}(max(0, s_j - s_y + Delta))",
    r"\sum_{j \neq y_i}^{K} \max(0, s_j - s_{y_i} + \Delta)",
])
def test_svm_loss_sums_over_the_other_classes(text):
    parses_to(text, SumExcept(Max(0, MARGIN), j, y))


@pytest.mark.parametrize("text", [
    r"\sum_{j=1}^{K} e^{s_j}",
    r"\sum_{j=1}^K e^{s_j}",
    r"\sum_{j=0}^{K-1} e^{s_j}",
    r"\sum_{j=0}^{K - 1} e^{s_j}",
    r"\sum_j e^{s_j}",
    r"\sum_{j} e^{s_j}",
    r"\sum_j^K e^{s_j}",
    r"Σ_j e^{s_j}",
    "sum_j(exp(s_j))",
    "sum(exp(s_j), j)",
])
def test_sums_over_all_classes(text):
    parses_to(text, all_classes_sum(exp(s[j]), j))


def test_summand_extends_over_the_product_term_only():
    parses_to(r"\sum_j s_j x_j + c", all_classes_sum(s[j] * x[j], j) + c)
    parses_to(r"2 \sum_j s_j x_j - c", 2 * all_classes_sum(s[j] * x[j], j) - c)
    parses_to(r"-\sum_{j \neq y_i} \mathbb{1}(s_j - s_{y_i} + \Delta > 0)", -SumExcept(indicator(MARGIN), j, y))
    parses_to(r"\sum_{j \neq y_i} -\mathbb{I}(s_j - s_{y_i} + \Delta > 0)", SumExcept(-indicator(MARGIN), j, y))


def test_sums_with_explicit_bounds():
    parses_to(r"\sum_{j=0}^{2} s_j", Sum(s[j], (j, 0, 2)))
    parses_to(r"\sum_{k=1}^{3} s_k", Sum(s[k], (k, 1, 3)))


def test_softmax():
    softmax = exp(s[k]) / all_classes_sum(exp(s[m]), m)
    parses_to(r"\frac{e^{s_k}}{\sum_{m=1}^{K} e^{s_m}}", softmax)
    parses_to(r"\frac{\exp(s_k)}{\sum_{m=0}^{K-1} \exp(s_m)}", softmax)
    parses_to("exp(s_k) / sum(exp(s_m), m)", softmax)


# ---- vectors and matrices --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("[-1, 0, 1]", ImmutableMatrix([-1, 0, 1])),
    ("(-1, 0, 1)", ImmutableMatrix([-1, 0, 1])),
    (r"\left[ -1, 0, 1 \right]", ImmutableMatrix([-1, 0, 1])),
    ("[-0.732, 0.004, 0.728]", ImmutableMatrix([Rational(-183, 250), Rational(1, 250), Rational(182, 250)])),
    ("[p_0 - 1, p_1, p_2]", ImmutableMatrix([p[0] - 1, p[1], p[2]])),
    (r"\begin{bmatrix} 1 \\ 2 \end{bmatrix}", ImmutableMatrix([1, 2])),
    (r"\begin{bmatrix} 1 \\ 2 \\ \end{bmatrix}", ImmutableMatrix([1, 2])),
    (r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}", ImmutableMatrix([[1, 2], [3, 4]])),
    (r"\begin{pmatrix} 1 & 2 \end{pmatrix}", ImmutableMatrix([[1, 2]])),
    (r"\begin{matrix} a \\ b \end{matrix}", ImmutableMatrix([a, b])),
    ("[[1, 2], [3, 4]]", ImmutableMatrix([[1, 2], [3, 4]])),
    ("[[1, 2]]", ImmutableMatrix([[1, 2]])),
    ("[[1], [2]]", ImmutableMatrix([1, 2])),
])
def test_vectors_and_matrices(text, expected):
    result = parse_expression(text)
    assert isinstance(result, ImmutableMatrix)
    assert result.shape == expected.shape
    assert result == expected


def test_flat_list_is_a_column_vector():
    assert parse_expression("[3, -1, 4]").shape == (3, 1)


# ---- delimiters and left-hand sides ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "$p_k - 1$", "$$p_k - 1$$", r"\(p_k - 1\)", r"\[p_k - 1\]", "  p_k - 1  ",
    r"\frac{\partial L_i}{\partial s_k} = p_k - 1",
    r"$\frac{\partial L_i}{\partial s_k} = p_k - 1$",
    r"\frac{\partial L_i^{softmax}}{\partial s_k} = p_k - 1",
    r"\frac{\partial \mathcal{L}_i}{\partial s_k} = p_k - 1",
    "dL/ds_k = p_k - 1",
    "∂L_i/∂s_k = p_k - 1",
    r"\nabla_{s_k} L_i = p_k - 1",
])
def test_delimiters_and_left_hand_side_are_dropped(text):
    parses_to(text, p[k] - 1)


def test_loss_definition():
    parses_to(r"L_i = -\log p_{y_i}", -log(p[y]))
    parses_to(r"L_i^{SVM} = \sum_{j \neq y_i} \max\{0, s_j - s_{y_i} + \Delta\}", SumExcept(Max(0, MARGIN), j, y))
    parses_to(r"p_j = \frac{e^{s_j}}{\sum_{m=1}^K e^{s_m}}", exp(s[j]) / all_classes_sum(exp(s[m]), m))
    parses_to(r"\frac{\partial L_i}{\partial s} = [-1, 0, 1]", ImmutableMatrix([-1, 0, 1]))


@pytest.mark.parametrize("text", ["a = b", "x = 2", "j = y_i", "L_i = a = b", "s_k = 1"])
def test_equals_after_anything_else_is_an_error(text):
    with pytest.raises(ParseError, match="'='"):
        parse_expression(text)


# ---- answers from the seed homework ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (r"\sum_{j \neq y_i} \max(0, s_j - s_{y_i} + 1)", SumExcept(Max(0, s[j] - s[y] + 1), j, y)),
    (r"- \sum_{j \neq y_i} \mathbb{I}(s_j - s_{y_i} + \Delta > 0)", -SumExcept(indicator(MARGIN), j, y)),
    (r"\mathbb{I}(s_k - s_{y_i} + \Delta > 0)", indicator(s[k] - s[y] + Delta)),
    (r"-\log\left(\frac{e^{s_{y_i}}}{\sum_{m=1}^K e^{s_m}}\right)", -log(exp(s[y]) / all_classes_sum(exp(s[m]), m))),
    (r"-\log\left(\frac{e^{s_{y_i}}}{\sum_j e^{s_j}}\right)", -log(exp(s[y]) / all_classes_sum(exp(s[j]), j))),
    (r"\frac{e^3}{e^3 + e^{-1} + e^4}", exp(3) / (exp(3) + exp(-1) + exp(4))),
    (r"-\log 0.268", -log(Rational(67, 250))),
    (r"\max\{0, -1 - 3 + 1\} + \max\{0, 4 - 3 + 1\}", Integer(2)),
    (r"1_{(s_j - s_{y_i} + 1 > 0)} x_i", indicator(s[j] - s[y] + 1) * x[i]),
    (r"\sum_{j \neq y_i} 1_{(s_j - s_{y_i} + 1 > 0)} \times (-1)", SumExcept(-indicator(s[j] - s[y] + 1), j, y)),
    (r"\left(-\frac{t}{y} + \frac{1-t}{1-y}\right) \cdot y(1-y) \cdot x_j",
     (-t / y_scalar + (1 - t) / (1 - y_scalar)) * y_scalar * (1 - y_scalar) * x[j]),
    (r"(y - t) \cdot x_j", (y_scalar - t) * x[j]),
    (r"\frac{1}{(1+e^{-z})}", 1 / (1 + exp(-z))),
    (r"p_k - [k = y_i]", p[k] - KroneckerDelta(k, y)),
    (r"\sum_j (1 - \delta_{j, y_i}) s_j", all_classes_sum((1 - KroneckerDelta(j, y)) * s[j], j)),
])
def test_seed_answers(text, expected):
    parses_to(text, expected)


# ---- refusals ----------------------------------------------------------------------------------------------------

def refuses(text: str, match: str | None = None, **options) -> ParseError:
    """Assert that ``text`` is refused with a one-line ParseError, within a second (a hang guard)."""
    start = time.perf_counter()
    with pytest.raises(ParseError, match=match) as caught:
        parse_expression(text, **options)
    assert time.perf_counter() - start < 1.0, f"refusing {text[:40]!r} took too long"
    assert "\n" not in str(caught.value) and str(caught.value)
    return caught.value


ADVERSARIAL = [
    "__import__('os').system('echo pwned')",
    "__import__(\"os\").system(\"echo pwned\")",
    'eval("1")',
    "exec('x=1')",
    "lambda: 1",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "s_{__class__}",
    "s_{__import__}",
    "9^{9^{9^9}}",
    "9**9**9**9",
    "10^{100000}",
    "2^{-100000}",
    "(10^{999})^{2}",
    r"(\sqrt{10^{999}})^{1000}",
    "1e999999",
    "(" * 10_000 + "1" + ")" * 10_000,
    "1" * 1_000_000,
    "x" * 3000,
    r"\input{/etc/passwd}",
    r"\include{/etc/passwd}",
    r"\def\x{1}",
    r"\write18{ls}",
    r"\immediate\write18{rm -rf /}",
    r"\catcode`\@=11",
    r"\text{hello}",
    r"\mathbb{R}",
    r"\begin{cases} 1 \end{cases}",
    r"\begin{bmatrix} 1 \end{pmatrix}",
    "е^{x}",                                       # Cyrillic small ie
    "１",                                          # full-width digit one
    "Α + 1",                                       # Greek capital alpha, not A
    "ｓ_k",
    "α",
    "x\x00",
    "1" * 40,
    "",
    "   ",
    "$$",
    "1 +",
    "{1 + 2",
    "1 + 2}",
    r"\frac{1}{2",
    "(1 + 2",
    "foo",
    "ab",
    "logits",
    "Wx_i",
    "s_a",
    "s_{dog}",
    "z_k",
    "s_{j,k}",
    "a > b",
    "2(a > 0)",
    "[1, 2] + 1",
    "[[1, 2], [3]]",
    "1/0",
    r"\log 0",
    r"\frac{1}{0}",
    "0^{-1}",
    r"\delta_{j}",
    r"\sum_c s_c",
    r"\sum_{j}^{N} s_j",
    r"\sum_{j \neq y_i}^{N} s_j",
    r"\sum_{j=0}^{10^{9}} s_j",
    r"\sum_{j=0}^{N} s_j",
    r"\log_3 x",
    "[s_j = s_k]",
    "-" * 1999 + "1",
    "^".join(["x"] * 900),
    " ".join(["a"] * 900),
    r"\log(\log(\log(\log(\log(2)))))",
    r"\sigma(\sigma(\sigma(\sigma(\sigma(2)))))",
    "$x$ + $y$",
    "x'",
    "|x|",
    "x!",
    "s_1.5",
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda text: repr(text[:30]))
def test_adversarial_inputs_are_refused(text):
    refuses(text)


def test_nothing_is_executed(tmp_path):
    sentinel = tmp_path / "pwned"
    payloads = [
        f"__import__('os').system('touch {sentinel}')",
        f"__import__('pathlib').Path('{sentinel}').touch()",
        f"eval(\"open('{sentinel}', 'w')\")",
        f"exec(\"open('{sentinel}', 'w')\")",
        f"Symbol('x').__class__.__init__.__globals__['os'].system('touch {sentinel}')",
        f"\\write18{{touch {sentinel}}}",
    ]
    for payload in payloads:
        refuses(payload)
    assert not sentinel.exists()


def test_deep_nesting_is_refused_before_parsing():
    refuses("(" * 10_000 + "1" + ")" * 10_000, "too deeply nested", max_length=100_000)
    refuses("[" * 51 + "1" + "]" * 51, "too deeply nested")
    parses_to("(" * 50 + "1" + ")" * 50, Integer(1))


def test_crafted_numeric_towers_stay_fast():
    tower = r"\frac{1}{\log(\frac{1}{\log(\frac{1}{\log(\frac{1}{\log(%d)})})})}"
    text = "+".join(tower % n for n in range(3, 30))
    start = time.perf_counter()
    try:
        parse_expression(text)
    except ParseError as error:
        assert "too expensive" in str(error)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("text, message", [
    ("foo + 1", "unknown name 'foo'"),
    ('eval("1")', "unknown name 'eval'"),
    (r"\input{/etc/passwd}", r"\input"),
    (r"\def\x{1}", r"\def"),
    (r"\write18{ls}", r"\write"),
    ("е^{x}", "U+0435 CYRILLIC SMALL LETTER IE"),
    ("１", "U+FF11 FULLWIDTH DIGIT ONE"),
    ("1" * 40, "40 digits"),
    ("9^{9^{9^9}}", "exponent too large"),
    ("10^{100000}", "exponent too large"),
    ("x" * 2001, "input too long"),
    ("", "empty"),
    ("1 +", "end of input"),
    ("a > b", "indicator"),
    ("s_a", "unknown index 'a'"),
    ("z_k", "'z' takes no subscript"),
    ("1/0", "division by zero"),
    (r"\mathbb{R}", r"\mathbb{R}"),
    ("s_{dog}", "unknown name 'dog'"),
    ("x^T w", "transposes"),
    (r"\frac{\partial L_i}{\partial s_k}", r"unexpected \partial after '\frac{': only a left-hand side"),
    ("1 + 2}", "unexpected '}' after '1 + 2'"),
])
def test_refusals_say_why(text, message):
    refuses(text, re.escape(message))


def test_caps_are_configurable():
    parses_to("1 + " * 600 + "1", Integer(601), max_length=3000)
    refuses("1 + 1", "input too long", max_length=3)
    refuses("((1))", "too deeply nested", max_depth=1)


def test_non_strings_are_a_type_error():
    with pytest.raises(TypeError):
        parse_expression(b"1")


# ---- the package -------------------------------------------------------------------------------------------------

def test_grammar_has_no_conflicts(caplog):
    grammar = resources.files("derivations.parse").joinpath("expression.lark").read_text(encoding="utf-8")
    with caplog.at_level(logging.DEBUG, logger="lark"):
        lark.Lark(grammar, parser="lalr", debug=True)
    assert not [r for r in caplog.records if "conflict" in r.getMessage().lower()]


def test_import_does_not_build_the_parser():
    code = ("import derivations.parse as parse, derivations.parse.grammar as grammar; "
            "print(grammar.parser.cache_info().currsize)")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert result.stdout.strip() == "0"


def test_notation_table():
    assert len(NOTATION) >= 20
    assert all(isinstance(typed, str) and isinstance(meaning, str) and typed and meaning for typed, meaning in NOTATION)


def test_result_types():
    assert isinstance(parse_expression("s_k"), sympy.Basic)
    assert isinstance(parse_expression("[1, 2]"), ImmutableMatrix)
