"""Grading an answer that is a whole derivation: every line checked, and the end compared with a target.

An item of a sheet::

    - id: Q1.2
      quantity: derivation
      target: svm.dscore_incorrect
      answer: |
        $$L_i = \\sum_{j \\neq y_i} \\max(0, s_j - s_{y_i} + \\Delta)$$
        $$\\frac{\\partial L_i}{\\partial s_k} = ... = \\mathbb{1}(s_k - s_{y_i} + \\Delta > 0)$$

is read as ``derive verify`` reads a text (:mod:`derivations.check.written`), with the target's loss
(svm, softmax, logistic) known and its case (k != y_i for ``svm.dscore_incorrect``) assumed. The
answer is correct when no line is wrong and its last expression is the target's formula
(equivalent as a formula answer is: at K = 2..5 classes, on both sides of every kink); the feedback
names the first wrong line and its likely mistake, or what the derivation ends at instead.
"""
from __future__ import annotations

import sympy

from ..engine import notation
from ..engine.inputs import InputError
from .formulas import definitions_for, equivalent, rename_free_index
from .judge import ItemResult
from .quantities import lookup

#: characters of a derivation answer read at most
MAX_DERIVATION_LENGTH = 20_000


def _loss_of(target: str) -> str | None:
    family = target.split(".")[0]
    return family if family in ("svm", "softmax", "logistic") else None


def _assumed(conditions) -> list[str]:
    """The target's case as hints: Ne(k, y_i) -> "assume k != y_i"."""
    hints = []
    for condition in conditions:
        symbol = "!=" if isinstance(condition, sympy.Ne) else "=" if isinstance(condition, sympy.Eq) else None
        if symbol is not None:
            hints.append(f"assume {condition.lhs} {symbol} {condition.rhs}")
    return hints


def grade_derivation(item, given, options) -> ItemResult:
    """The verdict on a derivation answer (``item.target`` names the formula it must reach)."""
    from .grade import reference_for
    from .written import check_text
    from .written.roles import MARGIN
    result = ItemResult(item.id, "derivation", "invalid", 0.0, points=item.points)
    if not item.target:
        result.feedback = "a derivation item needs a target: the quantity it derives, e.g. svm.dscore_incorrect"
        return result
    try:
        quantity = lookup(item.target)
        reference = reference_for(quantity, quantity.effective(given))
    except InputError as error:
        result.feedback = f"target: {error}"
        return result
    if quantity.kind != "expression":
        result.feedback = f"the target {item.target} is a {quantity.kind}, not a formula a derivation can end at"
        return result
    from ..report.printing import text
    result.quantity = f"derivation ({item.target})"
    result.expected, result.expected_expr = text(reference.expr), reference.expr
    answer = item.answer if isinstance(item.answer, str) else str(item.answer)
    if len(answer) > MAX_DERIVATION_LENGTH:
        result.feedback = f"the derivation is {len(answer)} characters long; at most {MAX_DERIVATION_LENGTH} are read"
        return result
    try:
        outcome = check_text(answer, item.id, timeout=None, loss=_loss_of(item.target),
                             hints=_assumed(reference.conditions))
    except ValueError as error:
        result.feedback = f"could not read the derivation: {error}"
        return result
    summary = outcome.summary()
    unread = f" {summary['unread']} line{'s' if summary['unread'] != 1 else ''} could not be read." \
        if summary["unread"] else ""
    wrong = outcome.first_wrong()
    if wrong is not None:
        result.verdict, result.score = "incorrect", 0.0
        result.read_as = outcome.final_text
        result.diagnosis = wrong.diagnosis.split(":")[0] if wrong.diagnosis else None
        where = f" ({wrong.counterexample.describe()})" if wrong.counterexample else ""
        mistake = f" Likely mistake: {wrong.diagnosis.split(': ', 1)[-1]}." if wrong.diagnosis else ""
        result.feedback = (f"line {wrong.source_line} does not follow from the line before it: {wrong.latex}"
                           f"{where}.{mistake}{unread}")
        return result
    if outcome.final is None or not summary["verified"]:
        result.verdict, result.score = "incorrect", 0.0
        result.feedback = f"no step of the derivation could be checked.{unread}"
        return result
    if outcome.final.has(sympy.Derivative):
        result.verdict, result.score = "incorrect", 0.0
        result.read_as = outcome.final_text
        result.feedback = (f"every line checked follows, but the derivation stops at {outcome.final_text}, which "
                           f"still has a derivative to take.{unread}")
        return result
    final = outcome.final.xreplace({MARGIN: notation.Delta})
    final = rename_free_index(final, reference.expr)
    result.read_as, result.read_expr = outcome.final_text, final
    if equivalent(final, reference.expr, reference.conditions, options.get("delta"), definitions_for(reference)):
        result.verdict, result.score = "correct", 1.0
        result.feedback = f"every line checked follows ({summary['verified']} steps) and the derivation ends at " \
                          f"the target.{unread}"
        return result
    result.verdict, result.score = "incorrect", 0.0
    result.feedback = (f"every line checked follows, but the derivation ends at {outcome.final_text}, "
                       f"not at {result.expected}.{unread}")
    return result
