"""Property-based tests of every derivation command (hypothesis), against NumPy and mpmath references.

Every drawn input must end in one of two ways: exit 0 with strict JSON whose numbers match the
reference, or exit 2 with one line on stderr. Never exit 1, never a traceback, and never longer than
:data:`DEADLINE_SECONDS` for one command (hypothesis's deadline).

The test command runs the "ci" profile: :data:`CI_EXAMPLES` examples per command, derandomized (the
same examples on every machine, so CI is reproducible). ``DERIVE_PROPERTIES=long`` (or
``python bench/properties.py``) runs the "long" profile: :data:`LONG_EXAMPLES` random examples per command.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
from datetime import timedelta
from fractions import Fraction

import mpmath
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main

CI_EXAMPLES = 12
LONG_EXAMPLES = 200
DEADLINE_SECONDS = 30

settings.register_profile("ci", max_examples=CI_EXAMPLES, derandomize=True, deadline=timedelta(seconds=DEADLINE_SECONDS),
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                          database=None)
settings.register_profile("long", max_examples=LONG_EXAMPLES, deadline=timedelta(seconds=DEADLINE_SECONDS),
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                          database=None)
PROFILE = "long" if os.environ.get("DERIVE_PROPERTIES") == "long" else "ci"

# --- what is drawn -----------------------------------------------------------------------------

#: numbers as a user types them: ordinary ones, and some a user should be told about
ORDINARY = st.one_of(st.integers(-20, 20).map(str),
                     st.floats(-60, 60, allow_nan=False, allow_infinity=False).map(lambda v: repr(round(v, 3))),
                     st.sampled_from(["0", "0.5", "-1.25", "1e-3", "12.75"]))
HOSTILE = st.sampled_from(["1e400", "-1e308", "2999", "-3500", "1e-320", "nan", "inf", "abc", "1 2", "", "1e-400"])
NUMBER = st.one_of(*[ORDINARY] * 7, HOSTILE)          # one number in eight is one to refuse


@st.composite
def score_vectors(draw, low=2, high=6):
    return draw(st.lists(NUMBER, min_size=low, max_size=high))


def label_for(draw, count):
    return draw(st.one_of(st.integers(0, max(count - 1, 0)), st.sampled_from([-1, count, 10 ** 6])))


# --- running a command ----------------------------------------------------------------------------

def run(args):
    """(exit status, stdout, stderr) of ``derive ARGS --format json --no-cache`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args + ["--format", "json", "--no-cache"])
    return code, out.getvalue(), err.getvalue()


def strict(text):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def outcome(args):
    """The parsed JSON of a successful run, or None for a clean refusal; anything else fails the test."""
    code, out, err = run(args)
    assert code in (0, 2), f"exit {code}: {err}"
    assert "Traceback" not in err
    if code == 2:
        lines = err.strip().splitlines()
        assert out == "" and len(lines) == 1 and lines[0].startswith("derive: error:"), err
        return None
    data = strict(out)
    assert data["verified"] is True
    return data


def exact(text) -> Fraction:
    return Fraction(text.strip())


def close(value, reference, rel=1e-9, abs_=1e-300):
    """A JSON number against an mpmath/NumPy reference; null only where float64 cannot hold the reference."""
    reference = float(reference) if not isinstance(reference, float) else reference
    if value is None:
        return not math.isfinite(reference)
    return math.isclose(value, reference, rel_tol=rel, abs_tol=abs_)


# --- the properties -----------------------------------------------------------------------------------

@settings(settings.get_profile(PROFILE))
@given(st.data())
def test_svm_grad(data):
    scores = data.draw(score_vectors())
    label = label_for(data.draw, len(scores))
    delta = data.draw(st.one_of(ORDINARY, HOSTILE))
    result = outcome(["svm-grad", "--scores", ",".join(scores), "--label", str(label), "--delta", delta])
    if result is None:
        return
    s = [exact(v) for v in scores]
    margins = [v - s[label] + exact(delta) for v in s]
    loss = sum(max(Fraction(0), m) for i, m in enumerate(margins) if i != label)
    grad = [1.0 if (i != label and m > 0) else 0.0 for i, m in enumerate(margins)]
    grad[label] = -sum(grad)
    assert close(result["results"]["loss"]["value"], float(loss) if loss < 1e308 else math.inf)
    assert result["results"]["dscores"]["value"] == grad


@settings(settings.get_profile(PROFILE))
@given(st.data())
def test_softmax_grad(data):
    scores = data.draw(score_vectors())
    label = label_for(data.draw, len(scores))
    scale = data.draw(st.one_of(st.just("1"), ORDINARY, HOSTILE))
    result = outcome(["softmax-grad", "--scores", ",".join(scores), "--label", str(label), "--scale", scale])
    if result is None:
        return
    with mpmath.workdps(60):
        c = mpmath.mpf(exact(scale).numerator) / exact(scale).denominator
        s = [c * mpmath.mpf(exact(v).numerator) / exact(v).denominator for v in scores]
        terms = [mpmath.exp(v - s[label]) for v in s]
        total = mpmath.fsum(terms)
        probs = [t / total for t in terms]
        loss = mpmath.log1p(mpmath.fsum(t for i, t in enumerate(terms) if i != label))
        others = mpmath.fsum(p for i, p in enumerate(probs) if i != label)
    assert close(result["results"]["loss"]["value"], loss)
    assert all(close(v, p) for v, p in zip(result["results"]["probs"]["value"], probs))
    grad = [(-others if i == label else p) for i, p in enumerate(probs)]
    assert all(close(v, g) for v, g in zip(result["results"]["dscores"]["value"], grad))


@settings(settings.get_profile(PROFILE))
@given(score_vectors(high=5))
def test_softmax_jacobian(scores):
    result = outcome(["softmax-jacobian", "--scores", ",".join(scores)])
    if result is None:
        return
    with mpmath.workdps(60):
        s = [mpmath.mpf(exact(v).numerator) / exact(v).denominator for v in scores]
        terms = [mpmath.exp(v - max(s)) for v in s]
        p = [t / mpmath.fsum(terms) for t in terms]
        # the diagonal p_j (1 - p_j) as p_j times the other probabilities: NumPy's p - p^2 loses the digits
        expected = [[p[a] * mpmath.fsum(p[c] for c in range(len(p)) if c != a) if a == b else -p[a] * p[b]
                     for b in range(len(p))] for a in range(len(p))]
    got = result["results"]["jacobian"]["value"]
    assert all(close(got[a][b], expected[a][b]) for a in range(len(p)) for b in range(len(p)))


@settings(settings.get_profile(PROFILE))
@given(st.data())
def test_logistic_grad(data):
    count = data.draw(st.integers(1, 5))
    weights = data.draw(st.lists(NUMBER, min_size=count, max_size=count))
    inputs = data.draw(st.lists(NUMBER, min_size=count, max_size=data.draw(st.sampled_from([count, count, count + 1]))))
    target = data.draw(st.one_of(st.sampled_from(["0", "1", "0.3"]), HOSTILE))
    result = outcome(["logistic-grad", "--weights", ",".join(weights), "--inputs", ",".join(inputs),
                      "--target", target])
    if result is None:
        return
    with mpmath.workdps(60):
        w = [mpmath.mpf(exact(v).numerator) / exact(v).denominator for v in weights]
        x = [mpmath.mpf(exact(v).numerator) / exact(v).denominator for v in inputs]
        t = mpmath.mpf(exact(target).numerator) / exact(target).denominator
        z = mpmath.fsum(a * b for a, b in zip(w, x))
        y, one_minus_y = 1 / (1 + mpmath.exp(-z)), 1 / (1 + mpmath.exp(z))
        error = (1 - t) * y - t * one_minus_y              # y - t without cancelling y against t = 1
        loss = t * mpmath.log1p(mpmath.exp(-z)) + (1 - t) * mpmath.log1p(mpmath.exp(z))   # no cancellation
    assert close(result["results"]["z"]["value"], z)
    assert close(result["results"]["loss"]["value"], loss, rel=1e-8)
    assert all(close(v, error * xi, rel=1e-8) for v, xi in zip(result["results"]["dw"]["value"], x))


@settings(settings.get_profile(PROFILE))
@given(st.data())
def test_compare(data):
    count = data.draw(st.integers(2, 4))
    vectors = data.draw(st.lists(st.lists(NUMBER, min_size=count, max_size=count), min_size=1, max_size=2))
    label = label_for(data.draw, count)
    result = outcome(["compare", "--scores", ";".join(",".join(v) for v in vectors), "--label", str(label)])
    if result is None:
        return
    for n, vector in enumerate(vectors):
        s = [exact(v) for v in vector]
        svm = sum(max(Fraction(0), v - s[label] + 1) for i, v in enumerate(s) if i != label)
        assert close(result["results"]["svm_loss"]["value"][n], float(svm))
        with mpmath.workdps(60):
            gaps = [mpmath.mpf((v - s[label]).numerator) / (v - s[label]).denominator for v in s]
            softmax = mpmath.log1p(mpmath.fsum(mpmath.exp(g) for i, g in enumerate(gaps) if i != label))
        assert close(result["results"]["softmax_loss"]["value"][n], softmax)


# --- derive diff: expressions from a small grammar of functions that work on main -------------------------

def _leaf():
    return st.one_of(st.just(("z", lambda z: z)),
                     st.integers(1, 5).map(lambda n: (str(n), lambda z, n=n: mpmath.mpf(n))),
                     st.sampled_from([("0.5", lambda z: mpmath.mpf("0.5"))]))


def _extend(children):
    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda ab: (f"({ab[0][0]}) + ({ab[1][0]})", lambda z, f=ab[0][1], g=ab[1][1]: f(z) + g(z))),
        pairs.map(lambda ab: (f"({ab[0][0]}) - ({ab[1][0]})", lambda z, f=ab[0][1], g=ab[1][1]: f(z) - g(z))),
        pairs.map(lambda ab: (f"({ab[0][0]}) * ({ab[1][0]})", lambda z, f=ab[0][1], g=ab[1][1]: f(z) * g(z))),
        children.map(lambda a: (f"exp({a[0]})", lambda z, f=a[1]: mpmath.exp(f(z)))),
        children.map(lambda a: (f"log(1 + exp({a[0]}))", lambda z, f=a[1]: mpmath.log(1 + mpmath.exp(f(z))))),
        children.map(lambda a: (f"({a[0]})^2", lambda z, f=a[1]: f(z) ** 2)),
        children.map(lambda a: (f"max(0, {a[0]})", lambda z, f=a[1]: max(mpmath.mpf(0), f(z)))),
    )


EXPRESSIONS = st.recursive(_leaf(), _extend, max_leaves=4)


@settings(settings.get_profile(PROFILE))
@given(EXPRESSIONS, st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 2)))
def test_diff(expression, at):
    text, function = expression
    result = outcome(["diff", text, "--wrt", "z"])
    if result is None:
        return
    import sympy  # reading back the engine's own output, never user text
    names = {"z": sympy.Symbol("z", real=True), "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)),
             "softplus": lambda u: sympy.log(1 + sympy.exp(u))}       # the shorter forms derive diff writes
    derivative = sympy.sympify(result["results"]["derivative"]["exact"], locals=names)
    with mpmath.workdps(40):
        point = mpmath.mpf(at)
        values = [function(point + h) for h in (-mpmath.mpf(10) ** -8, 0, mpmath.mpf(10) ** -8)]
        kink = any(abs(v) < 1e-6 for v in values)          # max(0, u) next to u = 0: no derivative to compare
        if kink or "max" in text:
            return                                          # the engine's own checks stay away from kinks too
        reference = mpmath.diff(function, point)
    got = derivative.subs(sympy.Symbol("z", real=True), sympy.Rational(str(at))).evalf(30)
    assert abs(float(got) - float(reference)) <= 1e-8 * max(1.0, abs(float(reference)))


# --- derive diff: every function of the language, raised to powers, nested and composed, in every format ------

def _real_cbrt(u):
    return mpmath.sign(u) * abs(u) ** (mpmath.mpf(1) / 3)


#: each function of the language (as typed, {} its argument) with its mpmath reference
FUNCTIONS = [
    ("sin({})", mpmath.sin), ("cos({})", mpmath.cos), ("tan({})", mpmath.tan), ("cot({})", mpmath.cot),
    ("sec({})", mpmath.sec), ("csc({})", mpmath.csc), ("arcsin({})", mpmath.asin), ("arccos({})", mpmath.acos),
    ("arctan({})", mpmath.atan), ("arccot({})", lambda u: mpmath.atan(1 / u)), ("sinh({})", mpmath.sinh),
    ("cosh({})", mpmath.cosh), ("tanh({})", mpmath.tanh), ("coth({})", mpmath.coth), ("sech({})", mpmath.sech),
    ("csch({})", mpmath.csch), ("arsinh({})", mpmath.asinh), ("arcosh({})", mpmath.acosh),
    ("artanh({})", mpmath.atanh), ("exp({})", mpmath.exp), ("log({})", mpmath.log), ("ln({})", mpmath.log),
    ("log10({})", mpmath.log10), ("log2({})", lambda u: mpmath.log(u, 2)), ("log({}, 3)", lambda u: mpmath.log(u, 3)),
    ("sqrt({})", mpmath.sqrt), ("cbrt({})", _real_cbrt), ("abs({})", abs), ("|{}|", abs),
    ("sigmoid({})", lambda u: 1 / (1 + mpmath.exp(-u))), (r"\sigma({})", lambda u: 1 / (1 + mpmath.exp(-u))),
    ("relu({})", lambda u: max(u, 0)), ("leaky_relu({})", lambda u: u if u > 0 else u / 100),
    ("leaky_relu({}, 0.2)", lambda u: u if u > 0 else u / 5),
    ("softplus({})", lambda u: mpmath.log(1 + mpmath.exp(u))), ("erf({})", mpmath.erf),
    ("gelu({})", lambda u: u / 2 * (1 + mpmath.erf(u / mpmath.sqrt(2)))),
    ("max({}, 0)", lambda u: max(u, 0)), ("max({}, 1, -{})", None), ("min({}, 1)", lambda u: min(u, 1)),
    ("pow({}, 3)", lambda u: u ** 3),
]


def _apply(entry, inner):
    template, function = entry
    text = template.replace("{}", f"({inner[0]})") if template.count("{}") > 1 else template.format(inner[0])
    if function is None:                                   # max(u, 1, -u)
        return text, lambda z, f=inner[1]: max(f(z), mpmath.mpf(1), -f(z))
    return text, lambda z, f=inner[1], g=function: g(f(z))


def _composed(children):
    power = st.sampled_from(["2", "3", "-1"])
    return st.one_of(
        st.tuples(st.sampled_from(FUNCTIONS), children).map(lambda fa: _apply(*fa)),
        st.tuples(st.sampled_from(FUNCTIONS), children, power).map(
            lambda fap: ((lambda t, f: (f"({t})^{fap[2]}" if not t.endswith(")") or t.startswith("|")
                                        else f"{t}^{fap[2]}", lambda z: f(z) ** int(fap[2]))))(*_apply(fap[0], fap[1]))),
        st.tuples(children, children).map(lambda ab: (f"({ab[0][0]}) * ({ab[1][0]})",
                                                      lambda z, f=ab[0][1], g=ab[1][1]: f(z) * g(z))),
    )


COMPOSED = st.recursive(st.just(("x", lambda z: z)), _composed, max_leaves=3)


def _one_sided_slopes_agree(function, point) -> bool:
    h = mpmath.mpf(10) ** -12
    right = (function(point + h) - function(point)) / h
    left = (function(point) - function(point - h)) / h
    return abs(right - left) <= 1e-6 * max(1, abs(right))


@settings(settings.get_profile(PROFILE))
@given(COMPOSED, st.sampled_from(["0.37", "-0.81", "1.3", "2.6"]))
def test_diff_of_every_function_powered_and_nested_in_every_format(expression, at):
    """Every function of the language, raised to powers, nested and composed: verified in all four formats
    (or refused with one line), and its value right wherever the reference is a real number away from kinks."""
    import sympy  # reading back the engine's own result, never user text

    from derivations import calculus
    from derivations.engine.functions import DEFINITIONS
    from derivations.engine.inputs import InputError
    from derivations.engine.verify import expand_definitions
    text, function = expression
    try:
        d = calculus.derivative(text, "x")
    except InputError as error:
        assert "\n" not in str(error)
        return
    for fmt in ("text", "markdown", "latex"):
        assert getattr(d, f"to_{fmt}")()
    data = strict(d.to_json())
    assert not d.unevaluated, (text, d.unevaluated)
    if not d.verified:                 # too few points in the domain: said, never "verified"
        assert data["verified"] is False and d.warnings
        return
    with mpmath.workdps(40):
        point = mpmath.mpf(at)
        try:
            value = function(point)
            reference = mpmath.diff(function, point)
        except (ValueError, ZeroDivisionError, TypeError):
            return
        if not all(isinstance(v, mpmath.mpf) and mpmath.isfinite(v) for v in (value, reference)) \
                or not _one_sided_slopes_agree(function, point):
            return
        x = sympy.Symbol("x", real=True)
        got = expand_definitions(d.results["derivative"].expr, DEFINITIONS).xreplace({x: sympy.Rational(at)})
        got = sympy.N(got, 30)
        if not got.is_real or not got.is_finite:
            return                     # outside the domain the report states
        assert abs(mpmath.mpf(str(got)) - reference) <= 1e-9 * max(1, abs(reference)), (text, at, got, reference)
