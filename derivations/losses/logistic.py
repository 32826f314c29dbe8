"""Logistic regression: the gradient of the cross-entropy loss with respect to the weights (seed 003, part 1).

    z = w^T x = sum_d w_d x_d,    y = sigma(z) = 1 / (1 + e^{-z}),    L_CE = -t log y - (1 - t) log(1 - y)

The seed's route, every step verified: the chain rule
dL/dw_j = dL/dy · dy/dz · dz/dw_j; each factor derived by the rules (dL/dy
from the loss; dy/dz from the sigmoid by the power and exp rules, then
recognised as y (1 - y); dz/dw_j from the sum over the features); the
product multiplied out to (y - t) x_j; what y - t says; the batch average
J = (1/N) sum_n L^(n) and the gradient-descent update; and, with weights,
inputs and a target, the worked numbers in exact arithmetic, checked against
finite differences.

Features are numbered d = 0 .. D-1 and examples n = 0 .. N-1 (as in code);
verification sets the symbolic counts D and N to small numbers (see
:mod:`derivations.verify`). ``y`` here is the prediction sigma(z), not the
label y_i of the multiclass derivations.
"""
from __future__ import annotations

import math

import sympy
from sympy import Add, Eq, Indexed, Integer, Mul, Rational, Symbol, exp, log

from ..engine import rules as R
from ..engine.build import Builder, decimal_number, note, sentence, warning, written_out
from ..engine.differentiate import d, differentiate
from ..engine.inputs import MAX_EXPONENT, InputError, number_vector, probability
from ..engine.notation import D, N, PerExample, Sigmoid, j, sigmoid, t, w, x, z
from ..engine.sizes import is_long, listed
from ..engine.steps import Chain, Derivation, Result, Section, Step
from ..engine.verify import Verifier, exact_digits, final_check
from ..report import Report
from ..report.printing import text

TITLE = "Gradient of the logistic-regression (binary cross-entropy) loss"
SUMMARY = "logistic regression: dL/dw_j = dL/dy · dy/dz · dz/dw_j = (y - t) x_j, the batch average and the update"

#: the prediction y = sigma(z) (the same symbol an answer's bare y is read as), the loss, the batch objective
Y = Symbol("y", real=True)
LOSS = Symbol("L_CE", real=True)
J = Symbol("J", real=True)
ALPHA = Symbol("alpha", positive=True)

#: the feature index of z = sum_d w_d x_d and the example index of the batch
FEATURE = Symbol("d", integer=True)
EXAMPLE = Symbol("n", integer=True)

#: per-example quantities: x_d^(n), y^(n), t^(n), z^(n), L^(n)
XN = PerExample("x", real=True)
YN = PerExample("y", real=True)
TN = PerExample("t", real=True)
ZN = PerExample("z", real=True)
LN = PerExample("L_CE", real=True)

#: a stand-in for the sigmoid's argument in its definition
U = Symbol("u", real=True)

#: random values for verification lie in (-1, 1): then |z| <= 5 for up to 5 features, where float64 still
#: holds 1 - sigma(z) to many digits (at z = 20 it has lost 9 of them, and two equal sides would look different)
SPREAD = 1.0

#: how far the finite-difference check of the worked example moves z: w_d moves by h_d = 1e-6 / |x_d|
FD_STEP = Rational(1, 10 ** 6)

#: the largest |z| a worked example evaluates: exact arithmetic needs about |z| / ln 10 digits for e^{-z}
MAX_LOGIT = MAX_EXPONENT


# --- the model and the loss as encoded ------------------------------------------------

def logit(count=D, weights=w, inputs=x):
    """z = sum_{d=0}^{count-1} w_d x_d (w^T x)."""
    return sympy.Sum(weights[FEATURE] * inputs[FEATURE], (FEATURE, 0, count - 1))


def loss_expression(prediction=Y, target=t):
    """L_CE = -t log y - (1 - t) log(1 - y)."""
    return -target * log(prediction) - (1 - target) * log(1 - prediction)


def definitions(count=D):
    """Every name of one example: L_CE in terms of y, y = sigma(z), z = sum_d w_d x_d, and sigma itself."""
    return {LOSS: loss_expression(), Y: Sigmoid(z), z: logit(count), Sigmoid: sigmoid}


def batch_definitions():
    """The names of the batch: J = (1/N) sum_n L^(n), and each example's L^(n), y^(n), z^(n)."""
    return {
        J: batch_objective(),
        LN: lambda i: loss_expression(YN[i], TN[i]),
        YN: lambda i: Sigmoid(ZN[i]),
        ZN: lambda i: sympy.Sum(w[FEATURE] * XN[i, FEATURE], (FEATURE, 0, D - 1)),
        Sigmoid: sigmoid,
    }


