"""Quantities of the gradients with respect to the weights, with their generated mistakes.

* ``svm.dW`` and ``softmax.dW``: the D x K matrix, for one example (``inputs``, ``weights`` as D
  rows, ``label``, ``delta``) or a small batch given inline (``X``, ``y``, ``W``, ``reg``,
  ``reg_form``): the numbers of ``derive ... --wrt weights`` / ``--wrt batch``;
* ``svm.scores`` and ``softmax.scores``: s = W^T x (K entries), or S = X W (N x K);
* ``svm.dw_correct``, ``svm.dw_incorrect``, ``softmax.dw_correct``, ``softmax.dw_incorrect``: the
  formulas of seed 001 (3)/(4) and seed 004, read in scores (``\\mathbb{1}(s_j - s_{y_i} + 1 > 0) x_i``)
  or in weights (``1(\\mathbf{w}_j^T \\mathbf{x}_i - \\mathbf{w}_{y_i}^T \\mathbf{x}_i + 1 > 0) \\mathbf{x}_i``):
  a vector answer is judged by its entry d, with D and K instantiated.

The mistakes are worked through for the given: the SVM's mis-encoded losses through the same
chain x (dL/ds)^T, the sign of the correct class's term, a transposed dW, and for a batch the
matrix form rewritten (the delta_{c,y_n} dropped as seed 002's last line does, the 1/N missing,
2 lambda W under the other reg_form) and evaluated by the same NumPy evaluator.
"""
from __future__ import annotations

from functools import lru_cache

import sympy
from sympy import ImmutableMatrix, Indexed, Ne, Symbol

from ...engine.inputs import InputError
from ...engine.notation import D, Delta, PerExample, W, c, feature, j, k, m, p, s, weighted_score, x, y
from ..feedback import words
from ..registry import Given, LazyVariants, Quantity, Reference, Variant, register
from .svm import SUM_LEFT_OUT, SVM_VARIANTS, without_sum

#: the input of another example j (what x_j means when x_i is the example's input): x_d^(j)
OTHER_INPUT = PerExample("x", real=True)


# --- reading a vector answer -------------------------------------------------------------------------

def _example_index():
    from ...parse.names import i
    return i


def _component(vector, index):
    """Entry ``index`` of a vector an answer names: w_k -> W_{index,k}, x_i or x -> x_index, x_j -> x_index^(j)."""
    i = _example_index()
    if isinstance(vector, Indexed) and vector.base == sympy.IndexedBase("w", real=True):
        return W[index, vector.indices[0]]
    if vector == Symbol("x", real=True) or (isinstance(vector, Indexed) and vector.base == x
                                            and vector.indices[0] == i):
        return x[index]
    if isinstance(vector, Indexed) and vector.base == x:
        return OTHER_INPUT[vector.indices[0], index]
    return None


def _vector_entry(expr, index):
    """A linear combination of vectors (w_j - w_{y_i}), entry ``index``."""
    from ...parse.vectors import Dot, Transposed
    if isinstance(expr, (Dot, Transposed)):
        raise _unreadable(words("a transpose must multiply one vector: ", _score_of(j)))
    found = _component(expr, index)
    if found is not None:
        return found
    if isinstance(expr, sympy.Add):
        return sympy.Add(*[_vector_entry(term, index) for term in expr.args])
    if isinstance(expr, sympy.Mul):
        vectors = [f for f in expr.args if _has_vector(f)]
        if len(vectors) != 1:
            raise _unreadable(words("cannot read ", expr, " as a vector"))
        rest = [f for f in expr.args if f is not vectors[0]]
        return sympy.Mul(*rest) * _vector_entry(vectors[0], index)
    raise _unreadable(words("cannot read ", expr, " as a vector: use ", _weight_vector(j), ", ", _input()))


