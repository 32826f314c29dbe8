"""What a letter, with or without a subscript, stands for: the objects of :mod:`derivations.notation`.

No name ever creates an indexed object or a multi-letter symbol of its own:
indexed names are exactly ``s``, ``p``, ``x``, ``w``; indices are the class
indices ``i``, ``j``, ``k``, ``m``, the label ``y_i`` or a class number; any
other single letter is a plain real symbol. A letter followed by digits is one name
(:func:`numbered`): ``w0`` is w_0, ``b2`` a real symbol b2.
"""
from __future__ import annotations

import sympy

from ..engine import notation
from .errors import ParseError

#: the example index of x_i (the input vector's component i)
i = sympy.Symbol("i", integer=True)

#: letters that index a class (bare, they are those integer symbols too)
INDEX_LETTERS = {"i": i, "j": notation.j, "k": notation.k, "m": notation.m}

#: indexed names: s_k is s[k]
INDEXED = {"s": notation.s, "p": notation.p, "x": notation.x, "w": notation.w, "P": notation.p}    # P_j: seed 004

#: other spellings of an indexed name, as courses write them: P_k for the probability p_k
INDEXED_ALIASES = {"P": "p"}

#: what ^T would be read as: refused, since it almost always means a transpose
TRANSPOSE = sympy.Symbol("T", real=True)

#: letters with a fixed meaning when they stand alone
FIXED = {"z": notation.z, "t": notation.t, "K": notation.K, "e": sympy.E, **INDEX_LETTERS}


def index(letter: str, subscript: str | None = None) -> sympy.Expr:
    """The index a subscript item names: ``j`` -> j, ``y``/``y_i`` -> the label y_i."""
    if letter == "y" and subscript in (None, "i"):
        return notation.y
    if subscript is None and letter in INDEX_LETTERS:
        return INDEX_LETTERS[letter]
    written = letter if subscript is None else f"{letter}_{subscript}"
    raise ParseError(f"unknown index '{written}': use i, j, k, m, y_i or a class number")


def variable(letter: str, indices: list[sympy.Expr] | None) -> sympy.Expr:
    """The object a letter with optional subscript indices stands for."""
    if indices is None:
        return FIXED[letter] if letter in FIXED else sympy.Symbol(letter, real=True)
    if letter == "y" and indices == [i]:
        return notation.y
    letter = INDEXED_ALIASES.get(letter, letter)
    if letter not in INDEXED:
        raise ParseError(f"'{letter}' takes no subscript: the indexed names are s, p, x, w (as in s_k), and y_i")
    if len(indices) != 1:
        raise ParseError(f"'{letter}' takes one index, as in {letter}_k")
    return INDEXED[letter][indices[0]]


def numbered(name: str, index: int) -> sympy.Expr:
    """The object a letter followed by digits stands for: one name, never a product.

    For an indexed letter it is the entry of that index (``w0`` is w_0, ``x2`` is x_2, ``P1`` is p_1), so
    ``w0`` and ``w_0`` are one variable; any other letter gives a real symbol of its own (``b2``, ``W1``, ``z1``),
    shown with its digits as a subscript.
    """
    letter = name[0]
    if letter in INDEXED:
        return variable(letter, [sympy.Integer(index)])
    return sympy.Symbol(f"{letter}{index}", real=True)


def summation_index(letter: str) -> sympy.Symbol:
    """The symbol a sum runs over: one of the index letters."""
    if letter not in INDEX_LETTERS:
        raise ParseError(f"a sum must run over one of i, j, k, m, not '{letter}'")
    return INDEX_LETTERS[letter]


def label_if_y(expr: sympy.Expr) -> sympy.Expr:
    """In a comparison of indices, a bare ``y`` means the label y_i."""
    return notation.y if expr == sympy.Symbol("y", real=True) else expr
