"""Index values to check a written step on: chosen so that an index swapped for another shows.

The engine's :class:`~derivations.engine.verify.instances.Instances` takes every assignment of
the free indices (or the first, middle and last of them); for a written step with many indices
(n, d, c, j, y_n ...) that is both too many to list and too alike (0, 0, 0 ...). Here the
assignments allowed by the case's conditions are drawn at random (seeded, so the same text gives
the same checks), and the chosen ones are as different as they can be: one with every index
different, one with a pair of them equal, and so on.
"""
from __future__ import annotations

import itertools
import random

import sympy

from ...engine.verify.instances import Instances

#: at most this many assignments are listed before choosing; beyond it they are drawn at random
EXHAUSTIVE = 2000
DRAWS = 600


class WrittenInstances(Instances):
    """Instances whose index choices are spread out (see the module docstring)."""

    def __init__(self, class_counts, max_index_choices: int = 4, seed: int = 7):
        super().__init__(class_counts, max_index_choices)
        self.seed = seed
        self._choices: dict = {}

    def index_choices(self, symbols, n, conditions) -> list[dict]:
        symbols = sorted(symbols, key=str)
        key = (tuple(symbols), n, tuple(conditions))
        if key not in self._choices:
            self._choices[key] = self._choose(symbols, n, conditions)
        return self._choices[key]

    def _choose(self, symbols, n, conditions) -> list[dict]:
        if not symbols:
            return [{}]
        pinned = _pinned(symbols, conditions, n)
        if pinned is None:
            return []
        free = [s for s in symbols if s not in pinned]
        rng = random.Random(f"{self.seed}:{n}:{','.join(map(str, symbols))}")
        if n ** len(free) <= EXHAUSTIVE:
            candidates = [dict(zip(free, values)) for values in itertools.product(range(n), repeat=len(free))]
        else:
            candidates = [{s: rng.randrange(n) for s in free} for _ in range(DRAWS)]
        tests = [_test(c) for c in conditions]
        allowed = []
        seen = set()
        for candidate in candidates:
            full = {**pinned, **candidate}
            signature = tuple(full[s] for s in symbols)
            if signature in seen:
                continue
            seen.add(signature)
            if all(test(full) for test in tests):
                allowed.append(full)
        if len(allowed) <= self.max_index_choices:
            return allowed
        return _spread(allowed, symbols, self.max_index_choices, rng)


def _pinned(symbols, conditions, n):
    """Indices a condition fixes to a number (j = 1); None when that number is not a class of n."""
    pinned = {}
    for c in conditions:
        if isinstance(c, sympy.Eq):
            a, b = c.lhs, c.rhs
            if a in symbols and b.is_Integer:
                a, b = a, b
            elif b in symbols and a.is_Integer:
                a, b = b, a
            else:
                continue
            if not 0 <= int(b) < n:
                return None
            pinned[a] = int(b)
    return pinned


def _test(condition):
    """A fast test of a condition on index values: Eq/Ne/< of two indices or numbers, else a substitution."""
    kinds = {sympy.Eq: lambda a, b: a == b, sympy.Ne: lambda a, b: a != b, sympy.Lt: lambda a, b: a < b,
             sympy.Gt: lambda a, b: a > b, sympy.Le: lambda a, b: a <= b, sympy.Ge: lambda a, b: a >= b}
    compare = kinds.get(type(condition))
    sides = getattr(condition, "args", ())
    if compare is not None and len(sides) == 2 and all(isinstance(x, (sympy.Symbol, sympy.Integer)) for x in sides):
        a, b = sides

        def value(x, values):
            return int(x) if isinstance(x, sympy.Integer) else values.get(x)

        def test(values):
            x, y = value(a, values), value(b, values)
            if x is None or y is None:
                return _holds(condition, values)
            return compare(x, y)
        return test
    return lambda values: _holds(condition, values)


def _holds(condition, values) -> bool:
    result = condition.xreplace({s: sympy.Integer(v) for s, v in values.items()})
    return bool(result) if result in (sympy.true, sympy.false) else False


def _spread(allowed, symbols, count, rng):
    """``count`` assignments, as unlike each other as possible: most distinct values first, then a mix."""
    def distinct(a):
        return len(set(a.values()))
    ordered = sorted(allowed, key=lambda a: (-distinct(a), tuple(a[s] for s in symbols)))
    chosen = [ordered[0]]
    equal_pairs = [a for a in allowed if distinct(a) < len(symbols)]
    if equal_pairs:
        chosen.append(equal_pairs[rng.randrange(len(equal_pairs))])
    rest = [a for a in allowed if a not in chosen]
    rng.shuffle(rest)
    for a in rest:
        if len(chosen) >= count:
            break
        chosen.append(a)
    return chosen[:count]
