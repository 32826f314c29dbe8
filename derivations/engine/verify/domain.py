"""Where an expression is a real number: the domain of every function in it, and points drawn inside it.

Each function met adds a condition on its argument (:func:`domain_conditions`):

* log u and u^v with v not a whole number (sqrt u, x^x): u > 0;
* u^{-n} (a division): u != 0;
* arcsin u, arccos u, artanh u: 1 - u^2 > 0; arcosh u: u - 1 > 0;
* tan u, sec u: cos u != 0; cot u, csc u: sin u != 0; coth u, csch u, arccot u: u != 0.

A condition on one unknown that is a polynomial or a ratio of polynomials is
solved for an interval (``x - 1 > 0`` gives x > 1); points are drawn inside
those intervals, near 0 where the domain allows and next to its edge
otherwise (``log(x - 1000)`` is sampled in (1000, 1006)), and every draw
must pass every condition at least :data:`DOMAIN_CLEARANCE` away from its
boundary (so finite differences never straddle it). A point that cannot be
found is not invented: the caller reports how few points it had.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy
from sympy import Indexed, Pow, Symbol, log

from ..evaluate import NotEvaluable, point_key
from ..notation import SumExcept
from .sampling import variable_key

#: a condition u > 0 must hold with u > this at a sample point (and |u| > this for u != 0)
DOMAIN_CLEARANCE = 1e-2

#: draws tried for one point before giving up
DRAWS_PER_POINT = 60

#: how far the window of an unbounded domain reaches, in multiples of the sampler's spread, tried in turn
WIDENINGS = (1, 4, 16, 64)


@dataclass(frozen=True)
class Condition:
    """``expr > 0`` (``relation`` ">") or ``expr != 0`` (``relation`` "!="), required by ``source``."""

    expr: sympy.Expr
    relation: str
    source: sympy.Expr

    def relational(self):
        """The condition as a SymPy relation, for reports."""
        return sympy.Gt(self.expr, 0, evaluate=False) if self.relation == ">" else sympy.Ne(self.expr, 0,
                                                                                           evaluate=False)

    def holds(self, value: float) -> bool:
        """Whether ``expr`` = ``value`` satisfies the condition, with clearance."""
        return value > DOMAIN_CLEARANCE if self.relation == ">" else abs(value) > DOMAIN_CLEARANCE


_POSITIVE_ARGUMENT = (log,)
_INSIDE_UNIT = (sympy.asin, sympy.acos, sympy.atanh)
_COS_NONZERO = (sympy.tan, sympy.sec)
_SIN_NONZERO = (sympy.cot, sympy.csc)
_ARG_NONZERO = (sympy.coth, sympy.csch, sympy.acot)


def _conditions_of(node):
    """The conditions one node puts on its arguments."""
    if isinstance(node, _POSITIVE_ARGUMENT) and len(node.args) == 1:
        return [Condition(node.args[0], ">", node)]
    if isinstance(node, Pow):
        base, exponent = node.args
        if exponent.is_integer:
            return [Condition(base, "!=", node)] if exponent.is_negative else []
        return [Condition(base, ">", node)]
    if isinstance(node, _INSIDE_UNIT):
        return [Condition(1 - node.args[0] ** 2, ">", node)]
    if isinstance(node, sympy.acosh):
        return [Condition(node.args[0] - 1, ">", node)]
    if isinstance(node, _COS_NONZERO):
        return [Condition(sympy.cos(node.args[0]), "!=", node)]
    if isinstance(node, _SIN_NONZERO):
        return [Condition(sympy.sin(node.args[0]), "!=", node)]
    if isinstance(node, _ARG_NONZERO):
        return [Condition(node.args[0], "!=", node)]
    return []


def _decided(condition: Condition):
    """True or False when SymPy knows the condition holds (fails) everywhere, else None."""
    u = condition.expr
    if condition.relation == ">":
        return u.is_positive if u.is_positive or u.is_nonpositive else None
    if u.is_zero is not None:
        return not u.is_zero
    return None


#: functions that are 0 only where their argument is: f(u) != 0 is u != 0
_ZERO_ONLY_AT_ZERO = (sympy.sinh, sympy.tanh, sympy.asinh, sympy.atan, sympy.asin, sympy.atanh, sympy.erf,
                      sympy.Abs, sympy.sign)


def _normalised(condition: Condition) -> Condition:
    """The same condition on a simpler expression: log u - c > 0 is u - e^c > 0, sqrt(u) != 0 and
    sinh(u) != 0 are u != 0."""
    for _ in range(8):
        u = condition.expr
        logs = [t for t in sympy.Add.make_args(u) if isinstance(t, log)]
        if len(logs) == 1 and len(logs[0].args) == 1 and not (u - logs[0]).free_symbols:
            constant = u - logs[0]                        # log v + c > 0 iff v > e^{-c}
            condition = Condition(logs[0].args[0] - sympy.exp(-constant), condition.relation, condition.source)
        elif isinstance(u, Pow) and u.exp.is_Rational and u.exp > 0 and (
                condition.relation == "!=" or not u.exp.is_integer):
            condition = Condition(u.base, condition.relation, condition.source)
        elif condition.relation == "!=" and isinstance(u, _ZERO_ONLY_AT_ZERO):
            condition = Condition(u.args[0], condition.relation, condition.source)
        else:
            return condition
    return condition


def domain_conditions(*exprs) -> tuple[Condition, ...]:
    """The conditions under which every function in ``exprs`` is real (and differentiable), in order met.

    Conditions SymPy decides to hold everywhere (1 + e^{-z} > 0, p_j > 0 for a
    positive p) are left out; so are those inside a sum, whose index is bound.
    A condition that fails everywhere (log of a negative number) is kept: it
    has no free symbols, and :func:`never_real` names it.
    """
    found: dict = {}
    stack = [e for e in exprs if isinstance(e, sympy.Basic)]
    while stack:
        node = stack.pop()
        if isinstance(node, (sympy.Sum, SumExcept)):
            continue
        for condition in _conditions_of(node):
            condition = _normalised(condition)
            key = (condition.expr, condition.relation)
            if key not in found and _decided(condition) is not True:
                found[key] = condition
        stack.extend(reversed(node.args))
    return tuple(c for c in found.values() if c.relation == ">" or (c.expr, ">") not in found)


def never_real(conditions) -> Condition | None:
    """The first condition that fails everywhere, or None: on numbers alone (log(-1), (-1)^x's base),
    or on one unknown with no solution (log(-2 - x^2))."""
    for condition in conditions:
        if not condition.expr.free_symbols and _decided(condition) is False:
            return condition
        solved = solved_interval(condition)
        if solved is not None and solved.is_empty:
            return condition
    return None


def _unknown(condition: Condition):
    """The one plain unknown ``condition`` depends on, or None (several, or an indexed one)."""
    free = condition.expr.free_symbols
    if len(free) != 1 or condition.expr.atoms(Indexed):
        return None
    (x,) = free
    return x if isinstance(x, Symbol) and not x.is_integer else None


@functools.lru_cache(maxsize=512)
def solved_interval(condition: Condition):
    """The set of values of its one unknown where a polynomial or rational condition holds, or None."""
    x = _unknown(condition)
    if x is None or condition.relation != ">":
        return None
    u = condition.expr
    numerator, denominator = sympy.fraction(sympy.together(u))
    if not (numerator.is_polynomial(x) and denominator.is_polynomial(x)):
        return None
    if sympy.degree(numerator, x) > 4 or sympy.degree(denominator, x) > 4:
        return None
    try:
        return sympy.solve_univariate_inequality(sympy.Gt(u, 0), x, relational=False)
    except Exception:  # noqa: BLE001 - an inequality SymPy cannot solve is sampled by rejection alone
        return None


def intervals(conditions) -> dict:
    """Unknown -> the set where every solvable condition on it alone holds."""
    found: dict = {}
    for condition in conditions:
        solved = solved_interval(condition)
        if solved is None:
            continue
        x = _unknown(condition)
        found[x] = found.get(x, sympy.S.Reals).intersect(solved)
    return found


def _pieces(region) -> list:
    """The intervals of a set (an Interval or a Union of them), as (low, high) floats (infinite allowed)."""
    if isinstance(region, sympy.Union):
        parts = region.args
    else:
        parts = (region,)
    pieces = []
    for part in parts:
        if isinstance(part, sympy.Interval):
            pieces.append((float(part.start), float(part.end)))
    return pieces


def window(region, spread: float) -> list:
    """Where to draw values in ``region``: its part within (-spread, spread) if that is wide enough,
    else the piece nearest to 0, cut to 2 spread next to its finite edge."""
    pieces = [(max(lo, -spread), min(hi, spread)) for lo, hi in _pieces(region)]
    pieces = [(lo, hi) for lo, hi in pieces if hi - lo > 0]
    if sum(hi - lo for lo, hi in pieces) >= 0.25 * spread:
        return pieces
    candidates = [(lo, hi) for lo, hi in _pieces(region) if hi > lo]
    if not candidates:
        return []
    lo, hi = min(candidates, key=lambda p: 0 if p[0] <= 0 <= p[1] else min(abs(p[0]), abs(p[1])))
    if lo == float("-inf"):
        lo = hi - 2 * spread
    if hi == float("inf"):
        hi = lo + 2 * spread
    return [(lo, hi)]


class DomainSampler:
    """Draws points inside the domain given by ``conditions``, with a :class:`~.sampling.Sampler`'s generator."""

    def __init__(self, sampler, conditions):
        self.sampler = sampler
        self.conditions = tuple(conditions)
        self.regions = intervals(self.conditions)

    def inside(self, evaluator, point) -> bool:
        """Whether ``point`` passes every condition (a condition that cannot be evaluated fails it)."""
        for condition in self.conditions:
            try:
                value = evaluator.value(condition.expr, point)
            except NotEvaluable:
                continue                    # a condition on something the instance does not have
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                return False
            if not condition.holds(value):
                return False
        return True

    def draw(self, evaluator, variables, start=None):
        """A point inside the domain (filling ``start``'s missing unknowns), or None after many draws."""
        rng = self.sampler.rng
        for widening in WIDENINGS:
            spread = self.sampler.spread * widening
            windows = {point_key(v): window(region, spread)          # in name order: repeatable draws
                       for v, region in sorted(self.regions.items(), key=lambda item: variable_key(item[0]))}
            if any(not w for w in windows.values()):
                return None                 # an empty domain
            for _ in range(DRAWS_PER_POINT // len(WIDENINGS)):
                point = dict(start or {})
                for key, pieces in windows.items():
                    if key not in point:
                        point[key] = _uniform_in(rng, pieces)
                for v in sorted(variables, key=variable_key):
                    if v not in point:
                        point[v] = self.sampler.random_value(v) * widening
                if self.inside(evaluator, point):
                    return point
        return None


def _uniform_in(rng, pieces) -> float:
    """A value drawn uniformly from the union of the intervals ``pieces``."""
    total = sum(hi - lo for lo, hi in pieces)
    at = rng.uniform(0, total)
    for lo, hi in pieces:
        if at <= hi - lo:
            return lo + at
        at -= hi - lo
    lo, hi = pieces[-1]
    return hi


def describe_domain(conditions) -> list:
    """Where the conditions hold, for reports: a list of clauses that all hold.

    A clause is a list of alternatives (joined by "or"), an alternative a tuple
    of relations (joined by "and"). An unknown whose conditions were all
    solved gives one clause from its interval(s) (x > 1; -1 < x and x < 1);
    any other condition is a clause of its own, as it stands (cos x != 0).
    """
    clauses = []
    regions = intervals(conditions)
    for x, region in regions.items():
        clauses.append(_interval_relations(x, region))
    for condition in conditions:
        if solved_interval(condition) is None and not _implied(condition, regions):
            clauses.append([(condition.relational(),)])
    return clauses


def _implied(condition: Condition, regions: dict) -> bool:
    """Whether a condition u != 0 on one unknown holds throughout that unknown's interval (no root of u in it)."""
    x = _unknown(condition)
    if condition.relation != "!=" or x not in regions:
        return False
    u = condition.expr
    if not u.is_polynomial(x):
        return False
    try:
        roots = sympy.real_roots(sympy.Poly(u, x))
    except Exception:  # noqa: BLE001 - a polynomial SymPy cannot solve: say the condition
        return False
    return not any(regions[x].contains(r) == sympy.true for r in roots)


def _interval_relations(x, region) -> list:
    """x > a, x < b, or a < x < b (:class:`Between`), for each piece of ``region``."""
    relations = []
    for part in (region.args if isinstance(region, sympy.Union) else (region,)):
        if not isinstance(part, sympy.Interval):
            continue
        low, high = part.start, part.end
        if low != -sympy.oo and high != sympy.oo:
            relations.append((Between(low, x, high, part.left_open, part.right_open),))
            continue
        lower = None if low == -sympy.oo else (sympy.Gt if part.left_open else sympy.Ge)(x, low, evaluate=False)
        upper = None if high == sympy.oo else (sympy.Lt if part.right_open else sympy.Le)(x, high, evaluate=False)
        relations.append(tuple(r for r in (lower, upper) if r is not None))
    return relations


class Between(sympy.Expr):
    """``low < x < high`` (or with <= where an end is closed), for reports; never computed with."""

    def __new__(cls, low, x, high, strict_low=True, strict_high=True):
        return sympy.Expr.__new__(cls, low, x, high, sympy.true if strict_low else sympy.false,
                                  sympy.true if strict_high else sympy.false)

    def _chain(self, printer, less, less_equal):
        low, x, high, strict_low, strict_high = self.args
        first = less if strict_low == sympy.true else less_equal
        second = less if strict_high == sympy.true else less_equal
        return f"{printer._print(low)} {first} {printer._print(x)} {second} {printer._print(high)}"

    def _derive_latex(self, printer):
        return self._chain(printer, "<", r"\leq")

    def _derive_text(self, printer):
        return self._chain(printer, "<", "≤")

    def _sympystr(self, printer):
        return self._chain(printer, "<", "<=")


__all__ = ["Condition", "DomainSampler", "domain_conditions", "never_real", "describe_domain", "intervals",
           "DOMAIN_CLEARANCE"]