def _combination(expr):
    """{vector: coefficient} for a linear combination of vectors (w_j - w_{y_i}), or None."""
    if _component(expr, feature) is not None:
        return {expr: sympy.S.One}
    if isinstance(expr, sympy.Add):
        total = {}
        for term in expr.args:
            part = _combination(term)
            if part is None:
                return None
            for vector, coefficient in part.items():
                total[vector] = total.get(vector, 0) + coefficient
        return total
    if isinstance(expr, sympy.Mul):
        vectors = [f for f in expr.args if _has_vector(f)]
        if len(vectors) != 1:
            return None
        part = _combination(vectors[0])
        rest = sympy.Mul(*[f for f in expr.args if f is not vectors[0]])
        return None if part is None else {v: rest * q for v, q in part.items()}
    return None


def _as_scores(a, b):
    """w_k^T x_i (and combinations of it) as the scores w_k^T x, when one side is weights and the other this
    example's input; None otherwise."""
    from ...engine.notation import WeightedScore
    weights_base, this = sympy.IndexedBase("w", real=True), x[feature]
    for left, right in ((a, b), (b, a)):
        first, second = _combination(left), _combination(right)
        if first is None or second is None:
            continue
        if all(isinstance(v, Indexed) and v.base == weights_base for v in first) and \
                all(_component(v, feature) == this for v in second):
            scale = sympy.Add(*second.values())
            return scale * sympy.Add(*[q * WeightedScore(v.indices[0]) for v, q in first.items()])
    return None


def _has_vector(expr) -> bool:
    return any(_component(a, feature) is not None for a in sympy.preorder_traversal(expr)
               if isinstance(a, (Indexed, Symbol)))


def _weight_vector(index):
    """w_j, the weight vector of class ``index`` (a column of W), as the feedback writes it."""
    from ...engine.notation import w
    return w[index]


def _input(index=None):
    """x_i (this example's input), or x_j, as the feedback writes it."""
    return x[_example_index() if index is None else index]


def _score_of(index):
    """w_j^T x: the score of class ``index`` written with the weights, as the weight derivations write it."""
    from ...engine.notation import WeightedScore
    return WeightedScore(index)


def _unreadable(message):
    from ..judge import Unreadable
    return Unreadable(message)


def in_components(expr, rename=True):
    """A vector answer as its entry d: w_j^T x_i -> sum_d W_dj x_d (= s_j), x_i -> x_d, x_j -> x_d^(j);
    with ``rename``, its one free class index named c (the reference's class, for the incorrect classes)."""
    from ...parse.vectors import Dot, Transposed
    bound = sympy.Dummy("d", integer=True)

    def dot(a, b):
        scores = _as_scores(a, b)
        if scores is not None:
            return scores
        return sympy.Sum(_vector_entry(a, bound) * _vector_entry(b, bound), (bound, 0, D - 1))
    # each dot product, then each vector left (x_i, x_j, x), through placeholders: the entries put in
    # (x_d, W_dj) are never read again as vectors, nor is the x that labels them
    dots = {node: sympy.Dummy("dot") for node in expr.atoms(Dot)}
    expr = expr.xreplace(dots)
    if expr.has(Transposed):
        raise _unreadable(words("a transpose must be followed by the vector it multiplies, as in ", _score_of(j)))
    vectors = {e: sympy.Dummy("vector") for e in expr.atoms(Indexed) if e.base in (x, sympy.IndexedBase("w", real=True))}
    expr = expr.xreplace(vectors)
    if expr.has(sympy.IndexedBase("w", real=True).label) or any(v.base != x for v in vectors):
        raise _unreadable(words(_weight_vector(j), " appears outside a product ", _score_of(j), ": the gradient is a "
                                "multiple of the input ", _input()))
    expr = expr.xreplace({Symbol("x", real=True): x[feature]})
    expr = expr.xreplace({placeholder: _component(vector, feature) for vector, placeholder in vectors.items()})
    expr = expr.xreplace({placeholder: dot(*node.args) for node, placeholder in dots.items()})
    i = _example_index()
    classes = {a for a in expr.free_symbols if isinstance(a, Symbol) and a.is_integer
               and a in (j, k, m, i, c)}
    if rename and len(classes) == 1 and c not in classes:
        expr = expr.xreplace({classes.pop(): c})
    return expr


