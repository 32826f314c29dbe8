"""The softmax quantities: probabilities, loss, gradient, the case formulas and the Jacobian, with their generated mistakes."""
from __future__ import annotations

import math
from functools import lru_cache

import sympy
from sympy import Derivative, Eq, ImmutableMatrix, Ne, exp, log

from ...engine.notation import SumExcept, all_classes_sum, j, k, m, p, s, y
from ..feedback import words
from ..numeric import to_float
from ..registry import Given, Quantity, Reference, Variant, register
from ..rounding import Route


def _p(index, scale=1):
    return exp(scale * s[index]) / all_classes_sum(exp(scale * s[m]), m)


SOFTMAX_LOSS = -log(_p(y))
#: the normalising sum of the softmax, sum_m e^{s_m}
NORMALISER = all_classes_sum(exp(s[m]), m)
SOFTMAX_LOSS_VARIANTS = {
    "log10": ("log base 10 was used instead of the natural log", -log(_p(y)) / log(10)),
    "log2": ("log base 2 was used instead of the natural log", -log(_p(y)) / log(2)),
    "missing-minus": (words("the minus sign of ", -log(p[y]), " is missing"), log(_p(y))),
    "unnormalised-softmax": (words(exp(s[y]), " was used without dividing by ", NORMALISER), -s[y]),
    "sum-skips-correct-class": (words("the normalising sum left out the correct class: ", SumExcept(exp(s[j]), j, y),
                                      " instead of ", all_classes_sum(exp(s[j]), j)),
                                -log(exp(s[y]) / SumExcept(exp(s[j]), j, y))),
}


def _wrong_label_text(label, other):
    return words(f"the label was taken as class {other}; the correct class is ", y, " = ", sympy.Integer(label))


def _exponentials(given):
    """The exponentials e^{C s_j} a student computes first, as floats."""
    return tuple(math.exp(to_float(given.scale * v)) for v in given.scores)


def _exponential(given):
    """The exponentials' name in the feedback: e^{s_j}, or e^{C s_j} with a scale C."""
    return exp(sympy.Rational(given.scale) * s[j])


def _normalised(values):
    total = math.fsum(values)
    return tuple(v / total for v in values)


#: above this many classes, the mistakes worked through class by class (each wrong label) are not tried
MAX_CLASSES_TRIED = 50


@lru_cache(maxsize=256)
def _softmax_derivation(given: Given):
    from ...losses import softmax
    return softmax.gradient(scores=list(given.scores), label=given.label, scale=given.scale)


def _softmax_probs_exact(given, scale):
    """p_j = e^{C s_j} / sum_m e^{C s_m} for the given's scores, exactly."""
    exponentials = [exp(sympy.Rational(scale) * v) for v in given.scores]
    total = sympy.Add(*exponentials)                # the sum of _p's denominator, written out once
    return ImmutableMatrix([e / total for e in exponentials])


def _onehot(n, label):
    return ImmutableMatrix([1 if i == label else 0 for i in range(n)])


def _derive(given):
    return lambda: _softmax_derivation(given)


def _softmax_probs(given):
    if given.X is not None:
        from .batch import probabilities_reference
        if given.is_logistic_batch:
            from ...engine.inputs import InputError
            raise InputError("softmax.probs: W is D x K (one column per class), not D numbers")
        return probabilities_reference(given)
    reference = _softmax_probs_exact(given, given.scale)
    variants = [Variant("unnormalised-softmax", words(exp(s[j]), " was not divided by ", NORMALISER),
                        value=ImmutableMatrix([exp(given.scale * v) for v in given.scores]))]
    if given.scale != 1:
        variants.append(Variant("scale-not-applied", "the scores were not multiplied by the scale",
                                value=_softmax_probs_exact(given, 1)))
    routes = [Route(_exponential(given), _exponentials(given), _normalised)]
    return Reference("softmax.probs", value=reference, variants=variants, derive=_derive(given), routes=routes)


def _other_labels(given):
    n = len(given.scores)
    return [c for c in range(n) if c != given.label] if n <= MAX_CLASSES_TRIED + 1 else []


