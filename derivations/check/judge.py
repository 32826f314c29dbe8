"""Verdicts for one answer: read it, compare it with the reference, diagnose it.

* ``correct``, ``partially-correct`` (vectors and matrices: some entries
  right), ``incorrect``, or ``invalid`` (the answer could not be read, or is
  not the kind of answer asked for: never counted as a wrong answer).
* Numbers: under the precision policy of :mod:`derivations.check.precision`
  (right to 3 significant figures by default, or following from
  intermediates rounded to at least 2, see :mod:`.rounding`); with
  follow-through, a value that follows from the student's own (wrong)
  intermediate answer is recognised. Notation is read as a TA would
  (:mod:`.reading`).
* Formulas: equivalent to the reference when the verifier finds both sides
  equal at K = 2..5 classes and random points on both sides of every kink
  (:mod:`.formulas`). A formula question answered with a number is
  ``invalid`` ("a formula was expected") unless the item accepts numbers.
* Diagnosis (:mod:`.diagnosis`): a mistake is named only when the variants
  that explain the answer are all of one kind.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import sympy

from .diagnosis import Diagnosis, diagnose, pins_down
from .feedback import (
    Code,
    code_names,
    decimal,
    displayed,
    foreign,
    inline,
    is_wide,
    joined,
    listed,
    plain,
    shown,
    words,
)
from .numeric import Written, read_number, to_float
from .precision import (
    DEFAULT,
    Closeness,
    Precision,
    decimal_of,
    judge_float,
    judge_written,
    required_place,
    round_at,
    same_at_the_digits_given,
)
from .reading import Conventions, Unreadable, WrongKind, number_cells, scalar_text, tidy_numeric
from .registry import Quantity, Reference
from .rounding import roundings

MAX_ANSWER_LENGTH = 2000
#: mistakes that leave the other entries right (the correct class's entry or column, the Jacobian's diagonal): the
#: entries right earn partial credit. Any other mistake named is systematic: an entry that agrees does so by
#: accident (a transposed matrix's diagonal, a sign-flipped 0, the entries where W is 0), and earns nothing.
PARTIAL_CREDIT_MISTAKES = {"no-minus-one", "correct-class-zero", "missing-minus-correct-class", "sign-of-correct-class",
                           "missing-diagonal"}
MAX_ENTRIES = 1000

__all__ = ["ItemResult", "Unreadable", "judge", "read_scalar", "read_entries"]


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
    rule: str = ""                   # the rule that decided: exact, figures, rounded-intermediates, ...
    candidates: list = field(default_factory=list)   # mistakes that each explain the answer (when ambiguous)
    message: Any = None              # the feedback as words and maths (a Paragraph): ``feedback`` is its plain text
    read_shown: Any = None           # read_as and expected typeset (numbers as SymPy numbers, formulas as read):
    expected_shown: Any = None       # set by the Markdown and LaTeX reports

    def __post_init__(self):
        if self.message is None and self.feedback:
            self.message = foreign(self.feedback)

    def say(self, *parts) -> None:
        """Set the feedback: ``parts`` (words, or paragraphs of words and maths), each a sentence."""
        self.message = joined(*parts)
        self.feedback = plain(self.message)

    def to_dict(self) -> dict:
        return {"id": self.id, "quantity": self.quantity, "verdict": self.verdict, "score": self.score,
                "expected": self.expected, "read_as": self.read_as, "feedback": self.feedback,
                "diagnosis": self.diagnosis, "rule": self.rule, "candidates": list(self.candidates)}


# --- reading --------------------------------------------------------------------------------------

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


def _exact(written: Written):
    """The exact value of a written decimal: its digits over a power of ten (what ``Rational(str(value))`` gives,
    without parsing the text again)."""
    sign, digits, exponent = written.value.as_tuple()
    whole = 0
    for digit in digits:
        whole = whole * 10 + digit
    if sign:
        whole = -whole
    return sympy.Integer(whole * 10 ** exponent) if exponent >= 0 else sympy.Rational(whole, 10 ** -exponent)


def read_scalar(answer, options, conventions: Conventions = Conventions(), notes=None):
    """(written number or None, exact SymPy value) for a scalar answer; notes on how it was read go to ``notes``."""
    written = read_number(answer)
    if written is not None:
        return written, _exact(written)
    if not isinstance(answer, str):
        raise Unreadable(f"expected a number, got {type(answer).__name__}")
    tidy = tidy_numeric(answer, conventions)
    text = scalar_text(tidy.value, conventions)
    written = read_number(text)
    if notes is not None:
        notes.extend(tidy.notes)
        if text != tidy.value and written is not None:
            notes.append("read with a decimal comma")
    if written is not None:
        return written, _exact(written)
    parsed = _parse(text, options)
    if isinstance(parsed, sympy.MatrixBase):
        raise Unreadable("expected a single number, got a vector")
    value = _as_number(parsed)
    if value is None:
        raise Unreadable("expected a number, got an expression with unknowns")
    return None, value


_ENVIRONMENT = re.compile(r"^\s*\$*\s*\\begin\{([bpv]?matrix)\}(.*)\\end\{\1\}\s*\$*\s*$", re.S)


def _environment_cells(text: str):
    """The entries of a bmatrix of plain numbers, as written; None when it holds anything else."""
    found = _ENVIRONMENT.match(text)
    if not found:
        return None
    rows = [row for row in re.split(r"\\\\", found.group(2)) if row.strip()]
    cells = [[cell.strip() for cell in row.split("&")] for row in rows]
    if len(cells) > 1 and all(len(row) == 1 for row in cells):
        cells = [row[0] for row in cells]            # a column vector
    elif len(cells) == 1:
        cells = cells[0]
    flat = [c for row in cells for c in (row if isinstance(row, list) else [row])]
    if not flat or not all(read_number(c) is not None for c in flat):
        return None
    return cells


def read_entries(answer, options, matrix: bool, conventions: Conventions = Conventions(), notes=None):
    """A list (of lists) of (written, exact) pairs for a vector or matrix answer."""
    if isinstance(answer, str):
        tidy = tidy_numeric(answer, conventions)
        if notes is not None:
            notes.extend(tidy.notes)
        text = tidy.value
        cells = _environment_cells(text)
        if cells is None:
            cells = number_cells(text, conventions, matrix)
        if cells is None:
            parsed = _parse(text, options)
            if not isinstance(parsed, sympy.MatrixBase):
                raise Unreadable("expected a matrix" if matrix else words("expected a vector such as ", Code("[-1, 0, 1]")))
            if matrix:
                return [[(None, _checked_number(e)) for e in parsed.row(r)] for r in range(parsed.rows)]
            return [(None, _checked_number(e)) for e in parsed]
        answer = cells
    if not isinstance(answer, (list, tuple)):
        raise Unreadable("expected a list of numbers" if not matrix else "expected a matrix")
    answer = _spaced_entries(answer)
    if matrix:
        answer = [_spaced_entries(row) if isinstance(row, (list, tuple)) else row for row in answer]
    if len(answer) > MAX_ENTRIES:
        raise Unreadable(f"{len(answer)} entries; at most {MAX_ENTRIES} are read")
    if not matrix and answer and all(isinstance(row, (list, tuple)) and len(row) == 1 for row in answer):
        answer = [row[0] for row in answer]                 # a column vector [[-1], [0], [1]]
    if matrix:
        if not all(isinstance(row, (list, tuple)) for row in answer):
            raise Unreadable("expected a list of rows")
        if sum(len(row) for row in answer) > MAX_ENTRIES:
            raise Unreadable(f"more than {MAX_ENTRIES} entries")
        return [[read_scalar(e, options, conventions) for e in row] for row in answer]
    if any(isinstance(e, (list, tuple)) for e in answer):
        raise Unreadable("expected a vector, got rows of a matrix")
    return [read_scalar(e, options, conventions) for e in answer]


#: numbers separated by spaces only, as NumPy prints a vector: YAML reads ``[0.1 0.2 0.3]`` as one string
_SPACED_NUMBERS = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
                             r"(?:\s+[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)+\s*")


def _spaced_entries(entries):
    """``entries`` with each string of numbers separated by spaces split into its numbers: an unquoted YAML
    ``[0.08 0.60 0.02 0.30]`` (NumPy's print) is the one-element list ``['0.08 0.60 0.02 0.30']``."""
    if not any(isinstance(e, str) and _SPACED_NUMBERS.fullmatch(e) for e in entries):
        return entries
    split = []
    for e in entries:
        split.extend(e.split() if isinstance(e, str) and _SPACED_NUMBERS.fullmatch(e) else [e])
    return split


def _checked_number(e):
    value = _as_number(e)
    if value is None:
        raise Unreadable(words("the entry ", e, " is not a number"))
    return value


# --- numbers against one value ------------------------------------------------------------------

def _closeness(pair, value, policy: Precision, scale=None) -> Closeness:
    """How an answer (written, exact) relates to ``value`` (exact SymPy, or a float from a rounding route)."""
    written, exact = pair
    exact_value = isinstance(value, sympy.Basic)
    reference = to_float(value) if exact_value else float(value)
    if written is not None:
        equal = _equal(exact, value) if exact_value else float(written.value) == reference
        return judge_written(written, equal, reference, policy, scale)
    if exact_value and _equal(exact, value):
        return Closeness(True, "exact")
    ok = judge_float(float(exact), reference, policy, scale)
    return Closeness(ok, "figures" if ok else "no")


def _equal(exact, value) -> bool:
    """Whether the answer's exact value is the reference's: equal as rationals, or, for a reference known to
    50 digits (a batch's softmax, see :mod:`.exact_arrays`), equal to those digits."""
    if isinstance(value, sympy.Float) and value._prec >= 150 and isinstance(exact, sympy.Rational):
        from .exact_arrays import equal_to_digits  # (a value known to 50 digits: see is_known_to_digits)
        near = to_float(value)
        if abs(to_float(exact) - near) > 1e-12 * max(1.0, abs(near)):
            return False                                # plainly not equal: no need for the 50 digits
        return equal_to_digits(exact, value)
    if isinstance(exact, sympy.Rational) and isinstance(value, sympy.Rational):
        return exact.p == value.p and exact.q == value.q      # SymPy's Rational ==, without sympifying again
    return exact == value


def _entries_of(value):
    if isinstance(value, sympy.ImmutableDenseMatrix) and len(value.args) == 3:
        return list(value.args[2])        # the entries it holds, row by row (reading each makes a rational afresh)
    return list(value) if isinstance(value, (sympy.MatrixBase, tuple, list)) else [value]


def _scale(entries) -> float:
    return max((abs(to_float(v) if isinstance(v, sympy.Basic) else float(v)) for v in entries), default=0.0)


def _all_close(read, value, policy, strict=False) -> tuple[bool, list]:
    """Whether every entry of ``read`` is ``value``'s (a scalar pair against a number, or entries against a
    vector), and the Closeness of each. ``strict``: right to the digits written, not only to the figures
    required (how a rounded intermediate is recognised)."""
    def ok(closeness):
        return closeness.ok and not (strict and closeness.how == "figures-required")

    if isinstance(read, list):
        flat, entries = _flatten(read), _entries_of(value)
        if len(flat) != len(entries):
            return False, []
        scale = _scale(entries)
        verdicts = [_closeness(pair, v, policy, scale) for pair, v in zip(flat, entries)]
        if not strict and not _coarse_as_a_whole(entries, verdicts):
            verdicts = _zeros_left_off(flat, entries, verdicts, policy, scale)
        return all(ok(c) for c in verdicts), verdicts
    closeness = _closeness(read, value, policy)
    return ok(closeness), [closeness]


def _mistake_match(read, value, policy) -> bool:
    """Whether a mistake's ``value`` explains the answer: equal, right under the policy, or equal to the
    digits given where those digits pin the value down (see :mod:`.diagnosis`)."""
    def one(pair, v, scale=None):
        written, _ = pair
        if _closeness(pair, v, policy, scale).ok:
            return True
        number = to_float(v)
        return written is not None and _needs_rounding(v, policy) and same_at_the_digits_given(written, number) \
            and (written.value != 0 or number == 0) and pins_down(written, number, scale)

    if isinstance(read, list):
        flat, entries = _flatten(read), _entries_of(value)
        if len(flat) != len(entries) or not isinstance(value, sympy.MatrixBase):
            return False
        scale = _scale(entries)
        return all(one(pair, v, scale) for pair, v in zip(flat, entries))
    if isinstance(value, sympy.MatrixBase):
        return False
    return one(read, value)


def _needs_rounding(value, policy) -> bool:
    """Whether a student must round ``value`` to write it (a log, not 3.5): only then is an answer with fewer
    digits taken to be that value rounded."""
    number = to_float(value)
    if number == 0 or not math.isfinite(number):
        return False
    return round_at(number, required_place(abs(number), policy.sig_figs)) != decimal_of(number)


def _flatten(read):
    if read and isinstance(read[0], list):
        return [pair for row in read for pair in row]
    return list(read)


def _show(value) -> str:
    from ..report.printing import text
    if isinstance(value, sympy.MatrixBase):
        flat, cols = _entries_of(value), value.cols
        rows = [flat[r * cols:(r + 1) * cols] for r in range(value.rows)]
        if value.cols == 1 or value.rows == 1:
            return "[" + ", ".join(_show(v) for row in rows for v in row) + "]"
        return "[" + ", ".join("[" + ", ".join(_show(v) for v in row) + "]" for row in rows) + "]"
    if isinstance(value, (sympy.Rational, sympy.Float)) or isinstance(value, sympy.Basic) and not value.free_symbols:
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


def _read_shown(read):
    """The answer as read, as the feedback shows it (the digits written): a number, a row, a matrix; None
    when its rows differ in length."""
    try:
        if isinstance(read, list):
            if read and isinstance(read[0], list):
                return sympy.ImmutableMatrix([[_pair_shown(pair, True) for pair in row] for row in read])
            return sympy.ImmutableMatrix([[_pair_shown(pair, True) for pair in read]])
        return _pair_shown(read)
    except (ValueError, TypeError, IndexError):
        return None


def _pair_shown(pair, entry=False):
    written, exact = pair
    return decimal(str(written.value), entry) if written is not None else shown(exact, entry)


def _read_words(result, read):
    """What was read, for the feedback: typeset, or as written when it cannot be (rows of different lengths)."""
    value = _read_shown(read)
    return value if value is not None else result.read_as


def _expected_words(reference):
    """The exact value (or the formula), as the feedback shows it."""
    return shown(reference.value if reference.value is not None else reference.expr)


def _expected_inline(reference, before: str, after: str) -> list:
    """:func:`inline` of the expected value: nothing for a matrix of several rows and columns, which is never put in
    a sentence (:func:`is_wide`), without typesetting its entries first."""
    value = reference.value
    if isinstance(value, sympy.MatrixBase) and value.rows > 1 and value.cols > 1:
        return []
    return inline(_expected_words(reference), before, after)


def _notes_text(notes):
    return listed(notes)


# --- judging ------------------------------------------------------------------------------------

def judge(item_id: str, quantity: Quantity, reference: Reference, answer, *, tolerance=None, options=None,
          own_answers=None, points: float = 1.0, precision: Precision = DEFAULT,
          conventions: Conventions = Conventions(), accept_numbers: bool = False) -> ItemResult:
    """The verdict on ``answer`` for ``quantity`` against ``reference``.

    ``own_answers`` maps other quantities on the same sheet (and same given)
    to what the student answered for them (for follow-through).
    """
    options = dict(options or {})
    policy = precision.with_tolerance(tolerance)
    result = ItemResult(str(item_id), quantity.name, "invalid", 0.0, points=points,
                        expected=_show(reference.value if reference.value is not None else reference.expr))
    notes: list = []
    try:
        entries = _entries_kind(quantity, reference, answer, conventions)
        if entries is not None:
            read = read_entries(answer, options, entries == "matrix", conventions, notes)
            return _judge_entries(result, quantity, reference, read, policy, own_answers or {}, options, notes,
                                  entries)
        if quantity.kind == "expression" and isinstance(reference.value, sympy.MatrixBase) and \
                _reads_as_number(answer, options, conventions):
            read = read_scalar(answer, options, conventions, notes)
            return _judge_scalar_for_vector(result, reference, read, policy, notes)
        if quantity.kind == "expression":
            if accept_numbers and reference.value is not None and _reads_as_number(answer, options, conventions):
                read = read_scalar(answer, options, conventions, notes)
                return _judge_number(result, quantity, reference, read, policy, own_answers or {}, options, notes)
            return _judge_expression(result, reference, answer, options)
        read = read_scalar(answer, options, conventions, notes)
        return _judge_number(result, quantity, reference, read, policy, own_answers or {}, options, notes)
    except WrongKind as error:
        # a number (or a vector) where a formula was asked: read, and wrong, as a TA marks it
        result.verdict, result.score, result.rule = "incorrect", 0.0, "wrong-kind"
        result.say(_said(error))
        return result
    except Unreadable as error:
        result.verdict, result.score, result.rule = "invalid", 0.0, "unreadable"
        result.say(words("Could not read the answer: ", _said(error)))
        return result


def _said(error: Unreadable):
    """What an Unreadable says, as words and maths (a message of another layer read for its names and quotes)."""
    said = getattr(error, "words", None)
    return said if said is not None and not isinstance(said, str) else foreign(str(error))


def _judge_scalar_for_vector(result, reference, read, policy, notes):
    """One number where the given asks for a vector (logistic.dw at numbers): wrong, and a mistake whose entries
    are all that number (dL/dz = y - t, the factor x_j left out) named when it explains it."""
    result.read_as = _shown_pair(read)
    entries = len(reference.value)
    result.verdict, result.score, result.rule = "incorrect", 0.0, "shape"
    from ..engine.notation import j, x
    result.say(_notes_text(notes), words(f"One number for a vector of {entries} entries (one per input ", x[j],
                                         ")", *inline(_expected_words(reference), ", expected ", "")))

    def explains(variant):
        value = variant.value
        if not isinstance(value, sympy.MatrixBase) or len(set(value)) != 1:
            return False
        return _mistake_match(read, value[0], policy)
    _apply_diagnosis(result, diagnose(reference.variants, explains))
    return result


def _entries_kind(quantity, reference, answer, conventions):
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
        if isinstance(answer, (list, tuple)):
            return "vector"
        if isinstance(answer, str):
            text = tidy_numeric(answer, conventions).value
            cells = number_cells(text, conventions, False)
            if _environment_cells(text) is not None or (cells is not None and (
                    len(cells) > 1 or text.strip().startswith(("[", "(")))):
                return "vector"
    return None


def _reads_as_number(answer, options, conventions) -> bool:
    try:
        read_scalar(answer, options, conventions)
        return True
    except Unreadable:
        return False


def _apply_diagnosis(result, found: Diagnosis) -> None:
    result.diagnosis = found.tag
    result.candidates = found.candidates if found.tag is None else []
    if found.text:
        result.say(result.message, found.text)


def _credit(options) -> tuple[str, float]:
    credit = float(options.get("follow_through", 1.0))
    return ("correct" if credit >= 1 else "partially-correct" if credit > 0 else "incorrect"), credit


def _follow_through(reference, quantity, own_answers, read, policy):
    """(dependency, own value, its entries that matter here but show too few figures for an intermediate) when
    the answer follows from the student's own wrong intermediate; None when it does not."""
    if reference.recompute is None:
        return None
    for dependency in quantity.depends_on:
        own = own_answers.get(dependency)
        if own is None:
            continue
        value = getattr(own, "value", own)
        try:
            recomputed = reference.recompute(value)
        except (TypeError, ValueError, ZeroDivisionError, IndexError):
            continue
        if isinstance(recomputed, sympy.Basic) and (recomputed.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan)):
            continue
        if _all_close(read, recomputed, policy)[0]:
            uses = reference.recompute_uses
            short = [entry for entry in getattr(own, "short", ()) if uses is None or entry[0] in uses]
            return dependency, value, short
    return None


