"""Writing a derived result shorter, one named step at a time (never an unexplained ``simplify()``).

:func:`shorten` proposes rewrites of an expression, each under a rule of
:mod:`derivations.engine.rules`:

* like terms collected once the numerator is multiplied out (``collect_like_terms``);
* fractions over a common denominator (``combine_fractions``), a common factor
  taken out (``factor``), common factors of a fraction cancelled (``cancel``);
* each e^{k u} written with sigma(u) = e^u / (1 + e^u) (``recognise_sigmoid``), so that
  a e^{ax} / (1 + e^{ax})^2 becomes a sigma(ax)(1 - sigma(ax)) as a course writes it;
* log(a b) = log a + log b and log(a^n) = n log a where a and b are positive (``log_of_product``);
* u / |u| = sign(u) and u sign(u) = |u| (``write_with_sign``).

It takes the algebraic proposal that makes the expression shortest (fewest
nodes); when none is shorter, a sigmoid form no longer than the exponential
one, or split logarithms; and repeats until nothing is shorter. The steps it returns are not yet verified: the
caller's verifier checks each one like any other step.
"""
from __future__ import annotations

import sympy
from sympy import Abs, Add, Mul, Pow, exp, log

from . import rules as R
from .algebra import multiply_out
from .notation import Sigmoid
from .steps import Step
from .verify.exact import costly_to_expand

#: rounds of rewriting at most
MAX_ROUNDS = 5

#: expressions larger than this (in nodes) are not rewritten: the search would cost more than it shows
MAX_NODES = 400

#: a sum of more terms than this is rewritten term by term
TERMWISE = 3

#: e^{k u} is written with sigma(u) only for |k| up to this ((sigma / (1 - sigma))^1000 is not shorter)
MAX_SIGMOID_POWER = 6


def size(expr) -> int:
    """The number of nodes of ``expr``: how long it is to read."""
    return sum(1 for _ in sympy.preorder_traversal(expr))


def positive_signs(expr):
    """``-a (s - 1)`` as ``a (1 - s)``: a negative coefficient of a product moved into one of its sums."""
    if not isinstance(expr, Mul):
        return expr
    coefficient, rest = expr.as_coeff_Mul()
    if not (coefficient.is_Number and coefficient < 0):
        return expr
    factors = list(Mul.make_args(rest))
    for i, factor in enumerate(factors):
        if isinstance(factor, Add) and any(t.as_coeff_Mul()[0] < 0 for t in factor.args):
            factors[i] = -factor
            return Mul(-coefficient, *factors)
    return expr


def _collect_numerator(expr, var):
    numerator, denominator = sympy.fraction(expr, exact=True)
    if not isinstance(numerator, Add):
        return None
    expanded = multiply_out(numerator)
    if len(Add.make_args(expanded)) >= len(Add.make_args(numerator)):
        return None                 # nothing collected: multiplying out only makes it longer
    return R.CollectLikeTerms(), expanded / denominator


def _combine_fractions(expr, var):
    if not isinstance(expr, Add) or not any(sympy.fraction(t, exact=True)[1] != 1 for t in expr.args):
        return None
    return R.CombineFractions(), sympy.together(expr)


def _take_out_factor(expr, var):
    if not isinstance(expr, Add):
        return None
    factored = sympy.factor_terms(expr)
    if factored == expr or not isinstance(factored, Mul):
        return None
    common = Mul(*[f for f in Mul.make_args(factored) if not isinstance(f, Add)])
    return R.Factor(common), factored


def _cancel(expr, var):
    numerator, denominator = sympy.fraction(expr, exact=True)
    if denominator == 1 or not denominator.has(var):
        return None
    return R.CancelFraction(), sympy.factor(expr)


def _in_a_denominator(expr) -> set:
    """The exponentials inside a sum that is divided by: the e^u of 1 / (1 + e^u)."""
    found = set()
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, Pow) and node.exp.is_negative and isinstance(node.base, Add):
            found |= node.base.atoms(exp)
    return found


def _sigmoid_forms(expr, var):
    """One proposal per exponent u of an e^u in a denominator: every e^{k u} (k a whole number) written with sigma(u)."""
    if not _in_a_denominator(expr):
        return []
    exponents = []
    for node in _in_a_denominator(expr):
        u = node.args[0]
        coefficient, rest = u.as_coeff_Mul()
        if rest.could_extract_minus_sign():
            rest = -rest                      # sigma(w x + b), not sigma(-w x - b)
        if rest.has(var) and rest not in exponents:
            exponents.append(rest)
    proposals = []
    for u in exponents:
        sigma = sympy.Dummy("sigma")
        replacements, complete = {}, True
        for node in expr.atoms(exp):
            ratio = sympy.cancel(node.args[0] / u)
            if ratio.is_Integer and abs(ratio) > MAX_SIGMOID_POWER:
                complete = False
            elif ratio.is_Integer:
                replacements[node] = (sigma / (1 - sigma)) ** ratio
            elif node.args[0].has(var) and not ratio.free_symbols.isdisjoint(u.free_symbols):
                complete = False
        if not complete or not replacements:
            continue
        rational = sympy.factor(sympy.cancel(sympy.together(expr.xreplace(replacements))))
        if rational.has(exp) and any(n.args[0].has(*u.free_symbols) for n in rational.atoms(exp)):
            continue
        proposals.append((R.RecogniseSigmoid(u), positive_signs(rational.xreplace({sigma: Sigmoid(u)}))))
    return proposals


def _known_positive(factor, positive: set) -> bool:
    return bool(factor.is_positive) or factor in positive


