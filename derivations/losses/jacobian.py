"""The Jacobian of softmax: how each probability moves with each score.

    p_j = e^{s_j} / sum_m e^{s_m},     dp_j/ds_k = p_j (1 - p_j) if j = k,  -p_j p_k if j != k

Derived by the quotient rule, the route of the seed homework (004, part 1),
as two verified cases; then both cases in one formula p_j (delta_jk - p_k),
the matrix form diag(p) - p p^T, the chain rule back to the loss gradient,
and with scores the numeric matrix.

Index names: j is the probability (the row of the Jacobian), k the score
(the column), m the index of the sum in the denominator. The seed writes
P_i and s_j; here i is kept for the example, as in its label y_i, so that
"i" never means two things in one report.
"""
from __future__ import annotations

import mpmath
import sympy
from sympy import Add, Eq, Integer, KroneckerDelta, Mul, Ne, exp
from sympy.matrices.expressions.diagonal import DiagMatrix

from ..engine import rules as R
from ..engine.build import Builder, note, sentence
from ..engine.differentiate import d, differentiate
from ..engine.evaluate import instantiate
from ..engine.inputs import exponent_bound, score_vector
from ..engine.notation import K, L, Times, j, k, m, p, s, y
from ..engine.sizes import HEAD, TAIL, is_long, listed, shown_positions
from ..engine.steps import Case, CaseSplit, Derivation, Math, Result, Section, Step, Table, Text
from ..engine.verify import final_check
from ..report import Report
from .softmax_scores import Example, concrete_definitions, decimal, probability, probability_chain, sum_exp

TITLE = "The Jacobian of softmax"

#: the Jacobian J and its matrix form diag(p) - p p^T, for the prose
JAC = sympy.Symbol("J")
_P = sympy.MatrixSymbol("p", K, 1)
MATRIX_FORM = sympy.MatAdd(DiagMatrix(_P), sympy.MatMul(-1, _P, _P.T), evaluate=False)
SUMMARY = "softmax probabilities: the Jacobian dp_j/ds_k = p_j (delta_jk - p_k), case j = k / j != k"

#: the number of classes the matrix form is shown for when no scores are given
ILLUSTRATION_CLASSES = 3


def jacobian(scores=None) -> Derivation:
    """dp_j/ds_k as verified cases, the matrix form, and with ``scores`` the numeric matrix.

    >>> d = jacobian(scores=[3, -1, 4])
    >>> [round(v, 4) for v in d.results["jacobian"].value[0]]
    [0.196, -0.0013, -0.1947]
    """
    values = score_vector(scores) if scores is not None else None
    if values is not None:
        exponent_bound(values, None)
    builder = Builder({p: probability})
    derivation = Report("softmax-jacobian", TITLE,
                            {} if values is None else {"scores": [float(v) for v in values]})

    definition = builder.chain([Step(p[j], probability(j), R.Definition(p[j], probability(j)))])
    derivation.sections.append(Section("The probabilities", [
        sentence("Softmax turns the scores ", s[k], " (classes ", Eq(k, 0), ", ..., ", K - 1, ") into probabilities"),
        definition,
        sentence("Every ", p[j], " depends on every score through the sum, so the Jacobian ", JAC, " has ", K, " × ", K,
                 " entries ", d(p[j], s[k]), ": row ", j, " is the probability, column ", k, " the score. (The "
                 "exercise writes ", d(sympy.Indexed("P", sympy.Symbol("i")), s[j]), "; here ", sympy.Symbol("i"),
                 " is kept for the example, as in ", y, ".)"),
    ]))
    diagonal, off_diagonal, section = _cases_section(builder)
    derivation.sections.append(section)
    entry = p[j] * (KroneckerDelta(j, k) - p[k])
    derivation.sections.append(_combined_section(builder, entry))
    derivation.results["jacobian_diagonal"] = Result("jacobian_diagonal", diagonal,
                                                     description="dp_j/ds_k for j = k")
    derivation.results["jacobian_off_diagonal"] = Result("jacobian_off_diagonal", off_diagonal,
                                                         description="dp_j/ds_k for j != k")
    derivation.results["jacobian_entry"] = Result("jacobian_entry", entry,
                                                  description="dp_j/ds_k for any j, k")
    derivation.sections.append(_loss_section(builder, entry))
    count = len(values) if values is not None else ILLUSTRATION_CLASSES
    matrix_section, symbolic = _matrix_section(count, diagonal, off_diagonal)
    derivation.sections.append(matrix_section)
    if values is None:
        derivation.results["jacobian"] = Result("jacobian", symbolic, None,
                                                f"the {count} x {count} Jacobian in terms of p (rows j, columns k)")
    else:
        _numeric(derivation, values, symbolic)
    return derivation


