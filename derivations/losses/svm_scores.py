"""The multiclass SVM (hinge) loss and its gradient with respect to the scores.

    L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + Delta)

Reads like the homework it answers (seed Task 1): the loss; its gradient as
two cases, k = y_i and k != y_i, each derived by the rules and verified; why
Delta is left out for the correct class; the safety margin; and, with scores,
the worked numbers and what they mean.
"""
from __future__ import annotations

import sympy
from sympy import Eq, Integer, Max, Ne

from ..engine import rules as R
from ..engine.build import Builder, example_origin, note, sentence, written_out
from ..engine.differentiate import d, differentiate
from ..engine.evaluate import instantiate
from ..engine.inputs import FLOAT64_MAX, float64, number, worked_example
from ..engine.notation import Delta, K, L, SumExcept, indicator, j, k, s, x, y
from ..engine.sizes import is_long, listed
from ..engine.steps import Case, CaseSplit, Chain, Code, Derivation, Math, Result, Section, Step, Table, Text
from ..engine.verify import final_check
from ..report import Report

x_i = x[sympy.Symbol("i", integer=True)]
u_ = sympy.Symbol("u", real=True)
TITLE = "Gradient of the multiclass SVM (hinge) loss"
SUMMARY = "multiclass SVM (hinge) loss and its gradient with respect to the scores, case by case"


def margin(index):
    """The margin of class ``index``: s_index - s_{y_i} + Delta."""
    return s[index] - s[y] + Delta


def loss_expression():
    """L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + Delta)."""
    return SumExcept(Max(0, margin(j), evaluate=False), j, y)


def gradient(delta=1, scores=None, label=None, classes=None, example=False) -> "Derivation":
    """The SVM gradient derivation and its worked numbers: on ``scores`` and ``label`` when given, or with
    ``example=True`` on the homework's example (3, -1, 4; label 0; cat, dog, bird);
    ``example=True`` (what the command does unless ``--no-example``) works that example when no numbers are given.

    >>> d = gradient(delta=1, scores=[3, -1, 4], label=0)
    >>> d.results["loss"].value, d.results["dscores"].value
    (2.0, [-1.0, 0.0, 1.0])
    """
    delta_value = number(delta, "delta")
    values, label, names = worked_example(scores, label, classes, default=example)
    origin = example_origin(scores)

    loss = loss_expression()
    builder = Builder({L: loss})
    parameters = {"delta": float(delta_value)}
    if values is not None:
        parameters.update(scores=[float(v) for v in values], label=label, classes=names)
    derivation = Report("svm-grad", TITLE, parameters)
    if delta_value < 0:
        derivation.warnings.append(
            f"Delta = {delta_value} is negative: the loss then tolerates the correct class scoring "
            "below the others; the usual choice is Delta > 0 (often 1).")

    derivation.sections.append(_loss_section(builder, loss))
    correct, incorrect, gradient_section = _gradient_section(builder, loss, delta_value)
    derivation.sections.append(gradient_section)
    derivation.sections.append(_why_only_incorrect_section(builder, loss))
    derivation.sections.append(_safety_margin_section(builder))

    derivation.results["dscore_correct"] = Result(
        "dscore_correct", correct, description="dL_i/ds_k for the correct class k = y_i")
    derivation.results["dscore_incorrect"] = Result(
        "dscore_incorrect", incorrect, description="dL_i/ds_k for an incorrect class k != y_i")
    if values is not None:
        _worked_example(derivation, loss, correct, incorrect, delta_value, values, label, names, origin)
    return derivation


# --- sections -----------------------------------------------------------------

def _loss_section(builder, loss):
    definition = builder.chain([Step(L, loss, R.Definition(L, loss))])
    return Section("The loss", [
        sentence("For an example ", x_i, " with label ", y, " and class scores ", s[j], " (classes ", Eq(j, 0),
                 ", ..., ", K - 1, "), the multiclass SVM loss sums a hinge over the incorrect classes:"),
        definition,
        sentence("The margin of class ", j, " is ", margin(j),
                 ": positive when the correct score does not beat ", s[j], " by at least ", Delta, "."),
    ])


