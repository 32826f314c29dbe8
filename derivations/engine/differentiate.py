"""The step-recording differentiator.

``differentiate(expr, var)`` starts from the unevaluated derivative
``d/dvar expr`` and rewrites it one rule at a time until no derivative is
left, recording a :class:`~derivations.steps.Step` for each rewrite. Each step
applies one rule (to every place where that rule is the one that applies), so
the chain reads like a hand derivation:

    d/dz log(1 + e^{-z}) = (1 / (1 + e^{-z})) d/dz (1 + e^{-z}) = ...

Choosing a rule (:func:`choose_rule`, a dispatch on the expression's type) is
kept apart from the rules themselves (:mod:`derivations.rules`). When no rule
applies, the derivative is left standing under a :class:`~derivations.rules.NoRule`
step: the result is never a silent 0.
"""
from __future__ import annotations

import sympy
from sympy import Add, Derivative, Heaviside, Indexed, KroneckerDelta, Max, Min, Mul, Pow, Sum, Symbol, exp, log

from . import rules as R
from .elementary import one_argument
from .functions import LeakyRelu
from .maxima import Argmax, MaxOver, derivative_of_max
from .notation import Sigmoid, SumExcept, indicator, p, plain_symbols, s
from .steps import Step

#: which indexed names are functions of which others: p_j depends on every score
DEPENDENCIES = {p: {s}}


def d(expr, var):
    """The unevaluated derivative d expr / d var."""
    return Derivative(expr, var, evaluate=False)


def depends_on(expr, var) -> bool:
    """Whether ``expr`` may vary with ``var`` (a symbol, or an indexed score s_k)."""
    if isinstance(var, Indexed):
        base = var.base
        if expr.has(base):
            return True
        return any(expr.has(b) for b, deps in DEPENDENCIES.items() if base in deps)
    return expr.has(var) and var in plain_symbols(expr)       # x varies in x_0 x, not in x_0 alone


def _variable_atoms(expr, var):
    """The atoms of ``expr`` that are variables of the same kind as ``var``."""
    if isinstance(var, Indexed):
        return {a for a in expr.atoms(Indexed) if a.base == var.base}
    return {var}


def _is_linear(expr, var) -> bool:
    """Whether ``expr`` is c_0 + sum c_i v_i with constants c_i and variables v_i like ``var``."""
    if not depends_on(expr, var):
        return False
    terms = Add.make_args(expr)
    if len(terms) < 2 and not isinstance(expr, Mul):
        return False
    atoms = _variable_atoms(expr, var)
    for term in terms:
        if not depends_on(term, var):
            continue
        coeff, rest = term.as_coeff_Mul()
        factors = Mul.make_args(rest)
        variables = [f for f in factors if f in atoms]
        constants = [f for f in factors if f not in atoms]
        if len(variables) != 1 or any(depends_on(c, var) for c in constants):
            return False
    return True


def _fresh_index(used, preferred=("m", "n", "l", "q")):
    names = {str(u) for u in used}
    for name in preferred:
        if name not in names:
            return Symbol(name, integer=True)
    i = 1
    while f"j{i}" in names:
        i += 1
    return Symbol(f"j{i}", integer=True)


def _sum_parts(expr):
    """(summand, index, rebuild) for a Sum with one limit or a SumExcept."""
    if isinstance(expr, SumExcept):
        return expr.function, expr.index, lambda f, i=expr.index: SumExcept(
            f, i, expr.excluded, expr.lower, expr.upper)
    if isinstance(expr, Sum) and len(expr.limits) == 1:
        index, lo, hi = expr.limits[0]
        return expr.function, index, lambda f, i=index: Sum(f, (i, lo, hi))
    if isinstance(expr, Sum):
        # sum_i sum_j f (SymPy keeps nested sums as one): the innermost index, the outer sums kept around it
        (index, lo, hi), outer = expr.limits[0], expr.limits[1:]
        return expr.function, index, lambda f, i=index: Sum(f, (i, lo, hi), *outer)
    return None


