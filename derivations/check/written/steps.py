"""Judging a step: both sides read, definitions put in, the verifier asked; a wrong step gets a
counterexample and a diagnosis; a step may hold against the last correct expression, from the
facts stated before it (therefore), or in a case the text states."""
from __future__ import annotations

import re
import time

import sympy
from sympy import Indexed, Symbol

from .algebra import (
    read_as_written,
    show_relation,
)
from .said import Code, Quote, joined_said, reason, said, shown
from .state import EQUALITIES, INEQUALITIES, Job, Last, Unread
from .statements import cases_rows
from .verdicts import Entry, failure_reason
from .wording import RELATION_TEXT, shortened

#: where a quantity lives, as a text states it: Δ > 0, λ ≥ 0, 0 < p < 1
_DOMAINS = (sympy.Gt(sympy.Symbol("Delta"), 0), ", ", sympy.Ge(sympy.Symbol("lambda"), 0), ", ",
            sympy.Symbol("p"), " between 0 and 1")


#: sizes of a matrix or a product of them, as a shape check writes them: (K \times N)(N \times D), D x C, 3×4
_SHAPE = r"\(?\s*[A-Z0-9]\s*(?:\\times|×|x|\*|by)\s*[A-Z0-9]\s*\)?"
_SHAPES = re.compile(rf"\s*{_SHAPE}(?:\s*(?:\\cdot|·)?\s*{_SHAPE})*\s*")


