"""A vector of derivatives, each entry from its case: checked in the size of the result.

A worked example writes its gradient as ``[dL/ds_0, ..., dL/ds_{K-1}] = [entry_0, ...]``, each entry
the verified case formula (k = y_i or k != y_i) with the numbers of the example put in. At K = 1000
classes, differentiating the written-out loss once per entry would take K times the size of the
loss; instead:

* every entry is compared with its case's formula, instantiated here for that entry (the case whose
  condition holds for it, with K, y_i, Delta ... put in and the sums written out): the same
  expression, or equal at random points;
* the whole vector is compared with centred finite differences of the loss itself at a few entries
  (the first, the last, the one named by ``focus`` and a few drawn at random), at random points away
  from every kink.
"""
from __future__ import annotations

import math

import sympy
from sympy import Integer

from ..evaluate import Instance, instantiate, point_key
from ..steps import Verification
from .definitions import expand_definitions
from .sampling import seed_of
from .written import written_out_form

#: centred differences: step, tolerance (relative to max(1, |derivative|)), distance kept from kinks
STEP = 1e-6
TOLERANCE = 1e-5
KINK_DISTANCE = 1e-3


def check_case_entries(verifier, lhs, rhs, cases, index, env, *, focus=None, sampled=6, points=2,
                       spread=None, positions=None) -> Verification:
    """Whether ``rhs[i]`` is the entry of ``lhs[i]`` (a derivative d f / d v_i) from its case, for every i.

    ``cases`` are (condition, formula) pairs in terms of the entry's ``index`` (k = y_i, k != y_i);
    ``env`` puts in the example's sizes and numbers (K, y_i, Delta); ``spread`` bounds the random
    values of the finite-difference points (default: the verifier's). For a matrix, ``index`` is a
    tuple of symbols (j, k) and ``positions`` gives each entry's values of them.
    """
    lhs, rhs = list(lhs), list(rhs)
    if len(lhs) != len(rhs) or not lhs:
        return Verification(False, "cases", "the two sides are not of the same length")
    indices = index if isinstance(index, tuple) else (index,)
    positions = positions if positions is not None else [(i,) for i in range(len(rhs))]
    memo: dict = {}
    partial = [(sympy.sympify(condition).xreplace(env), instantiate(formula, env)) for condition, formula in cases]
    for i, entry in enumerate(rhs):
        here = {symbol: Integer(value) for symbol, value in zip(indices, positions[i])}
        matching = [formula for condition, formula in partial if bool(condition.xreplace(here))]
        if len(matching) != 1:
            return Verification(False, "cases", f"entry {i} falls in {len(matching)} cases, not one")
        expected = instantiate(matching[0], here)
        if expected != entry and written_out_form(expected, memo) != written_out_form(entry, memo) and \
                not _equal_at_points(verifier, expected, entry, i):
            return Verification(False, "cases", f"entry {i} is not its case's formula {expected}")
    worst, compared, chosen = _finite_differences(verifier, lhs, rhs, focus, sampled, points, spread)
    if compared == 0:
        return Verification(False, "cases", "no point away from the kinks for the finite differences")
    if worst > TOLERANCE:
        return Verification(False, "cases", f"an entry disagrees with finite differences of the loss "
                                            f"(relative difference {worst:.1e})")
    return Verification(True, "cases", f"each entry is its case's formula ({len(rhs)} entries); centred finite "
                                       f"differences at {chosen} entries, {compared} points, largest relative "
                                       f"difference {worst:.1e}")


def _equal_at_points(verifier, a, b, i) -> bool:
    """Whether two entries agree at a few random points (when they are not written the same way)."""
    a = expand_definitions(a, verifier.definitions, verifier._definition_memo)
    b = expand_definitions(b, verifier.definitions, verifier._definition_memo)
    verifier.sampler.reseed("entry", i, a, b)
    variables = verifier.sampler.variables((a, b), {})
    evaluator = Instance({})
    for _ in range(3):
        point = verifier.sampler.fill({}, variables)
        try:
            x, y_ = evaluator.value(a, point), evaluator.value(b, point)
        except (ValueError, ZeroDivisionError, OverflowError):
            return False
        if abs(x - y_) > 1e-9 * max(1.0, abs(x), abs(y_)):
            return False
    return True


def _entries_to_sample(count, focus, sampled, seed):
    """The first and last entries, ``focus``, and random others: at most ``sampled``, in order."""
    import random
    chosen = {0, count - 1} | ({focus} if focus is not None else set())
    rng = random.Random(seed)
    others = [i for i in range(count) if i not in chosen]
    chosen |= set(rng.sample(others, min(len(others), max(0, sampled - len(chosen)))))
    return sorted(chosen)


def _finite_differences(verifier, lhs, rhs, focus, sampled, points, spread):
    """(largest relative difference, points compared, entries sampled) against centred differences of f."""
    seed = seed_of("finite differences", len(lhs), lhs[0], lhs[-1])
    entries = _entries_to_sample(len(lhs), focus, sampled, seed)
    sampler = verifier.sampler
    saved = sampler.spread
    if spread is not None:
        sampler.spread = spread
    try:
        sampler.reseed(seed)
        evaluator = Instance({})
        worst, compared = 0.0, 0
        functions = {}
        for i in entries:
            node = lhs[i]
            if not isinstance(node, sympy.Derivative) or len(node.variables) != 1:
                return float("inf"), 0, len(entries)
            f, v = node.expr, node.variables[0]
            if f not in functions:
                functions[f] = expand_definitions(f, verifier.definitions, verifier._definition_memo)
            loss = functions[f]
            derived = expand_definitions(rhs[i], verifier.definitions, verifier._definition_memo)
            variables = sampler.variables((loss, derived, v), {})
            key = point_key(v)
            found = 0
            for _ in range(10 * points):
                if found == points:
                    break
                point = sampler.fill({}, variables)
                record = {}
                try:
                    evaluator.value(loss, point, record)
                    value = evaluator.value(derived, point)
                except (ValueError, ZeroDivisionError, OverflowError):
                    continue
                if key not in point or any(abs(u) < KINK_DISTANCE for u in record.values()):
                    continue
                up, down = dict(point), dict(point)
                up[key] += STEP
                down[key] -= STEP
                try:
                    numeric = (evaluator.value(loss, up) - evaluator.value(loss, down)) / (2 * STEP)
                except (ValueError, ZeroDivisionError, OverflowError):
                    continue
                if not (math.isfinite(numeric) and math.isfinite(value)):
                    continue
                worst = max(worst, abs(value - numeric) / max(1.0, abs(value)))
                found += 1
                compared += 1
        return worst, compared, len(entries)
    finally:
        sampler.spread = saved
