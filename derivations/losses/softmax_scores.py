"""The softmax cross-entropy loss and its gradient with respect to the scores.

    p_j = e^{s_j} / sum_m e^{s_m},        L_i = -log p_{y_i}

Reads like the homework it answers (seed Task 2): the probabilities and the
loss; the loss rewritten in log-sum-exp form, log sum_m e^{s_m} - s_{y_i},
which is the cleanest route to the gradient (each rewrite a verified step);
the gradient as two cases, k = y_i and k != y_i, derived by the rules and
written back in terms of p; both cases in one formula, p_k - delta_{k y_i};
why minimising L_i drives p_{y_i} to 1; and, with scores, the worked numbers
in exact arithmetic (so e^{1000} does not overflow and a loss of 3.4e-48 is
not rounded to 0), what rounding early does, and what scaling the scores does.
"""
from __future__ import annotations

import math

import sympy
from sympy import Add, Eq, Integer, KroneckerDelta, Ne, exp, log

from ..engine import rules as R
from ..engine.build import Builder, decimal_number, example_origin, note, sentence, warning, written_out
from ..engine.differentiate import d
from ..engine.inputs import InputError, exponent_bound, number, worked_example
from ..engine.notation import K, L, SumExcept, all_classes_sum, j, k, m, p, s, x, y
from ..engine.sizes import is_long
from ..engine.steps import Case, CaseSplit, Chain, Derivation, Math, Result, Section, Step, Table, Text
from ..engine.verify import exact_digits, final_check
from ..report import Report

TITLE = "Gradient of the softmax cross-entropy loss"
SUMMARY = "softmax cross-entropy loss: gradient w.r.t. the scores, case k = y_i / k != y_i, p_k - 1[k = y_i]"

#: the one-hot target of class k
TARGET_K = sympy.Symbol("t_k", real=True)

#: float64 limits the warnings talk about
FLOAT64_TINY = 2.2250738585072014e-308        # smallest normal number
FLOAT64_EPSILON_AT_ONE = 2.0 ** -53           # 1 - q rounds q to 1.0 below this
FLOAT64_EXP_LIMIT = 709.782712893384          # e^u overflows above this


# --- the loss as encoded --------------------------------------------------------

def sum_exp():
    """sum_m e^{s_m} over every class."""
    return all_classes_sum(exp(s[m]), m)


def probability(index):
    """p_index = e^{s_index} / sum_m e^{s_m}."""
    return exp(s[index]) / sum_exp()


def loss_expression():
    """L_i = -log p_{y_i}."""
    return -log(p[y])


def log_sum_exp_form():
    """L_i = log sum_m e^{s_m} - s_{y_i}."""
    return log(sum_exp()) - s[y]


def margin_form():
    """L_i = log(1 + sum_{j != y_i} e^{s_j - s_{y_i}})."""
    return log(1 + SumExcept(exp(s[j] - s[y]), j, y))


def definitions():
    """The names a softmax derivation uses: p (a function of the index) and L_i."""
    return {p: probability, L: loss_expression()}


def concrete_definitions(count, label):
    """The same names for ``count`` classes and the label ``label``, the sum written out."""
    inverse = 1 / Add(*[exp(s[q]) for q in range(count)])        # one object, shared by every p_i
    made = {}

    def probability_of(i):
        found = made.get(i)
        if found is None:
            found = made[i] = sympy.Mul(exp(s[i]), inverse)
        return found
    return {p: probability_of, L: -log(p[label])}


def recognise_probabilities(expr):
    """One step writing each e^{s_a} / sum_m e^{s_m} in ``expr`` as p_a (none when there is none)."""
    total = sum_exp()
    indices = sorted({e.args[0].indices[0] for e in expr.atoms(exp)
                      if isinstance(e.args[0], sympy.Indexed) and e.args[0].base == s
                      and e.args[0].indices[0] != m}, key=str)
    after, applied = expr, []
    for a in indices:
        replaced = after.subs(exp(s[a]) / total, p[a])
        if replaced != after:
            applied.append(R.RecogniseDefinition(p[a], probability(a)))
            after = replaced
    if not applied:
        return []
    return [Step(expr, after, applied[0], more=tuple(applied[1:]))]


