"""Verdicts for one answer: read it, compare it with the reference, diagnose it.

* ``correct``, ``partially-correct`` (vectors and matrices: some entries
  right), ``incorrect``, or ``invalid`` (the answer could not be read: never
  counted as a wrong answer).
* Numbers: at the answer's own precision or within a relative tolerance
  (:mod:`derivations.check.numeric`); rounding-aware: a value that follows
  from intermediates rounded first (p rounded to 0.268 gives 1.317) is
  accepted with a note; and with follow-through, a value that follows from the
  student's own (wrong) intermediate answer is recognised.
* Expressions: equivalent to the reference when the verifier finds both sides
  equal at K = 2..5 classes and random points on both sides of every kink.
* Diagnosis: a variant (a mistake worked through for this instance) is named
  only when exactly one variant matches and the correct answer does not.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import ImmutableMatrix, Symbol

from ..engine.notation import K, all_classes_sum, m, p, s, y
from .numeric import DEFAULT_RELATIVE, Closeness, Written, compare, read_number, same_to_the_digits_given, to_float
from .registry import Quantity, Reference

MAX_ANSWER_LENGTH = 2000
MAX_ENTRIES = 1000


@dataclass
class ItemResult:
    """The outcome for one item (the JSON contract's item)."""

    id: str
    quantity: str
    verdict: str                     # correct | partially-correct | incorrect | invalid
    score: float
    expected: str = ""
    read_as: str = ""
    feedback: str = ""
    diagnosis: str | None = None
    notes: list = field(default_factory=list)
    points: float = 1.0
    given: Any = None                # the Given it was graded against (for the worked derivation)
    worked: Any = None               # the reference's Derivation, attached for feedback reports
    read_expr: Any = None            # the formula read (expression answers), for LaTeX and Markdown
    expected_expr: Any = None        # the reference formula (expression quantities)

    def to_dict(self) -> dict:
        return {"id": self.id, "quantity": self.quantity, "verdict": self.verdict, "score": self.score,
                "expected": self.expected, "read_as": self.read_as, "feedback": self.feedback,
                "diagnosis": self.diagnosis}


class Unreadable(ValueError):
    """The answer could not be read (the message says why)."""


# --- reading ------------------------------------------------------------------------------

def _parse(text: str, options: dict, vectors: bool = False):
    from ..parse import ParseError, parse_expression
    if len(text) > MAX_ANSWER_LENGTH:
        raise Unreadable(f"the answer is {len(text)} characters long; at most {MAX_ANSWER_LENGTH} are read")
    try:
        return parse_expression(text, log_base=str(options.get("log_base", "e")), vectors=vectors)
    except ParseError as error:
        raise Unreadable(str(error)) from None


def _as_number(value):
    """A SymPy number from an expression with no unknowns (e.g. -\\ln 0.268), else None."""
    if isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixBase) and not value.free_symbols:
        number = value.evalf(30)
        if number.is_real and number.is_finite:
            return number
    return None


def read_scalar(answer, options) -> tuple[Written | None, Any]:
    """(written number or None, exact SymPy value) for a scalar answer."""
    written = read_number(answer)
    if written is not None:
        return written, sympy.Rational(str(written.value))
    if not isinstance(answer, str):
        raise Unreadable(f"expected a number, got {type(answer).__name__}")
    value = _as_number(_parse(answer, options))
    if value is None:
        raise Unreadable("expected a number, got an expression with unknowns")
    return None, value


_ENVIRONMENT = re.compile(r"^\s*\$*\s*\\begin\{([bpv]?matrix)\}(.*)\\end\{\1\}\s*\$*\s*$", re.S)


