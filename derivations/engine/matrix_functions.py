"""Functions of a matrix applied entry by entry that logistic regression needs: the sigmoid and softplus.

Beside :class:`~derivations.engine.matrices.Hinge` and
:class:`~derivations.engine.matrices.Positive`: ``Logistic(Z)`` has entries
sigma(Z_ij) = 1 / (1 + e^{-Z_ij}) and ``Softplus(Z)`` has entries
log(1 + e^{Z_ij}), so that -t log sigma(z) - (1 - t) log(1 - sigma(z)) =
softplus(z) - t z can be written for a whole batch.
"""
from __future__ import annotations

import sympy

from .matrices import _Elementwise
from .notation import Sigmoid


class Logistic(_Elementwise):
    """sigma(Z), entry by entry."""

    @staticmethod
    def scalar(u):
        return Sigmoid(u)

    def _derive_latex(self, printer):
        return r"\sigma\left(%s\right)" % printer._print(self.matrix)

    def _derive_text(self, printer):
        return "σ(%s)" % printer._print(self.matrix)


class Softplus(_Elementwise):
    """log(1 + e^Z), entry by entry."""

    @staticmethod
    def scalar(u):
        return sympy.log(1 + sympy.exp(u))

    def _derive_latex(self, printer):
        return r"\operatorname{softplus}\left(%s\right)" % printer._print(self.matrix)

    def _derive_text(self, printer):
        return "softplus(%s)" % printer._print(self.matrix)


__all__ = ["Logistic", "Softplus"]
