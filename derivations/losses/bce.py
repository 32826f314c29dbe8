"""Two-class cross-entropy is binary cross-entropy with the sigmoid (seed 001, part 1).

    CE = -sum_{c=1}^{2} t_c log p_c  =  -t_1 log sigma(z) - (1 - t_1) log(1 - sigma(z)),   z = s_1 - s_2

Classes are numbered 1 and 2 here, as in the exercise. The targets sum to 1
(t_2 = 1 - t_1; one-hot: t_c = 1[c = y_i]) and so do the probabilities
(p_2 = 1 - p_1); p_1 = e^{s_1} / (e^{s_1} + e^{s_2}) is the sigmoid of the
difference z = s_1 - s_2. Every step is verified with these definitions put in
(t_2, p_c, z and sigma are names that verification replaces by what they stand for).

The exercise's solution writes f(s_1) + f(s_2) = 1 with f the sigmoid of each
score; that is not true (sigma(s_1) + sigma(s_2) = 1 only when s_2 = -s_1):
the report says so with numbers and uses sigma of the difference.
"""
from __future__ import annotations

import sympy
from sympy import Eq, IndexedBase, KroneckerDelta, Symbol, exp, log

from ..engine import rules as R
from ..engine.build import Builder, note, sentence
from ..engine.differentiate import d
from ..engine.notation import Sigmoid, p, s, sigmoid, y, z
from ..engine.steps import Derivation, Result, Section, Step
from ..report import Report

TITLE = "Two-class cross-entropy reduces to binary cross-entropy"
SUMMARY = "two-class cross-entropy reduces to binary cross-entropy with the sigmoid of z = s_1 - s_2"

#: the targets t_1, t_2, the class index of the sum, the loss's name, the sigmoid's argument in its definition
t = IndexedBase("t", real=True)
c = Symbol("c", integer=True)
CE = Symbol("CE", real=True)
u = Symbol("u", real=True)
F = sympy.Function("f")          # the exercise's f, only named in the prose


def probability(index):
    """p_index = e^{s_index} / (e^{s_1} + e^{s_2})."""
    return exp(s[index]) / (exp(s[1]) + exp(s[2]))


def target(index):
    """t_1 stays itself; t_2 is 1 - t_1 (the targets sum to 1); t_c for a class c of the sum is either."""
    if index == 1:
        return t[1]
    if index == 2:
        return 1 - t[1]
    return KroneckerDelta(index, 1) * t[1] + KroneckerDelta(index, 2) * (1 - t[1])


def loss_expression():
    """CE = -sum_{c=1}^{2} t_c log p_c."""
    return -sympy.Sum(t[c] * log(p[c]), (c, 1, 2))


def reduced_loss():
    """-t_1 log sigma(z) - (1 - t_1) log(1 - sigma(z))."""
    return -t[1] * log(Sigmoid(z)) - (1 - t[1]) * log(1 - Sigmoid(z))


def reduction() -> Derivation:
    """The reduction, every step verified.

    >>> reduction().results["loss"].expr == reduced_loss()
    True
    """
    definitions = {p: probability, t: target, z: s[1] - s[2], Sigmoid: sigmoid, CE: loss_expression()}
    builder = Builder(definitions)
    derivation = Report("bce-reduction", TITLE, {})
    derivation.sections.append(_setup_section(builder))
    derivation.sections.append(_sigmoid_section(builder))
    derivation.sections.append(_reduction_section(builder))
    derivation.sections.append(_slip_section(builder))
    derivation.sections.append(_gradient_section(builder))
    derivation.results["loss"] = Result("loss", reduced_loss(), None,
                                        "CE for two classes, with z = s_1 - s_2 and t_2 = 1 - t_1")
    derivation.results["dloss_dz"] = Result("dloss_dz", Sigmoid(z) - t[1], None, "dCE/dz = dCE/ds_1")
    return derivation


def _setup_section(builder):
    definition = builder.chain([Step(CE, loss_expression(), R.Definition(CE, loss_expression()))])
    one_hot = -sympy.Sum(KroneckerDelta(c, y) * log(p[c]), (c, 1, 2))
    onehot_claim = builder.claim(one_hot, -log(p[y]), R.KroneckerCollapse(c, y),
                                 conditions=(sympy.Ge(y, 1), sympy.Le(y, 2)))
    probabilities = builder.chain([Step(p[c], probability(c), R.Definition(p[c], probability(c)))])
    return Section("Two classes", [
        sentence("With two classes, numbered 1 and 2 as in the exercise, softmax gives"),
        probabilities,
        sentence("and the categorical cross-entropy with targets ", t[1], " + ", t[2], " = 1 is"),
        definition,
        sentence("With the one-hot target ", Eq(t[c], KroneckerDelta(c, y)), " of a label ", y,
                 " it is the exercise's formula (1), ", -log(p[y]), ":"),
        onehot_claim,
    ])


