"""A whole batch, regularised: the gradient with respect to W in index form, then in matrix form (seed 002).

    L = (1/N) sum_n L_n + lambda sum_k sum_l W_kl^2          (reg_form="full": gradient 2 lambda W)
    L = (1/N) sum_n L_n + (1/2) lambda sum_k sum_l W_kl^2    (reg_form="half": gradient lambda W)

X is N x D (example n is row n), W is D x K, S = X W, y_n the label of example n,
Y the one-hot labels (Y_nc = 1 when c = y_n). For the SVM, L_n is the hinge loss
of example n and

    beta_nj = 1[S_nj - S_{n,y_n} + Delta > 0] for j != y_n,   beta_{n,y_n} = 0,
    dL/dW_dc = (1/N) sum_n (beta_nc - delta_{c,y_n} sum_j beta_nj) X_nd + 2 lambda W_dc,
    dL/dW = (1/N) X^T (B - Y ∘ (B 1_K 1_K^T)) + 2 lambda W;

for softmax, L_n = -log P_{n,y_n} with P = softmax(S) row by row and dL/dW = (1/N) X^T (P - Y) + 2 lambda W.
Every step is verified with N, D and K set to small sizes and the labels to
classes that make c = y_n hold for some examples and not for others, at points
on both sides of every kink. The matrix-form results are data
(:func:`matrix_form`), evaluated at scale with NumPy by :mod:`.batch_numbers`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import (
    Dummy,
    Eq,
    IndexedBase,
    Integer,
    KroneckerDelta,
    MatMul,
    Max,
    Rational,
    Sum,
    Symbol,
    Transpose,
    exp,
    log,
)
from sympy.matrices.expressions.hadamard import HadamardProduct
from sympy.matrices.expressions.matexpr import MatrixElement

from ..engine import rules as R
from ..engine.build import Builder, note, sentence
from ..engine.differentiate import d
from ..engine.inputs import InputError
from ..engine.matrices import (
    S_,
    W_,
    X_,
    Y_,
    Gradient,
    Hinge,
    Ones,
    Positive,
    RowLogSumExp,
    RowSoftmax,
    named,
)
from ..engine.notation import (
    D,
    Delta,
    K,
    N,
    S,
    SumExcept,
    Times,
    W,
    X,
    c,
    example,
    feature,
    j,
    labels,
    lam,
)
from ..engine.steps import Code, Derivation, Result, Section, Step
from ..engine.verify import Verifier
from ..report import Report
from .regulariser import k_, l_, reg_gradient, regulariser

TITLES = {"svm": "Gradient of the regularised multiclass SVM loss of a batch with respect to the weights",
          "softmax": "Gradient of the regularised softmax loss of a batch with respect to the weights"}
COMMANDS = {"svm": "svm-grad", "softmax": "softmax-grad"}
REG_FORMS = ("full", "half")
#: the largest regularisation strength accepted (--reg): far beyond any useful one (CS231n sweeps reach 5e4),
#: and small enough that lambda sum W^2 of ordinary weights stays well inside float64
MAX_REG = 1e10

#: beta_nj (the SVM's indicator matrix B), P_nj (the softmax probabilities P), the per-example losses L_n
BETA = IndexedBase("beta", real=True)
PROB = IndexedBase("P", positive=True)
EXAMPLE_LOSS = IndexedBase("L")          # no assumptions: its label is not the objective L
#: the objective of the batch
OBJECTIVE = Symbol("L", real=True)
_u = Symbol("u", real=True)
_y_i = Symbol("y_i", integer=True)

B_ = named("B", N, K, lambda i, j_: BETA[i, j_])
P_ = named("P", N, K, lambda i, j_: PROB[i, j_])
#: the margins S_nj - S_{n,y_n} + Delta as a matrix
M_ = named("M", N, K, lambda i, j_: margin(i, j_))

#: bound indices of the definitions as the verifier puts them in (never the free d, c, n of a step)
_Q, _R = Dummy("d", integer=True), Dummy("m", integer=True)


# --- the objective as encoded -----------------------------------------------------------------------

def margin(n, j_):
    """S_nj - S_{n,y_n} + Delta."""
    return S[n, j_] - S[n, labels[n]] + Delta


def example_loss(loss: str, n):
    """L_n: sum_{j != y_n} max(0, S_nj - S_{n,y_n} + Delta), or -log P_{n,y_n}."""
    if loss == "svm":
        return SumExcept(Max(0, margin(n, j), evaluate=False), j, labels[n])
    return -log(PROB[n, labels[n]])


def objective(reg_form: str):
    """(1/N) sum_n L_n + the regulariser."""
    return Sum(EXAMPLE_LOSS[example], (example, 0, N - 1)) / N + regulariser(reg_form)


def beta_definition(n, j_):
    """beta_nj = (1 - delta_{j,y_n}) 1[S_nj - S_{n,y_n} + Delta > 0]: 0 for the correct class."""
    return (1 - KroneckerDelta(j_, labels[n])) * sympy.Heaviside(margin(n, j_), 0)


def probability_definition(n, j_):
    """P_nj = e^{S_nj} / sum_m e^{S_nm}."""
    return exp(S[n, j_]) / Sum(exp(S[n, _R]), (_R, 0, K - 1))


def definitions(loss: str, reg_form: str) -> dict:
    """Every name, as the verifier puts it in: L, L_n, S_nj, beta_nj / P_nj."""
    names = {
        OBJECTIVE: objective(reg_form),
        EXAMPLE_LOSS: lambda n: example_loss(loss, n),
        S: lambda n, j_: Sum(X[n, _Q] * W[_Q, j_], (_Q, 0, D - 1)),
    }
    names[BETA if loss == "svm" else PROB] = beta_definition if loss == "svm" else probability_definition
    return names


# --- the matrix forms ------------------------------------------------------------------------------

def ones_matrix():
    """1_N 1_K^T, the N x K matrix of ones."""
    return MatMul(Ones(N), Transpose(Ones(K)))


def margins_matrix():
    """M = S - (S ∘ Y) 1_K 1_K^T + Delta 1_N 1_K^T: entry (n, j) is S_nj - S_{n,y_n} + Delta."""
    return S_ - MatMul(HadamardProduct(S_, Y_), Ones(K), Transpose(Ones(K))) + Delta * ones_matrix()


def beta_matrix():
    """B = (1_N 1_K^T - Y) ∘ 1[M > 0]."""
    return HadamardProduct(ones_matrix() - Y_, Positive(M_))


def row_sums(matrix):
    """matrix 1_K 1_K^T: each row's sum, in every column of that row."""
    return MatMul(matrix, Ones(K), Transpose(Ones(K)))