def choose_rule(expr, var):
    """The rule that applies to d expr / d var, and the expression it rewrites it to.

    The rewritten expression may hold new unevaluated derivatives (of the inner
    functions); the driver rewrites those in later steps.
    """
    if not depends_on(expr, var):
        return R.ConstantRule(expr, var), sympy.S.Zero
    if expr == var:
        return R.IdentityRule(var), sympy.S.One
    if isinstance(expr, Indexed) and isinstance(var, Indexed) and expr.base == var.base:
        return R.IndexedVariableRule(expr, var), same_entry(expr, var)
    if _is_linear(expr, var):
        return R.LinearRule(expr, var), _linear_derivative(expr, var)
    if isinstance(expr, Add):
        varying = tuple(t for t in expr.args if depends_on(t, var))
        constant = tuple(t for t in expr.args if not depends_on(t, var))
        return R.SumRule(varying, constant), Add(*[d(t, var) for t in varying])
    if isinstance(expr, Mul):
        return _choose_product(expr, var)
    if isinstance(expr, Pow):
        base, exponent = expr.args
        if exponent == sympy.S.Half:
            return R.SqrtRule(base, var), _chain(1 / (2 * expr), base, var)
        if not depends_on(exponent, var):
            rewritten = exponent * base ** (exponent - 1)
            return R.PowerRule(base, exponent, var), _chain(rewritten, base, var)
        if not depends_on(base, var):
            rewritten = expr * log(base)
            return R.ExponentialRule(base, exponent, var), _chain(rewritten, exponent, var)
        return R.LogarithmicDifferentiation(base, exponent, var), Mul(expr, d(exponent * log(base), var))
    if isinstance(expr, exp):
        inner = expr.args[0]
        return R.ExpRule(inner, var), _chain(expr, inner, var)
    if isinstance(expr, log) and len(expr.args) == 1:
        inner = expr.args[0]
        return R.LogRule(inner, var), _chain(1 / inner, inner, var)
    if isinstance(expr, Sigmoid):
        inner = expr.args[0]
        return R.SigmoidRule(inner, var), _chain(expr * (1 - expr), inner, var)
    if isinstance(expr, Max) and len(expr.args) == 2 and sympy.S.Zero in expr.args:
        inner = expr.args[1] if expr.args[0] == 0 else expr.args[0]
        return R.MaxZeroRule(inner, var), _chain(indicator(inner), inner, var)
    if isinstance(expr, (Max, Min)) and len(expr.args) == 2:
        return _choose_max_min(expr, var)
    if isinstance(expr, (Max, Min)):
        return _choose_extreme_of_many(expr, var)
    if isinstance(expr, LeakyRelu) and not depends_on(expr.args[1], var):
        inner, slope = expr.args
        rewritten = indicator(inner) + slope * (1 - indicator(inner))
        return R.LeakyReluRule(inner, slope, var), _chain(rewritten, inner, var)
    elementary = one_argument(expr)
    if elementary is not None:
        rule, outer = elementary
        inner = expr.args[0]
        return rule(inner, var), _chain(outer, inner, var)
    if isinstance(expr, Heaviside):
        return R.IndicatorRule(expr.args[0], var), sympy.S.Zero
    if isinstance(expr, MaxOver):
        fresh = _fresh_index(expr.free_symbols | var.free_symbols | {expr.index})
        return R.MaxOverRule(expr.function, expr.index, var), derivative_of_max(expr, var, fresh)
    if isinstance(expr, Argmax):
        return R.ArgmaxRule(var), sympy.S.Zero
    if isinstance(expr, sympy.sign):
        return R.SignRule(expr.args[0], var), sympy.S.Zero
    parts = _sum_parts(expr)
    if parts is not None:
        summand, index, rebuild = parts
        if index in var.free_symbols:
            fresh = _fresh_index(expr.free_symbols | var.free_symbols | {index})
            summand, index = summand.xreplace({index: fresh}), fresh
        return R.SumLinearityRule(summand, index, var), rebuild(d(summand, var), index)
    return R.NoRule(expr, var), d(expr, var)


def _choose_max_min(expr, var):
    """max(u, v) or min(u, v) of two expressions: the derivative of the one that is larger (smaller).

    On the kink u = v the derivative is v's, u and v in SymPy's order of the
    arguments, so that the two partial derivatives of max(x, y) at x = y are a
    subgradient (0 and 1). With a constant c among the two, only the other
    one's derivative is left, 0 on the kink as for max(0, u): d/dx max(c, v) = 1[v - c > 0] dv/dx.
    (Another variable is not a constant here: d/dy max(x, y) = 1 - 1[x - y > 0].)
    """
    first, second = expr.args
    is_max = isinstance(expr, Max)
    rule = (R.MaxRule if is_max else R.MinRule)(first, second, var)
    if not first.free_symbols or not second.free_symbols:
        varying, constant = (second, first) if not first.free_symbols else (first, second)
        picked = indicator(varying - constant if is_max else constant - varying)
        return rule, Mul(picked, d(varying, var))
    picked = indicator(first - second if is_max else second - first)
    return rule, Mul(picked, d(first, var)) + Mul(1 - picked, d(second, var))

