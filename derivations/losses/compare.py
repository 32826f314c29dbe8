"""The SVM and softmax losses side by side on the same scores (seed Task 3 and seed 003, part 3).

For each score vector: both losses, worked out step by step and verified,
both gradients, which loss is larger and why (from the computed terms), which
terms are saturated; then a table of everything, the near-miss and
large-margin behaviour of the two gradients, and a figure of both losses
against the margin s_{y_i} - s_j in the two-class case, each example marked.

The gradient formulas are the ones ``derive svm-grad`` and ``derive
softmax-grad`` derive (their chains are built and verified here too, and
checked again as claims about L^SVM and L^softmax).
"""
from __future__ import annotations

import hashlib

import sympy
from sympy import Eq, Integer, Max, Ne, exp, log

from ..engine import rules as R
from ..engine.build import Builder, sentence, warning
from ..engine.differentiate import d
from ..engine.evaluate import compiled
from ..engine.inputs import (
    FLOAT64_MAX,
    InputError,
    class_names,
    exponent_bound,
    float64,
    label_index,
    number,
    score_vector,
)
from ..engine.notation import Delta, K, L, L_softmax, L_svm, Sigmoid, SumExcept, indicator, j, k, p, s, sigmoid, y
from ..engine.steps import Derivation, Figure, Math, Result, Section, Step, Table, Text
from ..engine.verify import expand_definitions
from ..report import Report
from . import softmax, svm

TITLE = "SVM and softmax losses side by side"
SUMMARY = "SVM and softmax losses and gradients side by side on the same scores, with a figure"

MAX_VECTORS = 20
#: a softmax gradient entry below this is called saturated (it no longer moves the score noticeably)
SATURATED = 1e-4
#: the margin in the two-class picture
MARGIN = sympy.Symbol("g", real=True)          # the score gap s_{y_i} - s_j (the SVM's margin is s_j - s_{y_i} + Delta)


def parse_vectors(scores) -> list[list]:
    """Score vectors from "a,b,c;d,e,f" or a list of lists (or one list); all of the same length."""
    if scores is None:
        raise InputError("--scores are missing: give one or more vectors, e.g. \"10,-2,3;10,9,9\"")
    if isinstance(scores, str):
        if scores.strip() == "":
            raise InputError("scores are empty: give numbers separated by commas, vectors by ';', e.g. 3,-1,4;10,9,9")
        parts = [part.strip() for part in scores.split(";")]
        if any(part == "" for part in parts):
            raise InputError("scores have an empty vector: separate vectors by ';', e.g. 3,-1,4;10,9,9")
    else:
        parts = list(scores)
        if parts and not isinstance(parts[0], (list, tuple, str)):
            parts = [parts]                                     # one vector given as a list of numbers
    if len(parts) > MAX_VECTORS:
        raise InputError(f"{len(parts)} score vectors given; at most {MAX_VECTORS} are supported")
    vectors = [score_vector(part, f"scores of vector {n}") for n, part in enumerate(parts, 1)]
    for n, vector in enumerate(vectors[1:], 2):
        if len(vector) != len(vectors[0]):
            raise InputError(f"score vectors must have the same length: vector 1 has {len(vectors[0])} scores, "
                             f"vector {n} has {len(vector)}")
    return vectors


