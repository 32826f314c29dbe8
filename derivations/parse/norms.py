"""Norm bars, ``\\|W\\|_F^2``, ``\\|w\\|^2``, ``||W||^2``, ``\\lVert w \\rVert``: each pair told apart as
opening and closing before parsing.

A double bar does not say by itself whether it opens or closes; the grammar sees ``\\lVert`` and
``\\rVert`` only. Norms are not nested in what students write, so the bars pair up in order: the
first opens, the next closes. An odd number of bars is refused (a norm not closed).
"""
from __future__ import annotations

import re

from .errors import ParseError

#: a double bar as written: \|, ||, \Vert, \lVert, \rVert (with \left / \right before it or not)
_BARS = re.compile(r"\\[lr]?Vert(?![A-Za-z])|\\\||\|\|")


def read_norms(text: str) -> str:
    """``text`` with each double bar written ``\\lVert`` (opening) or ``\\rVert`` (closing)."""
    bars = list(_BARS.finditer(text))
    if not bars:
        return text
    if len(bars) % 2:
        raise ParseError("a norm \\|...\\| is not closed: a double bar is missing or one too many")
    out, position = [], 0
    for number, bar in enumerate(bars):
        written = bar.group()
        opening = number % 2 == 0
        if (written == r"\lVert" and not opening) or (written == r"\rVert" and opening):
            raise ParseError("a norm \\lVert ... \\rVert is not closed, or is nested: not read")
        out.append(text[position:bar.start()])
        out.append(r" \lVert " if opening else r" \rVert ")
        position = bar.end()
    out.append(text[position:])
    return "".join(out)