def batch_objective():
    """J = (1/N) sum_{n=0}^{N-1} L^(n)."""
    return sympy.Sum(LN[EXAMPLE], (EXAMPLE, 0, N - 1)) / N


def for_example(expr, index):
    """A formula of one example written for example ``index``: y -> y^(n), t -> t^(n), x_j -> x_j^(n)."""
    expr = expr.replace(lambda e: isinstance(e, Indexed) and e.base == x, lambda e: XN[index, e.indices[0]])
    return expr.xreplace({Y: YN[index], t: TN[index], z: ZN[index], LOSS: LN[index]})


# --- the derivation ------------------------------------------------------------------------

def gradient(weights=None, inputs=None, target=None) -> Derivation:
    """The logistic-regression gradient; with ``weights``, ``inputs`` and ``target``, the worked numbers too.

    >>> g = gradient(weights=[0.5, -1], inputs=[2, 1], target=1)
    >>> g.results["dloss_dw"].expr
    (-t + y)*x[j]
    >>> round(g.results["loss"].value, 4), g.results["dw"].value
    (0.6931, [-1.0, -0.5])
    """
    example = worked_inputs(weights, inputs, target)
    parameters = {}
    if example is not None:
        parameters = {"weights": [float(v) for v in example[0]], "inputs": [float(v) for v in example[1]],
                      "target": float(example[2])}
    derivation = Report("logistic-grad", TITLE, parameters)
    derivation.verification_note = sentence(
        "Steps without a symbolic sum were checked symbolically (numbers in exact arithmetic); the others by "
        "setting the number of features ", D, " to 2, 3, 4 and 5 (and the number of examples ", N,
        " to one more) and comparing both sides at random points.")
    builder = Builder(definitions(), spread=SPREAD)

    derivation.sections.append(_model_section(builder))
    dloss_dy, section = _loss_factor_section()
    derivation.sections.append(section)
    dy_dz, section = _sigmoid_factor_section()
    derivation.sections.append(section)
    dz_dw, section = _logit_factor_section()
    derivation.sections.append(section)
    dloss_dw, dloss_dz, section = _product_section(builder, dloss_dy, dy_dz, dz_dw)
    derivation.sections.append(section)
    derivation.sections.append(_meaning_section(dloss_dy, dy_dz, dloss_dz))
    derivation.sections.append(_batch_section(dloss_dw))

    derivation.results["dloss_dw"] = Result("dloss_dw", dloss_dw, description="dL_CE/dw_j for one example")
    derivation.results["dloss_dz"] = Result("dloss_dz", dloss_dz, description="dL_CE/dz for one example")
    derivation.results["dloss_dy"] = Result("dloss_dy", dloss_dy, description="dL_CE/dy")
    derivation.results["dy_dz"] = Result("dy_dz", dy_dz, description="dy/dz, the sigmoid's derivative")
    derivation.results["dz_dw"] = Result("dz_dw", dz_dw, description="dz/dw_j")
    if example is not None:
        _worked_example(derivation, dloss_dw, *example)
    return derivation


def worked_inputs(weights, inputs, target):
    """(weights, inputs, target) as exact numbers, or None without any of them; bad input raises InputError."""
    if weights is None and inputs is None and target is None:
        return None
    missing = [name for name, value in (("--weights", weights), ("--inputs", inputs), ("--target", target))
               if value is None]
    if missing:
        raise InputError(f"a worked example needs --weights, --inputs and --target: {', '.join(missing)} missing")
    weight_values = number_vector(weights, "weights")
    input_values = number_vector(inputs, "inputs", "2,1")
    if len(weight_values) != len(input_values):
        raise InputError(f"{len(weight_values)} weights for {len(input_values)} inputs: give one weight per input")
    target_value = probability(target, "target")
    logit_value = Add(*[a * b for a, b in zip(weight_values, input_values)])
    if abs(logit_value) > MAX_LOGIT:
        raise InputError(f"z = w^T x = {float(logit_value):.10g} is too large for exact evaluation: "
                         f"at most {MAX_LOGIT} in absolute value")
    if any(not math.isfinite(float(v)) for v in input_values) or \
            not math.isfinite(float(max(abs(v) for v in input_values))):
        raise InputError("the inputs are too large for float64")
    return weight_values, input_values, target_value


# --- sections --------------------------------------------------------------------------------

