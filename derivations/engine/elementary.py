"""The derivatives of the functions of one argument: which rule, and f'(u) for each function f.

:func:`~derivations.engine.differentiate.choose_rule` looks a function up
here; the chain rule (f'(u) times du/dx) is applied there. Each entry's
identity is stated by its rule's docstring (:mod:`derivations.engine.rules`).
"""
from __future__ import annotations

import sympy
from sympy import (
    Abs,
    acos,
    acosh,
    acot,
    asin,
    asinh,
    atan,
    atanh,
    cos,
    cosh,
    cot,
    coth,
    csc,
    csch,
    erf,
    exp,
    sec,
    sech,
    sign,
    sin,
    sinh,
    sqrt,
    tan,
    tanh,
)

from . import rules as R
from .functions import Cbrt, Relu, Softplus
from .notation import Sigmoid, indicator

#: function class -> (rule, f' as a function of the argument u)
ONE_ARGUMENT = {
    sin: (R.SinRule, lambda u: cos(u)),
    cos: (R.CosRule, lambda u: -sin(u)),
    tan: (R.TanRule, lambda u: sec(u) ** 2),
    cot: (R.CotRule, lambda u: -csc(u) ** 2),
    sec: (R.SecRule, lambda u: sec(u) * tan(u)),
    csc: (R.CscRule, lambda u: -csc(u) * cot(u)),
    asin: (R.AsinRule, lambda u: 1 / sqrt(1 - u ** 2)),
    acos: (R.AcosRule, lambda u: -1 / sqrt(1 - u ** 2)),
    atan: (R.AtanRule, lambda u: 1 / (1 + u ** 2)),
    acot: (R.AcotRule, lambda u: -1 / (1 + u ** 2)),
    sinh: (R.SinhRule, lambda u: cosh(u)),
    cosh: (R.CoshRule, lambda u: sinh(u)),
    tanh: (R.TanhRule, lambda u: 1 - tanh(u) ** 2),
    coth: (R.CothRule, lambda u: 1 - coth(u) ** 2),
    sech: (R.SechRule, lambda u: -sech(u) * tanh(u)),
    csch: (R.CschRule, lambda u: -csch(u) * coth(u)),
    asinh: (R.AsinhRule, lambda u: 1 / sqrt(u ** 2 + 1)),
    acosh: (R.AcoshRule, lambda u: 1 / sqrt(u ** 2 - 1)),
    atanh: (R.AtanhRule, lambda u: 1 / (1 - u ** 2)),
    Abs: (R.AbsRule, lambda u: sign(u)),
    erf: (R.ErfRule, lambda u: 2 / sqrt(sympy.pi) * exp(-u ** 2)),
    Relu: (R.ReluRule, lambda u: indicator(u)),
    Softplus: (R.SoftplusRule, lambda u: Sigmoid(u)),
    Cbrt: (R.CbrtRule, lambda u: 1 / (3 * Cbrt(u) ** 2)),
}


def one_argument(expr):
    """(rule class, f'(u)) for ``expr`` = f(u) with f in the table, else None."""
    entry = ONE_ARGUMENT.get(type(expr))
    if entry is None or len(expr.args) != 1:
        return None
    rule, derivative = entry
    return rule, derivative(expr.args[0])


#: the names ``derive diff`` knows, for messages
KNOWN_FUNCTIONS = ("sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "arccot",
                   "sinh", "cosh", "tanh", "coth", "sech", "csch", "arsinh", "arcosh", "artanh",
                   "exp", "log", "log(x, b)", "ln", "log10", "log2", "sqrt", "cbrt", "pow(a, b)", "abs (|x|)",
                   "sigmoid", "relu", "leaky_relu (slope 0.01 unless given)", "softplus", "erf", "gelu",
                   "max and min of any number of arguments")

__all__ = ["ONE_ARGUMENT", "one_argument", "KNOWN_FUNCTIONS"]
