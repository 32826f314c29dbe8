"""The logistic-regression quantities logistic.dz and logistic.dw, with the mistakes a chain rule invites."""
from __future__ import annotations

from functools import lru_cache

import sympy
from sympy import Integer, log

from ..feedback import words
from ..registry import Quantity, Reference, Variant, register

#
# The loss of one example, L = -t log y - (1 - t) log(1 - y) with y = sigma(z) and z = w^T x, as the
# derivation encodes it. A gradient is the chain dL/dy · dy/dz · dz/dw_j; a mistake is a mis-encoded loss
# (the minus sign dropped, log base 10) or a link of the chain left out (dy/dz or dz/dw_j taken as 1),
# and each is worked through by the same chain.

@lru_cache(maxsize=None)
def _names():
    from ...engine.notation import j, t, w, x, z
    from ...losses.logistic import Y, loss_expression
    return j, t, w, x, z, Y, loss_expression()


@lru_cache(maxsize=None)
def _loss_words():
    *_, loss = _names()
    return words("the minus sign of ", loss, " was dropped")


@lru_cache(maxsize=None)
def _chain_words(dropped: str):
    j, t, w, x, z, Y, _ = _names()
    L = sympy.Symbol("L", real=True)
    if dropped == "dy_dz":
        return words("the sigmoid's derivative ", sympy.Derivative(Y, z), " = ", Y * (1 - Y), " is missing (taken as 1)")
    if dropped == "dloss_dy":
        return words("only the sigmoid's derivative ", sympy.Derivative(Y, z), " = ", Y * (1 - Y), " was taken: the "
                     "factor ", sympy.Derivative(L, Y), " of the loss is missing (the chain starts at the loss)")
    return words("the factor ", sympy.Derivative(z, w[j]), " = ", x[j], " is missing: that is ", sympy.Derivative(L, z),
                 ", not ", sympy.Derivative(L, w[j]))


@lru_cache(maxsize=None)
def sign_words(name: str):
    """(t - y) x_j instead of (y - t) x_j (name ``dloss_dw``), or t - y instead of y - t."""
    j, t, w, x, z, Y, _ = _names()
    factor = x[j] if name == "dloss_dw" else 1
    return words((t - Y) * factor, " instead of ", (Y - t) * factor)


LOGISTIC_LOSS_VARIANTS = {
    "sign-flipped-gradient": (_loss_words, lambda loss: -loss),
    "log10": (lambda: "log base 10 was used instead of the natural log",
              lambda loss: loss.replace(log, lambda u: log(u) / log(10))),
}
#: links of the chain a student may leave out: (tag, description, which factor is taken as 1)
LOGISTIC_CHAIN_VARIANTS = {
    "missing-sigmoid-derivative": (lambda: _chain_words("dy_dz"), "dy_dz"),
    "missing-input": (lambda: _chain_words("dz_dw"), "dz_dw"),
    "missing-loss-derivative": (lambda: _chain_words("dloss_dy"), "dloss_dy"),
}


@lru_cache(maxsize=1)
def _logistic_derivation():
    from ...losses import logistic
    return logistic.gradient()


def _logistic_chain(loss, factors, through_input=True, dropped=None):
    """dL/dy · dy/dz (· dz/dw_j) for ``loss`` in y, with the factor named ``dropped`` taken as 1."""
    from ...losses.logistic import Y
    chain = [sympy.diff(loss, Y), factors["dy_dz"]] + ([factors["dz_dw"]] if through_input else [])
    names = ["dloss_dy", "dy_dz", "dz_dw"]
    product = Integer(1)
    for name, factor in zip(names, chain):
        if name != dropped:
            product *= factor
    return sympy.factor(sympy.cancel(product))


def _logistic_case(name):
    """logistic.dw ((y - t) x_j) or logistic.dz (y - t), with the variants worked through by the chain."""
    through_input = name == "dloss_dw"

    def reference(given):
        from ...engine.notation import Sigmoid, sigmoid, z
        from ...losses.logistic import Y, loss_expression
        d = _logistic_derivation()
        factors = {key: d.results[key].expr for key in ("dy_dz", "dz_dw")}
        loss = loss_expression()
        expected = d.results[name].expr
        if sympy.simplify(_logistic_chain(loss, factors, through_input) - expected) != 0:
            raise RuntimeError(f"the chain of the encoded loss does not give the derivation's {name}")
        variants = []
        for tag, (text, mistake) in LOGISTIC_LOSS_VARIANTS.items():
            said = text()
            if tag == "sign-flipped-gradient":
                said = words(sign_words(name), ": ", said)
            variants.append(Variant(tag, said, expr=_logistic_chain(mistake(loss), factors, through_input)))
        for tag, (text, dropped) in LOGISTIC_CHAIN_VARIANTS.items():
            if dropped == "dz_dw" and not through_input:
                continue
            variants.append(Variant(tag, text(), expr=_logistic_chain(loss, factors, through_input, dropped)))
        return Reference(f"logistic.{name.replace('dloss_', 'd')}", expr=expected, variants=variants, derivation=d,
                         definitions={Y: Sigmoid(z), Sigmoid: sigmoid})
    return reference


# --- registration ---------------------------------------------------------------------------

register(Quantity("logistic.dz", "expression",
                  r"a formula in y (the prediction \sigma(z)) and t, e.g. y - t", (), _logistic_case("dloss_dz"),
                  uses=()))
register(Quantity("logistic.dw", "expression",
                  r"a formula in y (or \sigma(z)), t and x_j, e.g. (y - t) x_j", (), _logistic_case("dloss_dw"),
                  uses=()))