def _gradient_section(builder, loss, delta_value):
    equal, differ = Eq(k, y), Ne(k, y)
    start = [Step(d(L, s[k]), d(L, s[y]), R.CaseAssumption(equal))]
    builder.verifier.stamp(start[0], (equal,))
    correct_chain = builder.derivative(L, loss, s[y], conditions=(equal,), start=start)
    incorrect_chain = builder.derivative(L, loss, s[k], conditions=(differ,))
    correct, incorrect = correct_chain.result, incorrect_chain.result

    split = CaseSplit([
        Case(equal, "correct class", [correct_chain]),
        Case(differ, "incorrect class", [incorrect_chain]),
    ], R.CaseSplitRule(k, (equal, differ)))

    check_correct = final_check(loss, correct, s[y])
    check_incorrect = final_check(loss, incorrect, s[k], conditions=(differ,))
    if not (check_correct.ok and check_incorrect.ok):
        raise RuntimeError("the derived SVM gradient disagrees with sympy.diff or finite differences")
    points = check_correct.points + check_incorrect.points
    worst = max(check_correct.max_relative_error, check_incorrect.max_relative_error)
    blocks = [
        sentence("Differentiate with respect to one score ", s[k],
                 ". The correct class appears in every term, an incorrect class in one only, so split into two cases:"),
        split,
        sentence("In words: an incorrect class gets 1 exactly when its margin is violated; the correct class gets "
                 "minus the number of classes whose margin is violated."),
        note("Kink convention: ", indicator(margin(k)), " is 0 when the margin is exactly 0 (the test ",
             sympy.Gt(margin(k), 0), " used in code). ", Max(0, u_), " has no derivative at ", Eq(u_, 0),
             "; any value in ", sympy.Interval(0, 1), " is a subgradient there, and SymPy's own ",
             Code("Heaviside(0) = 1/2"), " is not the convention used here."),
        note("Checked: both results agree with SymPy's own derivative of the loss and with centred finite "
             f"differences at {points} random points away from the kinks (", K, " = 2, ..., 5 classes); largest "
             f"relative difference {worst:.1e}."),
    ]
    return correct, incorrect, Section("Gradient with respect to the scores", blocks)


def _why_only_incorrect_section(builder, loss):
    every_class = sympy.Sum(Max(0, margin(j)), (j, 0, K - 1))
    extra = Max(0, margin(y))                      # SymPy simplifies s_{y_i} - s_{y_i} + Delta to Delta
    added = builder.claim(every_class, loss + extra, R.SplitSum(j))
    positive = sympy.Symbol("Delta", positive=True)
    extra_positive = extra.xreplace({Delta: positive})
    gradient_steps = differentiate(extra, s[k])
    gradient_chain = builder.chain(gradient_steps)
    return Section("Why the margin is applied only to incorrect classes", [
        sentence("Summing over every class, the correct one included, would add the term ", Eq(j, y), ":"),
        added,
        sentence("That extra term is ", extra, " = ", extra_positive, " for every example when ", Delta,
                 " > 0: a constant that says nothing about the scores. Its gradient is"),
        gradient_chain,
        sentence("so it would shift every loss by ", Delta, " and change no gradient: leaving ", Eq(j, y),
                 " out makes a perfectly classified example score exactly 0."),
    ])


def _safety_margin_section(builder):
    term = Max(0, margin(j))
    condition = sympy.Ge(s[y], s[j] + Delta)
    equivalence = builder.claim(Eq(term, 0), condition, R.NonNegativeSum(), relation="iff")
    return Section(sentence("How ", Delta, " enforces a safety margin"), [
        sentence("Every term of ", L, " is at least 0, so ", L, " = 0 exactly when every term is 0, and for each "
                 "incorrect class"),
        equivalence,
        sentence("So the loss is zero only when the correct score beats every other score by at least ", Delta,
                 ": beating them is not enough. A class that clears the margin adds neither loss nor gradient; "
                 "a class inside the margin keeps pushing ", s[y], " up and its own score down."),
    ])


# --- the worked example ---------------------------------------------------------