def answer_definitions():
    """What the names of a weight answer stand for: s_j = sum_d W_dj x_d, p_j its softmax, w_j^T x likewise."""
    from ...engine.notation import WeightedScore
    from ...losses import softmax
    return {s: weighted_score, WeightedScore: weighted_score, p: softmax.probability}


# --- the formulas ---------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _weights_derivation(loss: str, delta=sympy.Integer(1)):
    from ...losses import weights
    return weights.gradient(loss, delta=delta)


def _svm_formula_variants(name):
    """SVM_VARIANTS worked through the chain x_d dL/ds_c, for the case of ``name``."""
    var = s[y] if name == "dw_correct" else s[c]
    found = []
    for tag, (text, loss) in SVM_VARIANTS.items():
        found.append(Variant(tag, text, expr=sympy.diff(loss, var) * x[feature]))
    return found


def _formula(loss: str, name: str):
    def reference(given):
        d = _weights_derivation(loss)
        expr = d.results[name].expr
        # the correct class is y_i itself; a class j an answer names for it is another class
        conditions = (Ne(j, y),) if name == "dw_correct" else (Ne(c, y),)
        other = expr.xreplace({x[feature]: OTHER_INPUT[c, feature]}) if name == "dw_incorrect" else \
            expr.xreplace({x[feature]: OTHER_INPUT[j, feature]})
        from ...parse.names import i
        variants = [
            Variant("input-of-another-example", words(_input(j), " was written for ", _input(), ": the input is that "
                                                      "of this example ", i, ", the same for every class (", s[j],
                                                      " = ", _score_of(j), ")"), expr=other),
            Variant("sign-flipped-gradient", "the sign is flipped", expr=-expr),
        ]
        if loss == "svm":
            variants += _svm_formula_variants(name)
            if name == "dw_correct":
                variants.append(Variant("sum-left-out", SUM_LEFT_OUT, expr=without_sum(expr)))
            if name == "dw_incorrect":
                variants.append(Variant("margin-classes-lost", words(
                    "the margin ", _score_of(j) - _score_of(y) + Delta, " lost its classes (its two scores were "
                    "written for one class, and cancel): it is that of class ", j, " against the correct class ", y),
                    expr=sympy.Heaviside(Delta, 0) * x[feature]))
        else:
            from .softmax import NORMALISER
            variants.append(Variant("unnormalised-softmax", words(sympy.exp(s[j]), " was used for ", p[j],
                                                                  ", without dividing by ", NORMALISER),
                                    expr=expr.replace(lambda e: getattr(e, "base", None) == p,
                                                      lambda e: sympy.exp(s[e.indices[0]]))))
        if loss != "svm" and name == "dw_correct":
            wrong_p = (p[j] - 1) * x[feature]
            gradient = (p[y] - 1) * _input()
            variants += [
                Variant("probability-of-class-j", words(p[j], " was written for ", p[y], ": the correct class's "
                                                        "gradient is ", gradient, ", with the probability of the "
                                                        "correct class"), expr=wrong_p),
                Variant("probability-of-class-j-and-input-of-another-example", words(
                    p[j], " was written for ", p[y], " and ", _input(j), " for ", _input(), ": the correct class's "
                    "gradient is ", gradient), expr=(p[j] - 1) * OTHER_INPUT[j, feature]),
                Variant("no-minus-one", words(p[y] * _input(), " instead of ", gradient, ": the correct class "
                                              "subtracts 1 from its probability"), expr=p[y] * x[feature]),
            ]
        return Reference(f"{loss}.{name}", expr=expr, conditions=conditions, variants=variants, derivation=d,
                         definitions=answer_definitions(),
                         interpret=lambda e: in_components(e, rename=name == "dw_incorrect"))
    return reference