# --- the derivation ---------------------------------------------------------------

def gradient(scores=None, label=None, classes=None, scale=1, example=False) -> Derivation:
    """The softmax gradient derivation and its worked numbers: on ``scores`` and ``label`` when given, or with
    ``example=True`` on the homework's example (3, -1, 4; label 0; cat, dog, bird);
    ``example=True`` (what the command does unless ``--no-example``) works that example when no numbers are given.

    ``scale`` multiplies the scores before the loss (the seed's "scores scaled by 2");
    the results are then those of the scaled scores.

    >>> d = gradient(scores=[3, -1, 4], label=0)
    >>> round(d.results["loss"].value, 4), [round(g, 4) for g in d.results["dscores"].value]
    (1.3182, [-0.7324, 0.0049, 0.7275])
    """
    scale_value = number(scale, "scale")
    if scale_value == 0:
        raise InputError("scale must not be 0: every score would become 0 and the loss would not depend on them")
    values, label, names = worked_example(scores, label, classes, default=example)
    if values is None and scale_value != 1:
        raise InputError("--scale needs a worked example: leave out --no-example")
    if values is not None:
        exponent_bound(values, label)
        if scale_value != 1:
            exponent_bound([scale_value * v for v in values], label, f"scores scaled by {float(scale_value):g}")

    builder = Builder(definitions())
    parameters = {}
    if values is not None:
        parameters = {"scores": [float(v) for v in values], "label": label, "classes": names,
                      "scale": float(scale_value)}
    derivation = Report("softmax-grad", TITLE, parameters)

    derivation.sections.append(_loss_section(builder))
    correct, incorrect, combined, section = _gradient_section(builder)
    derivation.sections.append(section)
    derivation.sections.append(_why_section(builder))
    derivation.results["dscore_correct"] = Result(
        "dscore_correct", correct, description="dL_i/ds_k for the correct class k = y_i")
    derivation.results["dscore_incorrect"] = Result(
        "dscore_incorrect", incorrect, description="dL_i/ds_k for an incorrect class k != y_i")
    derivation.results["dscore"] = Result(
        "dscore", combined, description="dL_i/ds_k for any class k (both cases in one formula)")
    if values is not None:
        _worked_example(derivation, values, label, names, scale_value, example_origin(scores))
    return derivation


def _loss_section(builder):
    probability_chain = builder.chain([Step(p[j], probability(j), R.Definition(p[j], probability(j)))])
    lse = log_sum_exp_form()
    quotient = log(sum_exp()) - log(exp(s[y]), evaluate=False)
    steps = [
        Step(L, loss_expression(), R.Definition(L, loss_expression())),
        Step(loss_expression(), -log(probability(y)), R.Definition(p[y], probability(y))),
        Step(-log(probability(y)), quotient, R.LogOfQuotient()),
        Step(quotient, lse, R.LogOfExp()),
    ]
    return Section("The probabilities and the loss", [
        sentence("For an example ", x[sympy.Symbol("i", integer=True)], " with label ", y, " and class scores ", s[j],
                 " (classes ", j, " = 0, ..., ", K - 1, "), softmax turns the scores into probabilities:"),
        probability_chain,
        sentence("They are positive and sum to 1. The loss is the negative log-probability of the correct class "
                 "(the cross-entropy with the one-hot target):"),
        builder.chain(steps),
        sentence("The last line, the log-sum-exp form, is the one to differentiate: ", s[y],
                 " appears once on its own and every score once inside the sum."),
    ])


