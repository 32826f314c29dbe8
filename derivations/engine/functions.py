"""The activation functions of neural networks, kept as names: ReLU(u), leaky ReLU, softplus(u).

Like :class:`~derivations.engine.notation.Sigmoid`, each is a SymPy function
that a report shows by its name (so a derivative reads ReLU'(u) = 1[u > 0],
softplus'(u) = sigma(u)), and that verification replaces by what it stands
for (:data:`ACTIVATION_DEFINITIONS`):

* ReLU(u) = max(0, u);
* leaky ReLU(u, a) = max(0, u) - a max(0, -u), that is u for u > 0 and a u for u <= 0;
* softplus(u) = log(1 + e^u);
* cbrt(u) = sign(u) |u|^(1/3), the real cube root (not an activation, but kept as a name the same way).

:data:`DEFINITIONS` adds sigma(u) = 1 / (1 + e^{-u}): what ``derive diff`` and
``derive backprop`` hand to their verifier.
"""
from __future__ import annotations

import sympy

from .notation import SIGMOID_DEFINITION, Sigmoid, latex_call


class Relu(sympy.Function):
    """The rectified linear unit ReLU(u) = max(0, u)."""

    nargs = 1
    is_real = True

    def _derive_latex(self, printer, exp=None):
        return latex_call(r"\operatorname{ReLU}", printer._print(self.args[0]), exp)

    def _derive_text(self, printer):
        return "ReLU(%s)" % printer._print(self.args[0])

    def _sympystr(self, printer):
        return "relu(%s)" % printer._print(self.args[0])


class LeakyRelu(sympy.Function):
    """The leaky rectified linear unit: u for u > 0, a u for u <= 0 (slope ``a``, e.g. 0.01)."""

    nargs = 2
    is_real = True

    def _derive_latex(self, printer, exp=None):
        name = r"\operatorname{LeakyReLU}_{%s}" % printer._print(self.args[1])
        return latex_call(name, printer._print(self.args[0]), exp)

    def _derive_text(self, printer):
        return "LeakyReLU(%s, %s)" % (printer._print(self.args[0]), printer._print(self.args[1]))

    def _sympystr(self, printer):
        return "leaky_relu(%s, %s)" % (printer._print(self.args[0]), printer._print(self.args[1]))


class Softplus(sympy.Function):
    """The softplus function log(1 + e^u), a smooth ReLU."""

    nargs = 1
    is_real = True

    def _derive_latex(self, printer, exp=None):
        return latex_call(r"\operatorname{softplus}", printer._print(self.args[0]), exp)

    def _derive_text(self, printer):
        return "softplus(%s)" % printer._print(self.args[0])

    def _sympystr(self, printer):
        return "softplus(%s)" % printer._print(self.args[0])


class Cbrt(sympy.Function):
    """The real cube root: the real number whose cube is u, negative for u < 0 (as NumPy's cbrt), not SymPy's
    principal root u^(1/3), which is complex for u < 0."""

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, u):
        if u.is_Rational:
            root = sympy.Abs(u) ** sympy.Rational(1, 3)
            if root.is_Rational:                          # a perfect cube: cbrt(-8) = -2
                return sympy.sign(u) * root
        return None

    def _derive_latex(self, printer, exp=None):
        root = r"\sqrt[3]{%s}" % printer._print(self.args[0])
        return root if exp is None else r"\left(%s\right)^{%s}" % (root, exp)

    def _derive_text(self, printer):
        return "∛(%s)" % printer._print(self.args[0])

    def _sympystr(self, printer):
        return "cbrt(%s)" % printer._print(self.args[0])


def relu_definition(u):
    """ReLU(u) = max(0, u)."""
    return sympy.Max(0, u)


def leaky_relu_definition(u, a):
    """leaky ReLU(u, a) = max(0, u) - a max(0, -u)."""
    return sympy.Max(0, u) - a * sympy.Max(0, -u)


def softplus_definition(u):
    """softplus(u) = log(1 + e^u)."""
    return sympy.log(1 + sympy.exp(u))


def cbrt_definition(u):
    """cbrt(u) = sign(u) |u|^(1/3), the real cube root."""
    return sympy.sign(u) * sympy.Abs(u) ** sympy.Rational(1, 3)


#: what verification puts in for the activation functions
ACTIVATION_DEFINITIONS = {Relu: relu_definition, LeakyRelu: leaky_relu_definition, Softplus: softplus_definition}

#: what verification puts in for the other named functions
OTHER_DEFINITIONS = {Cbrt: cbrt_definition}

#: every named function of ``derive diff`` and ``derive backprop`` with its definition (sigma included)
DEFINITIONS = {**SIGMOID_DEFINITION, **ACTIVATION_DEFINITIONS, **OTHER_DEFINITIONS}

#: the slope leaky_relu(u) has when none is given (PyTorch's and Keras's default)
DEFAULT_LEAKY_SLOPE = sympy.Rational(1, 100)

__all__ = ["Relu", "LeakyRelu", "Softplus", "Cbrt", "ACTIVATION_DEFINITIONS", "DEFINITIONS", "Sigmoid",
           "DEFAULT_LEAKY_SLOPE"]
