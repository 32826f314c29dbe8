"""Naming the slip in a wrong step: the one generated mistake that, undone, makes the step hold.

A wrong step ``before = after`` is repaired one edit at a time, and each repaired step is checked
by the same verifier. An edit that makes the step hold names the mistake:

* ``index``: one index written for another (s_k where s_{y_i} is meant, x_i for x_j, w_i for w_j);
* ``sign``: the sign of a side or of one term;
* ``term-of-sum``: the term j = y_i kept in (or dropped from) a sum over the classes;
* ``delta-dropped``: a Kronecker delta of the line before left out of a term;
* ``margin-dropped``: Delta left out of a max(0, ...) or an indicator;
* ``extra-term`` / ``missing-term``: a term too many or too few (anywhere, a denominator too);
* ``missing-factor`` / ``extra-factor``: a factor of the line before left out, or one too many;
* ``log-base``: a number computed with log base 10 or 2 instead of the natural log;
* ``power``: a denominator squared or not;
* ``normalisation``, ``regularizer``, ``exponent``, ``shift``: a dropped 1/N, λW for 2λW (or the reverse),
  an exponent slip, the log-sum-exp shift on one side only (tried first: see :func:`_common`).

Only one edit is tried at a time, so two slips in one step get no diagnosis (the counterexample
still says where the step fails).
"""
from __future__ import annotations

import time

import sympy
from sympy import Add, Heaviside, Indexed, KroneckerDelta, Max, Mul, Pow, Sum, Symbol

from ...engine.notation import SumExcept, y
from .roles import MARGIN as Delta  # noqa: E402 - the written derivations' own (positive) margin
from .said import said, shown

#: the most repairs tried for one step (fewer for a step over a batch, whose checks are large); the same
#: step gets the same diagnosis on any machine, so the work is counted, not timed (MAX_SECONDS only stops
#: a runaway)
MAX_REPAIRS = 120
MAX_BATCH_REPAIRS = 30
MAX_SECONDS = 20.0


def diagnose(judge, before, after, conditions=(), real=(), class_counts=(3, 4), expand=None,
             expanded_before=None, before_first=False, before_correct=False) -> str | None:
    """``tag: description`` of the one edit that makes ``before = after`` hold, or None.

    ``before`` and ``after`` are the step as written (defined names not put in), so that the edit is
    named in the text's own terms (P_j, not the softmax it stands for); ``expand`` puts the
    definitions in before each repaired step is checked. ``before_correct``: the left side is the right side
    of a step verified just before it (only the right side can hold the slip).
    """
    expand = expand or (lambda e: e)
    reference = expanded_before if expanded_before is not None else before
    deadline = time.perf_counter() + MAX_SECONDS
    from ...engine.notation import N
    limit = MAX_BATCH_REPAIRS if reference.has(N) or after.has(N) else MAX_REPAIRS
    tried = 0
    found = []
    for tag, description, left, right in _repairs(before, after, reference, before_first, conditions):
        if tried >= limit or time.perf_counter() > deadline or len(found) >= 3:
            break
        if found and tag != "index":
            break                      # an index repair found: others of its kind may fit better
        tried += 1
        try:
            if left == before and right == after or before_correct and left != before:
                continue
            if left.has(sympy.zoo, sympy.nan, sympy.oo) or right.has(sympy.zoo, sympy.nan, sympy.oo):
                continue
            repaired = expand(left), expand(right)
            if judge.equal(*repaired, conditions, real, class_counts).ok \
                    and judge.equal(*repaired, conditions, real).ok:        # confirmed at every class count
                found.append((tag, description, left, right))
                if tag != "index":
                    break
        except Exception:  # noqa: BLE001 - a repair SymPy cannot handle is simply not the one
            continue
    if not found:
        return None
    tag, description, _, _ = max(found, key=lambda f: _fits(f, before, after))
    return said(f"{tag}: ", description)


def _fits(repair, before, after) -> int:
    """How well an index repair fits the line: the index it removes is rare there, the one it puts in common."""
    tag, _, left, right = repair
    if tag != "index":
        return 0
    def counts(*exprs):
        found = {}
        for e in exprs:
            for node in _occurrences_list(e):
                for index in node.indices:
                    found[index] = found.get(index, 0) + 1
        return found
    old, new = counts(before, after), counts(left, right)
    removed = [i for i in old if new.get(i, 0) < old[i]]
    added = [i for i in new if new[i] > old.get(i, 0)]
    return sum(old.get(i, 0) for i in added) - sum(old.get(i, 0) for i in removed)


def _occurrences_list(expr):
    return [node for _, node in _occurrences(expr)]