def _plain_numbers(text: str):
    """The entries of ``[0.2, 0.5]``, ``[[1, 2], [3, 4]]`` or a bmatrix of plain numbers, as written
    (so their precision is kept); None when the text holds anything else."""
    if len(text) > MAX_ANSWER_LENGTH:
        return None
    found = _ENVIRONMENT.match(text)
    if found:
        rows = [row for row in re.split(r"\\\\", found.group(2)) if row.strip()]
        cells = [[cell.strip() for cell in row.split("&")] for row in rows]
        if len(cells) > 1 and all(len(row) == 1 for row in cells):
            cells = [row[0] for row in cells]            # a column vector
        elif len(cells) == 1:
            cells = cells[0]
    else:
        try:
            cells = json.loads(text.strip().strip("$"), parse_float=str, parse_int=str)
        except (ValueError, RecursionError):
            return None
    flat = [c for row in cells for c in (row if isinstance(row, list) else [row])] if isinstance(cells, list) else []
    if not flat or not all(isinstance(c, str) and read_number(c) is not None for c in flat):
        return None
    return cells


def read_entries(answer, options, matrix: bool):
    """A list (of lists) of (written, exact) pairs for a vector or matrix answer."""
    if isinstance(answer, str):
        plain = _plain_numbers(answer)
        if plain is not None:
            answer = plain
    if isinstance(answer, str):
        parsed = _parse(answer, options)
        if not isinstance(parsed, sympy.MatrixBase):
            raise Unreadable("expected a vector such as [-1, 0, 1]" if not matrix else "expected a matrix")
        if matrix:
            rows = [[(None, _checked_number(e)) for e in parsed.row(r)] for r in range(parsed.rows)]
            return rows
        return [(None, _checked_number(e)) for e in parsed]
    if not isinstance(answer, (list, tuple)):
        raise Unreadable("expected a list of numbers")
    if len(answer) > MAX_ENTRIES:
        raise Unreadable(f"{len(answer)} entries; at most {MAX_ENTRIES} are read")
    if matrix:
        if not all(isinstance(row, (list, tuple)) for row in answer):
            raise Unreadable("expected a list of rows")
        return [[read_scalar(e, options) for e in row] for row in answer]
    return [read_scalar(e, options) for e in answer]


def _checked_number(e):
    value = _as_number(e)
    if value is None:
        raise Unreadable(f"the entry {e} is not a number")
    return value


# --- numbers -----------------------------------------------------------------------------------

def _close(written, exact, reference, tolerance, scale=None) -> Closeness:
    relative = tolerance.get("relative", DEFAULT_RELATIVE)
    absolute = tolerance.get("absolute")
    ref = to_float(reference)
    if written is not None:
        closeness = compare(written, ref, relative, absolute)
        if not closeness.ok and scale and written.value != 0:
            # small entries of a vector are judged at the precision the vector is written to
            unit = 10.0 ** written.last_place
            if unit <= 0.01 * scale and abs(float(written.value) - ref) <= unit / 2 * 1.0000001:
                return Closeness(True, "precision")
        return closeness
    a = float(exact)
    ok = abs(a - ref) <= relative * abs(ref) or (absolute is not None and abs(a - ref) <= absolute) or a == ref
    return Closeness(ok, "tolerance" if ok else "no")


def _matches_value(read, value, tolerance, lenient=False) -> bool:
    """Whether a read answer (scalar pair, or list of pairs) matches an exact value.

    ``lenient`` (for recognising mistakes only) also takes a match at the
    answer's own digits, however few: 0.24 is log10's 0.2395.
    """
    def one(pair, v, scale=None):
        written, exact = pair
        if _close(written, exact, v, tolerance, scale).ok:
            return True
        return lenient and written is not None and same_to_the_digits_given(written, to_float(v))

    if isinstance(value, sympy.MatrixBase):
        flat = _flatten(read)
        entries = list(value)
        if len(flat) != len(entries):
            return False
        scale = max(abs(to_float(v)) for v in entries) if entries else 1
        return all(one(pair, v, scale) for pair, v in zip(flat, entries))
    if isinstance(read, list):
        return False
    return one(read, value)


def _flatten(read):
    if read and isinstance(read[0], list):
        return [pair for row in read for pair in row]
    return list(read)


def _show(value) -> str:
    from ..report.printing import text
    if isinstance(value, sympy.MatrixBase):
        entries = [_show(v) for v in value]
        if value.cols == 1 or value.rows == 1:
            return "[" + ", ".join(entries) + "]"
        return "[" + ", ".join("[" + ", ".join(_show(v) for v in value.row(r)) + "]" for r in range(value.rows)) + "]"
    if isinstance(value, sympy.Basic) and not value.free_symbols:
        number = to_float(value)
        if number == int(number) and abs(number) < 1e15:
            return str(int(number))
        return f"{number:.6g}"
    return text(value)