def _gradient_section(builder):
    equal, differ = Eq(k, y), Ne(k, y)
    lse = log_sum_exp_form()
    rewrite = R.Rewrite((L, lse))
    start = [builder.rewrite(d(L, s[k]), d(L, s[y]), R.CaseAssumption(equal), (equal,))]
    correct_chain = builder.derivative(L, lse, s[y], conditions=(equal,), start=start, rule=rewrite,
                                       finish=recognise_probabilities)
    incorrect_chain = builder.derivative(L, lse, s[k], conditions=(differ,), rule=rewrite,
                                         finish=recognise_probabilities)
    correct, incorrect = correct_chain.result, incorrect_chain.result
    split = CaseSplit([
        Case(equal, "correct class", [correct_chain]),
        Case(differ, "incorrect class", [incorrect_chain]),
    ], R.CaseSplitRule(k, (equal, differ)))

    delta = KroneckerDelta(k, y)
    combined = p[k] - delta
    combined_claim = builder.claim(d(L, s[k]), combined, R.CombineCases(delta))
    total = builder.claim(sympy.Sum(combined, (k, 0, K - 1)), sympy.S.Zero, R.SumToOne(
        sympy.Sum(p[k], (k, 0, K - 1)), sympy.S.One))

    loss = loss_expression()
    checks = [final_check(loss, correct, s[y], definitions={p: probability}),
              final_check(loss, incorrect, s[k], definitions={p: probability}, conditions=(differ,)),
              final_check(loss, combined, s[k], definitions={p: probability})]
    if not all(c.ok for c in checks):
        raise RuntimeError("the derived softmax gradient disagrees with sympy.diff or finite differences")
    points = sum(c.points for c in checks)
    worst = max(c.max_relative_error for c in checks)
    blocks = [
        sentence("Differentiate with respect to one score ", s[k], ". The correct class's score appears on its own "
                 "as well as in the sum, an incorrect class's only in the sum, so split into two cases:"),
        split,
        sentence("Both cases in one formula (", delta, " is 1 when ", Eq(k, y), " and 0 otherwise; it is the one-hot "
                 "target ", TARGET_K, ", so the gradient is ", p[k] - TARGET_K, ", probability minus target):"),
        combined_claim,
        sentence("The entries of the gradient sum to 0 (the probabilities sum to 1), so adding the same number to "
                 "every score changes neither the loss nor the gradient:"),
        total,
        note(f"Checked: the three formulas agree with sympy.diff of the loss and with centred finite differences at "
             f"{points} random points (K = 2..5 classes); largest relative difference {worst:.1e}."),
    ]
    return correct, incorrect, combined, Section("Gradient with respect to the scores", blocks)


def _why_section(builder):
    lse = log_sum_exp_form()
    shifted = log(all_classes_sum(exp(s[m] - s[y]), m))
    margins = margin_form()
    loss_chain = builder.chain([
        Step(L, lse, R.Rewrite((L, lse))),
        Step(lse, shifted, R.ShiftLogSumExp(s[y])),
        Step(shifted, margins, R.SeparateTerm(m, y)),
    ])
    shifted_p = 1 / all_classes_sum(exp(s[m] - s[y]), m)
    rest = SumExcept(exp(s[j] - s[y]), j, y)
    probability_chain = builder.chain([
        Step(p[y], probability(y), R.Definition(p[y], probability(y))),
        Step(probability(y), shifted_p, R.CancelFraction()),
        Step(shifted_p, 1 / (1 + rest), R.SeparateTerm(m, y)),
    ])
    nonnegative = builder.claim(sympy.Ge(-log(p[y]), 0), sympy.Le(p[y], 1), R.NegativeLogBound(), relation="iff")
    zero = builder.claim(Eq(-log(p[y]), 0), Eq(p[y], 1), R.NegativeLogBound(), relation="iff")
    others = SumExcept(p[j], j, y)
    push = builder.claim(p[y] - 1, -others, R.SumToOne(p[y], 1 - others))
    return Section("Why minimising the loss drives the correct probability to 1", [
        sentence("Take ", exp(s[y]), " out of the sum (the log-sum-exp shift):"),
        loss_chain,
        sentence("and in the same way"),
        probability_chain,
        sentence("Every term ", exp(s[j] - s[y]), " is positive, so for finite scores ", p[y], " < 1 and ", L,
                 " > 0. Since -log is decreasing with -log 1 = 0,"),
        nonnegative,
        zero,
        sentence("so the loss is never negative and its only zero is at ", p[y], " = 1: minimising ", L,
                 " means pushing ", p[y], " towards 1, which happens as every gap ", s[y] - s[j],
                 " grows without bound. The gradient says the same:"),
        push,
        sentence("is negative while any probability is left on a wrong class, so a gradient-descent step raises ",
                 s[y], " and lowers each other ", s[j], " in proportion to ", p[j],
                 "; the push fades only as ", p[y], " approaches 1 and never stops exactly, unlike the SVM's, which "
                 "is 0 once every margin is met."),
    ])


