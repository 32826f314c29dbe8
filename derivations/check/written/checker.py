"""Checking a written derivation line by line.

The text is taken apart (:mod:`.document`, :mod:`.statements`) and read in order, keeping what it
has said so far:

* **definitions** (a name seen for the first time on the left of ``=``: ``L_i = ...``, ``p_j = ...``,
  ``\\mathbf{s} = \\mathbf{W}^T \\mathbf{x}_i``, ``\\mathcal{L}_{CE}(y, t) = ...``, ``\\beta_{nj} =
  \\begin{cases}...``) are used for everything after them; a name defined again in a later problem
  is defined anew, in the same problem it is a claim and is checked;
* **cases** (``k = y_i``, ``when j \\neq y_i``, ``if i = j``, ``\\text{ as } k = y_i``) restrict the
  checks that follow until another case on the same indices replaces them; a case on a real
  quantity (``\\text{ if } s_k - s_{y_i} + \\Delta \\leq 0``) restricts its own line;
* **given values** (``s = [3, -1, 4]``, ``\\Delta = 1``, ``y_i = 0``, class names in the prose) are
  used for the steps of a worked example;
* **facts**: every equation stated, for the lines that say they follow (``\\therefore``,
  ``\\Rightarrow``) from the ones before.

Every pair of consecutive expressions of a chain is one step, judged by :mod:`.judging`. A wrong
step gets a counterexample and, when one generated mistake undone makes it hold, a diagnosis
(:mod:`.mistakes`); the chain then goes on from the line as written, so one slip does not hide
the next (a line that gets back to the last correct expression is verified against it).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import sympy
from sympy import Eq, Indexed, IndexedBase, Ne, Symbol

from ...engine import notation
from ...engine.notation import COUNTS, K
from ...parse.errors import ParseError
from ...parse.written import BOUND_MARK, MatrixName, Reading, Vector, read_written
from ..numeric import read_number
from . import context as prose
from .document import Hint, Math, Prose, read_document
from .expand import expand
from .judging import Givens, Judge, RealCondition, decimal_literals
from .mistakes import diagnose, number_diagnosis
from .names import MARGIN, Definition, Names, example_label, index_symbol
from .statements import cases_rows, read_row, split_chain
from .verdicts import Context, Counterexample, Entry, Outcome

#: seconds one line may take before it is reported as not read (also enforced by the runner)
LINE_SECONDS = 10.0
#: characters of text read at most
MAX_TEXT = 400_000

EQUALITIES = ("=", "approx", "implies", "define")
#: letters that, written alone, stand for an index (i = j, T = k, c \neq y_n)
INDEX_LETTERS = set("ijklmnpqrcdT")
INEQUALITIES = ("<", ">", "<=", ">=", ">>", "<<")


class Unread(Exception):
    """A step or expression could not be read; the message says what."""


@dataclass
class Step:
    """A step to judge: two readings and their texts."""

    before: Reading
    after: Reading
    before_text: str
    after_text: str
    relation: str


@dataclass
class _Last:
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
class _Part:
    """One problem of the text: its conditions, facts and definitions."""

    index: int = 0
    conditions: list = field(default_factory=list)      # (relation, line, text, pinned)
    facts: list = field(default_factory=list)           # (lhs, rhs, line)
    defined: set = field(default_factory=set)
    stated_conditions: list = field(default_factory=list)
    heads: list = field(default_factory=list)
    loss: str | None = None


class Checker:
    """Checks one written derivation (see the module docstring)."""

    def __init__(self, text: str, name: str = "-", *, hints: list[str] | None = None, given: dict | None = None,
                 loss: str | None = None, on_line=None, on_start=None, resume: int = 0, skip=frozenset(),
                 line_seconds: float = LINE_SECONDS):
        if len(text) > MAX_TEXT:
            raise ParseError(f"the text is {len(text)} characters long; at most {MAX_TEXT} are read")
        self.text = text
        self.document = read_document(text)
        self.outcome = Outcome(name, text.splitlines(), kind=self.document.kind)
        self.names = Names()
        self.judge = Judge()
        self.hints = prose.Hints()
        self.givens = Givens(values={})
        self.part = _Part()
        self.last: _Last | None = None
        self.last_cases: list = []
        self.seen: set = set()
        self.einstein = False
        self.on_line = on_line
        self.on_start = on_start
        self.resume = resume
        self.skip = frozenset(skip)       # lines not read at all (they took too long before)
        self._quiet = resume > 0          # lines before ``resume`` are read for their context only
        self.line_seconds = line_seconds
        self._extra_hints = list(hints or [])
        self._given = dict(given or {})
        self._loss = loss
        self._pending_words = ""
        self._part_texts: dict = {}
        self._display = True
        self._chain_has_number = False
        self._intro = ""

    # -- the whole text -------------------------------------------------------------------------------

    def run(self) -> Outcome:
        self._prescan()
        for piece in self.document.pieces:
            if isinstance(piece, Hint):
                self._hint(piece.text, piece.line)
            elif isinstance(piece, Prose):
                self._prose(piece)
            elif isinstance(piece, Math):
                self._math(piece)
        if self.last is not None and isinstance(self.last.reading.value, sympy.Basic):
            try:
                self.outcome.final = self._expanded(self.last.reading.value)
                self.outcome.final_text = self.last.text
            except Unread:
                pass
        return self.outcome

    def _prescan(self):
        text = self.text
        self.names.classes = prose.class_names(text)
        for hint in self._extra_hints:
            self._hint(hint, 0)
        if self._loss:
            self._hint(f"loss {self._loss}", 0)
        if self._given:
            self._apply_given(self._given, 0)
        label = prose.class_label(text, self.names.classes)
        if label is not None and self.givens.label is None:
            self.givens.label = label
            self._context(0, f'y_i is "{self.names.classes[label]}"', "given", f"y_i = {label}")
        if self.names.classes:
            self._context(0, "classes " + ", ".join(self.names.classes), "given",
                          ", ".join(f"{c} = {i}" for i, c in enumerate(self.names.classes)))
        for letter in prose.sigmoid_functions(text):
            function = sympy.Function(letter, real=True)
            self.names.functions[letter] = function
            u = Symbol("u_", real=True)
            self.names.definitions[function] = Definition(function, parameters=(u,), body=notation.sigmoid(u))
            self._context(0, f"{letter}(s) is the sigmoid", "definition", f"{letter}(u) = 1 / (1 + e^(-u))")
        self.einstein = prose.uses_einstein(text) if self.hints.einstein is None else self.hints.einstein
        if self.einstein:
            self._context(0, "x_{nd} W_{dc}", "note", "an index repeated in a product of a feature index (d) is "
                                                      "summed over the features (Einstein's convention)")
        self._scan_parts()
        self._enter_part(0)

    def _scan_parts(self):
        """The math of each problem (for the letters used as vectors) and its stated cases and heads."""
        index = 0
        texts = {0: []}
        self._row_starts_part = {}
        for piece in self.document.pieces:
            if isinstance(piece, Prose) and prose.is_part_start(piece.text):
                index += 1
                texts[index] = []
            elif isinstance(piece, Math):
                for row in piece.rows:
                    if _numbered(read_row(row.text).label) and texts[index]:
                        index += 1
                        texts[index] = []
                        self._row_starts_part[row.line] = True
                    texts[index].append(row.text)
        self._part_rows = texts
        self._stated = self._stated_cases()
        self._all_heads = set(self._heads([row for rows in texts.values() for row in rows]))
        self._part_texts = {k: " $ ".join(v) for k, v in texts.items()}
        self._part_count = index

    def _stated_cases(self) -> dict:
        """Per problem, the maths the prose introduces as a case ("While $T = k$", "For $$j \\neq y_i$$")."""
        stated, index, words = {0: []}, 0, ""
        for piece in self.document.pieces:
            if isinstance(piece, Prose):
                if prose.is_part_start(piece.text):
                    index += 1
                    stated[index] = []
                words = piece.text if piece.text.strip() else words
            elif isinstance(piece, Math):
                for row in piece.rows:
                    if self._row_starts_part.get(row.line):
                        index += 1
                        stated[index] = []
                if prose.last_word(words) in ("if", "when", "while", "for", "or", "whenever"):
                    stated.setdefault(index, []).extend(r.text for r in piece.rows)
                words = ""
        return stated

    def _enter_part(self, index: int):
        self.part = _Part(index=index)
        self.names.current = self.part.defined
        self.last = None
        self.last_cases = []
        text = self._part_texts.get(index, "")
        self.names.plain_vectors = prose.plain_vector_letters(text)
        for condition in self.hints.assume:
            self._persistent_condition(condition, 0)
        stated = []
        for math_text in re.findall(r"[^$]+", text):
            for clause in re.findall(r"(?:\\text\{\s*(?:if|when|while|for|as)\s*\}|\b(?:if|when|while|for))"
                                     r"\s*([^\\$&]*?(?:\\neq?|=)[^\\$&]*)", math_text):
                stated.append(clause)
        self.part.stated_conditions = stated + list(self._stated.get(index, []))
        self.part.heads = self._heads(self._part_rows.get(index, []))

    def _heads(self, rows) -> list[str]:
        heads = []
        for row in rows:
            try:
                statement = read_row(row)
            except (ParseError, ValueError):
                continue
            for chain in statement.chains:
                if chain.parts and chain.relations and not chain.continued:
                    heads.append(_normalized(chain.parts[0]))
        return heads

    # -- prose and hints ----------------------------------------------------------------------------

    def _hint(self, text: str, line: int):
        self._quiet = 0 < line < self.resume or (line == 0 and self.resume > 0)
        try:
            meaning = prose.read_hint(text, self.hints)
        except ValueError as error:
            self._context(line, "derive: " + text, "hint", f"not read: {error}")
            return
        problems = self.hints.problems
        if problems:
            meaning = "not read: " + "; ".join(problems)
            self.hints.problems = []
        self._context(line, "derive: " + text, "hint", meaning)
        if text.strip().lower().startswith("assume") and line:
            self._persistent_condition(text.strip()[len("assume"):].strip(), line)
        elif text.strip().lower().startswith("loss"):
            self._set_loss(self.hints.loss, line, self.hints.margin)
        elif text.strip().lower().startswith("given"):
            self._apply_given(self.hints.given, line)
        elif text.strip().lower().startswith("log"):
            self.names.log_base = self.hints.log_base
        elif text.strip().lower().startswith("define"):
            self._row_text(self.hints.define[-1], line, mode="define")

    def _apply_given(self, given: dict, line: int):
        if "classes" in given:
            self.names.classes = list(given["classes"])
        if "scores" in given:
            self.givens.scores = [sympy.Rational(v) for v in given["scores"]]
        if "label" in given:
            label = given["label"]
            if isinstance(label, str) and label in self.names.classes:
                label = self.names.classes.index(label)
            self.givens.label = int(label)
        if "delta" in given:
            deltas = given["delta"] if isinstance(given["delta"], list) else [given["delta"]]
            self.givens.values[MARGIN] = [sympy.Rational(v) for v in deltas]

    def _prose(self, piece: Prose):
        self._quiet = piece.line < self.resume
        text = piece.text
        if not text.strip():
            self._pending_words = ""
            self.part.conditions = [c for c in self.part.conditions if not c[3]]
            return
        if prose.is_part_start(text):
            self._enter_part(self.part.index + 1)
            self._pending_words = ""
        kind = prose.loss_label(text)
        if kind:
            self._set_loss(kind, piece.line, None)
        if prose.ends_cases(text):
            self._end_cases(piece.line, text)
        self._pending_words = text
        self._intro = text

    def _end_cases(self, line, text):
        """ "In one formula", "for all j and k", "in both cases": the cases stated before no longer hold."""
        if self.part.conditions:
            self.part.conditions = [c for c in self.part.conditions if c[1] == 0]
            self._context(line, text.strip()[:80], "note", "the cases stated before end here")

    def _set_loss(self, kind: str | None, line: int, margin):
        if kind is None:
            return
        part_text = self._part_texts.get(self.part.index, "")
        if margin is None and kind == "svm":
            margin = MARGIN if "\\Delta" in part_text or "Δ" in part_text else sympy.Integer(1)
        uses_weights = bool(re.search(r"\\(?:mathbf|underline|boldsymbol)\{w\}|w_j\^T|w_\{?y_i", part_text))
        symbols, indexed, described = prose.loss_definitions(kind, margin, uses_weights)
        for name, value in symbols.items():
            symbol = Symbol(name, real=True)
            self.names.definitions[symbol] = Definition(symbol, value=value, line=line, written=name)
            self.part.defined.add(symbol)
            self._see(value)
        for letter, (parameters, body) in indexed.items():
            base = self.names.base(letter)
            self.names.definitions[base] = Definition(base, parameters=parameters, body=body, line=line)
            self.part.defined.add(base)
            self._see(body)
        self.part.loss = kind
        self.part.conditions = [c for c in self.part.conditions if c[1] == 0]
        self.last = None
        self._context(line, f"{kind}:", "loss", described)

    # -- maths --------------------------------------------------------------------------------------

    def _math(self, piece: Math):
        mode = "display" if piece.display else "inline"
        if not piece.display or len(piece.rows) == 1:
            word = prose.last_word(self._pending_words)
            if word in ("if", "when", "while", "for", "or", "whenever", "where", "at") and \
                    not self._pending_words.rstrip().endswith((".", ":")):
                mode = "condition"
            elif word in ("because", "since", "as"):
                mode = "because"
            elif word in ("therefore", "thus", "hence", "so", "then", "know", "get"):
                mode = "therefore"
            elif word in ("means", "eg", "e.g", "i.e", "ie", "like"):
                mode = "remark"
        if _introduces_definition(self._intro):
            mode = "define"
        self._intro = ""
        self._pending_words = ""
        self._display = piece.display
        for row in piece.rows:
            if row.line in self.skip:
                continue
            self._quiet = row.line < self.resume
            if self.on_start and not self._quiet:
                self.on_start(row.line)
            started = time.perf_counter()
            self.judge = Judge()            # each line its own sample points: they stay small
            self._row_text(row.text, row.line, mode=mode)
            if self.on_line and not self._quiet:
                self.on_line(row.line, time.perf_counter() - started)

    def _row_text(self, text: str, line: int, mode: str = ""):
        if self.document.kind == "plain":
            text = _plain_words(text)
        try:
            statement = read_row(text)
        except (ParseError, ValueError, RecursionError) as error:
            self._entry(line, text, "unread", f"the line could not be taken apart: {error}")
            return
        if _numbered(statement.label) and mode != "define-hint" and self._row_starts_part.get(line):
            self._enter_part(self.part.index + 1)
        if mode == "condition":
            for chain in statement.chains:
                self._condition_chain(chain, line, persistent=True, text=text)
            return
        for clause in statement.leading:
            for chain in read_row(clause.text).chains:
                self._condition_chain(chain, line, persistent=True, text=clause.text)
        if not statement.chains:
            return
        if any(prose.ends_cases(clause.words) for clause in statement.prose):
            self._end_cases(line, " ".join(clause.words for clause in statement.prose))
        row_conditions, row_real = [], []
        for clause in statement.conditions:
            found = self._conditions_of(clause.text, line)
            if found is None:
                self._context(line, clause.text, "note", f"the condition \"{clause.lead} {clause.text}\" is not "
                                                         f"used: it could not be read")
                continue
            index_part, real_part = found
            row_conditions += index_part
            row_real += real_part
        for clause in statement.justifications:
            found = self._conditions_of(clause.text, line) if clause.text else None
            if found and found[0] and not found[1]:
                for condition in found[0]:
                    self._set_persistent(condition, line, clause.text)
            elif clause.text:
                self._context(line, f"{clause.lead} {clause.text}", "note",
                              "a justification: not checked (the step itself is)")
        lead = statement.lead or (mode if mode in ("because", "therefore") else "")
        for chain in statement.chains:
            self._chain(chain, line, lead, row_conditions, row_real, statement, mode)

    # -- conditions ------------------------------------------------------------------------------------

    def _conditions_of(self, text: str, line: int):
        """(index relations, real conditions) of a condition text, or None when it cannot be read."""
        statement = read_row(text)
        index_part, real_part = [], []
        chains = list(statement.chains)
        for clause in statement.leading + statement.conditions:
            chains += read_row(clause.text).chains
        if not chains:
            return None
        for chain in chains:
            found = self._condition_of_chain(chain)
            if found is None:
                return None
            kind, value = found
            (index_part if kind == "index" else real_part).append(value)
        return index_part, real_part

    def _condition_of_chain(self, chain):
        if len(chain.parts) != 2 or len(chain.relations) != 1:
            return None
        left, right = chain.parts
        relation = chain.relations[0]
        try:
            a = self._read_index(left)
            b = self._read_index(right)
        except (ParseError, Unread):
            a = b = None
        if a is not None and b is not None:
            op = {"=": Eq, "!=": Ne, "<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge}.get(relation)
            if op is None:
                return None
            return "index", op(a, b)
        same = self._same_name_condition(chain)
        if same is not None:
            return "index", same
        try:
            u = self._scalar(left) - self._scalar(right)
        except (ParseError, Unread):
            return None
        if relation in (">", "<", ">=", "<="):
            return "real", RealCondition(u, relation, f"{left} {relation} {right}")
        return None

    def _read_index(self, text: str):
        """An index expression (k, y_i, 1, j + 1), or None when ``text`` is not one."""
        reading = self._read(text)
        value = reading.value
        if isinstance(value, sympy.MatrixBase) or reading.vector:
            return None
        mapping = {s: index_symbol(s.name) for s in value.free_symbols
                   if isinstance(s, Symbol) and not s.is_integer and s.name.rstrip("'") in INDEX_LETTERS}
        value = value.xreplace(mapping)
        if value.is_integer and not value.has(Indexed) and not (value.free_symbols & set(COUNTS)):
            return value
        return None

    def _condition_chain(self, chain, line, persistent: bool, text: str):
        """Maths read as a case (after "when", "if", "for" in the prose); ``Delta = 2`` there is a given value."""
        if not chain.relations or chain.continued:
            return
        if len(chain.parts) == 2 and chain.relations == ["="] and read_number(chain.parts[1].strip()) is not None \
                and not self._is_index_letter(chain.parts[0]) and self._definition(
                    chain.parts[0], chain.parts[1], line, "", "condition") == "given":
            return
        if len(chain.parts) == 2 and len(chain.relations) == 1:
            found = self._condition_of_chain(chain)
            if found and found[0] == "index":
                self._set_persistent(found[1], line, text)
                return
            same = self._same_name_condition(chain)
            if same is not None:
                self._set_persistent(same, line, text)
                return
        self._context(line, text, "note", "a condition on real quantities in the prose: it restricts no check")

    def _same_name_condition(self, chain):
        """``s_i = s_j`` read as the case i = j (the same name at two indices)."""
        if len(chain.parts) != 2 or chain.relations[0] not in ("=", "!=", "approx"):
            return None
        try:
            a, b = self._scalar(chain.parts[0]), self._scalar(chain.parts[1])
        except (ParseError, Unread):
            return None
        if isinstance(a, Indexed) and isinstance(b, Indexed) and a.base == b.base and len(a.indices) == 1 \
                and len(b.indices) == 1 and a != b:
            return (Ne if chain.relations[0] == "!=" else Eq)(a.indices[0], b.indices[0])
        return None

    def _persistent_condition(self, text: str, line: int):
        chain = split_chain(text)
        found = self._condition_of_chain(chain) if chain.parts else None
        if found and found[0] == "index":
            self._set_persistent(found[1], line, text)
        else:
            self._context(line, text, "note", "this assumption could not be read as a case on indices")

    def _set_persistent(self, relation, line: int, text: str):
        if relation in (sympy.true, sympy.false):
            return
        symbols = relation.free_symbols
        pinned = any(s.is_Integer for s in (relation.lhs, relation.rhs)) and line != 0
        self.part.conditions = [c for c in self.part.conditions if c[0].free_symbols != symbols]
        self.part.conditions.append((relation, line, text, pinned))
        self._context(line, text, "condition", _show_relation(relation))

    def _index_conditions(self, extra=()):
        return [c[0] for c in self.part.conditions] + list(extra)

    # -- reading -------------------------------------------------------------------------------------

    def _read(self, text: str) -> Reading:
        try:
            reading = read_written(text, self.names)
        except ParseError as error:
            missing = _unclosed_braces(text)
            if not missing:
                raise Unread(str(error)) from None
            try:
                reading = read_written(text + "}" * missing, self.names)
            except ParseError:
                raise Unread(str(error)) from None
            reading.notes.append(f"read with {missing} closing brace{'s' if missing > 1 else ''} added at the end "
                                 f"(the text leaves {'them' if missing > 1 else 'it'} out)")
        if self.einstein and isinstance(reading.value, sympy.Basic):
            reading.value = _einstein(reading.value)
        return reading

    def _scalar(self, text: str):
        reading = self._read(text)
        if isinstance(reading.value, sympy.MatrixBase):
            raise Unread("a vector where a number is expected")
        return reading.value

    # -- chains ------------------------------------------------------------------------------------------

    def _chain(self, chain, line, lead, row_conditions, row_real, statement, mode):
        parts, relations = list(chain.parts), list(chain.relations)
        continued = chain.continued
        if continued and relations and relations[0] == "implies":
            continued = False
            relations = relations[1:]
            lead = lead or "therefore"
        if continued and (mode in ("inline", "condition", "remark", "because", "therefore")
                          and not self._display):
            return                      # "$> 0$" in a sentence: a fragment, not a step
        if continued and relations and relations[0] == "assign" and self.last is None:
            return
        if not relations:
            rows = cases_rows(parts[0]) if parts else None
            if rows and any(split_chain(value).relations for value, _ in rows):
                for value, condition in rows:
                    if condition and self._conditions_of(condition, line) is None \
                            and split_chain(condition).relations:
                        self._row_text(value, line)
                        self._row_text(condition, line)
                    else:
                        self._row_text(value + (f" \\text{{ if }} {condition}" if condition else ""), line)
            else:
                self._note_lone(parts, line)
            return
        if not continued and len(parts) == 2 and relations[0] in ("=", "!=", "approx"):
            found = self._condition_of_chain(chain)
            if found and found[0] == "index" and not row_conditions and not row_real:
                if not self._is_given_label(found[1], line, chain):
                    self._set_persistent(found[1], line, f"{parts[0]} {relations[0]} {parts[1]}")
                return
            same = self._same_name_condition(chain) if relations[0] in ("=", "approx") else None
            if same is not None and self._scalar_defined(parts[0]) is False:
                self._context(line, f"{parts[0]} = {parts[1]}", "note",
                              f"the same name at two indices: read as the case {_show_relation(same)}, "
                              f"not as a step")
                return
        if not continued and len(parts) >= 2 and relations[0] == "=" and "\\dots" in parts[1] \
                and self._is_index_letter(parts[0]):
            self._context(line, f"{parts[0]} = {parts[1]}", "note", "the range of an index")
            return
        words = " ".join(clause.words for clause in statement.prose).strip()
        if any(not part.strip() for part in (parts[1:] if not continued else parts)) and words:
            shown = " ".join(f"{p} {_RELATION_TEXT.get(r, r)}" for p, r in zip(parts, relations)).strip()
            self._entry(line, f"{shown} {words}", "unread", f"the right side is words ({words}), not maths")
            return
        if continued:
            if self.last is None:
                self._entry(line, "= " + parts[0], "unread",
                            "this line continues a chain whose expression before it was not read")
                return
            head_text = self.last.text
            if (row_conditions or row_real) and self.last.case_list and self.last.head is not None:
                head_text = self.last.head_text          # "A > 0 if ... / = 0 if ...": cases of the same A
                self.last.reading, self.last.text = self.last.head, head_text
            texts = [None] + parts
        else:
            head_text = parts[0]
            texts = parts
            self.last = None
        conditions = self._index_conditions(row_conditions)
        self._chain_has_number = any(r in EQUALITIES and read_number(t.strip()) is not None
                                     for r, t in zip(relations, parts[1:]) if t)
        start = 0
        if not continued:
            handled = self._start(texts, relations, line, lead, conditions, row_real, mode)
            if handled is None:
                return
            start = handled
        for position in range(start, len(relations)):
            relation = relations[position]
            before_text = texts[position] if texts[position] is not None else head_text
            after_text = texts[position + 1]
            self._step(before_text, after_text, relation, line, lead if position == 0 else "", conditions, row_real)
            if self.last is not None and position == 0 and (row_conditions or row_real):
                self.last.case_list = True
        del statement

    def _note_lone(self, parts, line):
        """An expression without a relation: nothing to check (a name in the prose, a reference)."""
        return

    def _is_index_letter(self, text: str) -> bool:
        return bool(re.fullmatch(r"\s*[a-zA-Z]\s*", text))

    def _is_given_label(self, relation, line, chain) -> bool:
        """``y_i = 0``: the label of the worked example (and not a case)."""
        if isinstance(relation, Eq) and relation.lhs == notation.y and relation.rhs.is_Integer:
            self.givens.label = int(relation.rhs)
            self._context(line, f"{chain.parts[0]} = {chain.parts[1]}", "given", f"y_i = {relation.rhs}")
            return True
        return False

    def _scalar_defined(self, text):
        try:
            value = self._scalar(text)
        except (Unread, ParseError):
            return None
        return isinstance(value, Indexed) and value.base in self.names.definitions

    def _start(self, texts, relations, line, lead, conditions, real, mode):
        """The first expression of a new chain: a definition, a given value, or the head of steps.

        Returns the position of the first step still to check, or None when the chain is done.
        """
        head_text, first_relation = texts[0], relations[0]
        if first_relation in ("=", "define") and len(texts) >= 2:
            kind = self._definition(texts[0], texts[1], line, lead, mode)
            if kind == "given":
                return None
            if kind == "definition":
                self._remember_head(texts[1], line, head_text)
                return 1 if len(relations) > 1 else None
            if kind == "unread":
                return None
        if first_relation == "=" and len(texts) >= 2 and self._implicit_definition(texts[0], texts[1], line):
            self._remember_head(texts[1], line, head_text)
            return 1 if len(relations) > 1 else None
        if first_relation == "assign":
            self._context(line, f"{texts[0]} \\leftarrow {texts[1]}", "note",
                          "an update rule (\\leftarrow): the chain goes on from its right side")
            self._remember_head(texts[1], line, texts[1])
            return 1 if len(relations) > 1 else None
        self._remember_head(head_text, line, head_text)
        return 0

    def _implicit_definition(self, left: str, right: str, line: int) -> bool:
        """``dL_i/ds_j = d(-log P_{y_i})/ds_j`` with L_i never defined: the step says what L_i is."""
        try:
            a, b = self._read(left).value, self._read(right).value
        except Unread:
            return False
        if not (isinstance(a, sympy.Derivative) and isinstance(b, sympy.Derivative)):
            return False
        if a.variable_count != b.variable_count or not isinstance(a.expr, Symbol):
            return False
        name = a.expr
        if not _is_quantity_name(name.name) or name in self.names.definitions:
            return False
        self.names.definitions[name] = Definition(name, value=b.expr, line=line, written=f"{left} = {right}")
        self.part.defined.add(name)
        self._see(b.expr)
        self._context(line, f"{left} = {right}", "definition",
                      f"{name} is not defined in the text; this step says it is {_plain(b.expr)}")
        self._entry(line, f"{left} = {right}", "verified", f"definition: {name} read as {_plain(b.expr)}")
        return True

    def _remember_head(self, text, line, head_text):
        try:
            reading = self._read(text)
        except Unread:
            self.last = None
            return
        head = None
        try:
            head = self._read(head_text)
        except Unread:
            pass
        self.last = _Last(reading, text, line, correct=reading, correct_line=line, head=head, head_text=head_text)

    # -- definitions and givens ----------------------------------------------------------------------

    def _definition(self, left: str, right: str, line: int, lead: str, mode: str):
        """Whether ``left = right`` defines a name or gives a value: "definition", "given", "unread" or ""."""
        left = left.strip()
        function = re.fullmatch(r"(?P<name>\\mathcal\{[A-Z]\}(?:_\{?[A-Za-z0-9]+\}?)?|[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?)"
                                r"\s*(?:\\left)?\(\s*(?P<args>[a-z](?:\s*,\s*[a-z])*)\s*(?:\\right)?\)", left)
        if function:
            return self._define_function(function.group("name"), function.group("args"), right, line, left)
        exception = re.fullmatch(r"([A-Za-z])_\{\s*([a-z])\s*\\neq?\s*([A-Za-z])\s*\}", left)
        if exception:
            return self._define_exception(exception, right, line, left)
        try:
            head = self._read(left)
        except Unread:
            return ""
        value = head.value
        if isinstance(value, sympy.MatrixBase):
            return ""
        rows = cases_rows(right)
        if head.vector:
            return self._define_vector(value, right, line, left)
        key, parameters, at = _name_key(value)
        if key is None:
            return ""
        defined = key in self.names.definitions
        here = key in self.part.defined
        if at and defined and self.names.definitions[key].apply(at) is None:
            defined = here = False                      # P'_{dog} after P'_{cat}: a new entry of P'
        if here and key in self.names.definitions and parameters and \
                self.names.definitions[key].body is None and self.names.definitions[key].apply(parameters) is None:
            here = False
        if rows is not None and not here:
            return self._define_cases(key, parameters, value, rows, right, line, left)
        try:
            reading = self._read(right)
        except Unread as error:
            if not defined:
                self._entry(line, f"{left} = {right}", "unread", f"a definition that could not be read: {error}", kind="definition")
                return "unread"
            return ""
        rhs = reading.value
        for note in reading.notes:
            self._context(line, right, "note", note)
        if isinstance(rhs, sympy.MatrixBase):
            return self._given_vector(key, rhs, line, left, right)
        numeric = _is_number(rhs)
        leaf = key in self.seen or isinstance(key, Symbol) and key == MARGIN
        if at and numeric and not defined and key in self.seen:
            entry_key = key[at]
            self.givens.values.setdefault(entry_key, [])
            if rhs not in self.givens.values[entry_key]:
                self.givens.values[entry_key].append(rhs)
            self._context(line, f"{left} = {right}", "given", f"{_plain(entry_key)} = {rhs}")
            return "given"
        if numeric and not defined and leaf and not at and not parameters:
            self.givens.values.setdefault(key, [])
            if rhs not in self.givens.values[key]:
                self.givens.values[key].append(rhs)
            self._context(line, f"{left} = {right}", "given", f"{_plain(key)} = {rhs}")
            self._see(rhs)
            return "given"
        if mode == "define" and here and not numeric:
            here = False                                # "The formula of SVM loss is: L_i = ...": defined anew
        if here or (defined and numeric):
            return ""
        if lead == "therefore" and (key in self.seen or defined):
            return ""                                   # "therefore t_2 = 1 - t_1": a claim about a known name
        if reading.vector and not head.vector:
            self._entry(line, f"{left} = {right}", "unread",
                        f"a definition that could not be read: {left} is one number but {right} is a vector",
                        kind="definition")
            return "unread"
        self._store(key, parameters, at, rhs, line, f"{left} = {right}")
        return "definition"

    def _store(self, key, parameters, at, rhs, line, written):
        if isinstance(key, IndexedBase):
            existing = self.names.definitions.get(key)
            definition = Definition(key, line=line, written=written)
            if at:
                definition.at = dict(existing.at) if existing and key in self.part.defined else {}
                if existing and existing.body is not None and key in self.part.defined:
                    definition.parameters, definition.body = existing.parameters, existing.body
                definition.at[at] = rhs
            else:
                definition.parameters, definition.body = parameters, rhs
            self.names.definitions[key] = definition
        else:
            self.names.definitions[key] = Definition(key, value=rhs, line=line, written=written)
        self.part.defined.add(key)
        self._see(rhs)
        self._context(line, written, "definition", _describe_definition(key, parameters, at, rhs))

    def _given_vector(self, key, rhs, line, left, right):
        if _letter_of(key) in ("s", "S") and all(_is_number(v) for v in rhs):
            self.givens.scores = list(rhs)
            self._context(line, f"{left} = {right}", "given", "s = [" + ", ".join(str(v) for v in rhs) + "]")
            return "given"
        return ""

    def _define_vector(self, value, right, line, left):
        """``\\mathbf{s} = \\mathbf{W}^T \\mathbf{x}_i``: the vector's entries, as an indexed definition."""
        from .names import COMPONENT as component
        if not isinstance(value, Indexed) or value.indices != (component,):
            return ""
        try:
            reading = self._read(right)
        except Unread as error:
            self._entry(line, f"{left} = {right}", "unread", f"a definition that could not be read: {error}", kind="definition")
            return "unread"
        if isinstance(reading.value, sympy.MatrixBase):
            return self._given_vector(value.base, reading.value, line, left, right)
        if not reading.vector:
            self._entry(line, f"{left} = {right}", "unread", f"a definition that could not be read: {left} is a "
                        f"vector, {right} is not (a vector is defined by its entries)", kind="definition")
            return "unread"
        m = Symbol("m", integer=True)
        base = value.base
        if base in self.part.defined:
            return ""
        self._store(base, (m,), None, reading.value.xreplace({component: m}), line, f"{left} = {right}")
        return "definition"

    def _define_function(self, name_text, args_text, right, line, left):
        args = [Symbol(a.strip(), real=True) for a in args_text.split(",")]
        try:
            head = self._read(name_text)
            reading = self._read(right)
        except Unread as error:
            self._entry(line, f"{left} = {right}", "unread", f"a definition that could not be read: {error}", kind="definition")
            return "unread"
        key = head.value
        if not isinstance(key, Symbol):
            return ""
        if key in self.part.defined:
            return ""
        arguments = [self._symbol_for(a) for a in args]
        self.names.definitions[key] = Definition(key, value=reading.value, parameters=tuple(arguments),
                                                 body=reading.value, line=line, written=f"{left} = {right}")
        self.part.defined.add(key)
        self._see(reading.value)
        self._context(line, f"{left} = {right}", "definition", f"{key}({', '.join(map(str, arguments))}) = "
                                                               f"{_plain(reading.value)}")
        return "definition"

    def _symbol_for(self, symbol):
        if symbol.name == "t":
            return notation.t
        if symbol.name == "z":
            return notation.z
        return symbol

    def _define_exception(self, found, right, line, left):
        """``t_{m \\neq T} = 0`` after ``t_T = 1``: t_m = 0 + (1 - 0) delta_{mT}."""
        letter, index, excluded = found.groups()
        try:
            rhs = self._scalar(right)
        except Unread:
            return "unread"
        base = self.names.base(letter)
        existing = self.names.definitions.get(base)
        excluded_symbol = index_symbol(excluded)
        at_value = None
        if existing is not None:
            at_value = existing.apply((excluded_symbol,))
        if at_value is None:
            self._entry(line, f"{left} = {right}", "unread", f"a definition that could not be read: what "
                        f"{letter}_{excluded} is, the text has not said before", kind="definition")
            return "unread"
        m = index_symbol(index)
        body = rhs + (at_value - rhs) * sympy.KroneckerDelta(m, excluded_symbol)
        self._store(base, (m,), None, body, line, f"{left} = {right}")
        return "definition"

    def _define_cases(self, key, parameters, value, rows, right, line, left):
        """A name defined by cases (beta_{nj} = 1 if ..., 0 if ...): the sum of value times indicator,
        and whether the cases cover every possibility and do not overlap."""
        pieces = []
        for value_text, condition_text in rows:
            try:
                piece = self._scalar(value_text)
            except Unread as error:
                self._entry(line, f"{left} = {right}", "unread", f"a definition that could not be read: {error}", kind="definition")
                return "unread"
            found = self._conditions_of(condition_text, line) if condition_text else None
            if found is None:
                self._entry(line, f"{left} = {right}", "unread",
                            f"a definition that could not be read: the condition {condition_text!r} of a case",
                            kind="definition")
                return "unread"
            pieces.append((piece, found))
        body = sympy.Integer(0)
        for piece, (index_part, real_part) in pieces:
            factor = sympy.Integer(1)
            for relation in index_part:
                factor *= _relation_indicator(relation)
            for condition in real_part:
                factor *= condition.indicator()
            body += piece * factor
        self._store(key, parameters, None, body, line, f"{left} = {right}")
        self._check_cover(pieces, line, f"{left} = {right}")
        return "definition"

    def _check_cover(self, pieces, line, written):
        """Whether a definition's cases cover every possibility once: sampled, like a step."""
        if self._quiet:
            return
        coverage = sympy.Integer(0)
        for _, (index_part, real_part) in pieces:
            factor = sympy.Integer(1)
            for relation in index_part:
                factor *= _relation_indicator(relation)
            for condition in real_part:
                factor *= condition.indicator()
            coverage += factor
        coverage = expand(coverage, self.names.definitions)
        verification = self.judge.equal(coverage, sympy.Integer(1))
        if verification.ok:
            self._entry(line, written, "verified", "the cases cover every possibility, each once "
                                                   f"({verification.verified_by})", kind="cases")
            return
        counterexample = self.judge.counterexample(coverage, sympy.Integer(1))
        count = counterexample.left if counterexample else None
        what = "no case applies" if count == 0 else "more than one case applies" if count else \
            "the cases do not cover every possibility once"
        self._entry(line, written, "wrong", f"the cases of this definition do not cover every possibility once: "
                                            f"{what}", counterexample=counterexample, kind="cases",
                    diagnosis="cases: " + what)

    # -- steps ---------------------------------------------------------------------------------------

    def _step(self, before_text, after_text, relation, line, lead, conditions, real):
        written = f"{before_text} {_RELATION_TEXT.get(relation, relation)} {after_text}"
        if relation == "assign":
            self._context(line, written, "note", "an update rule (\\leftarrow): the chain goes on from its right side")
            self._advance(after_text, line, correct=True)
            return
        if relation not in EQUALITIES + INEQUALITIES:
            self._entry(line, written, "unread", f"the relation {_RELATION_TEXT.get(relation, relation)} is not one "
                                                 f"the verifier checks", relation=relation)
            self._advance(after_text, line, correct=False)
            return
        rows = cases_rows(after_text)
        if rows is not None:
            self._cases_step(before_text, rows, line, conditions, real, written)
            self.last = None
            return
        started = time.perf_counter()
        try:
            before = self._before_reading(before_text)
        except Unread as error:
            self._entry(line, written, "unread", f"the left side could not be read: {error}", relation=relation)
            self._advance(after_text, line, correct=False)
            return
        try:
            after = self._read(after_text)
        except Unread as error:
            self._entry(line, written, "unread", f"{_short(after_text)} could not be read: {error}",
                        relation=relation)
            return
        entry = self._judge(before, after, before_text, after_text, relation, line, lead, conditions, real, written)
        if time.perf_counter() - started > self.line_seconds:
            entry.notes.append(f"this step took {time.perf_counter() - started:.1f} s")
        self._record_fact(before, after, line)
        self._see(before.value)
        self._see(after.value)
        self._advance_reading(after, after_text, line, correct=entry.verdict == "verified")

    def _before_reading(self, text):
        if self.last is not None and self.last.text == text:
            return self.last.reading
        return self._read(text)

    def _advance(self, text, line, correct: bool):
        try:
            reading = self._read(text)
        except Unread:
            return
        self._advance_reading(reading, text, line, correct)

    def _advance_reading(self, reading, text, line, correct: bool):
        if self.last is None:
            self.last = _Last(reading, text, line, correct=reading if correct else None, correct_line=line)
            return
        self.last.reading, self.last.text, self.last.line = reading, text, line
        if correct:
            self.last.correct, self.last.correct_line = reading, line

    def _record_fact(self, before, after, line):
        if isinstance(before.value, sympy.Basic) and isinstance(after.value, sympy.Basic):
            self.part.facts.append((before.value, after.value, line))

    def _cases_step(self, before_text, rows, line, conditions, real, written):
        """``X = \\begin{cases} v_1 & c_1 \\\\ v_2 & c_2 \\end{cases}``: X = v_k checked in case c_k."""
        inherited = self.last_cases if all(not c for _, c in rows) and len(self.last_cases) == len(rows) else None
        read_conditions = []
        for number, (value_text, condition_text) in enumerate(rows):
            if inherited is not None:
                found = inherited[number]
            elif condition_text:
                found = self._conditions_of(condition_text, line)
            else:
                found = None
            if found is None:
                self._entry(line, f"{before_text} = {value_text}", "unread",
                            "a case without a condition that can be read" if condition_text else
                            "a case without a condition", kind="case")
                continue
            read_conditions.append(found)
            index_part, real_part = found
            shown = condition_text or " and ".join(_show_relation(r) for r in index_part)
            self._step_under(before_text, value_text, line, conditions + index_part, real + real_part,
                             f"{before_text} = {value_text}  ({shown})", inherited is not None)
        if len(read_conditions) == len(rows):
            self.last_cases = read_conditions

    def _step_under(self, before_text, value_text, line, conditions, real, written, inherited):
        try:
            before = self._read(before_text)
            after = self._read(value_text)
        except Unread as error:
            self._entry(line, written, "unread", str(error), kind="case")
            return
        entry = self._judge(before, after, before_text, value_text, "=", line, "", conditions, real, written,
                            kind="case")
        if inherited:
            entry.notes.append("the cases are those of the cases above (the same number of rows, no conditions "
                               "written)")

    def _judge(self, before, after, before_text, after_text, relation, line, lead, conditions, real, written,
               kind="step"):
        """The verdict on one step, and its entry."""
        shown_conditions = ", ".join(_show_relation(c) for c in conditions)
        if real:
            shown_conditions = ", ".join(filter(None, [shown_conditions] + [c.text for c in real]))
        entry = Entry(line, written, "unread", kind=kind, relation=relation, conditions=shown_conditions)
        if self._quiet:
            entry.verdict = "verified"            # read again for its context only: checked before
            return entry
        self.outcome.entries.append(entry)
        try:
            self._decide(entry, before, after, before_text, after_text, relation, lead, conditions, real)
        except Unread as error:
            entry.verdict, entry.verified_by = "unread", str(error)
        except RecursionError:
            entry.verdict, entry.verified_by = "unread", "too deeply nested to check"
        if lead == "because" and entry.verdict != "verified" and kind == "step" and not self._defined_head(before):
            if entry in self.outcome.entries:
                self.outcome.entries.remove(entry)   # "because t_1 + t_2 = 1": a premise, taken as given
            self._context(line, written, "assumption", "a premise (introduced by because / since): taken as given, "
                                                       "not checked")
            return entry
        notes = before.notes + after.notes
        entry.notes.extend(n for n in dict.fromkeys(notes) if n not in entry.notes)
        entry.read_as, entry.read_latex = _read_as(before.value, after.value, relation)
        return entry

    def _decide(self, entry, before, after, before_text, after_text, relation, lead, conditions, real):
        self._check_defined(before.value, after.value)
        from .names import COMPONENT
        sides = [v for v in (before.value, after.value) if not isinstance(v, sympy.MatrixBase)]
        if len(sides) == 2 and sides[0].has(COMPONENT) != sides[1].has(COMPONENT):
            vector, number = (before_text, after_text) if sides[0].has(COMPONENT) else (after_text, before_text)
            raise Unread(f"{_short(vector)} is a vector and {_short(number)} one number: the two are not compared")
        a = self._expanded(before.value)
        b = self._expanded(after.value)
        written_number = read_number(after_text.strip()) if not isinstance(b, sympy.MatrixBase) else None
        if isinstance(b, sympy.MatrixBase) and decimal_literals(after_text) and self._numbers_vector(
                entry, a, after_text, b):
            return
        if relation in INEQUALITIES:
            self._inequality(entry, a, b, relation, conditions)
            return
        if written_number is not None and not _is_exact_literal(after_text) or \
                (relation == "approx" and _is_number(b)):
            if self._number(entry, a, after_text, b, conditions):
                return
        verification = self.judge.equal(a, b, conditions, real)
        if verification.ok:
            entry.verdict, entry.verified_by = "verified", verification.verified_by
            return
        if _cannot_evaluate(verification):
            if (lead in ("therefore", "because") or relation == "implies") and \
                    self._from_facts(entry, before.value, after.value, conditions, real):
                return
            raise Unread(f"the verifier could not evaluate a side ({verification.detail})")
        if self._worked(entry, a, b, after_text, conditions, real):
            return
        if self._recovered(entry, b, conditions, real):
            return
        if lead in ("therefore", "because") or relation == "implies":
            if self._from_facts(entry, before.value, after.value, conditions, real):
                return
        if self._companion(entry, a, b, conditions, real, before_text):
            return
        last = self.last
        if last is not None and last.correct is not None and last.correct is not last.reading \
                and isinstance(last.correct.value, sympy.Basic):
            correct = self._expanded(last.correct.value)
            if self._companion(entry, correct, b, conditions, real, last.head_text or before_text):
                entry.verified_by = f"against the last correct expression (line {last.correct_line}): " \
                                    + entry.verified_by
                return
        new = self._new_names(a, b)
        if new:
            raise Unread(f"{', '.join(sorted(new))} {'is' if len(new) == 1 else 'are'} not defined in the text "
                         f"(first seen here): what {'it stands' if len(new) == 1 else 'they stand'} for is not said")
        entry.verdict = "wrong"
        entry.verified_by = f"{verification.method}: the two sides differ" if verification.method in (
            "instantiated", "numeric") and "differ" in verification.detail else verification.verified_by
        stated = self._stated_case(a, b, conditions, before_text)
        if stated is not None:
            conditions = list(conditions) + [stated]
            entry.notes.append(f"checked in the case {_show_relation(stated)}, which the text takes up")
        entry.counterexample = self.judge.counterexample(a, b, conditions, real)
        if _is_number(a) and _is_number(b):
            return                                          # two numbers: no edit of a formula explains them
        if isinstance(before.value, sympy.Basic) and isinstance(after.value, sympy.Basic):
            first = self.last is not None and _normalized(self.last.head_text) == _normalized(before_text)
            entry.diagnosis = diagnose(self.judge, before.value, after.value, conditions, real,
                                       expand=self._expanded, expanded_before=a, before_first=first)

    def _defined_head(self, reading) -> bool:
        value = reading.value
        return isinstance(value, sympy.Basic) and (value in self.names.definitions or (
            isinstance(value, Indexed) and value.base in self.names.definitions))

    def _expanded(self, value):
        try:
            return expand(value, self.names.definitions)
        except ParseError as error:
            raise Unread(str(error)) from None

    def _check_defined(self, a, b):
        """A quantity (L_i, CE, J) left undefined cannot be checked: its derivative would be taken as 0."""
        for side in (a, b):
            if not isinstance(side, sympy.Basic):
                continue
            labels = {i.base.label for i in side.atoms(Indexed)}
            for symbol in side.free_symbols:
                if isinstance(symbol, Symbol) and _is_quantity_name(symbol.name) and symbol not in labels \
                        and symbol not in self.names.definitions:
                    raise Unread(f"{symbol.name} is not defined in the text before this line")

    def _new_names(self, a, b) -> set:
        names = set()
        seen_names = {getattr(x, "name", None) or str(x) for x in self.seen}
        for side in (a, b):
            if not isinstance(side, sympy.Basic):
                continue
            for atom in side.atoms(Indexed):
                if atom.base not in self.seen and atom.base not in self.names.definitions \
                        and atom.base.label.name not in seen_names:
                    names.add(str(atom.base))
        return names

    def _see(self, value):
        if not isinstance(value, sympy.Basic):
            return
        for atom in value.atoms(Indexed):
            self.seen.add(atom.base)
        for symbol in value.free_symbols:
            self.seen.add(symbol)

    def _inequality(self, entry, a, b, relation, conditions):
        values = self._numbers_with_givens(a, b, allow_givens=self._chain_has_number)
        if values is None:
            raise Unread("an inequality with unknowns in it is not checked")
        (x, y_), how = values
        holds = {"<": x < y_, ">": x > y_, "<=": x <= y_, ">=": x >= y_, ">>": x > y_, "<<": x < y_}[relation]
        entry.kind = "inequality"
        if holds:
            entry.verdict, entry.verified_by = "verified", f"numbers: {x:.6g} {relation} {y_:.6g}{how}"
        else:
            entry.verdict, entry.verified_by = "wrong", f"numbers: {x:.6g} is not {relation} {y_:.6g}{how}"
            entry.counterexample = Counterexample({}, {}, x, y_)

    def _numbers_with_givens(self, a, b, allow_givens=True):
        """Both sides as floats, with the given values put in if needed: ((x, y), how) or None."""
        for chosen in [None] + (self._given_choices(a, b) if allow_givens else []):
            try:
                if chosen is None:
                    x, y_ = self._float(a), self._float(b)
                    chosen = {}
                else:
                    x = self._float(self._given_instance(a, chosen))
                    y_ = self._float(self._given_instance(b, chosen))
            except (TypeError, ValueError):
                continue
            if not allow_givens:
                return (x, y_), ""
            how = f" (with {self.givens.describe(chosen)})" if chosen or self._uses_scores(a, b) else ""
            return (x, y_), how
        return None

    def _uses_scores(self, a, b) -> bool:
        return any(isinstance(side, sympy.Basic) and side.has(notation.s) for side in (a, b))

    def _float(self, value) -> float:
        if not isinstance(value, sympy.Basic) or value.free_symbols or value.has(sympy.Derivative):
            if isinstance(value, sympy.Basic) and value.has(sympy.Derivative) and not value.free_symbols:
                value = value.doit()
            else:
                raise ValueError("not a number")
        number = sympy.N(value, 30)
        if not number.is_real:
            raise ValueError("not a real number")
        return float(number)

    def _given_choices(self, a, b) -> list[dict]:
        symbols = set()
        for side in (a, b):
            if isinstance(side, sympy.Basic):
                symbols |= side.free_symbols
        choices = self.judge.candidates(self.givens, symbols)
        return [c for c in choices if c] or ([{}] if self.givens.scores is not None else [])

    def _given_instance(self, expr, chosen: dict):
        """``expr`` at the worked example: K = the number of scores, the label, the scores, ``chosen`` values."""
        if not isinstance(expr, sympy.Basic):
            return expr
        env = {}
        if self.givens.scores is not None:
            env[K] = len(self.givens.scores)
        if self.givens.label is not None:
            env[notation.y] = self.givens.label
        from ...engine.evaluate import concrete
        value = concrete(expr, env) if env else expr
        if value.has(sympy.Derivative):
            value = value.doit()
        if self.givens.scores is not None:
            value = value.xreplace({notation.s[i]: v for i, v in enumerate(self.givens.scores)})
        value = value.xreplace(chosen)
        if value.has(sympy.Heaviside):
            value = value.replace(lambda e: isinstance(e, sympy.Heaviside), lambda e: sympy.Heaviside(e.args[0], 0))
        return value

    def _number(self, entry, a, after_text, b, conditions) -> bool:
        """A number written after a chain (= 1.317, \\approx 2.249): at the precision written, rounding-aware."""
        value = None
        how = ""
        for chosen in [{}] + self._given_choices(a, b):
            try:
                value = self._given_instance(a, chosen)
                self._float(value)
            except (TypeError, ValueError):
                value = None
                continue
            how = f" with {self.givens.describe(chosen)}" if (chosen or self._uses_scores(a, sympy.Integer(0))) \
                else ""
            break
        if value is None:
            return False
        judged = self.judge.number_at_precision(value, after_text.strip())
        if judged is None:
            return False
        ok, closeness, exact = judged
        entry.kind = "number"
        if ok:
            note = f"; {closeness.note}" if closeness.note else ""
            entry.verdict = "verified"
            entry.verified_by = f"numbers{how}: the exact value {exact:.6g} is {after_text.strip()} as derive " \
                                f"check reads numbers ({closeness.how}){note}"
            return True
        entry.verdict = "wrong"
        reason = f" ({closeness.note})" if closeness.note else ""
        entry.verified_by = f"numbers{how}: the exact value is {exact:.6g}, not {after_text.strip()} to 3 " \
                            f"significant figures{reason}"
        entry.counterexample = Counterexample({}, {}, exact, float(read_number(after_text.strip()).value))
        written = read_number(after_text.strip())
        entry.diagnosis = number_diagnosis(
            lambda base: self._float(value.replace(sympy.log, lambda u: sympy.log(u) / sympy.log(base))),
            written, lambda recomputed, w: self.judge.number_at_precision(sympy.Float(recomputed, 30),
                                                                          str(w.value))[0])
        return True

    def _numbers_vector(self, entry, a, after_text, b) -> bool:
        """A vector of numbers written after a chain ([-0.732, 0.004, 0.728]): entry by entry, at the
        precision written (small entries at the precision of the vector, as derive check does)."""
        texts = _vector_texts(after_text)
        if texts is None or len(texts) != len(b):
            return False
        written = [read_number(t) for t in texts]
        if any(w is None for w in written):
            return False
        for chosen in [{}] + self._given_choices(a, sympy.Integer(0)):
            try:
                if isinstance(a, sympy.MatrixBase):
                    if len(a) != len(b):
                        return False
                    exact_values = [self._given_instance(e, chosen) for e in a]
                else:
                    from .names import COMPONENT
                    exact_values = [self._given_instance(a.xreplace({COMPONENT: m}), chosen) for m in range(len(b))]
                exact = [self._float(v) for v in exact_values]
            except (TypeError, ValueError):
                continue
            break
        else:
            return False
        scale = max(abs(v) for v in exact) or 1.0
        notes, wrong = [], []
        for position, (text, value, entry_exact) in enumerate(zip(texts, exact, exact_values)):
            ok, closeness, _ = self.judge.number_at_precision(entry_exact, text, scale=scale)
            if not ok:
                wrong.append((position, read_number(text), value, closeness))
            elif closeness.note:
                notes.append(f"entry {position}: {closeness.note}")
        shown = "[" + ", ".join(f"{v:.6g}" for v in exact) + "]"
        how = f" with {self.givens.describe(chosen)}" if chosen or self._uses_scores(a, sympy.Integer(0)) else ""
        entry.kind = "number"
        if not wrong:
            entry.verdict = "verified"
            entry.verified_by = f"numbers{how}: the exact values {shown} are the entries to the digits written"
            entry.notes.extend(notes)
            return True
        entry.verdict = "wrong"
        position, w, value, closeness = wrong[0]
        entry.verified_by = f"numbers{how}: the exact values are {shown}; entry {position}, {w.value}, is not " \
                            f"{value:.6g} to 3 significant figures of the vector" + (
                                f" ({closeness.note})" if closeness.note else "")
        entry.counterexample = Counterexample({"entry": position}, {}, value, float(w.value))
        return True

    def _worked(self, entry, a, b, after_text, conditions, real) -> bool:
        """A step of a worked example: true with the given values (scores, label, Delta = 1 ...)."""
        if not self._is_worked(a, b, after_text):
            return False
        for chosen in self._given_choices(a, b):
            left = self._given_instance(a, chosen)
            right = self._given_instance(b, chosen)
            n = len(self.givens.scores) if self.givens.scores is not None else None
            counts = (n,) if n else (2, 3, 4, 5)
            extra = [Eq(notation.y, self.givens.label)] if self.givens.label is not None else []
            verification = self.judge.equal(left, right, list(conditions) + extra, real, class_counts=counts)
            if verification.ok:
                entry.verdict = "verified"
                entry.verified_by = f"with the given values {self.givens.describe(chosen)}: {verification.verified_by}"
                return True
            decimals = decimal_literals(after_text)
            if decimals and _is_number(left) and self.judge.within_rounding(left, right, decimals):
                entry.verdict = "verified"
                shown = ", ".join(str(sympy.Float(d, 6)).rstrip("0") for d in decimals)
                entry.verified_by = (f"with the given values {self.givens.describe(chosen)}: the numbers "
                                     f"{shown} are rounded values, and the left side lies within their rounding")
                return True
        decimals = decimal_literals(after_text)
        if decimals and _is_number(a) and self.judge.within_rounding(a, b, decimals):
            entry.verdict = "verified"
            entry.verified_by = "the numbers written are rounded values, and the left side lies within their rounding"
            return True
        return False

    def _is_worked(self, a, b, after_text) -> bool:
        if self.givens.scores is None and not self.givens.values and self.givens.label is None:
            return bool(decimal_literals(after_text))
        for side in (a, b):
            if not isinstance(side, sympy.Basic):
                continue
            if any(all(i.is_Integer for i in atom.indices) for atom in side.atoms(Indexed)):
                return True
        if isinstance(b, sympy.Basic) and not (b.free_symbols - set(COUNTS)):
            return True
        return bool(decimal_literals(after_text))

    def _recovered(self, entry, b, conditions, real) -> bool:
        """A step that fails from the slipped line before it, but equals the last correct expression."""
        last = self.last
        if last is None or last.correct is None or last.correct is last.reading:
            return False
        correct = self._expanded(last.correct.value)
        verification = self.judge.equal(correct, b, conditions, real)
        if verification.ok:
            entry.verdict = "verified"
            entry.verified_by = (f"equals the last correct expression (line {last.correct_line}), not the wrong one "
                                 f"just before it: {verification.verified_by}")
            return True
        return False

    def _from_facts(self, entry, left, right, conditions, real) -> bool:
        """A line that says it follows (therefore, =>): true once earlier equations are put in.

        Each earlier equation gives a rule (a name or an unknown it is linear in, solved for); the
        definitions are put in (functions named in a rule, such as f in f(s_2) = 1 - f(s_1), kept as
        they are written), finite sums written out, the rules applied, and the sides compared.
        """
        rules = []
        for lhs, rhs, line in reversed(self.part.facts):
            rule = _solved(lhs, rhs)
            if rule is not None:
                rules.append((rule, line))
        if not rules:
            return False
        from ...engine.evaluate import concrete
        held = {atom.func for (atom, _), _ in rules if isinstance(atom, sympy.core.function.AppliedUndef)}
        definitions = {k: d for k, d in self.names.definitions.items() if k not in held}
        try:
            current = [concrete(expand(side, definitions), {}) for side in (left, right)]
        except ParseError:
            return False
        used = []
        for _ in range(4):
            changed = False
            for (atom, value), line in rules:
                if any(side.has(atom) for side in current):
                    current = [side.xreplace({atom: value}) for side in current]
                    used.append(line)
                    changed = True
            if not changed:
                break
        if not used:
            return False
        a, b = (self._expanded(side) for side in current)
        verification = self.judge.equal(a, b, conditions, real)
        if verification.ok:
            lines = ", ".join(str(n) for n in sorted(set(used)))
            entry.verdict = "verified"
            entry.verified_by = f"follows from line{'s' if len(set(used)) > 1 else ''} {lines}: " \
                                f"{verification.verified_by}"
            return True
        return False

    def _companion(self, entry, a, b, conditions, real, before_text) -> bool:
        """A step true in one case only (j ≠ y_i), when the text treats the other case elsewhere."""
        indices = sorted({s for side in (a, b) if isinstance(side, sympy.Basic) for s in side.free_symbols
                          if isinstance(s, Symbol) and s.is_integer and not s.name.endswith(BOUND_MARK)
                          and s not in COUNTS and not s.name.startswith("c_")}, key=str)
        if len(indices) < 2:
            return False
        pairs = _pairs(indices)
        if notation.y not in indices and len(indices) > 3:
            return False                    # many indices and no label: no case the text could mean
        for first, second in pairs[:6]:
            for relation in (Ne(first, second), Eq(first, second)):
                if relation in conditions or _negation(relation) in conditions:
                    continue
                verification = self.judge.equal(a, b, list(conditions) + [relation], real)
                if not verification.ok:
                    continue
                where = self._case_treated(relation, before_text)
                if where:
                    entry.verdict = "verified"
                    entry.verified_by = f"when {_show_relation(relation)} ({where}): {verification.verified_by}"
                    return True
                entry.notes.append(f"it holds when {_show_relation(relation)}, a case the line does not state")
                return False
        return False

    def _stated_case(self, a, b, conditions, before_text):
        """The case (j ≠ y_i ...) of a step that the text takes up elsewhere, if there is one."""
        indices = sorted({s for side in (a, b) if isinstance(side, sympy.Basic) for s in side.free_symbols
                          if isinstance(s, Symbol) and s.is_integer and not s.name.endswith(BOUND_MARK)
                          and s not in COUNTS and not s.name.startswith("c_")}, key=str)
        if notation.y not in indices:
            return None
        for first, second in _pairs(indices)[:4]:
            for relation in (Ne(first, second), Eq(first, second)):
                if relation in conditions or _negation(relation) in conditions:
                    continue
                where = self._case_treated(relation, before_text)
                if where:
                    return Ne(first, second) if "separately" in where else relation
        return None

    def _case_treated(self, relation, before_text) -> str:
        """Where the text takes up ``relation`` or the other case: a stated condition or the other case's head."""
        for text in self.part.stated_conditions:
            try:
                chain = split_chain(text)
                found = self._condition_of_chain(chain) if len(chain.parts) == 2 else None
            except (ParseError, Unread, ValueError):
                found = None
            if found and found[0] == "index" and found[1] in (relation, _negation(relation),
                                                                 relation.reversed, _negation(relation).reversed):
                return f"the text states the case {_show_relation(found[1])}"
        head = _normalized(before_text)
        symbols = sorted(relation.free_symbols, key=str)
        if notation.y in symbols and ("\\partial" in head or "\\nabla" in head):
            other = [s for s in symbols if s != notation.y]
            if other:
                letter = other[0].name
                companion = re.sub(r"_\{" + re.escape(letter) + r"\}|_" + re.escape(letter) + r"(?![A-Za-z0-9'])",
                                   "_{y_i}", head)
                if companion != head and (companion in self.part.heads or companion in self._all_heads):
                    return f"the text treats {letter} = y_i separately"
        return ""

    # -- output helpers ----------------------------------------------------------------------------------

    def _entry(self, line, written, verdict, verified_by, counterexample=None, kind="step", relation="=",
               diagnosis=None):
        entry = Entry(line, written, verdict, verified_by, counterexample=counterexample, kind=kind,
                      relation=relation, diagnosis=diagnosis)
        if not self._quiet:
            self.outcome.entries.append(entry)
        return entry

    def _context(self, line, written, kind, meaning):
        if not self._quiet:
            self.outcome.context.append(Context(line, written, kind, meaning))


