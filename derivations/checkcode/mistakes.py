"""The catalogue of mistakes: the verified matrix forms rewritten as a student's code gets them wrong.

The loss of a batch and its gradient are, as :func:`derivations.losses.batch.matrix_form`
verifies them,

    L  = (data term, with its 1/N) + lambda sum W^2     (or (1/2) lambda sum W^2 under reg_form half)
    dW = (data gradient, with its 1/N) + 2 lambda W     (or lambda W)

and a student's code can get each of the three parts wrong on its own: the data term (a
rewrite of one node of the verified expression: the correct class's term kept, max(0, .)
dropped, the delta_{c,y_n} dropped, a sign, Delta hard-coded, log base 10, ...), the average
(the 1/N missing) and the penalty (missing, halved, doubled, divided by N). The data terms are
evaluated by the same NumPy evaluator as the verified forms (:class:`~derivations.engine.arrays.
ArrayEvaluator`), from the rewritten expression or with a rewritten definition of a named matrix
(M, B, P) or another Delta; two mistakes are numerical rather than algebraic: softmax (and the
logistic loss) without the shift that keeps e^S finite, whose value is not finite wherever e^S
overflows, and 1[M >= 0] for 1[M > 0] (the kink counted), which is a valid subgradient and so is
named as a note, not a mistake. A candidate is one choice for each part; :mod:`.diagnosis` looks
for the candidates that reproduce a student's numbers on every input.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy
from sympy import MatAdd, MatMul, Transpose
from sympy.matrices.expressions.hadamard import HadamardProduct

from ..engine.arrays import ArrayEvaluator
from ..engine.matrices import W_, X_, Y_, Hinge, Ones, Positive, RowLogSumExp, RowSoftmax
from ..engine.notation import D, Delta, K, N, Times, lam, z
from ..engine.steps import Code
from .said import (
    CORRECT_LOG,
    DOUBLED_PENALTY,
    EXP_SCORES,
    FLIPPED_MARGIN,
    LOGISTIC_LIKELIHOOD,
    MARGIN,
    MARGIN_WITHOUT_DELTA,
    ONE_HOT_ENTRY,
    P_J,
    PENALTY,
    QUADRUPLED_GRADIENT,
    REVERSED_MARGIN,
    SIGMA,
    VIOLATED,
    VIOLATED_OR_TIED,
    i,
    number,
    plain,
    t,
    x_i,
)
from .said import hinge as hinge_of
from .said import j as class_j
from .said import y as label_y

REG_FORMS = ("full", "half")


@dataclass(frozen=True)
class Mistake:
    """One mistake: its tag, the part it is in (loss or dW) and a TA's words for it."""

    tag: str
    part: str                 # "loss" or "dW"
    said: object              # a TA's words: a string, or a tuple of words and formulas (see .said)
    valid: bool = False       # a valid alternative (named as a note): the kink counted

    @property
    def words(self) -> str:
        """The words as a terminal, JSON and Gradescope show them."""
        return plain(self.said)


@dataclass(frozen=True)
class RegOption:
    """A penalty as code writes it: coefficient (of lambda sum W^2 in the loss, of lambda W in dW), over N or not."""

    key: str
    factor: float
    over_n: bool = False

    def coefficient(self, reg: float, n: int) -> float:
        return reg * self.factor / (n if self.over_n else 1)


LOSS_REG = (RegOption("λ", 1.0), RegOption("½λ", 0.5), RegOption("none", 0.0), RegOption("2λ", 2.0),
            RegOption("λ/N", 1.0, True), RegOption("½λ/N", 0.5, True))
DW_REG = (RegOption("2λ", 2.0), RegOption("λ", 1.0), RegOption("none", 0.0), RegOption("2λ/N", 2.0, True),
          RegOption("λ/N", 1.0, True), RegOption("4λ", 4.0))
