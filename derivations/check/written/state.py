"""What the checker keeps while it reads a text, shared by its jobs.

:class:`State` holds the text, the outcome so far, the names the text has defined (:class:`Names`),
the given values, the current problem (:class:`Problem`: its cases, facts and definitions) and
where the current chain stands (:class:`Last`); it reads an expression with those names. Each job
of the checker (:mod:`.reader`, :mod:`.setup`, :mod:`.definitions`, :mod:`.cases`, :mod:`.steps`,
:mod:`.numbers`) is a :class:`Job`: it sees the state and its fellow jobs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy
from sympy import Indexed, Symbol

from ...parse.errors import ParseError
from ...parse.written import Reading, read_written
from . import context as prose
from .algebra import summed_repeated_features
from .document import read_document
from .expand import expand
from .judging import Givens, Judge
from .names import Names
from .verdicts import Context, Entry, Outcome, Unread
from .wording import unclosed_braces

#: seconds one line may take before it is reported as not read (also enforced by the runner)
LINE_SECONDS = 10.0
#: characters of text read at most
MAX_TEXT = 400_000

EQUALITIES = ("=", "approx", "implies", "define")
#: letters that, written alone, stand for an index (i = j, T = k, c \neq y_n)
INDEX_LETTERS = set("ijklmnpqrcdT")
INEQUALITIES = ("<", ">", "<=", ">=", ">>", "<<")


@dataclass
class Last:
    """Where a chain stands: the last expression read, the last one that was correct, and its head."""

    reading: Reading
    text: str
    line: int
    correct: Reading | None = None
    correct_line: int = 0
    head: Reading | None = None
    head_text: str = ""
    case_list: bool = False


@dataclass
class Problem:
    """One problem of the text: its conditions, facts and definitions."""

    index: int = 0
    conditions: list = field(default_factory=list)      # (relation, line, text, pinned)
    facts: list = field(default_factory=list)           # (lhs, rhs, line)
    defined: set = field(default_factory=set)
    stated_conditions: list = field(default_factory=list)
    heads: list = field(default_factory=list)
    loss: str | None = None
    general: bool = False                               # after "in one formula", "for all j and k"


class State:
    """The text, what it has said so far, and the outcome so far."""

    def __init__(self, text: str, name: str, *, hints, given, loss, resume: int, skip, line_seconds: float):
        if len(text) > MAX_TEXT:
            raise ParseError(f"the text is {len(text)} characters long; at most {MAX_TEXT} are read")
        self.text = text
        self.document = read_document(text)
        self.outcome = Outcome(name, text.splitlines(), kind=self.document.kind)
        self.names = Names()
        self.judge = Judge()
        self.hints = prose.Hints()
        self.givens = Givens(values={})
        self.part = Problem()
        self.last: Last | None = None
        self.last_cases: list = []
        self.seen: set = set()
        self.einstein = False
        self.on_line = None
        self.on_start = None
        self.resume = resume
        self.skip = frozenset(skip)       # lines not read at all (they took too long before)
        self.quiet = resume > 0           # lines before ``resume`` are read for their context only
        self.line_seconds = line_seconds
        self.extra_hints = list(hints or [])
        self.given = dict(given or {})
        self.loss = loss
        self.pending_words = ""
        self.case_words = ""
        self.row_text, self.row_line = "", 0      # the row of maths being read, and the line it starts on              # the words before the maths being read (do they state a case?)
        self.part_texts: dict = {}
        self.display = True
        self.chain_has_number = False
        self.intro = ""
        self.row_starts_part: dict = {}
        self.unapplied: dict = {}             # line -> a case its prose states that no check could take up
        self.matrix_functions: set = set()    # names the text defines as functions of a matrix (R_2(W) = ...)
        self.rows_layout_line = 0              # a line true only with W x read as a matrix times a vector
        self.update_line = 0                   # the first line with an update rule (w ← w - η ∇_w L)
        self.update_vectors = None             # the vectors given before it (the point the step starts from)
        self.two_classes = False              # the text is about two classes (K = 2: binary cross-entropy)
        self.target_of_label = False          # the text says t = 1 if the label y is 1 and t = 0 otherwise
        self.losses_in_words: set = set()     # lines whose prose defines the loss of example n in words
        self.line_real: dict = {}             # line -> [RealCondition]: "if margin > 0: ..." for the rest of it
        self.losses_in_words_targets: set = set()     # lines that say t = 1 if y = 1 (not an example's value)
        self.part_rows: dict = {}
        self.stated: dict = {}
        self.all_heads: set = set()
        self.part_count = 0
        self.unread_definitions: dict = {}    # a name whose definition could not be read -> its line
        self.previous_head: str | None = None       # the written head of the chain before (for "Otherwise: ...")

    def read(self, text: str) -> Reading:
        text = self.gradient_name(text)
        for name in self.matrix_functions:       # R_2(W) after "R_2(W) = ...": the name, its value holds W
            text = re.sub(r"(?<![A-Za-z\\])" + re.escape(name) + r"\s*(?:\\left)?\(\s*[A-Z]\s*(?:\\right)?\)", name, text)
        self.names.bound = prose.bound_letters(text)
        self.names.notes = []
        try:
            reading = read_written(text, self.names)
        except ParseError as error:
            missing = unclosed_braces(text)
            if not missing:
                raise Unread(str(error)) from None
            try:
                reading = read_written(text + "}" * missing, self.names)
            except ParseError:
                raise Unread(str(error)) from None
            reading.notes.append(f"read with {missing} closing brace{'s' if missing > 1 else ''} added at the end "
                                 f"(the text leaves {'them' if missing > 1 else 'it'} out)")
        if self.einstein and isinstance(reading.value, sympy.Basic):
            reading.value = summed_repeated_features(reading.value)
        if self.names.notes:
            reading.notes.extend(n for n in self.names.notes if n not in reading.notes)
            self.names.notes = []
        return reading

    def gradient_name(self, text: str) -> str:
        """dW (ds, dX): the gradient of the loss with respect to W, as code and CS231n write it, when the text
        defines one loss (L, else J, else the one L_...); else the text as it is."""
        found = re.fullmatch(r"\s*d([A-Za-z])\s*(_\s*\{?[A-Za-z0-9, ]+\}?)?\s*", text)
        if not found:
            return text
        losses = [k.name for k in self.names.definitions if isinstance(k, Symbol) and re.fullmatch(r"[LJ](?:_.*)?", k.name)]
        loss = "L" if "L" in losses else "J" if "J" in losses else losses[0] if len(losses) == 1 else None
        if loss is None:
            return text
        written = loss.replace("_", "_{", 1) + "}" if "_" in loss else loss
        return f"\\frac{{\\partial {written}}}{{\\partial {found.group(1)}{found.group(2) or ''}}}"

    def line_of(self, fragment: str, line: int, after: int = 0) -> int:
        """The source line ``fragment`` of the row being read stands on (a cases row spread over lines), looked
        for from the line ``after`` on (two rows may be written alike: p_k - 1 in both cases)."""
        text, start = self.row_text, self.row_line
        offset = 0
        if text and start and after > start:
            for _ in range(after - start):
                found = text.find("\n", offset)
                offset = found + 1 if found >= 0 else offset
        position = text.find(fragment.strip(), offset) if text and fragment.strip() else -1
        if position < 0 or not start or not start <= line <= start + text.count("\n"):
            return line
        return start + text.count("\n", 0, position)

    def scalar(self, text: str):
        reading = self.read(text)
        if isinstance(reading.value, sympy.MatrixBase):
            raise Unread("a vector where a number is expected")
        return reading.value

    def expanded(self, value):
        try:
            return expand(value, self.names.definitions)
        except ParseError as error:
            raise Unread(str(error)) from None

    def given_names(self) -> set:
        """The defined names the text also gives numbers for (the scores s, a symbol with a given value)."""
        from ...engine import notation
        defined = self.names.definitions
        held = {name for name in (self.givens.values or {}) if name in defined}
        held |= {name.base for name in (self.givens.values or {}) if isinstance(name, Indexed) and name.base in defined}
        if self.givens.scores is not None:
            held |= {key for key in defined if key == notation.s or str(key) == "s"}
        held |= {key for key in (getattr(self.givens, "vectors", None) or {}) if key in defined}
        return held

    def source_line(self, line: int) -> str:
        """The text of source line ``line`` ("" when there is none)."""
        lines = self.outcome.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def see(self, value):
        if not isinstance(value, sympy.Basic):
            return
        for atom in value.atoms(Indexed):
            self.seen.add(atom.base)
        for symbol in value.free_symbols:
            self.seen.add(symbol)

    def entry(self, line, written, verdict, verified_by, counterexample=None, kind="step", relation="=",
               diagnosis=None):
        entry = Entry(line, written, verdict, verified_by, counterexample=counterexample, kind=kind,
                      relation=relation, diagnosis=diagnosis)
        if kind == "definition" and verdict == "unread":
            self.remember_unread_definition(written.partition(" = ")[0], line)
        if not self.quiet:
            self.outcome.entries.append(entry)
        return entry

    def remember_unread_definition(self, head: str, line: int):
        """The name a definition that could not be read defines (z in z = w^T x + b): a step that uses it,
        directly or through another definition, cannot be judged (what z depends on is not known)."""
        try:
            value = self.read(head).value
        except Unread:
            return
        key = value.base if isinstance(value, Indexed) else value
        if isinstance(key, (Symbol, sympy.IndexedBase)) and not getattr(key, "is_integer", False):
            self.unread_definitions.setdefault(key, line)

    def context(self, line, written, kind, meaning):
        if not self.quiet:
            self.outcome.context.append(Context(line, written, kind, meaning))


class Job:
    """One job of the checker: it sees the shared :class:`State` and its fellow jobs by name."""

    def __init__(self, checker):
        self.checker = checker
        self.state: State = checker.state

    @property
    def reader(self):
        return self.checker.reader

    @property
    def setup(self):
        return self.checker.setup

    @property
    def definitions(self):
        return self.checker.definitions

    @property
    def cases(self):
        return self.checker.cases

    @property
    def steps(self):
        return self.checker.steps

    @property
    def decisions(self):
        return self.checker.decisions

    @property
    def forms(self):
        return self.checker.forms

    @property
    def numbers(self):
        return self.checker.numbers

    @property
    def in_words(self):
        return self.checker.in_words