def _short_words(dependency, short, figures):
    """Why no follow-through: the entries of the student's intermediate written too coarsely to carry forward."""
    from ..engine.notation import p
    parts = []
    for number, (i, own, n) in enumerate(short[:4]):
        parts += [", "] if number else []
        parts += [p[i], " = ", shown(own)] if dependency == "softmax.probs" else [f"entry {i} = ", shown(own)]
        parts.append(f" ({'no' if n < 1 else n} significant figure{'' if n == 1 else 's'})")
    more = f" and {len(short) - 4} more" if len(short) > 4 else ""
    return words("It follows from your own ", Code(dependency), ", but no follow-through is given: ", *parts,
                 f"{more} {'is' if len(short) == 1 else 'are'} rounded too coarsely to carry forward (an "
                 f"intermediate needs at least {figures} significant figures)")


def _rounded_route(reference, read, policy):
    """(accepted Rounded or None, coarse Rounded or None): the roundings of intermediates the answer follows."""
    exact = reference.value
    accepted = coarse = None
    for route in reference.routes:
        for rounded in roundings(route):
            if not _all_close(read, rounded.value, policy, strict=True)[0]:
                continue
            faithful = _all_close_floats(rounded.value, exact, policy.intermediate_figures)
            if rounded.figures >= policy.intermediate_figures and faithful:
                if accepted is None or rounded.figures > accepted.figures:
                    accepted = rounded
            elif coarse is None:
                coarse = rounded
    return accepted, coarse