def number_diagnosis(exact_with, written_value, matches) -> str | None:
    """For a wrong number: whether log base 10 or 2 gives it (``exact_with(base)`` recomputes)."""
    for base, name in ((10, "10"), (2, "2")):
        try:
            if matches(exact_with(base), written_value):
                return f"log-base: the number is what log base {name} gives; the natural log is meant"
        except (TypeError, ValueError, ZeroDivisionError):
            continue
    return None


def _repairs(before, after, reference, before_first=False, conditions=()):
    """(tag, description, repaired before, repaired after), most likely first; ``reference`` is
    ``before`` with the definitions put in (where a Delta or a delta to put back is looked for)."""
    yield from _common(before, after, reference)
    yield from _sum_terms(before, after, reference)
    yield from _margins(before, after, reference)
    yield from _deltas(before, after, reference, conditions)
    yield from _signs(before, after)
    yield from _indices(before, after, reference, before_first)
    yield from _terms(before, after)
    yield from _factors(before, after)
    yield from _powers(before, after)


def _free_indices(*exprs) -> list:
    found = set()
    for e in exprs:
        for a in e.free_symbols:
            if isinstance(a, Symbol) and a.is_integer and not a.name.endswith("~") and a.name not in ("K", "N", "D"):
                found.add(a)
        for d in e.atoms(sympy.Derivative):
            for v, _ in d.variable_count:
                found |= {a for a in v.free_symbols if isinstance(a, Symbol) and a.is_integer}
    if any(e.has(y) for e in exprs):
        found.add(y)
    return sorted(found, key=str)


def _indices(before, after, reference, before_first=False):
    """One index of one occurrence of an indexed name replaced by another index of the step, either side."""
    choices = _free_indices(before, after, reference)
    sides = (("after", after), ("before", before))
    for side_name, side in (reversed(sides) if before_first else sides):
        for path, node in _occurrences(side):
            for position, index in enumerate(node.indices):
                if not (isinstance(index, Symbol) and index.is_integer) or index.name.endswith("~"):
                    continue
                for other in choices:
                    if other == index:
                        continue
                    replaced = node.base[tuple(other if i == position else old
                                                for i, old in enumerate(node.indices))]
                    new = _replace_at(side, path, replaced)
                    if new == side:
                        continue
                    description = said(shown(node), " written where ", shown(replaced), " makes the step hold")
                    if side_name == "after":
                        yield "index", description, before, new
                    else:
                        yield "index", description, new, after


def _occurrences(expr, path=()):
    """(path, node) of every indexed name in ``expr``, one per place it is written (derivative variables too)."""
    if isinstance(expr, Indexed):
        yield path, expr
        return
    for position, arg in enumerate(expr.args):
        if isinstance(arg, sympy.Basic):
            yield from _occurrences(arg, path + (position,))


def _replace_at(expr, path, new):
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = _replace_at(args[path[0]], path[1:], new)
    if isinstance(expr, Max):
        return Max(*args, evaluate=False)
    return expr.func(*args)


def _common(before, after, reference):
    """The slips students make most in these derivations, tried first (each one edit of ``after``):

    * ``normalisation``: the 1/N of a batch average dropped from a term (or put where none belongs);
    * ``regularizer``: λW written for 2λW, the gradient of λ Σ W² (or 2λW for λW, that of ½λ Σ W²);
    * ``exponent``: a power off by one, or e^{-u} for e^{u};
    * ``shift``: the log-sum-exp shift m applied to one side of a fraction only (e^{s_k - m} / Σ e^{s_j}).
    """
    from ...engine.notation import N
    terms = list(after.args) if isinstance(after, Add) else [after]
    if reference.has(N) or after.has(N):
        for term in terms:
            if _has_batch_sum(term) and not _divided_by(term, N):
                yield ("normalisation", said("the ", 1 / N, " of the average over the batch is missing from ",
                                             shown(term)),
                       before, after - term + term / N)
        if len(terms) > 1 and all(not _divided_by(term, N) for term in terms if _has_batch_sum(term)):
            yield "normalisation", said("the ", 1 / N, " of the average over the batch is missing"), before, after / N
        for term in terms:
            if _divided_by(term, N) and not _has_batch_sum(term):
                yield ("normalisation", said(shown(term), " is not averaged over the batch: the ", 1 / N,
                                             " does not belong there"), before, after - term + term * N)
    lam = [s for s in after.free_symbols | reference.free_symbols if getattr(s, "name", "") in ("lambda", "reg")]
    for term in terms if lam else ():
        if term.has(lam[0]):
            penalty = (lam[0], " times the sum of the squared weights")
            half = (sympy.Rational(1, 2) * lam[0], " times that sum")
            yield ("regularizer", said(shown(term), " is half the gradient of ", *penalty, ": it is ", shown(2 * term),
                                       " (", shown(term), " is the gradient of ", *half, ")"),
                   before, after - term + 2 * term)
            yield ("regularizer", said(shown(term), " is twice the gradient of ", *half[:1], " times the sum of the "
                                       "squared weights: it is ", shown(term / 2), " (", shown(term),
                                       " is the gradient of ", lam[0], " times that sum)"),
                   before, after - term + term / 2)
    for node in sorted(after.atoms(Pow), key=str):
        if node.exp.is_Integer and node.exp not in (-1, -2) and abs(node.exp) <= 4:
            for exponent in (node.exp + 1, node.exp - 1):
                if exponent != 0:
                    yield ("exponent", said(shown(node), " should be ", shown(Pow(node.base, exponent))), before,
                           after.xreplace({node: Pow(node.base, exponent)}))
    for node in sorted(after.atoms(sympy.exp), key=str):
        yield ("exponent", said("the sign of the exponent of ", shown(node), " is flipped"), before,
               after.xreplace({node: sympy.exp(-node.args[0])}))
    yield from _shifts(before, after)
    yield from _swaps(before, after)