def _shown_read(read) -> str:
    if isinstance(read, list):
        if read and isinstance(read[0], list):
            return "[" + ", ".join("[" + ", ".join(_shown_pair(p_) for p_ in row) + "]" for row in read) + "]"
        return "[" + ", ".join(_shown_pair(p_) for p_ in read) + "]"
    return _shown_pair(read)


def _shown_pair(pair) -> str:
    written, exact = pair
    return str(written.value) if written is not None else _show(exact)


# --- judging ------------------------------------------------------------------------------------

def judge(item_id: str, quantity: Quantity, reference: Reference, answer, *, tolerance=None, options=None,
          own_answers=None, points: float = 1.0) -> ItemResult:
    """The verdict on ``answer`` for ``quantity`` against ``reference``.

    ``own_answers`` maps other quantities on the same sheet (and same given)
    to what the student answered for them (for follow-through).
    """
    tolerance = dict(tolerance or {})
    options = dict(options or {})
    result = ItemResult(str(item_id), quantity.name, "invalid", 0.0, points=points,
                        expected=_show(reference.value if reference.value is not None else reference.expr))
    try:
        entries = _entries_kind(quantity, reference, answer)
        if quantity.kind == "expression" and entries is None and not (
                reference.value is not None and read_number(answer) is not None):
            return _judge_expression(result, reference, answer, options)
        if entries is not None:
            read = read_entries(answer, options, matrix=entries == "matrix")
            return _judge_entries(result, quantity, reference, read, tolerance, own_answers or {}, options,
                                  entries)
        read = read_scalar(answer, options)
        return _judge_number(result, quantity, reference, read, tolerance, own_answers or {}, options)
    except Unreadable as error:
        result.verdict, result.score = "invalid", 0.0
        result.feedback = f"could not read the answer: {error}"
        return result


def _entries_kind(quantity, reference, answer):
    """"vector" or "matrix" when the answer is judged entry by entry, else None.

    An "array" quantity (svm.dW, svm.scores) is a matrix or a vector as its reference is (D x K, or
    one row); an expression quantity with a numeric vector for this given (logistic.dw at numbers)
    takes a list of numbers.
    """
    if quantity.kind in ("vector", "matrix"):
        return quantity.kind
    value = reference.value
    if quantity.kind == "array":
        if isinstance(value, sympy.MatrixBase) and value.rows > 1 and value.cols > 1:
            return "matrix"
        return "vector"
    if quantity.kind == "expression" and isinstance(value, sympy.MatrixBase):
        if isinstance(answer, (list, tuple)) or (isinstance(answer, str) and _plain_numbers(answer) is not None):
            return "vector"
    return None


def _diagnose(result, reference, matches) -> None:
    """Name the mistake when exactly one variant matches."""
    found = [variant for variant in reference.variants if matches(variant)]
    if len(found) == 1:
        result.diagnosis = found[0].tag
        result.feedback = (result.feedback + " " if result.feedback else "") + f"Likely mistake: {found[0].description}."


def _judge_number(result, quantity, reference, read, tolerance, own_answers, options):
    written, exact = read
    result.read_as = _shown_pair(read)
    if reference.value is None:
        raise Unreadable("this quantity needs a formula, not a number")
    closeness = _close(written, exact, reference.value, tolerance)
    chain_note = _rounding_chain(reference, read, tolerance, own_answers, quantity)
    if closeness.ok:
        result.verdict, result.score = "correct", 1.0
        notes = [closeness.note] if closeness.note else []
        if chain_note and chain_note[0] == "rounded":
            notes.append(chain_note[1])
        result.feedback = " ".join(notes)
        return result
    if chain_note:
        kind, note = chain_note
        credit = float(options.get("follow_through", 1.0)) if kind == "follow-through" else 1.0
        result.verdict = "correct" if credit >= 1 else "partially-correct" if credit > 0 else "incorrect"
        result.score = credit
        result.feedback = note
        return result
    result.verdict, result.score = "incorrect", 0.0
    result.feedback = f"expected {result.expected}, read {result.read_as}."
    _diagnose(result, reference, lambda v: v.value is not None and _matches_value(read, v.value, tolerance, True)
              and not _matches_value(read, reference.value, tolerance, True))
    if quantity.depends_on and own_answers:
        result.feedback += (f" It does not follow from your own {', '.join(quantity.depends_on)} either: "
                            f"recompute it from there.")
    return result