def _all_close_floats(value, exact, figures: int) -> bool:
    """Whether a route's value still gives the exact value to ``figures`` significant figures."""
    policy = Precision(sig_figs=figures)
    entries, exact_entries = _entries_of(value), _entries_of(exact)
    if len(entries) != len(exact_entries):
        return False
    floats = [to_float(v) for v in exact_entries]
    scale = max(abs(v) for v in floats) if len(floats) > 1 else None
    return all(judge_float(float(a), b, policy, scale) for a, b in zip(entries, floats))


def _judge_number(result, quantity, reference, read, policy, own_answers, options, notes):
    result.read_as = _shown_pair(read)
    if reference.value is None:
        raise Unreadable("this quantity needs a formula, not a number")
    closeness = _closeness(read, reference.value, policy)
    if closeness.how == "figures-required" and _rounded_route(reference, read, policy)[0]:
        closeness = Closeness(False, "no")       # the rounded intermediate it follows from is the better note
    if closeness.ok:
        result.verdict, result.score, result.rule = "correct", 1.0, closeness.how
        rule_note = f"right to {policy.sig_figs} significant figures" if closeness.how == "figures" else ""
        result.say(_notes_text(notes), closeness.note, rule_note)
        return result
    return _not_right(result, quantity, reference, read, policy, own_answers, options, notes,
                      closeness.note if closeness.how == "too-few-figures" else "")


