"""The multiclass SVM quantities: svm.loss, svm.dscores and the two case formulas, with their generated mistakes."""
from __future__ import annotations

from functools import lru_cache

import sympy
from sympy import Eq, ImmutableMatrix, Max, Ne, Sum

from ...engine.notation import Delta, K, SumExcept, j, k, s, y
from ..feedback import words
from ..registry import Given, Quantity, Reference, Variant, register
from .common import piecewise_linear


def batch_reference(loss: str, given: Given):
    """The loss of a batch given inline (X, y, W, reg, reg_form): the mean of the examples' losses plus the penalty."""
    from ...engine.inputs import InputError
    from .batch import loss_reference
    if given.is_logistic_batch:
        raise InputError(f"{loss}.loss: W is D x K (one column per class); D numbers are logistic regression's "
                         f"weights (logistic.loss)")
    return loss_reference(loss, given)


def _margin(index, delta=Delta):
    return s[index] - s[y] + delta


SVM_LOSS = SumExcept(Max(0, _margin(j)), j, y)
SVM_VARIANTS = {
    "kept-correct-term": (words("the ", j, " = ", y, " term was kept in the sum: it adds ", Delta, " to the loss"),
                          Sum(Max(0, _margin(j)), (j, 0, K - 1))),
    "dropped-max": (words("the max was dropped: ", _margin(j), " instead of ", Max(0, _margin(j)), ", so negative "
                          "margins were added instead of clipped at 0"),
                    SumExcept(_margin(j), j, y)),
    "flipped-delta": (words("the sign of ", Delta, " is flipped: ", _margin(j, -Delta), " instead of ", _margin(j)),
                      SumExcept(Max(0, _margin(j, -Delta)), j, y)),
    "reversed-margin": (words("the margin is reversed: ", s[y] - s[j] + Delta, " instead of ", _margin(j)),
                        SumExcept(Max(0, s[y] - s[j] + Delta), j, y)),
    "delta-left-out": (words(Delta, " was left out of the margin: ", s[j] - s[y], " instead of ", _margin(j)),
                       SumExcept(Max(0, s[j] - s[y]), j, y)),
}


SUM_LEFT_OUT = words("the sum over the classes ", j, " ≠ ", y, " was left out: the correct class's gradient counts "
                     "every class whose margin is positive")


def without_sum(expr):
    """``expr`` with its sum over the classes j != y_i replaced by the summand (j left free)."""
    return expr.replace(lambda e: isinstance(e, SumExcept), lambda e: e.args[0])


#: above this many classes, the mistakes worked through class by class (each wrong label) are not tried
MAX_CLASSES_TRIED = 50


def _wrong_label_text(label, other):
    return words(f"the label was taken as class {other}; the correct class is ", y, " = ", sympy.Integer(label))


def _wrong_labels(given):
    """The other classes a student may have taken for the label (each one is tried)."""
    if len(given.scores) > MAX_CLASSES_TRIED + 1:
        return []
    return [c for c in range(len(given.scores)) if c != given.label]


@lru_cache(maxsize=256)
def _svm_derivation(given: Given):
    from ...losses import svm
    return svm.gradient(delta=given.delta, scores=list(given.scores) if given.scores else None,
                        label=given.label if given.scores else None)


def svm_numbers(given: Given, label=None, delta=None):
    """(loss, gradient) of the encoded loss for the given (another label or Delta for a mistake), exactly:
    L = sum_{j != y_i} max(0, m_j) with m_j = s_j - s_{y_i} + Delta, dL/ds_j = 1[m_j > 0] (j != y_i) and
    dL/ds_{y_i} = -sum_{j != y_i} 1[m_j > 0], the kink counting as 0 (the derivations' convention)."""
    label = given.label if label is None else label
    delta = given.delta if delta is None else delta
    scores = given.scores
    margins = [scores[j] - scores[label] + delta for j in range(len(scores))]
    loss = sympy.Add(*[margins[j] for j in range(len(scores)) if j != label and margins[j] > 0])
    gradient = [sympy.Integer(1 if j != label and margins[j] > 0 else 0) for j in range(len(scores))]
    gradient[label] = -sum(gradient)
    return loss, ImmutableMatrix(gradient)