#: the correct penalty of each reg_form, in the loss and in dW
CORRECT_REG = {"full": ("λ", "2λ"), "half": ("½λ", "λ")}
_PENALTY_WORDS = PENALTY


def reg_mistake(part: str, key: str, reg_form: str, auto: bool = False) -> Mistake | None:
    """The mistake a penalty ``key`` is under ``reg_form`` (None when it is the correct one); with ``auto``,
    ``reg_form`` is the convention the other part of the function uses."""
    loss_words, grad_words = _PENALTY_WORDS[reg_form]
    index = 0 if part == "loss" else 1
    if key == CORRECT_REG[reg_form][index]:
        return None
    other = "half" if reg_form == "full" else "full"
    if part == "loss":
        if key == "none":
            return Mistake("loss-reg-missing", part, ("the loss leaves out the regulariser ", loss_words))
        if key == CORRECT_REG[other][0] and auto:
            return Mistake("loss-reg-form", part, ("the loss adds ", _PENALTY_WORDS[other][0], " but dW adds ",
                           grad_words, ", the gradient of ", loss_words, ": the loss and dW must use one convention"))
        if key == CORRECT_REG[other][0]:
            return Mistake("loss-reg-form", part, ("the loss adds ", _PENALTY_WORDS[other][0], "; with ",
                           Code(f"--reg-form {reg_form}"), " the regulariser is ", loss_words))
        if key in ("λ/N", "½λ/N"):
            return Mistake("loss-reg-over-N", part, ("the loss's regulariser is divided by ", N, " with the data "
                           "loss (add it after averaging)"))
        return Mistake("loss-reg-doubled", part, ("the loss adds ", DOUBLED_PENALTY, " (the gradient's factor 2 put "
                       "in the loss); the regulariser is ", loss_words))
    if key == "none":
        return Mistake("dW-reg-missing", part, ("dW leaves out the regulariser's gradient ", grad_words))
    if key == CORRECT_REG[other][1] and auto:
        return Mistake("dW-reg-form", part, ("dW adds ", _PENALTY_WORDS[other][1], ", the gradient of ",
                       _PENALTY_WORDS[other][0], ", but the loss adds ", loss_words, ", whose gradient is ", grad_words,
                       ": the loss and dW must use one convention"))
    if key == CORRECT_REG[other][1]:
        return Mistake("dW-reg-form", part, ("dW adds ", _PENALTY_WORDS[other][1], ", the gradient of ",
                       _PENALTY_WORDS[other][0], "; the gradient of ", loss_words, " is ", grad_words))
    if key in ("2λ/N", "λ/N"):
        return Mistake("dW-reg-over-N", part, ("dW's regulariser term is divided by ", N, " with the data "
                       "gradient (add it after averaging)"))
    return Mistake("dW-reg-doubled", part, ("dW adds ", QUADRUPLED_GRADIENT, "; the gradient of ", loss_words, " is ",
                   grad_words))


MISSING_MEAN = {
    "loss": Mistake("loss-missing-1/N", "loss", ("the data loss is summed, not averaged: the ", 1 / N, " is missing")),
    "dW": Mistake("dW-missing-1/N", "dW", ("the data gradient is summed, not averaged: the ", 1 / N, " is missing")),
}
TRANSPOSED = Mistake("dW-transposed", "dW", ("dW is transposed: it must have W's shape (", Times(D, K), "), one "
                                              "column per class"))


# --- the data terms -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DataVariant:
    """A data term (with its 1/N) as rewritten: the expression, and what else changes to evaluate it."""

    mistakes: tuple                      # Mistake, ... (empty for the verified term)
    expr: object
    named: tuple | None = None           # other definitions of the named matrices
    delta: object = None                 # "flip", "zero", "one" or a number: another Delta
    overflow: bool = False               # e^S (or e^-z) evaluated without the shift: not finite where it overflows
    stale: str | None = None             # "first" or "last": what X_stale and Y_stale hold (a stale loop index)