# --- the worked example -----------------------------------------------------------------

class Example:
    """The exact numbers of softmax at one score vector: probabilities, loss, gradient, and their floats."""

    def __init__(self, values, label):
        self.values = list(values)
        self.label = label
        self.count = n = len(values)
        self.scores = {s[i]: v for i, v in enumerate(values)}
        top = values[label]
        self.terms = [exp(v - top) for v in values]              # e^{s_j - s_{y_i}}, 1 for the label
        denominator = Add(*[exp(v) for v in values])
        self.probs = [exp(v) / denominator for v in values]
        # log(1 + sum_{j != y} e^{s_j - s_y}), term by term in class order (e^0 = 1 for the label)
        self.loss = log(Add(*self.terms, evaluate=False) if n > 1 else self.terms[0], evaluate=False)
        self.digits = exact_digits(*self.terms, *[exp(v) for v in values])
        # p_j from the shifted terms: e^{s_j - s_y} / sum_m e^{s_m - s_y}, evaluated without overflow
        total = Add(*self.terms).evalf(self.digits)
        self.prob_numbers = [(t.evalf(self.digits) / total) for t in self.terms]
        others = Add(*[self.prob_numbers[i] for i in range(n) if i != label])
        self.gradient_numbers = [(-others if i == label else self.prob_numbers[i]) for i in range(n)]
        self.loss_number = self.loss.evalf(self.digits)
        self.gradient = [self.probs[i] - (1 if i == label else 0) for i in range(n)]

    @property
    def prob_floats(self):
        return [float(v) + 0.0 for v in self.prob_numbers]

    @property
    def gradient_floats(self):
        return [float(v) + 0.0 for v in self.gradient_numbers]       # + 0.0: no -0.0 in JSON

    @property
    def loss_float(self):
        return float(self.loss_number)


def decimal(value) -> sympy.Expr:
    """A number for display: 4 decimals, or 3 significant digits when it is smaller than 0.0001 (or huge)."""
    value = sympy.Float(value, 30) if not isinstance(value, sympy.Float) else value
    if value.is_zero:
        return Integer(0)
    magnitude = abs(value)
    if 1e-4 <= magnitude < 1e6:
        text = f"{float(value):.4f}"
        significant = len(text.lstrip("-").replace(".", "").lstrip("0")) or 1
        return sympy.Float(text, significant)
    return sympy.Float(value, 3)


def loss_chain(builder, example, name=L):
    """L_i = -log p_{y_i} = -log(e^{...}/(...)) = log(...) - s_{y_i} = log(sum of e^{s_j - s_{y_i}}) = value.

    ``name`` stands for L_i (``derive compare`` calls it L_i^softmax); ``builder`` defines it.
    """
    n, label, scores = example.count, example.label, example.scores
    definition = builder.definitions[p](Integer(label))
    with_numbers = written_out(definition, scores)
    denominator = written_out(Add(*[exp(s[q]) for q in range(n)]), scores)
    shifted = Add(*[exp(Add(example.values[q], -example.values[label], evaluate=False), evaluate=False)
                    for q in range(n)], evaluate=False)
    # the logs of numbers are built as they stand: SymPy's own log() would ask K-term sums about their signs
    quotient = Add(log(denominator, evaluate=False), -example.values[label], evaluate=False)
    log_of_numbers = -log(with_numbers, evaluate=False)
    steps = [
        Step(name, -log(p[label]), R.Definition(name, -log(p[label]))),
        Step(-log(p[label]), log_of_numbers, R.SubstituteValues(tuple(scores.items()))),
        Step(log_of_numbers, quotient, R.LogOfQuotient(), more=(R.LogOfExp(),)),
        Step(quotient, log(shifted, evaluate=False), R.ShiftLogSumExp(example.values[label])),
        Step(log(shifted, evaluate=False), example.loss, R.Evaluate()),
    ]
    for step in steps:
        builder.verifier.stamp(step, values=scores if isinstance(step.rule, R.SubstituteValues) else None)
    return Chain(steps)


