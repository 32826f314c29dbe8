"""Reading the text in order: each row of maths taken apart into chains, each chain started
(a definition, a given value, a case, or the head of steps) and its steps handed to :mod:`.steps`."""
from __future__ import annotations

import os
import re
import time

import sympy
from sympy import Symbol

from ...parse.errors import ParseError
from ..numeric import read_number
from . import context as prose
from .algebra import show_relation
from .document import Hint, Math, Prose
from .judging import Judge
from .reader_lookahead import ReaderLookahead
from .reader_parts import ReaderParts
from .said import Code, Quote, said
from .state import EQUALITIES, Unread
from .statements import cases_rows, read_row, split_chain
from .verdicts import Outcome, failure_reason
from .wording import (
    RELATION_TEXT,
    has_derivative,
    introduces_definition,
    numbered,
)

#: a name a definition may give: z, z_i, s_{k}
#: the word before a formula that makes it a choice, not a claim ("Choosing \log C = -m gives ...")
CHOOSING = ("choosing", "choose", "chose", "setting", "set", "pick", "picking", "take", "taking", "put", "putting",
            "suppose", "assume", "assuming")


class Reader(ReaderLookahead, ReaderParts):
    """Reading the text in order."""

    def run(self) -> Outcome:
        self.setup.prescan()
        pieces = self.state.document.pieces
        defined_first = set()
        for number, piece in enumerate(pieces):
            if isinstance(piece, Math):
                if number in defined_first:
                    continue
                between, following = (pieces[number + 1: number + 3] + [None, None])[:2]
                if isinstance(between, Prose) and self.defined_after(piece, between.text, following):
                    defined_first.add(number + 2)   # "... = e^{f_k} for $u = sum_j e^{f_j}$": u first
                self.math(piece)
                continue
            try:
                if isinstance(piece, Hint):
                    self.setup.hint(piece.text, piece.line)
                elif isinstance(piece, Prose):
                    self.setup.prose(piece)
            except (MemoryError, KeyboardInterrupt):
                raise
            except Exception:  # noqa: BLE001 - a bug of the checker: these words are not used, the rest goes on
                self.state.context(piece.line, piece.text.strip()[:200], "note",
                                   "the checker failed on these words (an internal error in derive verify): "
                                   "what they say is not used")
        if self.state.last is not None and isinstance(self.state.last.reading.value, sympy.Basic):
            try:
                self.state.outcome.final = self.state.expanded(self.state.last.reading.value)
                self.state.outcome.final_text = self.state.last.text
            except Unread:
                pass
        return self.state.outcome

    def math(self, piece: Math):
        mode = "display" if piece.display else "inline"
        words = self.state.pending_words if piece.words is None else piece.words
        if self.wrong_class(piece, words):
            return
        self.state.case_words = words
        if not piece.display or len(piece.rows) == 1:
            word = prose.last_word(words)
            if word in ("if", "when", "while", "for", "or", "whenever", "where", "at") and \
                    not words.rstrip().endswith((".", ":", ",", ";")):
                mode = "condition"
            elif word in ("because", "since", "as"):
                mode = "because"
            elif word in ("therefore", "thus", "hence", "so", "then", "know", "get"):
                mode = "therefore"
            elif prose.names_the_case_next(words):
                mode = "condition"              # "If that term is active, i.e. a_k - a_y + 1 > 0, then ...": the case
            elif word in ("means", "eg", "e.g", "i.e", "ie", "like"):
                mode = "remark"
            elif word in CHOOSING:
                mode = "choice"
            elif word == "otherwise" and len(re.findall(r"[A-Za-z]+", words)) == 1:
                mode = "otherwise"
        if introduces_definition(self.state.intro):
            mode = "define"
        self.state.intro = ""
        self.state.pending_words = ""
        self.state.display = piece.display
        for row in piece.rows:
            if row.line in self.state.skip:
                continue
            self.state.quiet = row.line < self.state.resume
            if self.state.on_start and not self.state.quiet:
                self.state.on_start(row.line)
            started = time.perf_counter()
            self.state.judge = Judge()            # each line its own sample points: they stay small
            found = len(self.state.outcome.entries) + len(self.state.outcome.context)
            entries_before, context_before = len(self.state.outcome.entries), len(self.state.outcome.context)
            self.state.row_text, self.state.row_line = row.text, row.line
            try:
                self.row_text(row.text, row.line, mode=mode)
            except (MemoryError, KeyboardInterrupt):
                raise
            except Exception as error:  # noqa: BLE001 - a bug of the checker is "not read" for this line only
                if os.environ.get("DERIVE_DEBUG"):
                    raise
                self.state.entry(row.line, row.text.strip(), "unread", failure_reason(error))
            if len(self.state.outcome.entries) + len(self.state.outcome.context) == found \
                    and not self.state.quiet and (piece.claim or claims_something(row.text, piece.display)):
                self.state.entry(row.line, row.text.strip(), "unread",
                                 "a derivative said in words that could not be read" if piece.claim else
                                 "nothing on this line was read as a step, a definition or a case")
            elif not self.state.quiet and len(self.state.outcome.entries) == entries_before \
                    and not any(c.kind in SETS_UP for c in self.state.outcome.context[context_before:]) \
                    and claims_derivative(row.text):
                self.state.entry(row.line, row.text.strip(), "unread",
                                 "the equation of derivatives on this line was not judged (only a case or a note "
                                 "was taken from it)")
            if self.state.on_line and not self.state.quiet:
                self.state.on_line(row.line, time.perf_counter() - started)

    def row_text(self, text: str, line: int, mode: str = ""):
        try:
            statement = read_row(text)
        except (ParseError, ValueError, RecursionError) as error:
            self.state.entry(line, text, "unread", f"the line could not be taken apart: {error}")
            return
        if numbered(statement.label) and mode != "define-hint" and self.state.row_starts_part.get(line):
            self.setup.enter_part(self.state.part.index + 1)
        if mode == "condition":
            for chain in statement.chains:
                self.cases.condition_chain(chain, line, persistent=True, text=text)
            return
        for clause in statement.leading:
            for chain in read_row(clause.text).chains:
                self.cases.condition_chain(chain, line, persistent=True, text=clause.text)
        if not statement.chains:
            return
        if any(prose.ends_cases(clause.words) for clause in statement.prose):
            self.setup.end_cases(line, " ".join(clause.words for clause in statement.prose))
        row_conditions, row_real = [], list(self.state.line_real.get(line, []))
        for clause in statement.conditions:
            if self.defines_after(clause.text, line):
                continue                        # "... = e^{f_k} for u = sum_j e^{f_j}": u defined for the row
            found = self.cases.conditions_of(clause.text, line)
            if found is None:
                self.state.context(line, clause.text, "note", said("the condition ", Quote(f"{clause.lead} {clause.text}"),
                                                              " is not used: it could not be read"))
                continue
            index_part, real_part = found
            row_conditions += index_part
            row_real += real_part
        for clause in statement.justifications:
            found = self.cases.conditions_of(clause.text, line) if clause.text else None
            if found and found[0] and not found[1]:
                for condition in found[0]:
                    self.cases.set_persistent(condition, line, clause.text)
            elif clause.text:
                self.state.context(line, f"{clause.lead} {clause.text}", "note",
                              "a justification: not checked (the step itself is)")
        lead = statement.lead or (mode if mode in ("because", "therefore") else "")
        chains = list(statement.chains)
        if len(chains) >= 2:                    # "∇ L_i = p_j x_i, \qquad j \neq y_i": the case of this row only
            for chain in chains[1:]:
                found = self.cases.condition_of_chain(chain) if len(chain.parts) == 2 and not chain.continued \
                    else None
                if found and found[0] == "index" and chain.relations[0] == "=" and re.fullmatch(r"\s*\d+\s*", chain.parts[1]) \
                        and any(c.relations and c.relations[0] == "=" and re.search(r"\d", c.parts[1])
                                for c in chains if c is not chain) \
                        and self.cases.is_given_label(found[1], line, chain):
                    chains.remove(chain)                # "W = [...], x = [...], y = 2": the example's label
                    continue
                if found and found[0] == "index" and chain.relations[0] in ("=", "!="):
                    chains.remove(chain)
                    row_conditions.append(found[1])
                    self.state.context(line, f"{chain.parts[0]} {RELATION_TEXT.get(chain.relations[0], '=')} "
                                             f"{chain.parts[1]}", "condition",
                                       said(show_relation(found[1]), " (this row only)"))
        for chain in self.definitions_first(chains):
            names = self.state.names
            vectors = names.plain_vectors
            argument = self.sigmoid_argument(chain.parts[0]) if chain.parts and not chain.continued else None
            names.plain_vectors = vectors - {argument}      # the x of σ(x) = ...: one number
            try:
                self.chain(chain, line, lead, row_conditions, row_real, statement, mode)
            finally:
                names.plain_vectors = vectors

    def chain(self, chain, line, lead, row_conditions, row_real, statement, mode):
        parts, relations = list(chain.parts), list(chain.relations)
        continued = chain.continued
        if continued and relations and relations[0] == "implies":
            continued = False
            relations = relations[1:]
            lead = lead or "therefore"
        if continued and (mode in ("inline", "condition", "remark", "because", "therefore")
                          and not self.state.display):
            if len(relations) < 2 or relations[1] not in EQUALITIES or mode != "inline":
                return                  # "$> 0$" in a sentence: a fragment, not a step
            relations, continued = relations[1:], False   # "gradient $= (0.731 - 1)[2, 1] = ...$": the steps
            #                                               after the value of the words
        if continued and relations and relations[0] == "assign" and self.state.last is None:
            return
        if not relations:
            rows = cases_rows(parts[0]) if parts else None
            if rows and any(split_chain(value).relations for value, _ in rows):
                for value, condition in rows:
                    if condition and self.cases.conditions_of(condition, line) is None \
                            and split_chain(condition).relations:
                        self.row_text(value, line)
                        self.row_text(condition, line)
                    else:
                        self.row_text(value + (f" \\text{{ if }} {condition}" if condition else ""), line)
            else:
                self.note_lone(parts, line)
            return
        if not continued and len(parts) == 2 and relations[0] == "=" and self.one_hot_entry(parts, line):
            return                              # "t_c = 1 for the true class c, all other t_k = 0"
        if not continued and len(parts) == 2 and relations[0] in ("=", "!=", "approx"):
            found = self.cases.condition_of_chain(chain)
            if found and found[0] == "index" and not row_conditions and not row_real:
                if self.cases.is_given_label(found[1], line, chain):
                    return
                if not self.state.display and not prose.states_case(self.state.case_words) \
                        and not self.fixes_a_free_index(found[1]):
                    self.state.context(line, f"{parts[0]} {RELATION_TEXT.get(relations[0], relations[0])} {parts[1]}",
                                       "note", said("a relation of indices in a sentence that states no case (the sum "
                                                    "skips ", Symbol("j"), " = ", Symbol("y_i"), "): not a case"))
                    return
                self.cases.set_persistent(found[1], line, f"{parts[0]} {relations[0]} {parts[1]}")
                return
            same = self.cases.same_name_condition(chain) if relations[0] in ("=", "approx") else None
            if same is not None and self.cases.scalar_defined(parts[0]) is False:
                self.state.context(line, f"{parts[0]} = {parts[1]}", "note",
                              said("the same name at two indices: read as the case ", show_relation(same),
                                   ", not as a step"))
                return
        if not continued and len(parts) >= 2 and relations[0] == "=" and self.is_index_letter(parts[0]) \
                and re.search(r"\\[lc]?dots|…|\.\.", parts[1]):         # k = 1..K, i = 1, …, C
            self.state.context(line, f"{parts[0]} = {parts[1]}", "note", "the range of an index")
            return
        words = " ".join(clause.words for clause in statement.prose).strip()
        if any(not part.strip() for part in (parts[1:] if not continued else parts)) and words:
            shown = " ".join(f"{p} {RELATION_TEXT.get(r, r)}" for p, r in zip(parts, relations)).strip()
            self.state.entry(line, f"{shown} {words}", "unread", said("the right side is words (", Quote(words), "), not maths"))
            return
        if continued:
            if self.state.last is None:
                self.state.entry(line, "= " + parts[0], "unread",
                            "this line continues a chain whose expression before it was not read")
                return
            head_text = self.state.last.text
            if (row_conditions or row_real) and self.state.last.case_list and self.state.last.head is not None:
                head_text = self.state.last.head_text          # "A > 0 if ... / = 0 if ...": cases of the same A
                self.state.last.reading, self.state.last.text = self.state.last.head, head_text
            texts = [None] + parts
        else:
            head_text = parts[0]
            texts = parts
            self.state.last = None
            if mode == "otherwise":
                row_conditions = row_conditions + self.otherwise_case(head_text, line)
                if line - 1 in self.state.line_real and not row_real:     # "otherwise: ..." after "if u > 0: ..."
                    row_real = [condition.negated() for condition in self.state.line_real[line - 1]]
            self.state.previous_head = head_text
        conditions = self.cases.index_conditions(row_conditions)
        self.state.chain_has_number = any(r in EQUALITIES and read_number(t.strip()) is not None
                                     for r, t in zip(relations, parts[1:]) if t)
        start = 0
        if not continued:
            handled = self.start(texts, relations, line, lead, conditions, row_real, mode, row_conditions)
            if handled is None:
                return
            start = handled
        for position in range(start, len(relations)):
            relation = relations[position]
            before_text = texts[position] if texts[position] is not None else head_text
            after_text = texts[position + 1]
            self.steps.step(before_text, after_text, relation, line, lead if position == 0 else "", conditions, row_real)
            if self.state.last is not None and position == 0 and (row_conditions or row_real):
                self.state.last.case_list = True
        del statement

    def start(self, texts, relations, line, lead, conditions, real, mode, row_conditions=()):
        """The first expression of a new chain: a definition, a given value, or the head of steps.

        Returns the position of the first step still to check, or None when the chain is done.
        """
        head_text, first_relation = texts[0], relations[0]
        if first_relation in ("=", "define") and len(texts) >= 2:
            kind = self.definitions.definition(texts[0], texts[1], line, lead, mode, row_conditions)
            if kind == "unread":
                self.definitions.unreadable(texts[0], line)
            if kind in ("given", "updated", "remark"):
                return None
            if kind == "definition":
                self.remember_head(texts[1], line, head_text)
                return 1 if len(relations) > 1 else None
            if kind == "unread":
                return None
            if first_relation == "define":      # 1_{y_i} := 0: the text sets a value by definition, never a claim
                self.state.entry(line, f"{texts[0]} := {texts[1]}", "unread",
                                 said("a definition (", Code(":="), ") of something the text already writes: "
                                      "taken as the text's convention, not checked"), kind="definition")
                return 1 if len(relations) > 1 else None
        if mode == "choice" and first_relation == "=" and len(texts) == 2:
            self.state.context(line, f"{texts[0]} = {texts[1]}", "assumption",
                               said("a choice the text makes (", Quote(f"{texts[0]} = {texts[1]}"), "): taken as given, "
                                    "not a step"))
            return None
        if first_relation == "=" and len(texts) >= 2 and self.definitions.implicit_definition(texts[0], texts[1], line):
            self.remember_head(texts[1], line, head_text)
            return 1 if len(relations) > 1 else None
        if first_relation == "=" and len(texts) == 2 and not self.state.display \
                and self.sigmoid_argument(texts[0]) is None and self.definitions.constraint(texts[0], texts[1], line):
            return None
        if first_relation == "assign":
            self.state.update_line = self.state.update_line or line
            if self.state.update_vectors is None:
                self.state.update_vectors = dict(self.state.givens.vectors)
            self.state.context(line, f"{texts[0]} \\leftarrow {texts[1]}", "note",
                          "an update rule (\\leftarrow): the chain goes on from its right side")
            self.remember_head(texts[1], line, texts[1])
            return 1 if len(relations) > 1 else None
        self.remember_head(head_text, line, head_text)
        return 0


#: what a line may set up instead of claiming a step (a case or a note is not among them)
SETS_UP = ("definition", "given", "assumption", "loss")


def claims_derivative(text: str) -> bool:
    """Whether a row of maths states an equation with a derivative in it (∂L/∂w = ..., dL/dz = ...): a
    claim that needs a verdict of its own, never a case or a note only."""
    try:
        statement = read_row(text)
    except (ParseError, ValueError, RecursionError):
        return False
    return any(any(r in ("=", "approx") for r in chain.relations) and any(has_derivative(p) for p in chain.parts)
               for chain in statement.chains + [split_chain(c.text) for c in statement.leading])


def claims_something(text: str, display: bool = True) -> bool:
    """Whether a row of maths states a relation (a = b, a < b): a row that must get a verdict (in a
    sentence, only a whole relation: "$> 0$" there is a fragment)."""
    try:
        statement = read_row(text)
    except (ParseError, ValueError, RecursionError):
        return True
    if not display:
        return any(chain.relations and not chain.continued and len(chain.parts) >= 2 and all(
            p.strip() for p in chain.parts) for chain in statement.chains)
    return any(chain.relations for chain in statement.chains) or bool(statement.conditions)
