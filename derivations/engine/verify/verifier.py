"""The verifier of one derivation: decides each step, by the cheapest method that can.

A step ``before = after`` is checked in one of these ways, and records which:

* ``definition``: the two sides agree once the defined names (L_i, p_j) are
  replaced by what they stand for (:mod:`.definitions`).
* ``symbolic``: with no sum over a symbolic number of classes in it, the
  difference of the two sides (derivatives carried out by ``sympy.diff``)
  expands or cancels to 0 (:mod:`.exact`).
* ``numeric`` on numbers alone: exact arithmetic with enough digits (:mod:`.exact`).
* ``instantiated``: K (and D, N) set to small sizes and the free indices to
  values the case allows (:mod:`.instances`), both sides evaluated at random
  points on both sides of every kink (:mod:`.sampling`, :mod:`.comparison`).
  ``numeric`` is the same without a count.

Matrices of symbolic size (X^T (P - Y) / N) are compared entry by entry: entry
(r, q) of each side, written in index form by :mod:`derivations.engine.matrices`,
for symbolic r and q.

A step that fails raises :class:`VerificationError`: it is never shown.
"""
from __future__ import annotations

import random

import sympy
from sympy.matrices.expressions.matexpr import MatrixElement

from ..evaluate import instantiate
from ..matrices import entry, has_symbolic_shape, index_form
from ..steps import Chain, Claim, Step, Verification
from .comparison import check_numerically
from .definitions import expand_definitions
from .equivalence import check_equivalence
from .exact import check_exact_numbers, rationals_equal, symbolically_equal
from .instances import CLASS_COUNTS, Instances
from .sampling import Sampler
from .unknowns import integer_symbols, symbolic_counts
from .written import OTHER_NUMBER, RATIONAL, SYMBOLIC, WITH_EXP, kind_of, same_when_written_out, substitute

#: the symbolic entry (r, q) at which two matrices of symbolic size are compared (one pair, so that the
#: instances, cached by the names of what they set, are shared between steps)
ROW, COL = sympy.Dummy("r", integer=True), sympy.Dummy("q", integer=True)


def _index_form(expr, memo):
    """:func:`~derivations.engine.matrices.index_form`, asked only of what holds an entry of a matrix
    expression (looked for once per distinct subexpression: the entries of a written-out vector share
    their long parts, and asking each entry afresh would cost K times their length)."""
    if isinstance(expr, sympy.MatrixBase):
        if not any(_has_matrix_element(e, memo) for e in expr):
            return expr
        return expr.applyfunc(lambda e: index_form(e) if _has_matrix_element(e, memo) else e)
    if isinstance(expr, sympy.Basic) and not isinstance(expr, sympy.MatrixExpr) and not _has_matrix_element(expr, memo):
        return expr
    return index_form(expr)


def _has_matrix_element(e, memo) -> bool:
    found = memo.get(e)
    if found is None:
        found = memo[e] = isinstance(e, MatrixElement) or any(_has_matrix_element(a, memo) for a in e.args)
    return found


class VerificationError(RuntimeError):
    """A step did not verify: the derivation must not be shown."""

    def __init__(self, step, verification):
        self.step = step
        self.verification = verification
        super().__init__(f"step did not verify ({verification.verified_by}): "
                         f"{step.before} = {step.after}")


def _numbers_only(a, b) -> bool:
    """Both sides are plain numbers: no unknowns, no derivative or sum left to take."""
    return not a.free_symbols and not b.free_symbols and not a.has(sympy.Derivative, sympy.Sum) \
        and not b.has(sympy.Derivative, sympy.Sum)


def _explicit(side):
    """A matrix expression of known size (diag(p) - p p^T) written out as a matrix, entry by entry (no
    derivative in it carried out: SymPy's as_explicit() would take d L_i / d s_0 as 0); anything else as it is."""
    if isinstance(side, sympy.MatrixExpr) and not isinstance(side, sympy.MatrixBase):
        rows, cols = (int(n) for n in side.shape)
        return sympy.ImmutableMatrix(rows, cols, lambda i, j: entry(side, sympy.Integer(i), sympy.Integer(j)))
    return side


