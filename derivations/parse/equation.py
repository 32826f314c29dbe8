"""Dropping a left-hand side such as ``L_i =`` or ``\\frac{\\partial L_i}{\\partial s_k} =``.

Only the name of the quantity being defined may stand left of a top-level
``=``; anything else there is an error, so ``a = b`` is never silently read as
``b``.  The left side is only matched against a pattern, never evaluated.
"""
from __future__ import annotations

import re

from .errors import ParseError

_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")
_RELATION_CHARS = frozenset("<>!=")

_GROUP = r"(?:\{(?:[^{}]|\{[^{}]*\})*\})"            # {...} with one level of nested braces
_DECORATION = rf"(?:[_^](?:[A-Za-z0-9]|{_GROUP}))"    # _i, ^{SVM}, _{CE}
_LOSS = rf"(?:L|J|\\mathcal\{{L\}}){_DECORATION}{{0,3}}"
_VARIABLE = rf"(?:[spwxz]{_DECORATION}?)"
_PARTIAL = r"(?:\\partial|d)"
_QUANTITY = re.compile(
    rf"{_LOSS}"                                                   # L_i, L_i^{SVM}, \mathcal{L}_{CE}
    rf"|\\[dt]?frac\{{{_PARTIAL}{_LOSS}\}}\{{{_PARTIAL}{_VARIABLE}\}}"  # \frac{\partial L_i}{\partial s_k}
    rf"|{_PARTIAL}{_LOSS}/{_PARTIAL}{_VARIABLE}"                   # dL/ds_k
    rf"|\\nabla{_DECORATION}{_LOSS}"                              # \nabla_{w_j} L_i
    rf"|p{_DECORATION}"                                           # p_j = softmax
)


def right_hand_side(text: str) -> str:
    """The part of ``text`` right of its top-level ``=``, if the left is a quantity name; else ``text``."""
    positions = list(_top_level_equals(text))
    if not positions:
        return text
    position = positions[-1]
    left = text[:position]
    if not _QUANTITY.fullmatch(re.sub(r"\s+", "", left)):
        raise ParseError(f"'=' may only follow the name of a loss or gradient (such as L_i), not {left.strip()!r}")
    return text[position + 1:]


_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{")


def _top_level_equals(text: str):
    """Positions of the ``=`` signs outside brackets and environments (\\begin{cases} ... \\end{cases})
    that are not part of ==, <=, >=, !=."""
    depth = 0
    environments = {m.start(): (1 if m.group(1) == "begin" else -1) for m in _ENVIRONMENT.finditer(text)}
    for position, ch in enumerate(text):
        depth += environments.get(position, 0)
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            depth -= 1
        elif ch == "=" and depth == 0 and not _in_relation(text, position):
            yield position


def _in_relation(text: str, position: int) -> bool:
    """Whether the ``=`` at ``position`` belongs to a relation such as <=, == or !=."""
    before = text[position - 1] if position > 0 else ""
    after = text[position + 1] if position + 1 < len(text) else ""
    return before in _RELATION_CHARS or after == "="