def compare(scores=None, label=None, delta=1, classes=None, wrt="scores", inputs=None, weights=None) -> Derivation:
    """Both losses and gradients for each score vector, a table, the figure.

    ``wrt="weights"`` compares the gradients with respect to the weights of one example instead
    (with ``inputs``, ``weights`` and ``label``: see :mod:`.compare_weights`).

    >>> d = compare(scores="3,-1,4", label=0)
    >>> d.results["svm_loss"].value, [round(v, 4) for v in d.results["softmax_loss"].value]
    ([2.0], [1.3182])
    """
    if wrt == "weights":
        if scores is not None:
            raise InputError("--scores belongs to --wrt scores; with --wrt weights give --inputs, --weights and "
                             "--label")
        from .compare_weights import compare as compare_weights
        return compare_weights(delta=delta, inputs=inputs, weights_rows=weights, label=label, classes=classes)
    if wrt != "scores":
        raise InputError(f"--wrt must be scores or weights for derive compare, not {wrt!r}")
    if inputs is not None or weights is not None:
        raise InputError("--inputs and --weights belong to --wrt weights")
    vectors = parse_vectors(scores)
    delta_value = number(delta, "delta")
    count = len(vectors[0])
    label = label_index(label, count)
    names = class_names(classes, count)
    for n, vector in enumerate(vectors, 1):
        exponent_bound(vector, label, f"scores of vector {n}")

    parameters = {"scores": [[float(v) for v in vector] for vector in vectors], "label": label,
                  "delta": float(delta_value), "classes": names}
    derivation = Report("compare", TITLE, parameters)
    svm_loss = svm.loss_expression()
    softmax_loss = softmax.loss_expression()
    builder = Builder({L_svm: svm_loss, L_softmax: softmax_loss, p: softmax.probability})

    derivation.sections.append(_losses_section(builder, svm_loss))
    formulas, section = _gradients_section(builder, svm_loss, delta_value)
    derivation.sections.append(section)

    examples = [_Example(n, vector, label, delta_value, names) for n, vector in enumerate(vectors, 1)]
    for example in examples:
        derivation.sections.append(_example_section(example, formulas))
    derivation.sections.append(_table_section(examples, names))
    derivation.sections.append(_margins_section(examples, names, delta_value))
    figure_section, files = _figure_section(examples, delta_value, parameters)
    derivation.sections.append(figure_section)
    derivation.files = files

    for example, section in zip(examples, derivation.sections[2:]):
        messages = example.warnings()
        if abs(example.svm_loss) > FLOAT64_MAX:
            messages.append(f"example {example.number}: the SVM loss {sympy.Float(example.svm_loss, 4)} is beyond "
                            f"float64's range (about 1.8e308): its JSON value is null; the exact value is in 'exact'")
        derivation.warnings += messages
        section.blocks += [warning(message) for message in messages]

    derivation.results["svm_loss"] = Result(
        "svm_loss", [e.svm_loss for e in examples], [float64(e.svm_loss) for e in examples],
        f"L_i^SVM for each score vector (Delta = {sympy.sstr(delta_value)})")
    derivation.results["softmax_loss"] = Result(
        "softmax_loss", [e.softmax.loss for e in examples], [e.softmax.loss_float for e in examples],
        "L_i^softmax for each score vector")
    derivation.results["svm_dscores"] = Result(
        "svm_dscores", [e.svm_gradient for e in examples], [[float(g) for g in e.svm_gradient] for e in examples],
        "dL_i^SVM/ds for each score vector (subgradient 0 on a hinge)")
    derivation.results["softmax_dscores"] = Result(
        "softmax_dscores", [e.softmax.gradient for e in examples], [e.softmax.gradient_floats for e in examples],
        "dL_i^softmax/ds for each score vector")
    return derivation


# --- the general part ------------------------------------------------------------------

def _losses_section(builder, svm_loss):
    svm_chain = builder.chain([Step(L_svm, svm_loss, R.Definition(L_svm, svm_loss))])
    margins = softmax.margin_form()
    softmax_chain = builder.chain([
        Step(L_softmax, softmax.loss_expression(), R.Definition(L_softmax, softmax.loss_expression())),
        Step(softmax.loss_expression(), margins, R.DerivedElsewhere("softmax-grad")),
    ])
    return Section("The two losses", [
        sentence("For an example with label ", y, " and scores ", s[j], ", the multiclass SVM (hinge) loss and the "
                 "softmax (cross-entropy) loss are"),
        svm_chain,
        softmax_chain,
        sentence("Both depend on the scores only through the differences ", s[j] - s[y], ": the SVM adds a hinge per "
                 "incorrect class, zero once ", s[y], " beats ", s[j], " by ", Delta, "; softmax adds a smooth term ",
                 exp(s[j] - s[y]), " per class inside one log, never exactly zero."),
    ])


def _gradients_section(builder, svm_loss, delta_value):
    """The four case formulas, derived by the svm and softmax derivations, checked again here."""
    svm_correct, svm_incorrect, _ = svm._gradient_section(Builder({L: svm_loss}), svm_loss, delta_value)
    sm_correct, sm_incorrect, _, _ = softmax._gradient_section(Builder(softmax.definitions()))
    differ = Ne(k, y)
    claims = [
        builder.claim(d(L_svm, s[k]), svm_incorrect, R.DerivedElsewhere("svm-grad"), conditions=(differ,)),
        builder.claim(d(L_softmax, s[k]), sm_incorrect, R.DerivedElsewhere("softmax-grad"), conditions=(differ,)),
        builder.claim(d(L_svm, s[y]), svm_correct, R.DerivedElsewhere("svm-grad")),
        builder.claim(d(L_softmax, s[y]), sm_correct, R.DerivedElsewhere("softmax-grad")),
    ]
    formulas = {"svm": (svm_correct, svm_incorrect), "softmax": (sm_correct, sm_incorrect)}
    return formulas, Section("The two gradients", [
        sentence("For an incorrect class ", differ, ":"),
        claims[0], claims[1],
        sentence("and for the correct class:"),
        claims[2], claims[3],
        sentence("The SVM's entries are whole numbers: an incorrect class gets 1 for any violated margin and 0 "
                 "otherwise. Softmax's are probabilities: they change smoothly with the scores and are never "
                 "exactly 0."),
    ])


