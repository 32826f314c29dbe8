"""The softmax quantities: probabilities, loss, gradient, the case formulas and the Jacobian, with their generated mistakes."""
from __future__ import annotations

from functools import lru_cache

from sympy import Eq, ImmutableMatrix, Integer, Ne, exp, log

from ...engine.notation import all_classes_sum, k, m, s, y
from ..registry import Given, Quantity, Reference, Variant, register
from .common import exact_matrix, instance


def _p(index, scale=1):
    return exp(scale * s[index]) / all_classes_sum(exp(scale * s[m]), m)


SOFTMAX_LOSS = -log(_p(y))
SOFTMAX_LOSS_VARIANTS = {
    "log10": ("log base 10 was used instead of the natural log", -log(_p(y)) / log(10)),
    "log2": ("log base 2 was used instead of the natural log", -log(_p(y)) / log(2)),
    "missing-minus": ("the minus sign of -log p_{y_i} is missing", log(_p(y))),
    "unnormalised-softmax": ("e^{s_{y_i}} was used without dividing by sum_m e^{s_m}", -s[y]),
}


@lru_cache(maxsize=256)
def _softmax_derivation(given: Given):
    from ...losses import softmax
    return softmax.gradient(scores=list(given.scores), label=given.label, scale=given.scale)


def _softmax_probs_exact(given, scale):
    n = len(given.scores)
    return ImmutableMatrix([instance(_p(Integer(i)), given, scale) for i in range(n)])


def _softmax_probs(given):
    d = _softmax_derivation(given)
    reference = exact_matrix(d.results["probs"].expr)
    variants = [Variant("unnormalised-softmax", "e^{s_j} was not divided by sum_m e^{s_m}",
                        value=ImmutableMatrix([exp(given.scale * v) for v in given.scores]))]
    if given.scale != 1:
        variants.append(Variant("scale-not-applied", "the scores were not multiplied by the scale",
                                value=_softmax_probs_exact(given, 1)))
    return Reference("softmax.probs", value=reference, variants=variants, derivation=d)


def _softmax_loss(given):
    d = _softmax_derivation(given)
    variants = [Variant(tag, text, value=instance(expr, given, given.scale))
                for tag, (text, expr) in SOFTMAX_LOSS_VARIANTS.items()]
    if given.scale != 1:
        variants.append(Variant("scale-not-applied", "the scores were not multiplied by the scale",
                                value=instance(SOFTMAX_LOSS, given, 1)))
    label = given.label

    def from_probs(probs):
        return -log(probs[label])
    return Reference("softmax.loss", value=d.results["loss"].expr, variants=variants, derivation=d,
                     recompute=from_probs)


def _softmax_dscores(given):
    d = _softmax_derivation(given)
    reference = exact_matrix(d.results["dscores"].expr)
    probs = exact_matrix(d.results["probs"].expr)
    label, n = given.label, len(given.scores)
    onehot = ImmutableMatrix([1 if i == label else 0 for i in range(n)])
    variants = [
        Variant("no-minus-one", "p_k was used for the correct class too: p_{y_i} - 1 is its gradient", value=probs),
        Variant("sign-flipped-gradient", "the gradient has the wrong sign: 1[k = y_i] - p_k", value=-reference),
    ]
    if given.scale != 1:
        variants.append(Variant("scale-not-applied", "the scores were not multiplied by the scale",
                                value=_softmax_probs_exact(given, 1) - onehot))

    def from_probs(p):
        return ImmutableMatrix([p[i] - (1 if i == label else 0) for i in range(n)])
    return Reference("softmax.dscores", value=reference, variants=variants, derivation=d, recompute=from_probs)


def _softmax_case(name):
    def reference(given):
        from ...losses import softmax
        d = softmax.gradient()
        expr = d.results[name].expr
        variants = [Variant("sign-flipped-gradient", "the sign is flipped", expr=-expr)]
        if name == "dscore_correct":
            variants.append(Variant("no-minus-one", "p_{y_i} without the - 1 of the correct class",
                                    expr=expr + 1))
        condition = Eq(k, y) if name == "dscore_correct" else Ne(k, y)
        return Reference(f"softmax.{name}", expr=expr, conditions=(condition,), variants=variants, derivation=d)
    return reference


def _softmax_jacobian(given):
    """dp/ds at the (scaled) scores: with a scale C, the Jacobian with respect to the scaled scores C s."""
    from ...losses import jacobian
    d = jacobian.jacobian(scores=[given.scale * v for v in given.scores])
    reference = exact_matrix(d.results["jacobian"].expr)
    variants = [Variant("sign-flipped-gradient", "the signs are flipped", value=-reference)]
    probs = _softmax_probs_exact(given, given.scale)
    variants.append(Variant("missing-diagonal", "the diag(p) term is missing: only -p p^T",
                            value=-(probs * probs.T)))
    return Reference("softmax.jacobian", value=reference, variants=variants, derivation=d)


# --- registration ---------------------------------------------------------------------------

register(Quantity("softmax.probs", "vector", "a vector of probabilities, e.g. [0.268, 0.005, 0.727]",
                  ("scores",), _softmax_probs))
register(Quantity("softmax.loss", "number", "a number, e.g. 1.318", ("scores", "label"), _softmax_loss,
                  depends_on=("softmax.probs",)))
register(Quantity("softmax.dscores", "vector", "a vector, e.g. [-0.732, 0.005, 0.727]", ("scores", "label"),
                  _softmax_dscores, depends_on=("softmax.probs",)))
register(Quantity("softmax.dscore_correct", "expression", "a formula in p_k or p_{y_i}, e.g. p_{y_i} - 1",
                  (), _softmax_case("dscore_correct")))
register(Quantity("softmax.dscore_incorrect", "expression", "a formula in p_k, e.g. p_k", (),
                  _softmax_case("dscore_incorrect")))
register(Quantity("softmax.jacobian", "matrix", "a matrix, e.g. [[0.196, -0.001, -0.195], ...] or a bmatrix",
                  ("scores",), _softmax_jacobian))
