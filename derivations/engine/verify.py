"""Checking every step before it is shown.

A step ``before = after`` is checked in one of these ways, and records which:

* ``definition``: the two sides agree once the defined names (L_i, p_j) are
  replaced by what they stand for.
* ``symbolic``: with no sum over a symbolic number of classes in it, the
  difference of the two sides (derivatives carried out by ``sympy.diff``)
  expands or cancels to 0.
* ``instantiated``: SymPy cannot decide sums over a symbolic class count K
  or indicators, so K is set to 2, 3, 4 and 5, the free class indices (y_i,
  k, ...) to values the case's condition allows, and both sides are evaluated
  at random points (every unevaluated derivative is taken by ``sympy.diff``
  for the concrete indices). Points are added until every max/indicator
  argument has been seen on both sides of its kink, and points on a kink are
  skipped: there the subgradient is a convention (1[u > 0] is 0 at u = 0).
  ``numeric`` is the same without K. The other symbolic counts (the feature
  count D, the example count N: see :data:`~derivations.notation.COUNTS`) are
  instantiated the same way; when several appear in one step they take
  different values (D = 2, N = 3, ...), so a count used for another is caught.

A step that fails raises :class:`VerificationError`: it is never shown.
:func:`final_check` compares a derived gradient with ``sympy.diff`` of the
loss and with centred finite differences, away from kinks.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import sympy
from sympy import Indexed, IndexedBase, Max, Symbol

from .evaluate import Instance, NotEvaluable, concrete, point_key
from .notation import COUNTS, K, SumExcept
from .steps import Chain, Claim, Step, Verification

CLASS_COUNTS = (2, 3, 4, 5)
RELATIVE_TOLERANCE = 1e-9
KINK_CLEARANCE = 1e-6
_FAILURES = (NotEvaluable, ValueError, ZeroDivisionError, OverflowError, TypeError)


class VerificationError(RuntimeError):
    """A step did not verify: the derivation must not be shown."""

    def __init__(self, step, verification):
        self.step = step
        self.verification = verification
        super().__init__(f"step did not verify ({verification.verified_by}): "
                         f"{step.before} = {step.after}")


def expand_definitions(expr, definitions: dict):
    """``expr`` with every defined name replaced by its definition (repeatedly).

    ``definitions`` maps a Symbol to an expression, an IndexedBase to a
    function of the index (``p -> lambda i: e^{s_i} / sum_m e^{s_m}``), or a
    SymPy function class to a function of its arguments (``Sigmoid -> lambda u: 1 / (1 + e^{-u})``).

    A derivative with respect to a defined name (dL/dy with y := sigma(z)) is
    a partial derivative that holds that name as a variable: it is taken by
    ``sympy.diff`` with the name's own definition left out, and only then is
    the name replaced (see :func:`differentiate_by_names`).
    """
    expr = differentiate_by_names(expr, definitions)
    for _ in range(5):
        replaced = expr
        for name, definition in definitions.items():
            if isinstance(name, IndexedBase):
                replaced = replaced.replace(
                    lambda e, n=name: isinstance(e, Indexed) and e.base == n,
                    lambda e, f=definition: f(*e.indices))
            elif isinstance(name, sympy.FunctionClass):
                replaced = replaced.replace(
                    lambda e, n=name: isinstance(e, n),
                    lambda e, f=definition: f(*e.args))
            else:
                replaced = replaced.xreplace({name: definition})
        if replaced == expr:
            return expr
        expr = replaced
    return expr


def differentiate_by_names(expr, definitions: dict):
    """``expr`` with each derivative with respect to a defined Symbol taken by ``sympy.diff``.

    In d L / d y with L := -t log y - (1 - t) log(1 - y) and y := sigma(z),
    y is the variable: L is expanded with every definition except y's and
    differentiated with respect to y; the caller then puts in y's definition.
    Derivatives with respect to anything else are left for the caller.
    """
    names = {name for name in definitions if isinstance(name, Symbol)}
    if not names or not expr.has(sympy.Derivative):
        return expr
    replacements = {}
    for node in expr.atoms(sympy.Derivative):
        held = {v for v, _ in node.variable_count if v in names}
        if not held:
            continue
        rest = {name: value for name, value in definitions.items() if name not in held}
        inner = expand_definitions(node.expr, rest)
        variables = [v for v, n in node.variable_count for _ in range(n)]
        replacements[node] = sympy.diff(inner, *variables)
    return expr.xreplace(replacements) if replacements else expr


def _exponent_digits(*exprs) -> int:
    """How many digits the largest e^{u} in ``exprs`` spans: |u| / ln 10."""
    largest = 0.0
    for expr in exprs:
        for e in expr.atoms(sympy.exp):
            if e.args[0].is_number:
                largest = max(largest, abs(float(e.args[0])))
    return int(largest / 2.302585092994046)


def exact_digits(*exprs) -> int:
    """Digits enough to evaluate ``exprs`` (numbers only) without losing a term: 1 + e^{-u} needs u / ln 10 of them.

    Twice that plus 40, so that after cancelling that many digits at least 40 + u / ln 10 remain.
    """
    return 40 + 2 * _exponent_digits(*exprs)


def integer_symbols(expr) -> set:
    """The free integer symbols of ``expr`` other than the counts K, D, N: the indices y_i, k, j, ...

    The index of a variable of differentiation counts too: k in d(-log p_{y_i}) / d s_k.
    """
    free = set(expr.free_symbols)
    for node in expr.atoms(sympy.Derivative):
        for variable, _ in node.variable_count:
            free |= variable.free_symbols
    return {a for a in free if isinstance(a, Symbol) and a.is_integer and a not in COUNTS}


def _real_symbols(expr) -> set:
    """The real unknowns that are not indexed: Delta, z, t, ..."""
    free = expr.free_symbols
    bases = {a.base.label for a in free if isinstance(a, Indexed)}
    return {a for a in free if isinstance(a, Symbol) and not a.is_integer and a not in bases}


def _indexed_bases(expr) -> set:
    """(name, number of indices) of every indexed name: (s, 1) for s_j, (x, 2) for x_{n,d}."""
    return {(a.base, len(a.indices)) for a in expr.atoms(Indexed)}


def symbolic_counts(*exprs) -> tuple:
    """The symbolic counts (K, D, N) that occur in ``exprs``, in the order of COUNTS."""
    return tuple(c for c in COUNTS if any(e.has(c) for e in exprs))


def _concrete_indices(expr) -> set:
    """The class indices ``expr`` names: s_2's 2, and the last index of a sum with concrete bounds."""
    found = {int(i) for a in expr.atoms(Indexed) for i in a.indices if i.is_Integer}
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, SumExcept) and node.upper.is_Integer:
            found.add(int(node.upper))
        elif isinstance(node, sympy.Sum):
            found |= {int(hi) for _, _, hi in node.limits if hi.is_Integer}
    return found