def _model_section(builder):
    chain_rule = builder.claim(d(LOSS, w[j]), Mul(d(LOSS, Y), d(Y, z), d(z, w[j]), evaluate=False),
                               R.ChainRule((Y, z), w[j]))
    return Section("The model and the loss", [
        sentence("An example has inputs ", x[FEATURE], " (features ", Eq(FEATURE, 0), ", ..., ", D - 1,
                 ") and a target ", t, " between 0 and 1. The model weighs the inputs,"),
        builder.chain([Step(z, logit(), R.Definition(z, logit()))]),
        sentence("and squashes the weighted sum into a prediction between 0 and 1 with the sigmoid:"),
        builder.chain([Step(Y, Sigmoid(z), R.Definition(Y, Sigmoid(z))),
                       Step(Sigmoid(z), sigmoid(z), R.Definition(Sigmoid(U), sigmoid(U)))]),
        sentence("The loss is the cross-entropy of the prediction and the target:"),
        builder.chain([Step(LOSS, loss_expression(), R.Definition(LOSS, loss_expression()))]),
        sentence("The loss depends on the weight ", w[j], " only through ", Y, ", and ", Y, " only through ", z,
                 ", so by the chain rule"),
        chain_rule,
        sentence("Each factor is derived below, then the three are multiplied."),
    ])


def _loss_factor_section():
    builder = Builder({LOSS: loss_expression()}, spread=SPREAD)
    chain = builder.derivative(LOSS, loss_expression(), Y, finish=positive_brackets)
    return chain.result, Section("Step 1: the loss with respect to the prediction", [
        sentence("Hold ", Y, " as the variable (", t, " is a constant):"),
        chain,
    ])


def _sigmoid_factor_section():
    builder = Builder({Y: sigmoid(z)}, spread=SPREAD)
    chain = builder.derivative(Y, sigmoid(z), z, rule=R.Definition(Y, sigmoid(z)),
                               finish=lambda expr: _recognise_prediction(builder, expr))
    by_rule = Builder({Sigmoid: sigmoid}, spread=SPREAD).chain(differentiate(Sigmoid(z), z))
    return chain.result, Section("Step 2: the sigmoid with respect to its input", [
        sentence("Differentiate ", Eq(Y, sigmoid(z)), " as a power of ", 1 + exp(-z),
                 ", then split the fraction to find ", Y, " again:"),
        chain,
        sentence("The sigmoid rule says the same in one step:"),
        by_rule,
    ])


def _recognise_prediction(builder, expr):
    """e^{-z} / (1 + e^{-z})^2 = 1/(1 + e^{-z}) · e^{-z}/(1 + e^{-z}) = ... = y (1 - y), each step verified."""
    numerator, denominator = sympy.fraction(expr, exact=True)
    base, power = denominator.as_base_exp()
    if power != 2:
        raise RuntimeError(f"expected the sigmoid's derivative over a square, got {expr}")
    first = 1 / base
    split = Mul(first, numerator / base, evaluate=False)
    difference = Add(base, Integer(-1), evaluate=False)                     # (1 + e^{-z}) - 1
    rewritten = Mul(first, Mul(difference, 1 / base, evaluate=False), evaluate=False)
    recognised = Mul(first, 1 - first).xreplace({first: Y})                  # (a - 1)/a = 1 - 1/a, 1/a = y
    return [
        builder.rewrite(expr, split, R.SplitFraction()),
        builder.rewrite(split, rewritten, R.Rewrite((numerator, difference))),
        builder.verifier.stamp(Step(rewritten, recognised, R.DivideTermByTerm(),
                                    more=(R.RecogniseDefinition(Y, first),))),
    ]


def _logit_factor_section():
    builder = Builder({z: logit()}, spread=SPREAD)
    chain = builder.derivative(z, logit(), w[j])
    return chain.result, Section("Step 3: the weighted sum with respect to one weight", [
        sentence("Only the term ", Eq(FEATURE, j), " of the sum holds ", w[j], ":"),
        chain,
    ])


def _product_section(builder, dloss_dy, dy_dz, dz_dw):
    derivatives = (d(LOSS, Y), d(Y, z), d(z, w[j]))
    factored = Mul(*derivatives, evaluate=False)
    values = Mul(dloss_dy, dy_dz, dz_dw, evaluate=False)
    distributed = [term * dy_dz for term in Add.make_args(dloss_dy)]        # SymPy cancels y and 1 - y here
    multiplied = Mul(Add(*distributed, evaluate=False), dz_dw, evaluate=False)
    expanded_terms = [term for part in distributed for term in Add.make_args(sympy.expand(part))]
    expanded = Mul(Add(*expanded_terms, evaluate=False), dz_dw, evaluate=False)
    collected = Add(*expanded_terms)
    result = collected * dz_dw
    chain = builder.chain([
        Step(d(LOSS, w[j]), factored, R.ChainRule((Y, z), w[j])),
        Step(factored, values, R.DerivedAbove(derivatives)),
        Step(values, multiplied, R.Expand(), more=(R.CancelFraction(),)),
        Step(multiplied, expanded, R.Expand()),
        Step(expanded, result, R.CollectLikeTerms()),
    ])
    dloss_dz = collected
    through_z = builder.claim(d(LOSS, z), dloss_dz, R.ChainRule((Y,), z))

    loss = loss_expression()
    checks = [final_check(loss, result, w[j], definitions={Y: Sigmoid(z), z: logit(), Sigmoid: sigmoid},
                          spread=SPREAD),
              final_check(loss, dloss_dz, z, definitions={Y: Sigmoid(z), Sigmoid: sigmoid}, spread=SPREAD)]
    if not all(c.ok for c in checks):
        raise RuntimeError("the derived logistic-regression gradient disagrees with sympy.diff or finite differences")
    points = sum(c.points for c in checks)
    worst = max(c.max_relative_error for c in checks)
    return result, dloss_dz, Section("Step 4: multiply the factors", [
        sentence("Put the three factors into the chain rule; ", dy_dz, " cancels both denominators of ",
                 d(LOSS, Y), ":"),
        chain,
        sentence("Without the last factor ", dz_dw, ", the same steps give the derivative with respect to ", z, ":"),
        through_z,
        note("Checked: both formulas agree with sympy.diff of the loss (through ", Eq(Y, Sigmoid(z)), " and ",
             Eq(z, logit()), f") and with centred finite differences at {points} random points (",
             D, f" = 2..5 features); largest relative difference {worst:.1e}."),
    ])