def probability_chain(builder, example):
    """[p_0, ...] = [e^{s_0} / (e^{s_0} + ...), ...] = the same with the scores put in."""
    n, scores = example.count, example.scores
    lhs = sympy.ImmutableMatrix([p[i] for i in range(n)])                  # columns: one class per line
    defined = sympy.ImmutableMatrix([builder.definitions[p](Integer(i)) for i in range(n)])
    memo = {}
    numbers = sympy.ImmutableMatrix([written_out(e, scores, memo) for e in defined])
    steps = [Step(lhs, defined, R.Definition(p[j], probability(j))),
             Step(defined, numbers, R.SubstituteValues(tuple(scores.items())))]
    for step in steps:
        builder.verifier.stamp(step, values=scores if isinstance(step.rule, R.SubstituteValues) else None)
    return Chain(steps)


def gradient_chain(builder, example, correct, incorrect, name=L, column=True):
    """[dL/ds_0, ...] = each entry from its case = with the scores put in; ``column`` writes it one class per
    line, else as a row."""
    n, label, scores = example.count, example.label, example.scores
    shape = sympy.ImmutableMatrix if column else (lambda entries: sympy.ImmutableMatrix([entries]))
    lhs = shape([d(name, s[i]) for i in range(n)])
    formulas = [correct.xreplace({y: Integer(label)}) if i == label else incorrect.xreplace({k: Integer(i)})
                for i in range(n)]
    by_case = shape(formulas)
    memo = {}
    numbers = shape([Add(written_out(builder.definitions[p](Integer(i)), scores, memo), -1,
                                         evaluate=False) if i == label
                                     else written_out(builder.definitions[p](Integer(i)), scores, memo)
                                     for i in range(n)])
    steps = [Step(lhs, by_case, R.ApplyCases()),
             Step(by_case, numbers, R.SubstituteValues(tuple(scores.items())))]
    builder.verifier.stamp_cases(steps[0], [(Eq(k, y), correct), (Ne(k, y), incorrect)], k, {y: Integer(label)},
                                 focus=label)
    builder.verifier.stamp(steps[1], values=scores)
    return Chain(steps)


