"""Logistic regression over a batch, regularised, from index form to matrix form (for generated code).

    J = (1/N) sum_n L^(n) + lambda sum_d w_d^2,   L^(n) = -t_n log y_n - (1 - t_n) log(1 - y_n),
    y_n = sigma(z_n),   z_n = sum_d X_nd w_d,

with X the N x D inputs (one example a row), w the D weights and t the N
targets. The gradient of one example, (y - t) x_d, is the one
``derive logistic-grad`` derives step by step; here it is averaged over the
batch, the penalty's 2 lambda w_d added, and the result written as the
matrix (1/N) X^T (sigma(X w) - t) + 2 lambda w, every step verified with N
and D set to small sizes. The loss is written in matrix form too, as the
mean of softplus(z) - t z (the same function, in a form that does not
overflow).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import Integer, MatMul, Rational, Sum, Symbol, Transpose, log
from sympy.matrices.expressions.hadamard import HadamardProduct
from sympy.matrices.expressions.matexpr import MatrixElement

from ..engine import rules as R
from ..engine.build import Builder, sentence
from ..engine.differentiate import d
from ..engine.matrices import X_, Gradient, Ones, named
from ..engine.matrix_functions import Logistic, Softplus
from ..engine.notation import D, N, PerExample, Sigmoid, X, example, feature, lam, other_feature, sigmoid, w
from ..engine.steps import Result, Section, Step
from ..report import Report
from . import logistic

REG_FORMS = ("full", "half")
TITLE = "Gradient of the regularised logistic-regression loss of a batch, in matrix form"

#: the batch: z_n, y_n = sigma(z_n), t_n and L^(n) of example n
ZB = PerExample("z", real=True)
YB = PerExample("y", real=True)
TB = PerExample("t", real=True)
LB = PerExample("L_CE", real=True)
OBJECTIVE = Symbol("J", real=True)
_Q = sympy.Dummy("q", integer=True)

w_ = named("w", D, 1, lambda i, j: w[i])
t_ = named("t", N, 1, lambda i, j: TB[i])
Z_ = named("z", N, 1, lambda i, j: ZB[i])


def logit(n):
    """z_n = sum_d X_nd w_d."""
    return Sum(X[n, _Q] * w[_Q], (_Q, 0, D - 1))


def penalty(reg_form):
    return (lam if reg_form == "full" else Rational(1, 2) * lam) * Sum(w[other_feature] ** 2, (other_feature, 0, D - 1))


def objective(reg_form):
    return Sum(LB[example], (example, 0, N - 1)) / N + penalty(reg_form)


def definitions(reg_form):
    return {
        OBJECTIVE: objective(reg_form),
        LB: lambda n: logistic.loss_expression(YB[n], TB[n]),
        YB: lambda n: Sigmoid(ZB[n]),
        ZB: logit,
        Sigmoid: sigmoid,
    }


def gradient_matrix(reg_form):
    """(1/N) X^T (sigma(z) - t) + 2 lambda w (or lambda w)."""
    return MatMul(1 / N, Transpose(X_), Logistic(Z_) - t_) + (2 * lam if reg_form == "full" else lam) * w_


def loss_matrix(reg_form):
    """(1/N) 1_N^T (softplus(z) - t ∘ z) + lambda w^T w (or half of it)."""
    weight = lam if reg_form == "full" else Rational(1, 2) * lam
    return MatMul(1 / N, Transpose(Ones(N)), Softplus(Z_) - HadamardProduct(t_, Z_)) \
        + weight * MatMul(Transpose(w_), w_)


@dataclass(frozen=True)
class MatrixForm:
    """The verified matrix forms, as :class:`derivations.losses.batch.MatrixForm` holds them for the SVM."""

    loss_name: str
    reg_form: str
    dW: sympy.MatrixExpr
    loss: sympy.MatrixExpr
    named: tuple
    inputs: tuple
    scalars: tuple


def gradient(reg_form="full") -> Report:
    """The derivation: the objective, the gradient in index form, then in matrix form, and the loss in matrix form."""
    if reg_form not in REG_FORMS:
        raise ValueError(f"reg_form must be full or half, not {reg_form!r}")
    builder = Builder(definitions(reg_form), spread=logistic.SPREAD)
    report = Report("logistic-grad", TITLE, {"wrt": "batch", "reg_form": reg_form})
    n, dd = example, feature
    whole = objective(reg_form)
    example_loss = logistic.loss_expression(YB[n], TB[n])
    setup = [
        sentence("A batch of ", N, " examples: X is ", N, " × ", D, " (row ", n, " is example ", n, "), w holds the ",
                 D, " weights and ", TB[n], " the target of example ", n, ":"),
        builder.chain([Step(ZB[n], logit(n).xreplace({_Q: feature}),
                            R.Definition(ZB[n], logit(n)))]),
        builder.chain([Step(YB[n], Sigmoid(ZB[n]), R.Definition(YB[n], Sigmoid(ZB[n])))]),
        builder.chain([Step(LB[n], example_loss, R.Definition(LB[n], example_loss))]),
        sentence("The objective is their average plus the penalty on the weights:"),
        builder.chain([Step(OBJECTIVE, whole, R.Definition(OBJECTIVE, whole))]),
    ]
    report.sections.append(Section("The batch and the objective", setup))

    one = logistic.gradient()
    per_example = one.results["dloss_dw"].expr            # (y - t) x_j, derived step by step there
    general = per_example.replace(lambda e: isinstance(e, sympy.Indexed) and e.base == logistic.x,
                                  lambda e: X[n, dd]).xreplace({logistic.Y: YB[n], logistic.t: TB[n]})
    variable = w[dd]
    reg = (2 * lam if reg_form == "full" else lam) * w[dd]
    average = Sum(d(LB[n], variable), (n, 0, N - 1)) / N
    index = Sum(general, (n, 0, N - 1)) / N + reg
    entries = (Sum(MatrixElement(Transpose(X_), dd, n) * (MatrixElement(Logistic(Z_), n, Integer(0))
                                                          - MatrixElement(t_, n, Integer(0))), (n, 0, N - 1)) / N
               + MatrixElement((2 * lam if reg_form == "full" else lam) * w_, dd, Integer(0)))
    matrix = gradient_matrix(reg_form)
    chain = builder.chain([
        Step(d(OBJECTIVE, variable), d(whole, variable), R.Definition(OBJECTIVE, whole)),
        Step(d(whole, variable), average + reg, R.SumLinearityRule(LB[n], n, variable),
             more=(R.PowerRule(w[other_feature], Integer(2), variable),)),
        Step(average + reg, index, R.DerivedElsewhere("logistic-grad")),
        Step(index, entries, R.MatrixEntries()),
        Step(entries, MatrixElement(matrix, dd, Integer(0)), R.MatrixProductEntry()),
    ])
    claim = builder.claim(Gradient(OBJECTIVE, w_), matrix, R.MatrixSumEntry())
    report.sections.append(Section("The gradient, from index form to matrix form", [
        sentence("Each example's gradient is ", (sympy.Symbol("y", real=True) - sympy.Symbol("t", real=True))
                 * sympy.Indexed("x", dd), ", derived step by step for logistic regression; averaged "
                 "over the batch, with the penalty's own gradient:"),
        chain,
        sentence("Entry ", dd, " of both sides for every ", dd, ", so as vectors (", D, " × 1, like w), with z = Xw:"),
        claim,
    ]))
    loss_form = loss_matrix(reg_form)
    softplus_claim = builder.claim(logistic.loss_expression(Sigmoid(ZB[n]), TB[n]),
                                   log(1 + sympy.exp(ZB[n])) - TB[n] * ZB[n],
                                   R.Rewrite((log(Sigmoid(ZB[n])), ZB[n] - log(1 + sympy.exp(ZB[n])))))
    loss_claim = builder.claim(OBJECTIVE, loss_form, R.MatrixSumEntry())
    report.sections.append(Section("The loss in matrix form", [
        sentence("Each example's loss is softplus(z) - t z, as log σ(z) = z - log(1 + e^z) and log(1 - σ(z)) = -log(1 + e^z); softplus(z) = log(1 + e^z) can be evaluated without overflow:"),
        softplus_claim,
        loss_claim,
    ]))
    report.matrix_form = MatrixForm("logistic", reg_form, matrix, loss_form, ((Z_, MatMul(X_, w_)),),
                                    (X_, w_, t_), (N, lam))
    report.results["dw"] = Result("dw", matrix, description="dJ/dw in matrix form (D x 1)")
    report.results["loss"] = Result("loss", loss_form, description="J in matrix form")
    return report


@lru_cache(maxsize=4)
def matrix_form(reg_form="full") -> MatrixForm:
    """The verified matrix forms (the derivation is built, every step checked)."""
    return gradient(reg_form).matrix_form


@dataclass
class Batch:
    """A logistic-regression batch read and checked: X (N x D), targets t in [0, 1] (N), weights w (D)."""

    X: object
    y: object
    W: object
    source: str

    @property
    def shape(self):
        return self.X.shape[0], self.X.shape[1], 1


def read_batch(data) -> Batch:
    """X, y (the targets) and W (the D weights) from a ``.npz``/``.json`` path or a mapping; InputError names a problem."""
    from pathlib import Path

    import numpy as np

    from ..engine.inputs import InputError
    from .batch_files import read_arrays, real_array
    from .batch_numbers import _matrix
    if isinstance(data, dict):
        raw, source = data, "the given arrays"
    else:
        raw, source = read_arrays(data), Path(data).name
    missing = [key for key in ("X", "y", "W") if key not in raw]
    if missing:
        raise InputError(f"{source} has no {', '.join(missing)}: it must hold X (N x D inputs, one example a row), "
                         "y (N targets in [0, 1]) and W (the D weights)")
    X = _matrix(raw["X"], "X", "N x D (one example a row)")
    weights = real_array(raw["W"], "W", f"the D = {X.shape[1]} weights")
    targets = real_array(raw["y"], "y", f"N = {X.shape[0]} targets in [0, 1]")
    if weights.size != X.shape[1] or weights.ndim > 2 or (weights.ndim == 2 and 1 not in weights.shape):
        raise InputError(f"W must hold the D = {X.shape[1]} weights (one per column of X), not shape {weights.shape}")
    if targets.shape != (X.shape[0],):
        raise InputError(f"y must hold N = {X.shape[0]} targets, one per row of X, not shape {targets.shape}")
    if not (np.all(np.isfinite(weights)) and np.all(np.isfinite(targets))):
        raise InputError("W and y must be finite numbers")
    if np.any(targets < 0) or np.any(targets > 1):
        raise InputError("the targets y must lie in [0, 1] (a class 0/1 or a probability)")
    return Batch(X, targets, weights.reshape(-1), source)