def _worked_example(derivation, loss, correct, incorrect, delta_value, values, label, names, origin):
    count = len(values)
    concrete = {K: Integer(count), y: Integer(label), Delta: delta_value}
    concrete_loss = loss.xreplace(concrete)
    scores = {s[i]: v for i, v in enumerate(values)}
    builder = Builder({L: concrete_loss})

    loss_chain, loss_value = _loss_chain(builder, concrete_loss, scores, count, label)
    other_delta = delta_value + 1
    other_loss = loss.xreplace({K: Integer(count), y: Integer(label), Delta: other_delta})
    other_chain, other_value = _loss_chain(Builder({L: other_loss}), other_loss, scores, count, label)
    gradient_chain, gradient_values = _gradient_chain(builder, correct, incorrect, concrete, scores, count, label)

    margins = [(v - values[label] + delta_value) for v in values]
    rows = []
    for i, name in enumerate(names):
        is_label = i == label
        rows.append([[Text(str(i))], [Text(name + (" (correct)" if is_label else ""))], [Math(values[i])],
                     [Text("-")] if is_label else [Math(margins[i])],
                     [Text("-")] if is_label else [Math(Max(0, margins[i]))],
                     [Math(gradient_values[i])]])
    table = Table([[Text("j")], [Text("class")], [Math(s[j])], [Text("margin "), Math(margin(j))],
                   [Math(Max(0, margin(j)))], [Math(d(L, s[j]))]], rows)

    blocks = [
        origin,
        sentence("With ", K, " = ", count, " classes, the correct class ", y, " = ", label, f" ({names[label]}) and ",
                 Delta, " = ", delta_value, ":"),
        table,
        sentence("The loss, term by term:"),
        loss_chain,
        sentence("With ", Delta, " = ", other_delta, " instead, every margin grows by 1:"),
        other_chain,
        sentence(*_delta_change_words(margins, label, loss_value, other_value)),
        sentence("The gradient, each component from its case above:"),
        gradient_chain,
    ]
    blocks += _gradient_meaning(names, label, margins, gradient_values)
    on_hinge = [i for i, m in enumerate(margins) if i != label and m == 0]
    if len(on_hinge) > 3:
        derivation.warnings.append(sentence(
            f"{len(on_hinge)} classes ({listed(names[i] for i in on_hinge)}) sit exactly on the hinge (margin 0): "
            "the loss has no derivative there; the gradient uses the subgradient ",
            Eq(indicator(margin(j)), 0, evaluate=False), " for them"))
    else:
        for i in on_hinge:
            derivation.warnings.append(sentence(
                f"class {names[i]} sits exactly on the hinge (margin 0): the loss has no derivative there; "
                "the gradient uses the subgradient ", Eq(indicator(margin(Integer(i))), 0, evaluate=False), " for it"))
    if abs(loss_value) > FLOAT64_MAX:
        derivation.warnings.append(sentence("the loss ", sympy.Float(loss_value, 4), " is beyond float64's range "
                                            "(about ", sympy.Float("1.8e308", 2), "): its JSON value is null; the "
                                            "exact value is in 'exact'"))
    derivation.sections.append(Section("Worked example", blocks))
    derivation.results["loss"] = Result("loss", loss_value, float64(loss_value), "L_i at the given scores")
    derivation.results["dscores"] = Result(
        "dscores", sympy.ImmutableMatrix(gradient_values), [float(g) for g in gradient_values],
        "dL_i/ds at the given scores")


def _loss_chain(builder, concrete_loss, scores, count, label, name=L):
    """L_i = the sum written out = with the numbers = each max evaluated = the value (``name`` stands for L_i)."""
    general, index = concrete_loss.function, concrete_loss.index
    argument = _hinge_argument(general)
    arguments = [instantiate(argument, {index: Integer(i)}) for i in range(count) if i != label]
    hinges = [hinge(u) for u in arguments]
    expanded = _sum_of(hinges)
    memo = {}
    numbers = _sum_of([hinge(written_out(u, scores, memo)) for u in arguments])
    margins = [u.xreplace(scores) for u in arguments]
    evaluated = _sum_of([hinge(u) for u in margins])
    value = sympy.Add(*[u if u > 0 else Integer(0) for u in margins])
    steps = [
        Step(name, concrete_loss, R.Definition(name, concrete_loss)),
        Step(concrete_loss, expanded, R.ExpandSum(Integer(count), Integer(label))),
        Step(expanded, numbers, R.SubstituteValues(tuple(scores.items()))),
        Step(numbers, evaluated, R.Evaluate()),
        Step(evaluated, value, R.Evaluate()),
    ]
    for step in steps:
        builder.verifier.stamp(step, values=scores if isinstance(step.rule, R.SubstituteValues) else None)
    return Chain(steps), value


def _hinge_argument(term):
    """u of max(0, u)."""
    return term.args[1] if term.args[0] == 0 else term.args[0]


def hinge(u):
    """max(0, u) as it stands (not evaluated), 0 first: what ``Max(0, u, evaluate=False)`` builds for a
    symbolic u, without sorting the arguments each time (a thousand hinges at K = 1000)."""
    return sympy.Expr.__new__(Max, Integer(0), u)


def _sum_of(terms):
    """The terms as one unevaluated sum (a single term stands alone)."""
    return sympy.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]