def float64_warnings(example, names, where=""):
    """What goes wrong when these numbers are computed in float64, from the exact values (and what this
    report writes: a probability that float64 holds only as a subnormal number is written as that number).
    Each warning is a paragraph of words and formulas."""
    def who(i):
        named = "" if names[i] == str(i) else f" ({names[i]})"
        return [p[i], named + (", the correct class," if i == example.label else "")]

    def formulas(items):
        out = []
        for place, item in enumerate(items[:6]):
            out += [", " if place else "", item]
        return out + ([f" and {len(items) - 6} others"] if len(items) > 6 else [])

    limit = sympy.Pow(sympy.E, sympy.Float("709.78", 5), evaluate=False)
    smallest = decimal_number("2.2e-308")
    shift = ": subtract the largest score from every score before exponentiating (the log-sum-exp shift shown above)"
    messages = []
    overflow = [i for i, v in enumerate(example.values) if v > FLOAT64_EXP_LIMIT]
    if len(overflow) > 3:
        messages.append(sentence(where, exp(s[j]), " overflows float64 (above ", limit, f") for {len(overflow)} "
                                 "classes (", *formulas([s[i] for i in overflow]), ")", shift))
    else:
        for i in overflow:
            messages.append(sentence(where, exp(s[i]), " with ", Eq(s[i], example.values[i]),
                                     " overflows float64 (above ", limit, ")", shift))
    label = example.label
    tiny = [i for i in range(example.count)
            if not example.prob_numbers[i].is_zero and abs(example.prob_numbers[i]) < FLOAT64_TINY]
    grouped = [i for i in tiny if i != label] if len(tiny) > 3 else []
    if grouped:
        zeros = [i for i in grouped if float(example.prob_numbers[i]) == 0.0]
        messages.append(sentence(where, f"{len(grouped)} probabilities are below float64's smallest normal number (",
                                 smallest, "): ", *formulas([p[i] for i in grouped]), "; ",
                                 (f"{len(zeros)} of them are 0.0 in float64 and in the JSON values, " if zeros else ""),
                                 "the others are held only as subnormal numbers with fewer digits; the exact values "
                                 "are in 'exact'"))
    for i in tiny:
        if i in grouped:
            continue
        q = example.prob_numbers[i]
        as_float = float(q)
        value = [*who(i)[:1], " = ", decimal(q), *who(i)[1:]]
        if as_float == 0.0:
            consequence = (["; ", -log(p[i]), " in float64 is infinite, while the exact loss is ",
                            decimal(example.loss_number)] if i == label else ["; float64 code gets 0 for it"])
            messages.append(sentence(where, *value, " underflows in float64 (below ", smallest, ")", *consequence,
                                     "; the exact value is kept here"))
        else:
            messages.append(sentence(where, *value, " is below float64's smallest normal number (", smallest,
                                     "): float64 holds it only as the subnormal ", decimal_number(f"{as_float:.5g}"),
                                     f", with about {_subnormal_digits(as_float)} significant digits (that is its "
                                     "JSON value); the exact value is kept here"))
    complement = -example.gradient_numbers[label]                # 1 - p_y, computed without cancellation
    if 0 < complement < FLOAT64_EPSILON_AT_ONE:
        messages.append(sentence(where, p[label], " = ", Add(1, -decimal(complement), evaluate=False), who(label)[1],
                                 " rounds to 1.0 in float64: ", -log(p[label]), " and ", p[label] - 1,
                                 " computed in float64 give 0, but the exact loss is ", decimal(example.loss_number),
                                 " and the gradient on ", s[label], " is ", -decimal(complement)))
    loss = example.loss_number
    if not loss.is_zero and abs(loss) < FLOAT64_TINY:
        as_float = float(loss)
        written = (["its JSON value is 0.0"] if as_float == 0.0 else
                   ["its JSON value ", decimal_number(f"{as_float:.5g}"), " is a subnormal float64 number with "
                    f"about {_subnormal_digits(as_float)} significant digits"])
        messages.append(sentence(where, "the loss ", decimal(loss), " is below float64's smallest normal number (",
                                 smallest, "): ", *written, "; the exact value is in 'exact'"))
    return messages


def _subnormal_digits(value: float) -> int:
    """Significant decimal digits a subnormal float64 keeps: its size over the smallest subnormal, 4.9e-324."""
    return max(1, int(math.log10(abs(value) / 5e-324)))


def _short(value) -> str:
    """A number in words: 3 significant digits."""
    value = sympy.Float(value, 30) if not isinstance(value, sympy.Float) else value
    if value.is_zero:
        return "0"
    if 1e-4 <= abs(value) < 1e6:
        return f"{float(value):.4g}"
    return sympy.sstr(sympy.Float(value, 3))


def _example_blocks(builder, example, names, correct, incorrect, what):
    """The worked numbers at one score vector: probabilities, loss, gradient."""
    label = example.label
    rows = []
    for i, name in enumerate(names):
        rows.append([[Text(str(i))], [Text(name + (" (correct)" if i == label else ""))],
                     [Math(example.values[i])], [Math(decimal(example.prob_numbers[i]))],
                     [Math(decimal(example.gradient_numbers[i]))]])
    table = Table([[Text("j")], [Text("class")], [Math(s[j])], [Math(p[j])], [Math(d(L, s[j]))]], rows)
    blocks = [
        sentence(f"The probabilities {what}:"),
        probability_chain(builder, example),
        sentence("In decimals, with the gradient derived below:"),
        table,
        sentence("The loss:"),
        loss_chain(builder, example),
        sentence("so ", L, " ≈ ", decimal(example.loss_number), "."),
    ]
    blocks += _rounding_note(example)
    blocks += [sentence("The gradient, each entry from its case:"), gradient_chain(builder, example, correct, incorrect),
               sentence("In decimals: ", sympy.ImmutableMatrix([[decimal(g) for g in example.gradient_numbers]]), ".")]
    return blocks


