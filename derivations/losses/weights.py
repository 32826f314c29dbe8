"""The SVM and softmax gradients with respect to the weights, for one example (seed 001 part 2, seed 004 parts 2-3).

    s = W^T x,   s_j = w_j^T x = sum_d W_dj x_d,   dL_i/dW_dc = (dL_i/ds_c) x_d,   dW = x (dL_i/ds)^T

W is D x K (column w_j scores class j), x is the input of the example (the
seed's x_i). The route is the seed's: the lemma ds_j/dW_dc = x_d delta_jc
(and d(w^T x)/dw = x component by component), the gradient with respect to
the scores as ``derive svm-grad`` / ``derive softmax-grad`` derive it (their
verified chains, embedded here), the chain rule through the scores, the case
split c = y_i / c != y_i (seed 001's (3) and (4); seed 004's (P_c - 1[c = y_i]) x),
and the vector and matrix forms; with numbers, the scores, the loss and dW
as an exact matrix, checked by finite differences.
"""
from __future__ import annotations

import sympy
from sympy import Eq, ImmutableMatrix, KroneckerDelta, MatMul, Ne, Sum, Transpose

from ..engine import rules as R
from ..engine.build import Builder, note, sentence
from ..engine.differentiate import d
from ..engine.inputs import InputError, label_index, number, number_vector
from ..engine.matrices import W_, Column, Gradient, x_
from ..engine.notation import (
    D,
    Delta,
    K,
    L,
    Times,
    W,
    WeightedScore,
    c,
    feature,
    indicator,
    j,
    k,
    other_feature,
    p,
    s,
    w,
    weighted_score,
    x,
    y,
)
from ..engine.steps import Case, CaseSplit, Code, Derivation, Result, Section, Step
from ..report import Report
from .columns import ONE_HOT, PROBABILITIES, SCORES, WEIGHT_VECTOR

TITLES = {"svm": "Gradient of the multiclass SVM loss with respect to the weights",
          "softmax": "Gradient of the softmax cross-entropy loss with respect to the weights"}
COMMANDS = {"svm": "svm-grad", "softmax": "softmax-grad"}


#: the largest worked example: D features and K classes
MAX_FEATURES = 100
MAX_CLASSES = 100


def score_definitions():
    """s_j and w_j^T x, as the verifier puts them in: sum_d W_dj x_d (and w^T x = sum_d w_d x_d)."""
    return {s: weighted_score, WeightedScore: weighted_score}


def definitions(loss: str, delta=Delta):
    """Every name of the derivation: L_i in the scores (p_j too for softmax), and the scores in the weights."""
    from . import softmax_scores as softmax
    from . import svm_scores as svm
    if loss == "svm":
        names = {L: svm.loss_expression().xreplace({Delta: delta})}
    else:
        names = softmax.definitions()
    names.update(score_definitions())
    return names


def in_weights(expr):
    """``expr`` with each score s_j written w_j^T x (seed 001's notation)."""
    return expr.replace(lambda e: isinstance(e, sympy.Indexed) and e.base == s, lambda e: WeightedScore(e.indices[0]))


# --- the derivation ------------------------------------------------------------------------

