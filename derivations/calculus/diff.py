"""``derive diff``: the step-by-step derivative (or gradient) of any expression a user types.

The expression is read by the grammar in :mod:`derivations.parse` (never by
``sympify``), differentiated by the same rules as the losses (and those of the
elementary and activation functions), every step verified, the result written
shorter by named, verified steps (:mod:`derivations.engine.shorten`), and
compared with ``sympy.diff`` and finite differences inside the expression's
domain, which the report states ("for x > 1"). Where no rule applies the
derivation says so and is marked incomplete.
"""
from __future__ import annotations

import dataclasses

import sympy
from sympy import Indexed, Symbol

from ..engine import rules as R
from ..engine.algebra import tidy
from ..engine.build import Builder, note, sentence
from ..engine.differentiate import d, differentiate
from ..engine.functions import DEFINITIONS
from ..engine.inputs import InputError
from ..engine.notation import COUNTS, SumExcept, y
from ..engine.shorten import shorten, size
from ..engine.steps import Chain, Claim, Math, Result, Section, Text, Verification
from ..engine.verify import VerificationError, expand_definitions, final_check
from ..engine.verify.comparison import MIN_VALID_POINTS
from ..engine.verify.domain import describe_domain, domain_conditions, intervals, never_real
from ..report import Report

TITLE = "Derivative, step by step"
SUMMARY = "any expression: step-by-step derivative, or gradient, with respect to one or more variables"

#: how the steps of ``derive diff`` were checked, for the report's last paragraph
VERIFICATION_NOTE = ("Each step was checked symbolically (the difference of its two sides simplifies to 0) or, "
                     "where SymPy cannot decide, by evaluating both sides at random points inside the domain of "
                     "every function in it (logarithms and roots of positive numbers, no division by 0), on both "
                     "sides of every kink; the result was compared with sympy.diff and with centred finite "
                     "differences.")

#: the exit status of a report whose derivative is left unevaluated (no rule applies): not 0, not 2 (bad input)
UNEVALUATED_STATUS = 3

#: variables of one gradient at most
MAX_VARIABLES = 20

#: a derivative longer than this (in nodes) is refused rather than printed
MAX_RESULT_NODES = 20000


# --- reading -------------------------------------------------------------------------------------

def read_expression(text: str, what: str = "expression", *, max_length: int | None = None):
    """The SymPy expression of ``text`` in the calculus notation; InputError naming the problem.

    ``max_length`` raises the cap on characters (2,000, as for answers), and the time allowed to build
    the expression in proportion; the other caps stay.
    """
    return read(text, what, max_length=max_length).expr


def read(text: str, what: str = "expression", *, max_length: int | None = None):
    """What ``text`` was read as (:class:`~derivations.parse.calculus.Reading`: the expression, the variables
    typed, notes on readings); InputError naming the problem."""
    from ..parse import ParseError
    from ..parse.calculus import LIMITS, read_calculus
    limits = LIMITS if max_length is None else dataclasses.replace(
        LIMITS, max_length=max_length,
        max_build_seconds=LIMITS.max_build_seconds * max(1.0, max_length / LIMITS.max_length))
    try:
        return read_calculus(text, limits=limits)
    except ParseError as error:
        raise InputError(f"cannot read the {what} {text!r}: {error}") from None


def written(variable) -> str:
    """A variable as it is typed: x, w_0, s_{y_i}."""
    if isinstance(variable, Indexed):
        index = ",".join(str(i) for i in variable.indices)
        return f"{variable.base}_{index}" if len(index) == 1 else f"{variable.base}_{{{index}}}"
    return str(variable)