class Verifier:
    """Checks the steps of one derivation; instantiations and sample points are shared between steps."""

    def __init__(self, definitions: dict | None = None, *, class_counts=CLASS_COUNTS,
                 base_points: int = 4, max_index_choices: int = 2, seed: int = 20261122, spread: float = 3.0,
                 try_symbolic=None):
        """``spread``: unknowns are drawn from (-spread, spread), positive ones from (0.2, spread).

        ``try_symbolic(a, b)``, when given, says whether cancelling a - b symbolically is worth trying
        (``derive diff`` skips it for deeply nested functions, where SymPy would take seconds and
        the numeric check decides in milliseconds).
        """
        self.try_symbolic = try_symbolic
        self.definitions = definitions or {}
        self.base_points = base_points
        self.instances = Instances(class_counts, max_index_choices)
        self.seed = seed
        self._definition_memo: dict = {}
        self.sampler = Sampler(random.Random(seed), spread)

    def check(self, before, after, conditions=(), values=None) -> Verification:
        """Whether ``before = after`` holds under ``conditions`` (relations such as Ne(k, y_i)).

        With ``values`` (symbol -> number), whether ``before`` with the values put
        in equals ``after``: the check of a substitution step. Matrices are
        compared entry by entry.
        """
        if has_symbolic_shape(before) or has_symbolic_shape(after):
            return self._check_matrix_expressions(before, after, conditions, values)
        memo: dict = {}
        before, after = _index_form(before, memo), _index_form(after, memo)
        before, after = _explicit(before), _explicit(after)
        if isinstance(before, sympy.MatrixBase) or isinstance(after, sympy.MatrixBase):
            return self._check_matrices(before, after, conditions, values)
        return self._check(before, after, tuple(conditions), dict(values) if values else None, {})

    def _check(self, before, after, conditions, values, scratch) -> Verification:
        """One check; ``scratch`` holds work shared by the entries of a vector (values put in, numbers)."""
        a = expand_definitions(before, self.definitions, self._definition_memo)
        b = expand_definitions(after, self.definitions, self._definition_memo)
        if values:
            # sums with known bounds written out first (each shared part once), then the values put in
            a = substitute(instantiate(a, {}, scratch.setdefault("sums", {})), values, scratch.setdefault("values", {}))
        if a == b:
            if values:
                return Verification(True, "substitution", "the values put into the left side give the right side")
            if before == after:
                return Verification(True, "symbolic", "both sides are the same expression")
            return Verification(True, "definition", "the two sides agree once the definitions are put in")
        kinds = scratch.setdefault("kinds", {})
        kind = max(kind_of(a, kinds), kind_of(b, kinds)) if SYMBOLIC not in (kind_of(a, kinds), kind_of(b, kinds)) \
            else SYMBOLIC
        method = "substitution" if values else "symbolic"
        if kind == WITH_EXP:
            # numbers with powers of e in them: exact arithmetic decides (and cancel() would be slow)
            return check_exact_numbers(a, b, scratch)
        if kind == RATIONAL and rationals_equal(a, b, scratch.setdefault("rationals", {})):
            return Verification(True, method, "the difference simplifies to 0")
        if kind in (RATIONAL, OTHER_NUMBER):
            if kind == OTHER_NUMBER and symbolically_equal(a, b):
                return Verification(True, method, "the difference simplifies to 0")
            return check_exact_numbers(a, b, scratch)
        counts = symbolic_counts(a, b)
        indices = integer_symbols(a) | integer_symbols(b)
        if not counts and not indices and (same_when_written_out(a, b) or (
                (self.try_symbolic is None or self.try_symbolic(a, b)) and symbolically_equal(a, b))):
            return Verification(True, method, "the difference simplifies to 0")
        self.sampler.reseed(self.seed, a, b, *conditions)
        return check_numerically(a, b, conditions, counts, instances=self.instances, sampler=self.sampler,
                                 base_points=self.base_points)

    def stamp(self, step: Step, conditions=(), values=None) -> Step:
        """Verify ``step`` in place; raise :class:`VerificationError` if it fails."""
        step.verification = self.check(step.before, step.after, conditions, values)
        if not step.verification.ok:
            raise VerificationError(step, step.verification)
        return step

    def stamp_cases(self, step: Step, cases, index, env, **options) -> Step:
        """Verify a vector step ``[d f / d v_i] = [entry_i]`` in place, each entry from its case (see
        :mod:`.cases`): in the size of the result, whatever the number of classes."""
        from .cases import check_case_entries
        before, after = _explicit(step.before), _explicit(step.after)
        step.verification = check_case_entries(self, list(before), list(after), cases, index, env, **options)
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
        """Whether two conditions (relations without a symbolic K) hold at exactly the same points."""
        self.sampler.reseed(self.seed, a, b)
        return check_equivalence(a, b, self.sampler, samples)

    def _check_matrix_expressions(self, before, after, conditions, values) -> Verification:
        """Two matrices of symbolic size (X^T (P - Y) / N, dL/dW): equal when entry (r, q) of each is, for
        symbolic r and q, checked like any scalar step (N, D and K set to small sizes)."""
        shapes = [getattr(side, "shape", None) for side in (before, after)]
        if shapes[0] is None or shapes[1] is None or any(
                sympy.simplify(a - b) != 0 for a, b in zip(shapes[0], shapes[1])):
            return Verification(False, "symbolic", f"the two sides are not of the same shape: {shapes[0]} and "
                                                   f"{shapes[1]}")
        rows, cols = shapes[0]
        row = sympy.Integer(0) if rows == 1 else ROW
        col = sympy.Integer(0) if cols == 1 else COL
        found = self.check(entry(before, row, col), entry(after, row, col), conditions, values)
        return Verification(found.ok, found.method, f"entry ({row}, {col}) of each side: {found.detail}"
                            if found.ok else found.detail, points=found.points, mismatch=found.mismatch)

    def _check_matrices(self, before, after, conditions, values) -> Verification:
        if not (isinstance(before, sympy.MatrixBase) and isinstance(after, sympy.MatrixBase)) \
                or before.shape != after.shape:
            return Verification(False, "symbolic", "the two sides are not of the same shape")
        scratch, values = {}, dict(values) if values else None
        results = [self._check(a, b, tuple(conditions), values, scratch) for a, b in zip(before, after)]
        failed = [r for r in results if not r.ok]
        if failed:
            return failed[0]
        methods = sorted({r.method for r in results})
        return Verification(True, "+".join(methods), f"entry by entry ({len(results)} entries)",
                            points=max(r.points for r in results))