# --- the cases ---------------------------------------------------------------------

def _fraction_parts(expr):
    """(coefficient, numerator factors, denominator base) of c n_1 n_2 ... / b^len(n)."""
    numerator, denominator = sympy.fraction(expr)
    coefficient, rest = numerator.as_coeff_Mul()
    base = denominator.base if isinstance(denominator, sympy.Pow) else denominator
    factors = sorted(Mul.make_args(rest), key=lambda f: 1 if isinstance(f, Add) else 0)
    return coefficient, factors, base


def _factor_step(expr):
    """(u v - u w) / b^2 = u (v - w) / b^2."""
    after = sympy.factor_terms(expr)
    common = [f for f in Mul.make_args(sympy.fraction(after)[0]) if isinstance(f, exp)]
    return Step(expr, after, R.Factor(common[0]))


def _split_step(expr):
    """c u v / b^2 = c (u / b) (v / b), kept as a product of two fractions."""
    coefficient, factors, base = _fraction_parts(expr)
    pieces = [f / base for f in factors]
    after = Mul(*([coefficient] if coefficient != 1 else []), *pieces, evaluate=False)
    return Step(expr, after, R.SplitFraction())


def _divide_step(expr):
    """(b - u) / b = 1 - u / b inside the product."""
    args = [sympy.expand(a) if isinstance(sympy.fraction(a)[0], Add) else a for a in expr.args]
    return Step(expr, Mul(*args, evaluate=False), R.DivideTermByTerm())


def _recognise_step(expr):
    """e^{s_a} / sum_m e^{s_m} = p_a in each factor."""
    total = sum_exp()
    applied, args = [], []
    for a in expr.args:
        for index in sorted({e.args[0].indices[0] for e in a.atoms(exp) if e.args[0].indices[0] != m}, key=str):
            replaced = a.subs(exp(s[index]) / total, p[index])
            if replaced != a:
                rule = R.RecogniseDefinition(p[index], probability(index))
                if rule not in applied:
                    applied.append(rule)
                a = replaced
        args.append(a)
    after = Mul(*args)
    return Step(expr, after, applied[0], more=tuple(applied[1:]))


def _finish_diagonal(expr):
    factored = _factor_step(expr)
    split = _split_step(factored.after)
    divided = _divide_step(split.after)
    return [factored, split, divided, _recognise_step(divided.after)]


def _finish_off_diagonal(expr):
    split = _split_step(expr)
    return [split, _recognise_step(split.after)]


def _cases_section(builder):
    equal, differ = Eq(j, k), Ne(j, k)
    start = [builder.rewrite(d(p[j], s[k]), d(p[j], s[j]), R.CaseAssumption(equal), (equal,))]
    diagonal_chain = builder.derivative(p[j], probability(j), s[j], conditions=(equal,), start=start,
                                        finish=_finish_diagonal)
    off_chain = builder.derivative(p[j], probability(j), s[k], conditions=(differ,), finish=_finish_off_diagonal)
    diagonal, off_diagonal = diagonal_chain.result, off_chain.result
    split = CaseSplit([
        Case(equal, "diagonal: a probability and its own score", [diagonal_chain]),
        Case(differ, "off the diagonal: another class's score", [off_chain]),
    ], R.CaseSplitRule(k, (equal, differ)))
    checks = [final_check(p[j], diagonal, s[j], definitions={p: probability}),
              final_check(p[j], off_diagonal, s[k], definitions={p: probability}, conditions=(differ,))]
    if not all(c.ok for c in checks):
        raise RuntimeError("the derived Jacobian disagrees with sympy.diff or finite differences")
    points = sum(c.points for c in checks)
    worst = max(c.max_relative_error for c in checks)
    blocks = [
        sentence("By the quotient rule with ", Eq(sympy.Symbol("u"), exp(s[j])), " and ",
                 Eq(sympy.Symbol("v"), sum_exp()), ": the numerator depends on ", s[k], " only when ", Eq(j, k),
                 ", the denominator always. Two cases:"),
        split,
        sentence("Raising a class's own score raises its probability (", diagonal, " > 0) and lowers every other "
                 "one (", off_diagonal, " < 0)."),
        note(f"Checked: both formulas agree with sympy.diff and with centred finite differences at {points} random "
             f"points (K = 2..5 classes); largest relative difference {worst:.1e}."),
    ]
    return diagonal, off_diagonal, Section("Derivative of a probability with respect to a score", blocks)