def _rounding_note(example):
    """What rounding p_{y_i} first does to the loss (the seed's -log 0.268 = 1.317)."""
    exact = example.loss_number
    q = example.prob_numbers[example.label]
    found = []
    for places in (3, 4):
        rounded = round(float(q), places)
        if rounded <= 0:
            found.append(f"to {places} decimals gives 0, and -log 0 is infinite")
            continue
        value = -math.log(rounded) + 0.0                     # + 0.0: no -0.000
        if value == 0 and exact > 0:
            found.append(f"to {rounded:.{places}f} gives -log {rounded:.{places}f} = 0 instead of {_short(exact)}")
            break
        if f"{value:.{places}f}" != f"{float(exact):.{places}f}":
            found.append(f"to {rounded:.{places}f} gives -log {rounded:.{places}f} = {value:.{places}f} "
                         f"instead of {float(exact):.{places}f}")
    if not found:
        return []
    return [note("Round at the end, not in the middle: rounding ", p[example.label], " first ",
                 "; rounding it ".join(found), ".")]


def _worked_example(derivation, values, label, names, scale, origin):
    count = len(values)
    builder = Builder(concrete_definitions(count, label))
    split = next(b for b in derivation.sections[1].blocks if isinstance(b, CaseSplit))
    correct = split.cases[0].blocks[0].result
    incorrect = split.cases[1].blocks[0].result
    example = Example(values, label)
    blocks = [origin,
              sentence("With ", Eq(K, count), " classes and the correct class ", Eq(y, label), f" ({names[label]}):")]
    blocks += _example_blocks(builder, example, names, correct, incorrect, "at the given scores")
    blocks += _gradient_meaning(example, names)
    warnings = float64_warnings(example, names)
    final = example
    sections = [Section("Worked example", blocks)]
    if scale != 1:
        scaled = Example([scale * v for v in values], label)
        sections.append(_scaled_section(builder, example, scaled, names, scale, correct, incorrect))
        warnings += float64_warnings(scaled, names, where=f"scaled by {_short(scale)}: ")
        final = scaled
    for message in warnings:
        if message not in derivation.warnings:
            derivation.warnings.append(message)
    for message in derivation.warnings:
        sections[-1].blocks.append(warning(message))
    derivation.sections += sections

    what = "" if scale == 1 else f" at the scaled scores {_short(scale)}·s"
    derivation.results["probs"] = Result("probs", sympy.ImmutableMatrix([final.probs]), final.prob_floats,
                                         "p_j" + what)
    derivation.results["loss"] = Result("loss", final.loss, final.loss_float, "L_i" + what)
    derivation.results["dscores"] = Result("dscores", sympy.ImmutableMatrix([final.gradient]), final.gradient_floats,
                                           "dL_i/ds_j" + (what + " (with respect to the scaled scores)" if what else ""))


def class_word(names, i) -> str:
    """A class in words: its name, or "class 2" when it has none."""
    return f"class {i}" if names[i] == str(i) else names[i]


def _gradient_meaning(example, names):
    label = example.label
    g = example.gradient_numbers
    correct = class_word(names, label)
    opening = correct[0].upper() + correct[1:] if correct.startswith("class ") else correct
    blocks = [sentence(
        f"{opening} (the correct class): ", p[label] - 1, " ≈ ", decimal(g[label]),
        f" < 0, so a gradient-descent step raises the score of {correct}; its size is the probability left on the "
        f"wrong classes.")]
    if is_long(example.count):
        others = sorted((i for i in range(example.count) if i != label), key=lambda i: -g[i])
        largest = ", ".join(f"{class_word(names, i)} ({_short(g[i])})" for i in others[:3])
        blocks.append(sentence(f"Each of the other {len(others)} classes: ", p[j], f" > 0, so a step lowers its "
                               f"score in proportion to its probability; the largest are {largest}."))
    for i in (range(example.count) if not is_long(example.count) else ()):
        if i != label:
            name = class_word(names, i)
            opening = name[0].upper() + name[1:] if name.startswith("class ") else name
            blocks.append(sentence(f"{opening}: ", p[i], " ≈ ", decimal(g[i]),
                                   f" > 0, so a step lowers the score of {name} in proportion to its probability."))
    blocks.append(sentence("No entry is exactly 0: softmax keeps pushing every score, however well the example is "
                           "already classified (the SVM gives 0 to every class that clears its margin)."))
    return blocks


