"""The quantities of each derivation family, with references from the engine's derivations.

A family encodes its loss once (the same SymPy expression the derivation
module differentiates) and a list of *variant* losses: the loss as a student
might have mis-encoded it (the j = y_i term kept, the max dropped, Delta's
sign flipped, log base 10, the minus missing, softmax unnormalised, the scale
not applied). Every quantity of a variant is recomputed by the same code as
the reference, for the given at hand: the diagnoses are generated from the
derivation, not read from a list of known wrong numbers.
"""
from __future__ import annotations

from functools import lru_cache

import sympy
from sympy import Eq, Heaviside, ImmutableMatrix, Integer, Max, Ne, Sum, exp, log

from ..evaluate import concrete
from ..notation import Delta, K, SumExcept, all_classes_sum, j, k, m, s, y
from .quantities import Given, Quantity, Reference, Variant, register

# --- exact evaluation of a loss for a given ---------------------------------------------


def _scores_map(given: Given, scale=1):
    return {s[i]: sympy.Rational(scale) * v for i, v in enumerate(given.scores)}


def _for_given(expr, given: Given):
    """``expr`` with the given's K, y_i and Delta put in and its sums written out (scores left symbolic)."""
    env = {K: len(given.scores)}
    if given.label is not None:
        env[y] = given.label
    return concrete(expr, env).xreplace({Delta: given.delta})


def _instance(expr, given: Given, scale=1):
    """``expr`` for the given: K, y_i, Delta and the (scaled) scores put in, sums written out."""
    return _for_given(expr, given).xreplace(_scores_map(given, scale))


def _subgradient(expr):
    """SymPy's Heaviside(u) (1/2 on the kink) as the derivations' 1[u > 0] (0 on the kink)."""
    return expr.replace(lambda e: isinstance(e, Heaviside), lambda e: Heaviside(e.args[0], 0))


def _gradient(loss_expr, given: Given, scale=1):
    """The exact gradient of a loss with respect to the (unscaled) scores, as a column vector."""
    concrete_loss = _for_given(loss_expr, given)
    unscaled = {s[i]: sympy.Rational(scale) * s[i] for i in range(len(given.scores))}
    concrete_loss = concrete_loss.xreplace(unscaled)
    values = {s[i]: v for i, v in enumerate(given.scores)}
    entries = [_subgradient(sympy.diff(concrete_loss, s[i])).xreplace(values) for i in range(len(given.scores))]
    return ImmutableMatrix([sympy.nsimplify(e) if e.is_Float else e for e in entries])


# --- SVM -----------------------------------------------------------------------------------

def _margin(index, delta=Delta):
    return s[index] - s[y] + delta


SVM_LOSS = SumExcept(Max(0, _margin(j)), j, y)
SVM_VARIANTS = {
    "kept-correct-term": ("the j = y_i term was kept in the sum: it adds Delta to the loss",
                          Sum(Max(0, _margin(j)), (j, 0, K - 1))),
    "dropped-max": ("max(0, .) was dropped: negative margins were added instead of clipped at 0",
                    SumExcept(_margin(j), j, y)),
    "flipped-delta": ("Delta's sign is flipped: s_j - s_{y_i} - Delta instead of + Delta",
                      SumExcept(Max(0, _margin(j, -Delta)), j, y)),
    "reversed-margin": ("the margin is reversed: s_{y_i} - s_j + Delta instead of s_j - s_{y_i} + Delta",
                        SumExcept(Max(0, s[y] - s[j] + Delta), j, y)),
}


@lru_cache(maxsize=256)
def _svm_derivation(given: Given):
    from .. import svm
    return svm.gradient(delta=given.delta, scores=list(given.scores) if given.scores else None,
                        label=given.label if given.scores else None)


def _svm_loss(given):
    d = _svm_derivation(given)
    variants = [Variant(tag, text, value=_instance(expr, given)) for tag, (text, expr) in SVM_VARIANTS.items()]
    return Reference("svm.loss", value=d.results["loss"].expr, variants=variants, derivation=d)