def _meaning_section(dloss_dy, dy_dz, dloss_dz):
    """What y - t says, from the formula: where it is 0, which way it grows, its range for 0/1 targets."""
    zeros = sympy.solve(Eq(dloss_dz, 0), Y)
    slope = sympy.diff(dloss_dz, Y)
    if zeros != [t] or slope != 1:
        raise RuntimeError(f"dL/dz = {dloss_dz} is not prediction minus target")
    ranges = []
    for target in (Integer(1), Integer(0)):
        error = dloss_dz.xreplace({t: target})
        low, high = error.xreplace({Y: Integer(0)}), error.xreplace({Y: Integer(1)})
        ranges.append((target, error, low, high))

    squared = Symbol("L_SE", real=True)
    squared_loss = (Y - t) ** 2 / 2
    local = Builder({squared: squared_loss, Y: Sigmoid(z), Sigmoid: sigmoid}, spread=SPREAD)
    squared_gradient = sympy.diff(squared_loss, Y) * dy_dz                   # dL_SE/dy times the derived dy/dz
    squared_claim = local.claim(d(squared, z), squared_gradient, R.ChainRule((Y,), z))

    blocks = [
        sentence(d(LOSS, z), " = ", dloss_dz, " is the prediction minus the target: the error of the prediction. "
                 "It is 0 exactly when ", Eq(Y, zeros[0]), ", the prediction is right, and it grows with the "
                 "prediction (its derivative with respect to ", Y, " is ", slope, "): positive when the model "
                 "predicts more than the target, so a gradient-descent step lowers ", z,
                 ", and negative when it predicts less, so the step raises ", z, "."),
    ]
    for target, error, low, high in ranges:
        blocks.append(sentence("With the target ", Eq(t, target), " the error is ", error, ", between ", low,
                               " and ", high, " as ", Y, " goes from 0 to 1."))
    blocks += [
        sentence("Since 0 < ", Y, " < 1 for every finite ", z, ", a 0/1 target is never met exactly: the error "
                 "shrinks as the prediction improves but never vanishes. Its size is at most 1, so each "
                 "component of the gradient, ", dloss_dz * x[j], ", is at most ", sympy.Abs(x[j]),
                 ": an input that is 0 gets no update, a larger input a proportionally larger one."),
        sentence("The factor ", dy_dz, " of the sigmoid cancelled against the denominators of ", d(LOSS, Y),
                 ". With the squared error ", Eq(squared, squared_loss), " instead, it stays:"),
        squared_claim,
        note("so the squared error's gradient vanishes as ", Y, " approaches 0 or 1 even when the prediction is "
             "completely wrong; the cross-entropy's stays ", dloss_dz, "."),
    ]
    return Section("What y − t means", blocks)