def _gradient_chain(builder, correct, incorrect, concrete, scores, count, label, name=L, column=True):
    """The gradient vector by cases, with the numbers, evaluated; ``column`` writes it one class per line.

    Each entry is its case's formula with the numbers put in; the step is checked entry by entry against
    the cases and against finite differences of the loss (:meth:`~derivations.engine.verify.Verifier.stamp_cases`),
    so it costs the size of the gradient at any number of classes.
    """
    shape = (lambda entries: sympy.ImmutableMatrix(entries)) if column else \
        (lambda entries: sympy.ImmutableMatrix([entries]))
    lhs = shape([d(name, s[i]) for i in range(count)])
    correct_entry, incorrect_entry = instantiate(correct, concrete), instantiate(incorrect, concrete)
    formulas = [correct_entry if i == label else instantiate(incorrect_entry, {k: Integer(i)}) for i in range(count)]
    by_case = shape(formulas)
    memo = {}
    numbers = shape([written_out(f, scores, memo) for f in formulas])
    values = [f.xreplace(scores) for f in formulas]
    result = shape(values)
    steps = [Step(lhs, by_case, R.ApplyCases()),
             Step(by_case, numbers, R.SubstituteValues(tuple(scores.items()))),
             Step(numbers, result, R.Evaluate())]
    env = {key: value for key, value in concrete.items()}
    builder.verifier.stamp_cases(steps[0], [(Eq(k, y), correct), (Ne(k, y), incorrect)], k, env, focus=label)
    for step in steps[1:]:
        builder.verifier.stamp(step, values=scores if isinstance(step.rule, R.SubstituteValues) else None)
    return Chain(steps), values


def _delta_change_words(margins, label, loss_value, other_value):
    """Why L_i moved when Delta grew by 1, from the margins themselves."""
    before = sum(1 for i, m in enumerate(margins) if i != label and m > 0)
    after = sum(1 for i, m in enumerate(margins) if i != label and m + 1 > 0)
    more = after - before
    if before == 0:
        moved = "no margin was violated" + (
            f", and {more} margin{'s' if more != 1 else ''} become{'s' if more == 1 else ''} violated" if more
            else ", and none is with the wider margin either")
    else:
        moved = ("the violated margin grows by 1" if before == 1 else
                 f"each of the {before} violated margins grows by 1")
        if more:
            moved += f", and {more} more margin{'s' if more != 1 else ''} become{'s' if more == 1 else ''} violated"
    words = [L, " goes from ", loss_value, " to ", other_value, f": {moved}"]
    words += [". A larger ", Delta, " demands a wider gap before a class stops contributing."]
    return words


def _gradient_meaning(names, label, margins, gradient_values):
    """What each component of the numeric gradient says, from its margin (grouped when there are many classes)."""
    blocks = []
    violated = [i for i, m in enumerate(margins) if i != label and m > 0]
    g = gradient_values[label]
    name = names[label]
    correct = sentence(
        f"{name} (correct class): ", g, f" is minus the number of violated margins ({len(violated)}); "
        f"a gradient-descent step raises {name}'s score." if g != 0 else
        f"{name} (correct class): 0, no margin is violated, so its score is left alone.")
    if is_long(len(names)):
        cleared = [i for i, m in enumerate(margins) if i != label and m < 0]
        hinge = [i for i, m in enumerate(margins) if i != label and m == 0]
        blocks.append(correct)
        for group, words in ((violated, "a violated margin (> 0), so the gradient is 1: a gradient-descent step "
                                        "lowers their scores"),
                             (cleared, "a margin below 0, cleared, so the gradient is 0: they do not affect the "
                                       "loss"),
                             (hinge, "a margin of exactly 0, on the hinge: no derivative there; the subgradient 0 "
                                     "is used")):
            if group:
                blocks.append(sentence(f"{len(group)} class{'es' if len(group) != 1 else ''} "
                                       f"({listed(names[i] for i in group)}) ha{'ve' if len(group) != 1 else 's'} "
                                       f"{words}."))
        return blocks
    for i, name in enumerate(names):
        if i == label:
            blocks.append(correct)
        elif margins[i] > 0:
            blocks.append(sentence(
                f"{name}: margin ", margins[i], " > 0 is violated, so the gradient is 1: "
                f"a gradient-descent step lowers {name}'s score."))
        elif margins[i] < 0:
            blocks.append(sentence(
                f"{name}: margin ", margins[i], " < 0, cleared by ", -margins[i],
                f", so the gradient is 0: {name} does not affect the loss."))
        else:
            blocks.append(sentence(
                f"{name}: margin exactly 0, on the hinge: no derivative there; the subgradient 0 is used."))
    return blocks
