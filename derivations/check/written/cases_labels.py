"""The label of a worked example given as a relation (y_i = 0, true class c = 2, that is class k = 3), and where the
text treats a case (a stated condition, the other case's head, words such as off the diagonal)."""
from __future__ import annotations

import re

import sympy
from sympy import Eq, Ne, Symbol

from ...engine import notation
from ...parse.errors import ParseError
from .algebra import negation_of, show_relation
from .said import said
from .state import Job, Unread
from .statements import split_chain
from .wording import normalized

#: a label with its place said in words: "y = 2 (the middle score)", "y = 1 (first entry)"
_ORDINAL_LABEL = re.compile(r"y(?:_\{?i\}?)?\s*=\s*(\d+)\$?\s*\(\s*(?:the\s+)?(first|second|third|fourth|middle|last)\b",
                            re.IGNORECASE)
#: y an input of a function or a circuit (f(x, y, z) = (x + y) z): "y = 5" is its value, not a label
_Y_IS_AN_INPUT = re.compile(r"\(\s*x\s*,\s*y\s*(?:,\s*z\s*)?\)|(?<![A-Za-z\\_])x\s*\+\s*y(?![A-Za-z_])")


class CasesLabels(Job):
    """The label of a worked example, and where the text treats a case."""

    def is_given_label(self, relation, line, chain) -> bool:
        """``y_i = 0``: the label of the worked example (and not a case)."""
        source = self.state.source_line(line)
        named = isinstance(relation, Eq) and isinstance(relation.lhs, Symbol) and relation.lhs.is_integer \
            and re.search(r"\b(?:true|correct)\s+(?:class|label)\b[^.]*?\bclass\s+\$?" + re.escape(relation.lhs.name)
                          + r"\$?\s*=", source)      # "the true label is ship, that is class k = 3": the label
        if isinstance(relation, Eq) and (relation.lhs == notation.y or named) and relation.rhs.is_Integer \
                and not _Y_IS_AN_INPUT.search(self.state.text):
            number = int(chain.parts[1]) if re.fullmatch(r"\s*\d+\s*", chain.parts[1]) else int(relation.rhs)
            count = len(self.state.givens.scores) if self.state.givens.scores is not None else next(
                (len(v) for k, v in self.state.givens.vectors.items()
                 if k in self.state.names.definitions or str(k) in ("s", "f", "z", "p")), None)
            if count is not None and number == count:
                self.state.names.one_based = True      # "y = 3" of three scores: the classes are numbered from 1
            place = _ORDINAL_LABEL.search(source)
            if place and count is not None:            # "y = 2 (the middle score)": the place the text means
                index = {"first": 0, "second": 1, "third": 2, "fourth": 3, "middle": (count - 1) // 2,
                         "last": count - 1}[place.group(2).lower()]
                if int(place.group(1)) == index + 1:
                    self.state.names.one_based = True
            self.state.givens.label = number - (1 if self.state.names.one_based else 0)
            self.state.givens.label_offset = 1 if self.state.names.one_based else 0
            if re.fullmatch(r"\s*y\s*", chain.parts[0]) and relation.rhs in (0, 1):
                target = sympy.Symbol("y", real=True)      # "y = 1" of a logistic example: also y in ŷ − y
                self.state.givens.values.setdefault(target, [])
                if relation.rhs not in self.state.givens.values[target]:
                    self.state.givens.values[target].append(relation.rhs)
            self.state.context(line, f"{chain.parts[0]} = {chain.parts[1]}", "given",
                               said(notation.y, " = ", relation.rhs))
            return True
        return False
    def case_treated(self, relation, before_text, line: int = 0) -> str:
        """Where the text takes up ``relation`` or the other case: a stated condition or the other case's head."""
        for text in self.state.part.stated_conditions:
            try:
                chain = split_chain(text)
                found = self.condition_of_chain(chain) if len(chain.parts) == 2 else None
                if not found or found[0] != "index":
                    same = self.same_name_condition(chain) if len(chain.parts) == 2 else None
                    found = ("index", same) if same is not None else found
            except (ParseError, Unread, ValueError):
                found = None
            if found and found[0] == "index" and found[1] in (relation, negation_of(relation),
                                                                 relation.reversed, negation_of(relation).reversed):
                return said("the text states the case ", show_relation(found[1]))
        head = normalized(before_text)
        symbols = sorted(relation.free_symbols, key=str)
        if notation.y in symbols and ("\\partial" in head or "\\nabla" in head):
            other = [s for s in symbols if s != notation.y]
            if other:
                letter = other[0].name
                companion = re.sub(r"_\{" + re.escape(letter) + r"\}|_" + re.escape(letter) + r"(?![A-Za-z0-9'])",
                                   "_{y_i}", head)
                if companion != head and (companion in self.state.part.heads or companion in self.state.all_heads):
                    return said("the text treats ", other[0], " = ", notation.y, " separately")
        lines = self.state.outcome.lines
        words = " ".join(lines[max(line - 3, 0):max(line - 1, 0)])[-160:] + " " + (self.state.case_words or "")[-120:]
        if len(symbols) == 2 and notation.y not in symbols:     # "off the diagonal dp_c/da_k = -p_c p_k": c ≠ k
            if isinstance(relation, Ne) and re.search(r"off[- ](?:the[- ])?diagonal|(?:two\s+)?(?:different|distinct)\s+"
                                                      r"ind(?:ices|exes)", words, re.IGNORECASE):
                return "the words say the two indices differ (off the diagonal)"
            if isinstance(relation, Eq) and re.search(r"\bon\s+the\s+diagonal|diagonal\s+(?:entries|terms)", words,
                                                      re.IGNORECASE) and not re.search(r"off", words[-40:]):
                return "the words say the two indices are equal (on the diagonal)"
        if isinstance(relation, Ne) and notation.y in symbols and len(symbols) == 2:
            letter = next(s for s in symbols if s != notation.y).name
            if re.search(r"(?:\\sum|(?<![A-Za-z\\])sum|Σ)_\{?\s*" + letter + r"\s*(?:\\neq?|\\not=|!=|≠)\s*y",
                         self.state.text):
                return said(Symbol(letter), " of the terms of the sum over ", Symbol(letter), " ≠ ", notation.y)
        return ""