def data_gradient(loss: str):
    """(1/N) X^T (B - Y ∘ (B 1_K 1_K^T)), or (1/N) X^T (P - Y)."""
    if loss == "svm":
        return MatMul(1 / N, Transpose(X_), B_ - HadamardProduct(Y_, row_sums(B_)))
    return MatMul(1 / N, Transpose(X_), P_ - Y_)


def reg_matrix(reg_form: str):
    return (2 * lam if reg_form == "full" else lam) * W_


def gradient_matrix(loss: str, reg_form: str):
    """dL/dW in matrix form."""
    return data_gradient(loss) + reg_matrix(reg_form)


def loss_matrix(loss: str, reg_form: str):
    """L in matrix form (a 1 x 1 matrix expression)."""
    weight = lam if reg_form == "full" else Rational(1, 2) * lam
    penalty = weight * MatMul(Transpose(Ones(D)), HadamardProduct(W_, W_), Ones(K))
    if loss == "svm":
        data = MatMul(1 / N, Transpose(Ones(N)), HadamardProduct(ones_matrix() - Y_, Hinge(M_)), Ones(K))
    else:
        data = MatMul(1 / N, Transpose(Ones(N)), RowLogSumExp(S_) - MatMul(HadamardProduct(S_, Y_), Ones(K)))
    return data + penalty