_RELATION_TEXT = {"=": "=", "approx": "\\approx", "implies": "\\Rightarrow", "define": ":=", "assign": "\\leftarrow",
                  "arrow": "\\rightarrow", "<=": "\\leq", ">=": "\\geq", "!=": "\\neq", ">>": "\\gg", "<<": "\\ll"}


#: expressions longer than this (operations) are not written out in a report
MAX_SHOWN_OPERATIONS = 120


def _read_as(left, right, relation):
    """(text, (LaTeX left, LaTeX right)) of a step as read, or ("", ()) when a side is too long to show."""
    from ...report.printing import latex
    from .mistakes import displayed, show
    try:
        sides = [displayed(v) for v in (left, right)]
        if any(isinstance(v, sympy.Basic) and sympy.count_ops(v) > MAX_SHOWN_OPERATIONS for v in sides):
            return "", ()
        symbol = {"approx": "≈", "<=": "≤", ">=": "≥", "!=": "≠"}.get(relation, relation if relation in
                                                                      ("<", ">", "=") else "=")
        written = f"{show(sides[0])} {symbol} {show(sides[1])}"
        return written, (latex(sides[0]).replace("~", ""), latex(sides[1]).replace("~", ""))
    except Exception:  # noqa: BLE001 - how a step was read is a courtesy of the report
        return "", ()