# --- one score vector -----------------------------------------------------------------------

class _Example:
    """One score vector: both losses and gradients, exactly, and the verified chains."""

    def __init__(self, number, values, label, delta, names):
        self.number, self.values, self.label, self.delta, self.names = number, values, label, delta, names
        self.count = n = len(values)
        self.scores = {s[i]: v for i, v in enumerate(values)}
        self.margins = [v - values[label] + delta for v in values]        # s_j - s_y + Delta
        self.hinges = [Max(0, m_) if i != label else Integer(0) for i, m_ in enumerate(self.margins)]
        self.svm_loss = sympy.Add(*[self.hinges[i] for i in range(n) if i != label])
        violated = [1 if (i != label and self.margins[i] > 0) else 0 for i in range(n)]
        self.svm_gradient = [Integer(-sum(violated)) if i == label else Integer(violated[i]) for i in range(n)]
        self.softmax = softmax.Example(values, label)

    @property
    def title(self):
        return sentence(f"Example {self.number}: ", Eq(sympy.Symbol("s"), sympy.ImmutableMatrix([self.values]),
                                                        evaluate=False))

    def on_hinge(self):
        return [i for i, m_ in enumerate(self.margins) if i != self.label and m_ == 0]

    def warnings(self):
        messages = []
        hinge = self.on_hinge()
        if hinge:
            which = " and ".join(self.names[i] for i in hinge)
            messages.append(sentence(f"example {self.number}: class{'es' if len(hinge) > 1 else ''} {which} "
                                     f"sit{'s' if len(hinge) == 1 else ''} exactly on the hinge (",
                                     Eq(s[j] - s[y] + Delta, 0), "): the SVM loss has no derivative there; the "
                                     "subgradient ", Eq(indicator(s[j] - s[y] + Delta), 0, evaluate=False),
                                     " is used"))
        messages += softmax.float64_warnings(self.softmax, self.names, where=f"example {self.number}: ")
        return messages


def _example_section(example, formulas):
    n, label = example.count, example.label
    concrete = {K: Integer(n), y: Integer(label), Delta: example.delta}
    svm_concrete = svm.loss_expression().xreplace(concrete)
    definitions = softmax.concrete_definitions(n, label)
    definitions.pop(L)
    definitions.update({L_svm: svm_concrete, L_softmax: -log(p[label])})
    builder = Builder(definitions)
    svm_chain, _ = svm._loss_chain(builder, svm_concrete, example.scores, n, label, name=L_svm)
    softmax_chain = softmax.loss_chain(builder, example.softmax, name=L_softmax)
    svm_correct, svm_incorrect = formulas["svm"]
    sm_correct, sm_incorrect = formulas["softmax"]
    column = n > 4                       # a few classes: the gradients as rows, side by side with their reasons
    svm_gradient, _ = svm._gradient_chain(builder, svm_correct, svm_incorrect, concrete, example.scores, n, label,
                                          name=L_svm, column=column)
    softmax_gradient = softmax.gradient_chain(builder, example.softmax, sm_correct, sm_incorrect, name=L_softmax,
                                              column=column)
    sm_numbers = sympy.ImmutableMatrix([[softmax.decimal(g) for g in example.softmax.gradient_numbers]])
    blocks = [
        sentence("With ", Eq(y, label), _named(example.names, label), " and ", Eq(Delta, example.delta), ":"),
        svm_chain,
        softmax_chain,
        sentence("so ", L_softmax, " ≈ ", softmax.decimal(example.softmax.loss_number), "."),
        sentence(*_larger_words(example)),
        sentence("The gradients:"),
        svm_gradient,
        softmax_gradient,
        sentence("The softmax gradient in decimals: ", sm_numbers, "."),
    ]
    return Section(example.title, blocks)


def _named(names, i) -> str:
    """" (cat)" after a class index, when the class has a name of its own."""
    return "" if names[i] == str(i) else f" ({names[i]})"