def _not_right(result, quantity, reference, read, policy, own_answers, options, notes, short_note,
               partial=None):
    """The verdict when the answer is not the exact value under the policy: follow-through, a rounded
    intermediate, or wrong (with the reason and the likely mistake)."""
    follows = _follow_through(reference, quantity, own_answers, read, policy)
    refused = ""
    if follows and follows[2]:
        refused = _short_words(follows[0], follows[2], policy.intermediate_figures)
    elif follows:
        dependency, own, _ = follows
        result.verdict, result.score = _credit(options)
        result.rule = "follow-through"
        result.say(_notes_text(notes), words("Follows from your own ", Code(dependency), *inline(shown(own)),
                                             ", which was not right: credited as follow-through"),
                   words("The exact value is ", _expected_words(reference)))
        return result
    accepted, coarse = _rounded_route(reference, read, policy)
    if accepted:
        result.verdict, result.score, result.rule = "correct", 1.0, "rounded-intermediates"
        result.say(_notes_text(notes), words("This is what ", accepted.how, " gives: accepted, as intermediates kept "
                                             f"to at least {policy.intermediate_figures} significant figures are"),
                   words("The exact value is ", _expected_words(reference)))
        return result
    if partial is not None:
        result.score, result.verdict, text = partial
        result.say(_notes_text(notes), text)
    else:
        result.verdict, result.score = "incorrect", 0.0
        result.say(_notes_text(notes), words("Expected ", _expected_words(reference), ", read ",
                                             _read_words(result, read)))
    result.rule = "too-few-figures" if short_note else "wrong-value"
    if short_note:
        result.say(result.message, short_note)
    if coarse:
        result.say(result.message, words("It is what ", coarse.how, " gives, a rounding too coarse to accept: "
                                         f"intermediates need at least {policy.intermediate_figures} significant "
                                         f"figures, and must still give the value to that many figures"))
    elif not short_note:
        _apply_diagnosis(result, diagnose(reference.variants,
                                          lambda v: v.value is not None and _mistake_match(read, v.value, policy)
                                          and not _mistake_match(read, reference.value, policy)))
    if refused:
        result.say(result.message, refused)
    elif quantity.depends_on and any(own_answers.get(d) is not None for d in quantity.depends_on) and not short_note:
        result.say(result.message, words("It does not follow from your own ", *code_names(quantity.depends_on),
                                         " either: recompute it from there"))
    return result