def _choose_extreme_of_many(expr, var):
    """max(u_1, ..., u_n) (or min) of three or more: the derivative of the largest (smallest) one, a case each.

    Case i holds where u_i is the last of the largest in SymPy's order of the arguments: u_i >= u_j for
    each earlier j and u_i > u_j for each later j (1[.. >= 0] and 1[.. > 0]); the cases cover every point
    and never overlap, so a tie passes the derivative of the last of the tied arguments. Constant
    arguments have no derivative and drop out.
    """
    arguments = expr.args
    is_max = isinstance(expr, Max)
    rule = (R.MaxOfManyRule if is_max else R.MinOfManyRule)(tuple(arguments), var)
    terms = []
    for i, argument in enumerate(arguments):
        if not depends_on(argument, var):
            continue
        weights = []
        for j, other in enumerate(arguments):
            if j == i:
                continue
            gap = argument - other if is_max else other - argument
            weights.append(Heaviside(gap, 1) if j < i else indicator(gap))
        terms.append(Mul(*weights, d(argument, var)))
    return rule, Add(*terms)


def same_entry(a: Indexed, b: Indexed):
    """d a / d b for two entries of one indexed name: delta_{jk} for s_j, s_k; delta_{ad} delta_{bc} for W_ab, W_dc."""
    if len(a.indices) != len(b.indices):
        raise ValueError(f"{a} and {b} have different numbers of indices")
    return Mul(*[KroneckerDelta(i, j) for i, j in zip(a.indices, b.indices)])


def _chain(outer_derivative, inner, var):
    """outer'(u) times du/dvar; the factor is dropped when u is the variable itself."""
    if inner == var:
        return outer_derivative
    return Mul(outer_derivative, d(inner, var))


def _linear_derivative(expr, var):
    """sum_i c_i d v_i / d var for expr = c_0 + sum_i c_i v_i."""
    total = sympy.S.Zero
    for term in Add.make_args(expr):
        if not depends_on(term, var):
            continue
        coeff, rest = term.as_coeff_Mul()
        factors = Mul.make_args(rest)
        atoms = _variable_atoms(expr, var)
        variable = next(f for f in factors if f in atoms)
        constant = Mul(coeff, *[f for f in factors if f is not variable])
        if isinstance(variable, Indexed):
            total += constant * same_entry(variable, var)
        else:
            total += constant * (1 if variable == var else 0)
    return total


def _choose_product(expr, var):
    factors = expr.args
    constant = [f for f in factors if not depends_on(f, var)]
    varying = [f for f in factors if depends_on(f, var)]
    if constant:
        c, rest = Mul(*constant), Mul(*varying)
        return R.ConstantFactorRule(c, rest), Mul(c, d(rest, var))
    numerator, denominator = sympy.fraction(expr, exact=True)
    if denominator != 1 and depends_on(denominator, var) and depends_on(numerator, var):
        rewritten = (d(numerator, var) * denominator - numerator * d(denominator, var)) / denominator ** 2
        return R.QuotientRule(numerator, denominator), rewritten
    terms = []
    for i, factor in enumerate(varying):
        others = varying[:i] + varying[i + 1:]
        terms.append(Mul(*others, d(factor, var)))
    return R.ProductRule(tuple(varying)), Add(*terms)


def derivative_nodes(expr):
    """The unevaluated derivatives in ``expr``, outermost first, left to right."""
    found = []

    def walk(e):
        if isinstance(e, Derivative):
            found.append(e)
            return
        for arg in e.args:
            walk(arg)

    walk(expr)
    return found


def rewrite_step(current):
    """One step: apply the rule of the first derivative to every derivative that same rule fits.

    Returns ``None`` when no derivative is left (or only ones no rule applies to).
    """
    choices = []
    for node in derivative_nodes(current):
        expr, (var, _count) = node.expr, node.variable_count[0]
        rule, rewritten = choose_rule(expr, var)
        choices.append((node, rule, rewritten))
    pending = [c for c in choices if not isinstance(c[1], R.NoRule)]
    if not pending:
        stuck = [c for c in choices if isinstance(c[1], R.NoRule)]
        return None, [rule for _, rule, _ in stuck]
    kind = type(pending[0][1])
    chosen = [c for c in pending if type(c[1]) is kind]
    replaced = {node: rewritten for node, _, rewritten in chosen}
    after = current.xreplace(replaced)
    applied = [rule for _, rule, _ in chosen]
    return Step(current, after, applied[0], more=tuple(applied[1:]), replaced=tuple(replaced.items())), []


def differentiate(expr, var, *, start=None, max_steps=60):
    """The steps from ``start`` (default d expr / d var) to an expression with no derivative in it.

    When a derivative is left that no rule applies to, a final ``NoRule`` step
    records it (before = after); the caller sees the derivation is incomplete.
    """
    current = start if start is not None else d(expr, var)
    steps = []
    for _ in range(max_steps):
        step, stuck = rewrite_step(current)
        if step is None:
            if stuck:
                steps.append(Step(current, current, stuck[0], more=tuple(stuck[1:])))
            return steps
        steps.append(step)
        current = step.after
    raise RuntimeError(f"differentiation did not finish in {max_steps} steps")