#: a stale loop index: every row of X_stale is one example's x (the first or the last), every row of Y_stale
#: one-hot at one class (the first or the last)
X_STALE = sympy.MatrixSymbol("X_stale", N, D)
Y_STALE = sympy.MatrixSymbol("Y_stale", N, K)
_WHICH = {"last": ("the last", N - 1, K - 1), "first": ("the first", sympy.Integer(0), sympy.Integer(0))}


def _stale_example(part_expr, which, after):
    """The data gradient with X^T read as X_stale^T: every example's score gradient times one example's x."""
    words, index, _ = _WHICH[which]
    return DataVariant((Mistake(f"dW-stale-example-{which}", "dW", (f"dW multiplies every example's score gradient "
                                f"by {words} example's input (a stale loop index: ", x_i, " with ", sympy.Eq(i, index),
                                " left from the loop", after, ")")),),
                       part_expr.xreplace({Transpose(X_): Transpose(X_STALE)}), stale=which)


def _stale_class(expr, which, what):
    words, _, index = _WHICH[which]
    return DataVariant((Mistake(f"dW-correct-class-{which}-column", "dW", (*what, f" goes to {words} class's column "
                                "(a stale loop variable ", sympy.Eq(class_j, index), " left from the loop), not to "
                                "column ", label_y)),), expr, stale=which)


def _split(expr):
    """(data term, penalty term) of a verified loss or gradient: the penalty reads W and nothing named."""
    data, penalty = [], []
    for term in expr.args:
        reads = term.atoms(sympy.MatrixSymbol)
        (penalty if reads <= {W_} or reads == {sympy.MatrixSymbol("w", D, 1)} else data).append(term)
    if len(data) != 1 or len(penalty) != 1:
        raise ValueError(f"cannot split {expr} into a data term and a penalty")
    return data[0], penalty[0]


def _find(expr, kind, predicate=lambda node: True):
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, kind) and predicate(node):
            return node
    raise ValueError(f"no {kind.__name__} in {expr}")


def _with_named(named, symbol_name, definition):
    return tuple((s, definition if s.name == symbol_name else d) for s, d in named)