def _combined_section(builder, entry):
    delta = KroneckerDelta(j, k)
    combined = builder.claim(d(p[j], s[k]), entry, R.CombineCases(delta))
    rows = builder.claim(sympy.Sum(entry, (k, 0, K - 1)), sympy.S.Zero,
                         R.SumToOne(sympy.Sum(p[k], (k, 0, K - 1)), sympy.S.One))
    return Section("Both cases in one formula", [
        sentence("With ", delta, " (1 when ", Eq(j, k), ", 0 otherwise) the two cases are one formula:"),
        combined,
        sentence("Each row sums to 0: the probabilities always sum to 1, so together they cannot move. Adding the "
                 "same number to every score moves no probability."),
        rows,
    ])


def _loss_section(builder, entry):
    """dL_i/ds_k = -(1 / p_{y_i}) dp_{y_i}/ds_k = p_k - delta_{k y_i}: the Jacobian gives the loss gradient."""
    loss = -sympy.log(p[y])
    steps = [Step(d(L, s[k]), d(loss, s[k]), R.Definition(L, loss))]
    for step in differentiate(loss, s[k]):
        if isinstance(step.rule, R.NoRule):
            break
        steps.append(step)
    current = steps[-1].after
    row = entry.xreplace({j: y})
    node = d(p[y], s[k])
    with_jacobian = Mul(*[row if f == node else f for f in Mul.make_args(current)], evaluate=False)
    steps.append(Step(current, with_jacobian, R.Rewrite((node, row))))
    steps.append(Step(with_jacobian, sympy.expand(with_jacobian), R.CancelFraction()))
    local = Builder({p: probability, L: loss})
    chain = local.chain(steps)
    return Section("Back to the loss: the chain rule through p", [
        sentence("The softmax loss ", Eq(L, loss, evaluate=False), " depends on the scores only through ", p[y],
                 ", so its gradient is row ", y, " of the Jacobian times ", -1 / p[y],
                 ":"),
        chain,
        sentence("the same ", p[k] - KroneckerDelta(k, y), " as by the log-sum-exp route of the softmax gradient "
                 "(written with the log of a sum of exponentials, the loss gives it in a few steps)."),
    ])


def _matrix_section(count, diagonal, off_diagonal):
    """The count x count Jacobian in terms of p, equal to diag(p) - p p^T (verified for that count).

    Beyond a few classes the section shows the rows and columns of the first and the last classes
    (every other entry follows the same pattern; the numbers of all of them are in the JSON report).
    """
    shown = [i for i in shown_positions(count) if i is not None]
    local = Builder(concrete_definitions(count, 0))
    size = len(shown)
    cases = [(Eq(j, k), diagonal), (Ne(j, k), off_diagonal)]
    lhs = sympy.ImmutableMatrix(size, size, lambda a, b: d(p[shown[a]], s[shown[b]]))
    entries = sympy.ImmutableMatrix(size, size, lambda a, b: instantiate(
        diagonal if shown[a] == shown[b] else off_diagonal, {j: Integer(shown[a]), k: Integer(shown[b])}))
    column = sympy.ImmutableMatrix([p[a] for a in shown])
    diagonal_matrix = sympy.ImmutableMatrix(size, size, lambda a, b: p[shown[a]] if a == b else 0)
    form = sympy.MatAdd(diagonal_matrix, sympy.MatMul(-1, column, column.T), evaluate=False)
    first, second = Step(lhs, entries, R.ApplyCases()), Step(entries, form, R.MatrixForm())
    local.verifier.stamp_cases(first, cases, (j, k), {}, positions=[(a, b) for a in shown for b in shown])
    Builder().verifier.stamp(second)                # an identity in p itself: no definition needed
    chain = local.chain([first, second])
    if is_long(count):
        opening = sentence("For ", Eq(K, count), " classes, the rows and columns of classes ",
                           listed(shown, limit=len(shown)), " (every other entry follows the same pattern), entry "
                           "by entry from the cases, and as a matrix, ", Eq(JAC, MATRIX_FORM, evaluate=False), ":")
    else:
        opening = sentence("For ", Eq(K, count), " classes, entry by entry from the cases, and as a matrix, ",
                           Eq(JAC, MATRIX_FORM, evaluate=False), ":")
    return Section(sentence("The matrix at ", Eq(K, count)), [opening, chain]), entries