def _larger_words(example):
    """Which loss is larger, and why, from the computed terms."""
    label, names = example.label, example.names
    others = [i for i in range(example.count) if i != label]
    violated = [i for i in others if example.margins[i] > 0]
    svm_value = example.svm_loss
    soft = example.softmax.loss_number
    terms_total = sympy.Add(*[example.softmax.terms[i] for i in others]).evalf(example.softmax.digits)
    largest_gap = max(example.values[i] - example.values[label] for i in others)
    bound = max(largest_gap, 0) + sympy.log(example.count)
    words = []
    if not violated:
        words += ["Every incorrect class clears the margin (", sympy.Ge(s[y] - s[j], Delta), "), so every hinge is 0 "
                  "and ", Eq(L_svm, 0), ". "]
    else:
        words += ["The hinge charges each class inside the margin the amount it misses it by, ", Delta, " included ("]
        for n, i in enumerate(violated):
            words += [", " if n else "", f"{softmax.class_word(names, i)}: ", example.margins[i]]
        words += ["), so ", L_svm, " = ", svm_value, ": at least the largest gap ", s[j] - s[y], " plus ", Delta, ". "]
    total = sympy.Symbol("S")
    words += ["Softmax charges ", log(1 + total), " with ",
              Eq(total, SumExcept(exp(s[j] - s[y]), j, y)), " ≈ ", softmax.decimal(terms_total),
              ": positive for any finite scores, and at most the largest gap (if positive) plus ", log(K), ", here ",
              bound, " ≈ ", softmax.decimal(bound.evalf(15)), ". "]
    if svm_value > soft:
        words += ["Here the SVM loss is larger (", sympy.StrictGreaterThan(svm_value, softmax.decimal(soft), evaluate=False), ")."]
    elif svm_value < soft:
        words += ["Here the softmax loss is larger (", sympy.StrictGreaterThan(softmax.decimal(soft), svm_value, evaluate=False), ")"
                  + (": the SVM is satisfied, softmax never is." if svm_value.is_zero else ".")]
    else:
        words.append("Here they are equal.")
    return words


def _which_larger(example):
    if example.svm_loss > example.softmax.loss_number:
        return "SVM"
    if example.svm_loss < example.softmax.loss_number:
        return "softmax"
    return "equal"


def _table_section(examples, names):
    """The losses of every example, then every class's gradients and how saturated they are (each number once)."""
    losses = []
    for e in examples:
        losses.append([[Text(str(e.number))], [Math(sympy.ImmutableMatrix([e.values]))], [Math(e.svm_loss)],
                       [Math(softmax.decimal(e.softmax.loss_number))], [Text(_which_larger(e))]])
    rows = []
    for e in examples:
        for i in range(e.count):
            q = e.softmax.prob_numbers[i]
            if i == e.label:
                gap, svm_state = [Text("-")], f"correct: minus {sum(1 for g in e.svm_gradient if g == 1)} violated"
                softmax_state = "saturated" if 1 - q < SATURATED else "active"
            else:
                margin = e.margins[i]
                gap = [Math(e.values[e.label] - e.values[i])]
                svm_state = "violated" if margin > 0 else "on the hinge" if margin == 0 else "cleared (saturated)"
                softmax_state = "saturated" if q < SATURATED else "active"
            rows.append([[Text(str(e.number))], [Text(names[i] + (" (correct)" if i == e.label else ""))],
                         [Math(e.values[i])], gap, [Math(e.svm_gradient[i])], [Text(svm_state)],
                         [Math(softmax.decimal(e.softmax.gradient_numbers[i]))], [Text(softmax_state)]])
    header = [[Text("example")], [Text("class")], [Math(s[j])], [Math(s[y] - s[j])], [Math(d(L_svm, s[j]))],
              [Text("SVM")], [Math(d(L_softmax, s[j]))], [Text("softmax")]]
    return Section("Side by side", [
        sentence("Softmax numbers rounded to 4 decimals (3 significant digits when smaller than 0.0001). The losses:"),
        Table([[Text("example")], [Math(sympy.Symbol("s"))], [Math(L_svm)], [Math(L_softmax)], [Text("larger")]],
              losses),
        sentence("The gradients, class by class, with the score gap ", s[y] - s[j], " and whether each gradient "
                 "still responds to it (saturated: it no longer does; exactly 0 for a cleared SVM margin, and for "
                 "softmax a probability below 0.0001, or above 0.9999 for the correct class):"),
        Table(header, rows),
    ])


# --- near misses, large margins, saturation ------------------------------------------------------