def _svm_variants(form):
    data_loss, _ = _split(form.loss)
    data_grad, _ = _split(form.dW)
    named = tuple(form.named)
    M_ = next(s for s, _ in named if s.name == "M")
    B_ = next(s for s, _ in named if s.name == "B")
    S_ = next(s for s, _ in named if s.name == "S")
    definition = dict(named)
    masked = _find(data_loss, HadamardProduct, lambda node: any(isinstance(a, Hinge) for a in node.args))
    hinge = _find(masked, Hinge)
    reversed_m = _with_named(named, "M", definition[M_].xreplace({S_: -S_}))
    everyone = _with_named(named, "B", definition[B_].xreplace({Positive(M_): Ones(N) * Transpose(Ones(K))}))
    # 1[M >= 0] = 1 - 1[-M > 0]: the kink counted, written with the nodes the evaluator knows
    at_least = _with_named(named, "B", definition[B_].xreplace(
        {Positive(M_): MatAdd(MatMul(Ones(N), Transpose(Ones(K))), -Positive(-M_))}))
    inner = _find(data_grad, MatAdd)                           # B - (B 1 1^T) ∘ Y
    counts = _find(inner, HadamardProduct)                     # (B 1 1^T) ∘ Y
    row_sums = next(a for a in counts.args if a != Y_)
    words = {
        "kept-correct-term": ("the correct class's margin is counted: the sum over ", class_j, " includes ",
                              sympy.Eq(class_j, label_y), ", which adds ", Delta, " for every example"),
        "dropped-max": (hinge_of(MARGIN), " is missing: negative margins are added instead of clipped at 0"),
        "flipped-delta": (Delta, "'s sign is flipped: the margin is ", FLIPPED_MARGIN),
        "reversed-margin": ("the margin is reversed: ", REVERSED_MARGIN, " instead of ", MARGIN),
        "delta-left-out": (Delta, " is left out of the margin: ", MARGIN_WITHOUT_DELTA),
        "delta-hard-coded": (sympy.Eq(Delta, 1), " is hard-coded: the function ignores its delta argument"),
    }
    grad_words = {
        "dropped-delta": ("the correct class's column subtracts ", x_i, " for every class's violations, not only "
                          "for the example's own label (the ", ONE_HOT_ENTRY, " is dropped)"),
        "sign-of-correct-class": ("the correct class's column adds ", x_i, " for each violated margin; it must "
                                  "subtract it"),
        "correct-class-zero": ("the correct class's column is never updated: it must subtract ", x_i, " once for "
                               "each violated margin"),
        "sign-flipped": ("the two updates are swapped: the violated class's column gets ", -x_i, " and the correct "
                         "class's ", x_i, " (the gradient's sign is flipped)"),
        "correct-class-counted": ("the correct class is counted among the violated margins (its margin is ",
                                  sympy.Gt(Delta, 0), "), so its column subtracts ", x_i, " once too often"),
        "dropped-indicator": ("every incorrect class's column gets ", x_i, ", violated or not: the indicator ",
                              VIOLATED, " is missing"),
        "reversed-margin": ("the gradient follows the reversed margin ", REVERSED_MARGIN),
        "flipped-delta": ("the gradient uses the margin ", FLIPPED_MARGIN, " (", Delta, "'s sign flipped)"),
        "delta-left-out": ("the gradient's margin leaves out ", Delta, ": ", MARGIN_WITHOUT_DELTA),
        "delta-hard-coded": ("the gradient's ", sympy.Eq(Delta, 1), " is hard-coded: the function ignores its delta "
                             "argument"),
    }

    def loss_m(tag):
        return (Mistake(f"loss-{tag}", "loss", words[tag]),)

    def grad_m(tag):
        return (Mistake(f"dW-{tag}", "dW", grad_words[tag]),)

    loss = [
        DataVariant((), data_loss),
        DataVariant(loss_m("kept-correct-term"), data_loss.xreplace({masked: hinge})),
        DataVariant(loss_m("dropped-max"), data_loss.xreplace({hinge: hinge.matrix})),
        DataVariant(loss_m("flipped-delta"), data_loss, delta="flip"),
        DataVariant(loss_m("reversed-margin"), data_loss, named=reversed_m),
        DataVariant(loss_m("delta-left-out"), data_loss, delta="zero"),
        DataVariant(loss_m("delta-hard-coded"), data_loss, delta="one"),
    ]
    others = [
        ("dropped-delta", data_grad.xreplace({counts: row_sums}), None, None),
        ("sign-of-correct-class", data_grad.xreplace({inner: MatAdd(*[-a if a.has(Y_) else a for a in inner.args])}),
         None, None),
        ("correct-class-zero", data_grad.xreplace({inner: B_}), None, None),
        ("sign-flipped", -data_grad, None, None),
        ("correct-class-counted", data_grad.xreplace({inner: MatAdd(inner, -Y_)}), None, None),
        ("dropped-indicator", data_grad, everyone, None),
        ("reversed-margin", data_grad, reversed_m, None),
        ("flipped-delta", data_grad, None, "flip"),
        ("delta-left-out", data_grad, None, "zero"),
        ("delta-hard-coded", data_grad, None, "one"),
    ]
    kink = Mistake("dW-kink-counted", "dW", ("a margin of exactly 0 counts as violated (", VIOLATED_OR_TIED,
                                            "): a valid subgradient, since the hinge has no derivative there"),
                   valid=True)
    at_least_b = dict(at_least)[B_]

    def counted(other_named):
        return _with_named(other_named or named, "B", at_least_b)

    grad = [DataVariant((), data_grad), DataVariant((kink,), data_grad, named=at_least)]
    for tag, expr, other_named, delta in others:
        grad.append(DataVariant(grad_m(tag), expr, named=other_named, delta=delta))
        if other_named is not everyone:                 # without the indicator, the kink changes nothing
            grad.append(DataVariant(grad_m(tag) + (kink,), expr, named=counted(other_named), delta=delta))
    stale = []
    for which in ("last", "first"):
        stale.append(_stale_example(data_grad, which, ""))
        stale.append(_stale_class(data_grad.xreplace({counts: HadamardProduct(row_sums, Y_STALE)}), which,
                                  ("the correct class's update (", -x_i, " for each violated margin)")))
    for variant in stale:
        grad += [variant, DataVariant(variant.mistakes + (kink,), variant.expr, named=at_least, stale=variant.stale)]
    return loss, grad


