"""Checking every step before it is shown.

A step ``before = after`` is checked in one of three ways, and records which:

* ``definition``: the step only names what a symbol stands for.
* ``symbolic``: with no sum over a symbolic number of classes in it, the
  difference of the two sides (definitions substituted, derivatives carried
  out by ``sympy.diff``) expands to 0.
* ``instantiated``: SymPy cannot decide sums over a symbolic class count K or
  indicators, so K is set to 2, 3, 4 and 5, the free class indices (y_i, k,
  ...) to values allowed by the case's condition, every sum is expanded, every
  derivative carried out by ``sympy.diff``, and both sides are evaluated at
  random points. The points are chosen so that every max/indicator argument is
  seen on both sides of its kink, and points on a kink are skipped (there the
  subgradient is a convention: 1[u > 0] is 0 at u = 0).
  ``numeric`` is the same without K.

A step that fails raises :class:`VerificationError`: it is never shown.

:func:`final_check` compares a derived gradient with ``sympy.diff`` of the
loss and with centred finite differences, away from kinks.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import sympy
from sympy import Derivative, Heaviside, Indexed, IndexedBase, Max, Symbol

from .evaluate import NotEvaluable, evaluate
from .notation import K, SumExcept
from .steps import Chain, Claim, Step, Verification

CLASS_COUNTS = (2, 3, 4, 5)
RELATIVE_TOLERANCE = 1e-9
KINK_CLEARANCE = 1e-6


class VerificationError(RuntimeError):
    """A step did not verify: the derivation must not be shown."""

    def __init__(self, step, verification):
        self.step = step
        self.verification = verification
        super().__init__(f"step did not verify ({verification.verified_by}): "
                         f"{step.before} = {step.after}")


def expand_definitions(expr, definitions: dict):
    """``expr`` with every defined name replaced by its definition (repeatedly).

    ``definitions`` maps a Symbol to an expression, or an IndexedBase to a
    function of the index (``p -> lambda i: e^{s_i} / sum_m e^{s_m}``).
    """
    for _ in range(5):
        replaced = expr
        for name, definition in definitions.items():
            if isinstance(name, IndexedBase):
                replaced = replaced.replace(
                    lambda e, n=name: isinstance(e, Indexed) and e.base == n,
                    lambda e, f=definition: f(*e.indices))
            else:
                replaced = replaced.xreplace({name: definition})
        if replaced == expr:
            return expr
        expr = replaced
    return expr


def _integer_symbols(expr):
    return {a for a in expr.free_symbols if isinstance(a, Symbol) and a.is_integer and a != K}


def _kink_arguments(expr):
    """The arguments u of every max(0, u) and indicator 1[u > 0] in ``expr``."""
    found = set()
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, Heaviside) or isinstance(node, sympy.DiracDelta):
            found.add(node.args[0])
        elif isinstance(node, Max):
            args = node.args
            found.add(args[0] - args[1] if len(args) == 2 else args[0])
    return found


def _variables(expr):
    """The real unknowns of an instantiated expression: scores s_0.., Delta, z, ..."""
    found = set()
    free = expr.free_symbols
    bases = {a.base.label for a in free if isinstance(a, Indexed)}
    for a in free:
        if isinstance(a, Indexed):
            found.add(a)
        elif isinstance(a, Symbol) and not a.is_integer and a not in bases:
            found.add(a)
    return found


@dataclass
class _Instance:
    """One choice of class count and indices, with its sample points."""

    key: tuple
    substitution: dict
    points: list = field(default_factory=list)


class Verifier:
    """Checks steps of one derivation; shares instantiations and sample points between steps."""

    def __init__(self, definitions: dict | None = None, *, class_counts=CLASS_COUNTS,
                 base_points: int = 4, max_index_choices: int = 3, seed: int = 20261122):
        self.definitions = definitions or {}
        self.class_counts = class_counts
        self.base_points = base_points
        self.max_index_choices = max_index_choices
        self.rng = random.Random(seed)
        self._instances: dict[tuple, _Instance] = {}
        self._instantiated: dict[tuple, object] = {}

    # -- public ------------------------------------------------------------------

    def check(self, before, after, conditions=(), values=None) -> Verification:
        """Whether ``before = after`` holds under ``conditions`` (relations such as Ne(k, y_i)).

        With ``values`` (symbol -> number), whether ``before`` with the values put
        in equals ``after``: the check of a substitution step. Matrices are
        compared entry by entry.
        """
        if isinstance(before, sympy.MatrixBase) or isinstance(after, sympy.MatrixBase):
            return self._check_matrices(before, after, conditions, values)
        a = expand_definitions(before, self.definitions)
        b = expand_definitions(after, self.definitions)
        if values:
            a = a.xreplace(dict(values))
        if a == b:
            if before == after or values:
                return Verification(True, "symbolic", "both sides are the same expression")
            return Verification(True, "definition", "the two sides agree once the definitions are put in")
        symbolic_k = a.has(K) or b.has(K)
        integer_symbols = _integer_symbols(a) | _integer_symbols(b)
        if not symbolic_k and not integer_symbols:
            if self._symbolically_equal(a, b):
                return Verification(True, "symbolic", "the difference simplifies to 0")
        return self._check_numerically(a, b, tuple(conditions), symbolic_k)

    def _check_matrices(self, before, after, conditions, values) -> Verification:
        if not (isinstance(before, sympy.MatrixBase) and isinstance(after, sympy.MatrixBase)) \
                or before.shape != after.shape:
            return Verification(False, "symbolic", "the two sides are not of the same shape")
        results = [self.check(a, b, conditions, values) for a, b in zip(before, after)]
        failed = [r for r in results if not r.ok]
        if failed:
            return failed[0]
        methods = sorted({r.method for r in results})
        return Verification(True, "+".join(methods), f"entry by entry ({len(results)} entries)")

    def check_equivalence(self, a, b, samples: int = 64) -> Verification:
        """Whether two conditions (relations without a symbolic K) hold at exactly the same points.

        Points are dyadic rationals (exact in floating point), with extra points
        placed exactly on, just above and just below every boundary, so that a
        > read as >= is caught.
        """
        relations = [r for r in sympy.preorder_traversal(sympy.And(a, b, evaluate=False))
                     if isinstance(r, sympy.core.relational.Relational)]
        variables = set()
        for r in relations:
            variables |= _variables(r.lhs - r.rhs)
        variables = sorted(variables, key=str)
        points = [{v: self.rng.randint(-24, 24) / 8 for v in variables} for _ in range(samples)]
        for r in relations:
            difference = r.lhs - r.rhs
            for target in (0, 0.125, -0.125):
                point = {v: self.rng.randint(-24, 24) / 8 for v in variables}
                for v in _variables(difference):
                    slope = sympy.diff(difference, v)
                    if slope in (1, -1):
                        point[v] += (target - evaluate(difference, point)) / float(slope)
                        break
                points.append(point)
        for point in points:
            if _truth(a, point) != _truth(b, point):
                where = ", ".join(f"{k_}={v}" for k_, v in point.items())
                return Verification(False, "numeric", f"the conditions differ at {where}")
        return Verification(True, "numeric", f"{len(points)} points, on and either side of every boundary")

    def stamp(self, step: Step, conditions=(), values=None) -> Step:
        """Verify ``step`` in place; raise :class:`VerificationError` if it fails."""
        step.verification = self.check(step.before, step.after, conditions, values)
        if not step.verification.ok:
            raise VerificationError(step, step.verification)
        return step

    def chain(self, steps, conditions=()) -> Chain:
        """A chain of ``steps``, each verified."""
        for step in steps:
            if step.verification is None:
                self.stamp(step, conditions)
        return Chain(list(steps))

    def claim(self, claim: Claim, conditions=()) -> Claim:
        """Verify a claim (an equality, or an equivalence "iff") in place; raise if it fails."""
        if claim.relation == "iff":
            claim.verification = self.check_equivalence(claim.lhs, claim.rhs)
        else:
            claim.verification = self.check(claim.lhs, claim.rhs, conditions)
        if not claim.verification.ok:
            raise VerificationError(Step(claim.lhs, claim.rhs, claim.rule), claim.verification)
        return claim

    # -- symbolic ----------------------------------------------------------------

    @staticmethod
    def _symbolically_equal(a, b) -> bool:
        try:
            difference = (a - b).doit()
            if difference == 0:
                return True
            return sympy.expand(difference) == 0 or sympy.cancel(sympy.together(difference)) == 0
        except Exception:  # noqa: BLE001 - undecided symbolically; the numeric check decides
            return False

    # -- instantiation -------------------------------------------------------------

    def _index_choices(self, symbols, n, conditions):
        symbols = sorted(symbols, key=str)
        allowed = []
        for values in itertools.product(range(n), repeat=len(symbols)):
            sub = dict(zip(symbols, values))
            if all(bool(c.subs(sub)) for c in conditions):
                allowed.append(sub)
        if len(allowed) <= self.max_index_choices:
            return allowed
        picks = {0, len(allowed) - 1, len(allowed) // 2}
        return [allowed[i] for i in sorted(picks)][: self.max_index_choices]

    def _instances_for(self, integer_symbols, conditions, symbolic_k):
        counts = self.class_counts if symbolic_k or integer_symbols else (None,)
        instances = []
        for n in counts:
            size = n if n is not None else 0
            choices = self._index_choices(integer_symbols, size, conditions) if integer_symbols else [{}]
            for sub in choices:
                full = dict(sub)
                if n is not None:
                    full[K] = n
                key = tuple(sorted((str(s_), v) for s_, v in full.items()))
                if key not in self._instances:
                    self._instances[key] = _Instance(key, full)
                instances.append(self._instances[key])
        return instances

    def _instantiate(self, expr, instance):
        cache_key = (expr, instance.key)
        if cache_key not in self._instantiated:
            value = expr.subs(instance.substitution).doit() if instance.substitution else expr.doit()
            self._instantiated[cache_key] = value
        return self._instantiated[cache_key]

    def _random_value(self, variable):
        if isinstance(variable, Symbol) and variable.is_positive:
            return self.rng.uniform(0.2, 3.0)
        return self.rng.uniform(-3.0, 3.0)

    def _ensure_points(self, instance, variables, kinks):
        for point in instance.points:
            for v in variables:
                if v not in point:
                    point[v] = self._random_value(v)
        while len(instance.points) < self.base_points:
            instance.points.append({v: self._random_value(v) for v in variables})
        for u in kinks:
            self._cover_kink(instance, u, variables)

    def _cover_kink(self, instance, u, variables):
        """Add points so that ``u`` is seen both above and below 0 (when it can be)."""
        free = [v for v in _variables(u) if v in variables]
        if not free:
            return
        signs = set()
        for point in instance.points:
            try:
                value = evaluate(u, point)
            except (NotEvaluable, ValueError, ZeroDivisionError, OverflowError):
                continue
            signs.add(value > 0)
        for wanted in (True, False):
            if wanted in signs:
                continue
            point = dict(instance.points[0])
            for v in variables:
                point[v] = self._random_value(v)
            target = self.rng.uniform(0.3, 2.0) * (1 if wanted else -1)
            for v in free:
                slope = sympy.diff(u, v)
                if slope.free_symbols or slope == 0:
                    continue
                current = evaluate(u, point)
                point[v] += (target - current) / float(slope)
                break
            else:
                continue
            instance.points.append(point)

    def _values(self, expr, instance, points):
        values = []
        for point in points:
            try:
                values.append(evaluate(expr, point))
            except (ValueError, ZeroDivisionError, OverflowError):
                values.append(None)
        return values

    def _check_numerically(self, a, b, conditions, symbolic_k) -> Verification:
        integer_symbols = _integer_symbols(a) | _integer_symbols(b)
        for c in conditions:
            integer_symbols |= _integer_symbols(c)
        instances = self._instances_for(integer_symbols, conditions, symbolic_k)
        compared = 0
        kinks_seen = set()
        for instance in instances:
            try:
                ia, ib = self._instantiate(a, instance), self._instantiate(b, instance)
            except Exception as error:  # noqa: BLE001 - SymPy failing to expand is a failed check
                return Verification(False, "instantiated", f"could not expand the sides: {error}")
            if ia.has(Derivative) or ib.has(Derivative):
                return Verification(False, "instantiated", "a derivative could not be carried out")
            variables = _variables(ia) | _variables(ib)
            kinks = {u for u in _kink_arguments(ia) | _kink_arguments(ib) if _variables(u)}
            self._ensure_points(instance, variables, kinks)
            points = [pt for pt in instance.points
                      if all(abs(evaluate(u, pt)) > KINK_CLEARANCE for u in kinks)]
            for u in kinks:
                signs = {evaluate(u, pt) > 0 for pt in points}
                if signs == {True, False}:
                    kinks_seen.add((instance.key, u))
            try:
                va, vb = self._values(ia, instance, points), self._values(ib, instance, points)
            except NotEvaluable as error:
                return Verification(False, "instantiated", str(error))
            for point, x, y_ in zip(points, va, vb):
                if x is None and y_ is None:
                    continue
                if x is None or y_ is None or abs(x - y_) > RELATIVE_TOLERANCE * max(1.0, abs(x), abs(y_)):
                    where = ", ".join(f"{k_}={v:.4g}" for k_, v in sorted(point.items(), key=lambda kv: str(kv[0]))
                                      if k_ in variables)
                    return Verification(False, "instantiated" if symbolic_k else "numeric",
                                        f"sides differ at {dict(instance.key)} {where}: {x} vs {y_}")
                compared += 1
        if compared == 0:
            return Verification(False, "numeric", "no point where both sides could be evaluated")
        return Verification(True, "instantiated" if symbolic_k else "numeric",
                            self._describe(instances, compared, kinks_seen, symbolic_k))

    @staticmethod
    def _describe(instances, compared, kinks_seen, symbolic_k):
        parts = []
        counts = sorted({dict(i.key).get("K") for i in instances} - {None})
        if symbolic_k and counts:
            parts.append(f"K = {counts[0]}..{counts[-1]}" if len(counts) > 1 else f"K = {counts[0]}")
            parts.append(f"{len(instances)} index choices")
        parts.append(f"{compared} points")
        if kinks_seen:
            parts.append(f"both sides of {len(kinks_seen)} kinks")
        return ", ".join(parts)


def _truth(condition, point) -> bool:
    """Whether a relation (or an And/Or/Not of relations) holds at ``point``."""
    if isinstance(condition, sympy.And):
        return all(_truth(c, point) for c in condition.args)
    if isinstance(condition, sympy.Or):
        return any(_truth(c, point) for c in condition.args)
    if isinstance(condition, sympy.Not):
        return not _truth(condition.args[0], point)
    lhs, rhs = evaluate(condition.lhs, point), evaluate(condition.rhs, point)
    return {"<": lhs < rhs, "<=": lhs <= rhs, ">": lhs > rhs, ">=": lhs >= rhs,
            "==": lhs == rhs, "!=": lhs != rhs}[condition.rel_op]


# -- final checks ------------------------------------------------------------------

@dataclass
class FinalCheck:
    """The derived gradient against sympy.diff and against centred finite differences."""

    against_sympy: bool
    against_finite_differences: bool
    points: int
    max_relative_error: float

    @property
    def ok(self) -> bool:
        return self.against_sympy and self.against_finite_differences


def final_check(loss, gradient, variable, *, definitions=None, conditions=(), class_counts=CLASS_COUNTS,
                points_per_instance=6, step=1e-6, seed=7) -> FinalCheck:
    """Compare ``gradient`` (the derived d loss / d variable) with sympy.diff and finite differences.

    Both are evaluated at random points at least 1e-3 away from every kink,
    for each class count in ``class_counts`` and index choice allowed by ``conditions``.
    """
    verifier = Verifier(definitions, class_counts=class_counts, base_points=points_per_instance, seed=seed)
    a = expand_definitions(loss, verifier.definitions)
    g = expand_definitions(gradient, verifier.definitions)
    integer_symbols = _integer_symbols(a) | _integer_symbols(g) | _integer_symbols(variable)
    for c in conditions:
        integer_symbols |= _integer_symbols(c)
    symbolic_k = a.has(K) or g.has(K)
    ok_sympy = ok_fd = True
    worst = 0.0
    count = 0
    for instance in verifier._instances_for(integer_symbols, tuple(conditions), symbolic_k):
        sub = instance.substitution
        loss_i = a.subs(sub).doit() if sub else a.doit()
        grad_i = g.subs(sub).doit() if sub else g.doit()
        var_i = variable.subs(sub) if sub else variable
        exact_i = sympy.diff(loss_i, var_i)
        variables = _variables(loss_i) | _variables(grad_i)
        kinks = {u for u in _kink_arguments(loss_i) if _variables(u)}
        verifier._ensure_points(instance, variables, kinks)
        for point in instance.points:
            if any(abs(evaluate(u, point)) < 1e-3 for u in kinks):
                continue
            derived = evaluate(grad_i, point)
            exact = evaluate(exact_i, point)
            up, down = dict(point), dict(point)
            up[var_i] += step
            down[var_i] -= step
            numeric = (evaluate(loss_i, up) - evaluate(loss_i, down)) / (2 * step)
            scale = max(1.0, abs(derived))
            if abs(derived - exact) > 1e-9 * scale:
                ok_sympy = False
            error = abs(derived - numeric) / scale
            worst = max(worst, error)
            if error > 1e-5:
                ok_fd = False
            count += 1
    return FinalCheck(ok_sympy, ok_fd and count > 0, count, worst)