@dataclass(frozen=True)
class MatrixForm:
    """The verified matrix-form results of a batch derivation, as SymPy matrix expressions.

    ``dW`` and ``loss`` are in X (N x D), W (D x K), Y (N x K, one-hot labels), the named
    matrices of ``named`` (S = X W, the margins M, B for the SVM; S and P for softmax;
    each defined by a matrix expression, in the order given), N, lambda and (SVM) Delta.
    """

    loss_name: str
    reg_form: str
    dW: sympy.MatrixExpr
    loss: sympy.MatrixExpr
    named: tuple             # ((MatrixSymbol, its definition), ...) in order of dependence
    inputs: tuple            # the given matrices: X, W, Y
    scalars: tuple           # N, lambda, (Delta)


def named_matrices(loss: str) -> tuple:
    if loss == "svm":
        return ((S_, MatMul(X_, W_)), (M_, margins_matrix()), (B_, beta_matrix()))
    return ((S_, MatMul(X_, W_)), (P_, RowSoftmax(S_)))


@lru_cache(maxsize=8)
def matrix_form(loss: str = "svm", reg_form: str = "full") -> MatrixForm:
    """The matrix forms of the batch derivation, every step behind them verified (the derivation is built)."""
    derivation = gradient(loss, reg_form=reg_form)
    return derivation.matrix_form


# --- the derivation ----------------------------------------------------------------------------------

#: the default batch: three examples of two features, one of each class, and the weights that score the first
#: example 3, -1, 4 (the homework's scores); the correct classes are 0, 1, 2
DEFAULT_BATCH = {"X": [[1, 2], [2, -1], [0, 1]], "y": [0, 1, 2], "W": [[1, 1, 2], [1, -1, 1]]}


def gradient(loss: str = "svm", delta=1, reg=None, reg_form: str = "full", data=None, example=False) -> Derivation:
    """The batch derivation and its numbers: for ``data`` (a file or a mapping holding X, y and W) when given,
    else for :data:`DEFAULT_BATCH` (N = 3, D = 2, K = 3);
    ``example=True`` (what the command does unless ``--no-example``) works that example when no numbers are given.

    >>> g = gradient("softmax", reg_form="half")
    >>> from derivations.report.printing import text
    >>> text(g.results["dW"].expr)
    '(1/N)·Xᵀ (P - Y) + λ·W'
    """
    from ..engine.inputs import number
    if loss not in TITLES:
        raise ValueError(f"loss must be 'svm' or 'softmax', not {loss!r}")
    if reg_form not in REG_FORMS:
        raise InputError(f"--reg-form must be full (lambda sum W^2, gradient 2 lambda W) or half "
                         f"((1/2) lambda sum W^2, gradient lambda W), not {reg_form!r}")
    delta_value = number(delta, "delta")
    reg_value = None if reg is None else number(reg, "lambda (--reg)")
    if reg_value is not None and reg_value < 0:
        raise InputError(f"lambda (--reg) must be >= 0, not {reg}: a negative penalty rewards large weights")
    if reg_value is not None and reg_value > MAX_REG:
        raise InputError(f"lambda (--reg) is at most {MAX_REG:.0e}, not {reg}")
    batch = None
    if data is not None or example:
        from .batch_numbers import read_batch
        batch = read_batch(data if data is not None else DEFAULT_BATCH)
        if data is None:
            batch.source = None                   # the built-in batch: the report says where it comes from
    parameters = {"wrt": "batch", "reg_form": reg_form}
    if reg_value is not None:
        parameters["reg"] = float(reg_value)
    if loss == "svm":
        parameters["delta"] = float(delta_value)
    derivation = Report(COMMANDS[loss], TITLES[loss], parameters)
    derivation.verification_note = sentence(
        "A step with a symbolic sum was checked by setting the number of classes ", K, " to 2, 3, 4 and 5, the "
        "number of features ", D, " and of examples ", N, " to one and two more, giving the examples labels such "
        "that every class is the label of some example and one class of two, and comparing both sides at random "
        "points" + (" on both sides of every kink" if loss == "svm" else "") + "; a matrix step entry by entry, "
        "for a symbolic entry.")
    builder = Builder(definitions(loss, reg_form))

    derivation.sections.append(_objective_section(builder, loss, reg_form))
    if loss == "svm":
        derivation.sections.append(_beta_section(builder))
    per_example, section = _example_section(builder, loss, delta_value)
    derivation.sections.append(section)
    index_form, section = _index_section(builder, loss, reg_form, per_example)
    derivation.sections.append(section)
    matrix, section = _matrix_section(builder, loss, reg_form, index_form)
    derivation.sections.append(section)
    loss_form, section = _loss_matrix_section(builder, loss, reg_form)
    derivation.sections.append(section)
    if loss == "svm":
        derivation.sections.append(_seed_section(builder, reg_form))

    form = MatrixForm(loss, reg_form, matrix, loss_form, named_matrices(loss), (X_, W_, Y_),
                      (N, lam, Delta) if loss == "svm" else (N, lam))
    derivation.matrix_form = form
    derivation.results["dW_index"] = Result("dW_index", index_form, description="dL/dW_dc in index form")
    derivation.results["dW"] = Result("dW", matrix, description="dL/dW in matrix form (D x K)")
    derivation.results["loss"] = Result("loss", loss_form, description="L in matrix form")
    for name, definition in form.named:
        derivation.results[name.name] = Result(name.name, definition, description=f"{name.name}, as defined")
    if batch is not None:
        from .batch_numbers import worked_numbers
        worked_numbers(derivation, form, batch, delta_value, reg_value if reg_value is not None else Integer(0))
    return derivation