def _svm_dscores(given):
    d = _svm_derivation(given)
    reference = d.results["dscores"].expr
    variants = [Variant(tag, text, value=_gradient(expr, given)) for tag, (text, expr) in SVM_VARIANTS.items()]
    variants.append(Variant("sign-flipped-gradient", "the gradient has the wrong sign everywhere", value=-reference))
    correct_positive = reference.as_mutable()
    correct_positive[given.label] = -correct_positive[given.label]
    variants.append(Variant("missing-minus-correct-class",
                            "the correct class's entry lost its minus sign", value=ImmutableMatrix(correct_positive)))
    return Reference("svm.dscores", value=reference, variants=variants, derivation=d)


def _svm_case(name, var, condition):
    def reference(given):
        d = _svm_derivation(given)
        expr = d.results[name].expr
        variants = [Variant(tag, text, expr=sympy.diff(loss, var)) for tag, (text, loss) in SVM_VARIANTS.items()]
        variants.append(Variant("sign-flipped-gradient", "the sign is flipped", expr=-expr))
        value = None
        if given.scores is not None and name == "dscore_correct":
            value = d.results["dscores"].expr[given.label]
        return Reference(f"svm.{name}", value=value, expr=expr, conditions=(condition,), variants=variants,
                         derivation=d)
    return reference


# --- softmax -------------------------------------------------------------------------------

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
    from .. import softmax
    return softmax.gradient(scores=list(given.scores), label=given.label, scale=given.scale)


def _softmax_probs_exact(given, scale):
    n = len(given.scores)
    return ImmutableMatrix([_instance(_p(Integer(i)), given, scale) for i in range(n)])


def _softmax_probs(given):
    d = _softmax_derivation(given)
    reference = _exact_matrix(d.results["probs"].expr)
    variants = [Variant("unnormalised-softmax", "e^{s_j} was not divided by sum_m e^{s_m}",
                        value=ImmutableMatrix([exp(given.scale * v) for v in given.scores]))]
    if given.scale != 1:
        variants.append(Variant("scale-not-applied", "the scores were not multiplied by the scale",
                                value=_softmax_probs_exact(given, 1)))
    return Reference("softmax.probs", value=reference, variants=variants, derivation=d)


def _softmax_loss(given):
    d = _softmax_derivation(given)
    variants = [Variant(tag, text, value=_instance(expr, given, given.scale))
                for tag, (text, expr) in SOFTMAX_LOSS_VARIANTS.items()]
    if given.scale != 1:
        variants.append(Variant("scale-not-applied", "the scores were not multiplied by the scale",
                                value=_instance(SOFTMAX_LOSS, given, 1)))
    label = given.label

    def from_probs(probs):
        return -log(probs[label])
    return Reference("softmax.loss", value=d.results["loss"].expr, variants=variants, derivation=d,
                     recompute=from_probs)


def _softmax_dscores(given):
    d = _softmax_derivation(given)
    reference = _exact_matrix(d.results["dscores"].expr)
    probs = _exact_matrix(d.results["probs"].expr)
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


def _exact_matrix(value):
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (list, tuple)):
            return ImmutableMatrix(value)
        return ImmutableMatrix(list(value))
    if isinstance(value, sympy.MatrixBase):
        return ImmutableMatrix(value) if value.cols == 1 or value.rows > 1 else ImmutableMatrix(list(value))
    return value


def _softmax_case(name):
    def reference(given):
        from .. import softmax
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
    from .. import jacobian
    d = jacobian.jacobian(scores=[given.scale * v for v in given.scores])
    reference = _exact_matrix(d.results["jacobian"].expr)
    variants = [Variant("sign-flipped-gradient", "the signs are flipped", value=-reference)]
    probs = _softmax_probs_exact(given, given.scale)
    variants.append(Variant("missing-diagonal", "the diag(p) term is missing: only -p p^T",
                            value=-(probs * probs.T)))
    return Reference("softmax.jacobian", value=reference, variants=variants, derivation=d)


# --- logistic regression ------------------------------------------------------------------------
#
# The loss of one example, L = -t log y - (1 - t) log(1 - y) with y = sigma(z) and z = w^T x, as the
# derivation encodes it. A gradient is the chain dL/dy · dy/dz · dz/dw_j; a mistake is a mis-encoded loss
# (the minus sign dropped, log base 10) or a link of the chain left out (dy/dz or dz/dw_j taken as 1),
# and each is worked through by the same chain.