def _judge_entries(result, quantity, reference, read, policy, own_answers, options, notes, kind=None):
    result.read_as = _shown_read(read)
    expected = reference.value
    if expected is None:
        raise Unreadable("this quantity has no numeric value for the given")
    flat, entries = _flatten(read), _entries_of(expected)
    if (kind or quantity.kind) == "matrix":
        shape = (len(read), len(read[0]) if read else 0)
        if shape != expected.shape or any(len(row) != shape[1] for row in read):
            result.verdict, result.score, result.rule = "incorrect", 0.0, "shape"
            from ..engine.notation import Times
            result.say(words("A ", Times(shape[0], shape[1]), " matrix, expected ", Times(expected.rows, expected.cols)))
            _apply_diagnosis(result, diagnose(reference.variants, lambda v: isinstance(v.value, sympy.MatrixBase)
                                              and v.value.shape == shape and _mistake_match(read, v.value, policy)))
            return result
    elif len(flat) != len(entries):
        result.verdict, result.score, result.rule = "incorrect", 0.0, "shape"
        per = "input" if quantity.name.startswith("logistic.") else "class"
        result.say(f"{len(flat)} entr{'y' if len(flat) == 1 else 'ies'} for {len(entries)} {per}"
                   f"{'es' if per == 'class' else 's'}: one entry per {per} is expected, in order")
        return result
    ok, verdicts = _all_close(read, expected, policy)
    right = sum(1 for c in verdicts if c.ok)
    entry_notes = [c.note for c in verdicts if c.note and c.ok]
    if ok:
        result.verdict, result.score = "correct", 1.0
        hows = {c.how for c in verdicts}
        if "figures-required" in hows and _rounded_route(reference, read, policy)[0]:
            return _not_right(result, quantity, reference, read, policy, own_answers, options, notes, "")
        result.rule = "exact" if hows == {"exact"} else "figures" if hows <= {"exact", "figures"} else \
            "+".join(sorted(hows - {"exact"}))
        rule_note = f"right to {policy.sig_figs} significant figures" if "figures" in hows else ""
        result.say(_notes_text(notes), listed(entry_notes, " "), rule_note)
        return result
    wrong = [i for i, c in enumerate(verdicts) if not c.ok]
    short = [c.note for c in verdicts if c.how == "too-few-figures"]
    differ = f"{right} of {len(entries)} entries right; entr{'y' if len(wrong) == 1 else 'ies'} " \
             f"{', '.join(map(str, wrong))} differ{'s' if len(wrong) == 1 else ''}"
    # the expected value is in every report beside the feedback (its expected cell, field or column): said when it
    # fits in the sentence
    text = words(differ, *_expected_inline(reference, " (expected ", ")"))
    partial = (right / len(entries), "partially-correct" if right else "incorrect", text)
    if short and len(short) == len(wrong):
        short_note = _short_entries_note(wrong, verdicts, entries, policy, none_right=not right, shape=expected.shape)
    else:
        short_note = ""
    result = _not_right(result, quantity, reference, read, policy, own_answers, options, notes, short_note, partial)
    if result.verdict == "partially-correct":
        named = [result.diagnosis] if result.diagnosis else list(result.candidates)
        if _coarse_as_a_whole(entries, verdicts):
            result.verdict, result.score = "incorrect", 0.0          # written too coarsely as a whole
            if not short_note:
                result.say(result.message, f"No partial credit: the answer is written with too few figures as a "
                                           f"whole ({policy.sig_figs} are needed, counted from its largest entry)")
        elif named and not set(named) & PARTIAL_CREDIT_MISTAKES:
            result.verdict, result.score = "incorrect", 0.0
            result.say(result.message, "No partial credit: under this mistake the entries that agree do so by accident")
    return result


