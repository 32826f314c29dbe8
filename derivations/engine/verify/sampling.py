"""Where a step is evaluated: random points, and points placed on a chosen side of a kink.

Unknowns are drawn uniformly from (-spread, spread), positive ones from
(0.2, spread). For a max(0, u) or an indicator 1[u > 0] whose argument was
seen on one side only, :meth:`Sampler.kink_point` moves one unknown with a
constant slope in u so that u lands on the other side.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import random

import sympy
from sympy import Indexed, Max, Min

from ..evaluate import concrete, point_key
from ..notation import COUNTS
from .unknowns import real_symbols, unknowns

#: unknowns tried, at most, to move a kink's argument to its other side
MAX_KINK_TRIES = 6
#: an unknown moved to cross a kink stays within this many times the spread of the random points
KINK_REACH = 4


@functools.lru_cache(maxsize=65536)
def _order(variable) -> str:
    """A variable's place in the order unknowns are drawn in: its name (s_3 as "s", 3)."""
    return str(variable)


def variable_key(variable) -> str:
    """A stable order for unknowns (a Symbol, or (base, position) for s_3): by name, never by hash."""
    return _order(variable)


def _atom_text(atom) -> str:
    """An atom's part of a fingerprint: its class and its name or value (never its hash)."""
    name = getattr(atom, "name", None)
    if isinstance(name, str):
        return f"{type(atom).__name__}:{name}"
    return f"{type(atom).__name__}:{atom}"


def _fingerprint(material, out: list) -> None:
    """Append the structure of ``material`` to ``out``: a SymPy tree as class names over its arguments
    (in SymPy's canonical argument order, which does not depend on Python's hash seed), anything else as
    its text. Much cheaper than printing the tree (no term ordering, no precedence)."""
    if isinstance(material, sympy.Basic):
        args = material.args
        if not args:
            out.append(_atom_text(material))
            return
        out.append(type(material).__name__ + "(")
        for arg in args:
            _fingerprint(arg, out)
        out.append(")")
    elif isinstance(material, (tuple, list)):
        out.append("[")
        for item in material:
            _fingerprint(item, out)
        out.append("]")
    else:
        out.append(f"{type(material).__name__}:{material}")


def seed_of(*material) -> int:
    """A seed from what is being checked (the structure of a step's sides, its conditions): the same step
    draws the same points in every run, whatever Python's hash seed, and whatever was checked before it."""
    out: list = []
    for item in material:
        _fingerprint(item, out)
        out.append("\x1f")
    digest = hashlib.sha256("\x1e".join(out).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _slope(u, v, terms):
    """du/dv read off the terms of u (``u.as_coefficients_dict()``, each with the set of its parts) where that is
    plain: the coefficient of v
    when v stands alone in one term, None (not a number) when v is a factor of products with other factors;
    else ``sympy.diff(u, v)``. The same as differentiating, at a fraction of the cost for a long u."""
    holding = [k for k, (_, inside) in terms.items() if v in inside]
    linear, other = sympy.S.Zero, False
    for k in holding:
        if k == v:
            linear = terms[k][0]
        elif isinstance(k, sympy.Mul) and v in k.args and not sympy.Mul(*[f for f in k.args if f != v]).has(v):
            other = True
        else:
            return sympy.diff(u, v)
    return None if other else linear


class Sampler:
    """Draws points from one random generator, reseeded for each check from what it checks (so every check is
    repeatable: the same command gives the same report, byte for byte)."""

    def __init__(self, rng, spread: float = 3.0):
        self.rng = rng
        self.spread = spread
        self._kinks: dict = {}          # (kink, indices) -> (its argument at those indices, unknowns to move)
        self.max_kink_points = None     # at most this many points placed across kinks per instance (None: all)
        self.value_of = None            # (variable, rng) -> a value in its domain, or None for the default draw

    def reseed(self, *material) -> None:
        """Draw the next points from a generator seeded by ``material`` (see :func:`seed_of`)."""
        self.rng = random.Random(seed_of(*material))

    def random_value(self, variable) -> float:
        if isinstance(variable, tuple):
            variable = variable[0]
        if self.value_of is not None:
            value = self.value_of(variable, self.rng)
            if value is not None:
                return value
        if getattr(variable, "is_positive", False):
            return self.rng.uniform(0.2, self.spread)
        return self.rng.uniform(-self.spread, self.spread)

    def variables(self, exprs, env) -> set:
        """The concrete unknowns: every score s_0 .. s_{n-1} of each indexed name, and the real symbols."""
        found = set()
        count = max([v for s_, v in env.items() if s_ in COUNTS] + [0])
        largest_index = max([v for s_, v in env.items() if s_ not in COUNTS] + [0])
        for expr in exprs:
            reals, bases, indices = unknowns(expr)
            found |= reals
            n = max(count, max(indices | {largest_index}) + 1)
            for base, rank in bases:
                found |= {(base, position) for position in itertools.product(range(n), repeat=rank)}
        return found

    def fill(self, point: dict, variables) -> dict:
        """``point`` with a random value for each of ``variables`` it lacks, drawn in a fixed order
        (by name, not by the set's order, which changes with Python's hash seed), so runs repeat."""
        for v in sorted((v for v in variables if v not in point), key=_order):
            point[v] = self.random_value(v)
        return point

    def kink_point(self, sample, node, env, wanted_positive: bool, variables):
        """A new point where the kink argument of ``node`` (for indices ``env``) has the wanted sign, or None.

        One unknown that u is linear in at the point (its slope measured by a unit step, so a margin
        s_j - s_y + Delta and a bilinear one sum_d x_d W_dj alike) is moved so that u lands on ``target``;
        the move is kept only if u then has the wanted sign."""
        from ..maxima import Argmax, MaxOver
        if isinstance(node, (MaxOver, Argmax)):
            return None              # a tie of the two largest terms: never crossed on purpose (random points vary it)
        key = (node, tuple(sorted(env.items(), key=lambda kv: str(kv[0]))))
        found = self._kinks.get(key)
        if found is None:
            u = concrete(node.args[0] - node.args[1] if isinstance(node, (Max, Min)) else node.args[0], env)
            found = self._kinks[key] = (u, sorted(real_symbols(u) | u.atoms(Indexed), key=str))
        u, candidates = found
        point = self.fill({}, variables)
        target = self.rng.uniform(0.3, 2.0) * (1 if wanted_positive else -1)
        value = sample.evaluator.value
        try:
            base = value(u, point)
        except Exception:  # noqa: BLE001 - a kink whose argument cannot be evaluated here gets no point
            return None
        for v in candidates[:MAX_KINK_TRIES]:
            position = point_key(v)
            if v.is_positive or position not in point:
                continue                 # a positive unknown (a margin, a probability) is never moved below 0
            old = point[position]
            try:
                point[position] = old + 1.0
                slope = value(u, point) - base
                if abs(slope) < 1e-9:
                    point[position] = old
                    continue
                point[position] = old + (target - base) / slope
                if abs(point[position]) > KINK_REACH * self.spread:
                    raise OverflowError("too far")   # a small slope: a point far out, where exp() overflows
                if (value(u, point) > 0) == wanted_positive:
                    return point
            except Exception:  # noqa: BLE001 - try the next unknown
                pass
            point[position] = old
        return None

    def dyadic_point(self, variables) -> dict:
        """A point of dyadic rationals k/8 (exact in floating point): positive unknowns in (0, 3], others in [-3, 3]."""
        return {v: self.rng.randint(1 if v.is_positive else -24, 24) / 8 for v in variables}
