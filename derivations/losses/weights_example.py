"""The worked numbers of the weight gradient of one example: scores, loss, dL/ds, dW = x (dL/ds)^T.

Everything in exact arithmetic (rationals for the SVM, powers of e for
softmax), every chain verified, and dW checked against centred finite
differences of the exact loss at every entry whose step does not cross a kink.
"""
from __future__ import annotations

import sympy
from sympy import Add, Eq, ImmutableMatrix, Integer, MatMul, Max, Mul, Rational, Sum, Transpose, exp, log

from ..engine import rules as R
from ..engine.build import Builder, decimal_number, note, sentence, warning
from ..engine.differentiate import d
from ..engine.matrices import W_, Column, Gradient, x_
from ..engine.notation import D, Delta, K, L, W, c, feature, s, x, y
from ..engine.steps import Chain, Result, Section, Step
from .columns import SCORES

#: the step of the finite differences (exact arithmetic: no rounding to fear)
FD_STEP = Rational(1, 10 ** 6)


def worked_example(derivation, loss, delta, correct, incorrect, inputs, rows, label, names, origin=None):
    """Add the worked numbers of ``inputs`` (x, D numbers) and ``rows`` (W, D rows of K) to ``derivation``."""
    from . import softmax_scores as softmax
    from . import svm_scores as svm
    features, classes = len(inputs), len(rows[0])
    weights = {W[r, q]: rows[r][q] for r in range(features) for q in range(classes)}
    input_values = {x[r]: inputs[r] for r in range(features)}
    scores = [Add(*[rows[r][q] * inputs[r] for r in range(features)]) for q in range(classes)]
    score_values = {s[q]: scores[q] for q in range(classes)}
    concrete = {K: Integer(classes), y: Integer(label), Delta: delta, D: Integer(features)}

    if loss == "svm":
        loss_expr = svm.loss_expression().xreplace(concrete)
        names_defs = {L: loss_expr}
    else:
        names_defs = softmax.concrete_definitions(classes, label)
    names_defs[s] = lambda i: Sum(W[_Q, i] * x[_Q], (_Q, 0, features - 1)).doit()
    builder = Builder(names_defs)
    plain = Builder({L: loss_expr} if loss == "svm" else softmax.concrete_definitions(classes, label))

    blocks = [origin] if origin is not None else []
    blocks += [sentence("With the input ", sympy.Eq(sympy.Symbol("x"), ImmutableMatrix([inputs]).T, evaluate=False),
                       " (", Eq(D, features), " feature" + ("s" if features != 1 else "") + "), the weights ", sympy.Eq(sympy.Symbol("W"),
                                                                                   ImmutableMatrix(rows),
                                                                                   evaluate=False),
                       " (", Eq(K, classes), " classes) and the label ", Eq(y, label),
                       ("" if names[label] == str(label) else f" ({names[label]})")
                       + (":" if loss != "svm" else ", "), *([Eq(Delta, delta), ":"] if loss == "svm" else []))]
    blocks += [sentence("The scores ", Eq(SCORES, MatMul(Transpose(W_), x_), evaluate=False),
                        ", one weighted sum per class:"),
               _scores_chain(builder, features, classes, weights, input_values, scores)]

    if loss == "svm":
        loss_chain, loss_value = svm._loss_chain(plain, loss_expr, score_values, classes, label)
        gradient_chain, gradient_values = svm._gradient_chain(plain, correct, incorrect, concrete, score_values,
                                                              classes, label)
        margins = [v - scores[label] + delta for v in scores]
        blocks += [sentence("The loss at these scores:"), loss_chain,
                   sentence("The gradient with respect to the scores, each entry from its case:"), gradient_chain]
        loss_number, gradient_numbers = loss_value, gradient_values
    else:
        example = softmax.Example(scores, label)
        blocks += [sentence("The probabilities at these scores:"), softmax.probability_chain(plain, example),
                   sentence("The loss:"), softmax.loss_chain(plain, example),
                   sentence("so ", L, " ≈ ", softmax.decimal(example.loss_number), ". The gradient with respect to "
                            "the scores, each entry from its case:"),
                   softmax.gradient_chain(plain, example, correct, incorrect),
                   sentence("In decimals: ", ImmutableMatrix([[softmax.decimal(g) for g in example.gradient_numbers]]),
                            ".")]
        loss_value, gradient_values = example.loss, example.gradient
        loss_number, gradient_numbers = example.loss_number, example.gradient_numbers
        margins = None

    dW_exact = ImmutableMatrix(features, classes, lambda r, q: inputs[r] * gradient_values[q])
    blocks += [sentence("The gradient with respect to the weights, the outer product ",
                        MatMul(x_, Transpose(Gradient(L, SCORES))), ":"),
               _outer_chain(builder, loss, features, classes, weights, input_values, inputs, gradient_values,
                            dW_exact, _case_formulas(correct, incorrect, concrete, classes, label))]
    dW_numbers = [[inputs[r] * gradient_numbers[q] for q in range(classes)] for r in range(features)]
    if loss != "svm":
        blocks.append(sentence("In decimals: ", ImmutableMatrix([[softmax.decimal(v) for v in row]
                                                                 for row in dW_numbers]), "."))
    blocks += _meaning(loss, inputs, gradient_numbers, names, label)

    checked, skipped, worst = _finite_differences(loss, delta, inputs, rows, label, dW_numbers)
    words = [f"Checked: {checked} of the {features * classes} entries agree with centred finite differences of "
             "the exact loss (each weight moved up and down by ", decimal_number(f"{float(FD_STEP):g}"),
             f"); largest relative difference {float(worst):.1e}."]
    if skipped:
        words += [f" {skipped} entr{'y was' if skipped == 1 else 'ies were'} not checked: there a step moves a "
                  "margin across its kink, where the loss has no derivative."]
    blocks.append(note(*words))
    if margins is not None:
        for q, m in enumerate(margins):
            if q != label and m == 0:
                message = (f"class {names[q]} sits exactly on the hinge (margin 0): the loss has no derivative "
                           f"there; dW uses the subgradient 1[margin > 0] = 0 for its column")
                derivation.warnings.append(message)
                blocks.append(warning(message))
    if loss != "svm":
        for message in softmax.float64_warnings(example, names):
            derivation.warnings.append(message)
            blocks.append(warning(message))
    derivation.sections.append(Section("Worked example", blocks))

    derivation.results["scores"] = Result("scores", ImmutableMatrix(scores), [float(v) for v in scores],
                                          "s = W^T x (K entries)")
    if loss != "svm":
        derivation.results["probs"] = Result("probs", ImmutableMatrix([example.probs]), example.prob_floats,
                                             "p_j at the given scores")
    derivation.results["loss"] = Result("loss", loss_value, float(loss_number), "L_i at the given numbers")
    derivation.results["dscores"] = Result("dscores", ImmutableMatrix(gradient_values),
                                           [float(g) + 0.0 for g in gradient_numbers], "dL_i/ds at the given numbers")
    derivation.results["dW"] = Result("dW", dW_exact, [[float(v) + 0.0 for v in row] for row in dW_numbers],
                                      "dL_i/dW at the given numbers (D rows of K entries)")