_MATH_WORDS = {"sum", "log", "ln", "exp", "max", "min", "sigma", "sqrt", "delta", "Delta", "frac", "partial", "nabla",
               "cdot", "times", "mathbb", "mathbf"}


def _plain_words(text: str) -> str:
    """A plain-text line's leading words ("when", "in one formula:") as \\text{...}, as LaTeX would write them."""
    tokens = text.split()
    words = []
    for token in tokens:
        word = token.rstrip(":,")
        if not (word.isalpha() and len(word) >= 2 and word not in _MATH_WORDS):
            break
        words.append(token)
        if token.endswith(":"):
            break
    if not words:
        return text
    rest = text.split(None, len(words))[len(words)] if len(tokens) > len(words) else ""
    joined = " ".join(words)
    colon = ":" if joined.endswith(":") else ""
    return f"\\text{{{joined.rstrip(':,')}}}{colon} {rest}"


def _numbered(label: str) -> bool:
    """A label such as "2." (a numbered problem), not "Q1/2" or "(3)"."""
    return bool(re.fullmatch(r"\d+\s*\.", label or ""))


def _unclosed_braces(text: str) -> int:
    """How many { the text opens and never closes (escaped \\{ \\} not counted)."""
    depth = 0
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth < 0:
            return 0
        i += 1
    return depth if depth <= 3 else 0


