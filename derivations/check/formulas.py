"""Judging a formula: equivalence with the reference, and which generated mistake it is.

The verifier's check (K = 2..5 classes, random points on both sides of every
kink, see :mod:`derivations.engine.verify`) decides equivalence. Running it
once for the reference and once per candidate mistake costs a few
milliseconds each, so a :class:`Probe` evaluates the reference and every
variant once per reference at a fixed set of points (each class count, index
choices the conditions allow, both sides of their kinks); an answer is
evaluated once at the same points and compared with all of them. A mismatch
at a point away from every kink settles "not this one"; a match is confirmed
by the full check, so the verdicts are the verifier's.
"""
from __future__ import annotations

import random

import sympy
from sympy import Symbol

from ..engine.evaluate import NotEvaluable
from ..engine.notation import D, Delta, K, all_classes_sum, k, m, p, s, y
from ..engine.verify import KINK_CLEARANCE, RELATIVE_TOLERANCE, Verifier, expand_definitions, integer_symbols
from ..engine.verify.instances import CLASS_COUNTS, Instances
from ..engine.verify.sampling import Sampler

BASE_POINTS = 5
MIN_COMPARED = 3
#: the number of features D at the probe's points
PROBE_FEATURES = sympy.Integer(3)


def softmax_definitions() -> dict:
    return {p: lambda i: sympy.exp(s[i]) / all_classes_sum(sympy.exp(s[m]), m)}


def definitions_for(reference) -> dict:
    """The names a formula answer to ``reference`` may use, with what they stand for.

    A reference states its own (logistic regression: the prediction y is sigma(z));
    without them, p_j is the softmax probability e^{s_j} / sum_m e^{s_m}.
    """
    return reference.definitions if reference.definitions is not None else softmax_definitions()


def rename_free_index(answer, reference):
    """An answer that calls the class k ``j`` (as some homework does) is read with j as k."""
    def indices(e):
        return {a for a in e.free_symbols if isinstance(a, Symbol) and a.is_integer and a not in (y, K)}
    mine, theirs = indices(answer), indices(reference)
    if len(mine) == 1 and len(theirs) == 1 and mine != theirs:
        return answer.xreplace({next(iter(mine)): next(iter(theirs))})
    return answer


def _with_delta(expr, delta):
    return expr.xreplace({Delta: delta}) if delta is not None else expr


def equivalent(answer, expected, conditions, delta=None, definitions=None) -> bool:
    """The verifier's verdict on answer = expected under ``conditions`` (Delta set to the given's value)."""
    verifier = Verifier(softmax_definitions() if definitions is None else definitions, base_points=BASE_POINTS)
    try:
        return verifier.check(_with_delta(answer, delta), _with_delta(expected, delta), conditions).ok
    except Exception:  # noqa: BLE001 - an answer SymPy cannot evaluate is not equivalent
        return False


class Probe:
    """The reference and its variants evaluated once at fixed points; answers compared against them."""

    def __init__(self, reference, delta, definitions):
        self.delta, self.definitions = delta, definitions
        self.conditions = tuple(reference.conditions)
        exprs = [reference.expr] + [v.expr for v in reference.variants if v.expr is not None]
        prepared = [self.prepare(e) for e in exprs]
        indices = {k, y}
        for e in prepared + list(self.conditions):
            indices |= integer_symbols(e)
        sampler = Sampler(random.Random(20261122))
        self.points = []
        for sample in Instances(CLASS_COUNTS, max_index_choices=2).samples_for(indices, self.conditions, True):
            variables = sorted(sampler.variables(prepared, sample.env), key=str)    # the same points every run
            points = [sampler.fill({}, variables) for _ in range(BASE_POINTS)]
            points += self._other_sides(sampler, sample, prepared, points, variables)
            self.points += [(sample, point) for point in points]
        self.reference_values = self.evaluate_prepared(prepared[0])
        self.variant_values = {}
        for variant in reference.variants:
            if variant.expr is not None:
                self.variant_values[id(variant)] = self.evaluate_prepared(self.prepare(variant.expr))

    def prepare(self, expr):
        """``expr`` with its names expanded, and the number of features D set (a weight formula's s_j = sum_d
        W_dj x_d has it; the points give values to the classes' indices only): the probe only rules out, the
        full check decides."""
        return expand_definitions(_with_delta(expr, self.delta), self.definitions).xreplace({D: PROBE_FEATURES})

    @staticmethod
    def _other_sides(sampler, sample, exprs, points, variables):
        """Points on the other side of each kink that the base points saw on one side only."""
        signs: dict = {}
        for expr in exprs:
            for point in points:
                record: dict = {}
                try:
                    sample.evaluator.value(expr, point, record)
                except Exception:  # noqa: BLE001 - a point outside the domain tells nothing
                    continue
                for key, u in record.items():
                    signs.setdefault(key, set()).add(u > 0)
        extra = []
        for (node, env), seen in signs.items():
            if len(seen) == 1:
                try:
                    point = sampler.kink_point(sample, node, dict(env), not next(iter(seen)), variables)
                except Exception:  # noqa: BLE001 - no way to move this kink: the full check still covers it
                    point = None
                if point is not None:
                    extra.append(point)
        return extra

    def evaluate(self, answer):
        """The answer's values at the probe's points (None where it is on a kink or undefined), or None
        when it holds something the points give no value for (a stray letter, an index of its own)."""
        return self.evaluate_prepared(self.prepare(answer))

    def evaluate_prepared(self, expr):
        values = []
        for sample, point in self.points:
            record: dict = {}
            try:
                value = sample.evaluator.value(expr, point, record)
            except NotEvaluable:
                return None
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                value = None
            if value is not None and any(abs(u) <= KINK_CLEARANCE for u in record.values()):
                value = None
            values.append(value)
        return values

    @staticmethod
    def agrees(a, b) -> bool:
        """Whether two lists of values agree wherever both are defined, at enough points to say so."""
        if a is None or b is None:
            return False
        compared = 0
        for x, y_ in zip(a, b):
            if x is None or y_ is None:
                continue
            if abs(x - y_) > RELATIVE_TOLERANCE * max(1.0, abs(x), abs(y_)):
                return False
            compared += 1
        return compared >= MIN_COMPARED


def probe_for(reference, delta, definitions) -> Probe | None:
    """The reference's probe for this Delta, built on first use and kept on the reference."""
    store = reference.cache.setdefault("probes", {})
    key = delta
    if key not in store:
        try:
            store[key] = Probe(reference, delta, definitions)
        except Exception:  # noqa: BLE001 - without a probe every check is the full one
            store[key] = None
    return store[key]


def judge_formula(answer, reference, delta=None):
    """(equivalent to the reference?, the variants the answer is) for a parsed formula ``answer``."""
    definitions = definitions_for(reference)
    conditions = reference.conditions
    probe = probe_for(reference, delta, definitions)
    values = probe.evaluate(answer) if probe is not None else None
    if values is None:                           # the full check for each, as nothing can be ruled out
        if equivalent(answer, reference.expr, conditions, delta, definitions):
            return True, []
        return False, [v for v in reference.variants
                       if v.expr is not None and equivalent(answer, v.expr, conditions, delta, definitions)]
    if Probe.agrees(values, probe.reference_values) and \
            equivalent(answer, reference.expr, conditions, delta, definitions):
        return True, []
    candidates = [v for v in reference.variants
                  if v.expr is not None and Probe.agrees(values, probe.variant_values.get(id(v)))]
    return False, [v for v in candidates if equivalent(answer, v.expr, conditions, delta, definitions)]
