"""derive diff on a corpus of expressions, side by side with sympy.diff in the same run.

    python bench/diff_corpus.py [--runs 3] [--sizes 10,100,1000] [--quick]

1. The corpus (polynomials to nested compositions of every supported function,
   at least 100 expressions): each is differentiated by ``derive diff`` (the
   library call the command makes: parse, every step verified, the shorter
   form, the final check); the bench asserts that each derivation is verified
   and that its result equals ``sympy.diff`` of the expression (definitions
   of sigma, ReLU, softplus put in) at random points where both are real.
   It prints the median time per expression of derive diff and of sympy.diff
   (on the parsed expression) and their ratio, each the median of --runs runs,
   runs interleaved, every cache (SymPy's, the compiled evaluators) cleared
   before each timed call, as in a fresh command (whose start-up,
   ``import sympy`` and the parser, ``bench/cold_start.py`` measures).
2. Growth with size: sums of random terms of about 10, 100 and 1,000 nodes
   (three expressions per size): derive diff's median time, sympy.diff's, and
   time per node. The command line caps input at 2,000 characters (about 700
   to 900 nodes of such sums); the 1,000-node sums are longer, and are run
   through the library with the cap raised (``max_length=4000``), as the
   table says.

Figures measured while other jobs run are noisy; the ratios come from one run.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sympy  # noqa: E402

from derivations import calculus  # noqa: E402
from derivations.engine.functions import DEFINITIONS  # noqa: E402
from derivations.engine.shorten import size  # noqa: E402
from derivations.engine.verify import expand_definitions  # noqa: E402

X = sympy.Symbol("x", real=True)

#: written by hand: what a course meets, from polynomials to nested compositions
HAND = [
    "x^2", "3*x^3 - 2*x + 1", "(x + 1)^5", "x^7 - x^4 + 2*x^2 - 9", "(2*x - 3)^2*(x + 4)",
    "1/x", "1/(1 + x^2)", "(x^2 + 1)/(x - 2)", "x/(1 + x)^3", "sqrt(x)", "sqrt(1 + x^2)", "x^(3/2)",
    "exp(x)", "exp(-x^2)", "x*exp(2*x)", "exp(a*x)/(1+exp(a*x))", "exp(x)/(1 + exp(x))^2", "2^x", "a^x",
    "log(x)", "log(1 + exp(-x))", "log(x^2 + 1)", "x*log(x)", "log(log(x))", "log(x - 1)", "log(1 + sqrt(x))",
    "sin(x)*cos(x)", "sin(x)^2 + cos(x)^2", "tan(x)", "sin(2*x + 1)", "cos(x^2)", "x*sin(x)", "sin(x)/x",
    "cot(x)", "sec(x)", "csc(x)", "tan(x)^2", "sin(cos(x))", "cos(sin(x^2))",
    "arcsin(x)", "arccos(x/2)", "arctan(x^2)", "arccot(x)", "arcsin(sqrt(x))", "atan(1/x)",
    "sinh(x)", "cosh(2*x)", "tanh(x)", "tanh(3*x - 1)", "coth(x)", "sech(x)", "csch(x)", "x*tanh(x)",
    "arsinh(x)", "arcosh(x + 2)", "artanh(x/2)", "tanh(tanh(x))",
    "abs(x)", "abs(x - 1)*x", "sqrt(x^2)", "x/abs(x)",
    "x^x", "x^(1/x)", "(1 + x)^x", "x^sin(x)",
    "sigmoid(x)", "sigmoid(2*x + 1)", "x*sigmoid(x)", "log(sigmoid(x))", "sigmoid(x)*(1 - sigmoid(x))",
    "1/(1 + exp(-(a*x + b)))", "relu(x)", "relu(2*x - 1)", "relu(x)^2", "leaky_relu(x, 0.01)",
    "leaky_relu(3*x, a)", "softplus(x)", "softplus(-x)", "log(1 + exp(x))", "erf(x)", "gelu(x)", "erf(x/2)^2",
    "max(0, x)", "max(0, 1 - x)", "max(x, x^2)", "min(x, 1 - x)", "max(0, x - 1)^2", "min(0, x)*x",
    "x^2 [x > 0] + x [x <= 0]", "[x > 1] x^3",
    "sqrt(1 + tanh(x)^2)", "log(cosh(x))", "exp(sin(x))*cos(x)", "sigmoid(tanh(x))", "softplus(sin(x))",
    "relu(tanh(x))", "log(1 + x^2)/(1 + x^2)", "tanh(log(1 + x^2))", "atan(exp(x))", "exp(-x)*sin(3*x)",
]

#: every one-argument function of derive diff, for generated compositions
FUNCTIONS = ["sin", "cos", "tan", "arctan", "sinh", "cosh", "tanh", "arsinh", "exp", "log", "sqrt", "abs",
             "sigmoid", "relu", "softplus", "erf"]
INNER = ["x", "2*x + 1", "x^2", "x^2 + 1"]


def corpus(seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    generated = []
    for f in FUNCTIONS:
        for inner in rng.sample(INNER, 2):
            generated.append(f"{f}({inner})")
        g = rng.choice(FUNCTIONS)
        generated.append(f"{f}({g}(x))")
        generated.append(f"x*{f}({rng.randint(2, 5)}*x)")
    return HAND + generated


TERMS = ["{c}*sin({k}*x)", "{c}*x^{n}", "exp({k}*x)", "{c}*tanh(x-{k})", "log({k}+x^2)", "sqrt({k}+x^2)",
         "{c}*x*cos({k}*x)", "sigmoid({k}*x)", "relu(x-{k})", "atan({k}*x)", "{L}*x^{n}"]


def sum_of_terms(nodes: int, rng: random.Random) -> str:
    """A sum of random terms with at least ``nodes`` nodes once read."""
    terms = []
    while True:
        for _ in range(max(1, nodes // 60)):               # read the sum again only every few terms
            terms.append(rng.choice(TERMS).format(c=rng.randint(2, 99), k=rng.randint(2, 99), n=rng.randint(2, 9),
                                                  L=rng.choice("abcdgh")))
        text = "+".join(terms)
        if size(calculus.read_expression(text, max_length=10 ** 5)) >= nodes:
            return text


def agrees_with_sympy(expression: str, result, rng: random.Random, points: int = 6) -> bool:
    """``result`` equals sympy.diff of the expression at random points where both are real numbers."""
    expr = expand_definitions(calculus.read_expression(expression, max_length=10 ** 5), DEFINITIONS)
    reference = sympy.diff(expr, X)
    mine = expand_definitions(result, DEFINITIONS)
    others = sorted(expr.free_symbols - {X}, key=str)
    compared = 0
    for _ in range(60):
        values = {X: sympy.Float(rng.uniform(-3, 3), 30)}
        values.update({s: sympy.Float(rng.uniform(0.5, 2), 30) for s in others})
        try:
            a, b = mine.evalf(30, subs=values), reference.evalf(30, subs=values)
        except (ValueError, TypeError, ArithmeticError):
            continue                                          # not a real number there (relu of log x, x < 0)
        if not (a.is_real and b.is_real and a.is_finite and b.is_finite):
            continue
        if abs(a - b) > 1e-12 * max(1, abs(b)):
            return False
        compared += 1
        if compared == points:
            return True
    return False


def clear_caches() -> None:
    """Forget what earlier runs computed (SymPy's cache, compiled evaluators), as a fresh command would."""
    from sympy.core.cache import clear_cache

    from derivations.engine import evaluate
    from derivations.engine.verify import domain, unknowns
    clear_cache()
    evaluate._COMPILED.clear()
    evaluate._DERIVATIVES.clear()
    unknowns._UNKNOWNS.clear()
    domain.solved_interval.cache_clear()


def timed(function) -> float:
    """Seconds ``function()`` takes with every cache cleared first."""
    clear_caches()
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def run_corpus(expressions, runs: int):
    rng = random.Random(11)
    mine, theirs, failures = {e: [] for e in expressions}, {e: [] for e in expressions}, []
    parsed = {e: calculus.read_expression(e) for e in expressions}
    for e in expressions:                                     # check once: verified, and equal to sympy.diff
        d = calculus.derivative(e, "x")
        if not d.verified or not agrees_with_sympy(e, d.results["derivative"].expr, rng):
            failures.append(e)
    for _ in range(runs):                                     # then time, derive diff and sympy.diff interleaved
        for e in expressions:
            mine[e].append(timed(lambda: calculus.derivative(e, "x")))
            theirs[e].append(timed(lambda: sympy.diff(parsed[e], X)))
    per_mine = [statistics.median(v) for v in mine.values()]
    per_theirs = [statistics.median(v) for v in theirs.values()]
    return per_mine, per_theirs, failures


def run_sizes(sizes, runs: int):
    rng = random.Random(5)
    rows = []
    for n in sizes:
        texts = [sum_of_terms(n, rng) for _ in range(3)]
        parsed = [calculus.read_expression(t, max_length=10 ** 5) for t in texts]
        mine, theirs = [], []
        for text, expr in zip(texts, parsed):
            cap = None if len(text) <= 2000 else 4000
            d = calculus.derivative(text, "x", max_length=cap)
            assert d.verified, text
            mine.append(statistics.median(timed(lambda: calculus.derivative(text, "x", max_length=cap))
                                          for _ in range(runs)))
            theirs.append(statistics.median(timed(lambda: sympy.diff(expr, X)) for _ in range(runs)))
        nodes = statistics.median(size(p) for p in parsed)
        chars = statistics.median(len(t) for t in texts)
        rows.append((n, nodes, chars, statistics.median(mine), statistics.median(theirs)))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--quick", action="store_true", help="the first 20 expressions of the corpus only")
    args = parser.parse_args(argv)

    calculus.derivative("x^2", "x")                          # build the parser and warm the caches
    expressions = corpus()[:20] if args.quick else corpus()
    per_mine, per_theirs, failures = run_corpus(expressions, args.runs)
    print(f"corpus: {len(expressions)} expressions, {len(expressions) - len(failures)} verified and equal to "
          f"sympy.diff at random points" + (f"; FAILED: {failures}" if failures else ""))
    m, t = statistics.median(per_mine), statistics.median(per_theirs)
    print()
    print("| per expression (median of the corpus) | derive diff | sympy.diff | ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| median | {m * 1000:.1f} ms | {t * 1000:.2f} ms | {m / t:.0f} |")
    print(f"| slowest | {max(per_mine) * 1000:.0f} ms | {max(per_theirs) * 1000:.1f} ms | |")
    print()
    print("| nodes (median of 3 sums) | characters | derive diff | sympy.diff | derive diff per node |")
    print("| --- | --- | --- | --- | --- |")
    for n, nodes, chars, mine, theirs in run_sizes([int(s) for s in args.sizes.split(",")], args.runs):
        note = " (cap raised)" if chars > 2000 else ""
        print(f"| {nodes} | {chars}{note} | {mine * 1000:.0f} ms | {theirs * 1000:.1f} ms | "
              f"{mine / nodes * 1000:.2f} ms |")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