def _split_logs(expr, var, positive=frozenset()):
    changed = {}
    for node in expr.atoms(log):
        argument = node.args[0]
        if isinstance(argument, Mul) and all(_known_positive(f, positive) for f in argument.args):
            changed[node] = Add(*[log(f) for f in argument.args])
        elif isinstance(argument, Pow) and argument.exp.is_Rational and _known_positive(argument.base, positive):
            changed[node] = argument.exp * log(argument.base)
        elif isinstance(argument, exp):
            changed[node] = argument.args[0]
    if not changed:
        return None
    return R.LogOfProduct(), expr.xreplace(changed)


def _sign(expr, var):
    changed = expr.replace(lambda e: isinstance(e, Mul) and any(
        isinstance(f, sympy.sign) and f.args[0] in e.args for f in e.args), _times_sign)
    changed = changed.replace(lambda e: isinstance(e, Mul) and any(
        isinstance(f, Pow) and f.exp == -1 and isinstance(f.base, Abs) and f.base.args[0] in e.args for f in e.args),
        lambda e: _divide_by_abs(e))
    if changed == expr:
        return None
    return R.WriteWithSign(), changed


def _times_sign(product):
    """u sign(u) = |u|."""
    factors = list(product.args)
    for f in factors:
        if isinstance(f, sympy.sign) and f.args[0] in factors:
            factors.remove(f)
            factors.remove(f.args[0])
            return Mul(Abs(f.args[0]), *factors)
    return product


def _divide_by_abs(product):
    factors = list(product.args)
    for f in factors:
        if isinstance(f, Pow) and f.exp == -1 and isinstance(f.base, Abs) and f.base.args[0] in factors:
            u = f.base.args[0]
            factors.remove(f)
            factors.remove(u)
            return Mul(sympy.sign(u), *factors)
    return product


PROPOSERS = (_collect_numerator, _combine_fractions, _take_out_factor, _cancel, _sign)


def proposals(expr, var, positive=frozenset(), *, algebra=True) -> list:
    """The (rule, rewritten expression) proposals for ``expr`` that change it: the algebraic ones
    (collect, combine, factor, cancel, sign) or, with ``algebra=False``, the named functions and logarithms."""
    found = []
    if costly_to_expand(expr):
        return found                      # (x + 1)^200: multiplying out or factoring would take minutes
    try:
        if algebra:
            for propose in PROPOSERS:
                proposal = propose(expr, var)
                if proposal is not None:
                    found.append(proposal)
        else:
            found += _sigmoid_forms(expr, var)
            split = _split_logs(expr, var, positive)
            if split is not None:
                found.append(split)
    except (sympy.PolynomialError, ValueError, TypeError, RecursionError):
        pass
    return [(rule, after) for rule, after in found if after != expr]


def _better(rule, after, current) -> bool:
    """Whether ``after`` is worth a step: shorter, or the same length in sigma(u) (the form a course writes)."""
    if isinstance(rule, R.RecogniseSigmoid):
        return size(after) <= size(current) + 2
    return size(after) < size(current)


def _candidates(expr, var, positive) -> list:
    """The proposals worth a step, algebra first (e^z/(1 + e^z)^2, then sigma(z)(1 - sigma(z))), shortest first."""
    found = []
    for algebra in (True, False):
        found += sorted(((rule, after) for rule, after in proposals(expr, var, positive, algebra=algebra)
                         if _better(rule, after, expr)), key=lambda c: size(c[1]))
    return found


def _termwise(current, var, positive):
    """One step for a long sum: the first kind of rule that shortens some term, applied to every term it shortens."""
    terms = Add.make_args(current)
    best = {}
    for term in terms:
        if term.has(var):
            found = _candidates(term, var, positive)
            if found:
                best[term] = found
    if not best:
        return None
    kind = type(next(iter(best.values()))[0][0])
    chosen, rules = {}, []
    for term, found in best.items():
        for rule, after in found:
            if type(rule) is kind:
                chosen[term] = after
                rules.append(rule)
                break
    after = Add(*[chosen.get(t, t) for t in terms])
    return Step(current, after, rules[0], more=tuple(rules[1:]), replaced=tuple(chosen.items()))


def shorten(expr, var, *, accept=None, positive=frozenset()) -> list[Step]:
    """The steps that write ``expr`` shorter, best proposal first in each round.

    A sum is first written shorter term by term (one step applies one kind of
    rule to every term it shortens); a sum of at most :data:`TERMWISE` terms
    is then also tried as a whole (a common denominator, a common factor).
    So the search grows with the number of terms, not with their product.
    ``accept(step)`` may verify a step and say whether to keep it (a
    proposal that fails is dropped, and the next best one tried).
    ``positive`` holds expressions known to be positive where the result holds
    (for splitting logarithms).
    """
    steps = []
    current = expr
    for _ in range(MAX_ROUNDS):
        if size(current) > MAX_NODES:
            break
        terms = len(Add.make_args(current))
        if terms > 1:                               # each term on its own first: e^u/(1 + e^u)^2 + arcsin x
            step = _termwise(current, var, positive)
            if step is not None and (accept is None or accept(step)):
                steps.append(step)
                current = step.after
                continue
            if terms > TERMWISE:
                break
        for rule, after in _candidates(current, var, positive):
            step = Step(current, after, rule)
            if accept is None or accept(step):
                steps.append(step)
                current = after
                break
        else:
            break
    return steps


__all__ = ["shorten", "proposals", "positive_signs", "size"]
