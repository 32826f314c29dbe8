"""Grading one sheet: each item against the reference for its given, judgements cached.

References are computed once per distinct (quantity, effective given) and
kept for the life of the process: a formula's reference does not depend on
the scores, so one serves every sheet. Judgements are cached too, by
(quantity, effective given, answer, and the context the judgement depends
on: precision policy, tolerance, conventions, options, and for
follow-through the student's own intermediate answers), so a class whose
sheets repeat the same few answers pays for each once.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..engine.inputs import InputError
from .judge import ItemResult, Unreadable, judge, read_entries, read_scalar
from .numeric import WrittenFloat
from .precision import DEFAULT, Precision
from .quantities import lookup
from .reading import Conventions, sheet_conventions
from .registry import Given
from .sheet import Sheet

_REFERENCES: dict = {}
_JUDGEMENTS: dict = {}
MAX_CACHED_JUDGEMENTS = 100_000


@dataclass
class SheetResult:
    sheet: str
    student: str
    score: float = 0.0
    max_score: float = 0.0
    error: str | None = None
    items: list = field(default_factory=list)
    error_words: Any = field(default=None, repr=False)    # the error as words (names and quotes in code type)

    def to_dict(self) -> dict:
        return {"sheet": self.sheet, "student": self.student, "score": round(self.score, 6),
                "max_score": self.max_score, "error": self.error, "items": [i.to_dict() for i in self.items]}


def reference_for(quantity, given: Given):
    """The reference of ``quantity`` for ``given``, computed once per process."""
    key = (quantity.name, given)
    if key not in _REFERENCES:
        quantity.check_given(given)
        _REFERENCES[key] = quantity.reference(given)
    return _REFERENCES[key]


def has_reference(quantity, given: Given) -> bool:
    return (quantity.name, given) in _REFERENCES


@dataclass
class Context:
    """What grading a sheet's items shares: its given, policy, conventions, options and own answers."""

    given: Given
    precision: Precision
    conventions: Conventions
    options: dict
    own: dict
    merged: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OwnValue:
    """A student's own (wrong) intermediate answer, and whether it may carry follow-through: its entries must be
    written with at least the policy's ``intermediate_figures`` significant figures of their own (or, in a
    vector, to the ``sig_figs`` asked for, counted from its largest entry), as an intermediate rounded for the
    next step must; ``short`` names those that are not, as (index, own value, figures shown). An own value that is a coarse rounding (p = 0.3 for 0.268) carries no
    follow-through: what follows from it is judged by the rounding rules."""

    value: Any
    short: tuple = ()


def _own_value(item, quantity, reference, options, conventions, figures: int, sig_figs: int = 3):
    """What the student answered for ``item`` as an :class:`OwnValue` (for follow-through), or None."""
    from .judge import _entries_kind
    from .numeric import to_float
    from .precision import figures_written
    try:
        kind = _entries_kind(quantity, reference, item.answer, conventions)
        if kind is not None:
            read = read_entries(item.answer, options, kind == "matrix", conventions)
            pairs = read if kind == "vector" else [pair for row in read for pair in row]
        else:
            pairs = [read_scalar(item.answer, options, conventions)]
    except Unreadable:
        return None
    scale = max((abs(to_float(exact)) for _, exact in pairs), default=0.0)
    short = []
    for index, (written, exact) in enumerate(pairs):
        if written is None:
            continue                                   # an expression (-\ln 0.268): exact, whatever it shows
        own = written.significant_figures if written.value != 0 else 0
        relative = figures_written(written.last_place, scale) if scale > 0 else 0
        # rounded too coarsely: fewer figures of its own than an intermediate needs (p = 0.08, 0.2), unless the
        # vector is written to the figures asked for, counted from its largest entry (0.005 in [0.268, 0.005])
        if own < figures and relative < sig_figs:
            short.append((index, exact, own))
    value = sympy.ImmutableMatrix([exact for _, exact in pairs]) if kind is not None else pairs[0][1]
    return OwnValue(value, tuple(short))


def sheet_context(sheet: Sheet) -> Context:
    """The context of ``sheet``; InputError when its given or precision cannot be read."""
    given = Given.read(sheet.given)
    precision = DEFAULT.merged(sheet.precision, "precision")
    conventions = sheet_conventions(sheet.options, [item.answer for item in sheet.items if item.problem is None])
    context = Context(given, precision, conventions, dict(sheet.options), {})
    context.own = own_answers(sheet, context)
    return context


def own_answers(sheet: Sheet, context: Context | None = None) -> dict:
    """What the sheet answered, wrongly, for the intermediates other items depend on (softmax.probs ...),
    by given: {Given: {quantity name: exact value}}. Used for follow-through: an answer that follows from
    the student's own wrong intermediate. (A right intermediate needs none: what follows from it is right,
    or follows from rounded intermediates.)"""
    from .quantities import all_quantities
    intermediates = {name for q in all_quantities() for name in q.depends_on}
    own: dict = {}
    try:
        base = context.given if context else Given.read(sheet.given)
    except InputError:
        return own
    conventions = context.conventions if context else Conventions()
    figures = context.precision.intermediate_figures if context else DEFAULT.intermediate_figures
    for item in sheet.items:
        if item.quantity not in intermediates or item.problem is not None:
            continue
        try:
            quantity = lookup(item.quantity)
            given = base.merged(item.given)
            reference = reference_for(quantity, quantity.effective(given))
        except InputError:
            continue
        if reference.value is None or (context is not None and _right(item, context)):
            continue                      # follow-through is from a wrong intermediate (judged once: it is cached)
        value = _own_value(item, quantity, reference, sheet.options, conventions, figures,
                           context.precision.sig_figs if context else DEFAULT.sig_figs)
        if value is None:
            continue
        own.setdefault(given, {})[quantity.name] = value
    return own