# --- sections -----------------------------------------------------------------------------------------

def _objective_section(builder, loss, reg_form):
    q = feature
    scores = Sum(X[example, q] * W[q, j], (q, 0, D - 1))
    per_example = example_loss(loss, example)
    whole = objective(reg_form)
    blocks = [
        sentence("A batch of ", N, " examples: ", X_, " is ", Times(N, D), " (row ", example, " is the input of "
                 "example ", example, ", ", X[example, feature], " its feature ", feature, "), ", W_, " is ",
                 Times(D, K), ", the labels are ", labels[example], " in 0, ..., ", K - 1, ". The scores ",
                 Eq(S_, MatMul(X_, W_), evaluate=False), " are ", Times(N, K), ":"),
        builder.chain([Step(S[example, j], scores, R.Definition(S[example, j], scores))]),
        builder.claim(S_, MatMul(X_, W_), R.Definition(S_, MatMul(X_, W_))),
    ]
    if loss == "svm":
        blocks.append(sentence("Each example has its hinge loss, over the classes other than its label:"))
    else:
        probability = probability_definition(example, j).xreplace({_R: sympy.Symbol("m", integer=True)})
        blocks += [sentence("Each example has its softmax probabilities and its cross-entropy loss:"),
                   builder.chain([Step(PROB[example, j], probability, R.Definition(PROB[example, j], probability))])]
    blocks += [
        builder.chain([Step(EXAMPLE_LOSS[example], per_example, R.Definition(EXAMPLE_LOSS[example], per_example))]),
        sentence(*(["The objective averages them over the batch and adds the penalty on the weights (with the 1/2 "
                   "that makes its gradient ", lam * W_, "):"] if reg_form == "half" else
                  ["The objective averages them over the batch and adds the penalty on the weights (its gradient is ",
                   2 * lam * W_, "; half the penalty, ", Code("--reg-form half"), ", gives ", lam * W_, "):"])),
        builder.chain([Step(OBJECTIVE, whole, R.Definition(OBJECTIVE, whole))]),
        sentence("The penalty sums the square of every entry of ", W_, ", ", W[feature, c], " for feature ",
                 feature, " and class ", c, "."),
    ]
    return Section("The batch and the objective", blocks)


