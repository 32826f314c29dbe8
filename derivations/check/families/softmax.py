"""The softmax quantities: probabilities, loss, gradient, the case formulas and the Jacobian, with their generated mistakes."""
from __future__ import annotations

import math
from functools import lru_cache

import sympy
from sympy import Derivative, Eq, ImmutableMatrix, Ne, exp, log

from ...engine.notation import SumExcept, all_classes_sum, j, k, m, p, s, y
from ..numeric import to_float
from ..registry import Given, Quantity, Reference, Variant, register
from ..rounding import Route


def _p(index, scale=1):
    return exp(scale * s[index]) / all_classes_sum(exp(scale * s[m]), m)


SOFTMAX_LOSS = -log(_p(y))
SOFTMAX_LOSS_VARIANTS = {
    "log10": ("log base 10 was used instead of the natural log", -log(_p(y)) / log(10)),
    "log2": ("log base 2 was used instead of the natural log", -log(_p(y)) / log(2)),
    "missing-minus": ("the minus sign of -log p_{y_i} is missing", log(_p(y))),
    "unnormalised-softmax": ("e^{s_{y_i}} was used without dividing by sum_m e^{s_m}", -s[y]),
    "sum-skips-correct-class": ("the normalising sum left out the correct class: sum_{j != y_i} e^{s_j} instead of "
                                "sum_j e^{s_j}", -log(exp(s[y]) / SumExcept(exp(s[j]), j, y))),
}


def _wrong_label_text(label, other):
    return f"the label was taken as class {other}; the correct class is y_i = {label}"


def _exponentials(given):
    """The exponentials e^{C s_j} a student computes first, as floats."""
    return tuple(math.exp(to_float(given.scale * v)) for v in given.scores)


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
    variants = [Variant("unnormalised-softmax", "e^{s_j} was not divided by sum_m e^{s_m}",
                        value=ImmutableMatrix([exp(given.scale * v) for v in given.scores]))]
    if given.scale != 1:
        variants.append(Variant("scale-not-applied", "the scores were not multiplied by the scale",
                                value=_softmax_probs_exact(given, 1)))
    routes = [Route("e^{s_j}", _exponentials(given), _normalised)]
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
    routes = [Route("p", floats, lambda q: -math.log(q[label]), used=(label,)),
              Route("e^{s_j}", _exponentials(given), lambda e: -math.log(e[label] / math.fsum(e)))]
    return Reference("softmax.loss", value=numbers["loss"], variants=variants,
                     derive=_derive(given), recompute=from_probs, recompute_uses=(label,), routes=routes)


def _softmax_dscores(given):
    """dL_i/ds_j = p_j - 1[j = y_i], at the (scaled) scores: with a scale, with respect to the scaled scores."""
    probs = _softmax_probs_exact(given, given.scale)
    label, n = given.label, len(given.scores)
    onehot = _onehot(n, label)
    reference = probs - onehot
    variants = [
        Variant("no-minus-one", "p_k was used for the correct class too: p_{y_i} - 1 is its gradient", value=probs),
        Variant("sign-flipped-gradient", "the gradient has the wrong sign: 1[k = y_i] - p_k", value=-reference),
    ]
    if given.scale != 1:
        variants.append(Variant("scale-not-applied", "the scores were not multiplied by the scale",
                                value=_softmax_probs_exact(given, 1) - onehot))
    correct_zero = probs.as_mutable()
    correct_zero[label] = 0
    variants.append(Variant("correct-class-zero", "the correct class's entry was left at 0: it is p_{y_i} - 1",
                            value=ImmutableMatrix(correct_zero)))
    variants.append(Variant("unnormalised-softmax", "e^{s_k} was used without dividing by sum_m e^{s_m}",
                            value=ImmutableMatrix([exp(given.scale * v) for v in given.scores]) - onehot))
    variants += [Variant("wrong-label", _wrong_label_text(label, c), value=probs - _onehot(n, c))
                 for c in _other_labels(given)]

    def from_probs(own):
        return ImmutableMatrix([own[i] - (1 if i == label else 0) for i in range(n)])

    def minus_onehot(q):
        return tuple(v - (1 if i == label else 0) for i, v in enumerate(q))
    routes = [Route("p", tuple(to_float(v) for v in probs), minus_onehot),
              Route("e^{s_j}", _exponentials(given), lambda e: minus_onehot(_normalised(e)))]
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
                    Variant("unnormalised-softmax", "e^{s_k} was used for p_k, without dividing by sum_m e^{s_m}",
                            expr=expr.replace(lambda e: getattr(e, "base", None) == p,
                                              lambda e: exp(s[e.indices[0]]))),
                    Variant("log10", "log base 10 was used instead of the natural log: the gradient is divided by "
                                     "ln 10", expr=expr / log(10))]
        if name == "dscore_correct":
            variants.append(Variant("no-minus-one", "p_{y_i} without the - 1 of the correct class",
                                    expr=expr + 1))
        else:
            text, loss = SOFTMAX_LOSS_VARIANTS["sum-skips-correct-class"]
            variants.append(Variant("sum-skips-correct-class", text, expr=Derivative(loss, s[k])))
        condition = Eq(k, y) if name == "dscore_correct" else Ne(k, y)
        return Reference(f"softmax.{name}", expr=expr, conditions=(condition,), variants=variants, derivation=d)
    return reference


def _softmax_jacobian(given):
    """dp/ds at the (scaled) scores: with a scale C, the Jacobian with respect to the scaled scores C s:
    dp_j/ds_k = p_j (delta_jk - p_k), that is diag(p) - p p^T."""
    probs = _softmax_probs_exact(given, given.scale)
    n = len(probs)
    reference = ImmutableMatrix(n, n, lambda a, b: probs[a] * ((1 if a == b else 0) - probs[b]))
    variants = [Variant("sign-flipped-gradient", "the signs are flipped", value=-reference),
                Variant("missing-diagonal", "the diag(p) term is missing: only -p p^T", value=-(probs * probs.T))]

    def jacobian_of(q):
        return tuple(q[a] * ((1 if a == b else 0) - q[b]) for a in range(len(q)) for b in range(len(q)))

    def derive():
        from ...losses import jacobian
        return jacobian.jacobian(scores=[given.scale * v for v in given.scores])
    routes = [Route("p", tuple(to_float(v) for v in probs), jacobian_of)]
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