def _numeric(derivation, values, symbolic):
    count = len(values)
    example = Example(values, 0)
    local = Builder(concrete_definitions(count, 0))
    digits = example.digits
    with mpmath.workdps(digits):
        q = [mpmath.mpf(v._mpf_) if isinstance(v, sympy.Float) else mpmath.mpf(sympy.Float(v, digits)._mpf_)
             for v in example.prob_numbers]
        # 1 - p_a as the sum of the other probabilities (prefix and suffix sums: no cancellation when p_a is
        # close to 1)
        prefix, suffix = [mpmath.mpf(0)] * (count + 1), [mpmath.mpf(0)] * (count + 1)
        for a in range(count):
            prefix[a + 1] = prefix[a] + q[a]
            suffix[count - 1 - a] = suffix[count - a] + q[count - 1 - a]
        numbers = [[q[a] * (prefix[a] + suffix[a + 1]) if a == b else -q[a] * q[b] for b in range(count)]
                   for a in range(count)]
    shown_rows = shown_positions(count)
    rows = []
    for a in shown_rows:
        if a is None:
            rows.append([[Text("…")]] + [[Text("⋱" if b is None else "⋮")] for b in shown_rows])
            continue
        rows.append([[Text(str(a))]] + [[Text("…")] if b is None else [Math(decimal(_float_of(numbers[a][b])))]
                                        for b in shown_rows])
    table = Table([[Text("j \\ k")]] + [[Text("…" if b is None else str(b))] for b in shown_rows], rows)
    worst, columns = _finite_difference_check(example, numbers)
    which = "every entry agrees" if columns == count else \
        f"the entries of {columns} columns (k = {', '.join(str(b) for b in _sampled_columns(count))}) agree"
    blocks = [
        sentence("The probabilities:"),
        probability_chain(local, example),
        sentence("In decimals ", sympy.ImmutableMatrix([[decimal(v) for v in example.prob_numbers]]), ". Each entry of ",
                 JAC, " from the matrix above (row ", j, ", column ", k, "):"),
        table,
    ]
    if is_long(count):
        blocks.append(sentence(f"(Rows and columns {HEAD} to {count - TAIL - 1} are left out here; the JSON report "
                               "holds all ", Times(count, count), " entries.)"))
    blocks.append(note(f"Checked: {which} with a centred finite difference of the probabilities (step 1e-12, "
                       f"exact arithmetic) to within {worst:.1e}."))
    derivation.sections.append(Section("At the given scores", blocks))
    if is_long(count):
        exact = sympy.MatAdd(sympy.ImmutableMatrix(count, count, lambda a, b: example.probs[a] if a == b else 0),
                             sympy.MatMul(-1, sympy.ImmutableMatrix(example.probs),
                                          sympy.ImmutableMatrix([example.probs])), evaluate=False)
        exact_text = "diag(p) - p*p.T with p = " + _compact(example.probs)
        shown = r"\operatorname{diag}(p) - p p^{T}"
    else:
        exact = sympy.ImmutableMatrix(count, count, lambda a, b: symbolic[a, b].xreplace(
            {p[c]: example.probs[c] for c in range(count)}))
        exact_text = shown = None
    derivation.results["jacobian"] = Result("jacobian", exact, [[_float_of(v) for v in row] for row in numbers],
                                            "dp_j/ds_k at the given scores (rows j, columns k)", exact=exact_text,
                                            latex=shown)


def _float_of(value) -> float:
    return float(value) + 0.0                 # + 0.0: no -0.0 in JSON


def _compact(probs) -> str:
    """The exact probabilities with their shared denominator written once."""
    from ..report.render import exact_text
    return exact_text(probs)


def _sampled_columns(count):
    """The columns checked against finite differences: all of them, or the first, the last and a few between."""
    if not is_long(count):
        return list(range(count))
    import random
    rng = random.Random(count)
    return sorted({0, 1, count - 1, *rng.sample(range(2, count - 1), min(count - 3, 3))})


def _finite_difference_check(example, numbers, step=mpmath.mpf(10) ** -12):
    """(largest difference between the entries and (p(s + h e_k) - p(s - h e_k)) / 2h in exact arithmetic,
    number of columns checked): every column for a few classes, else the sampled ones."""
    values, count = example.values, example.count
    digits = example.digits + 30
    columns = _sampled_columns(count)
    worst = mpmath.mpf(0)
    with mpmath.workdps(digits):
        exact = [mpmath.mpf(int(v.p)) / int(v.q) for v in values]
        top = max(exact)
        base = [mpmath.exp(v - top) for v in exact]
        total = mpmath.fsum(base)
        for b in columns:
            up_b, down_b = mpmath.exp(exact[b] + step - top), mpmath.exp(exact[b] - step - top)
            up_total, down_total = total - base[b] + up_b, total - base[b] + down_b
            for a in range(count):
                up = (up_b if a == b else base[a]) / up_total
                down = (down_b if a == b else base[a]) / down_total
                numeric = (up - down) / (2 * step)
                worst = max(worst, abs(numeric - numbers[a][b]))
    if worst > 1e-9:
        raise RuntimeError("the numeric Jacobian disagrees with finite differences")
    return float(worst), len(columns)


__all__ = ["jacobian", "TITLE", "SUMMARY"]