def gradient(loss="svm", delta=1, inputs=None, weights=None, label=None, classes=None, scale=1,
             example=False) -> Derivation:
    """dL_i/dW for one example: the lemma, the chain rule through the scores, the cases, the vector and
    matrix forms; the numbers for ``inputs`` (D numbers), ``weights`` (D rows of K numbers) and ``label``,
    or, when none is given, for the homework's example (x = (1, 2) and weights that score it 3, -1, 4 for
    cat, dog, bird);
    ``example=True`` (what the command does unless ``--no-example``) works that example when no numbers are given.

    >>> g = gradient("svm", delta=1, inputs=[1, 2], weights=[[1, 0, 2], [1, -1, 1]], label=0)
    >>> g.results["scores"].value, g.results["loss"].value
    ([3.0, -2.0, 4.0], 2.0)
    >>> g.results["dW"].value
    [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0]]
    """
    if loss not in TITLES:
        raise ValueError(f"loss must be 'svm' or 'softmax', not {loss!r}")
    delta_value = number(delta, "delta")
    scale_value = number(scale, "scale")
    if scale_value != 1:
        raise InputError("--scale applies to the gradient with respect to the scores (--wrt scores) only")
    given = not (inputs is None and weights is None and label is None and classes is None)
    if not given and example:
        inputs, weights, label, classes = DEFAULT_INPUTS, DEFAULT_WEIGHTS, 0, "cat,dog,bird"
    example = worked_inputs(inputs, weights, label, classes)
    parameters = {"wrt": "weights"}
    if loss == "svm":
        parameters["delta"] = float(delta_value)
    if example is not None:
        values, matrix, label, names = example
        parameters.update(inputs=[float(v) for v in values], weights=[[float(v) for v in row] for row in matrix],
                          label=label, classes=names)
    derivation = Report(COMMANDS[loss], TITLES[loss], parameters)
    derivation.verification_note = sentence(
        "Steps without a symbolic sum were checked symbolically (numbers in exact arithmetic); the others by "
        "setting the number of classes ", K, " to 2, 3, 4 and 5 and the number of features ", D,
        " to one more, and comparing both sides at random points" + (" on both sides of every kink" if loss == "svm"
                                                                       else "") + "; a matrix step entry by entry, "
        "for a symbolic entry.")
    builder = Builder(definitions(loss))

    derivation.sections.append(_model_section(builder, loss))
    derivation.sections.append(_lemma_section(builder))
    correct, incorrect, section = _score_gradient_section(loss, delta_value)
    derivation.sections.append(section)
    cases, section = _chain_rule_section(builder, loss, correct, incorrect)
    derivation.sections.append(section)
    derivation.sections.append(_vector_section(builder, loss, cases))
    derivation.sections.append(_seed_section(loss))

    dw_correct, dw_incorrect, dw = cases
    derivation.results["dw_correct"] = Result(
        "dw_correct", dw_correct, description="dL_i/dW_dc for the correct class c = y_i (entry d of the gradient "
                                              "with respect to w_{y_i})")
    derivation.results["dw_incorrect"] = Result(
        "dw_incorrect", dw_incorrect, description="dL_i/dW_dc for an incorrect class c != y_i")
    derivation.results["dw"] = Result("dw", dw, description="dL_i/dW_dc for any class c (both cases in one formula)")
    derivation.results["dW_matrix"] = Result("dW_matrix", matrix_form(loss), description="dL_i/dW as a D x K matrix")
    if example is not None:
        from .weights_example import worked_example
        worked_example(derivation, loss, delta_value, correct, incorrect, *example, origin=_origin(given))
    return derivation


#: the default example: x = (1, 2) and W (D rows of K) whose scores are the homework's 3, -1, 4
DEFAULT_INPUTS, DEFAULT_WEIGHTS = "1,2", "1,1,2;1,-1,1"


def _origin(given: bool):
    """Where the worked example's numbers come from."""
    if given:
        return sentence("The numbers are those given with ", Code("--inputs"), ", ", Code("--weights"), " and ",
                        Code("--label"), ".")
    return sentence("The numbers are the homework's example, made into weights: the input ",
                    sympy.Eq(sympy.Symbol("x"), sympy.ImmutableMatrix([[1, 2]]).T, evaluate=False),
                    " and weights that score it 3, ", sympy.Integer(-1), " and 4 for cat, dog and bird, the correct "
                    "class cat. Give ", Code("--inputs"), ", ", Code("--weights"), " and ", Code("--label"),
                    " to work other numbers; ", Code("--no-example"), " leaves this section out.")


def matrix_form(loss: str):
    """dL_i/dW = x (dL_i/ds)^T: x (p - y)^T for softmax."""
    if loss == "softmax":
        return MatMul(x_, Transpose(PROBABILITIES - ONE_HOT))
    return MatMul(x_, Transpose(Gradient(L, SCORES)))


def worked_inputs(inputs, weights, label, classes):
    """(inputs, weight rows, label, class names) as exact numbers, or None without any; bad input raises InputError."""
    if inputs is None and weights is None and label is None and classes is None:
        return None
    missing = [name for name, value in (("--inputs", inputs), ("--weights", weights), ("--label", label))
               if value is None]
    if missing:
        raise InputError(f"a worked example needs --inputs, --weights and --label: {', '.join(missing)} missing")
    values = number_vector(inputs, "inputs", "2,1")
    if len(values) > MAX_FEATURES:
        raise InputError(f"{len(values)} inputs; at most {MAX_FEATURES} features are supported here "
                         f"(a batch of any size: --wrt batch --data FILE)")
    matrix = weight_rows(weights, len(values))
    from ..engine.inputs import class_names
    return values, matrix, label_index(label, len(matrix[0])), class_names(classes, len(matrix[0]))