def _rounding_chain(reference, read, tolerance, own_answers, quantity):
    """("rounded" | "follow-through", note) when the answer follows from rounded or own intermediates."""
    if reference.recompute is None or reference.derivation is None:
        return None
    for dependency in quantity.depends_on:
        own = own_answers.get(dependency)
        if own is not None:
            try:
                value = reference.recompute(own)
            except (TypeError, ValueError, ZeroDivisionError, IndexError):
                value = None
            if value is not None and _matches_value(read, value, tolerance) \
                    and not _matches_value(read, reference.value, tolerance):
                return ("follow-through", f"follows from your own {dependency} ({_show(own)}), which was not "
                                          f"right: credited as follow-through. The exact value is {result_text(reference)}.")
    probs = reference.derivation.results.get("probs") if hasattr(reference.derivation, "results") else None
    if probs is None:
        return None
    exact_probs = [to_float(v) for v in (probs.expr if isinstance(probs.expr, (list, tuple)) else list(probs.expr))]
    for decimals in range(1, 7):
        rounded = ImmutableMatrix([sympy.Float(round(float(v), decimals), 30) for v in exact_probs])
        try:
            value = reference.recompute(rounded)
        except (ValueError, ZeroDivisionError):
            continue
        if value.has(sympy.zoo) or value.has(sympy.oo):
            continue
        written = read[0] if not isinstance(read, list) else None
        if written is not None and written.value == _round_decimal(value, written.last_place) \
                and written.value != _round_decimal(reference.value, written.last_place):
            shown = ", ".join(f"{float(v):.{decimals}f}" for v in rounded)
            return ("rounded", f"this is what p rounded to {decimals} decimals first ([{shown}]) gives; "
                               f"the exact value is {result_text(reference)}.")
    return None


def _round_decimal(value, place):
    from .numeric import round_to
    return round_to(to_float(value), place)


def result_text(reference) -> str:
    return f"{to_float(reference.value):.6g}"


def _judge_entries(result, quantity, reference, read, tolerance, own_answers, options, kind=None):
    result.read_as = _shown_read(read)
    expected = reference.value
    if expected is None:
        raise Unreadable("this quantity has no numeric value for the given")
    flat, entries = _flatten(read), list(expected)
    if (kind or quantity.kind) == "matrix":
        shape = (len(read), len(read[0]) if read else 0)
        if shape != expected.shape:
            result.verdict, result.score = "incorrect", 0.0
            result.feedback = f"a {shape[0]}x{shape[1]} matrix, expected {expected.rows}x{expected.cols}."
            _diagnose(result, reference, lambda v: isinstance(v.value, sympy.MatrixBase) and v.value.shape == shape
                      and _matches_value(read, v.value, tolerance, True))
            return result
    elif len(flat) != len(entries):
        result.verdict, result.score = "incorrect", 0.0
        result.feedback = (f"{len(flat)} entries for {len(entries)} classes: one entry per class is expected, "
                           f"in class order.")
        return result
    scale = max(abs(to_float(v)) for v in entries) if entries else 1.0
    verdicts = [_close(w, e, v, tolerance, scale) for (w, e), v in zip(flat, entries)]
    right = sum(1 for c in verdicts if c.ok)
    notes = [c.note for c in verdicts if c.note]
    if right == len(entries):
        result.verdict, result.score = "correct", 1.0
        result.feedback = " ".join(dict.fromkeys(notes))
        return result
    follow = _follow_through_entries(reference, read, tolerance, own_answers, quantity, options)
    if follow is not None:
        result.verdict, result.score, result.feedback = follow
        return result
    wrong = [i for i, c in enumerate(verdicts) if not c.ok]
    result.score = right / len(entries)
    result.verdict = "partially-correct" if right else "incorrect"
    result.feedback = (f"{right} of {len(entries)} entries right; entr{'y' if len(wrong) == 1 else 'ies'} "
                       f"{', '.join(map(str, wrong))} differ{'s' if len(wrong) == 1 else ''} (expected {result.expected}).")
    _diagnose(result, reference, lambda v: v.value is not None and _matches_value(read, v.value, tolerance, True)
              and not _matches_value(read, reference.value, tolerance, True))
    return result