def _batch_section(dloss_dw):
    builder = Builder(batch_definitions(), spread=SPREAD)
    n = EXAMPLE
    objective = batch_objective()
    definitions_chain = builder.chain([Step(J, objective, R.Definition(J, objective))])
    example_loss = for_example(loss_expression(), n)
    example_chains = [
        builder.chain([Step(LN[n], example_loss, R.Definition(LN[n], example_loss))]),
        builder.chain([Step(YN[n], Sigmoid(ZN[n]), R.Definition(YN[n], Sigmoid(ZN[n])))]),
        builder.chain([Step(ZN[n], for_example(logit(), n), R.Definition(ZN[n], for_example(logit(), n)))]),
    ]
    total = sympy.Sum(LN[n], (n, 0, N - 1))
    per_example = d(LN[n], w[j])
    summed = sympy.Sum(per_example, (n, 0, N - 1)) / N
    result = sympy.Sum(for_example(dloss_dw, n), (n, 0, N - 1)) / N
    chain = builder.chain([
        Step(d(J, w[j]), d(objective, w[j]), R.Definition(J, objective)),
        Step(d(objective, w[j]), d(total, w[j]) / N, R.ConstantFactorRule(1 / N, total)),
        Step(d(total, w[j]) / N, summed, R.SumLinearityRule(LN[n], n, w[j])),
        Step(summed, result, R.DerivedAbove((d(LOSS, w[j]),))),
    ])
    update = builder.claim(w[j] - ALPHA * d(J, w[j]), w[j] - ALPHA * result, R.DerivedAbove((d(J, w[j]),)))
    return Section("The batch and the gradient-descent update", [
        sentence("Over a training set of ", N, " examples ", Eq(n, 0), ", ..., ", N - 1, " (example ", n,
                 " has inputs ", XN[n, FEATURE], " and target ", TN[n], "), the objective is the average loss"),
        definitions_chain,
        sentence("where each example has its own loss, prediction and weighted sum:"),
        *example_chains,
        sentence("The weights are shared by every example, so the gradient is the average of the per-example "
                 "gradients derived above:"),
        chain,
        sentence("Gradient descent with learning rate ", ALPHA, " replaces each weight ", w[j], " by ",
                 w[j] - ALPHA * d(J, w[j]), ":"),
        update,
        sentence("that is, ", w[j], " ← ", w[j] - ALPHA * result, ": every example moves ", w[j],
                 " by its error ", YN[n] - TN[n], " times its input ", XN[n, j], ", averaged over the batch."),
    ])


# --- the worked example --------------------------------------------------------------------------

def positive_brackets(expr):
    """One step writing -(t - 1) as (1 - t) wherever a term's minus sign can go into its bracket (none if none)."""
    terms, changed = [], []
    for term in Add.make_args(expr):
        coefficient, rest = term.as_coeff_Mul()
        brackets = [f for f in Mul.make_args(rest) if isinstance(f, Add)]
        if coefficient < 0 and brackets:
            bracket = brackets[0]
            flipped = sympy.expand(-bracket)
            others = [f for f in Mul.make_args(rest) if f is not bracket]
            terms.append(Mul(-coefficient, flipped, *others))
            changed.append((Mul(coefficient, bracket, evaluate=False), flipped))
            continue
        terms.append(term)
    if not changed:
        return []
    after = Add(*terms, evaluate=False)
    return [Step(expr, after, R.Rewrite(changed[0]))]


class Example:
    """The exact numbers of one example: z, y, the loss and the gradient, with their floats."""

    def __init__(self, weights, inputs, target):
        self.weights, self.inputs, self.target = list(weights), list(inputs), target
        self.count = len(weights)
        self.z = Add(*[a * b for a, b in zip(weights, inputs)])
        self.y = sigmoid(self.z)
        self.error = self.y - target
        self.loss = loss_expression(self.y, target)
        self.gradient = [self.error * v for v in inputs]
        self.digits = exact_digits(exp(-self.z), exp(self.z))
        self.fd_steps = [FD_STEP / abs(v) if v != 0 else FD_STEP for v in inputs]

    def number(self, value):
        return sympy.N(value, self.digits)

    def float(self, value) -> float:
        return float(self.number(value)) + 0.0          # + 0.0: no -0.0 in JSON

    @property
    def values(self) -> dict:
        """The weights and inputs as values of w_d and x_d."""
        found = {w[i]: v for i, v in enumerate(self.weights)}
        found.update({x[i]: v for i, v in enumerate(self.inputs)})
        return found

    def loss_of_weights(self, weights):
        """The exact loss at other weights (same inputs and target)."""
        return loss_expression(sigmoid(Add(*[a * b for a, b in zip(weights, self.inputs)])), self.target)

    def sampled(self) -> list:
        """The features whose gradient entries are checked one by one against the loss: all of them for a
        few features, else the first, the last and some in between (every entry is checked against the
        formula by the verifier; this is the check against the loss itself)."""
        if not is_long(self.count):
            return list(range(self.count))
        import random
        rng = random.Random(self.count)
        middle = rng.sample(range(1, self.count - 1), min(self.count - 2, 4))
        return sorted({0, self.count - 1, *middle})

    def finite_differences(self, features):
        """Centred differences (L(w + h_d e_d) - L(w - h_d e_d)) / 2h_d, each evaluated exactly then to many digits.

        h_d = 1e-6 / |x_d| (1e-6 when x_d = 0), so that z moves by 1e-6 whatever the size of the input:
        the difference of the two losses then keeps enough digits, and the error of the centred
        difference is about 1e-12 of the derivative. Only z moves, so each loss is that of z ± h_d x_d.
        """
        found = []
        for i in features:
            step = self.fd_steps[i]
            up = loss_expression(sigmoid(self.z + step * self.inputs[i]), self.target)
            down = loss_expression(sigmoid(self.z - step * self.inputs[i]), self.target)
            found.append(self.number((up - down) / (2 * step)))
        return found

    def by_sympy(self, features):
        """sympy.diff of the loss as a function of z, times dz/dw_d = x_d, at these numbers."""
        loss_of_z = loss_expression(sigmoid(z), self.target)
        slope = self.number(sympy.diff(loss_of_z, z).xreplace({z: self.z}))
        return [self.number(slope * self.inputs[i]) for i in features]