def _beta_section(builder):
    definition = beta_definition(example, j)
    correct = builder.claim(BETA[example, labels[example]], Integer(0), R.Definition(BETA[example, j], definition))
    count = builder.claim(Sum(BETA[example, j], (j, 0, K - 1)),
                          SumExcept(sympy.Heaviside(margin(example, j), 0), j, labels[example]),
                          R.Definition(BETA[example, j], definition))
    linear = builder.claim(EXAMPLE_LOSS[example], Sum(BETA[example, j] * margin(example, j), (j, 0, K - 1)),
                           R.Definition(BETA[example, j], definition))
    return Section(sentence("The ", B_, " matrix of violated margins"), [
        sentence("Which margins are violated, example by example: for ", sympy.Ne(j, labels[example]), ", ",
                 BETA[example, j], " is 1 when the margin of class ", j, " is positive and 0 when it is not; for the "
                 "label itself it is 0 "
                 "(the correct class has no margin of its own, as code's ", Code("margins[range(N), y] = 0"),
                 " says):"),
        builder.chain([Step(BETA[example, j], definition, R.Definition(BETA[example, j], definition))]),
        correct,
        sentence("So the sum of row ", example, " of ", B_, " counts the violated margins of example ", example, ":"),
        count,
        sentence("and, since ", Eq(Max(0, _u), sympy.Heaviside(_u, 0) * _u, evaluate=False),
                 ", the loss of an example is linear where ", BETA[example, j], " is fixed:"),
        linear,
    ])


def _example_section(builder, loss, delta_value):
    """dL_n/dW_dc, from the one-example derivation (derive ... --wrt weights), written for example n."""
    from . import weights
    one = weights.gradient(loss, delta=delta_value if loss == "svm" else 1, example=False)
    combined = one.results["dw"].expr
    general = for_example(combined, example)
    delta = KroneckerDelta(c, labels[example])
    if loss == "svm":
        recognised = (BETA[example, c] - delta * Sum(BETA[example, j], (j, 0, K - 1))) * X[example, feature]
        rule = R.Definition(BETA[example, j], beta_definition(example, j))
    else:
        recognised = general
        rule = None
    steps = [Step(d(EXAMPLE_LOSS[example], W[feature, c]), general,
                  R.DerivedElsewhere(f"{COMMANDS[loss]} --wrt weights"))]
    if rule is not None:
        steps.append(Step(general, recognised, rule))
    chain = builder.chain(steps)
    blocks = [sentence("The gradient of one example's loss with respect to the weights is derived case by case (",
                       Eq(c, _y_i), " and ", sympy.Ne(c, _y_i), ") and then in one formula in the report on the gradient "
                       "with respect to the weights of one example. Within a batch the case differs from example "
                       "to example (", c, " is the label of some examples and not of others), so it is the one "
                       "formula that is used, written for example ", example, " (its scores ", S[example, j],
                       ", its input ", X[example, feature], ", its label ", labels[example], "):"), chain]
    if loss == "svm":
        blocks.append(sentence("The ", delta, " picks out the examples whose label is ", c, ": only they carry the "
                               "minus count of violated margins."))
    return chain.result, Section("The gradient of each example", blocks)


def for_example(expr, n):
    """A one-example formula written for example n: s_j -> S_nj, x_d -> X_nd, y_i -> y_n, p_j -> P_nj."""
    from ..engine.notation import p, s, x, y
    expr = expr.replace(lambda e: isinstance(e, sympy.Indexed) and e.base == s, lambda e: S[n, e.indices[0]])
    expr = expr.replace(lambda e: isinstance(e, sympy.Indexed) and e.base == x, lambda e: X[n, e.indices[0]])
    expr = expr.replace(lambda e: isinstance(e, sympy.Indexed) and e.base == p, lambda e: PROB[n, e.indices[0]])
    return expr.xreplace({y: labels[n]})