def weight_rows(weights, features: int) -> list[list]:
    """The weights as D rows of K numbers, from "1,0,2;1,-1,1" or a list of rows; the shape is checked."""
    if isinstance(weights, str):
        if weights.strip() == "":
            raise InputError(f"weights are empty: give {features} rows of K numbers, rows separated by ';', "
                             f"e.g. \"1,0,2;1,-1,1\"")
        rows = [row.strip() for row in weights.split(";")]
    elif isinstance(weights, (list, tuple)):
        rows = list(weights)
        if rows and not isinstance(rows[0], (list, tuple, str)):
            rows = [rows]
    else:
        raise InputError("weights must be D rows of K numbers, e.g. \"1,0,2;1,-1,1\"")
    if len(rows) != features:
        raise InputError(f"the weights have {len(rows)} row{'s' if len(rows) != 1 else ''}; W is D x K, so "
                         f"{features} rows (one per input feature) of K numbers are expected")
    parsed = [number_vector(row, f"weights of row {r}") for r, row in enumerate(rows)]
    width = len(parsed[0])
    for r, row in enumerate(parsed):
        if len(row) != width:
            raise InputError(f"the weights are ragged: row 0 has {width} entries, row {r} has {len(row)}; "
                             f"W is D x K, every row one entry per class")
    if width < 2:
        raise InputError(f"the weights have {width} column; W is D x K with at least two classes")
    if width > MAX_CLASSES:
        raise InputError(f"the weights have {width} columns; at most {MAX_CLASSES} classes are supported here")
    return parsed


# --- sections ------------------------------------------------------------------------------

def _model_section(builder, loss):
    from . import softmax_scores as softmax
    from . import svm_scores as svm
    by_sum = Sum(W[feature, j] * x[feature], (feature, 0, D - 1))
    scores = builder.chain([
        Step(s[j], WeightedScore(j), R.Definition(s[j], WeightedScore(j))),
        Step(WeightedScore(j), by_sum, R.Definition(WeightedScore(j), by_sum)),
    ])
    blocks = [
        sentence("One example has the input ", x[feature], " (features ", Eq(feature, 0), ", ..., ", D - 1,
                 "; the vector ", x_, " is the input of the example, often written with its index). The weights ",
                 W_, " are ", D, " × ", K, ": column ", w[j], " (written ", WeightedScore(j),
                 " in products) weighs the input for class ", j, ", and the scores are ",
                 Eq(SCORES, MatMul(Transpose(W_), x_), evaluate=False), ", one per class:"),
        scores,
    ]
    if loss == "svm":
        definition = builder.definitions[L]
        blocks += [
            sentence("The multiclass SVM loss of the example, in the scores and then in the weights:"),
            builder.chain([Step(L, definition, R.Definition(L, definition)),
                           Step(definition, in_weights(definition), R.Definition(s[j], WeightedScore(j)))]),
        ]
        del svm
    else:
        definition = softmax.loss_expression()
        probability = softmax.probability(j)
        blocks += [
            sentence("The softmax probabilities and the cross-entropy loss of the example:"),
            builder.chain([Step(p[j], probability, R.Definition(p[j], probability)),
                           Step(probability, in_weights(probability), R.Definition(s[j], WeightedScore(j)))]),
            builder.chain([Step(L, definition, R.Definition(L, definition))]),
        ]
    blocks.append(sentence("The loss depends on the weights only through the scores: W gives s, s gives ", L, "."))
    return Section("The scores and the loss", blocks)


#: the feature index a sum runs over where d is the feature of the weight W_dc
OTHER_FEATURE = other_feature


