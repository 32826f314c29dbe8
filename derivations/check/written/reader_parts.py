"""The small parts of reading the text in order: a lone expression noted, the case an 'otherwise' row means,
index letters, the sigmoid's argument, the head a chain continues from, the order of a row's definitions."""
from __future__ import annotations

import re

import sympy

from . import context as prose
from .algebra import show_relation
from .said import Code, said
from .state import INDEX_LETTERS, Job, Last, Unread
from .wording import (
    named_part,
    normalized,
    top_level_terms,
)

#: a simple name: a letter with at most a short subscript (z, s_j, w_{y_i})
_SIMPLE_NAME = re.compile(r"[A-Za-z](?:_\{?[A-Za-z0-9]{1,3}\}?)?")


class ReaderParts(Job):
    """The small parts of reading the text in order: a lone expression noted, the case an 'otherwise' row means,"""

    def definitions_first(self, chains):
        """The row's chains, with a definition written after the chain that uses it brought before that chain
        ("... = \\sigma(z), \\quad z = s_1 - s_0": z is defined by the row itself, not a free value)."""
        ordered = list(chains)
        for position, chain in enumerate(chains):
            if position == 0 or len(chain.parts) != 2 or chain.relations[0] != "=" or chain.continued:
                continue
            name = chain.parts[0].strip()
            if not _SIMPLE_NAME.fullmatch(name) or not self.undefined_name(name):
                continue
            used = re.compile(r"(?<![A-Za-z\\])" + re.escape(name) + r"(?![A-Za-z_])")
            earlier = [c for c in ordered[:ordered.index(chain)] if any(used.search(part) for part in c.parts)]
            if earlier:
                ordered.remove(chain)
                ordered.insert(ordered.index(earlier[0]), chain)
        return ordered

    def undefined_name(self, name: str) -> bool:
        try:
            value = self.state.read(name).value
        except Unread:
            return False
        return isinstance(value, sympy.Basic) and not self.decisions.defined(value) \
            and value not in self.state.seen

    def note_lone(self, parts, line):
        """An expression without a relation: nothing to check (a name in the prose, a reference), unless the words
        before it name a term of the last expression read ("Call the first part $L_{data}$" after L = ...): then
        it is defined as that term, as written."""
        position = named_part(self.state.case_words)
        if position is None or len(parts) != 1 or self.state.last is None:
            return
        terms = top_level_terms(self.state.last.text)
        if len(terms) < 2 or position >= len(terms):
            return
        term = terms[position]
        if term.startswith("-"):
            return                      # "the second part" of a - b: b or -b, the words do not say
        term = term[1:].strip() if term.startswith("+") else term
        self.definitions.definition(parts[0], term, line, "", "define")

    def otherwise_case(self, head_text: str, line: int) -> list:
        """"For the correct class: ∂L_i/∂w_{y_i} = ...  Otherwise: ∂L_i/∂w_j = ...": the head of the line before
        at the label y_i, this one at an index j: the case j ≠ y_i. [] when the heads are not so related."""
        before = normalized(self.state.previous_head or "")
        for label in ("y_i", "y_n", "y_{i}", "y_{n}", "y"):
            for written in ("{" + label + "}", label):
                if written not in before:
                    continue
                pattern = re.escape(before).replace(re.escape(written), r"(?:\{([a-z])\}|([a-z]))", 1)
                found = re.fullmatch(pattern, normalized(head_text))
                if not found:
                    continue
                index = found.group(1) or found.group(2)
                condition = f"{index} \\neq {label}"
                read = self.cases.conditions_of(condition, line)
                if read is None or not read[0] or read[1]:
                    return []
                self.state.context(line, "otherwise", "condition",
                                   said(show_relation(read[0][0]), " (otherwise: the line before is at ", Code(label), ")"))
                return list(read[0])
        return []

    def is_index_letter(self, text: str) -> bool:
        """A letter written alone that stands for an index (k, j, T), not a quantity the text names (x, q)."""
        letter = text.strip()
        if not re.fullmatch(r"[a-zA-Z]", letter) or letter not in INDEX_LETTERS:
            return False
        def named(name):
            return getattr(name, "name", None) == letter and not getattr(name, "is_integer", False)
        return not any(named(name) for name in self.state.seen) \
            and not any(named(name) for name in self.state.names.definitions) \
            and not shifts_by(letter, self.state.text)

    def one_hot_entry(self, parts, line: int) -> bool:
        """``t_c = 1``, ``t_k = 0`` of a one-hot target t: what the text says t is (1 at the label, 0 elsewhere),
        read as such, never a case or a claim."""
        letter = self.state.names.one_hot_y
        if not letter or parts[1].strip() not in ("0", "1") \
                or not re.fullmatch(re.escape(letter) + r"_\{?\s*[a-z]\s*\}?", parts[0].strip()):
            return False
        self.state.context(line, f"{parts[0].strip()} = {parts[1].strip()}", "definition",
                           said("the one-hot target ", sympy.Symbol(letter), ": 1 at the label, 0 elsewhere"))
        return True

    def fixes_a_free_index(self, relation) -> bool:
        """``c = 2`` ("With c = 2 here") where c is an index the text's definitions leave free (L = -log y_c): the
        value of that index from here on (a case of the example), not a relation that states no case."""
        if not isinstance(relation, sympy.Eq) or not isinstance(relation.lhs, sympy.Symbol) \
                or not relation.rhs.is_Integer:
            return False
        for definition in self.state.names.definitions.values():
            value = getattr(definition, "value", None)
            if isinstance(value, sympy.Basic) and not getattr(definition, "parameters", ()) \
                    and relation.lhs in value.free_symbols:
                return True
        return False

    def sigmoid_argument(self, head: str):
        """The letter of σ(x) heading a formula about the sigmoid (a claim, its x one number), or None."""
        names = self.state.names
        return prose.function_argument(head, {letter for letter, f in names.functions.items() if f in names.definitions})

    def remember_head(self, text, line, head_text):
        try:
            reading = self.state.read(text)
        except Unread:
            self.state.last = None
            return
        head = None
        try:
            head = self.state.read(head_text)
        except Unread:
            pass
        self.state.last = Last(reading, text, line, correct=reading, correct_line=line, head=head, head_text=head_text)


def shifts_by(letter: str, text: str) -> bool:
    """Whether ``text`` subtracts ``letter`` from a subscripted quantity (z_k - m, e^{s_j - c}, exp(a_i - M)):
    the max of a log-sum-exp shift, a number, never an index (an index is never taken from a score)."""
    return bool(re.search(r"(?<![A-Za-z\\])[A-Za-z]_\{?[A-Za-z0-9]+\}?\s*-\s*" + re.escape(letter) + r"(?![A-Za-z0-9_])",
                          text))
