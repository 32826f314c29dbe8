"""The last check of a derived gradient: against ``sympy.diff`` of the loss and centred finite differences.

Both are evaluated at random points at least 1e-3 away from every kink, for
each class count and index choice the conditions allow, and inside the
domain of every function in the loss and the gradient (:mod:`.domain`): a
point where a side is not a real number is skipped and counted, and a check
with fewer than :data:`~.comparison.MIN_VALID_POINTS` points does not pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from ..evaluate import concrete, point_key
from .comparison import MIN_VALID_POINTS
from .definitions import expand_definitions
from .domain import DomainSampler, domain_conditions
from .instances import CLASS_COUNTS
from .unknowns import integer_symbols, symbolic_counts
from .verifier import Verifier

KINK_DISTANCE = 1e-3


@dataclass
class FinalCheck:
    """The derived gradient against sympy.diff and against centred finite differences."""

    against_sympy: bool
    against_finite_differences: bool
    points: int
    max_relative_error: float
    skipped: int = 0                                    # points where a side was not a real number
    domain: tuple = field(default_factory=tuple)        # the conditions points were drawn inside (domain.Condition)
    disagreements: tuple = ()                           # (indices, point) where a comparison failed in double precision

    @property
    def ok(self) -> bool:
        return self.against_sympy and self.against_finite_differences


def final_check(loss, gradient, variable, *, definitions=None, conditions=(), class_counts=CLASS_COUNTS,
                points_per_instance=6, step=1e-6, seed=7, spread=3.0) -> FinalCheck:
    """Compare ``gradient`` (the derived d loss / d variable) with sympy.diff and finite differences.

    ``spread`` bounds the random values (see :class:`~.sampling.Sampler`).
    """
    verifier = Verifier(definitions, class_counts=class_counts, seed=seed, spread=spread)
    sampler = verifier.sampler
    a = expand_definitions(loss, verifier.definitions)
    g = expand_definitions(gradient, verifier.definitions)
    indices = integer_symbols(a) | integer_symbols(g) | integer_symbols(variable)
    for c in conditions:
        indices |= integer_symbols(c)
    ok_sympy = ok_fd = True
    worst, count, skipped, disagreements = 0.0, 0, 0, []
    exact = sympy.diff(a, variable)          # SymPy's own derivative, symbolic in K and the indices
    sampler.reseed(seed, a, g, variable, *conditions)
    domain = domain_conditions(a, g, exact)
    inside_domain = DomainSampler(sampler, domain) if domain else None
    for sample in verifier.instances.samples_for(indices, tuple(conditions), symbolic_counts(a, g)):
        env, evaluator = sample.env, sample.evaluator
        var_c = concrete(variable, env)
        variables = sampler.variables((a, g, variable), env)
        for _ in range(points_per_instance):
            if inside_domain is None:
                point = sampler.fill({}, variables)
            else:
                point = inside_domain.draw(evaluator, variables)
                if point is None:
                    skipped += 1
                    continue
            record = {}
            key = point_key(var_c)
            try:
                derived = evaluator.value(g, point, record)
                reference = evaluator.value(exact, point, record)
                evaluator.value(a, point, record)          # records the kinks of the loss
                if any(abs(u) < KINK_DISTANCE for u in record.values()) or key not in point:
                    continue
                up, down = dict(point), dict(point)
                up[key] += step
                down[key] -= step
                numeric = (evaluator.value(a, up) - evaluator.value(a, down)) / (2 * step)
            except (ValueError, ZeroDivisionError, OverflowError):
                skipped += 1
                continue
            scale = max(1.0, abs(derived))
            error = abs(derived - numeric) / scale
            if abs(derived - reference) > 1e-9 * scale or error > 1e-5:
                disagreements.append((dict(env), dict(point)))
            if abs(derived - reference) > 1e-9 * scale:
                ok_sympy = False
            worst = max(worst, error)
            if error > 1e-5:
                ok_fd = False
            count += 1
    return FinalCheck(ok_sympy and count >= MIN_VALID_POINTS, ok_fd and count >= MIN_VALID_POINTS, count, worst,
                      skipped, domain, tuple(disagreements))
