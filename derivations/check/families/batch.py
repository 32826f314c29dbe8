"""A small batch given on a sheet (X, y, W, reg, reg_form): its scores, loss and dW, exactly, with their mistakes.

The numbers are the verified matrix forms of :mod:`derivations.losses.batch` (SVM, softmax) and
:mod:`derivations.losses.logistic_batch` (logistic regression, W then being the D weights and y the N
targets), the very expressions the batch derivations verify (``gradient_matrix``, ``loss_matrix``,
``named_matrices``: the tests check they are the derivation's), evaluated exactly from the decimals as
written (:mod:`derivations.check.exact_arrays`): 0.8 is compared with 4/5, never with a float near it.

The mistakes are the same forms rewritten as a student might have them (the 1/N left out, the other
reg_form's penalty, the penalty left out, the δ_{c,y_n} dropped, the correct class's sign, P
without - Y, a transposed dW; for the loss the j = y_i term kept, the max dropped, Δ flipped or left
out, log base 10, the minus missing), each evaluated by the same evaluator for this batch.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import sympy
from sympy import MatMul, Transpose

from ..exact_arrays import DIGITS, ExactEvaluator, as_matrix, as_sympy, exact_array, one_hot
from ..feedback import Code, words
from ..registry import Given, LazyVariants, Reference, Variant


def _other(reg_form: str) -> str:
    return "half" if reg_form == "full" else "full"


class Penalty(sympy.Expr):
    """The penalty on the weights as prose writes it: lambda sum_{d,c} W_{d,c}^2 (``Penalty("full")``), or half of it
    (``Penalty("half")``); the derivations write the sums' limits, which a sentence has no room for."""

    is_commutative = True

    def __new__(cls, reg_form):
        return sympy.Expr.__new__(cls, sympy.Symbol(str(reg_form)))

    @property
    def half(self) -> bool:
        return self.args[0].name == "half"

    def _derive_latex(self, printer, exp=None):
        from ...engine.notation import lam
        return (r"\tfrac{1}{2} " if self.half else "") + printer._print(lam) + r" \sum_{d,c} W_{d,c}^{2}"

    def _derive_text(self, printer):
        from ...engine.notation import lam
        return ("(1/2)·" if self.half else "") + printer._print(lam) + "·Σ_{d,c} W_{d,c}²"


def _penalty(reg_form: str):
    """lambda sum_{d,c} W_dc^2 (reg_form full), or half of it (half), as the feedback writes it."""
    return Penalty(reg_form)


def _reg_words(reg_form: str, what: str):
    """The other reg_form's penalty (or its gradient) for this one's: (1/2) lambda sum W^2 for lambda sum W^2."""
    from ...engine.matrices import W_
    from ...engine.notation import lam
    regulariser = _penalty
    other = _other(reg_form)

    def gradient(form):
        return (2 * lam if form == "full" else lam) * W_
    if what == "gradient":
        return words("the penalty's gradient was taken as ", gradient(other), " (that of ", regulariser(other),
                     "); with ", Code(f"reg_form: {reg_form}"), " it is ", gradient(reg_form))
    return words("the penalty was taken as ", regulariser(other), "; with ", Code(f"reg_form: {reg_form}"), " it is ",
                 regulariser(reg_form))


