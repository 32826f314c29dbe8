"""How the steps of a derivation were checked, counted for the report's last line.

The last line of a report says exactly how its steps were verified: so many symbolically (the difference
of the two sides simplified to 0, or the same once definitions are put in), so many numerically at random
points (and at how many), so many in exact arithmetic, ... It is never "verified by SymPy" alone when a
step was only checked at sample points.
"""
from __future__ import annotations

import re

from ..engine.steps import CaseSplit, Chain, Claim, Derivation, Paragraph

#: method of a verification -> the group it is counted in (a method "a+b" of a step checked in parts
#: counts in the weakest of its groups: a step checked partly at sample points is a numeric one)
GROUPS = {"symbolic": "symbolic", "definition": "symbolic", "substitution": "symbolic",
          "numeric": "numeric", "instantiated": "instantiated", "cases": "cases", "derivation": "derivation",
          "precise": "precise"}

#: groups from the strongest to the weakest
ORDER = ("symbolic", "exact", "derivation", "cases", "instantiated", "numeric", "precise")


def _group(verification) -> str:
    groups = {GROUPS.get(method, "numeric") for method in verification.method.split("+")}
    if "numeric" in groups and not verification.points:
        groups = (groups - {"numeric"}) | {"exact"}           # numbers alone, compared in exact arithmetic
    return max(groups, key=ORDER.index)


def _checked_items(derivation: Derivation):
    for block in derivation.blocks():
        if isinstance(block, Chain):
            yield from block.steps
        elif isinstance(block, Claim):
            yield block
        elif isinstance(block, CaseSplit):
            continue                                          # its cases' blocks are walked by blocks()


def check_counts(derivation: Derivation) -> dict:
    """group -> (number of verified steps, the numbers of points they were compared at)."""
    counts: dict = {}
    for item in _checked_items(derivation):
        verification = item.verification
        if verification is None or not verification.ok:
            continue
        group = _group(verification)
        steps, points = counts.get(group, (0, []))
        counts[group] = (steps + 1, points + ([verification.points] if verification.points else []))
    return counts


def _steps(n: int) -> str:
    return f"{n} step{'s' if n != 1 else ''}"


def _points(points: list) -> str:
    low, high = min(points), max(points)
    return f"{low} random points each" if low == high else f"{low} to {high} random points each"


def summary(derivation: Derivation) -> str:
    """``12 steps symbolically, 3 numerically at 4 random points each``: how the verified steps were checked."""
    counts = check_counts(derivation)
    parts = []
    for group in ORDER:
        if group not in counts:
            continue
        n, points = counts[group]
        if group == "symbolic":
            parts.append(f"{_steps(n)} symbolically (the two sides are equal once simplified)")
        elif group == "exact":
            parts.append(f"{_steps(n)} in exact arithmetic (numbers only)")
        elif group == "derivation":
            parts.append(f"{_steps(n)} by a verified derivation of their own (shown)")
        elif group == "cases":
            parts.append(f"{_steps(n)} entry by entry, each entry from its case, with centred finite differences")
        elif group == "instantiated":
            where = f", at {_points(points)}" if points else ""
            parts.append(f"{_steps(n)} with the sizes set to small numbers{where}")
        elif group == "precise":
            parts.append(f"{_steps(n)} numerically in 50-digit arithmetic at {_points(points)} (double precision "
                         "overflows or cannot be trusted there)")
        else:
            where = f" at {_points(points)}" if points else ""
            parts.append(f"{_steps(n)} numerically{where} (not symbolically)")
    return "; ".join(parts)


#: "K = 2..5" in a verification's detail: a count set to each number of a range
_SIZE = re.compile(r"\b([KDN]) = (\d+)\.\.(\d+)")


def _details(derivation: Derivation, group: str) -> list[str]:
    return [item.verification.detail for item in _checked_items(derivation)
            if item.verification is not None and item.verification.ok and _group(item.verification) == group]


def how_checked(derivation: Derivation) -> Paragraph | None:
    """What the counts of :func:`summary` mean for this derivation, in words and maths, or None when they say
    it all: which sizes were set to which numbers (the number of classes K only where a sum over classes was
    checked), and the kinks only where there were kinks."""
    from ..engine.build import sentence
    from ..engine.notation import COUNTS

    details = _details(derivation, "instantiated")
    if not details:
        return None
    ranges = {}
    for detail in details:
        for letter, low, high in _SIZE.findall(detail):
            low, high = int(low), int(high)
            old = ranges.get(letter, (low, high))
            ranges[letter] = (min(old[0], low), max(old[1], high))
    names = {"K": "the number of classes ", "D": "of features ", "N": "of examples "}
    words = ["A step with a symbolic sum was checked by setting "]
    shown = [symbol for symbol in COUNTS if str(symbol) in ranges]
    for number, symbol in enumerate(shown):
        low, high = ranges[str(symbol)]
        words += [", " if 0 < number < len(shown) - 1 else " and " if number else "",
                  names[str(symbol)] if number or str(symbol) == "K" else "the number " + names[str(symbol)],
                  symbol, f" to each of {', '.join(str(v) for v in range(low, high))} and {high}"]
    kinks = any("kink" in detail for detail in details)
    words.append(" and comparing both sides at random points" + (" on both sides of every kink" if kinks else ""))
    words.append(".")
    return sentence(*words)


__all__ = ["summary", "check_counts", "how_checked"]