# --- the numbers ----------------------------------------------------------------------------------------

def _one_example(given: Given):
    return given.inputs is not None and given.weights is not None and given.label is not None \
        and isinstance(given.weights[0], tuple)


def _batch(given: Given):
    return given.X is not None


def _not_logistic(given: Given, name):
    if given.is_logistic_batch:
        raise InputError(f"{name}: W is D x K (one column per class); D numbers are logistic regression's weights")


def _needs(name):
    return InputError(f"{name} needs inputs, weights (D rows of K) and label, or a batch X, y and W in given")


@lru_cache(maxsize=256)
def _example_derivation(loss: str, given: Given):
    from ...losses import weights
    return weights.gradient(loss, delta=given.delta if loss == "svm" else 1, inputs=list(given.inputs),
                            weights=[list(row) for row in given.weights], label=given.label)


@lru_cache(maxsize=1024)
def _example_numbers(loss: str, given: Given) -> dict:
    """s = W^T x, dL/ds and dW = x (dL/ds)^T for one example, exactly: dL/ds from the family's encoded loss at
    these scores (:func:`.svm.svm_numbers`, the softmax probabilities minus the one-hot label), the chain the
    weight derivation verifies, without building that derivation for every sheet's given (the tests check that
    both agree)."""
    from .softmax import _onehot, _softmax_probs_exact
    from .svm import svm_numbers
    rows = ImmutableMatrix([list(row) for row in given.weights])
    scores = ImmutableMatrix(rows.T * ImmutableMatrix(list(given.inputs)))
    scored = Given(scores=tuple(scores), label=given.label, delta=given.delta)
    if loss == "svm":
        dscores = svm_numbers(scored)[1]
    else:
        dscores = _softmax_probs_exact(scored, 1) - _onehot(len(scores), given.label)
    inputs = ImmutableMatrix(list(given.inputs))
    return {"scores": scores, "scored": scored, "dscores": dscores, "dW": ImmutableMatrix(inputs * dscores.T)}


def _example_variants(loss: str, given: Given, reference):
    from .svm import _variant_numbers
    numbers = _example_numbers(loss, given)
    inputs = ImmutableMatrix(list(given.inputs))
    variants = []
    if loss == "svm":
        for tag, text, _, gradient in _variant_numbers(numbers["scored"]):
            variants.append(Variant(tag, text, value=ImmutableMatrix(inputs * gradient.T)))
        flipped = reference.as_mutable()
        flipped[:, given.label] = -flipped[:, given.label]
        variants.append(Variant("sign-of-correct-class", _example_words("sign-of-correct-class"),
                                value=ImmutableMatrix(flipped)))
    else:
        probabilities = numbers["dscores"] + ImmutableMatrix([1 if c == given.label else 0
                                                             for c in range(len(numbers["dscores"]))])
        variants.append(Variant("no-minus-one", _example_words("no-minus-one"),
                                value=ImmutableMatrix(inputs * probabilities.T)))
    variants.append(Variant("sign-flipped-gradient", "the gradient has the wrong sign everywhere", value=-reference))
    variants.append(Variant("transposed", _example_words("transposed"), value=reference.T))
    variants += _wrong_label_variants(loss, numbers["scored"], inputs)
    return variants


def _wrong_label_variants(loss: str, scored: Given, inputs):
    """dW = x (dL/ds)^T with dL/ds worked out for another class c taken as the label (each c is tried, as for
    the gradient of the scores): the SVM's indicators and count, or p - onehot(c)."""
    from .softmax import _onehot, _other_labels, _softmax_probs_exact
    from .svm import _wrong_label_text, _wrong_labels, svm_numbers
    if loss == "svm":
        return [Variant("wrong-label", _wrong_label_text(scored.label, c),
                        value=ImmutableMatrix(inputs * svm_numbers(scored, label=c)[1].T))
                for c in _wrong_labels(scored)]
    probabilities = _softmax_probs_exact(scored, 1)
    return [Variant("wrong-label", _wrong_label_text(scored.label, c),
                    value=ImmutableMatrix(inputs * (probabilities - _onehot(len(probabilities), c)).T))
            for c in _other_labels(scored)]