class Steps(Job):
    """Judging a step."""

    def step(self, before_text, after_text, relation, line, lead, conditions, real):
        written = f"{before_text} {RELATION_TEXT.get(relation, relation)} {after_text}"
        if relation == "assign":
            self.state.update_line = self.state.update_line or line
            if self.state.update_vectors is None:
                self.state.update_vectors = dict(self.state.givens.vectors)
            self.state.context(line, written, "note", said("an update rule (", Code("\\leftarrow"), "): the chain goes on "
                                                           "from its right side"))
            self.advance(after_text, line, correct=True)
            return
        if relation == "in":
            self.state.context(line, written, "assumption", said("where a quantity lives (", Code("W \\in R^{D x K}"), ", ",
                                                           Code("y_n \\in \\{0..K-1\\}"), "): a statement of its kind, "
                                                           "not a step"))
            self.advance(after_text, line, correct=False)
            return
        if relation == "=" and not after_text.strip() and re.fullmatch(r"\s*\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?\s*",
                                                                      before_text):
            self.state.context(line, written, "assumption", "a name said in words (y_i = correct class): not a step")
            return
        if relation == "=" and _SHAPES.fullmatch(before_text) and _SHAPES.fullmatch(after_text):
            self.state.context(line, written, "assumption", "a check of sizes ((D x N)(N x C) = D x C): not a step")
            return
        if relation not in EQUALITIES + INEQUALITIES:
            self.state.entry(line, written, "unread", f"the relation {RELATION_TEXT.get(relation, relation)} is not one "
                                                 f"the verifier checks", relation=relation)
            self.advance(after_text, line, correct=False)
            return
        rows = cases_rows(after_text)
        if rows is not None:
            self.cases_step(before_text, rows, line, conditions, real, written)
            self.state.last = None
            return
        started = time.perf_counter()
        try:
            before = self.before_reading(before_text)
        except Unread as error:
            self.state.entry(line, written, "unread", said("the left side could not be read: ", reason(error)), relation=relation)
            self.advance(after_text, line, correct=False)
            return
        try:
            after = self.state.read(after_text)
        except Unread as error:
            self.state.entry(line, written, "unread", said(Quote(shortened(after_text)), " could not be read: ", reason(error)),
                        relation=relation)
            return
        if relation in INEQUALITIES and self.domain_statement(before.value, after.value):
            self.state.context(line, written, "assumption", said("where a quantity lives (", *_DOMAINS,
                                                                 "): taken as stated"))
            if not self.state.display:
                self.cases.unapplied(line, written)    # in a sentence it may also be the case of a formula there
            self.advance_reading(after, after_text, line, correct=True)
            return
        entry = self.judge(before, after, before_text, after_text, relation, line, lead, conditions, real, written)
        if time.perf_counter() - started > self.state.line_seconds:
            entry.notes.append(f"this step took {time.perf_counter() - started:.1f} s")
        self.record_fact(before, after, line)
        if entry.verdict == "verified":         # z = w0 x0 + w1 x1 + w2 after z = ... = 1.5: a node of the graph
            self.definitions.name_through(before.value, after.value, line, written)
        self.state.see(before.value)
        self.state.see(after.value)
        self.advance_reading(after, after_text, line, correct=entry.verdict == "verified")

    def domain_statement(self, a, b) -> bool:
        """``Δ > 0``, ``λ ≥ 0``, ``0 < p_k``: a name the text never defines compared with a number (its domain)."""
        if not all(isinstance(side, sympy.Basic) and not isinstance(side, sympy.MatrixBase) for side in (a, b)):
            return False
        for name, bound in ((a, b), (b, a)):
            if isinstance(name, (Symbol, Indexed)) and not getattr(name, "is_integer", False) and bound.is_number \
                    and not self.decisions.defined(name):
                return True
        return False

    def before_reading(self, text):
        if self.state.last is not None and self.state.last.text == text:
            return self.state.last.reading
        return self.state.read(text)

    def advance(self, text, line, correct: bool):
        try:
            reading = self.state.read(text)
        except Unread:
            return
        self.advance_reading(reading, text, line, correct)

    def advance_reading(self, reading, text, line, correct: bool):
        if self.state.last is None:
            self.state.last = Last(reading, text, line, correct=reading if correct else None, correct_line=line)
            return
        self.state.last.reading, self.state.last.text, self.state.last.line = reading, text, line
        if correct:
            self.state.last.correct, self.state.last.correct_line = reading, line

    def record_fact(self, before, after, line):
        if isinstance(before.value, sympy.Basic) and isinstance(after.value, sympy.Basic):
            self.state.part.facts.append((before.value, after.value, line))

    def cases_step(self, before_text, rows, line, conditions, real, written):
        """``X = \\begin{cases} v_1 & c_1 \\\\ v_2 & c_2 \\end{cases}``: X = v_k checked in case c_k."""
        inherited = self.state.last_cases if all(not c for _, c in rows) and len(self.state.last_cases) == len(rows) else None
        read_conditions = []
        row_line = line
        others = _otherwise_conditions(self.cases, rows, line) if inherited is None else None
        previous = 0
        for number, (value_text, condition_text) in enumerate(rows):
            line = self.state.line_of(value_text, row_line, previous + 1 if previous else 0)
            previous = line                                      # a case row on its own line has its verdict there
            if inherited is not None:
                found = inherited[number]
            elif others is not None and number in others:
                found = others[number]
            elif condition_text:
                found = self.cases.conditions_of(condition_text, line)
            else:
                found = None
            if found is None:
                self.state.entry(line, f"{before_text} = {value_text}", "unread",
                            "a case without a condition that can be read" if condition_text else
                            "a case without a condition", kind="case")
                continue
            read_conditions.append(found)
            index_part, real_part = found
            shown = condition_text or " and ".join(show_relation(r) for r in index_part)
            self.step_under(before_text, value_text, line, conditions + index_part, real + real_part,
                             f"{before_text} = {value_text}  ({shown})", inherited is not None)
        if len(read_conditions) == len(rows):
            self.state.last_cases = read_conditions

    def step_under(self, before_text, value_text, line, conditions, real, written, inherited):
        try:
            before = self.state.read(before_text)
            after = self.state.read(value_text)
        except Unread as error:
            self.state.entry(line, written, "unread", reason(error), kind="case")
            return
        entry = self.judge(before, after, before_text, value_text, "=", line, "", conditions, real, written,
                            kind="case")
        if inherited:
            entry.notes.append("the cases are those of the cases above (the same number of rows, no conditions "
                               "written)")

    def judge(self, before, after, before_text, after_text, relation, line, lead, conditions, real, written,
               kind="step"):
        """The verdict on one step, and its entry."""
        shown_conditions = joined_said([show_relation(c) for c in conditions] + [_real_case(c) for c in real]) \
            if conditions or real else ""
        entry = Entry(line, written, "unread", kind=kind, relation=relation, conditions=shown_conditions)
        if self.state.quiet:
            entry.verdict = "verified"            # read again for its context only: checked before
            return entry
        self.state.outcome.entries.append(entry)
        try:
            self.decisions.decide(entry, before, after, before_text, after_text, relation, lead, conditions, real)
        except Unread as error:
            entry.verdict, entry.verified_by = "unread", reason(error)
        except RecursionError:
            entry.verdict, entry.verified_by = "unread", "too deeply nested to check"
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - a bug of the checker: this step is not read, the rest goes on
            entry.verdict, entry.verified_by = "unread", failure_reason(error)
            entry.counterexample = entry.diagnosis = None
        if entry.verdict == "wrong":
            try:                                  # wrong with z free: a definition of z not read might make it hold
                self.decisions.raise_unread_definition([before.value, after.value])
            except Unread as error:
                entry.verdict, entry.verified_by = "unread", str(error)
                entry.counterexample = entry.diagnosis = None
        if lead == "because" and entry.verdict != "verified" and kind == "step" and not self.decisions.defined_head(before) \
                and not self.decisions.about_definitions(before.value, after.value):
            if entry in self.state.outcome.entries:
                self.state.outcome.entries.remove(entry)   # "because t_1 + t_2 = 1": a premise, taken as given
            self.state.context(line, written, "assumption", "a premise (introduced by because / since): taken as given, "
                                                       "not checked")
            return entry
        notes = before.notes + after.notes
        entry.notes.extend(n for n in dict.fromkeys(notes) if n not in entry.notes)
        entry.read_as, entry.read_latex = read_as_written(before.value, after.value, relation)
        return entry


