"""Names of a letter followed by digits (``w0``, ``x2``, ``W1``, ``b2``): one name, never a product.

Every CAS reads ``x2`` as a name, and the lecture writes its neuron ``w0*x0 + w1*x1 + w2``; read as
products they would silently be ``w·0``, ``x·2``. So a letter followed by digits is one name, and an
implicit product needs a space, ``*`` or a bracket (``2x`` stays 2·x, ``x 2`` is x·2).

Where a reading could be either, the text is refused before parsing with both readings named
(:func:`refuse_ambiguous`):

* ``x2y``: the name x2 times y, or x·2·y;
* ``s_j2``: s_j times 2, or s with the index j2;
* ``e2``: a name e2, or Euler's number e times 2;
* ``x01``: the name x1 (x_1), or a name of its own.
"""
from __future__ import annotations

import re

from .errors import ParseError

#: a letter and digits standing alone (not the end of a word or a command, not a number's exponent 2e3),
#: and what follows them
_NUMBERED = re.compile(r"(?<![A-Za-z\\])([A-Za-z])(\d+)([A-Za-z_]?)")

#: a one-letter subscript followed by digits, as in s_j2
_SUBSCRIPT_DIGITS = re.compile(r"(?<![A-Za-z\\])([A-Za-z])_([A-Za-z])(\d+)")


def refuse_ambiguous(text: str) -> None:
    """ParseError naming both readings when a letter-and-digits name could be read two ways."""
    for match in _NUMBERED.finditer(text):
        start = match.start()
        if start and (text[start - 1].isdigit() or text[start - 1] == "."):
            if match.group(1) in "eE":
                continue                            # 2e3 is the number 2000
        letter, digits, after = match.groups()
        written = letter + digits
        if after == "_":
            raise ParseError(f"'{written}_': a name with digits ({written}) takes no subscript; put the whole "
                             f"index in braces, as in {letter}_{{{digits}}}")
        if after:
            rest = _word_at(text, match.end(3) - 1)
            raise ParseError(f"'{written}{rest}' could be {written}·{rest} or {letter}·{digits}·{rest}: write "
                             f"{written}*{rest} (or {written} {rest}) for the name {written} times {rest}, "
                             f"{letter}*{digits}*{rest} for the product")
        if letter == "e":
            raise ParseError(f"'{written}' could be a name {written} or e·{digits} (Euler's number e times "
                             f"{digits}): write {digits}e or e*{digits} for the product; a name with digits "
                             "cannot start with e")
        if len(digits) > 1 and digits.startswith("0"):
            raise ParseError(f"'{written}' could be {letter}{digits.lstrip('0') or '0'} or a name of its own: "
                             "a name's digits do not start with 0 (write "
                             f"{letter}{digits.lstrip('0') or '0'})")
    match = _SUBSCRIPT_DIGITS.search(text)
    if match:
        base, index, digits = match.groups()
        raise ParseError(f"'{base}_{index}{digits}' could be {base}_{index}·{digits} or {base} with the index "
                         f"{index}{digits}: write {base}_{index}*{digits} (or {base}_{index} {digits}) for the "
                         f"product")


def _word_at(text: str, start: int) -> str:
    """The run of letters and digits starting at ``start``."""
    end = start
    while end < len(text) and text[end].isascii() and text[end].isalnum():
        end += 1
    return text[start:end]