def _index_section(builder, loss, reg_form, per_example):
    variable = W[feature, c]
    whole = objective(reg_form)
    weight = lam if reg_form == "full" else Rational(1, 2) * lam
    average = Sum(d(EXAMPLE_LOSS[example], variable), (example, 0, N - 1)) / N
    square = W[k_, l_] ** 2
    term_by_term = average + weight * Sum(Sum(d(square, variable), (l_, 0, K - 1)), (k_, 0, D - 1))
    powered = average + weight * Sum(Sum(2 * W[k_, l_] * KroneckerDelta(k_, feature) * KroneckerDelta(l_, c),
                                         (l_, 0, K - 1)), (k_, 0, D - 1))
    collapsed = average + reg_gradient(reg_form)
    result = Sum(per_example, (example, 0, N - 1)) / N + reg_gradient(reg_form)
    chain = builder.chain([
        Step(d(OBJECTIVE, variable), d(whole, variable), R.Definition(OBJECTIVE, whole)),
        Step(d(whole, variable), term_by_term, R.SumLinearityRule(EXAMPLE_LOSS[example], example, variable),
             more=(R.SumLinearityRule(square, k_, variable),)),
        Step(term_by_term, powered, R.PowerRule(W[k_, l_], Integer(2), variable),
             more=(R.IndexedVariableRule(W[k_, l_], variable),)),
        Step(powered, collapsed, R.KroneckerCollapse(k_, feature), more=(R.KroneckerCollapse(l_, c),)),
        Step(collapsed, result, R.DerivedAbove((d(EXAMPLE_LOSS[example], variable),))),
    ])
    blocks = [
        sentence("Differentiate the objective with respect to one weight ", variable, ": the average term by term, "
                 "the penalty entry by entry (only ", W[feature, c], " itself holds ", variable, "):"),
        chain,
    ]
    if loss == "svm":
        blocks.append(sentence("Note the ", KroneckerDelta(c, labels[example]), ": dropping it is a common slip "
                               "(see the section Common slips)."))
    return result, Section("The gradient in index form", blocks)