def _coarse_as_a_whole(entries, verdicts) -> bool:
    """Whether an answer is written with too few figures as a whole: a matrix's figures count from its largest
    entry, so it is when the entry answering the largest exact value is itself too short."""
    if not entries or len(verdicts) != len(entries):
        return False
    largest = max(range(len(entries)), key=lambda i: abs(to_float(entries[i])))
    return verdicts[largest].how == "too-few-figures"


def _zeros_left_off(flat, entries, verdicts, policy, scale) -> list:
    """In an answer written to the figures asked for, an entry that is the exact value rounded there with its last
    0s left off (-0.39 for -0.390, as NumPy prints it) is right."""
    place = required_place(scale, policy.sig_figs) if scale else None
    upgraded = []
    for (written, _), value, closeness in zip(flat, entries, verdicts):
        if closeness.how == "too-few-figures" and written is not None and place is not None and \
                written.value == round_at(to_float(value), place):
            closeness = Closeness(True, "figures")
        upgraded.append(closeness)
    return upgraded


def _short_entries_note(wrong, verdicts, entries, policy, none_right=False, shape=None):
    """Which entries are written with too few figures, and the whole vector (or matrix, of ``shape``) to the
    figures needed."""
    scale = _scale(entries)
    place = required_place(scale, policy.sig_figs)
    rounded = [decimal(format(round_at(to_float(v), place), "f"), True) for v in entries]
    matrix = shape is not None and shape[0] > 1 and shape[1] > 1
    needed = sympy.ImmutableMatrix(shape[0], shape[1], rounded) if matrix else sympy.ImmutableMatrix([rounded])
    whole = "matrix" if matrix else "vector" if len(entries) > 1 else "value"
    shows = verdicts[wrong[0]].shows
    which = f"entr{'y' if len(wrong) == 1 else 'ies'} {', '.join(map(str, wrong))}"
    said = [" (", needed, ")"] if not is_wide(needed) else [": ", displayed(needed)]
    if none_right:
        return words(f"every entry is written with {shows} for the {whole}'s largest entry: {policy.sig_figs} are "
                     f"needed", *said)
    return words(f"{which} {'is' if len(wrong) == 1 else 'are'} right as far as "
                 f"{'it goes' if len(wrong) == 1 else 'they go'}, but with {shows} for the {whole}'s largest entry: "
                 f"{policy.sig_figs} are needed", *said)