@lru_cache(maxsize=None)
def _words(tag: str):
    """The description of a mistake of the batch forms (see _dW_rewritten and _loss_rewritten)."""
    from ...engine.matrices import W_, X_, Y_
    from ...engine.notation import Delta, N, c, example, j, labels, lam, t
    from ...losses import batch as b
    from ...losses.logistic import Y
    said = {
        "missing-1/N": words("the ", 1 / N, " of the average is missing"),
        "missing-1/N-loss": words("the ", 1 / N, " of the average is missing: the losses were summed, not averaged"),
        "sign-flipped-logistic": words(t - Y, " instead of ", Y - t, ": the sign of the data term is flipped"),
        "reg-left-out-gradient": words("the penalty's gradient (", 2 * lam * W_, " or ", lam * W_, ") was left out"),
        "dropped-delta": words("the ", sympy.KroneckerDelta(c, labels[example]), " was dropped: only the examples "
                               "whose label is ", c, " subtract the count of violated margins"),
        "no-minus-one": words("the one-hot ", Y_, " is missing: the gradient of the scores is ", b.P_ - Y_),
        "sign-of-softmax": words("the sign is flipped: ", Y_ - b.P_, " instead of ", b.P_ - Y_),
        "kept-correct-term": words("the ", j, " = ", labels[example], " term was kept in the sum: it adds ", Delta,
                                   " for every example"),
        "scores-transposed": words("the scores are ", _times(N, "K"), ", one row per example (", b.S_, " = ",
                                   MatMul(X_, W_), ")"),
        "probabilities-transposed": words(b.P_, " is ", _times(N, "K"), ", one row per example"),
        "dW-transposed": words("the gradient is transposed: it is ", _times("D", "K"), " like ", W_,
                               ", one row per feature and one column per class"),
    }
    return said[tag]


def _times(rows, cols):
    from ...engine.notation import Times
    return Times(sympy.Symbol(rows, integer=True, positive=True) if isinstance(rows, str) else rows,
                 sympy.Symbol(cols, integer=True, positive=True) if isinstance(cols, str) else cols)


def _reg_left_out(reg_form: str):
    return words("the penalty ", _penalty(reg_form), " was left out: the loss is the data term plus the penalty")


class BatchNumbers:
    """The exact evaluator of one batch, with the forms of its loss (``svm``, ``softmax`` or ``logistic``).

    The evaluator (and the values of its nodes) is shared by every BatchNumbers of the same data (X, y, W, reg,
    Delta): the SVM's and softmax's forms of a batch, under either reg_form, evaluate S = X W, the margins, P,
    X^T B, ... once (reg_form chooses the forms, never the value of a node)."""

    def __init__(self, loss: str, given: Given, delta=None, flip_targets=False, base: "BatchNumbers" = None):
        self.loss, self.given = loss, given
        self.forms = _forms_module(loss)
        kind = "logistic" if loss == "logistic" else "both"
        if flip_targets:
            self.evaluator = _new_evaluator(loss, given, delta, flip_targets)
        elif base is not None:        # the same arrays, another Delta: nothing converted again
            data = replace(given, reg_form="full", delta=given.delta if delta is None else delta)
            self.evaluator = _shared_evaluator(kind, data, base.evaluator)
        else:
            self.evaluator = _shared_evaluator(kind, replace(given, reg_form="full"))

    def value(self, expr):
        return self.evaluator.value(expr)

    # --- the forms (built once per loss and reg_form: SymPy's matrix expressions are slow to build) -------

    def dW_form(self, reg_form=None):
        return dW_form(self.loss, reg_form or self.given.reg_form)

    def loss_form(self, reg_form=None):
        return loss_form(self.loss, reg_form or self.given.reg_form)

    def scores(self):
        from ...engine.matrices import S_
        if self.loss == "logistic":
            return self.value(self.forms.Z_)
        return self.value(S_)


@lru_cache(maxsize=512)
def numbers(loss: str, given: Given) -> BatchNumbers:
    return BatchNumbers(loss, given)


def _forms_module(loss: str):
    if loss == "logistic":
        from ...losses import logistic_batch
        return logistic_batch
    from ...losses import batch
    return batch


_EVALUATORS: dict = {}
MAX_EVALUATORS = 256


