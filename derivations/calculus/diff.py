"""``derive diff``: the step-by-step derivative of any expression a user types.

The expression is read by the grammar in :mod:`derivations.parse` (never by
``sympify``), differentiated by the same rules as the losses, every step
verified, and the result compared with ``sympy.diff`` and finite differences.
Where no rule applies the derivation says so and is marked incomplete.
"""
from __future__ import annotations

import sympy
from sympy import Indexed, Symbol

from ..engine import rules as R
from ..engine.algebra import tidy
from ..engine.build import Builder, note, sentence
from ..engine.differentiate import differentiate
from ..engine.inputs import InputError
from ..engine.steps import Chain, Derivation, Result, Section, Verification
from ..engine.verify import final_check
from ..report import Report

TITLE = "Derivative, step by step"
SUMMARY = "any expression: step-by-step derivative with respect to one variable"


def _parse(text: str, what: str):
    from ..parse import ParseError, parse_expression
    try:
        return parse_expression(text)
    except ParseError as error:
        raise InputError(f"cannot read the {what} {text!r}: {error}") from None


def derivative(expression: str, wrt: str) -> Derivation:
    """d expression / d wrt, with every step verified."""
    expr = _parse(expression, "expression")
    var = _parse(wrt, "variable")
    if isinstance(expr, sympy.MatrixBase):
        raise InputError("derive diff needs a single expression, not a vector or matrix")
    if not isinstance(var, (Symbol, Indexed)):
        raise InputError(f"--wrt must be one variable such as z, s_j or s_{{y_i}}, not {wrt!r}")

    builder = Builder()
    steps = differentiate(expr, var)
    derivation = Report("diff", TITLE, {"expression": expression, "wrt": wrt})
    stuck = [step for step in steps if isinstance(step.rule, R.NoRule)]
    ok_steps = [step for step in steps if not isinstance(step.rule, R.NoRule)]
    for step in ok_steps:
        builder.verifier.stamp(step)
    if ok_steps and not stuck:
        more = tidy(ok_steps[-1].after)
        for step in more:
            builder.verifier.stamp(step)
        steps = ok_steps + more
    for step in stuck:
        step.verification = Verification(False, "none", "no rule applies; the derivative is left as it stands")
    chain = Chain(steps)

    blocks = [sentence("Differentiate ", expr, " with respect to ", var, ":"), chain]
    result = chain.result
    if stuck:
        message = ("no rule applies to " + ", ".join(str(step.rule.expression) for step in stuck)
                   + ": the derivative is left unevaluated and this derivation is incomplete")
        derivation.warnings.append(message)
        derivation.results["derivative"] = Result("derivative", result, None, "incomplete: no rule applies")
    else:
        check = final_check(expr, result, var)
        if not check.ok:
            raise RuntimeError("the derivative disagrees with sympy.diff or finite differences")
        blocks.append(note(f"Checked: agrees with sympy.diff and with centred finite differences at "
                           f"{check.points} random points; largest relative difference "
                           f"{check.max_relative_error:.1e}."))
        derivation.results["derivative"] = Result("derivative", result, None, f"d/d{var} of the expression")
    derivation.sections.append(Section("Derivative", blocks))
    return derivation


__all__ = ["derivative"]