def _lemma_section(builder):
    by_sum = Sum(W[OTHER_FEATURE, j] * x[OTHER_FEATURE], (OTHER_FEATURE, 0, D - 1))
    lemma = builder.derivative(s[j], by_sum, W[feature, c], rule=R.Definition(s[j], by_sum))
    one = w[OTHER_FEATURE] * x[OTHER_FEATURE]
    vector_sum = Sum(one, (OTHER_FEATURE, 0, D - 1))
    component = builder.derivative(WeightedScore(), vector_sum, w[feature], rule=R.Definition(WeightedScore(),
                                                                                              vector_sum))
    shown = 3
    concrete = Builder({WeightedScore: lambda *a: Sum(w[OTHER_FEATURE] * x[OTHER_FEATURE],
                                                      (OTHER_FEATURE, 0, shown - 1))})
    gradient_entries = ImmutableMatrix([d(WeightedScore(), w[i]) for i in range(shown)])
    units = [ImmutableMatrix([1 if r == i else 0 for r in range(shown)]) for i in range(shown)]
    by_units = sympy.MatAdd(*[MatMul(units[i], x[i], evaluate=False) for i in range(shown)], evaluate=False)
    vector = ImmutableMatrix([x[i] for i in range(shown)])
    seed_way = concrete.chain([
        Step(gradient_entries, by_units, R.SumLinearityRule(one, OTHER_FEATURE, w[feature])),
        Step(by_units, vector, R.Evaluate()),
    ])
    return Section("A lemma: the scores with respect to the weights", [
        sentence("Differentiate one score with respect to one weight ", W[feature, c], " (feature ", feature,
                 ", class ", c, "): only the term of feature ", feature, " holds it, and only when ", Eq(j, c), ":"),
        lemma,
        sentence("So ", d(s[j], W[feature, c]), " = ", lemma.result, ": the weight ", W[feature, c],
                 " moves the score of its own class only, by the input it weighs. The same for one weight vector ",
                 w[j], ", component by component:"),
        component,
        sentence("and as a vector (shown for ", Eq(D, shown), " features; for any ", D, " the component above is "
                 "entry ", feature, "), each column vector the unit vector of one feature:"),
        seed_way,
        sentence("The same holds entry by entry for any number of features:"),
        builder.claim(Gradient(WeightedScore(), WEIGHT_VECTOR), x_, R.DerivedAbove((d(WeightedScore(), w[feature]),))),
        sentence("the gradient of ", WeightedScore(j), " with respect to ", w[j], " is the input ", x_, "."),
    ])


def _score_gradient_section(loss, delta_value):
    """The gradient with respect to the scores, as derive svm-grad / softmax-grad derive it: its verified chains."""
    from . import softmax_scores as softmax
    from . import svm_scores as svm
    if loss == "svm":
        definition = svm.loss_expression()
        correct, incorrect, section = svm._gradient_section(Builder({L: definition}), definition, delta_value)
    else:
        correct, incorrect, _, section = softmax._gradient_section(Builder(softmax.definitions()))
    intro = sentence("This is the derivation of the gradient with respect to the scores (every step verified there "
                     "and shown as it is), with the cases ", Eq(k, y), " and ", Ne(k, y), " for a score ", s[k], ":")
    return correct, incorrect, Section("The gradient with respect to the scores", [intro] + section.blocks)


def _chain_rule_section(builder, loss, correct, incorrect):
    lemma_k = s[k]
    through = Sum(d(L, s[k]) * d(lemma_k, W[feature, c]), (k, 0, K - 1))
    with_lemma = Sum(d(L, s[k]) * x[feature] * KroneckerDelta(k, c), (k, 0, K - 1))
    collapsed = d(L, s[c]) * x[feature]
    general = builder.chain([
        Step(d(L, W[feature, c]), through, R.ChainRuleScores(SCORES, W[feature, c])),
        Step(through, with_lemma, R.DerivedAbove((d(s[k], W[feature, c]),))),
        Step(with_lemma, collapsed, R.KroneckerCollapse(k, c)),
    ])

    equal, differ = Eq(c, y), Ne(c, y)
    dw_correct = correct * x[feature]
    dw_incorrect = incorrect.xreplace({k: c}) * x[feature]
    correct_chain = builder.chain([
        Step(d(L, W[feature, c]), d(L, W[feature, y]), R.CaseAssumption(equal)),
        Step(d(L, W[feature, y]), d(L, s[y]) * x[feature], R.DerivedAbove((d(L, W[feature, c]),))),
        Step(d(L, s[y]) * x[feature], dw_correct, R.DerivedElsewhere(COMMANDS[loss])),
    ] + _in_weights_step(dw_correct), (equal,))
    incorrect_chain = builder.chain([
        Step(d(L, W[feature, c]), collapsed, R.DerivedAbove((d(L, W[feature, c]),))),
        Step(collapsed, dw_incorrect, R.DerivedElsewhere(COMMANDS[loss])),
    ] + _in_weights_step(dw_incorrect), (differ,))
    split = CaseSplit([Case(equal, "correct class", [correct_chain]),
                       Case(differ, "incorrect class", [incorrect_chain])], R.CaseSplitRule(c, (equal, differ)))

    delta = KroneckerDelta(c, y)
    if loss == "svm":
        combined = ((1 - delta) * incorrect.xreplace({k: c}) + delta * correct) * x[feature]
    else:
        combined = (p[c] - delta) * x[feature]
    combined_claim = builder.claim(d(L, W[feature, c]), combined, R.CombineCases(delta))

    xd = x[feature]
    if loss == "svm":
        words = sentence("An incorrect class ", c, " moves by ", xd, " when its margin is violated and not at all "
                         "otherwise; the correct class moves by minus ", xd, " times the number of violated margins.")
    else:
        words = sentence("Every class moves by its probability times ", xd, "; the correct class by its probability "
                         "minus 1: the gradient of the scores (the probabilities minus the one-hot label) times the input.")
    return (dw_correct, dw_incorrect, combined), Section("The chain rule through the scores", [
        sentence("The loss depends on ", W[feature, c], " through the scores, each of which depends on it as the "
                 "lemma says:"),
        general,
        sentence("Now put in the gradient with respect to the scores, case by case:"),
        split,
        words,
        sentence("Both cases in one formula (", delta, " is 1 when ", Eq(c, y), " and 0 otherwise):"),
        combined_claim,
    ])