def _shared_evaluator(kind: str, data: Given, base: ExactEvaluator | None = None) -> ExactEvaluator:
    """One evaluator per batch (``data``: its given with reg_form set to full), for the SVM and softmax together
    (``kind`` "both": their named matrices S, M, B, P side by side) or for logistic regression. ``base``: an
    evaluator of the same arrays (another Delta), whose converted arrays and scores S = X W (which Delta does not
    enter) are taken over."""
    key = (kind, data)
    found = _EVALUATORS.get(key)
    if found is None:
        if len(_EVALUATORS) >= MAX_EVALUATORS:
            _EVALUATORS.clear()
        found = _EVALUATORS[key] = _new_evaluator(kind, data, arrays=base.arrays if base is not None else None)
        if base is not None and kind == "both":
            from ...engine.matrices import S_
            if S_ in base.cache:
                found.cache[S_] = base.cache[S_]
    return found


def _new_evaluator(loss: str, given: Given, delta=None, flip_targets=False, arrays=None) -> ExactEvaluator:
    """An evaluator of ``given``'s batch for ``loss`` ("both": the SVM's and softmax's named matrices); ``arrays``
    already converted (X, W, Y) are reused; ``delta`` for another Delta; ``flip_targets`` for logistic
    regression's targets 1 - t."""
    from ...engine.matrices import W_, X_, Y_
    from ...engine.notation import D, Delta, K, N, lam
    n, features = len(given.X), len(given.X[0])
    X = arrays[X_] if arrays is not None else exact_array(given.X)
    if loss == "logistic":
        from ...losses import logistic_batch as lb
        targets = [1 - v for v in given.y] if flip_targets else list(given.y)
        arrays = {X_: X, lb.w_: exact_array(list(given.W)), lb.t_: exact_array(targets)}
        scalars = {N: n, D: features, lam: given.reg}
        named = ((lb.Z_, MatMul(X_, lb.w_)),)
    else:
        classes = len(given.W[0])
        if arrays is None:
            arrays = {X_: X, W_: exact_array(given.W), Y_: one_hot(given.y, classes)}
        scalars = {N: n, D: features, K: classes, lam: given.reg, Delta: given.delta if delta is None else delta}
        named = _named("svm") + _named("softmax") if loss == "both" else _named(loss)
    return ExactEvaluator(arrays, scalars, named)


@lru_cache(maxsize=4)
def _named(loss: str) -> tuple:
    from ...losses import batch
    return batch.named_matrices(loss)


@lru_cache(maxsize=16)
def dW_form(loss: str, reg_form: str):
    if loss == "logistic":
        from ...losses import logistic_batch
        return logistic_batch.gradient_matrix(reg_form)
    from ...losses import batch
    return batch.gradient_matrix(loss, reg_form)


@lru_cache(maxsize=16)
def loss_form(loss: str, reg_form: str):
    if loss == "logistic":
        from ...losses import logistic_batch
        return logistic_batch.loss_matrix(reg_form)
    from ...losses import batch
    return batch.loss_matrix(loss, reg_form)


def _data_and_penalty(loss_form):
    """(data term, penalty) of a loss form written data + penalty: the penalty is the term in W (or w) alone."""
    data, penalty = [], []
    for term in loss_form.args:
        names = {m.name for m in term.atoms(sympy.MatrixSymbol)}
        (penalty if names <= {"W", "w"} else data).append(term)
    if len(data) != 1 or len(penalty) != 1:
        raise ValueError(f"not a data term plus a penalty: {loss_form}")
    return data[0], penalty[0]


# --- dW ---------------------------------------------------------------------------------------------

def dW_reference(loss: str, given: Given) -> Reference:
    found = numbers(loss, given)
    form = found.dW_form()
    value = as_matrix(found.value(form))
    return Reference(f"{loss}.dW" if loss != "logistic" else "logistic.dw", value=_shaped(value, loss), expr=form,
                     variants=LazyVariants(lambda: _dW_variants(found, value)))


def _shaped(value, loss):
    """logistic regression's dw as a vector (D entries), the others as the D x K matrix."""
    return sympy.ImmutableMatrix(list(value)) if loss == "logistic" else value


