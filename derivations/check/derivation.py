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
from .feedback import Code, Quote, foreign, words
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


def _definitions(reference, item) -> dict:
    """The names the end of a derivation may use: the reference's, and for logistic regression z = sum_d w_d x_d
    too (the written derivation expands z there, the reference keeps it)."""
    definitions = dict(definitions_for(reference))
    if _loss_of(item.target) == "logistic":
        from ..losses.logistic import logit
        definitions[notation.z] = logit()
    return definitions


def counterexample_words(counterexample):
    """Where the two sides of a wrong line differ, in words and maths (:func:`.written.said.counterexample_said`)."""
    from .written.said import counterexample_said
    return counterexample_said(counterexample).paragraph


def warm_up(family: str) -> None:
    """Load what checking a derivation about ``family`` needs (the written checker, the loss's names) by checking a
    one-line text once, so that a sheet's first derivation is not charged for it."""
    from .written import check_text
    loss = family if family in ("svm", "softmax", "logistic") else None
    try:
        check_text("$$a = a$$", "warm-up", timeout=None, loss=loss)
    except Exception:  # noqa: BLE001 - only a warm-up: grading reports any problem
        pass


def grade_derivation(item, given, options) -> ItemResult:
    """The verdict on a derivation answer (``item.target`` names the formula it must reach)."""
    from .grade import reference_for
    from .written import check_text
    from .written.roles import MARGIN
    result = ItemResult(item.id, "derivation", "invalid", 0.0, points=item.points)
    if not item.target:
        result.say(words("a derivation item needs a ", Code("target"), ": the quantity it derives, e.g. ",
                         Code("svm.dscore_incorrect")))
        return result
    try:
        quantity = lookup(item.target)
        reference = reference_for(quantity, quantity.effective(given))
    except InputError as error:
        result.say(words(Code("target"), ": ", foreign(str(error))))
        return result
    if quantity.kind != "expression":
        result.say(words("the target ", Code(str(item.target)), f" is a {quantity.kind}, not a formula a derivation "
                         f"can end at"))
        return result
    from ..report.printing import text
    result.quantity = f"derivation ({item.target})"
    result.expected, result.expected_expr = text(reference.expr), reference.expr
    answer = item.answer if isinstance(item.answer, str) else str(item.answer)
    if len(answer) > MAX_DERIVATION_LENGTH:
        result.say(f"the derivation is {len(answer)} characters long; at most {MAX_DERIVATION_LENGTH} are read")
        return result
    try:
        outcome = check_text(answer, item.id, timeout=None, loss=_loss_of(item.target),
                             hints=_assumed(reference.conditions))
    except ValueError as error:
        result.say(words("could not read the derivation: ", foreign(str(error))))
        return result
    summary = outcome.summary()
    unread = f"{summary['unread']} line{'s' if summary['unread'] != 1 else ''} could not be read" \
        if summary["unread"] else ""
    wrong = outcome.first_wrong()
    if wrong is not None:
        result.verdict, result.score = "incorrect", 0.0
        result.read_as = outcome.final_text
        result.diagnosis = wrong.diagnosis.split(":")[0] if wrong.diagnosis else None
        where = [" (", counterexample_words(wrong.counterexample), ")"] if wrong.counterexample else []
        from .written.said import described
        mistake = words("Likely mistake: ", described(wrong.diagnosis)) if wrong.diagnosis else None
        result.say(words(f"line {wrong.source_line} does not follow from the line before it: ", Quote(wrong.latex),
                         *where), mistake, unread)
        return result
    if outcome.final is None or not summary["verified"]:
        result.verdict, result.score = "incorrect", 0.0
        result.say("no step of the derivation could be checked", unread)
        return result
    if outcome.final.has(sympy.Derivative):
        result.verdict, result.score = "incorrect", 0.0
        result.read_as = outcome.final_text
        result.say(words("every line checked follows, but the derivation stops at ", outcome.final, ", which still "
                         "has a derivative to take"), unread)
        return result
    final = outcome.final.xreplace({MARGIN: notation.Delta})
    final = rename_free_index(final, reference.expr)
    result.read_as, result.read_expr = outcome.final_text, final
    if outcome.final_text.strip() == result.expected.strip() or \
            equivalent(final, reference.expr, reference.conditions, options.get("delta"), _definitions(reference, item)):
        result.verdict, result.score = "correct", 1.0
        steps = summary["verified"]
        result.say(f"every line checked follows ({steps} step{'s' if steps != 1 else ''}) and the derivation ends at "
                   f"the target", unread)
        return result
    result.verdict, result.score = "incorrect", 0.0
    result.say(words("every line checked follows, but the derivation ends at ", final, ", not at ", reference.expr),
               unread)
    return result
