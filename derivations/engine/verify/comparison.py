"""Comparing the two sides of a step at sample points, on both sides of every kink.

For each instance (class count and index choice) both sides are evaluated
at the instance's points; every max/indicator argument met on the way is
recorded. Where an argument was seen on one side of its kink only, a point
on the other side is added. Points within :data:`KINK_CLEARANCE` of a kink
are skipped: there the subgradient is a convention (1[u > 0] is 0 at u = 0).
"""
from __future__ import annotations

import math

from ..evaluate import NotEvaluable
from ..steps import Verification
from .domain import DomainSampler, domain_conditions
from .unknowns import describe_point, integer_symbols, label_bases

RELATIVE_TOLERANCE = 1e-9
KINK_CLEARANCE = 1e-6

#: a numeric check compares both sides at no fewer points than this, or it is not verified
MIN_VALID_POINTS = 3


def compare_at(sample, a, b, points, skipped=None):
    """(points compared, first mismatch (point, a, b) or None, kink signs seen) for ``a`` and ``b`` at ``points``.

    A point where a side is not a real number is skipped, and appended to ``skipped`` when given.
    """
    compared, signs = 0, {}
    for point in points:
        record = {}
        try:
            x = sample.evaluator.value(a, point, record)
            y_ = sample.evaluator.value(b, point, record)
        except NotEvaluable:
            raise
        except (ValueError, ZeroDivisionError, OverflowError):
            if skipped is not None:
                skipped.append(point)
            continue                 # outside the domain (log of a negative number ...): another point
        if not (math.isfinite(x) and math.isfinite(y_)):
            if skipped is not None:  # a side beyond double precision (inf, nan) equals nothing: another point
                skipped.append(point)
            continue
        if any(0.0 < abs(u) <= KINK_CLEARANCE for u in record.values()):
            continue                 # near a kink, not on it: another point (a kink argument that is exactly 0,
                                     # 1[M_{i,y_i} > 0] with M_{i,y_i} = 0, is 0 at every point: it is no kink)
        for key, u in record.items():
            signs.setdefault(key, set()).add(u > 0)
        if abs(x - y_) > RELATIVE_TOLERANCE * max(1.0, abs(x), abs(y_)):
            return compared, (point, x, y_), signs
        compared += 1
    return compared, None, signs


class _Reads(dict):
    """A point that remembers which of its values were read."""

    def __init__(self, values):
        super().__init__(values)
        self.read = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        found = super().__contains__(key)
        if found:
            self.read.add(key)
        return found


def _read_by(sample, sides, point) -> dict:
    """The part of ``point`` that the two sides read at this instance (a counterexample without the unused rest)."""
    tracked = _Reads(point)
    try:
        for side in sides:
            sample.evaluator.value(side, tracked)
    except Exception:  # noqa: BLE001 - a side that fails here was compared above; show the whole point
        return point
    return {key: value for key, value in point.items() if key in tracked.read} or point


def _points_on_the_other_side(sampler, sample, signs, variables):
    """A point for each kink seen on one side only, placed on its other side."""
    extra = []
    one_sided = [(key, seen) for key, seen in signs.items() if len(seen) == 1]
    limit = getattr(sampler, "max_kink_points", None)
    if limit is not None and len(one_sided) > limit:        # many kinks: an even spread of them, in a fixed order
        printed: dict = {}                                  # each kink printed once (printing is slow)

        def order(item):
            node, env = item[0][0], item[0][1:]
            if node not in printed:
                printed[node] = str(node)
            return printed[node], str(env)
        one_sided.sort(key=order)
        step = len(one_sided) / limit
        one_sided = [one_sided[int(n * step)] for n in range(limit)]
    for key, seen in one_sided:
        node, env = key[0], dict(key[1])
        point = sampler.kink_point(sample, node, env, not next(iter(seen)), variables)
        if point is not None:
            extra.append(point)
    return extra


def domain_points(sample, domain, sampler, variables, base_points) -> list:
    """The sample's points that lie inside ``domain`` (conditions), with more drawn inside it when too few do.

    The points drawn are kept with the sample for the next step with the same domain.
    """
    inside_domain = DomainSampler(sampler, domain)
    points = [point for point in sample.points if inside_domain.inside(sample.evaluator, point)]
    key = tuple((c.expr, c.relation) for c in domain)
    extra = sample.domain_points.setdefault(key, [])
    for point in extra:
        sampler.fill(point, variables)
    while len(points) + len(extra) < base_points:
        point = inside_domain.draw(sample.evaluator, variables)
        if point is None:
            break
        extra.append(point)
    return points + extra


def check_numerically(a, b, conditions, counts, *, instances, sampler, base_points) -> Verification:
    """Whether ``a = b`` at the points of every instance allowed by ``conditions`` (``counts`` set to sizes).

    Points are taken inside the domain of every function in ``a`` and ``b``
    (:mod:`.domain`); a point where a side still cannot be evaluated is
    skipped and counted, and fewer than :data:`MIN_VALID_POINTS` points
    compared in all is a failed check.
    """
    indices = integer_symbols(a) | integer_symbols(b)
    for c in conditions:
        indices |= integer_symbols(c)
    samples = instances.samples_for(indices, conditions, counts, label_bases(a, b, *conditions))
    method = "instantiated" if counts else "numeric"
    domain = domain_conditions(a, b)
    compared, covered, skipped = 0, 0, []
    for sample in samples:
        variables = sampler.variables((a, b), sample.env)
        while len(sample.points) < base_points:
            sample.points.append({})
        for point in sample.points:
            sampler.fill(point, variables)
        points = domain_points(sample, domain, sampler, variables, base_points) if domain else sample.points
        try:
            count, mismatch, signs = compare_at(sample, a, b, points, skipped)
            extra = _points_on_the_other_side(sampler, sample, signs, variables)
            if mismatch is None and extra:
                sample.points.extend(extra)
                more, mismatch, more_signs = compare_at(sample, a, b, extra, skipped)
                count += more
                for key, seen in more_signs.items():
                    signs.setdefault(key, set()).update(seen)
        except NotEvaluable as error:
            return Verification(False, method, f"cannot evaluate a side: {error}")
        except Exception as error:  # noqa: BLE001 - SymPy failing on a side is a failed check
            return Verification(False, method, f"cannot evaluate a side: {type(error).__name__}: {error}")
        if mismatch is not None:
            point, x, y_ = mismatch
            read = _read_by(sample, (a, b), point)
            return Verification(False, method, f"sides differ for {dict(sample.key)} at {describe_point(read)}: "
                                f"{x} vs {y_}", mismatch=(dict(sample.env), read, x, y_))
        compared += count
        covered += sum(1 for seen in signs.values() if len(seen) == 2)
    if compared == 0:
        return Verification(False, method, "no point where both sides could be evaluated"
                            + (f" ({len(skipped)} outside the domain skipped)" if skipped else ""), undecided=True)
    if compared < MIN_VALID_POINTS:
        return Verification(False, method, f"only {compared} points where both sides could be evaluated "
                            f"(at least {MIN_VALID_POINTS} needed; {len(skipped)} outside the domain skipped)",
                            undecided=True)
    return Verification(True, method, describe(samples, compared, covered, counts, len(skipped)), points=compared)


def describe(samples, compared, covered, counts, skipped=0) -> str:
    """How a numeric check went: ``K = 2..5, 8 index choices, 37 points, both sides of 20 kinks``."""
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
    if skipped:
        parts.append(f"{skipped} outside the domain skipped")
    return ", ".join(parts)
