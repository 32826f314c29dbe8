"""Absolute values written with bars, ``|x|``: each bar told apart as opening or closing before parsing.

A bar cannot tell by itself whether it opens or closes, so the grammar never sees one: each is written
``\\lvert`` or ``\\rvert`` here. A bar closes when one is open and an operand ends just before it
(a letter, digit, closing bracket or closing bar); otherwise it opens. ``|x - |y||``, ``2|x|``,
``|x||y|`` read as meant. Where the other choice at a bar also gives balanced bars, the text could be
read two ways (``|x|y|z|`` is |x|·y·|z| or |x·|y|·z|) and is refused with both readings named.
"""
from __future__ import annotations

import re

from .errors import ParseError

#: \left| and \right| are the grammar's own (LVERT, RVERT): left as they are
_SIZED = re.compile(r"\\(?:left|right)\s*\|")

#: bars in one expression at most (each bar's other reading is tried once)
MAX_BARS = 40

OPEN, CLOSE = "open", "close"


def read_pipes(text: str) -> str:
    """``text`` with each bar ``|`` written ``\\lvert`` or ``\\rvert``; ParseError where that is ambiguous."""
    sized = {m.end() - 1 for m in _SIZED.finditer(text)}
    bars = [i for i, ch in enumerate(text) if ch == "|" and i not in sized]
    if not bars:
        return text
    if len(bars) > MAX_BARS:
        raise ParseError(f"too many '|' bars: {len(bars)} (limit {MAX_BARS}); write abs(...)")
    choices = _scan(text, bars, {})
    if choices is None:
        raise ParseError("an absolute value |u| is not closed: a '|' is missing or one too many")
    for bar, choice in zip(bars, choices):
        if choice == CLOSE:
            other = _scan(text, bars, {bar: OPEN})
            if other is not None:
                raise ParseError(f"'{text.strip()}' could be {_reading(text, bars, choices)} or "
                                 f"{_reading(text, bars, other)}: write abs(...) or put * between the factors")
    out, start = [], 0
    for bar, choice in zip(bars, choices):
        out.append(text[start:bar])
        out.append(r" \lvert " if choice == OPEN else r" \rvert ")
        start = bar + 1
    out.append(text[start:])
    return "".join(out)


def _scan(text: str, bars: list[int], forced: dict) -> list[str] | None:
    """Open or close for each bar (a bar closes when one is open and an operand ends before it, unless
    ``forced`` says otherwise); None when the bars do not balance."""
    choices, depth = [], 0
    for bar in bars:
        before = text[:bar].rstrip()
        previous = before[-1] if before else ""
        if previous == "|":
            previous = ")" if choices and choices[-1] == CLOSE else "("
        choice = forced.get(bar, CLOSE if depth and _ends_operand(previous) else OPEN)
        if choice == CLOSE and (not depth or not _ends_operand(previous)):
            return None
        depth += 1 if choice == OPEN else -1
        choices.append(choice)
    return choices if depth == 0 else None


def _ends_operand(ch: str) -> bool:
    return ch.isalnum() or ch in ")]}."


def _reading(text: str, bars: list[int], choices: list[str]) -> str:
    """The text with its bars as ``choices`` read them, a product sign where that makes an implicit product:
    |x|·y·|z|."""
    pieces = [text[a + 1:b].strip() for a, b in zip([-1] + bars, bars + [len(text)])]
    out = [pieces[0]]
    for choice, piece in zip(choices, pieces[1:]):
        last = out[-1]
        if choice == OPEN and last and (_ends_operand(last[-1]) or last == CLOSE):
            out.append("·")
        out.append(choice)
        if choice == CLOSE and piece and (piece[0].isalnum() or piece[0] in "(\\"):
            out.append("·")
        out.append(piece)
    return "".join("|" if part in (OPEN, CLOSE) else part for part in out if part)