def _introduces_definition(prose_text: str) -> bool:
    """Prose that announces a formula: "The formula of SVM loss is:", "can be expressed as", "is defined as"."""
    words = prose_text.strip().lower()
    if not words.endswith((":", "as", "is", "by")):
        return False
    return bool(re.search(r"\b(formula|defined|expressed|given by|loss function|loss is|is written)\b", words))


def _vector_texts(text: str):
    """The entries of a vector of numbers as written: "[-0.732, 0.004, 0.728]" -> the three texts."""
    found = re.fullmatch(r"\s*(?:\\left)?\[(.*)(?:\\right)?\]\s*", text.strip(), re.DOTALL)
    if not found:
        return None
    inner = found.group(1).replace("\\right", "")
    return [t.strip() for t in inner.split(",")]


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _normalized(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_number(value) -> bool:
    return isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixBase) and value.is_number \
        and not value.has(sympy.Derivative)


def _is_exact_literal(text: str) -> bool:
    """An integer literal (2, -1): exact, not a rounded number."""
    return bool(re.fullmatch(r"\s*[+-]?\d+\s*", text))


def _cannot_evaluate(verification) -> bool:
    detail = verification.detail or ""
    return detail.startswith("cannot evaluate") or detail.startswith("no point where") or \
        "cannot evaluate a side" in detail