_UNKNOWNS: dict = {}


def _unknowns(expr):
    """(real symbols, (indexed name, rank) pairs, concrete indices) of ``expr``, computed once per expression."""
    found = _UNKNOWNS.get(expr)
    if found is None:
        found = _UNKNOWNS[expr] = (_real_symbols(expr), _indexed_bases(expr), _concrete_indices(expr))
    return found


def _describe_point(point) -> str:
    def name(key):
        return f"{key[0]}_{','.join(map(str, key[1]))}" if isinstance(key, tuple) else str(key)
    return ", ".join(f"{name(k_)}={v:.4g}" for k_, v in sorted(point.items(), key=lambda kv: name(kv[0])))


@dataclass
class _Sample:
    """One choice of class count and indices: its evaluator and its sample points."""

    key: tuple
    env: dict
    evaluator: Instance
    points: list = field(default_factory=list)


class Verifier:
    """Checks the steps of one derivation; instantiations and sample points are shared between steps."""

    def __init__(self, definitions: dict | None = None, *, class_counts=CLASS_COUNTS,
                 base_points: int = 4, max_index_choices: int = 2, seed: int = 20261122, spread: float = 3.0):
        """``spread``: unknowns are drawn from (-spread, spread), positive ones from (0.2, spread)."""
        self.definitions = definitions or {}
        self.spread = spread
        self.class_counts = class_counts
        self.base_points = base_points
        self.max_index_choices = max_index_choices
        self.rng = random.Random(seed)
        self._samples: dict[tuple, _Sample] = {}

    # -- public ------------------------------------------------------------------

    def check(self, before, after, conditions=(), values=None) -> Verification:
        """Whether ``before = after`` holds under ``conditions`` (relations such as Ne(k, y_i)).

        With ``values`` (symbol -> number), whether ``before`` with the values put
        in equals ``after``: the check of a substitution step. Matrices are
        compared entry by entry.
        """
        if isinstance(before, sympy.MatrixExpr) and not isinstance(before, sympy.MatrixBase):
            before = before.as_explicit()         # diag(p) - p p^T written as a matrix expression
        if isinstance(after, sympy.MatrixExpr) and not isinstance(after, sympy.MatrixBase):
            after = after.as_explicit()
        if isinstance(before, sympy.MatrixBase) or isinstance(after, sympy.MatrixBase):
            return self._check_matrices(before, after, conditions, values)
        a = expand_definitions(before, self.definitions)
        b = expand_definitions(after, self.definitions)
        if values:
            a = a.xreplace(dict(values))
        if a == b:
            if values:
                return Verification(True, "substitution", "the values put into the left side give the right side")
            if before == after:
                return Verification(True, "symbolic", "both sides are the same expression")
            return Verification(True, "definition", "the two sides agree once the definitions are put in")
        if not a.free_symbols and not b.free_symbols and not a.has(sympy.Derivative, sympy.Sum) \
                and not b.has(sympy.Derivative, sympy.Sum) and (a.has(sympy.exp) or b.has(sympy.exp)):
            # numbers with powers of e in them: exact arithmetic decides (and cancel() would be slow)
            return self._check_exact_numbers(a, b)
        counts = symbolic_counts(a, b)
        indices = integer_symbols(a) | integer_symbols(b)
        if not counts and not indices and self._symbolically_equal(a, b):
            method = "substitution" if values else "symbolic"
            return Verification(True, method, "the difference simplifies to 0")
        if not a.free_symbols and not b.free_symbols and not a.has(sympy.Derivative, sympy.Sum) \
                and not b.has(sympy.Derivative, sympy.Sum):
            return self._check_exact_numbers(a, b)
        return self._check_numerically(a, b, tuple(conditions), counts)

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

    def check_equivalence(self, a, b, samples: int = 64) -> Verification:
        """Whether two conditions (relations without a symbolic K) hold at exactly the same points.

        Points are dyadic rationals (exact in floating point), with extra points
        exactly on, just above and just below every boundary, so that a > read
        as >= is caught.
        """
        relations = [r for r in sympy.preorder_traversal(sympy.And(a, b, evaluate=False))
                     if isinstance(r, sympy.core.relational.Relational)]
        evaluator = Instance({})
        variables = set()
        for r in relations:
            difference = r.lhs - r.rhs
            variables |= _real_symbols(difference) | difference.atoms(Indexed)
        variables = sorted(variables, key=str)

        def dyadic_point():
            return {v: self.rng.randint(1 if v.is_positive else -24, 24) / 8 for v in variables}

        points = [dyadic_point() for _ in range(samples)]
        for r in relations:
            difference = r.lhs - r.rhs
            for target in (0, 0.125, -0.125):
                point = dyadic_point()
                for v in sorted(_real_symbols(difference) | difference.atoms(Indexed), key=str):
                    slope = sympy.diff(difference, v)
                    if slope in (1, -1):
                        point[v] += (target - evaluator.value(difference, point)) / float(slope)
                        break
                points.append(point)
        for point in points:
            if evaluator.holds(a, point) != evaluator.holds(b, point):
                where = _describe_point(point)
                return Verification(False, "numeric", f"the conditions differ at {where}")
        return Verification(True, "numeric", f"{len(points)} points, on and either side of every boundary")

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

    @staticmethod
    def _check_exact_numbers(a, b) -> Verification:
        """Two sides made of numbers only (e^{-110}, log(1 + e^{-4} + e), ...), compared in exact arithmetic.

        Floats would overflow for e^{1000} or lose 1 + 2e^{-110}, so both sides are
        evaluated with enough digits to hold every e^{u} next to 1 (see
        :func:`exact_digits`) and must agree to 30 + u / ln 10 significant digits:
        relative, so 3.4e-48 and 0 differ, and so do e^{1000} and e^{1000} + 1.
        """
        digits = exact_digits(a, b)
        agree = 30 + _exponent_digits(a, b)
        try:
            x, y_ = a.evalf(digits), b.evalf(digits)
        except Exception as error:  # noqa: BLE001 - a side SymPy cannot evaluate fails the check
            return Verification(False, "numeric", f"cannot evaluate a side: {type(error).__name__}: {error}")
        if not (x.is_Number and y_.is_Number) or not (x.is_finite and y_.is_finite):
            return Verification(False, "numeric", f"the sides do not evaluate to finite numbers: {x}, {y_}")
        scale = max(abs(x), abs(y_))
        if abs(x - y_) > scale * sympy.Float(10, digits) ** -agree:
            return Verification(False, "numeric", f"the numbers differ: {sympy.N(x, 12)} vs {sympy.N(y_, 12)}")
        return Verification(True, "numeric", f"exact numbers, equal to {agree} significant digits")

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

    # -- instantiation -------------------------------------------------------------

    def _index_choices(self, symbols, n, conditions):
        symbols = sorted(symbols, key=str)
        allowed = []
        for values in itertools.product(range(n), repeat=len(symbols)):
            sub = dict(zip(symbols, values))
            if all(bool(c.xreplace({s_: sympy.Integer(v) for s_, v in sub.items()})) for c in conditions):
                allowed.append(sub)
        if len(allowed) <= self.max_index_choices:
            return allowed
        picks = sorted({0, len(allowed) - 1, len(allowed) // 2})
        return [allowed[i] for i in picks][: self.max_index_choices]

    def samples_for(self, indices, conditions, counts):
        """The instantiations to check on: counts and index choices allowed by ``conditions``.

        ``counts`` are the symbolic counts to set (``True`` means K alone): the
        first takes each of ``class_counts``, the next one more, and so on.
        """
        counts = (K,) if counts is True else tuple(counts or ())
        sizes = self.class_counts if counts or indices else (None,)
        samples = []
        for n in sizes:
            choices = self._index_choices(indices, n, conditions) if indices else [{}]
            for choice in choices:
                env = dict(choice)
                if n is not None:
                    for offset, count in enumerate(counts or (K,)):
                        env[count] = n + offset
                key = tuple(sorted((str(s_), v) for s_, v in env.items()))
                if key not in self._samples:
                    self._samples[key] = _Sample(key, env, Instance(env))
                samples.append(self._samples[key])
        return samples

    def _random_value(self, variable):
        if isinstance(variable, tuple):
            variable = variable[0]
        if getattr(variable, "is_positive", False):
            return self.rng.uniform(0.2, self.spread)
        return self.rng.uniform(-self.spread, self.spread)

    def _variables(self, exprs, env):
        """The concrete unknowns: every score s_0 .. s_{n-1} of each indexed name, and the real symbols."""
        found = set()
        count = max([v for s_, v in env.items() if s_ in COUNTS] + [0])
        largest_index = max([v for s_, v in env.items() if s_ not in COUNTS] + [0])
        for expr in exprs:
            reals, bases, indices = _unknowns(expr)
            found |= reals
            n = max(count, max(indices | {largest_index}) + 1)
            for base, rank in bases:
                found |= {(base, position) for position in itertools.product(range(n), repeat=rank)}
        return found

    def _fill(self, point, variables):
        for v in variables:
            if v not in point:
                point[v] = self._random_value(v)
        return point

    def _kink_point(self, sample, node, env, wanted_positive, variables):
        """A new point where the kink argument of ``node`` (for indices ``env``) has the wanted sign."""
        u = concrete(node.args[0] - node.args[1] if isinstance(node, Max) else node.args[0], env)
        point = self._fill({}, variables)
        target = self.rng.uniform(0.3, 2.0) * (1 if wanted_positive else -1)
        for v in sorted(_real_symbols(u) | u.atoms(Indexed), key=str):
            slope = sympy.diff(u, v)
            if slope.is_Number and slope != 0 and point_key(v) in point:
                point[point_key(v)] += (target - sample.evaluator.value(u, point)) / float(slope)
                return point
        return None

    def _compare(self, sample, a, b, points):
        """(points compared, first mismatch or None, kink signs seen) for ``a`` and ``b`` at ``points``."""
        compared, signs = 0, {}
        for point in points:
            record = {}
            try:
                x = sample.evaluator.value(a, point, record)
                y_ = sample.evaluator.value(b, point, record)
            except NotEvaluable:
                raise
            except (ValueError, ZeroDivisionError, OverflowError):
                continue                 # outside the domain (log of a negative number ...): another point
            if any(abs(u) <= KINK_CLEARANCE for u in record.values()):
                continue
            for key, u in record.items():
                signs.setdefault(key, set()).add(u > 0)
            if abs(x - y_) > RELATIVE_TOLERANCE * max(1.0, abs(x), abs(y_)):
                return compared, (point, x, y_), signs
            compared += 1
        return compared, None, signs

    def _check_numerically(self, a, b, conditions, counts) -> Verification:
        indices = integer_symbols(a) | integer_symbols(b)
        for c in conditions:
            indices |= integer_symbols(c)
        samples = self.samples_for(indices, conditions, counts)
        method = "instantiated" if counts else "numeric"
        compared, covered = 0, 0
        for sample in samples:
            variables = self._variables((a, b), sample.env)
            while len(sample.points) < self.base_points:
                sample.points.append({})
            for point in sample.points:
                self._fill(point, variables)
            try:
                count, mismatch, signs = self._compare(sample, a, b, sample.points)
                extra = []
                for key, seen in signs.items():
                    if len(seen) == 1:
                        node, env = key[0], dict(key[1])
                        point = self._kink_point(sample, node, env, not next(iter(seen)), variables)
                        if point is not None:
                            extra.append(point)
                if mismatch is None and extra:
                    sample.points.extend(extra)
                    more, mismatch, more_signs = self._compare(sample, a, b, extra)
                    count += more
                    for key, seen in more_signs.items():
                        signs.setdefault(key, set()).update(seen)
            except NotEvaluable as error:
                return Verification(False, method, f"cannot evaluate a side: {error}")
            except Exception as error:  # noqa: BLE001 - SymPy failing on a side is a failed check
                return Verification(False, method, f"cannot evaluate a side: {type(error).__name__}: {error}")
            if mismatch is not None:
                point, x, y_ = mismatch
                where = _describe_point(point)
                return Verification(False, method, f"sides differ for {dict(sample.key)} at {where}: {x} vs {y_}")
            compared += count
            covered += sum(1 for seen in signs.values() if len(seen) == 2)
        if compared == 0:
            return Verification(False, method, "no point where both sides could be evaluated")
        return Verification(True, method, self._describe(samples, compared, covered, counts))

    @staticmethod
    def _describe(samples, compared, covered, counts):
        parts = []
        for count in counts or ():
            values = sorted({s_.env.get(count) for s_ in samples} - {None})
            if values:
                parts.append(f"{count} = {values[0]}..{values[-1]}" if len(values) > 1 else f"{count} = {values[0]}")
        if counts and parts:
            parts.append(f"{len(samples)} index choices")
        parts.append(f"{compared} points")
        if covered:
            parts.append(f"both sides of {covered} kinks")
        return ", ".join(parts)


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
                points_per_instance=6, step=1e-6, seed=7, spread=3.0) -> FinalCheck:
    """Compare ``gradient`` (the derived d loss / d variable) with sympy.diff and finite differences.

    Both are evaluated at random points at least 1e-3 away from every kink,
    for each class count in ``class_counts`` and index choice allowed by ``conditions``;
    ``spread`` bounds the random values (see :class:`Verifier`).
    """
    verifier = Verifier(definitions, class_counts=class_counts, seed=seed, spread=spread)
    a = expand_definitions(loss, verifier.definitions)
    g = expand_definitions(gradient, verifier.definitions)
    indices = integer_symbols(a) | integer_symbols(g) | integer_symbols(variable)
    for c in conditions:
        indices |= integer_symbols(c)
    ok_sympy = ok_fd = True
    worst, count = 0.0, 0
    exact = sympy.diff(a, variable)          # SymPy's own derivative, symbolic in K and the indices
    for sample in verifier.samples_for(indices, tuple(conditions), symbolic_counts(a, g)):
        env, evaluator = sample.env, sample.evaluator
        var_c = concrete(variable, env)
        variables = verifier._variables((a, g, variable), env)
        for _ in range(points_per_instance):
            point = verifier._fill({}, variables)
            record = {}
            try:
                derived = evaluator.value(g, point, record)
                reference = evaluator.value(exact, point, record)
                evaluator.value(a, point, record)          # records the kinks of the loss
            except (ValueError, ZeroDivisionError, OverflowError):
                continue
            key = point_key(var_c)
            if any(abs(u) < 1e-3 for u in record.values()) or key not in point:
                continue
            up, down = dict(point), dict(point)
            up[key] += step
            down[key] -= step
            numeric = (evaluator.value(a, up) - evaluator.value(a, down)) / (2 * step)
            scale = max(1.0, abs(derived))
            if abs(derived - reference) > 1e-9 * scale:
                ok_sympy = False
            error = abs(derived - numeric) / scale
            worst = max(worst, error)
            if error > 1e-5:
                ok_fd = False
            count += 1
    return FinalCheck(ok_sympy, ok_fd and count > 0, count, worst)