_Q = sympy.Dummy("d", integer=True)


def _scores_chain(builder, features, classes, weights, input_values, scores):
    lhs = ImmutableMatrix([s[q] for q in range(classes)])
    sums = ImmutableMatrix([_sum_of([W[r, q] * x[r] for r in range(features)]) for q in range(classes)])
    values = {**weights, **input_values}
    numbers = ImmutableMatrix([_sum_of([Mul(weights[W[r, q]], input_values[x[r]], evaluate=False)
                                        for r in range(features)]) for q in range(classes)])
    result = ImmutableMatrix(scores)
    steps = [Step(lhs, sums, R.Definition(s[c], Sum(W[feature, c] * x[feature], (feature, 0, D - 1)))),
             Step(sums, numbers, R.SubstituteValues(tuple(values.items()))),
             Step(numbers, result, R.Evaluate())]
    for step in steps:
        builder.verifier.stamp(step, values=values if isinstance(step.rule, R.SubstituteValues) else None)
    return Chain(steps)


def _outer_chain(builder, loss, features, classes, weights, input_values, inputs, gradient_values, dW_exact,
                 formulas):
    lhs = ImmutableMatrix(features, classes, lambda r, q: d(L, W[r, q]))
    column = ImmutableMatrix([x[r] for r in range(features)])
    row = ImmutableMatrix([[d(L, s[q]) for q in range(classes)]])
    symbolic = MatMul(column, row, evaluate=False)
    by_case = MatMul(column, ImmutableMatrix([formulas]), evaluate=False)
    numbers = MatMul(ImmutableMatrix(inputs), ImmutableMatrix([gradient_values]), evaluate=False)
    values = {**weights, **input_values}
    steps = [Step(lhs, symbolic, R.DerivedAbove((Gradient(L, W_),))),
             Step(symbolic, by_case, R.ApplyCases()),
             Step(by_case, numbers, R.SubstituteValues(tuple(values.items())))]
    if loss == "svm":
        steps.append(Step(numbers, dW_exact, R.Evaluate()))
    for step in steps:
        builder.verifier.stamp(step, values=values if isinstance(step.rule, R.SubstituteValues) else None)
    return Chain(steps)