def _dW_variants(found: BatchNumbers, value) -> list:
    loss, given = found.loss, found.given
    variants = [Variant(tag, text, value=_shaped(as_matrix(found.value(expr)), loss))
                for tag, text, expr in _dW_rewritten(loss, given.reg_form, given.reg != 0)]
    if loss != "logistic":
        variants.append(Variant("transposed", _words("dW-transposed"), value=value.T))
    return variants


@lru_cache(maxsize=16)
def _dW_rewritten(loss: str, reg_form: str, with_reg: bool) -> tuple:
    """(tag, description, matrix form) of each mistaken dW, built once per loss and reg_form."""
    from ...engine.matrices import X_, Y_
    from ...engine.notation import N, lam
    if loss == "logistic":
        from ...engine.matrix_functions import Logistic
        from ...losses import logistic_batch as b
        residual = Logistic(b.Z_) - b.t_
        reg = (2 * lam if reg_form == "full" else lam) * b.w_
        other = (2 * lam if reg_form == "half" else lam) * b.w_
        rewritten = {
            "missing-1/N": (_words("missing-1/N"), MatMul(Transpose(X_), residual) + reg),
            "sign-flipped-gradient": (_words("sign-flipped-logistic"),
                                      MatMul(1 / N, Transpose(X_), b.t_ - Logistic(b.Z_)) + reg),
        }
        if with_reg:
            rewritten["other-reg-form"] = (_reg_words(reg_form, "gradient"),
                                           MatMul(1 / N, Transpose(X_), residual) + other)
            rewritten["reg-left-out"] = ("the penalty's gradient was left out", MatMul(1 / N, Transpose(X_), residual))
    else:
        from ...losses import batch as b
        inner = (b.B_ - sympy.HadamardProduct(Y_, b.row_sums(b.B_))) if loss == "svm" else (b.P_ - Y_)
        reg = b.reg_matrix(reg_form)
        rewritten = {"missing-1/N": (_words("missing-1/N"), MatMul(Transpose(X_), inner) + reg)}
        if with_reg:
            rewritten["other-reg-form"] = (_reg_words(reg_form, "gradient"),
                                           b.data_gradient(loss) + b.reg_matrix(_other(reg_form)))
            rewritten["reg-left-out"] = (_words("reg-left-out-gradient"), b.data_gradient(loss))
        if loss == "svm":
            rewritten["dropped-delta"] = (_words("dropped-delta"),
                                          MatMul(1 / N, Transpose(X_), b.B_ - b.row_sums(b.B_)) + reg)
            rewritten["sign-of-correct-class"] = ("the correct class's term has the wrong sign: it is minus the "
                                                  "count of violated margins",
                                                  MatMul(1 / N, Transpose(X_), b.B_ + sympy.HadamardProduct(
                                                      Y_, b.row_sums(b.B_))) + reg)
        else:
            rewritten["no-minus-one"] = (_words("no-minus-one"), MatMul(1 / N, Transpose(X_), b.P_) + reg)
            rewritten["sign-of-correct-class"] = (_words("sign-of-softmax"),
                                                  MatMul(1 / N, Transpose(X_), Y_ - b.P_) + reg)
    return tuple((tag, text, expr) for tag, (text, expr) in rewritten.items())


# --- the loss -----------------------------------------------------------------------------------------

def loss_reference(loss: str, given: Given) -> Reference:
    found = numbers(loss, given)
    value = as_sympy(found.value(found.loss_form()))
    return Reference(f"{loss}.loss", value=value, expr=found.loss_form(),
                     variants=LazyVariants(lambda: _loss_variants(found)))


