"""Cases: conditions on indices (``k = y_i``, ``when j \\neq y_i``) that restrict the checks that
follow, conditions on real quantities that restrict their own line, and the case a step holds in
when the text takes up the other case elsewhere."""
from __future__ import annotations

import re

import sympy
from sympy import Eq, Indexed, Ne, Symbol

from ...engine import notation
from ...engine.notation import COUNTS
from ...parse.errors import ParseError
from ...parse.written import BOUND_MARK, NameRef
from ..numeric import read_number
from .algebra import index_pairs, negation_of, show_relation
from .cases_labels import _Y_IS_AN_INPUT, CasesLabels
from .judging import RealCondition
from .reader_parts import shifts_by
from .roles import index_symbol
from .said import Quote, said
from .state import INDEX_LETTERS, Unread
from .statements import read_row, split_chain
from .wording import has_derivative

#: a derivative written in a formula: \\partial, \\nabla, ∂, d/dx, \\frac{d...}{d...}
_DERIVATIVE = re.compile(r"\\partial|\\nabla|∂|∇|(?<![A-Za-z])d[A-Za-z_{}\\^0-9]*\s*/\s*d[A-Za-z\\]|\\[dt]?frac\s*\{\s*d")




class Cases(CasesLabels):
    """Cases."""

    def conditions_of(self, text: str, line: int):
        """(index relations, real conditions) of a condition text, or None when it cannot be read."""
        statement = read_row(text)
        index_part, real_part = [], []
        chains = list(statement.chains)
        for clause in statement.leading + statement.conditions:
            chains += read_row(clause.text).chains
        if not chains:
            return None
        for chain in chains:
            found = self.condition_of_chain(chain)
            if found is None:
                return None
            kind, value = found
            (index_part if kind == "index" else real_part).append(value)
        return index_part, real_part

    def condition_of_chain(self, chain):
        if len(chain.parts) != 2 or len(chain.relations) != 1:
            return None
        left, right = chain.parts
        relation = chain.relations[0]
        try:
            a = self.read_index(left)
            b = self.read_index(right)
        except (ParseError, Unread):
            a = b = None
        if a is not None and b is not None and self.state.names.one_based and not (a.has(notation.y) or b.has(notation.y)):
            a, b = (x - 1 if re.fullmatch(r"\s*\d+\s*", t) and x >= 1 else x for x, t in ((a, left), (b, right)))
            #       "for j ≠ 3" of classes numbered 1 to 4: j ≠ 2 (the label's own number is shifted where it is given)
        if a is not None and b is not None:
            op = {"=": Eq, "!=": Ne, "<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge}.get(relation)
            if op is None:
                return None
            return "index", op(a, b)
        same = self.same_name_condition(chain)
        if same is not None:
            return "index", same
        try:
            u = self.state.scalar(left) - self.state.scalar(right)
        except (ParseError, Unread):
            return None
        if relation in (">", "<", ">=", "<="):
            return "real", RealCondition(u, relation, f"{left} {relation} {right}")
        if relation == "=":
            name, value = self.state.scalar(left), self.state.scalar(right)
            if isinstance(name, (Symbol, Indexed)) and not getattr(name, "is_integer", False) and value.is_number:
                return "real", RealCondition(name, "=", f"{left} = {right}", value=value)     # "when t = 1"
        return None

    def read_index(self, text: str):
        """An index expression (k, y_i, 1, j + 1), or None when ``text`` is not one."""
        if self.state.names.label_letter and text.strip() == self.state.names.label_letter:
            return notation.y                       # "true class c = 2": c is the label
        label = re.fullmatch(r"\s*y([in])\s*", text)
        if label and Symbol("y", real=True) not in self.state.names.definitions \
                and Symbol("y", real=True) not in self.state.seen:
            return self.state.names.indices(NameRef("y", subscript=(("label", "y", label.group(1)),)))[0]   # j != yi
        if re.search(r"\d\.\d|[()]|\\?(?:max|min|exp|log|ln|sum|frac|sigma)\b", text):
            return None                             # 0.6590 + 0.2424 + 0.0986 = 1, max(0, 4 - 3 + 1) = 2: never an index
        reading = self.state.read(text)
        value = reading.value
        if isinstance(value, sympy.MatrixBase) or reading.vector:
            return None
        mapping = {s: index_symbol(s.name) for s in value.free_symbols
                   if isinstance(s, Symbol) and not s.is_integer and s.name.rstrip("'") in INDEX_LETTERS
                   and s not in self.state.names.definitions and s not in self.state.seen
                   and not shifts_by(s.name, self.state.text)}
        if text.strip() == "y" and value == Symbol("y", real=True) and value not in self.state.names.definitions \
                and value not in self.state.seen and not _Y_IS_AN_INPUT.search(self.state.text):
            mapping[value] = notation.y                 # a bare y compared with an index: the label
        value = value.xreplace(mapping)
        if value.is_integer and not value.has(Indexed) and not (value.free_symbols & set(COUNTS)):
            return value
        return None

    def condition_chain(self, chain, line, persistent: bool, text: str):
        """Maths read as a case (after "when", "if", "for" in the prose); ``Delta = 2`` there is a given value."""
        if not chain.relations or chain.continued:
            return
        if len(chain.parts) == 2 and chain.relations == ["="] and (read_number(chain.parts[1].strip()) is not None
                                                                   or numbers_listed(chain.parts[1])) \
                and not self.reader.is_index_letter(chain.parts[0]) and self.definitions.definition(
                    chain.parts[0], chain.parts[1], line, "", "condition") == "given":
            return
        if len(chain.parts) == 2 and len(chain.relations) == 1:
            found = self.condition_of_chain(chain)
            if found and found[0] == "index":
                self.set_persistent(found[1], line, text)
                return
            same = self.same_name_condition(chain)
            if same is not None:
                self.set_persistent(same, line, text)
                return
        if chain.relations[0] == "=" and len(chain.parts) >= 2 and self.names_a_new_quantity(chain.parts[0]):
            self.reader.chain(chain, line, "", [], [], read_row(text), "display")     # "For $L_i = ...$": a definition
            return
        if chain.relations[0] == "=" and len(chain.parts) >= 2 and _DERIVATIVE.search(chain.parts[0]):
            # "for $dL/ds_k = p_k$", "flat when $dL/dx = 0$": a claim about a derivative, checked, never a silent
            # case; but the words also allow a condition, so sides that differ make it not read, never wrong
            self.state.unapplied.setdefault(line, text.strip())
            self.reader.chain(chain, line, "", [], [], read_row(text), "display")
            return
        if any(r in ("=", "approx") for r in chain.relations) and any(has_derivative(p) for p in chain.parts):
            shown = " = ".join(p.strip() for p in chain.parts)
            self.state.entry(line, shown, "unread", "an equation of derivatives written as a condition (after "
                                                    "\"if\", \"when\", \"for\" in a sentence): not read as a step")
            return
        if len(chain.parts) == 2 and chain.relations[0] in (">", "<", ">=", "<="):
            found = self.conditions_of(f"{chain.parts[0]} {chain.relations[0]} {chain.parts[1]}", line)
            source = self.state.source_line(line)
            after = source[source.find(text.strip()) + len(text.strip()):] if text.strip() in source else " and"
            joined = re.match(r"\s*\$?\s*(?:and|or|but|while|unless|with)\b", after)    # "u > 0 and the weather ..."
            if found is not None and not found[0] and len(found[1]) == 1 and not joined:
                # "if f_j - f_{y_i} + Δ > 0 (margin positive): ∂L_i/∂f_j = 1": the case of the rest of the line,
                # and of a formula after "otherwise" on the next line, the other case
                condition = found[1][0]
                try:
                    condition = RealCondition(self.state.expanded(condition.u), condition.op, condition.text)
                except Unread:
                    pass                            # f_j of f = W x_i: the case at the same point as the step
                self.state.line_real[line] = [condition]
                self.state.context(line, text, "condition", said("the case ", Quote(text.strip()), " of what follows "
                                                                 "on this line"))
                return
        self.state.context(line, text, "note", "a condition on real quantities in the prose: it restricts no check")
        self.unapplied(line, " ".join(f"{p.strip()} {r}" for p, r in zip(chain.parts, chain.relations + [""])).strip())

    def unapplied(self, line: int, case: str):
        """A case the prose of ``line`` states that no check takes up: a step of that line whose sides differ is
        not read (the case may be meant for it), before or after it on the line."""
        self.state.unapplied.setdefault(line, case)
        for entry in self.state.outcome.entries:
            if entry.source_line == line and entry.verdict == "wrong":
                entry.verdict, entry.counterexample, entry.diagnosis = "unread", None, None
                entry.verified_by = (f"the two sides differ, but the sentence states a case "
                                     f"({self.state.unapplied[line]}) that could not be applied to this step")

    def names_a_new_quantity(self, text: str) -> bool:
        """Whether ``text`` is a name the text has not defined yet (L_i in "For $L_i = -\\log p_{y_i}$")."""
        try:
            value = self.state.read(text).value
        except Unread:
            return False
        if isinstance(value, sympy.Indexed):
            return value.base not in self.state.names.definitions and value.base not in self.state.seen
        return isinstance(value, Symbol) and not value.is_integer and value not in self.state.names.definitions \
            and value not in self.state.seen

    def same_name_condition(self, chain):
        """``s_i = s_j`` read as the case i = j (the same name at two indices)."""
        if len(chain.parts) != 2 or chain.relations[0] not in ("=", "!=", "approx"):
            return None
        try:
            a, b = self.state.scalar(chain.parts[0]), self.state.scalar(chain.parts[1])
        except (ParseError, Unread):
            return None
        if isinstance(a, Indexed) and isinstance(b, Indexed) and a.base == b.base and len(a.indices) == 1 \
                and len(b.indices) == 1 and a != b:
            return (Ne if chain.relations[0] == "!=" else Eq)(a.indices[0], b.indices[0])
        return None

    def persistent_condition(self, text: str, line: int):
        chain = split_chain(text)
        found = self.condition_of_chain(chain) if chain.parts else None
        if found and found[0] == "index":
            self.set_persistent(found[1], line, text)
        else:
            self.state.context(line, text, "note", "this assumption could not be read as a case on indices")

    def set_persistent(self, relation, line: int, text: str):
        if relation in (sympy.true, sympy.false):
            return
        symbols = relation.free_symbols
        pinned = any(s.is_Integer for s in (relation.lhs, relation.rhs)) and line != 0
        self.state.part.conditions = [c for c in self.state.part.conditions if c[0].free_symbols != symbols]
        self.state.part.conditions.append((relation, line, text, pinned))
        self.state.part.general = False
        self.state.context(line, text, "condition", show_relation(relation))

    def index_conditions(self, extra=()):
        return [c[0] for c in self.state.part.conditions] + list(extra)

    def scalar_defined(self, text):
        try:
            value = self.state.scalar(text)
        except (Unread, ParseError):
            return None
        return isinstance(value, Indexed) and value.base in self.state.names.definitions

    def companion(self, entry, a, b, conditions, real, before_text, checked: str = "", written=()) -> bool:
        """A step true in one case only (j ≠ y_i), when the text treats the other case elsewhere."""
        if self.state.part.general:
            return False                    # "in one formula", "for all j and k": every case is meant
        indices = _step_indices(a, b)
        if len(indices) < 2:
            return False
        pairs = index_pairs(indices)
        if notation.y not in indices and len(indices) > 3:
            return False                    # many indices and no label: no case the text could mean
        for first, second in pairs[:6]:
            if _written_for_both_cases(written, first, second):
                continue                    # p_k - 1[k = y_i]: the formula itself covers both cases
            for relation in (Ne(first, second), Eq(first, second)):
                if relation in conditions or negation_of(relation) in conditions:
                    continue
                verification = self.state.judge.equal(a, b, list(conditions) + [relation], real)
                if not verification.ok:
                    continue
                where = self.case_treated(relation, before_text, entry.source_line)
                if where:
                    entry.verdict = "verified"
                    entry.verified_by = said("when ", show_relation(relation), " (", where, "): ", checked,
                                             verification.verified_by)
                    return True
                entry.notes.append(said("it holds when ", show_relation(relation), ", a case the line does not state"))
                return False
        return False

    def stated_case(self, a, b, conditions, before_text):
        """The case (j ≠ y_i ...) of a step that the text takes up elsewhere, if there is one."""
        if self.state.part.general:
            return None
        indices = _step_indices(a, b)
        if notation.y not in indices:
            return None
        for first, second in index_pairs(indices)[:4]:
            for relation in (Ne(first, second), Eq(first, second)):
                if relation in conditions or negation_of(relation) in conditions:
                    continue
                where = self.case_treated(relation, before_text)
                if where:
                    return Ne(first, second) if "separately" in where else relation
        return None




def numbers_listed(text: str) -> bool:
    """Whether ``text`` is a list of numbers, (3, -1, 4) or [1, 2, 0]: the values of a worked example's vector."""
    found = re.fullmatch(r"\s*(?:\\left)?[(\[]\s*(.*?)\s*(?:\\right)?[)\]]\s*", text, re.DOTALL)
    if not found or "," not in found.group(1):
        return False
    return all(read_number(item.strip()) is not None for item in found.group(1).split(","))


def _step_indices(a, b) -> list:
    """The free indices of a step (those of a derivative's variable too: p in d L / d s_p), sorted."""
    from ...engine.verify import integer_symbols
    found = set()
    for side in (a, b):
        if isinstance(side, sympy.Basic) and not isinstance(side, sympy.MatrixBase):
            found |= integer_symbols(side)
    return sorted((s for s in found if not s.name.endswith(BOUND_MARK) and s not in COUNTS
                   and not s.name.startswith(("c_", "r_"))), key=str)


def _written_for_both_cases(written, first, second) -> bool:
    """Whether a side as written (before definitions go in) holds the indicator of ``first = second``
    (KroneckerDelta): a formula written for both cases at once (p_k - 1[k = y_i]), so that a step true in
    one of them only is wrong, not a case."""
    deltas = (sympy.KroneckerDelta(first, second), sympy.KroneckerDelta(second, first))
    return any(isinstance(side, sympy.Basic) and any(side.has(d) for d in deltas) for side in written)