def loss_numbers(given, scale=None) -> dict:
    """The loss and each of SOFTMAX_LOSS_VARIANTS for the given, exactly, from the exponentials e^{C s_j}
    written out once (what ``instance(expr, given, C)`` gives, the tests check, without SymPy simplifying
    a sum of K exponentials inside a log for each)."""
    scale = given.scale if scale is None else scale
    label = given.label
    exponentials = [exp(sympy.Rational(scale) * v) for v in given.scores]
    total = sympy.Add(*exponentials)
    loss = -_log(exponentials[label] / total)
    return {"loss": loss, "log10": loss / log(10), "log2": loss / log(2), "missing-minus": -loss,
            "unnormalised-softmax": -sympy.Rational(scale) * given.scores[label],
            "sum-skips-correct-class": -_log(exponentials[label] / (total - exponentials[label]))}


def _log(value):
    """log(value) as it stands: SymPy's attempts to simplify the log of a ratio of sums of exponentials
    take a hundred times longer than the number needs (the value, evaluated, is the same)."""
    return log(value, evaluate=False)


def _softmax_loss(given):
    if given.X is not None:
        from .svm import batch_reference
        return batch_reference("softmax", given)
    numbers = loss_numbers(given)
    variants = [Variant(tag, text, value=numbers[tag]) for tag, (text, _) in SOFTMAX_LOSS_VARIANTS.items()]
    if given.scale != 1:
        variants.append(Variant("scale-not-applied", "the scores were not multiplied by the scale",
                                value=loss_numbers(given, 1)["loss"]))
    label = given.label
    probs = _softmax_probs_exact(given, given.scale)
    variants += [Variant("wrong-label", _wrong_label_text(label, c), value=-_log(probs[c])) for c in _other_labels(given)]

    def from_probs(own):
        return -log(own[label])
    floats = tuple(to_float(v) for v in probs)
    routes = [Route(p[j], floats, lambda q: -math.log(q[label]), used=(label,)),
              Route(_exponential(given), _exponentials(given), lambda e: -math.log(e[label] / math.fsum(e)))]
    return Reference("softmax.loss", value=numbers["loss"], variants=variants,
                     derive=_derive(given), recompute=from_probs, recompute_uses=(label,), routes=routes)


def _softmax_dscores(given):
    """dL_i/ds_j = p_j - 1[j = y_i], at the (scaled) scores: with a scale, with respect to the scaled scores."""
    probs = _softmax_probs_exact(given, given.scale)
    label, n = given.label, len(given.scores)
    onehot = _onehot(n, label)
    reference = probs - onehot
    variants = [
        Variant("no-minus-one", words(p[k], " was used for the correct class too: ", p[y] - 1, " is its gradient"),
                value=probs),
        Variant("sign-flipped-gradient", words("the gradient has the wrong sign: ", _onehot_entry() - p[k],
                                               " instead of ", p[k] - _onehot_entry()), value=-reference),
    ]
    if given.scale != 1:
        variants.append(Variant("scale-not-applied", "the scores were not multiplied by the scale",
                                value=_softmax_probs_exact(given, 1) - onehot))
    correct_zero = probs.as_mutable()
    correct_zero[label] = 0
    variants.append(Variant("correct-class-zero", words("the correct class's entry was left at 0: it is ", p[y] - 1),
                            value=ImmutableMatrix(correct_zero)))
    variants.append(Variant("unnormalised-softmax", words(exp(s[k]), " was used without dividing by ", NORMALISER),
                            value=ImmutableMatrix([exp(given.scale * v) for v in given.scores]) - onehot))
    variants += [Variant("wrong-label", _wrong_label_text(label, c), value=probs - _onehot(n, c))
                 for c in _other_labels(given)]

    def from_probs(own):
        return ImmutableMatrix([own[i] - (1 if i == label else 0) for i in range(n)])

    def minus_onehot(q):
        return tuple(v - (1 if i == label else 0) for i, v in enumerate(q))
    routes = [Route(p[j], tuple(to_float(v) for v in probs), minus_onehot),
              Route(_exponential(given), _exponentials(given), lambda e: minus_onehot(_normalised(e)))]
    return Reference("softmax.dscores", value=reference, variants=variants, derive=_derive(given),
                     recompute=from_probs, routes=routes)


@lru_cache(maxsize=1)
def _softmax_symbolic():
    from ...losses import softmax
    return softmax.gradient()


