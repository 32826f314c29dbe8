"""Which characters the parser reads: ASCII, plus the few mathematical symbols users type.

Every other non-ASCII character is refused by name, so that look-alikes
(Cyrillic 'е', full-width '１', Greek 'Α') are never read as the ASCII letter
or digit they resemble.  No Unicode normalisation (NFKC) is applied, for the
same reason.
"""
from __future__ import annotations

import unicodedata

from .errors import ParseError

#: each accepted non-ASCII character and the ASCII/LaTeX text it stands for
SYMBOLS: dict[str, str] = {
    "Δ": r"\Delta ",      # GREEK CAPITAL LETTER DELTA: the SVM margin
    "∆": r"\Delta ",      # INCREMENT: what macOS types for Delta
    "δ": r"\delta ",      # GREEK SMALL LETTER DELTA: Kronecker delta
    "σ": r"\sigma ",      # GREEK SMALL LETTER SIGMA: the logistic function
    "Σ": r"\sum ",        # GREEK CAPITAL LETTER SIGMA: a sum
    "∑": r"\sum ",        # N-ARY SUMMATION
    "≠": r"\neq ",
    "≤": r"\leq ",
    "≥": r"\geq ",
    "−": "-",             # MINUS SIGN
    "·": r"\cdot ",       # MIDDLE DOT
    "⋅": r"\cdot ",       # DOT OPERATOR
    "×": r"\times ",
    "𝟙": r"\mathbb{1}",   # MATHEMATICAL DOUBLE-STRUCK DIGIT ONE: the indicator
    "∂": r"\partial ",    # only meaningful in a left-hand side such as dL/ds_k
    "∇": r"\nabla ",
    "\u00a0": " ",        # NO-BREAK SPACE, from pasted text
    "\u2009": " ",        # THIN SPACE
    "\u202f": " ",        # NARROW NO-BREAK SPACE
}

_ASCII_WHITESPACE = "\t\n\r"


def normalize_characters(text: str) -> str:
    """``text`` with each accepted symbol replaced by its ASCII spelling; any other character is a ParseError."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(_ascii_spelling(ch) for ch in text)


def _ascii_spelling(ch: str) -> str:
    """The ASCII text for one character, or a ParseError naming it."""
    if ch.isascii() and (ch.isprintable() or ch in _ASCII_WHITESPACE):
        return ch
    if ch in SYMBOLS:
        return SYMBOLS[ch]
    if not ch.isprintable():
        raise ParseError(f"unsupported control character U+{ord(ch):04X}")
    name = unicodedata.name(ch, "unnamed character")
    raise ParseError(f"unsupported character {ch!r} (U+{ord(ch):04X} {name})")
