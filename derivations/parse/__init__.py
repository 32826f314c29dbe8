"""A safe parser for the maths users and students type, in LaTeX or plain text.

The input is untrusted.  It is never evaluated: a lark grammar
(``expression.lark``) parses it and SymPy objects are built from the parse
tree with constructors, from the symbols of :mod:`derivations.notation`.
Length, bracket nesting, number sizes and powers are capped, unknown
characters, names and LaTeX commands are refused, each with a
:class:`ParseError` whose message is one line for the user.

Pipeline: :func:`screen.screen` (raw text checks) -> :func:`equation.right_hand_side`
-> :func:`grammar.parse_tree` -> :func:`builder.build` -> final checks.
"""
from __future__ import annotations

import sympy

from .builder import LOG_BASES, build
from .equation import right_hand_side
from .errors import ParseError
from .grammar import parse_tree
from .limits import Limits
from .magnitude import check_defined, check_size
from .reference import NOTATION
from .screen import screen
from .vectors import plain_vector_letters

__all__ = ["NOTATION", "ParseError", "parse_expression"]


def parse_expression(text: str, *, log_base: str = "e", max_length: int = 2000, max_depth: int = 50,
                     vectors: bool = False) -> sympy.Basic:
    """The SymPy expression ``text`` stands for; an ImmutableMatrix for a vector (n x 1) or matrix.

    ``log_base`` ("e", "10" or "2") is what a bare ``\\log`` means; ``\\ln`` is
    always natural.  ``max_length`` caps the characters of input and
    ``max_depth`` the nesting of brackets.  Raises :class:`ParseError` for
    anything that is not accepted notation (see :data:`NOTATION`).
    With ``vectors``, bold and underlined letters are plain ones and ``w_j^T x_i`` is a dot product
    (:class:`~derivations.parse.vectors.Dot`), for answers in weight notation.
    """
    if log_base not in LOG_BASES:
        raise ValueError(f"log_base must be one of {', '.join(LOG_BASES)}, not {log_base!r}")
    limits = Limits(max_length=max_length, max_depth=max_depth)
    if vectors and isinstance(text, str) and len(text) <= max_length:
        text = plain_vector_letters(text)
    tree = parse_tree(right_hand_side(screen(text, limits)), limits)
    result = build(tree, log_base=log_base, limits=limits, vectors=vectors)
    check_defined(result)
    check_size(result, limits)
    return result
