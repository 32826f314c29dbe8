"""Whether two conditions hold at exactly the same points: ``max(0, u) = 0`` iff ``u <= 0``.

Points are dyadic rationals (exact in floating point), with extra points
exactly on, just above and just below every boundary, so that a > read as
>= is caught.
"""
from __future__ import annotations

import sympy
from sympy import Indexed

from ..evaluate import Instance
from ..steps import Verification
from .unknowns import describe_point, real_symbols


def check_equivalence(a, b, sampler, samples: int = 64) -> Verification:
    """Whether the relations ``a`` and ``b`` (without a symbolic K) agree at every point tried."""
    relations = [r for r in sympy.preorder_traversal(sympy.And(a, b, evaluate=False))
                 if isinstance(r, sympy.core.relational.Relational)]
    evaluator = Instance({})
    variables = set()
    for r in relations:
        difference = r.lhs - r.rhs
        variables |= real_symbols(difference) | difference.atoms(Indexed)
    variables = sorted(variables, key=str)

    points = [sampler.dyadic_point(variables) for _ in range(samples)]
    for r in relations:
        difference = r.lhs - r.rhs
        for target in (0, 0.125, -0.125):
            point = sampler.dyadic_point(variables)
            for v in sorted(real_symbols(difference) | difference.atoms(Indexed), key=str):
                slope = sympy.diff(difference, v)
                if slope in (1, -1):
                    point[v] += (target - evaluator.value(difference, point)) / float(slope)
                    break
            points.append(point)
    for point in points:
        if evaluator.holds(a, point) != evaluator.holds(b, point):
            where = describe_point(point)
            return Verification(False, "numeric", f"the conditions differ at {where}")
    return Verification(True, "numeric", f"{len(points)} points, on and either side of every boundary",
                        points=len(points))
