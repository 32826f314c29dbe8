"""Grading one sheet: each item against the reference for its given.

References are computed once per distinct (quantity, given) and kept for
the life of the process, so a class of sheets sharing a given costs one
derivation per quantity.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from ..engine.inputs import InputError
from .judge import ItemResult, Unreadable, judge, read_entries, read_scalar
from .quantities import lookup
from .registry import Given
from .sheet import Sheet

_REFERENCES: dict = {}


@dataclass
class SheetResult:
    sheet: str
    student: str
    score: float = 0.0
    max_score: float = 0.0
    error: str | None = None
    items: list = field(default_factory=list)

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


def _own_value(item, quantity, options):
    """What the student answered for ``item``, as an exact SymPy value (for follow-through), or None."""
    try:
        if quantity.kind in ("vector", "matrix"):
            read = read_entries(item.answer, options, matrix=quantity.kind == "matrix")
            flat = read if quantity.kind == "vector" else [pair for row in read for pair in row]
            return sympy.ImmutableMatrix([exact for _, exact in flat])
        return read_scalar(item.answer, options)[1]
    except Unreadable:
        return None


def grade_item(item, sheet_given: Given, options, own_by_given) -> ItemResult:
    """One item's result; a bad quantity or given is an ``invalid`` item, not a crashed sheet."""
    try:
        quantity = lookup(item.quantity)
        given = sheet_given.merged(item.given)
        reference = reference_for(quantity, given)
    except InputError as error:
        return ItemResult(item.id, item.quantity, "invalid", 0.0, feedback=str(error), points=item.points)
    if quantity.kind == "derivation":
        from .derivation import grade_derivation
        outcome = grade_derivation(item, given, options)
        outcome.given = None
        return outcome
    own = own_by_given.get(given, {})
    item_options = dict(options)
    item_options.setdefault("delta", given.delta)
    outcome = judge(item.id, quantity, reference, item.answer, tolerance=item.tolerance, options=item_options,
                    own_answers={name: value for name, value in own.items() if name != quantity.name},
                    points=item.points)
    outcome.given = given
    return outcome


def own_answers(sheet: Sheet) -> dict:
    """What the sheet answered for the intermediates other items depend on (softmax.probs ...),
    by given: {Given: {quantity name: exact value}}. Used for follow-through."""
    from .quantities import all_quantities
    intermediates = {name for q in all_quantities() for name in q.depends_on}
    own: dict = {}
    try:
        base = Given.read(sheet.given)
    except InputError:
        return own
    for item in sheet.items:
        if item.quantity not in intermediates:
            continue
        try:
            quantity = lookup(item.quantity)
            given = base.merged(item.given)
        except InputError:
            continue
        value = _own_value(item, quantity, sheet.options)
        if value is not None:
            own.setdefault(given, {})[quantity.name] = value
    return own


def grade_sheet(sheet: Sheet) -> SheetResult:
    """Every item of ``sheet`` graded; the score is the sum of item scores times their points."""
    result = SheetResult(sheet.path, sheet.student)
    try:
        sheet_given = Given.read(sheet.given)
    except InputError as error:
        result.error = f"given: {error}"
        return result
    own_by_given = own_answers(sheet)
    for item in sheet.items:
        outcome = grade_item(item, sheet_given, sheet.options, own_by_given)
        result.items.append(outcome)
        result.max_score += item.points
        result.score += outcome.score * item.points
    return result