def _split_top_level(text: str) -> list[str]:
    """``text`` split at the commas outside brackets (s_{j,k} stays whole)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def read_variables(wrt) -> list:
    """The variables of ``--wrt x,y`` (or a list of names), each one symbol such as z, s_j or s_{y_i}."""
    names = _split_top_level(wrt) if isinstance(wrt, str) else [str(w) for w in wrt]
    if not names or any(not n for n in names):
        raise InputError(f"--wrt needs variables separated by commas, e.g. x or x,y, not {wrt!r}")
    if len(names) > MAX_VARIABLES:
        raise InputError(f"--wrt takes at most {MAX_VARIABLES} variables, got {len(names)}")
    variables = []
    for name in names:
        try:
            var = read_expression(name, "variable")
        except InputError as error:
            reason = str(error).split(": ", 1)[-1]
            raise InputError(f"--wrt must be one variable such as z, w0, s_j or s_{{y_i}}, not {name!r}: "
                             f"{reason}") from None
        if not isinstance(var, (Symbol, Indexed)):
            raise InputError(f"--wrt must be one variable such as z, w0, s_j or s_{{y_i}}, not {name!r}")
        if var not in variables:
            variables.append(var)
    return variables


# --- what can be differentiated -------------------------------------------------------------------

def _index_uses(expr) -> dict:
    """Integer symbol -> an expression where it is used as an index (in s_k, delta_jk, a sum's range)."""
    uses = {}
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, Indexed):
            places = [i.free_symbols for i in node.indices]
        elif isinstance(node, sympy.KroneckerDelta):
            places = [a.free_symbols for a in node.args]
        elif isinstance(node, sympy.Sum):
            places = [set().union(*(b.free_symbols for b in limit)) for limit in node.limits]
        elif isinstance(node, SumExcept):
            places = [a.free_symbols for a in node.args[1:]]
        else:
            continue
        for symbols in places:
            for symbol in symbols:
                uses.setdefault(symbol, node)
    return uses


def _role(symbol) -> str:
    if symbol == y:
        return "the label y_i"
    if symbol in COUNTS:
        return f"the count {symbol}"
    return f"the class index {symbol}"


def as_real_variables(expr, variables):
    """``expr`` and ``variables`` with each index letter that is not used as an index made a real variable.

    k^2 with respect to k is the derivative of a square (2k); in s_k^2 with
    respect to k, k is an index (a whole number) and there is no derivative:
    that is an InputError naming the use.
    """
    uses = _index_uses(expr)
    for var in variables:
        if isinstance(var, Symbol) and var.is_integer and var in uses:
            from ..report.printing import text
            raise InputError(f"cannot differentiate with respect to {var}: it is {_role(var)} in "
                             f"{text(uses[var])}, a whole number; differentiate with respect to a real "
                             "variable (x, z, s_k, ...)")
    integers = {a for a in expr.free_symbols | set().union(*(v.free_symbols for v in variables))
                if isinstance(a, Symbol) and a.is_integer and a not in uses}
    for var in variables:
        if isinstance(var, Indexed):
            integers -= var.free_symbols
    mapping = {a: Symbol(a.name, real=True) for a in integers}
    if not mapping:
        return expr, variables
    return expr.xreplace(mapping), [v.xreplace(mapping) for v in variables]


_NOT_REAL = {
    "log": "the logarithm of a number that is not positive is not real",
    "power": "a power with a variable or fractional exponent needs a positive base",
    "unit": "its argument must lie strictly between -1 and 1",
    "acosh": "its argument must be greater than 1",
    "nonzero": "it divides by zero",
}


def refuse_non_real(expr, text: str) -> None:
    """InputError for an expression that is not a real number anywhere: log(-1) x, sqrt(-1) x, (-1)^x, 0^x."""
    from ..report.printing import text as show
    if expr.has(sympy.I):
        raise InputError(f"cannot differentiate {text!r}: it is not real (it holds i, the square root of -1, "
                         "from the log or square root of a negative number)")
    failing = never_real(domain_conditions(expand_definitions(expr, DEFINITIONS)))
    if failing is None:
        return
    source = failing.source
    if isinstance(source, sympy.log):
        reason = _NOT_REAL["log"]
    elif isinstance(source, sympy.Pow):
        reason = _NOT_REAL["nonzero"] if failing.relation == "!=" else _NOT_REAL["power"]
    elif isinstance(source, sympy.acosh):
        reason = _NOT_REAL["acosh"]
    elif isinstance(source, (sympy.asin, sympy.acos, sympy.atanh)):
        reason = _NOT_REAL["unit"]
    else:
        reason = _NOT_REAL["nonzero"]
    raise InputError(f"cannot differentiate {text!r}: {show(source)} is not a real number ({reason})")