def _softmax_variants(form):
    data_loss, _ = _split(form.loss)
    data_grad, _ = _split(form.dW)
    named = tuple(form.named)
    S_ = next(s for s, _ in named if s.name == "S")
    P_ = next(s for s, _ in named if s.name == "P")
    lse = _find(data_loss, RowLogSumExp)
    by_column = MatMul(HadamardProduct(Y_, MatMul(Ones(N), Transpose(RowLogSumExp(Transpose(S_))))), Ones(K))
    column_p = _with_named(named, "P", Transpose(RowSoftmax(Transpose(S_))))
    inner = _find(data_grad, MatAdd)                            # P - Y
    loss = [
        DataVariant((), data_loss),
        DataVariant((Mistake("loss-log10", "loss", ("the loss uses log base 10 (", Code("np.log10"), "): the "
                             "cross-entropy is the natural log, ", CORRECT_LOG)),), MatMul(1 / sympy.log(10), data_loss)),
        DataVariant((Mistake("loss-sign", "loss", ("the loss's sign is flipped: it adds ", -CORRECT_LOG, "; the loss "
                             "is ", CORRECT_LOG)),), -data_loss),
        DataVariant((Mistake("loss-no-max-shift", "loss", ("the scores are exponentiated without subtracting each "
                             "row's maximum: ", EXP_SCORES, " overflows for large scores and the loss is not a number")),),
                    data_loss, overflow=True),
        DataVariant((Mistake("loss-normalised-over-examples", "loss", "the probabilities are normalised over the "
                             "examples (axis 0), not over the classes of each example (axis 1)"),),
                    data_loss.xreplace({lse: by_column})),
    ]
    grad = [
        DataVariant((), data_grad),
        DataVariant((Mistake("dW-no-minus-one", "dW", ("the correct class's ", -1, " is missing: the gradient of "
                             "the scores is ", P_J - ONE_HOT_ENTRY, ", not ", P_J)),), data_grad.xreplace({inner: P_})),
        DataVariant((Mistake("dW-sign-flipped", "dW", ("the gradient's sign is flipped: ", ONE_HOT_ENTRY - P_J,
                             " instead of ", P_J - ONE_HOT_ENTRY)),), -data_grad),
        DataVariant((Mistake("dW-wrong-class", "dW", ("the ", -x_i, " meant for the correct class is subtracted from "
                             "every class's column")),),
                    data_grad.xreplace({inner: MatAdd(P_, -Ones(N) * Transpose(Ones(K)))})),
        DataVariant((Mistake("dW-no-max-shift", "dW", ("the scores are exponentiated without subtracting each row's "
                             "maximum: ", EXP_SCORES, " overflows for large scores and dW is not a number")),), data_grad,
                    overflow=True),
        DataVariant((Mistake("dW-normalised-over-examples", "dW", "the probabilities are normalised over the "
                             "examples (axis 0), not over the classes of each example (axis 1)"),), data_grad,
                    named=column_p),
    ]
    for which in ("last", "first"):
        grad.append(_stale_example(data_grad, which, ""))
        grad.append(_stale_class(data_grad.xreplace({inner: MatAdd(P_, -Y_STALE)}), which,
                                 ("the correct class's ", -x_i)))
    return loss, grad