def _worked_example(derivation, dloss_dw, weights, inputs, target):
    example = Example(weights, inputs, target)
    count = example.count
    concrete = definitions(Integer(count))
    plain = Verifier({}, spread=SPREAD)
    values = example.values

    def stamped(steps, verifiers):
        for step, (verifier, step_values) in zip(steps, verifiers):
            verifier.stamp(step, values=step_values)
        return Chain(steps)

    full = Builder(concrete, spread=SPREAD).verifier
    # z = sum_d w_d x_d = w_0 x_0 + ... = the numbers = the value
    concrete_logit = logit(Integer(count))
    terms = Add(*[w[i] * x[i] for i in range(count)], evaluate=False) if count > 1 else w[0] * x[0]
    with_numbers = _sum_of([Mul(a, b, evaluate=False) for a, b in zip(weights, inputs)])
    z_chain = stamped([
        Step(z, concrete_logit, R.Definition(z, logit())),
        Step(concrete_logit, terms, R.WriteOutSum(Integer(count))),
        Step(terms, with_numbers, R.SubstituteValues(tuple(values.items()))),
        Step(with_numbers, example.z, R.Evaluate()),
    ], [(full, None), (full, None), (plain, values), (plain, None)])

    # y = sigma(z) = 1 / (1 + e^{-z}) = with z put in = the value
    z_value = {z: example.z}
    y_numbers = 1 / Add(1, exp(-example.z, evaluate=False), evaluate=False)
    y_steps = [
        Step(Y, Sigmoid(z), R.Definition(Y, Sigmoid(z))),
        Step(Sigmoid(z), sigmoid(z), R.Definition(Sigmoid(U), sigmoid(U))),
        Step(sigmoid(z), y_numbers, R.SubstituteValues(tuple(z_value.items()))),
    ]
    if text(y_numbers) != text(example.y):                  # 1/(1 + e^{-0}) = 1/2; 1/(1 + e^{-3}) stays as it is
        y_steps.append(Step(y_numbers, example.y, R.Evaluate()))
    y_chain = stamped(y_steps, [(Verifier({Y: Sigmoid(z), Sigmoid: sigmoid}, spread=SPREAD), None)] * 2 +
                      [(plain, z_value), (plain, None)])

    # L = -t log y - (1 - t) log(1 - y) = with t and y put in = the value
    prediction = {Y: example.y, t: target}
    loss = loss_expression()
    loss_numbers = _signed_numbers(written_out(loss, prediction))
    loss_chain = stamped([
        Step(LOSS, loss, R.Definition(LOSS, loss)),
        Step(loss, loss_numbers, R.SubstituteValues(tuple(prediction.items()))),
        Step(loss_numbers, example.loss, R.Evaluate()),
    ], [(Verifier({LOSS: loss}, spread=SPREAD), None), (plain, prediction), (plain, None)])

    # dL/dw = [(y - t) x_0, ...] = the numbers = the values
    lhs = sympy.ImmutableMatrix([d(LOSS, w[i]) for i in range(count)])
    formulas = sympy.ImmutableMatrix([dloss_dw.xreplace({j: Integer(i)}) for i in range(count)])
    point = {Y: example.y, t: target, **{x[i]: v for i, v in enumerate(inputs)}}
    numbers = sympy.ImmutableMatrix([written_out(f, point) for f in formulas])
    gradient_values = sympy.ImmutableMatrix(example.gradient)
    gradient_steps = [
        Step(lhs, formulas, R.DerivedAbove((d(LOSS, w[j]),))),
        Step(formulas, numbers, R.SubstituteValues(tuple(point.items()))),
        Step(numbers, gradient_values, R.Evaluate()),
    ]
    # each entry is the derived formula for its feature; checked against finite differences of the loss at
    # random weights and inputs small enough that z stays in float64's comfortable range
    full.stamp_cases(gradient_steps[0], [(sympy.true, dloss_dw)], j, {}, spread=SPREAD / math.sqrt(count))
    plain.stamp(gradient_steps[1], values=point)
    plain.stamp(gradient_steps[2])
    gradient_chain = Chain(gradient_steps)

    features = example.sampled()
    differences = example.finite_differences(features)
    exact = [example.number(g) for g in example.gradient]
    checked = [exact[i] for i in features]
    by_sympy = example.by_sympy(features)
    worst_fd = max(abs(a - b) / max(1, abs(a)) for a, b in zip(checked, differences))
    worst_sympy = max(abs(a - b) / max(1, abs(a)) for a, b in zip(checked, by_sympy))
    if worst_fd > 1e-8 or worst_sympy > sympy.Float(10) ** (-20):
        raise RuntimeError("the worked gradient disagrees with finite differences or sympy.diff")

    from .softmax_scores import decimal
    blocks = [
        sentence("With the weights ", sympy.ImmutableMatrix([weights]), ", the inputs ",
                 sympy.ImmutableMatrix([inputs]), " (", Eq(D, count), ") and the target ", Eq(t, target), ":"),
        z_chain,
        y_chain,
        sentence("so ", Y, " ≈ ", decimal(example.number(example.y)), ". The loss:"),
        loss_chain,
        sentence("so ", LOSS, " ≈ ", decimal(example.number(example.loss)), ". The gradient, from ",
                 Eq(d(LOSS, w[j]), dloss_dw), ":"),
        gradient_chain,
        sentence("In decimals: ", sympy.ImmutableMatrix([[decimal(v) for v in exact]]), "."),
    ]
    blocks += _example_meaning(example, decimal)
    which = "each entry agrees" if len(features) == count else \
        f"the entries of {len(features)} features ({', '.join(str(i) for i in features)}) agree"
    blocks.append(note(f"Checked: {which} with sympy.diff of the loss at these weights and with the "
                       f"centred finite difference (each step moving z by 1e-6, evaluated exactly); the "
                       f"largest relative difference "
                       f"from the finite differences is {float(worst_fd):.1e}."))
    messages, stable_blocks = _float64_warnings(example)
    blocks += stable_blocks
    for message in messages:
        derivation.warnings.append(message)
        blocks.append(warning(message))
    derivation.sections.append(Section("Worked example", blocks))

    derivation.results["z"] = Result("z", example.z, example.float(example.z), "z = w^T x")
    derivation.results["y"] = Result("y", example.y, example.float(example.y), "the prediction y = sigma(z)")
    derivation.results["loss"] = Result("loss", example.loss, example.float(example.loss), "L_CE at the given numbers")
    derivation.results["dw"] = Result("dw", gradient_values, [example.float(g) for g in example.gradient],
                                      "dL_CE/dw at the given numbers")