def _in_weights_step(expr):
    """One step writing the scores of ``expr`` as w_j^T x, when it has any."""
    rewritten = in_weights(expr)
    if rewritten == expr:
        return []
    return [Step(expr, rewritten, R.Definition(s[j], WeightedScore(j)))]


def _vector_section(builder, loss, cases):
    dw_correct, dw_incorrect, _ = cases
    column = builder.claim(Gradient(L, Column(W_, c)), MatMul(d(L, s[c]), x_), R.DerivedAbove((
        d(L, W[feature, c]),)))
    correct_vector = builder.claim(Gradient(L, Column(W_, y)), MatMul(in_weights(dw_correct / x[feature]), x_),
                                   R.DerivedAbove((d(L, W[feature, y]),)))
    incorrect_vector = builder.claim(Gradient(L, Column(W_, c)), MatMul(in_weights(dw_incorrect / x[feature]), x_),
                                     R.DerivedAbove((d(L, W[feature, c]),)), conditions=(Ne(c, y),))
    outer = builder.claim(Gradient(L, W_), MatMul(x_, Transpose(Gradient(L, SCORES))), R.DerivedAbove((
        d(L, W[feature, c]),)))
    blocks = [
        sentence("Entry ", feature, " of the gradient with respect to the weights of class ", c,
                 " is the formula above, for every feature at once:"),
        column,
        sentence("For the correct class and for an incorrect class ", Ne(c, y), ":"),
        correct_vector,
        incorrect_vector,
        sentence("The gradient with respect to the whole weight matrix is the outer product of the input and the "
                 "gradient with respect to the scores (", Times(D, 1), " times ", Times(1, K), "):"),
        outer,
    ]
    if loss == "softmax":
        scores_gradient = builder.claim(Gradient(L, SCORES), PROBABILITIES - ONE_HOT, R.DerivedElsewhere(
            "softmax-grad"))
        product = builder.claim(Gradient(L, W_), matrix_form("softmax"), R.DerivedAbove((Gradient(L, SCORES),)))
        blocks += [sentence("For softmax the gradient with respect to the scores is the probabilities minus the "
                            "one-hot label y:"), scores_gradient, product]
    return Section("Vector and matrix forms", blocks)


def _seed_section(loss):
    if loss == "svm":
        return Section("Common slips", [
            note("Writing both scores of the margin with the same weight vector (or the same index) turns the "
                 "margin into the constant ", Delta, " and loses the class. The margin is that of class ", j,
                 ", so the gradient of an incorrect class reads ", MatMul(indicator(WeightedScore(j)
                                                                                    - WeightedScore(y) + Delta), x_),
                 ", as derived above; ", x_, " is the input of the example, the same for every class."),
        ])
    from . import softmax_scores as softmax
    return Section("Common slips", [
        note("Giving the input the class's index, as in ", x[j], ", is a slip: the input is that of the example, "
             "which the score of every class uses: ", Eq(s[j], WeightedScore(j)), ". For the correct class the "
             "factor is ", p[y] - 1, ", with the probability of the correct class ", y, ", not of class ", j,
             "; the probability of class ", j, ", ", Eq(p[j], softmax.probability(j)), ", belongs to the incorrect "
             "classes' ", MatMul(p[j], x_), "."),
    ])


__all__ = ["gradient", "matrix_form", "definitions", "score_definitions", "in_weights", "worked_inputs",
           "weight_rows", "SCORES", "PROBABILITIES", "ONE_HOT", "TITLES"]
