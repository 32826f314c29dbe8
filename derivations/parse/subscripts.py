"""Subscripts of several letters, which the grammar would otherwise read as a product.

``s_yi`` is how many students type s_{y_i}; left alone, the grammar reads the
subscript as its first letter and multiplies by the rest (s_y · i). Before
parsing, the label's spellings ``_yi`` and ``_{yi}`` after an indexed name
(s, p, P, x, w) become ``_{y_i}``; any other run of letters after such a name's
``_`` is refused with a message, never read as a product.
"""
from __future__ import annotations

import re

from .errors import ParseError

#: an indexed name standing alone (not the end of a word or command), then the label written yi
_LABEL = re.compile(r"(?<![A-Za-z\\])([spPxw])_(?:\{\s*yi\s*\}|yi(?![A-Za-z]))")
#: an indexed name followed by an unbraced run of two or more letters
_RUN = re.compile(r"(?<![A-Za-z\\])([spPxw])_([A-Za-z]{2,})")


def read_subscripts(text: str) -> str:
    """``text`` with ``s_yi`` and ``s_{yi}`` written ``s_{y_i}``; ParseError at any other ``s_ab``."""
    text = _LABEL.sub(lambda m: f"{m.group(1)}_{{y_i}}", text)
    run = _RUN.search(text)
    if run:
        name, letters = run.groups()
        raise ParseError(f"'{name}_{letters}': a subscript of several letters needs braces and means one index, "
                         f"as in {name}_{{y_i}} or {name}_{{k}}; it is not read as a product")
    return text