def _signed_numbers(expr):
    """-1·1·log(1/2) written -1·log(1/2): a term's sign taken into the number that follows it."""
    terms = []
    for term in Add.make_args(expr):
        factors = list(term.args) if isinstance(term, Mul) else [term]
        if len(factors) > 2 and factors[0] == -1 and factors[1].is_Number:
            sign = Mul(-1, factors[1], evaluate=False) if factors[1] == 0 else -factors[1]      # -0·log(...)
            term = Mul(sign, *factors[2:], evaluate=False)
        terms.append(term)
    return Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]


def _short(value) -> str:
    """A number in words, 3 significant digits: 1.2e-869 stays 1.2e-869 (not 0.0 as a float)."""
    return sympy.sstr(sympy.Float(value, 3))


def _shown(value) -> sympy.Float:
    """A number for a formula, 3 significant digits: 1.2e-869 stays 1.2e-869 (not 0.0 as a float)."""
    return sympy.Float(value, 3)


def _sum_of(terms):
    """The terms as one unevaluated sum (a single term stands alone)."""
    return Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]


def _example_meaning(example, decimal):
    """What the error and the gradient say at these numbers, from their signs."""
    error = example.number(example.error)
    y_number = decimal(example.number(example.y))
    if error == 0:
        return [sentence("The error ", Y - t, " is 0: the prediction equals the target, and the gradient is 0.")]
    direction = "below" if error < 0 else "above"
    moves = "raises" if error < 0 else "lowers"
    parts = ["The error ", Eq(Y - t, decimal(error)), f" is {'negative' if error < 0 else 'positive'}: the "
             "prediction ", y_number, f" is {direction} the target ", example.target, ". A gradient-descent step ",
             w[j], " ← ", w[j] - ALPHA * d(LOSS, w[j]), f" therefore {moves} ", z, " (and with it ", Y, "): "]
    if is_long(example.count):
        ups = [i for i, v in enumerate(example.inputs) if v != 0 and (error < 0) == (v > 0)]
        downs = [i for i, v in enumerate(example.inputs) if v != 0 and (error < 0) != (v > 0)]
        still = [i for i, v in enumerate(example.inputs) if v == 0]
        groups = []
        for indices, words in ((ups, "goes up"), (downs, "goes down"), (still, "is left alone")):
            if indices:
                sign = "x_d = 0" if words == "is left alone" else \
                    ("x_d > 0" if (words == "goes up") == (error < 0) else "x_d < 0")
                groups.append(f"{words} for the {len(indices)} feature{'s' if len(indices) != 1 else ''} "
                              f"with {sign} ({listed(f'w_{i}' for i in indices)})")
        parts += [w[j], " " + "; ".join(groups)]
    else:
        for i, v in enumerate(example.inputs):
            parts += ["; " if i else "", w[i]]
            if v == 0:
                parts += [" is left alone (", Eq(x[i], 0), ")"]
            else:
                up = (error < 0) == (v > 0)
                parts += [f" goes {'up' if up else 'down'} (", x[i], f" {'>' if v > 0 else '<'} 0)"]
    return [sentence(*parts, ".")]