# --- formulas -------------------------------------------------------------------------------------

def _judge_expression(result, reference, answer, options):
    from ..report.printing import text
    from .formulas import judge_formula, rename_free_index
    if isinstance(answer, bool) or not isinstance(answer, (str, int, float)):
        raise Unreadable(f"expected a formula, got {type(answer).__name__}")
    parsed = _parse(answer if isinstance(answer, str) else str(getattr(answer, "text", answer)), options,
                    vectors=reference.interpret is not None)
    if isinstance(parsed, sympy.MatrixBase):
        raise WrongKind("A formula was expected, not a vector")
    if reference.interpret is not None:
        parsed = reference.interpret(parsed)
    if not parsed.free_symbols:
        raise WrongKind(words("A formula was expected, not the number ", shown(parsed), ": this question asks for "
                              "the derivative in general (an item that also takes the value for its given says ",
                              Code("accept_numbers: true"), ")"))
    parsed = rename_free_index(parsed, reference.expr)
    result.read_as, result.read_expr = text(parsed), parsed
    result.expected, result.expected_expr = text(reference.expr), reference.expr
    equal, mistakes = judge_formula(parsed, reference, options.get("delta"))
    if equal:
        result.verdict, result.score, result.rule = "correct", 1.0, "equivalent"
        if any(len(h.args) > 1 and h.args[1] == 1 for h in parsed.atoms(sympy.Heaviside)):
            u = sympy.Symbol("u", real=True)
            result.say(words(sympy.Heaviside(u, 1), " differs from ", sympy.Heaviside(u, 0), " only on the kink ", u,
                             " = ", 0, ", where either is a valid subgradient; code usually uses ", Code("margin > 0")))
        return result
    result.verdict, result.score, result.rule = "incorrect", 0.0, "not-equivalent"
    result.say(words("Not equivalent to ", reference.expr))
    _apply_diagnosis(result, diagnose(mistakes, lambda v: True))
    return result