def _right(item, context) -> bool:
    """Whether the intermediate ``item`` is graded correct (an item that cannot be graded is not)."""
    try:
        return grade_item(item, context).verdict == "correct"
    except Exception:  # noqa: BLE001 - grading the item itself reports the problem
        return False


def _answer_key(answer):
    """A hashable, type-aware key for an answer as written."""
    if isinstance(answer, WrittenFloat):
        return ("float", answer.text)
    if isinstance(answer, str):
        return ("str", answer.strip())
    if isinstance(answer, (list, tuple)):
        return ("list", tuple(_answer_key(a) for a in answer))
    if isinstance(answer, dict):
        return ("dict", tuple(sorted((str(k), _answer_key(v)) for k, v in answer.items())))
    return (type(answer).__name__, repr(answer))


def _item_given(item, context: Context) -> Given:
    """The item's given laid over the sheet's (kept, as a class's items repeat the same few overrides)."""
    if not item.given:
        return context.given
    key = _answer_key(item.given)
    given = context.merged.get(key)
    if given is None:
        given = context.merged[key] = context.given.merged(item.given)
    return given


def prepare_item(item, context: Context):
    """(quantity, given, reference given, precision) for ``item``; InputError when they cannot be had."""
    quantity = lookup(item.quantity)
    given = _item_given(item, context)
    reference_given = given if item.accept_numbers else quantity.effective(given)
    precision = context.precision.merged(item.precision, "precision")
    return quantity, given, reference_given, precision


def judgement_key(item, context: Context, quantity, given, reference_given, precision):
    """The cache key of an item's judgement: everything the verdict depends on."""
    own = context.own.get(given, {})
    dependencies = tuple((name, own.get(name)) for name in quantity.depends_on) if quantity.depends_on else ()
    tolerance = tuple(sorted((item.tolerance or {}).items()))
    options = (context.options.get("log_base"), context.options.get("follow_through"))
    delta = given.delta if quantity.kind == "expression" else None
    return (quantity.name, reference_given, _answer_key(item.answer), precision, tolerance, context.conventions,
            options, dependencies, item.accept_numbers, delta)


def cached_judgement(item, context: Context):
    """The cached result for ``item`` (a copy with its id and points), or None when it must be judged."""
    if item.problem is not None:
        return None
    try:
        key = judgement_key(item, context, *prepare_item(item, context))
    except (InputError, TypeError, RecursionError):
        return None
    cached = _JUDGEMENTS.get(key)
    if cached is None:
        return None
    return _copy(cached, item)


def _copy(cached: ItemResult, item) -> ItemResult:
    result = copy.copy(cached)
    result.id, result.points = str(item.id), item.points
    result.notes, result.candidates = list(cached.notes), list(cached.candidates)
    return result


def grade_item(item, context: Context) -> ItemResult:
    """One item's result; a bad item, quantity or given is an ``invalid`` item, not a crashed sheet."""
    if item.problem is not None:
        return ItemResult(item.id, item.quantity, "invalid", 0.0, feedback=item.problem[0].upper() + item.problem[1:]
                          + ".", points=item.points, rule="bad-item")
    try:
        quantity, given, reference_given, precision = prepare_item(item, context)
        if quantity.kind == "derivation":
            from .derivation import grade_derivation
            return grade_derivation(item, reference_given, dict(context.options, delta=given.delta))
        key = judgement_key(item, context, quantity, given, reference_given, precision)
        cached = _JUDGEMENTS.get(key)
        if cached is not None:
            return _copy(cached, item)
        reference = reference_for(quantity, reference_given)
    except InputError as error:
        return ItemResult(item.id, item.quantity, "invalid", 0.0, feedback=str(error), points=item.points,
                          rule="bad-item")
    own = context.own.get(given, {})
    options = dict(context.options)
    options.setdefault("delta", given.delta)
    outcome = judge(item.id, quantity, reference, item.answer, tolerance=item.tolerance, options=options,
                    own_answers={name: value for name, value in own.items() if name != quantity.name},
                    points=item.points, precision=precision, conventions=context.conventions,
                    accept_numbers=item.accept_numbers)
    outcome.given = reference_given
    if len(_JUDGEMENTS) >= MAX_CACHED_JUDGEMENTS:
        _JUDGEMENTS.clear()
    _JUDGEMENTS[key] = _copy(outcome, item)
    return outcome


def grade_sheet(sheet: Sheet) -> SheetResult:
    """Every item of ``sheet`` graded; the score is the sum of item scores times their points."""
    result = SheetResult(sheet.path, sheet.student)
    try:
        context = sheet_context(sheet)
    except InputError as error:
        result.error = f"given: {error}" if "precision" not in str(error) else str(error)
        return result
    for item in sheet.items:
        outcome = grade_item(item, context)
        result.items.append(outcome)
        result.max_score += item.points
        result.score += outcome.score * item.points
    return result