def _margins_section(examples, names, delta_value):
    two = _two_class_claims()
    near = [e for e in examples if any(0 < e.margins[i] <= delta_value for i in range(e.count) if i != e.label)]
    blocks = [
        sentence("With two classes and the score gap ", Eq(MARGIN, s[y] - s[j]), " the two losses and the gradient "
                 "with respect to the other score are (checked with ", Eq(K, 2), "):"),
        *two,
        sentence("A near miss (", MARGIN, " just below ", Delta, ") and a large-margin error (", MARGIN,
                 " far below 0) get the same SVM gradient 1: only the SVM loss grows, linearly; past the margin the "
                 "gradient is exactly 0, so the SVM stops caring. Softmax's gradient ", Sigmoid(-MARGIN),
                 " moves smoothly from 1 (badly wrong) to 0 (well separated) and never reaches either: a "
                 "low-confidence prediction still has most of its probability to move, so its correct class gets "
                 "close to ", Integer(-1), " and the competing classes share the push in proportion to their "
                 "probabilities."),
    ]
    if near:
        words = ["Near misses here: "]
        for n, e in enumerate(near):
            words.append(("; " if n else "") + f"example {e.number}, " + ", ".join(
                names[i] for i in range(e.count) if i != e.label and 0 < e.margins[i] <= delta_value))
        words += [" (inside the margin by at most ", Delta, ", SVM gradient 1 all the same)."]
        blocks.append(sentence(*words))
    return Section("Near misses and large margins", blocks)


def _two_class_curves():
    """(SVM loss, softmax loss, SVM gradient, softmax gradient) of two classes as functions of the margin d."""
    return (Max(0, Delta - MARGIN), log(1 + exp(-MARGIN)), indicator(Delta - MARGIN), Sigmoid(-MARGIN))


def _two_class_claims():
    """The two-class forms, verified with K = 2, y_i = 0, j = 1 and d := s_0 - s_1."""
    definitions = softmax.concrete_definitions(2, 0)
    definitions.pop(L)
    definitions.update({L_svm: svm.loss_expression().xreplace({K: 2, y: 0}), L_softmax: -log(p[0]),
                        MARGIN: s[0] - s[1], Sigmoid: sigmoid})
    builder = Builder(definitions)
    svm_curve, softmax_curve, svm_slope, softmax_slope = _two_class_curves()
    rule = R.Rewrite((MARGIN, s[0] - s[1]))
    return [
        builder.claim(L_svm, svm_curve, rule),
        builder.claim(L_softmax, softmax_curve, rule),
        builder.claim(d(L_svm, s[1]), svm_slope, rule),
        builder.claim(d(L_softmax, s[1]), softmax_slope, rule),
    ]


# --- the figure --------------------------------------------------------------------------------

def _figure_section(examples, delta_value, parameters):
    from ..report.figures import margin_figure

    svm_curve, softmax_curve, svm_slope, softmax_slope = (
        expand_definitions(e.xreplace({Delta: delta_value}), {Sigmoid: sigmoid}) for e in _two_class_curves())

    def function(expr):
        fn = compiled(expr)
        return lambda x: fn({}, {MARGIN: x}, None)

    losses = {"SVM": function(svm_curve), "softmax": function(softmax_curve)}
    gradients = {"SVM": function(svm_slope), "softmax": function(softmax_slope)}
    points = []
    for e in examples:
        for i in range(e.count):
            if i != e.label:
                points.append((e.number, e.names[i], float(e.values[e.label] - e.values[i])))
    margins = [m_ for _, _, m_ in points]
    low = min([-3.0] + [m_ - 1 for m_ in margins if m_ > -15])
    high = max([float(delta_value) + 4] + [m_ + 1 for m_ in margins if m_ < 15])
    low, high = max(low, float(delta_value) - 20), min(high, float(delta_value) + 20)
    high = max(high, low + 6)
    png = margin_figure(losses, gradients, points, delta_value, (low, high))
    key = hashlib.sha256(repr(parameters).encode()).hexdigest()[:8]
    name = f"compare-margins-{key}.png"
    caption = [Text("Both losses (left) and their gradients with respect to the other score (right) for two "
                    "classes, against the score gap "), Math(Eq(MARGIN, s[y] - s[j])),
               Text(", "), Math(Eq(Delta, delta_value)), Text(". Each marker is one incorrect class of an example "
                                                                "at its score gap: for the SVM its height is exactly that class's term of the loss; for softmax it is "
                    "the loss the example would have with that class as its only competitor. Gaps off the "
                    "chart are drawn at its edge with their value.")]
    section = Section("Figure", [Figure(name, caption)])
    return section, {name: png}


__all__ = ["compare", "parse_vectors", "TITLE", "SUMMARY"]