# --- where the result holds ----------------------------------------------------------------------------

def domain_segments(conditions) -> list:
    """Text and maths saying where ``conditions`` hold: x > 1, -1 < x < 1, cos(x) ≠ 0, ..."""
    segments = []
    for n, clause in enumerate(describe_domain(conditions)):
        if n:
            segments.append(Text(", "))
        for m, alternative in enumerate(clause):
            if m:
                segments.append(Text(" or "))
            segments += _alternative_segments(alternative)
    return segments


def _alternative_segments(relations) -> list:
    out = []
    for i, relation in enumerate(relations):
        if i:
            out.append(Text(" and "))
        out.append(Math(relation))
    return out


def positive_in_domain(conditions) -> frozenset:
    """Expressions known to be positive wherever the conditions hold: each u of u > 0, and variables
    whose interval lies in (0, oo)."""
    positive = {c.expr for c in conditions if c.relation == ">"}
    for var, region in intervals(conditions).items():
        if region.is_subset(sympy.Interval.open(0, sympy.oo)):
            positive.add(var)
    return frozenset(positive)


# --- the derivation ----------------------------------------------------------------------------------

#: symbolic cancellation is tried on steps up to this many nodes (definitions put in) ...
MAX_SYMBOLIC_NODES = 400

#: ... and up to this depth of nested functions (sigma(sigma(...)) put in is e^{-1/(1 + e^{...})})
MAX_SYMBOLIC_NESTING = 4


