"""The SVM and softmax gradients with respect to the weights side by side (seed 004, part 3).

Both are the input times the gradient with respect to the scores, ∇_{w_c} L_i = (dL_i/ds_c) x: the
same direction for every class, with a coefficient that differs. The formulas are the ones
``derive svm-grad --wrt weights`` and ``derive softmax-grad --wrt weights`` derive (their
derivations are built and verified here, and their results checked again as claims); with
``inputs``, ``weights`` and ``label`` both dW matrices come out for the same example.
"""
from __future__ import annotations

import sympy
from sympy import Eq, ImmutableMatrix, MatMul, Ne, Sum

from ..engine import rules as R
from ..engine.build import Builder, sentence, warning
from ..engine.differentiate import d
from ..engine.matrices import W_, Column, Gradient, x_
from ..engine.notation import K, L_softmax, L_svm, W, WeightedScore, c, feature, j, p, s, weighted_score, x, y
from ..engine.steps import Derivation, Math, Section, Table, Text
from ..report import Report
from . import softmax_scores as softmax
from . import svm_scores as svm
from . import weights

TITLE = "SVM and softmax gradients with respect to the weights, side by side"


def compare(delta=1, inputs=None, weights_rows=None, label=None, classes=None) -> Derivation:
    """Both weight gradients of one example, the table of seed 004 part 3, what their difference means;
    with ``inputs``, ``weights_rows`` and ``label``, both dW at those numbers.

    >>> d = compare(inputs=[1, 2], weights_rows=[[1, 0, 2], [1, -1, 1]], label=0)
    >>> d.results["svm_dW"].value
    [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0]]
    """
    from ..engine.inputs import number
    delta_value = number(delta, "delta")
    svm_side = weights.gradient("svm", delta=delta_value, inputs=inputs, weights=weights_rows, label=label,
                                classes=classes)
    softmax_side = weights.gradient("softmax", inputs=inputs, weights=weights_rows, label=label, classes=classes)
    parameters = {"wrt": "weights", "delta": float(delta_value)}
    for key in ("inputs", "weights", "label", "classes"):
        if key in svm_side.parameters:
            parameters[key] = svm_side.parameters[key]
    derivation = Report("compare", TITLE, parameters)
    builder = Builder({L_svm: svm.loss_expression(),
                       L_softmax: softmax.loss_expression(), p: softmax.probability, s: weighted_score,
                       WeightedScore: weighted_score})
    derivation.sections.append(_formulas_section(builder, svm_side, softmax_side))
    derivation.sections.append(_meaning_section(builder, svm_side, softmax_side))
    if "dW" in svm_side.results:
        derivation.sections.append(_numbers_section(svm_side, softmax_side))
        for name, side in (("svm", svm_side), ("softmax", softmax_side)):
            for key in ("loss", "dscores", "dW"):
                derivation.results[f"{name}_{key}"] = side.results[key]
            for message in side.warnings:
                derivation.warnings.append(f"{name}: {message}")
        derivation.results["scores"] = svm_side.results["scores"]
    for name, side in (("svm", svm_side), ("softmax", softmax_side)):
        derivation.results[f"{name}_dw_correct"] = side.results["dw_correct"]
        derivation.results[f"{name}_dw_incorrect"] = side.results["dw_incorrect"]
    return derivation


def _vector(side, key):
    """The formula of ``side``'s result ``key`` (x_d times a coefficient) as a vector: the coefficient times x."""
    return MatMul(weights.in_weights(side.results[key].expr / x[feature]), x_)


def _formulas_section(builder, svm_side, softmax_side):
    differ = Ne(c, y)
    rows = []
    claims = []
    for case, key, column, conditions in (([Math(differ), Text(" (incorrect class)")], "dw_incorrect",
                                           Column(W_, c), (differ,)),
                                          ([Math(Eq(c, y)), Text(" (correct class)")], "dw_correct", Column(W_, y),
                                           ())):
        svm_vector = _vector(svm_side, key)
        softmax_vector = _vector(softmax_side, key)
        claims += [builder.claim(Gradient(L_svm, column), svm_vector, R.DerivedElsewhere("svm-grad --wrt weights"),
                                 conditions=conditions),
                   builder.claim(Gradient(L_softmax, column), softmax_vector,
                                 R.DerivedElsewhere("softmax-grad --wrt weights"), conditions=conditions)]
        rows.append([case, [Math(svm_vector)], [Math(softmax_vector)]])
    table = Table([[Text("class")], [Text("SVM")], [Text("softmax")]], rows)
    return Section("The two gradients", [
        sentence("For one example with input ", x_, " and label ", y, " (the probability of the correct class "
                 "written ", p[y], "):"),
        table,
        sentence("each derived step by step in the reports on the gradients with respect to the weights, and "
                 "checked again here:"),
        *claims,
    ])