def _swaps(before, after):
    """Two indices swapped inside a max or an indicator (1[w_{y_i}^T x - w_j^T x + Δ > 0] for the reverse)."""
    for node in sorted(after.atoms(Heaviside, Max), key=str):
        indices = sorted({s for s in node.free_symbols if isinstance(s, Symbol) and s.is_integer}
                         | {y} & node.free_symbols, key=str)
        for n, first in enumerate(indices):
            for second in indices[n + 1:]:
                swapped = node.xreplace({first: second, second: first})
                if swapped != node:
                    yield ("index", said(shown(first), " and ", shown(second), " are swapped in ", shown(node)), before,
                           after.xreplace({node: swapped}))


def _has_batch_sum(expr) -> bool:
    from ...engine.notation import N
    return any(isinstance(node, Sum) and any(limit[2].has(N) for limit in node.limits)
               for node in sympy.preorder_traversal(expr))


def _divided_by(term, count) -> bool:
    return any(isinstance(f, Pow) and f.base == count and f.exp.is_negative for f in Mul.make_args(term))


def _shifts(before, after):
    """e^{s_k - m} over Σ_j e^{s_j}: the shift m put on the exponentials that lack it (or taken off)."""
    exps = sorted(after.atoms(sympy.exp), key=str)
    shifts = set()
    for node in exps:
        for term in Add.make_args(node.args[0]):
            if term.could_extract_minus_sign() and not term.has(Indexed):
                shifts.add(-term)
    for shift in sorted(shifts, key=str):
        lacking = [node for node in exps if not node.args[0].has(shift)]
        if lacking:
            yield ("shift", said("the shift ", shown(shift), " is applied to one side only: the other side's "
                                 "exponentials need it too"), before,
                   after.xreplace({node: sympy.exp(node.args[0] - shift) for node in lacking}))
        having = [node for node in exps if node.args[0].has(shift)]
        yield ("shift", said("the shift ", shown(shift), " is applied to one side only"), before,
               after.xreplace({node: sympy.exp(node.args[0] + shift) for node in having}))


def _signs(before, after):
    yield "sign", "the sign of the right side is flipped", before, -after
    if isinstance(after, Add):
        for term in after.args:
            yield "sign", said("the sign of the term ", shown(term), " is flipped"), before, after - 2 * term


def _terms(before, after):
    """A term too many (in any sum, a denominator's too) or one of the line before missing."""
    for node in sorted(_value_sums(after), key=lambda e: -sympy.count_ops(e)):
        for term in node.args:
            smaller = after.xreplace({node: node - term})
            yield "extra-term", said("the term ", shown(term), " should not be there"), before, smaller
    if isinstance(before, Add):
        for term in before.args:
            yield "missing-term", said("the term ", shown(term), " is missing"), before, after + term
    for term in (sympy.Integer(-1), sympy.Integer(1)):
        yield "missing-term", said("a term ", shown(term), " is missing"), before, after + term


def _value_sums(expr) -> set:
    """The sums (Add) of ``expr`` that are values, not the bounds of a sum or an index."""
    found = set()

    def visit(e, in_index):
        if isinstance(e, Add) and not in_index and not e.is_integer:
            found.add(e)
        if isinstance(e, (Sum, SumExcept)):
            visit(e.args[0], in_index)
            return
        if isinstance(e, (Indexed, KroneckerDelta)):
            return
        for arg in e.args:
            if isinstance(arg, sympy.Basic):
                visit(arg, in_index)
    visit(expr, False)
    return found