def _matrix_section(builder, loss, reg_form, index_form):
    n, dd, cc = example, feature, c
    XT = Transpose(X_)
    reg = reg_gradient(reg_form)
    if loss == "svm":
        counts = Sum(BETA[n, j], (j, 0, K - 1))
        expanded = (Sum(X[n, dd] * BETA[n, cc], (n, 0, N - 1))
                    - Sum(X[n, dd] * KroneckerDelta(cc, labels[n]) * counts, (n, 0, N - 1))) / N + reg
        entries = (Sum(MatrixElement(XT, dd, n) * MatrixElement(B_, n, cc), (n, 0, N - 1))
                   - Sum(MatrixElement(XT, dd, n) * MatrixElement(Y_, n, cc)
                         * MatrixElement(MatMul(B_, Ones(K)), n, Integer(0)), (n, 0, N - 1))) / N \
            + MatrixElement(reg_matrix(reg_form), dd, cc)
        products = (MatrixElement(MatMul(XT, B_), dd, cc)
                    - MatrixElement(MatMul(XT, HadamardProduct(Y_, row_sums(B_))), dd, cc)) / N \
            + MatrixElement(reg_matrix(reg_form), dd, cc)
        words_entries = ("Write each factor as an entry of a matrix: ", X[n, dd], " is entry ", sympy.Tuple(dd, n),
                         " of ", XT, ", ", BETA[n, cc], " entry ", sympy.Tuple(n, cc), " of ", B_, ", ",
                         KroneckerDelta(cc, labels[n]), " entry ", sympy.Tuple(n, cc), " of the one-hot ", Y_, ", and ",
                         counts, " entry ", n, " of ", MatMul(B_, Ones(K)), " (the row sums of ", B_, "):")
    else:
        expanded = (Sum(X[n, dd] * PROB[n, cc], (n, 0, N - 1))
                    - Sum(X[n, dd] * KroneckerDelta(cc, labels[n]), (n, 0, N - 1))) / N + reg
        entries = (Sum(MatrixElement(XT, dd, n) * MatrixElement(P_, n, cc), (n, 0, N - 1))
                   - Sum(MatrixElement(XT, dd, n) * MatrixElement(Y_, n, cc), (n, 0, N - 1))) / N \
            + MatrixElement(reg_matrix(reg_form), dd, cc)
        products = (MatrixElement(MatMul(XT, P_), dd, cc) - MatrixElement(MatMul(XT, Y_), dd, cc)) / N \
            + MatrixElement(reg_matrix(reg_form), dd, cc)
        words_entries = ("Write each factor as an entry of a matrix: ", X[n, dd], " is entry ", sympy.Tuple(dd, n),
                         " of ", XT, ", ", PROB[n, cc], " entry ", sympy.Tuple(n, cc), " of ", P_, " and ",
                         KroneckerDelta(cc, labels[n]), " entry ", sympy.Tuple(n, cc), " of the one-hot ", Y_, ":")
    matrix = gradient_matrix(loss, reg_form)
    whole = MatrixElement(matrix, dd, cc)
    chain = builder.chain([
        Step(d(OBJECTIVE, W[dd, cc]), index_form, R.DerivedAbove((d(OBJECTIVE, W[dd, cc]),))),
        Step(index_form, expanded, R.Expand()),
        Step(expanded, entries, R.MatrixEntries()),
        Step(entries, products, R.MatrixProductEntry()),
        Step(products, whole, R.MatrixSumEntry()),
    ])
    claim = builder.claim(Gradient(OBJECTIVE, W_), matrix, R.MatrixSumEntry())
    blocks = [
        sentence(*words_entries),
        chain,
        sentence("Entry (", dd, ", ", cc, ") of both sides for every ", dd, " and ", cc, ", so as matrices (",
                 D, " × ", K, ", like W):"),
        claim,
    ]
    if loss == "svm":
        blocks += [
            sentence("B itself is the indicator of the positive margins with the labels' column set to 0, from the "
                     "matrix M of margins:"),
            builder.claim(M_, margins_matrix(), R.Definition(M_, margins_matrix())),
            builder.claim(B_, beta_matrix(), R.Definition(BETA[example, j], beta_definition(example, j))),
            sentence(MatMul(sympy.HadamardProduct(S_, Y_), Ones(K)), " holds each example's correct score, ",
                     MatMul(Ones(K), Transpose(Ones(K))), " repeats a column across the K classes: in NumPy, "
                     "Y * B.sum(axis=1, keepdims=True) is ", sympy.HadamardProduct(Y_, row_sums(B_)), "."),
        ]
    else:
        blocks += [sentence("P is softmax applied to each row of S:"),
                   builder.claim(P_, RowSoftmax(S_), R.Definition(PROB[example, j], probability_definition(
                       example, j)))]
    return matrix, Section("The gradient in matrix form", blocks)


def _loss_matrix_section(builder, loss, reg_form):
    form = loss_matrix(loss, reg_form)
    claim = builder.claim(OBJECTIVE, form, R.MatrixSumEntry())
    if loss == "svm":
        words = ("The loss in the same matrices: ", MatMul(Transpose(Ones(N)), sympy.MatrixSymbol("A", N, K), Ones(K)),
                 " sums every entry of A, and ", ones_matrix() - Y_, " zeroes the labels' column:")
    else:
        words = ("The loss in the same matrices: ", RowLogSumExp(S_), " is the column of ",
                 log(Sum(exp(S[example, sympy.Symbol("m", integer=True)]), (sympy.Symbol("m", integer=True), 0,
                                                                            K - 1))),
                 ", ", MatMul(sympy.HadamardProduct(S_, Y_), Ones(K)), " the column of correct scores, and ",
                 Transpose(Ones(N)), " sums a column:")
    return form, Section("The loss in matrix form", [sentence(*words), claim])


