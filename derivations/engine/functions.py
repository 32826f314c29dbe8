"""The activation functions of neural networks, kept as names: ReLU(u), leaky ReLU, softplus(u).

Like :class:`~derivations.engine.notation.Sigmoid`, each is a SymPy function
that a report shows by its name (so a derivative reads ReLU'(u) = 1[u > 0],
softplus'(u) = sigma(u)), and that verification replaces by what it stands
for (:data:`ACTIVATION_DEFINITIONS`):

* ReLU(u) = max(0, u);
* leaky ReLU(u, a) = max(0, u) - a max(0, -u), that is u for u > 0 and a u for u <= 0;
* softplus(u) = log(1 + e^u).

:data:`DEFINITIONS` adds sigma(u) = 1 / (1 + e^{-u}): what ``derive diff`` and
``derive backprop`` hand to their verifier.
"""
from __future__ import annotations

import sympy

from .notation import SIGMOID_DEFINITION, Sigmoid


class Relu(sympy.Function):
    """The rectified linear unit ReLU(u) = max(0, u)."""

    nargs = 1
    is_real = True

    def _derive_latex(self, printer):
        return r"\operatorname{ReLU}\left(%s\right)" % printer._print(self.args[0])

    def _derive_text(self, printer):
        return "ReLU(%s)" % printer._print(self.args[0])

    def _sympystr(self, printer):
        return "relu(%s)" % printer._print(self.args[0])


class LeakyRelu(sympy.Function):
    """The leaky rectified linear unit: u for u > 0, a u for u <= 0 (slope ``a``, e.g. 0.01)."""

    nargs = 2
    is_real = True

    def _derive_latex(self, printer):
        return r"\operatorname{LeakyReLU}_{%s}\left(%s\right)" % (printer._print(self.args[1]),
                                                                 printer._print(self.args[0]))

    def _derive_text(self, printer):
        return "LeakyReLU(%s, %s)" % (printer._print(self.args[0]), printer._print(self.args[1]))

    def _sympystr(self, printer):
        return "leaky_relu(%s, %s)" % (printer._print(self.args[0]), printer._print(self.args[1]))


class Softplus(sympy.Function):
    """The softplus function log(1 + e^u), a smooth ReLU."""

    nargs = 1
    is_real = True

    def _derive_latex(self, printer):
        return r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])

    def _derive_text(self, printer):
        return "softplus(%s)" % printer._print(self.args[0])

    def _sympystr(self, printer):
        return "softplus(%s)" % printer._print(self.args[0])


def relu_definition(u):
    """ReLU(u) = max(0, u)."""
    return sympy.Max(0, u)


def leaky_relu_definition(u, a):
    """leaky ReLU(u, a) = max(0, u) - a max(0, -u)."""
    return sympy.Max(0, u) - a * sympy.Max(0, -u)


def softplus_definition(u):
    """softplus(u) = log(1 + e^u)."""
    return sympy.log(1 + sympy.exp(u))


#: what verification puts in for the activation functions
ACTIVATION_DEFINITIONS = {Relu: relu_definition, LeakyRelu: leaky_relu_definition, Softplus: softplus_definition}

#: every named function of ``derive diff`` and ``derive backprop`` with its definition (sigma included)
DEFINITIONS = {**SIGMOID_DEFINITION, **ACTIVATION_DEFINITIONS}

__all__ = ["Relu", "LeakyRelu", "Softplus", "ACTIVATION_DEFINITIONS", "DEFINITIONS", "Sigmoid"]