def _is_quantity_name(name: str) -> bool:
    base = name.split("_")[0].split("^")[0].rstrip("'")
    return base in ("L", "J", "CE", "E", "R") or (len(base) > 1 and base.isupper())


def _name_key(value):
    """(key, parameters, concrete indices) when ``value`` is a name that can be defined, else (None, (), None)."""
    if isinstance(value, Symbol) and not value.is_integer and value not in COUNTS:
        return value, (), None
    if isinstance(value, Indexed):
        indices = value.indices
        if all(isinstance(i, Symbol) and i.is_integer and not i.name.startswith("y_(") for i in indices) \
                and len(set(indices)) == len(indices):
            return value.base, tuple(indices), None
        if all(i.is_Integer for i in indices):
            return value.base, (), tuple(indices)
    return None, (), None


def _letter_of(key) -> str:
    if isinstance(key, IndexedBase):
        return key.label.name
    return str(key)


def _relation_indicator(relation):
    if isinstance(relation, Eq):
        return sympy.KroneckerDelta(relation.lhs, relation.rhs)
    if isinstance(relation, Ne):
        return 1 - sympy.KroneckerDelta(relation.lhs, relation.rhs)
    raise Unread(f"the condition {relation} is not read")


def _negation(relation):
    if isinstance(relation, Eq):
        return Ne(relation.lhs, relation.rhs)
    if isinstance(relation, Ne):
        return Eq(relation.lhs, relation.rhs)
    return sympy.Not(relation)