def _follow_through_entries(reference, read, tolerance, own_answers, quantity, options):
    if reference.recompute is None:
        return None
    for dependency in quantity.depends_on:
        own = own_answers.get(dependency)
        if own is None:
            continue
        try:
            value = reference.recompute(own)
        except (TypeError, ValueError, IndexError):
            continue
        if _matches_value(read, value, tolerance):
            credit = float(options.get("follow_through", 1.0))
            verdict = "correct" if credit >= 1 else "partially-correct" if credit > 0 else "incorrect"
            return verdict, credit, (f"follows from your own {dependency} ({_show(own)}), which was not right: "
                                     f"credited as follow-through.")
    return None


# --- expressions --------------------------------------------------------------------------------

def _softmax_definitions():
    return {p: lambda i: sympy.exp(s[i]) / all_classes_sum(sympy.exp(s[m]), m)}


def definitions_for(reference: Reference) -> dict:
    """The names a formula answer to ``reference`` may use, with what they stand for.

    A reference states its own (logistic regression: the prediction y is sigma(z));
    without them, p_j is the softmax probability e^{s_j} / sum_m e^{s_m}.
    """
    return reference.definitions if reference.definitions is not None else _softmax_definitions()


def _rename_free_index(answer, reference):
    """An answer that calls the class k ``j`` (as some homework does) is read with j as k."""
    def indices(e):
        return {a for a in e.free_symbols if isinstance(a, Symbol) and a.is_integer and a not in (y, K)}
    mine, theirs = indices(answer), indices(reference)
    if len(mine) == 1 and len(theirs) == 1 and mine != theirs:
        return answer.xreplace({next(iter(mine)): next(iter(theirs))})
    return answer


def _equivalent(answer, expected, conditions, given_delta, definitions=None) -> bool:
    from ..engine.notation import Delta
    from ..engine.verify import Verifier
    if given_delta is not None:
        answer, expected = answer.xreplace({Delta: given_delta}), expected.xreplace({Delta: given_delta})
    verifier = Verifier(_softmax_definitions() if definitions is None else definitions, base_points=5)
    try:
        return verifier.check(answer, expected, conditions).ok
    except Exception:  # noqa: BLE001 - an answer SymPy cannot evaluate is not equivalent
        return False


def _judge_expression(result, reference, answer, options):
    from ..report.printing import text
    if not isinstance(answer, str):
        answer = str(answer)
    parsed = _parse(answer, options, vectors=reference.interpret is not None)
    if isinstance(parsed, sympy.MatrixBase):
        raise Unreadable("expected a formula, got a vector")
    if reference.interpret is not None:
        parsed = reference.interpret(parsed)
    parsed = _rename_free_index(parsed, reference.expr)
    result.read_as, result.read_expr = text(parsed), parsed
    result.expected, result.expected_expr = text(reference.expr), reference.expr
    delta = options.get("delta")
    definitions = definitions_for(reference)
    if _equivalent(parsed, reference.expr, reference.conditions, delta, definitions):
        result.verdict, result.score = "correct", 1.0
        if any(isinstance(h, sympy.Heaviside) and len(h.args) > 1 and h.args[1] == 1 for h in parsed.atoms(sympy.Heaviside)):
            result.feedback = ("1[u ≥ 0] differs from 1[u > 0] only on the kink u = 0, where either is a valid "
                               "subgradient; code usually uses margin > 0.")
        return result
    result.verdict, result.score = "incorrect", 0.0
    result.feedback = f"not equivalent to {result.expected}."
    _diagnose(result, reference,
              lambda v: v.expr is not None and _equivalent(parsed, v.expr, reference.conditions, delta, definitions))
    return result