def _meaning_section(builder, svm_side, softmax_side):
    sums = [builder.claim(Sum(d(name, W[feature, c]), (c, 0, K - 1)), sympy.Integer(0),
                          R.DerivedAbove((d(name, W[feature, c]),)))
            for name in (L_svm, L_softmax)]
    return Section("What the difference means", [
        sentence("Both gradients are the input x times the gradient with respect to the scores: every class's "
                 "weights move along the same direction, ", x_, " or its opposite, and the losses differ only in how much. The SVM's "
                 "coefficient is 1 or 0 for an incorrect class (its margin violated or not) and minus the count of "
                 "violated margins for the correct class: once every margin is met, the SVM's gradient is exactly 0 "
                 "and the example stops moving the weights. Softmax's coefficient is the probability ", p[c],
                 " (minus 1 for the correct class): never 0, so every example keeps pulling ", Column(W_, y), " towards ",
                 x_, " and pushing the others away, less and less as ", p[y], " approaches 1."),
        sentence("For both, the coefficients of the classes sum to 0 (the SVM's +1s cancel its -count; softmax's "
                 "probabilities sum to 1), so the columns of dW sum to 0: feature by feature, the weight one class "
                 "gains the others lose:"),
        *sums,
    ])


def _numbers_section(svm_side, softmax_side):
    from .softmax_scores import decimal
    names = svm_side.parameters["classes"]
    label = svm_side.parameters["label"]
    rows = []
    for q, name in enumerate(names):
        rows.append([[Text(name + (" (correct)" if q == label else ""))],
                     [Math(svm_side.results["scores"].expr[q])],
                     [Math(svm_side.results["dscores"].expr[q])],
                     [Math(decimal(softmax_side.results["dscores"].value[q]))]])
    table = Table([[Text("class")], [Math(s[j])], [Text("SVM "), Math(d(L_svm, s[j]))],
                   [Text("softmax "), Math(d(L_softmax, s[j]))]], rows)
    svm_dW = svm_side.results["dW"].expr
    softmax_dW = ImmutableMatrix([[decimal(v) for v in row] for row in softmax_side.results["dW"].value])
    blocks = [
        sentence("At the example's numbers (both worked out step by step in the derivations named above), the "
                 "coefficients of x for each class:"),
        table,
        sentence("so the two weight gradients are ", Eq(sympy.Symbol("dW^SVM"), svm_dW, evaluate=False), " and ",
                 Eq(sympy.Symbol("dW^softmax"), softmax_dW, evaluate=False), " (rounded)."),
        sentence(*_words(svm_side, softmax_side, names, label)),
    ]
    for name, side in (("SVM", svm_side), ("softmax", softmax_side)):
        blocks += [warning(f"{name}: {message}") for message in side.warnings]
    return Section("Worked example", blocks)


def _words(svm_side, softmax_side, names, label):
    from .softmax_scores import class_word
    zero = [class_word(names, q) for q, g in enumerate(svm_side.results["dscores"].value) if g == 0]
    if len(zero) == len(names):
        return ["Every margin is met: the SVM's dW is 0, while softmax still moves every column (its smallest "
                "coefficient in size is ", sympy.Float(min(abs(g) for g in softmax_side.results["dscores"].value), 3),
                ")."]
    words = ["The SVM leaves ", ", ".join(zero) if zero else "no class", " alone" if zero else "",
             "; softmax moves every column, the correct class's (", class_word(names, label), ") along +x "
             "after a descent step, the others along -x in proportion to their probabilities."]
    return words


__all__ = ["compare", "TITLE"]