def _pairs(indices):
    label = [i for i in indices if i == notation.y]
    others = [i for i in indices if i != notation.y]
    pairs = [(o, label[0]) for o in others] if label else []
    pairs += [(a, b) for n, a in enumerate(others) for b in others[n + 1:]]
    return pairs


def _show_relation(relation) -> str:
    from ...report.printing import text
    if isinstance(relation, Eq):
        return f"{text(relation.lhs)} = {text(relation.rhs)}"
    if isinstance(relation, Ne):
        return f"{text(relation.lhs)} ≠ {text(relation.rhs)}"
    return text(relation)


def _plain(value) -> str:
    from .mistakes import show
    try:
        return show(value)
    except Exception:  # noqa: BLE001 - a description for the report only
        return str(value).replace(BOUND_MARK, "")


def _describe_definition(key, parameters, at, rhs) -> str:
    if isinstance(key, IndexedBase):
        name = key.label.name
        if at:
            return f"{name}_{','.join(map(str, at))} = {_plain(rhs)}"
        return f"{name}_{','.join(map(str, parameters))} = {_plain(rhs)}"
    return f"{key} = {_plain(rhs)}"


def _solved(lhs, rhs):
    """(atom, value) from an equation: a name on one side, or an unknown it is linear in."""
    for a, b in ((lhs, rhs), (rhs, lhs)):
        if _atom(a) and not b.has(a) and not (isinstance(a, Symbol) and a in {i.base.label for i in b.atoms(Indexed)}):
            return a, b
    difference = lhs - rhs
    labels = {a.base.label for a in difference.atoms(Indexed)}
    atoms = sorted([x for x in difference.atoms(Indexed, sympy.core.function.AppliedUndef, Symbol)
                    if _atom(x) and x not in labels and not (isinstance(x, Symbol) and x.name.endswith(BOUND_MARK))],
                   key=str, reverse=True)
    for atom in atoms:
        slope = sympy.diff(difference, atom) if not isinstance(atom, sympy.core.function.AppliedUndef) else None
        if slope is None:
            d = sympy.Dummy()
            slope = sympy.diff(difference.xreplace({atom: d}), d)
            rest = difference.xreplace({atom: d})
            if slope.is_number and slope != 0 and not slope.has(d):
                return atom, sympy.expand(atom - rest.xreplace({d: atom}) / slope)
            continue
        if slope.is_number and slope != 0:
            return atom, sympy.expand(atom - difference / slope)
    return None


