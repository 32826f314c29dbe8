"""Checks and clean-up of the raw text, before the grammar sees it."""
from __future__ import annotations

from .characters import normalize_characters
from .commands import check_commands
from .errors import ParseError
from .limits import Limits
from .numbered import refuse_ambiguous
from .subscripts import read_subscripts

#: math-mode delimiters stripped when they enclose the whole input, longest first
DELIMITERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))

_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")


def screen(text: str, limits: Limits) -> str:
    """The text to parse: checked for length, characters, nesting and LaTeX commands; delimiters stripped."""
    if not isinstance(text, str):
        raise TypeError(f"parse_expression expects a string, not {type(text).__name__}")
    if len(text) > limits.max_length:
        raise ParseError(f"input too long: {len(text)} characters (limit {limits.max_length})")
    text = strip_delimiters(normalize_characters(text))
    if not text.strip():
        raise ParseError("empty expression")
    check_nesting(text, limits.max_depth)
    check_commands(text)
    refuse_ambiguous(text)
    return read_subscripts(text)


def strip_delimiters(text: str) -> str:
    """``text`` without the $...$, $$...$$, \\(...\\) or \\[...\\] around all of it."""
    text = text.strip()
    for opening, closing in DELIMITERS:
        if len(text) >= len(opening) + len(closing) and text.startswith(opening) and text.endswith(closing):
            return text[len(opening):-len(closing)]
    return text


def check_nesting(text: str, max_depth: int) -> None:
    """Raise ParseError when brackets ( [ { nest deeper than ``max_depth``."""
    depth = 0
    for ch in text:
        if ch in _OPENING:
            depth += 1
            if depth > max_depth:
                raise ParseError(f"too deeply nested: more than {max_depth} levels of brackets")
        elif ch in _CLOSING:
            depth -= 1