def _sigmoid_section(builder):
    divided = 1 / (1 + exp(s[2] - s[1]))
    steps = [
        Step(p[1], probability(1), R.Definition(p[1], probability(1))),
        Step(probability(1), divided, R.CancelFraction()),
        Step(divided, Sigmoid(s[1] - s[2]), R.RecogniseDefinition(Sigmoid(u), sigmoid(u))),
        Step(Sigmoid(s[1] - s[2]), Sigmoid(z), R.RecogniseDefinition(z, s[1] - s[2])),
    ]
    complement = builder.claim(p[2], 1 - p[1], R.SumToOne(p[2], 1 - p[1]))
    mirror = builder.claim(1 - Sigmoid(z), Sigmoid(-z), R.SigmoidSymmetry())
    return Section("The probability of class 1 is a sigmoid", [
        sentence("Divide the numerator and the denominator by ", exp(s[1]), ":"),
        builder.chain(steps),
        sentence("with ", Eq(z, s[1] - s[2]), ", the difference of the two scores, and ",
                 Eq(Sigmoid(u), sigmoid(u)), ". The two probabilities sum to 1,"),
        complement,
        sentence("so class 2's probability is the sigmoid of the opposite difference:"),
        mirror,
    ])


def _reduction_section(builder):
    written = -t[1] * log(p[1]) - t[2] * log(p[2])
    targets = -t[1] * log(p[1]) - (1 - t[1]) * log(p[2])
    probabilities = -t[1] * log(p[1]) - (1 - t[1]) * log(1 - p[1])
    steps = [
        Step(CE, loss_expression(), R.Definition(CE, loss_expression())),
        Step(loss_expression(), written, R.WriteOutSum(sympy.Integer(2))),
        Step(written, targets, R.SumToOne(t[2], 1 - t[1])),
        Step(targets, probabilities, R.SumToOne(p[2], 1 - p[1])),
        Step(probabilities, reduced_loss(), R.Rewrite((p[1], Sigmoid(z)))),
    ]
    return Section("The reduction", [
        sentence("Write out the two terms, then use that the targets and the probabilities each sum to 1:"),
        builder.chain(steps),
        sentence("This is the binary cross-entropy (2) with ", F(s[1]), " read as ", Sigmoid(z), ", ",
                 Eq(z, s[1] - s[2]), ": the sigmoid of the score difference, or of ", s[1], " alone when ", s[2],
                 " is held at 0 (one score is redundant: adding the same number to both changes nothing)."),
    ])


def _slip_section(builder):
    example = sympy.Integer(1)
    total = (2 * sigmoid(example)).evalf(6)
    mirror = builder.claim(Sigmoid(z) + Sigmoid(-z), sympy.S.One, R.SigmoidSymmetry())
    return Section("A slip to avoid", [
        sentence("The sigmoids of the two scores separately do not sum to 1: with ", Eq(s[1], example), " and ",
                 Eq(s[2], example), ", ", Sigmoid(s[1]) + Sigmoid(s[2]), " = ", 2 * Sigmoid(example), " ≈ ", total,
                 ". What does sum to 1 is"),
        mirror,
        note("so the solution's step ", Eq(F(s[1]) + F(s[2]), 1, evaluate=False), " holds for the softmax "
             "probabilities ", p[1] + p[2], ", with ", Eq(F(s[1]), Sigmoid(s[1] - s[2]), evaluate=False), " and ",
             Eq(F(s[2]), Sigmoid(s[2] - s[1]), evaluate=False),
             ", not for the sigmoid applied to each score on its own."),
    ])


def _gradient_section(builder):
    """dCE/dz of the reduced form, by the rules (the sigmoid's derivative is sigma (1 - sigma))."""
    local = Builder({Sigmoid: sigmoid, CE: reduced_loss()})

    def expand(expr):
        expanded = sympy.expand(expr)
        return [] if expanded == expr else [Step(expr, expanded, R.Expand())]

    chain = local.derivative(CE, reduced_loss(), z, rule=R.Rewrite((CE, reduced_loss())), finish=expand)
    through_scores = builder.claim(d(CE, s[1]), chain.result, R.ChainRuleScores(z, s[1]))
    k = sympy.Symbol("k", integer=True)
    return Section("Its gradient", [
        sentence("Differentiate the reduced form with respect to z:"),
        chain,
        sentence("and as"),
        builder.claim(d(z, s[1]), sympy.S.One, R.Definition(z, s[1] - s[2])),
        sentence("the same is the derivative with respect to the score:"),
        through_scores,
        sentence("the logistic-regression gradient, prediction minus target: the ", p[k] - t[k],
                 " of the softmax gradient for class 1."),
    ])


__all__ = ["reduction", "reduced_loss", "loss_expression", "TITLE", "SUMMARY"]