def stable_loss(positive: bool):
    """The loss in terms of z with no 1 - sigma(z) in it: log(1 + e^{-z}) + (1 - t) z for z >= 0,
    log(1 + e^{z}) - t z for z < 0 (every exponent <= 0, so nothing overflows or cancels)."""
    if positive:
        return log(1 + exp(-z)) + (1 - t) * z
    return log(1 + exp(z)) - t * z


def _float64_warnings(example):
    """(warnings, blocks): what naive float64 code gets wrong at these numbers, from the exact values,
    and the verified form of the loss in z that avoids it."""
    messages, blocks = [], []
    z_value = example.number(example.z)
    try:
        naive = 1.0 / (1.0 + math.exp(-float(z_value)))
    except OverflowError:
        naive = 0.0
    one_minus = example.number(1 - example.y)
    y_value = example.number(example.y)
    short = _shown
    formula = Eq(Y, 1 / (1 + exp(-z)), evaluate=False)
    at = [Eq(z, decimal_number(f"{float(z_value):.6g}")), ": "]
    saturated = None
    if naive == 1.0 and example.target != 1:
        saturated = [formula, " rounds to 1.0 in float64 (", Eq(1 - Y, short(one_minus), evaluate=False), "), so ",
                     log(1 - Y), " computed from ", Y, " is infinite"]
    elif naive == 0.0 and example.target != 0:
        saturated = [formula, " is 0.0 in float64 (", Eq(Y, short(y_value)), "), so ", log(Y), " computed from ", Y,
                     " is infinite"]
    if saturated:
        form = stable_loss(z_value >= 0)
        local = Builder({LOSS: loss_expression(), Y: Sigmoid(z), Sigmoid: sigmoid}, spread=SPREAD)
        claim = local.claim(LOSS, form, R.Rewrite((Y, Sigmoid(z))))
        value = form.xreplace({z: example.z, t: example.target})
        if abs(example.number(value) - example.number(example.loss)) > sympy.Float(10) ** (-30) * \
                max(1, abs(example.number(example.loss))):
            raise RuntimeError("the loss in terms of z disagrees with the loss")
        blocks += [sentence("Computed in float64 from ", Y, ", this loss would be infinite. Written in terms of ",
                            z, " with only ", exp(-abs(z)), " in it, it is"), claim,
                   sentence("which float64 evaluates without trouble at ", Eq(z, example.z), ": ",
                            LOSS, " ≈ ", sympy.Float(example.number(value), 6), ".")]
        messages.append(sentence(*at, *saturated, "; compute the loss from ", z, " instead (see the form of the loss "
                                 "in ", z, " in the worked example)"))
    loss_value = example.number(example.loss)
    error = example.number(example.error)
    if naive == 1.0 and example.target == 1 and one_minus > 0:
        messages.append(sentence(*at, Eq(Y, Add(1, -short(one_minus), evaluate=False)), " rounds to 1.0 in float64, "
                                 "so ", -log(Y), " and ", Y - t, " computed in float64 give 0, but the exact loss is ",
                                 short(loss_value), " and ", Eq(Y - t, short(error)), "; compute the loss from ", z,
                                 " (", log(1 + exp(-z)), ") to keep them"))
    elif example.target == 0 and 0 < y_value < 2.0 ** -53:
        messages.append(sentence(*at, Eq(1 - Y, Add(1, -short(y_value), evaluate=False), evaluate=False),
                                 " rounds to 1.0 in float64, so ", -log(1 - Y), " computed in float64 gives 0, but the "
                                 "exact loss is ", short(loss_value), "; compute the loss from ", z, " (",
                                 log(1 + exp(z)), ") to keep it"))
    if loss_value != 0 and abs(loss_value) < 2.2250738585072014e-308:
        as_float = float(loss_value)
        written = ["its JSON value is 0.0"] if as_float == 0.0 else \
            ["its JSON value ", decimal_number(f"{as_float:.5g}"), " is a subnormal float64 number with fewer "
             "significant digits"]
        messages.append(sentence("the loss ", short(loss_value), " is below float64's smallest normal number (",
                                 decimal_number("2.2e-308"), "): ", *written, "; the exact value is in 'exact'"))
    return messages, blocks


__all__ = ["gradient", "loss_expression", "logit", "definitions", "batch_definitions", "worked_inputs",
           "Example", "Y", "LOSS", "J", "TITLE", "SUMMARY"]