def _nesting(expr) -> int:
    """How deeply functions (exp, log, sin, ...) nest in ``expr``, powers with a variable exponent included."""
    deepest, stack = 0, [(expr, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, sympy.Function) or (isinstance(node, sympy.Pow) and node.exp.free_symbols):
            depth += 1
            deepest = max(deepest, depth)
        stack.extend((a, depth) for a in node.args)
    return deepest


def worth_cancelling(a, b) -> bool:
    """Whether to try cancelling a - b symbolically: small enough, and not too deeply nested."""
    return size(a) + size(b) <= MAX_SYMBOLIC_NODES and max(_nesting(a), _nesting(b)) <= MAX_SYMBOLIC_NESTING


def calculus_builder() -> Builder:
    """The builder of derive diff and derive backprop: sigma, ReLU, softplus known; symbolic checks bounded."""
    return Builder(DEFINITIONS, try_symbolic=worth_cancelling)


def verify_step(verifier, step) -> None:
    """Verify ``step`` in place (VerificationError if it fails): part by part when it rewrites only parts.

    A step that replaces sub-expressions (d/dx sin u by cos(u) du/dx, in a sum
    of forty terms) holds when each replaced part equals what it became, the
    rest being the same expression on both sides: each part is checked on its
    own, which keeps the check of a long expression as cheap as its parts.
    """
    if not step.replaced or step.before.xreplace(dict(step.replaced)) != step.after:
        verifier.stamp(step)
        return
    results = [verifier.check(old, new) for old, new in step.replaced]
    failed = next((r for r in results if not r.ok), None)
    if failed is not None:
        step.verification = failed
        raise VerificationError(step, failed)
    if len(results) == 1:
        step.verification = results[0]
        return
    methods = "+".join(sorted({m for r in results for m in r.method.split("+")}))
    step.verification = Verification(True, methods, f"each of the {len(results)} rewritten parts on its own "
                                     f"(the rest is the same on both sides): {results[0].detail}",
                                     points=max(r.points for r in results))


class Differentiation:
    """One verified chain d f / d x: the steps, the check against sympy.diff, what could not be done."""

    def __init__(self, expr, var, builder: Builder):
        self.expr, self.var, self.builder = expr, var, builder
        self.precise = None                   # the 50-digit second look at points where double precision failed
        self.searched_precisely = None        # points found in 50 digits when double precision found too few
        self.undecided: list = []             # steps that could not be checked for want of points
        self.stuck: list = []
        try:
            steps = differentiate(expr, var, max_steps=200)
        except RuntimeError:
            raise InputError("the expression is too large to differentiate step by step (more than 200 steps)") \
                from None
        self.stuck = [step for step in steps if isinstance(step.rule, R.NoRule)]
        steps = [step for step in steps if not isinstance(step.rule, R.NoRule)]
        self._stamp(steps)
        self.check, self.domain = None, ()
        if self.stuck:
            for step in self.stuck:
                step.verification = Verification(False, "none", "no rule applies; the derivative is left as it stands")
            steps += self.stuck
        else:
            more = tidy(steps[-1].after)
            self._stamp(more)
            steps += more
            if size(steps[-1].after) > MAX_RESULT_NODES:
                raise InputError(f"the derivative is too large to show: more than {MAX_RESULT_NODES} nodes")
            domain = domain_conditions(expand_definitions(expr, DEFINITIONS))
            steps += shorten(steps[-1].after, var, accept=self._keep, positive=positive_in_domain(domain))
            self.check = final_check(expr, steps[-1].after, var, definitions=DEFINITIONS)
            self.domain = self.check.domain
            if not self.check.ok and self.check.points >= MIN_VALID_POINTS:
                self._look_again(steps[-1].after, self.check.disagreements)
            elif not self.check.ok:            # too few points in double precision: look for them in 50 digits
                from .precise import points_for
                found = points_for(expr, steps[-1].after, DEFINITIONS)
                self.searched_precisely = len(found)
                if len(found) >= MIN_VALID_POINTS:
                    self._look_again(steps[-1].after, found)
        self.chain = Chain(steps)

    def _look_again(self, result, points) -> None:
        """Double precision disagreed at some points: compare again there in 50-digit arithmetic.

        Near a pole a finite difference in double precision is wrong in its first digits; in 50 digits
        the comparison can be trusted. All points agree: the check passes, and the report says how. A
        point that cannot be evaluated: not verified (a warning). A point that disagrees in 50 digits
        too: the derivative is wrong, an error (never shown).
        """
        from .precise import recheck
        self.precise = recheck(self.expr, result, self.var, DEFINITIONS, points)
        if self.precise.disagreed:
            raise RuntimeError(f"the derivative with respect to {self.var} disagrees with sympy.diff or finite "
                               "differences, in 50-digit arithmetic too")
        if self.precise.ok:
            self.check = dataclasses.replace(self.check, against_sympy=True, against_finite_differences=True)

    @property
    def result(self):
        return self.chain.result

    def _stamp(self, steps) -> None:
        for step in steps:
            try:
                verify_step(self.builder.verifier, step)
            except VerificationError as error:
                if error.verification.method not in ("numeric", "instantiated") and not error.verification.undecided:
                    raise
                # double precision could not evaluate the sides (overflow), or near a pole could not be trusted:
                # a second look in 50-digit arithmetic
                from .precise import check_step
                second = check_step(step.before, step.after, DEFINITIONS)
                if second is not None and second.ok:
                    step.verification = second
                elif error.verification.undecided and second is None:
                    self.undecided.append(step)
                else:
                    raise

    def _keep(self, step) -> bool:
        """Whether a proposed shorter form verifies (it is shown only then)."""
        try:
            verify_step(self.builder.verifier, step)
        except VerificationError:
            return False
        return True

    def blocks(self, intro: bool = True) -> list:
        blocks = []
        if intro:
            where = domain_segments(self.domain) if self.check is not None else []
            tail = [Text(" (where "), *where, Text(")")] if where else []
            blocks.append(sentence("Differentiate ", self.expr, " with respect to ", self.var, *tail, ":"))
        blocks.append(self.chain)
        if self.check is None:
            return blocks
        if self.check.ok:
            where = domain_segments(self.domain)
            inside = [Text(" with "), *where] if where else []
            skipped = (f" ({self.check.skipped} points where a side is not a real number were skipped)"
                       if self.check.skipped else "")
            if self.precise is None:
                blocks.append(note("Checked: agrees with sympy.diff and with centred finite differences at "
                                   f"{self.check.points} random points", *inside,
                                   f"; largest relative difference {self.check.max_relative_error:.1e}{skipped}."))
            elif self.check.points < MIN_VALID_POINTS:
                blocks.append(note("Checked: double precision could evaluate the expression and its derivative at "
                                   f"only {self.check.points} of its random points (the domain is small, or the "
                                   "values are beyond about 1.8e308), so they were compared at "
                                   f"{self.precise.agreed} points found in 50-digit arithmetic (numbers up to "
                                   "10^(10^9)): agrees with sympy.diff and with centred finite differences (a step "
                                   f"of 1e-20); largest relative difference {self.precise.worst:.1e}."))
            else:
                blocks.append(note("Checked: agrees with sympy.diff and with centred finite differences at "
                                   f"{self.check.points} random points", *inside, f"{skipped}. At "
                                   f"{self.precise.agreed} of them double precision was too coarse (near a pole, "
                                   "or where the function changes very fast), so there both were compared again "
                                   "in 50-digit arithmetic (finite differences with a step of 1e-20): largest "
                                   f"relative difference {self.precise.worst:.1e}."))
        else:
            blocks.append(Claim(d(self.expr, self.var), self.result, R.ReferenceCheck(),
                                verification=Verification(False, "numeric", self._failed_check(), undecided=True)))
        return blocks

    def _failed_check(self) -> str:
        if self.precise is not None and self.check.points < MIN_VALID_POINTS:
            return (f"double precision could evaluate the expression at only {self.check.points} random points and "
                    f"50-digit arithmetic could not decide at {self.precise.undecided} of the others: not compared "
                    "with sympy.diff and finite differences")
        if self.precise is not None:
            return (f"at {self.precise.undecided} of {self.check.points} random points double precision could "
                    "not be trusted (near a pole, or an overflow) and the 50-digit comparison could not evaluate "
                    "a side there: not compared with sympy.diff and finite differences")
        searched = (f", and {self.searched_precisely} in 50-digit arithmetic (numbers up to 10^(10^9))"
                    if self.searched_precisely is not None else "")
        return (f"only {self.check.points} points found where the expression and its derivative could be evaluated "
                f"(real numbers, finite in double precision) ({self.check.skipped} skipped){searched}: not compared "
                "with sympy.diff and finite differences")

    @property
    def verified(self) -> bool:
        return not self.stuck and not self.undecided and self.check is not None and self.check.ok


def _read_as_notes(reading, text: str) -> list:
    """Notes when the expression was read in a form the user did not type (sqrt(x^2) as |x|, leaky_relu(x) with
    its default slope)."""
    expr, notes = reading.expr, []
    typed_abs = any(word in text for word in ("abs", "lvert", "|"))
    if expr.has(sympy.Abs) and not typed_abs:
        notes.append(note("Read as ", expr, ": the square root of a square is the absolute value, |u| = √(u²)."))
    notes += [note(f"{said}.") for said in reading.notes]
    return notes


def variables_of(expr) -> set:
    """The variables ``expr`` depends on: symbols standing for themselves (x, even beside x_0) and indexed entries."""
    from ..engine.notation import plain_symbols
    indexed = expr.atoms(Indexed)
    return (set(plain_symbols(expr)) & expr.free_symbols) | indexed


def absent_note(var, reading):
    """A note for a variable of differentiation the expression (as read) does not depend on: cancelled out, or
    never there. Its derivative is 0."""
    from ..report.printing import text as show
    expr = reading.expr
    if var in variables_of(expr):
        return None
    if var in reading.typed:
        return note(f"{show(var)} cancels out: the expression as read is ", Math(expr),
                    f", which does not depend on {show(var)}, so its derivative is 0.")
    entries = sorted((show(e) for e in expr.atoms(Indexed) if isinstance(var, Symbol) and e.base.label == var))
    also = f" ({', '.join(entries)} {'is another variable' if len(entries) == 1 else 'are other variables'})" \
        if entries else ""
    return note(f"{show(var)} does not occur in the expression{also}, so its derivative is 0.")


def derivative(expression: str, wrt, *, max_length: int | None = None) -> Report:
    """d expression / d wrt (``wrt`` one variable, or several for the gradient), every step verified.

    ``max_length`` raises the cap of 2,000 characters on ``expression`` (the command line keeps it).
    """
    reading = read(expression, max_length=max_length)
    expr = reading.expr
    variables = read_variables(wrt)
    if isinstance(expr, sympy.MatrixBase):
        raise InputError("derive diff needs a single expression, not a vector or matrix")
    expr, variables = as_real_variables(expr, variables)
    refuse_non_real(expr, expression)

    builder = calculus_builder()
    shown_wrt = ",".join(str(v) for v in variables)
    report = Report("diff", TITLE, {"expression": expression, "wrt": wrt if isinstance(wrt, str) else shown_wrt})
    report.verification_note = sentence(VERIFICATION_NOTE)
    read_as = _read_as_notes(reading, expression)
    results = []
    for var in variables:
        done = Differentiation(expr, var, builder)
        results.append(done)
        title = "Derivative" if len(variables) == 1 else f"Partial derivative with respect to {written(var)}"
        absent = absent_note(var, reading)
        blocks = (read_as if var == variables[0] else []) + ([absent] if absent is not None else []) + done.blocks()
        report.sections.append(Section(title, blocks))
        _collect_warnings(report, done)
    if len(variables) == 1:
        (done,) = results
        report.results["derivative"] = _result("derivative", done)
    else:
        for done in results:
            report.results[f"d/d{written(done.var)}"] = _result(f"d/d{written(done.var)}", done)
        gradient = sympy.ImmutableMatrix([done.result for done in results])
        report.results["gradient"] = Result("gradient", [done.result for done in results], None,
                                            "the partial derivatives, in the order of --wrt")
        report.sections.append(Section("Gradient", [sentence(
            "With respect to (", *_joined([Math(v) for v in variables]), "): ", Math(gradient))]))
    return report


def _joined(segments):
    out = []
    for i, segment in enumerate(segments):
        if i:
            out.append(Text(", "))
        out.append(segment)
    return out


def _result(name, done: Differentiation) -> Result:
    if done.stuck:
        return Result(name, done.result, None, "incomplete: no rule applies")
    if not done.verified:
        return Result(name, done.result, None, "not verified: too few points in the domain")
    return Result(name, done.result, None, f"d/d{written(done.var)} of the expression")


def _collect_warnings(report, done: Differentiation) -> None:
    if done.stuck:
        from ..report.printing import text
        left = [text(rule.expression) for step in done.stuck for rule in step.applications]
        report.unevaluated.extend(left)
        report.warnings.append("no rule applies to " + ", ".join(left)
                               + ": the derivative is left unevaluated and this derivation is incomplete "
                                 f"(exit status {UNEVALUATED_STATUS})")
    for step in done.undecided:
        report.warnings.append(f"a step with respect to {written(done.var)} is not verified: "
                               f"{step.verification.detail}")
    if done.check is not None and not done.check.ok:
        report.warnings.append(f"the derivative with respect to {written(done.var)} is not verified: "
                               + done._failed_check())


__all__ = ["derivative", "read_expression", "read_variables", "as_real_variables", "refuse_non_real",
           "Differentiation", "domain_segments"]