def _seed_section(builder, reg_form):
    """Seed 002's last line, as written, refuted by the verifier with the counterexample it finds."""
    written = seed_final_line()
    found = refute(svm_verifier("full"), written)          # against the seed's own objective, lambda sum W^2
    detail = found.detail if not found.ok else "(not refuted)"
    n = example
    intermediate = BETA[n, c] + KroneckerDelta(c, labels[n]) * (-SumExcept(BETA[n, j], j, labels[n]) - BETA[n, c])
    simplified = BETA[n, c] - Sum(BETA[n, j], (j, 0, K - 1))
    return Section("Common slips", [
        note("A tempting simplification turns ", intermediate, " into ", simplified, ", dropping the ",
             KroneckerDelta(c, labels[n]), ", and writes ", sympy.Eq(d(OBJECTIVE, W[feature, c]), written,
                                                                     evaluate=False),
             ". That is not the gradient: the verifier rejects it", *_counterexample_words(detail), ". The ",
             KroneckerDelta(c, labels[n]), " cannot go: only the examples whose label is ", c,
             " subtract the count of violated margins."),
        note("Other slips the derivation above avoids: defining ", BETA[n, j], " as 1 for a positive margin and 0 "
             "for a negative one without excluding the correct class, which makes ", Eq(BETA[n, labels[n]], 1),
             " (that margin is ", sympy.Gt(Delta, 0), "); indexing the regulariser as ",
             Sum(Sum(W[c, feature] ** 2, (feature, 0, D - 1)), (c, 0, K - 1)), ", which takes ", W_, " as ",
             Times(K, D), ", not ", Times(D, K), "; losing the ", 1 / N, " when summing over the batch; and reading ",
             Sum(BETA[n, j], (j, 0, K - 1)), " as a count over classes for the ", j, "-th sample: it counts the "
             "positive margins of sample ", n, "."),
    ])


def _counterexample_words(detail: str) -> list:
    """Where the verifier found the two sides apart, as words and numbers: the sizes it tried and the two values
    (read from its message; nothing when the message has another form)."""
    import re
    sizes = dict(re.findall(r"'([DKN])': (\d+)", detail))
    values = re.search(r": (-?[\d.e+-]+) vs (-?[\d.e+-]+)\)?$", detail)
    if not sizes or values is None:
        return []
    shown = [Eq(symbol, Integer(int(sizes[symbol.name]))) for symbol in (N, D, K) if symbol.name in sizes]
    words = [": at a random point with "]
    for i, size in enumerate(shown):
        words += [size, ", " if i < len(shown) - 2 else " and " if i == len(shown) - 2 else ""]
    left, right = (sympy.Float(float(v), 4) for v in values.groups())
    return words + [" the two sides are ", left, " and ", right]


def seed_final_line(reg_form="full"):
    """Seed 002's final line, exactly as it writes it: (1/N) sum_n (beta_nc - sum_j beta_nj) x_nd + 2 lambda W_dc."""
    return Sum((BETA[example, c] - Sum(BETA[example, j], (j, 0, K - 1))) * X[example, feature],
               (example, 0, N - 1)) / N + 2 * lam * W[feature, c]


def refute(builder_or_verifier, written, reg_form="full"):
    """The verifier's verdict on ``written`` as dL/dW_dc (a failed Verification names its counterexample)."""
    verifier = getattr(builder_or_verifier, "verifier", builder_or_verifier)
    return verifier.check(d(OBJECTIVE, W[feature, c]), written)


def svm_verifier(reg_form="full") -> Verifier:
    """A verifier that knows the SVM batch's names (for checking a written gradient against the loss)."""
    return Verifier(definitions("svm", reg_form))


__all__ = ["gradient", "matrix_form", "MatrixForm", "definitions", "objective", "gradient_matrix", "loss_matrix",
           "seed_final_line", "refute", "svm_verifier", "for_example", "B_", "P_", "M_", "BETA", "PROB",
           "OBJECTIVE", "EXAMPLE_LOSS", "TITLES"]