def _scaled_section(builder, example, scaled, names, scale, correct, incorrect):
    label = example.label
    scaled_scores = sympy.ImmutableMatrix([scaled.values])
    blocks = [sentence("Multiplying every score by ", scale, " gives ", sympy.Symbol("s'"), " = ", scaled_scores,
                       ". The loss now sees these scores, so in this section ", s[j], " stands for the scaled score ",
                       sympy.Eq(sympy.Symbol("s'_j"), scale * s[j], evaluate=False), ".")]
    blocks += _example_blocks(builder, scaled, names, correct, incorrect, "at the scaled scores")
    blocks.append(sentence(
        "That is the gradient with respect to the scaled scores; with respect to the original ones each entry is "
        "multiplied by ", scale, " (chain rule), in decimals ",
        sympy.ImmutableMatrix([[decimal(scale * g) for g in scaled.gradient_numbers]]), "."))
    rows = []
    for i, name in enumerate(names):
        if i == label:
            continue
        gap = example.values[i] - example.values[label]
        rows.append([[Text(name)], [Math(gap)], [Math(decimal(example.terms[i].evalf(example.digits)))],
                     [Math(decimal(scaled.terms[i].evalf(scaled.digits)))]])
    table = Table([[Text("class")], [Math(s[j] - s[y])], [Math(sympy.exp(s[j] - s[y]))],
                   [Text("scaled by "), Math(scale)]], rows)
    before, after = example.loss_number, scaled.loss_number
    blocks += [
        sentence("Why it changed: ", L, " = ", margin_form(),
                 " (shown above) has one term per wrong class, and scaling multiplies each exponent by ", scale, ":"),
        table,
        sentence(*_scale_words(example, scaled, names, scale, before, after)),
    ]
    return Section(f"Scores scaled by {_short(scale)}", blocks)


def _scale_words(example, scaled, names, scale, before, after):
    """Why the loss moved when the scores were scaled, from the computed terms."""
    label = example.label
    beaten = [class_word(names, i) for i in range(example.count)
              if i != label and example.values[i] > example.values[label]]
    top_before = max(range(example.count), key=lambda i: example.prob_numbers[i])
    top_after = max(range(example.count), key=lambda i: scaled.prob_numbers[i])
    below, above = sympy.Lt(s[j], s[y]), sympy.Gt(s[j], s[y])
    words = []
    if scale > 0:
        sharper = scale > 1
        words += [f"Scaling by {_short(scale)} makes the distribution {'sharper' if sharper else 'flatter'}: the "
                  f"largest probability goes from {_short(example.prob_numbers[top_before])} "
                  f"({class_word(names, top_before)}) to {_short(scaled.prob_numbers[top_after])} "
                  f"({class_word(names, top_after)}). Every term with ", below,
                  " shrinks" + ("" if sharper else " towards 1") + " and every term with ", above,
                  " grows" + ("" if sharper else " towards 1") + ". "]
    else:
        words.append(f"A negative factor reverses the order of the scores: the largest probability is now "
                     f"{_short(scaled.prob_numbers[top_after])} ({class_word(names, top_after)}). ")
    if beaten:
        words.append(f"Here {', '.join(beaten)} score{'s' if len(beaten) == 1 else ''} above the correct class "
                     f"({class_word(names, label)})")
    else:
        words.append(f"Here the correct class ({class_word(names, label)}) has the top score")
    direction = "rises" if after > before else "falls" if after < before else "stays"
    total_before = Add(*example.terms).evalf(example.digits) - 1
    total_after = Add(*scaled.terms).evalf(scaled.digits) - 1
    words.append(f", the sum of the terms goes from {_short(total_before)} to {_short(total_after)}, and the loss "
                 f"{direction} from {_short(before)} to {_short(after)}.")
    if scale > 1:
        words.append(" Scaling up, the loss always falls when the correct class has the top score (every term "
                     "shrinks); when another class scores higher, its term grows without bound and the loss "
                     "eventually rises.")
    return words


__all__ = ["gradient", "loss_expression", "log_sum_exp_form", "margin_form", "probability", "definitions",
           "concrete_definitions", "Example", "decimal", "float64_warnings", "loss_chain", "probability_chain",
           "gradient_chain", "recognise_probabilities", "TITLE", "SUMMARY"]
