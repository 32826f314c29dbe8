"""Vectors as students write them in gradients with respect to the weights: w_j^T x_i, \\mathbf{x}_i.

With ``vectors=True`` (see :func:`derivations.parse.parse_expression`), ``a^T`` is read as
:class:`Transposed` and a transposed vector times what follows it as :class:`Dot`: ``w_j^T x_i``
is ``Dot(w_j, x_i)``. What the vectors stand for (w_j the weights of class j, x_i the input of
example i) is decided by the quantity being answered, not here. Bold and underlined letters
(``\\mathbf{w}``, ``\\boldsymbol{x}``, ``\\vec{x}``, ``\\underline{w}``) are the plain letter.
"""
from __future__ import annotations

import re

import sympy

#: \mathbf{w}, \boldsymbol{x}, \vec{x}, \underline{w}, \bm{x} around one letter (not \mathbf{1}, the indicator)
_VECTOR_LETTER = re.compile(r"\\(?:mathbf|boldsymbol|bm|vec|underline)\s*\{\s*([A-Za-z])\s*\}")


def plain_vector_letters(text: str) -> str:
    """``text`` with each bold, arrowed or underlined single letter written as the letter itself."""
    return _VECTOR_LETTER.sub(lambda m: " " + m.group(1) + " ", text)


class Transposed(sympy.Function):
    """a^T, waiting for the vector it multiplies."""

    nargs = 1


class Dot(sympy.Function):
    """a^T b, the dot product of two vectors, as written (w_j^T x_i)."""

    nargs = 2

    def _sympystr(self, printer):
        left, right = (printer._print(a) if not isinstance(a, sympy.Add) else "(%s)" % printer._print(a)
                       for a in self.args)
        return "%s^T %s" % (left, right)


def multiply(left, right):
    """left times right, where a transposed vector at the end of ``left`` takes ``right`` into a dot product."""
    factors = list(sympy.Mul.make_args(left))
    transposed = [f for f in factors if isinstance(f, Transposed)]
    if transposed and not isinstance(right, Transposed):
        factors.remove(transposed[-1])
        return sympy.Mul(*factors) * Dot(transposed[-1].args[0], right)
    return sympy.Mul(left, right)


__all__ = ["Transposed", "Dot", "plain_vector_letters", "multiply"]
