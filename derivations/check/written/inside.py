"""Arithmetic inside a max or a min: ``max(0, -1 - 3 + 1) = max(0, -5)`` holds (both sides are 0), but it
writes -1 - 3 + 1 as -5, a slip a TA marks. Both sides are the same function (max, min) of as many
arguments, each a number; an argument that changed value from one side to the other is the slip."""
from __future__ import annotations

import re

import sympy

from .algebra import is_number
from .state import Unread

_CALL = re.compile(r"\s*\\?(?P<name>max|min)\s*(?:\\left)?\s*[(\[{]")
_CLOSE = {"(": ")", "[": "]", "{": "}"}


def arguments(text: str):
    """("max", [argument texts]) of ``max(0, -1 - 3 + 1)`` written as one call and nothing else, or None."""
    found = _CALL.match(text)
    if not found:
        return None
    opening = text[found.end() - 1]
    depth, start, parts = 0, found.end(), []
    for position in range(found.end() - 1, len(text)):
        ch = text[position]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                if ch != _CLOSE[opening]:
                    return None
                rest = text[position + 1:].strip()
                if rest not in ("", "."):
                    return None
                body_end = position - len("\\right") if text[:position].endswith("\\right") else position
                parts.append(text[start:body_end])
                return found.group("name"), [p.strip() for p in parts]
        elif ch == "," and depth == 1:
            parts.append(text[start:position])
            start = position + 1
    return None


def changed_argument(read, before_text: str, after_text: str):
    """(position, its value on the left, on the right) of the one argument of a max or min whose value
    differs between the two sides when the calls are otherwise alike; None when there is none. ``read``
    reads one argument (the checker's own reader: a grammar, never eval)."""
    left, right = arguments(before_text), arguments(after_text)
    if left is None or right is None or left[0] != right[0] or len(left[1]) != len(right[1]):
        return None
    changed = []
    for position, (a_text, b_text) in enumerate(zip(left[1], right[1])):
        try:
            a, b = read(a_text).value, read(b_text).value
        except Unread:
            return None
        if not (isinstance(a, sympy.Basic) and isinstance(b, sympy.Basic) and is_number(a) and is_number(b)):
            return None
        if abs(float(a - b)) > max(0.01, 0.01 * max(abs(float(a)), abs(float(b)))):   # not a rounding
            changed.append((position, a, b))
    return changed[0] if len(changed) == 1 else None