def _variant_numbers(given):
    """(tag, text, loss, gradient) of each mistaken loss, worked through for the given (above
    MAX_CLASSES_TRIED classes only those that are the loss with another Delta)."""
    if len(given.scores) <= MAX_CLASSES_TRIED + 1:
        return [(tag, text, *piecewise_linear(expr, given)) for tag, (text, expr) in SVM_VARIANTS.items()]
    return [(tag, SVM_VARIANTS[tag][0], *svm_numbers(given, delta=delta))
            for tag, delta in (("flipped-delta", -given.delta), ("delta-left-out", 0))]


def _svm_loss(given):
    if given.X is not None:
        return batch_reference("svm", given)
    variants = [Variant(tag, text, value=loss) for tag, text, loss, _ in _variant_numbers(given)]
    variants += [Variant("wrong-label", _wrong_label_text(given.label, c), value=svm_numbers(given, label=c)[0])
                 for c in _wrong_labels(given)]
    return Reference("svm.loss", value=svm_numbers(given)[0], variants=variants,
                     derive=lambda: _svm_derivation(given))


def _svm_dscores(given):
    reference = svm_numbers(given)[1]
    variants = [Variant(tag, text, value=gradient) for tag, text, _, gradient in _variant_numbers(given)]
    variants.append(Variant("sign-flipped-gradient", "the gradient has the wrong sign everywhere", value=-reference))
    correct_positive = reference.as_mutable()
    correct_positive[given.label] = -correct_positive[given.label]
    variants.append(Variant("missing-minus-correct-class",
                            "the correct class's entry lost its minus sign", value=ImmutableMatrix(correct_positive)))
    correct_zero = reference.as_mutable()
    correct_zero[given.label] = 0
    variants.append(Variant("correct-class-zero",
                            "the correct class's entry was left at 0: it is minus the number of classes whose margin "
                            "is positive", value=ImmutableMatrix(correct_zero)))
    variants += [Variant("wrong-label", _wrong_label_text(given.label, c), value=svm_numbers(given, label=c)[1])
                 for c in _wrong_labels(given)]
    return Reference("svm.dscores", value=reference, variants=variants, derive=lambda: _svm_derivation(given))


def _svm_case(name, var, condition):
    def reference(given):
        d = _svm_derivation(given.restricted(("delta",)))
        expr = d.results[name].expr
        variants = [Variant(tag, text, expr=sympy.diff(loss, var)) for tag, (text, loss) in SVM_VARIANTS.items()]
        variants.append(Variant("sign-flipped-gradient", "the sign is flipped", expr=-expr))
        swapped = expr.xreplace({s[j]: s[y], s[y]: s[j]}) if name == "dscore_correct" else \
            expr.xreplace({s[k]: s[y], s[y]: s[k]})
        variants.append(Variant("reversed-margin", words("the margin is reversed in the indicator: ",
                                                         s[y] - s[j] + Delta, " instead of ", _margin(j)), expr=swapped))
        if name == "dscore_correct":
            variants.append(Variant("sum-left-out", SUM_LEFT_OUT, expr=without_sum(expr)))
        value = None
        if given.scores is not None and given.label is not None and name == "dscore_correct":
            value = svm_numbers(given)[1][given.label]
        return Reference(f"svm.{name}", value=value, expr=expr, conditions=(condition,), variants=variants,
                         derivation=d)
    return reference


# --- registration ---------------------------------------------------------------------------

register(Quantity("svm.loss", "number", "a number, e.g. 2", ("scores", "label"), _svm_loss, batch=True))
register(Quantity("svm.dscores", "vector", "a vector, e.g. [-1, 0, 1]", ("scores", "label"), _svm_dscores))
register(Quantity("svm.dscore_correct", "expression",
                  r"a formula in s_j, s_{y_i}, \Delta, e.g. -\sum_{j \neq y_i} \mathbb{1}(s_j - s_{y_i} + \Delta > 0)",
                  (), _svm_case("dscore_correct", s[y], Eq(k, y)), uses=("delta",)))
register(Quantity("svm.dscore_incorrect", "expression",
                  r"a formula in s_k (or s_j), s_{y_i}, \Delta, e.g. \mathbb{1}(s_k - s_{y_i} + \Delta > 0)",
                  (), _svm_case("dscore_incorrect", s[k], Ne(k, y)), uses=("delta",)))