def _factors(before, after):
    factors = [f for f in Mul.make_args(before) if not f.is_Number] if isinstance(before, Mul) else []
    if isinstance(before, Add):                 # p_j - p_j p_k: a factor of one of its terms
        for term in before.args:
            factors += [f for f in Mul.make_args(term) if not f.is_Number and f not in factors]
    for factor in factors:
        yield "missing-factor", said("the factor ", shown(factor), " is missing"), before, after * factor
    if isinstance(after, Mul):
        for factor in after.args:
            if not factor.is_Number:
                yield "extra-factor", said("the factor ", shown(factor), " should not be there"), before, after / factor
    for factor in (sympy.Integer(2), sympy.Rational(1, 2)):
        yield "missing-factor", said("a factor ", shown(factor), " is missing"), before, after * factor


def _sum_terms(before, after, reference):
    for node in after.atoms(SumExcept):
        full = Sum(node.function, (node.index, node.lower, node.upper))
        yield ("term-of-sum", said("the term ", shown(node.index), " = ", shown(node.excluded),
                                   " is left out of the sum; it belongs in"), before, after.xreplace({node: full}))
    for node in after.atoms(Sum):
        if len(node.limits) == 1 and reference.has(SumExcept):
            index, lower, upper = node.limits[0]
            for excluded in {s.excluded for s in reference.atoms(SumExcept)}:
                yield ("term-of-sum", said("the sum keeps the term ", shown(index), " = ", shown(excluded),
                                           ", which it must leave out"), before,
                       after.xreplace({node: SumExcept(node.function, index, excluded, lower, upper)}))


def _margins(before, after, reference):
    if not reference.has(Delta):
        return
    for node in after.atoms(Max):
        if not node.has(Delta):
            arguments = [a + Delta if not a.is_Number else a for a in node.args]
            yield ("margin-dropped", said(Delta, " is missing from ", shown(node)), before,
                   after.xreplace({node: Max(*arguments, evaluate=False)}))
    for node in after.atoms(Heaviside):
        if not node.has(Delta):
            yield ("margin-dropped", said(Delta, " is missing from ", shown(node)), before,
                   after.xreplace({node: Heaviside(node.args[0] + Delta, *node.args[1:])}))


def _deltas(before, after, reference, conditions=()):
    """A Kronecker delta put back into a term: first those of the line before, then one of two indices of the
    step (a delta that the case makes 0 or 1 is not one the text could have dropped)."""
    written = before.atoms(KroneckerDelta) | reference.atoms(KroneckerDelta)
    free = _free_indices(before, after, reference)
    generic = set()
    for node in after.atoms(Sum, SumExcept):
        bound = node.index if isinstance(node, SumExcept) else node.limits[0][0]
        generic |= {KroneckerDelta(bound, index) for index in free if index != bound}
    generic |= {KroneckerDelta(a, b) for n, a in enumerate(free) for b in free[n + 1:]}
    settled = {frozenset(c.args) for c in conditions if isinstance(c, (sympy.Eq, sympy.Ne))}
    generic = {d for d in generic - written if frozenset(d.args) not in settled}
    sums = sorted(_value_sums(after), key=lambda e: -sympy.count_ops(e))
    for deltas in (sorted(written, key=str), sorted(generic, key=str)):
        for node in sums:
            for term in node.args:
                for delta in deltas:
                    if term.has(delta) or (term.free_symbols and not delta.free_symbols & term.free_symbols):
                        continue
                    repaired = after.xreplace({node: node - term + delta * term})
                    yield ("delta-dropped", said("the factor ", shown(delta), " is missing from the term ", shown(term)),
                           before, repaired)
        for node in after.atoms(Sum, SumExcept):
            body = node.function
            bound = node.index if isinstance(node, SumExcept) else node.limits[0][0]
            for delta in deltas:
                if bound in delta.free_symbols and not body.has(delta):
                    yield ("delta-dropped", said("the factor ", shown(delta), " is missing from the sum's terms"),
                           before,
                           after.xreplace({node: node.func(delta * body, *node.args[1:])}))
    for delta in after.atoms(KroneckerDelta):
        yield "delta-kept", said("the factor ", shown(delta), " should not be there"), before, after.xreplace({delta: 1})


def _powers(before, after):
    for node in after.atoms(Pow):
        if node.exp == -1:
            yield "power", said("the denominator ", shown(node.base), " should be squared"), before, \
                after.xreplace({node: Pow(node.base, -2)})
        elif node.exp == -2:
            yield "power", said("the denominator ", shown(node.base), " is squared once too often"), before, \
                after.xreplace({node: Pow(node.base, -1)})