def _real_case(condition):
    """A case on a real quantity (s_k - s_{y_i} + Δ > 0) as maths; as written when it cannot be shown."""
    relation = {">": sympy.Gt, "<": sympy.Lt, ">=": sympy.Ge, "<=": sympy.Le}.get(condition.op)
    if relation is None or not isinstance(condition.u, sympy.Expr):
        return said(condition.text)          # as written (t = 1), in words: not a quotation of the student
    return said(shown(relation(condition.u, 0, evaluate=False)))


_OTHERWISE_WORDS = re.compile(r"^\s*(?:\\text\s*\{\s*(?:otherwise|else)\s*\}|otherwise|else)\s*[.,;]?\s*$", re.IGNORECASE)


def _otherwise_conditions(cases, rows, line):
    """{row: (index relations, real conditions)} for the row of a cases environment whose condition is
    "otherwise": the other case negated, when the other rows state one relation of indices between them
    (k = y_i, so otherwise k != y_i); None when no row says otherwise or its case cannot be known."""
    otherwise = [n for n, (_, condition) in enumerate(rows) if condition and _OTHERWISE_WORDS.match(condition)]
    if len(otherwise) != 1:
        return None
    stated = []
    for n, (_, condition) in enumerate(rows):
        if n in otherwise:
            continue
        found = cases.conditions_of(condition, line) if condition else None
        if found is None or found[1] or len(found[0]) != 1:
            return None
        stated.append(found[0][0])
    if len(stated) != 1 or not isinstance(stated[0], (sympy.Eq, sympy.Ne)):
        return None
    relation = stated[0]
    negated = sympy.Ne(*relation.args) if isinstance(relation, sympy.Eq) else sympy.Eq(*relation.args)
    return {otherwise[0]: ([negated], [])}