def _loss_variants(found: BatchNumbers) -> list:
    given, loss = found.given, found.loss
    rewritten, data, penalty = _loss_rewritten(loss, given.reg_form, given.reg != 0)
    variants = [Variant(tag, text, value=as_sympy(found.value(expr))) for tag, text, expr in rewritten]
    if loss == "softmax":
        from decimal import Decimal, localcontext
        data_value = found.value(data)
        penalty_value = found.value(penalty)
        with localcontext() as context:
            context.prec = DIGITS
            penalty_value = Decimal(penalty_value.numerator) / Decimal(penalty_value.denominator) \
                if not isinstance(penalty_value, Decimal) else penalty_value
            variants.append(Variant("log10", "log base 10 was used instead of the natural log",
                                    value=as_sympy(data_value / Decimal(10).ln() + penalty_value)))
            from .softmax import SOFTMAX_LOSS_VARIANTS
            variants.append(Variant("missing-minus", SOFTMAX_LOSS_VARIANTS["missing-minus"][0],
                                    value=as_sympy(-data_value + penalty_value)))
    if loss == "logistic" and all(t in (0, 1) for t in given.y):
        from .logistic_numbers import wrong_target
        other = BatchNumbers(loss, given, flip_targets=True)
        variants.append(Variant("wrong-target", wrong_target(), value=as_sympy(other.value(other.loss_form()))))
    if loss == "svm":
        from .svm import SVM_VARIANTS
        for tag, delta in (("flipped-delta", -given.delta), ("delta-left-out", 0)):
            other = BatchNumbers(loss, given, delta=delta, base=found)
            variants.append(Variant(tag, SVM_VARIANTS[tag][0], value=as_sympy(other.value(other.loss_form()))))
    return variants


@lru_cache(maxsize=16)
def _loss_rewritten(loss: str, reg_form: str, with_reg: bool):
    """((tag, description, form) of each mistaken loss, the data term, the penalty), built once per loss and
    reg_form."""
    from ...engine.matrices import Y_, Hinge, Ones
    from ...engine.notation import K, N
    data, penalty = _data_and_penalty(loss_form(loss, reg_form))
    other_penalty = _data_and_penalty(loss_form(loss, _other(reg_form)))[1]
    rewritten = {"missing-1/N": (_words("missing-1/N-loss"), _times_n(data) + penalty)}
    if with_reg:
        rewritten["other-reg-form"] = (_reg_words(reg_form, "loss"), data + other_penalty)
        rewritten["reg-left-out"] = (_reg_left_out(reg_form), data)
    if loss == "svm":
        from ...losses import batch as b
        kept = MatMul(1 / N, Transpose(Ones(N)), Hinge(b.M_), Ones(K))
        dropped = MatMul(1 / N, Transpose(Ones(N)), sympy.HadamardProduct(b.ones_matrix() - Y_, b.M_), Ones(K))
        from .svm import SVM_VARIANTS
        rewritten["kept-correct-term"] = (_words("kept-correct-term"), kept + penalty)
        rewritten["dropped-max"] = (SVM_VARIANTS["dropped-max"][0], dropped + penalty)
    return tuple((tag, text, expr) for tag, (text, expr) in rewritten.items()), data, penalty


def _times_n(data):
    """The data term (1/N) 1^T A 1 without its 1/N."""
    from ...engine.notation import N
    coefficient, matrices = data.as_coeff_matrices()
    return MatMul(coefficient * N, *matrices)


# --- the scores -----------------------------------------------------------------------------------------

def scores_reference(loss: str, given: Given) -> Reference:
    found = numbers(loss, given)
    value = as_matrix(found.scores())
    return Reference(f"{loss}.scores", value=value, variants=[
        Variant("transposed", _words("scores-transposed"), value=value.T)])


def probabilities_reference(given: Given) -> Reference:
    """softmax.probs of a batch: P, N x K, each row the softmax of that example's scores."""
    from ...losses import batch as b
    found = numbers("softmax", given)
    value = as_matrix(found.value(b.P_))
    return Reference("softmax.probs", value=value, variants=[
        Variant("transposed", _words("probabilities-transposed"), value=value.T)])


__all__ = ["numbers", "dW_reference", "loss_reference", "scores_reference", "probabilities_reference"]