def _logistic_variants(form):
    data_loss, _ = _split(form.loss)
    data_grad, _ = _split(form.dW)
    loss = [
        DataVariant((), data_loss),
        DataVariant((Mistake("loss-log10", "loss", ("the loss uses log base 10 (", Code("np.log10"), "): the "
                             "cross-entropy is the natural log")),), MatMul(1 / sympy.log(10), data_loss)),
        DataVariant((Mistake("loss-sign", "loss", ("the loss's sign is flipped: it adds ", LOGISTIC_LIKELIHOOD,
                             " instead of subtracting it")),), -data_loss),
        DataVariant((Mistake("loss-unstable", "loss", (sympy.log(SIGMA), " and ", sympy.log(1 - SIGMA), " are taken "
                             "of a ", SIGMA, " that rounds to exactly 0 or 1 for large ", sympy.Abs(z), ": the loss is "
                             "not a number (use ", Code("np.logaddexp"), ")")),),
                    data_loss, overflow=True),
    ]
    grad = [
        DataVariant((), data_grad),
        DataVariant((Mistake("dW-sign-flipped", "dW", ("the gradient's sign is flipped: ", t - SIGMA, " instead of ",
                             SIGMA - t)),), -data_grad),
    ]
    grad += [_stale_example(data_grad, which, "") for which in ("last", "first")]
    return loss, grad


def hard_coded_delta(loss: str, value: float, delta: float) -> tuple:
    """(loss variants, gradient variants) of an SVM whose code has Delta = ``value`` where it must be ``delta``."""
    loss_variants, grad_variants, _ = variants(loss)
    words = (sympy.Eq(Delta, number(value)), " in the code; the margin must be ", sympy.Eq(Delta, number(delta)))
    data_loss, data_grad = loss_variants[0], grad_variants[0]
    kink = grad_variants[1]
    return ((DataVariant((Mistake("loss-delta-hard-coded", "loss", words),), data_loss.expr, delta=float(value)),),
            (DataVariant((Mistake("dW-delta-hard-coded", "dW", words),), data_grad.expr, delta=float(value)),
             DataVariant((Mistake("dW-delta-hard-coded", "dW", words),) + kink.mistakes, kink.expr, named=kink.named,
                         delta=float(value))))


@lru_cache(maxsize=8)
def variants(loss: str):
    """(loss data variants, gradient data variants, the verified form) of ``loss``, from the full reg_form's form."""
    if loss == "logistic":
        from ..losses.logistic_batch import matrix_form
        form = matrix_form("full")
    else:
        from ..losses.batch import matrix_form
        form = matrix_form(loss, "full")
    make = {"svm": _svm_variants, "softmax": _softmax_variants, "logistic": _logistic_variants}[loss]
    loss_variants, grad_variants = make(form)
    return tuple(loss_variants), tuple(grad_variants), form


# --- evaluating the catalogue on the inputs -----------------------------------------------------------

@dataclass
class Evaluated:
    """The catalogue's numbers for one input: each data term, and what the penalties are made of."""

    n: int
    reg: float
    weights: np.ndarray               # W (as the input gives it)
    penalty: float                    # sum W^2
    loss_terms: list                  # per loss DataVariant: a float
    grad_terms: list                  # per gradient DataVariant: an array with W's shape


def _one_hot(labels, classes):
    found = np.zeros((labels.shape[0], classes))
    found[np.arange(labels.shape[0]), labels] = 1.0
    return found