@lru_cache(maxsize=None)
def _example_words(tag: str):
    """The description of a mistake in the gradient of one example's weights (the same for every given)."""
    from ...engine.matrices import W_
    from ...engine.notation import K, Times
    if tag == "sign-of-correct-class":
        return words("the correct class's column lost its minus sign: it is minus the count of violated margins "
                     "times ", _x())
    if tag == "no-minus-one":
        probs, onehot = sympy.MatrixSymbol("p", K, 1), sympy.MatrixSymbol("y", K, 1)
        return words("the one-hot label was not subtracted: ", sympy.MatMul(_x(), probs.T), " instead of ",
                     sympy.MatMul(_x(), sympy.Transpose(probs - onehot)))
    return words("the gradient is transposed: it is ", Times(D, K), " like ", W_, ", ", _x(), " times the gradient "
                 "of the scores as a row")


def _x():
    """x, the example's input (a column of D numbers)."""
    return sympy.MatrixSymbol("x", D, 1)


def _dW(loss: str):
    def reference(given):
        if _batch(given):
            _not_logistic(given, f"{loss}.dW")
            from .batch import dW_reference  # NumPy only for a batch: other sheets never import it
            return dW_reference(loss, given)
        if _one_example(given):
            value = _example_numbers(loss, given)["dW"]
            return Reference(f"{loss}.dW", value=value,
                             variants=LazyVariants(lambda: _example_variants(loss, given, value)),
                             derive=lambda: _example_derivation(loss, given))
        raise _needs(f"{loss}.dW")
    return reference


def _scores(loss: str):
    def reference(given):
        if _batch(given):
            _not_logistic(given, f"{loss}.scores")
            from .batch import scores_reference
            return scores_reference(loss, given)
        if given.inputs is not None and given.weights is not None and isinstance(given.weights[0], tuple):
            rows = ImmutableMatrix([list(row) for row in given.weights])
            value = ImmutableMatrix(rows.T * ImmutableMatrix(list(given.inputs)))
            return Reference(f"{loss}.scores", value=value)
        raise InputError(f"{loss}.scores needs inputs and weights (D rows of K), or a batch X and W in given")
    return reference


# --- registration ---------------------------------------------------------------------------------

for _loss in ("svm", "softmax"):
    register(Quantity(f"{_loss}.scores", "array", "a vector s = W^T x (K entries), or for a batch S = X W, "
                      "e.g. [3, -2, 4]", (), _scores(_loss)))
    register(Quantity(f"{_loss}.dW", "array", "a D x K matrix (one row per feature), e.g. [[-1, 0, 1], [-2, 0, 2]]",
                      (), _dW(_loss)))

register(Quantity("svm.dw_correct", "expression",
                  r"a formula in scores or weights, e.g. -\left(\sum_{j \neq y_i} \mathbb{1}(\mathbf{w}_j^T "
                  r"\mathbf{x}_i - \mathbf{w}_{y_i}^T \mathbf{x}_i + 1 > 0)\right) \mathbf{x}_i", (),
                  _formula("svm", "dw_correct")))
register(Quantity("svm.dw_incorrect", "expression",
                  r"a formula in scores or weights, e.g. \mathbb{1}(s_j - s_{y_i} + 1 > 0) x_i", (),
                  _formula("svm", "dw_incorrect")))
register(Quantity("softmax.dw_correct", "expression", r"a formula, e.g. (P_{y_i} - 1) \mathbf{x}_i", (),
                  _formula("softmax", "dw_correct")))
register(Quantity("softmax.dw_incorrect", "expression", r"a formula, e.g. P_j \mathbf{x}_i", (),
                  _formula("softmax", "dw_incorrect")))

__all__ = ["in_components", "answer_definitions", "OTHER_INPUT"]