def _atom(x) -> bool:
    return isinstance(x, (Indexed, sympy.core.function.AppliedUndef)) or \
        (isinstance(x, Symbol) and not x.is_integer and x not in COUNTS)


def _einstein(expr):
    """Products with a feature index repeated (x_{nd} W_{dj}) summed over it, as Einstein's convention says."""
    from .names import ROLES

    def role(base, rank, position):
        letter = base.label.name if isinstance(base, IndexedBase) else str(base)
        return ROLES.get((letter, rank, position))

    def visit(e):
        if not e.args or isinstance(e, (Indexed, IndexedBase)):
            return e
        args = [visit(a) for a in e.args]
        e = e.func(*args) if any(a is not b for a, b in zip(args, e.args)) else e
        if isinstance(e, sympy.Mul):
            counts = {}
            for factor in e.args:
                if isinstance(factor, Indexed):
                    for position, index in enumerate(factor.indices):
                        if isinstance(index, Symbol) and index.is_integer and \
                                role(factor.base, len(factor.indices), position) == notation.D:
                            counts.setdefault(index, []).append(factor)
            for index, factors in counts.items():
                if len(factors) == 2 and not index.name.endswith(BOUND_MARK):
                    bound = Symbol(index.name + BOUND_MARK, integer=True)
                    return sympy.Sum(e.xreplace({index: bound}), (bound, 0, notation.D - 1))
        return e
    return visit(expr)


__all__ = ["Checker", "Unread", "MatrixName", "Vector", "example_label"]