def _case_formulas(correct, incorrect, concrete, classes, label):
    """dL_i/ds_q for each class q, from its case (the correct class's formula for q = y_i), for this instance."""
    from ..engine.notation import k
    return [(correct if q == label else incorrect.xreplace({k: Integer(q)})).xreplace(concrete).doit()
            for q in range(classes)]


def _sum_of(terms):
    return Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]


def _meaning(loss, inputs, gradient_numbers, names, label):
    """What the columns of dW say: each class's column is the input scaled by that class's score gradient."""
    moving = [q for q, g in enumerate(gradient_numbers) if g != 0]
    still = [names[q] for q, g in enumerate(gradient_numbers) if g == 0]
    from .softmax_scores import class_word
    correct = class_word(names, label)
    gradient = Gradient(L, W_)
    slope = d(L, s[c])
    words = ["Column ", c, " of ", gradient, " is the input ", x_, " scaled by ", slope,
             ": a gradient-descent step (", W_, " minus a small multiple of ", gradient, ") moves ", Column(W_, c),
             " along ", -x_, " when ", slope > 0, " (lowering the score of class ", c, " on this input) and along ",
             x_, " when ", slope < 0, f" (raising it). Here the correct class ({correct}) "
             + ("has a negative gradient, so the step moves its weights along the input and raises its score"
                if gradient_numbers[label] < 0 else "has gradient 0: no margin is violated")]
    if still:
        listed = ", ".join(class_word(names, q) for q, g in enumerate(gradient_numbers) if g == 0 and q != label)
        if listed:
            words.append(f", and {listed} {'is' if ',' not in listed else 'are'} left alone (gradient 0)")
    if moving and all(v == 0 for v in inputs):
        words += [". The input is 0, so ", gradient, " is 0."]
    elif moving:
        words += [". Every column is a multiple of ", x_, ": ", gradient, " has rank 1."]
    else:
        words += [". No score moves the loss here, so ", gradient, " is 0."]
    return [sentence(*words)]


def _finite_differences(loss, delta, inputs, rows, label, dW_numbers):
    """(entries checked, entries skipped at a kink, largest relative difference) of dW against centred differences."""
    features, classes = len(inputs), len(rows[0])
    checked = skipped = 0
    worst = sympy.Integer(0)
    for r in range(features):
        for q in range(classes):
            step = FD_STEP
            if loss == "svm" and _crosses_kink(inputs, rows, label, delta, r, q, step):
                skipped += 1
                continue
            up = _loss_at(loss, delta, inputs, _moved(rows, r, q, step), label)
            down = _loss_at(loss, delta, inputs, _moved(rows, r, q, -step), label)
            numeric = sympy.N((up - down) / (2 * step), 40)
            exact = sympy.N(dW_numbers[r][q], 40)
            worst = max(worst, abs(numeric - exact) / max(1, abs(exact)))
            checked += 1
    if worst > sympy.Float("1e-8"):
        raise RuntimeError("the worked dW disagrees with finite differences")
    return checked, skipped, worst


def _moved(rows, r, q, step):
    return [[v + (step if (a, b) == (r, q) else 0) for b, v in enumerate(row)] for a, row in enumerate(rows)]


def _scores(inputs, rows):
    return [Add(*[rows[r][q] * inputs[r] for r in range(len(inputs))]) for q in range(len(rows[0]))]


def _loss_at(loss, delta, inputs, rows, label):
    values = _scores(inputs, rows)
    if loss == "svm":
        return Add(*[Max(0, v - values[label] + delta) for q, v in enumerate(values) if q != label])
    return log(Add(*[exp(v - values[label]) for v in values]))


def _crosses_kink(inputs, rows, label, delta, r, q, step):
    """Whether moving W_rq by +-step moves a margin across (or onto) 0."""
    values = _scores(inputs, rows)
    reach = abs(step * inputs[r])
    margins = [v - values[label] + delta for v in values]
    if q != label:
        return abs(margins[q]) <= reach
    return any(abs(m) <= reach for j_, m in enumerate(margins) if j_ != label)


__all__ = ["worked_example"]
