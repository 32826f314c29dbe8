"""Logistic regression at given numbers: logistic.loss, logistic.y and logistic.dw for weights, inputs and a target.

The references are the worked numbers of ``derive logistic-grad --weights ... --inputs ... --target ...``;
the mistakes are the loss mis-encoded (log base 10, the minus dropped), the sigmoid forgotten or
given -z, and the links of the chain dL/dy · dy/dz · dz/dw_j left out, each worked through at
those numbers. ``logistic.dw`` without numbers stays the formula (y - t) x_j of :mod:`.logistic`.
"""
from __future__ import annotations

from functools import lru_cache

import sympy
from sympy import ImmutableMatrix, log

from ...engine.inputs import InputError
from ..feedback import words
from ..registry import Given, Quantity, Reference, Variant, register
from .logistic import (
    LOGISTIC_CHAIN_VARIANTS,
    _logistic_case,
    _logistic_chain,
    _logistic_derivation,
    _loss_words,
    sign_words,
)


def _numbers_given(given: Given) -> bool:
    return given.weights is not None and given.inputs is not None and given.target is not None


def _check(given: Given, name: str):
    if not _numbers_given(given):
        raise InputError(f"{name} needs weights, inputs and target in given, or a batch X, y (targets) and W "
                         f"(D weights)")
    if given.weights and isinstance(given.weights[0], tuple):
        raise InputError(f"{name}: logistic regression has one weight per input (a list of D numbers), not rows")


@lru_cache(maxsize=256)
def _worked(given: Given):
    from ...losses import logistic
    return logistic.gradient(weights=list(given.weights), inputs=list(given.inputs), target=given.target)


@lru_cache(maxsize=1024)
def _numbers(given: Given) -> dict:
    """z = w^T x, y = sigma(z), the loss as encoded (-t log y - (1 - t) log(1 - y)) and dL/dw_j = (y - t) x_j (the
    symbolic derivation's result, put in at the numbers), exactly: what the worked derivation of ``_worked`` shows,
    without building it for every sheet's given (the tests check they agree)."""
    from ...engine.notation import sigmoid
    from ...losses.logistic import loss_expression
    z = sympy.Add(*[w * v for w, v in zip(given.weights, given.inputs)])
    y = sigmoid(z)
    formula = _logistic_derivation().results["dloss_dw"].expr
    return {"z": z, "y": y, "loss": loss_expression(y, given.target), "dw": _at_numbers(formula, given, y)}


def _logistic_batch(given: Given, name: str):
    if not given.is_logistic_batch:
        raise InputError(f"{name}: a logistic-regression batch has W as D numbers (one weight per column of X) and "
                         f"y as N targets in [0, 1]")


def _loss(given):
    if given.X is not None:
        from .batch import loss_reference
        _logistic_batch(given, "logistic.loss")
        return loss_reference("logistic", given)
    _check(given, "logistic.loss")
    n = _numbers(given)
    value = n["loss"]
    from ...losses.logistic import loss_expression
    variants = [
        Variant("log10", "log base 10 was used instead of the natural log", value=value / log(10)),
        Variant("sign-flipped-gradient", _loss_words(), value=-value),
    ]
    if given.target in (0, 1):
        variants.append(Variant("wrong-target", wrong_target(), value=loss_expression(n["y"], 1 - given.target)))
    return Reference("logistic.loss", value=value, derive=lambda: _worked(given), variants=variants)


@lru_cache(maxsize=1)
def wrong_target():
    """The loss of the other class: -log y is the loss when t = 1, -log(1 - y) when t = 0."""
    from ...engine.notation import t
    from ...losses.logistic import Y
    return words("the loss of the other target: ", -log(Y), " is the loss for ", t, " = ", 1, ", ", -log(1 - Y),
                 " for ", t, " = ", 0)


def _prediction(given):
    _check(given, "logistic.y")
    n = _numbers(given)
    value, z = n["y"], n["z"]
    from ...engine.notation import Sigmoid
    from ...engine.notation import z as logit
    from ...losses.logistic import Y
    weights, inputs = sympy.MatrixSymbol("w", sympy.Symbol("D"), 1), sympy.MatrixSymbol("x", sympy.Symbol("D"), 1)
    return Reference("logistic.y", value=value, derive=lambda: _worked(given), variants=[
        Variant("no-sigmoid", words("the sigmoid was not applied: ", Y, " = ", Sigmoid(logit), ", not ", logit, " = ",
                                    sympy.MatMul(weights.T, inputs)), value=z),
        Variant("sign-of-z", words(Sigmoid(-logit), " was used instead of ", Sigmoid(logit), " = ",
                                   1 / (1 + sympy.exp(-logit))), value=1 - value),
    ])


def _at_numbers(formula, given, prediction):
    """The formula (in y, t, x_j) at the given numbers, entry by entry for j = 0 .. D-1."""
    from ...engine.notation import j, t, x
    from ...losses.logistic import Y
    values = {Y: prediction, t: given.target}
    return ImmutableMatrix([formula.xreplace({**values, x[j]: v}).xreplace({x[sympy.Integer(i)]: v})
                            for i, v in enumerate(given.inputs)])


@lru_cache(maxsize=1)
def _dw_formula():
    """The formula reference of logistic.dw, the same for every given."""
    return _logistic_case("dloss_dw")(Given())


@lru_cache(maxsize=1)
def _chain_mistakes() -> tuple:
    """(tag, description, formula in y, t, x_j) of each link of the chain left out, the same for every given."""
    from ...losses.logistic import loss_expression
    factors = {key: _logistic_derivation().results[key].expr for key in ("dy_dz", "dz_dw")}
    return tuple((tag, text(), _logistic_chain(loss_expression(), factors, True, dropped))
                 for tag, (text, dropped) in LOGISTIC_CHAIN_VARIANTS.items())


def _dw(given):
    formula = _dw_formula()
    if given.X is not None:
        from .batch import dW_reference
        _logistic_batch(given, "logistic.dw")
        batch = dW_reference("logistic", given)
        batch.expr, batch.definitions = formula.expr, formula.definitions
        batch.variants += formula.variants
        return batch
    if not _numbers_given(given):
        return formula
    _check(given, "logistic.dw")
    n = _numbers(given)
    prediction = n["y"]
    variants = [Variant("sign-flipped-gradient", words(sign_words("dloss_dw"), ": the minus sign of the loss was "
                                                       "dropped"), value=-n["dw"])]
    for tag, text, wrong in _chain_mistakes():
        variants.append(Variant(tag, text, value=_at_numbers(wrong, given, prediction)))
    return Reference("logistic.dw", value=ImmutableMatrix(n["dw"]), expr=formula.expr,
                     variants=variants + formula.variants, derive=lambda: _worked(given),
                     definitions=formula.definitions)


register(Quantity("logistic.loss", "number", "a number, e.g. 0.6931", (), _loss))
register(Quantity("logistic.y", "number", "a number between 0 and 1, e.g. 0.5", (), _prediction))
register(Quantity("logistic.dw", "expression",
                  r"a formula in y (or \sigma(z)), t and x_j, e.g. (y - t) x_j; or, with weights, inputs and "
                  r"target in given, the vector of numbers, e.g. [-1, -0.5]", (), _dw))