def _softmax_case(name):
    def reference(given):
        d = _softmax_symbolic()
        expr = d.results[name].expr
        variants = [Variant("sign-flipped-gradient", "the sign is flipped", expr=-expr),
                    Variant("unnormalised-softmax", words(exp(s[k]), " was used for ", p[k], ", without dividing by ",
                                                          NORMALISER),
                            expr=expr.replace(lambda e: getattr(e, "base", None) == p,
                                              lambda e: exp(s[e.indices[0]]))),
                    Variant("log10", words("log base 10 was used instead of the natural log: the gradient is divided "
                                           "by ", log(10)), expr=expr / log(10))]
        if name == "dscore_correct":
            variants.append(Variant("no-minus-one", words(p[y], " instead of ", p[y] - 1, ": the correct class "
                                                          "subtracts 1 from its probability"),
                                    expr=expr + 1))
        else:
            text, loss = SOFTMAX_LOSS_VARIANTS["sum-skips-correct-class"]
            variants.append(Variant("sum-skips-correct-class", text, expr=Derivative(loss, s[k])))
        condition = Eq(k, y) if name == "dscore_correct" else Ne(k, y)
        return Reference(f"softmax.{name}", expr=expr, conditions=(condition,), variants=variants, derivation=d)
    return reference


def _onehot_entry():
    """1[k = y_i], the one-hot label's entry k, as the softmax derivation writes it: delta_{k,y_i}."""
    return sympy.KroneckerDelta(k, y)


def _diag_p():
    """diag(p), the Jacobian's diagonal term (p the K x 1 vector of probabilities)."""
    from sympy.matrices.expressions.diagonal import DiagMatrix

    from ...engine.notation import K
    return DiagMatrix(sympy.MatrixSymbol("p", K, 1))


def _outer_p():
    """-p p^T, the Jacobian's other term."""
    from ...engine.notation import K
    vector = sympy.MatrixSymbol("p", K, 1)
    return sympy.MatMul(-1, vector, vector.T)


def _softmax_jacobian(given):
    """dp/ds at the (scaled) scores: with a scale C, the Jacobian with respect to the scaled scores C s:
    dp_j/ds_k = p_j (delta_jk - p_k), that is diag(p) - p p^T."""
    probs = _softmax_probs_exact(given, given.scale)
    n = len(probs)
    reference = ImmutableMatrix(n, n, lambda a, b: probs[a] * ((1 if a == b else 0) - probs[b]))
    variants = [Variant("sign-flipped-gradient", "the signs are flipped", value=-reference),
                Variant("missing-diagonal", words("the ", _diag_p(), " term is missing: only ", _outer_p()),
                        value=-(probs * probs.T))]

    def jacobian_of(q):
        return tuple(q[a] * ((1 if a == b else 0) - q[b]) for a in range(len(q)) for b in range(len(q)))

    def derive():
        from ...losses import jacobian
        return jacobian.jacobian(scores=[given.scale * v for v in given.scores])
    routes = [Route(p[j], tuple(to_float(v) for v in probs), jacobian_of)]
    return Reference("softmax.jacobian", value=reference, variants=variants, derive=derive, routes=routes)


# --- registration ---------------------------------------------------------------------------

register(Quantity("softmax.probs", "array", "a vector of probabilities, e.g. [0.268, 0.005, 0.727] (for a "
                  "batch, P: N x K)", ("scores",), _softmax_probs, batch=True))
register(Quantity("softmax.loss", "number", "a number, e.g. 1.318", ("scores", "label"), _softmax_loss,
                  depends_on=("softmax.probs",), batch=True))
register(Quantity("softmax.dscores", "vector", "a vector, e.g. [-0.732, 0.005, 0.727]", ("scores", "label"),
                  _softmax_dscores, depends_on=("softmax.probs",)))
register(Quantity("softmax.dscore_correct", "expression", "a formula in p_k or p_{y_i}, e.g. p_{y_i} - 1",
                  (), _softmax_case("dscore_correct"), uses=()))
register(Quantity("softmax.dscore_incorrect", "expression", "a formula in p_k, e.g. p_k", (),
                  _softmax_case("dscore_incorrect"), uses=()))
register(Quantity("softmax.jacobian", "matrix", "a matrix, e.g. [[0.196, -0.001, -0.195], ...] or a bmatrix",
                  ("scores",), _softmax_jacobian))