LOGISTIC_LOSS_VARIANTS = {
    "sign-flipped-gradient": ("the minus sign of -t log y - (1 - t) log(1 - y) was dropped", lambda loss: -loss),
    "log10": ("log base 10 was used instead of the natural log",
              lambda loss: loss.replace(log, lambda u: log(u) / log(10))),
}
#: links of the chain a student may leave out: (tag, description, which factor is taken as 1)
LOGISTIC_CHAIN_VARIANTS = {
    "missing-sigmoid-derivative": ("the sigmoid's derivative dy/dz = y(1 - y) is missing (taken as 1)", "dy_dz"),
    "missing-input": ("the factor dz/dw_j = x_j is missing: that is dL/dz, not dL/dw_j", "dz_dw"),
}


@lru_cache(maxsize=1)
def _logistic_derivation():
    from .. import logistic
    return logistic.gradient()


def _logistic_chain(loss, factors, through_input=True, dropped=None):
    """dL/dy · dy/dz (· dz/dw_j) for ``loss`` in y, with the factor named ``dropped`` taken as 1."""
    from ..logistic import Y
    chain = [sympy.diff(loss, Y), factors["dy_dz"]] + ([factors["dz_dw"]] if through_input else [])
    names = ["dloss_dy", "dy_dz", "dz_dw"]
    product = Integer(1)
    for name, factor in zip(names, chain):
        if name != dropped:
            product *= factor
    return sympy.factor(sympy.cancel(product))


def _logistic_case(name):
    """logistic.dw ((y - t) x_j) or logistic.dz (y - t), with the variants worked through by the chain."""
    through_input = name == "dloss_dw"
    sign_words = {"dloss_dw": "(t - y) x instead of (y - t) x", "dloss_dz": "t - y instead of y - t"}

    def reference(given):
        from ..logistic import Y, loss_expression
        from ..notation import Sigmoid, sigmoid, z
        d = _logistic_derivation()
        factors = {key: d.results[key].expr for key in ("dy_dz", "dz_dw")}
        loss = loss_expression()
        expected = d.results[name].expr
        if sympy.simplify(_logistic_chain(loss, factors, through_input) - expected) != 0:
            raise RuntimeError(f"the chain of the encoded loss does not give the derivation's {name}")
        variants = []
        for tag, (text, mistake) in LOGISTIC_LOSS_VARIANTS.items():
            if tag == "sign-flipped-gradient":
                text = f"{sign_words[name]}: {text}"
            variants.append(Variant(tag, text, expr=_logistic_chain(mistake(loss), factors, through_input)))
        for tag, (text, dropped) in LOGISTIC_CHAIN_VARIANTS.items():
            if dropped == "dz_dw" and not through_input:
                continue
            variants.append(Variant(tag, text, expr=_logistic_chain(loss, factors, through_input, dropped)))
        return Reference(f"logistic.{name.replace('dloss_', 'd')}", expr=expected, variants=variants, derivation=d,
                         definitions={Y: Sigmoid(z), Sigmoid: sigmoid})
    return reference


# --- the registry ------------------------------------------------------------------------------

register(Quantity("svm.loss", "number", "a number, e.g. 2", ("scores", "label"), _svm_loss))
register(Quantity("svm.dscores", "vector", "a vector, e.g. [-1, 0, 1]", ("scores", "label"), _svm_dscores))
register(Quantity("svm.dscore_correct", "expression",
                  r"a formula in s_j, s_{y_i}, \Delta, e.g. -\sum_{j \neq y_i} \mathbb{1}(s_j - s_{y_i} + \Delta > 0)",
                  (), _svm_case("dscore_correct", s[y], Eq(k, y))))
register(Quantity("svm.dscore_incorrect", "expression",
                  r"a formula in s_k (or s_j), s_{y_i}, \Delta, e.g. \mathbb{1}(s_k - s_{y_i} + \Delta > 0)",
                  (), _svm_case("dscore_incorrect", s[k], Ne(k, y))))
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
register(Quantity("logistic.dz", "expression",
                  r"a formula in y (the prediction \sigma(z)) and t, e.g. y - t", (), _logistic_case("dloss_dz")))
register(Quantity("logistic.dw", "expression",
                  r"a formula in y (or \sigma(z)), t and x_j, e.g. (y - t) x_j", (), _logistic_case("dloss_dw")))