def _overflows(loss: str, scores) -> bool:
    """Whether the unshifted form overflows for these scores (softmax's e^S, the logistic's sigma(z) at 0 or 1)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        if loss == "softmax":
            exps = np.exp(scores)
            sums = exps.sum(axis=1)
            return bool(np.any(~np.isfinite(sums)) or np.any(sums == 0))
        sigma = 1.0 / (1.0 + np.exp(-scores))
        return bool(np.any((sigma == 0) | (sigma == 1)))


def evaluate(loss: str, test_input, loss_variants=None, grad_variants=None) -> Evaluated:
    """Every data term of the catalogue at ``test_input`` (or of the variants given)."""
    all_loss, all_grad, form = variants(loss)
    loss_variants = all_loss if loss_variants is None else loss_variants
    grad_variants = all_grad if grad_variants is None else grad_variants
    X = np.asarray(test_input.X, dtype=float)
    n, d = X.shape
    if loss == "logistic":
        w_, t_ = form.inputs[1], form.inputs[2]
        arrays = {X_: X, w_: np.asarray(test_input.W, dtype=float).reshape(-1, 1),
                  t_: np.asarray(test_input.y, dtype=float).reshape(-1, 1)}
        scalars = {N: n, D: d, lam: 0.0}
    else:
        k = test_input.W.shape[1]
        arrays = {X_: X, W_: np.asarray(test_input.W, dtype=float), Y_: _one_hot(test_input.y, k)}
        scalars = {N: n, D: d, K: k, lam: 0.0, Delta: float(test_input.delta or 0.0)}
    deltas = {None: test_input.delta, "flip": -(test_input.delta or 0.0), "zero": 0.0, "one": 1.0}
    evaluators: dict = {}

    def evaluator(variant):
        key = (variant.named, variant.delta, variant.stale)
        if key not in evaluators:
            values = dict(scalars)
            if loss == "svm":
                values[Delta] = float(deltas[variant.delta] if isinstance(variant.delta, (str, type(None)))
                                      else variant.delta)
            given = dict(arrays)
            if variant.stale is not None:
                row = 0 if variant.stale == "first" else n - 1
                given[X_STALE] = np.broadcast_to(X[row], X.shape)
                if loss != "logistic":
                    given[Y_STALE] = _one_hot(np.full(n, 0 if variant.stale == "first" else k - 1), k)
            evaluators[key] = ArrayEvaluator(given, values, variant.named or form.named)
        return evaluators[key]

    base = evaluator(DataVariant((), None))
    scores = np.asarray(base.value(form.named[0][0]), dtype=float)
    overflow = _overflows(loss, scores) if loss != "svm" else False
    shape = np.shape(test_input.W)
    with np.errstate(over="ignore", invalid="ignore"):
        loss_terms = [float("nan") if v.overflow and overflow else float(evaluator(v).value(v.expr))
                      for v in loss_variants]
        grad_terms = []
        for v in grad_variants:
            value = np.asarray(evaluator(v).value(v.expr), dtype=float).reshape(shape)
            grad_terms.append(np.full(shape, np.nan) if v.overflow and overflow else value)
    weights = np.asarray(test_input.W, dtype=float)
    return Evaluated(n, float(test_input.reg), weights, float(np.sum(weights * weights)), loss_terms, grad_terms)


def reference(loss: str, test_input, reg_form: str, evaluated: Evaluated | None = None):
    """(loss, dW) of the verified forms under ``reg_form``: the catalogue's candidate without a mistake."""
    found = evaluated or evaluate(loss, test_input)
    loss_key, grad_key = CORRECT_REG[reg_form]
    loss_option = next(o for o in LOSS_REG if o.key == loss_key)
    grad_option = next(o for o in DW_REG if o.key == grad_key)
    value = found.loss_terms[0] + loss_option.coefficient(found.reg, found.n) * found.penalty
    gradient = found.grad_terms[0] + grad_option.coefficient(found.reg, found.n) * found.weights
    return value, gradient


__all__ = ["Mistake", "RegOption", "DataVariant", "X_STALE", "Y_STALE", "hard_coded_delta", "Evaluated", "LOSS_REG", "DW_REG", "CORRECT_REG", "MISSING_MEAN",
           "TRANSPOSED", "reg_mistake", "variants", "evaluate", "reference", "REG_FORMS"]
