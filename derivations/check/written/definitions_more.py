"""The helpers of reading a definition: a name known, a definition completed by a later case, an evaluation
point, a Jacobian named, a value given through a definition (ŷ = 0.8, so z = log 4), a name defined anew (for a
batch, through a name never seen), and storing a definition."""
from __future__ import annotations

import re

import sympy
from sympy import Indexed, IndexedBase, Symbol

from ...engine import notation
from .algebra import (
    describe_definition,
    is_number,
    name_key,
    plain_text,
    relation_indicator,
    solved_for,
)
from .definitions_through import DefinitionsThrough
from .names_examples import per_example_term
from .roles import Definition, index_symbol
from .said import said
from .state import Unread


class DefinitionParts(DefinitionsThrough):
    """The helpers of reading a definition: a name known, a definition completed by a later case, an evaluation"""

    def first_seen(self, value) -> bool:
        """Whether ``value`` uses an indexed name the text has not written before (L = 1/N sum_n L_n after L was
        one example's loss): a claim about the name cannot be checked through a name never seen, so the line
        defines the name anew (for the data set) rather than claiming something of the old one."""
        if not isinstance(value, sympy.Basic):
            return False
        seen = self.state.seen
        seen_names = {getattr(s, "name", None) or str(s) for s in seen}
        return any(atom.base not in seen and atom.base not in self.state.names.definitions
                   and atom.base.label.name not in seen_names for atom in value.atoms(Indexed))

    def given_through(self, key, value, line: int):
        """"Suppose ŷ = 0.8" with ŷ := σ(z): z is given too, the one value with σ(z) = 0.8 (log 4), so that a
        derivative taken by z (dL/dz = ŷ - t = 0.8 - 1) is worked at the example's point, not at random scores.
        Only a definition through one name that has a single real solution; else nothing is given."""
        definition = self.state.names.definitions.get(key)
        body = getattr(definition, "value", None)
        if not isinstance(body, sympy.Basic) or body.atoms(Indexed):
            return
        names = [s for s in body.free_symbols if not s.is_integer]
        values = self.state.givens.values
        if len(names) != 1 or names[0] in values or sympy.count_ops(body) > 12:
            return
        inner = names[0]
        try:
            found = [s for s in sympy.solve(sympy.Eq(body, value), inner) if s.is_real]
        except (NotImplementedError, TypeError, ValueError):
            return
        if len(found) != 1:
            return
        values[inner] = [found[0]]
        if values.get(key) == [value]:
            del values[key]                 # ŷ is then σ(z) at that z: it stays a function of z for derivatives
        self.state.context(line, f"{plain_text(inner)} = {found[0]}", "given",
                           said(plain_text(inner), " = ", found[0], " (the one value with ", plain_text(key), " = ",
                                value, ")"))

    def batch_of(self, key, value) -> bool:
        """Whether ``value`` sums over the examples (a bound up to N) while ``key`` is defined for one example
        (L(w) = -t log y - ..., then "for a data set, with L = 1/N sum_n L_n"): the name is defined anew for the
        batch; a claim cannot equate one example's loss with the mean over all of them."""
        from ...engine import notation
        old = self.state.names.definitions.get(key)
        if old is None or not isinstance(value, sympy.Basic):
            return False
        body = old.value if old.value is not None else old.body
        if not isinstance(body, sympy.Basic) or body.has(notation.N):
            return False
        return any(limit[2] == notation.N - 1 for total in value.atoms(sympy.Sum) for limit in total.limits)

    def constraint(self, left: str, right: str, line: int) -> bool:
        """ "a one-hot target ($t_1 + t_2 = 1$)": a relation a sentence states between unknowns the text never
        defines, solved for one of them and used from here on (it cannot be checked: nothing says what they are)."""
        try:
            a, b = self.state.scalar(left), self.state.scalar(right)
        except Unread:
            return False
        if a.has(sympy.Derivative) or b.has(sympy.Derivative):
            return False
        unknowns = {x for side in (a, b) for x in side.atoms(Indexed) | side.free_symbols
                    if isinstance(x, (Indexed, Symbol)) and not getattr(x, "is_integer", False)}
        unknowns = {x for x in unknowns if not (isinstance(x, Symbol) and any(
            isinstance(i, Indexed) and i.base.label == x for i in unknowns))}
        if not unknowns or len(unknowns) > 4 or any(self.known(x) for x in unknowns):
            return False
        if self.state.judge.equal(a, b).ok:
            return False                    # an identity (log Σ e^{s_j} = c + log Σ e^{s_j - c}): checked as a step
        solved = solved_for(a, b)
        if solved is None and not (is_number(a) or is_number(b)):
            self.state.entry(line, f"{left} = {right}", "unread", "a relation between quantities the text does not "
                                                                   "define that does not hold for every value: a claim "
                                                                   "or an assumption, the text does not say which")
            return True
        if solved is None:
            self.state.context(line, f"{left} = {right}", "assumption", "a relation the text states between unknowns "
                                                                        "it does not define: taken as stated")
            return True
        atom, value = solved
        key, parameters, at = name_key(atom)
        if key is None or parameters:
            return False
        self.store(key, (), at, value, line, f"{left} = {right}")
        self.state.context(line, f"{left} = {right}", "note", said("a relation the text states between unknowns it "
                                                                 "does not define: ", plain_text(atom), " = ",
                                                                 plain_text(value), " from here on"))
        return True

    def known(self, name) -> bool:
        """Whether the text has defined ``name`` or given it a value."""
        definitions, givens = self.state.names.definitions, self.state.givens.values or {}
        if name in givens or name in definitions:
            return True
        return isinstance(name, Indexed) and name.base in definitions and \
            definitions[name.base].apply(tuple(name.indices)) is not None

    def complete(self, value, right: str, line: int, left: str) -> str:
        """ "β_{n,y_n} = 0" after "β_nj = 1[...] for j ≠ y_n": the value in the case the definition left out."""
        if not isinstance(value, Indexed) or value.base not in self.state.names.definitions:
            return ""
        definition = self.state.names.definitions[value.base]
        if not getattr(definition, "partial", None) or len(definition.parameters) != len(value.indices):
            return ""
        at = dict(zip(definition.parameters, value.indices))
        if any(sympy.simplify(relation.xreplace(at)) is not sympy.false for relation in definition.partial):
            return ""
        try:
            rhs = self.state.scalar(right)
        except Unread:
            return ""
        if rhs.free_symbols & {p for p, v in at.items() if v != p}:
            return ""                               # the value may name the example n, not the case's own index
        if rhs.has(value.base):             # G_{i,y_i} = -sum_{k != y_i} G_ik: the entries it sums are the cases
            rhs = rhs.replace(                # already defined, put in (else the definition would hold itself)
                lambda e: isinstance(e, Indexed) and e.base == value.base and definition.apply(e.indices) is not None,
                lambda e: definition.apply(e.indices))
        stated = sympy.Integer(1)
        for relation in definition.partial:
            stated *= relation_indicator(relation)
        definition.body = definition.body + rhs * (1 - stated)
        definition.partial = ()
        self.state.context(line, f"{left} = {right}", "definition",
                           said(plain_text(value), " = ", plain_text(rhs), ": the case the definition above left out"))
        return "definition"

    def unreadable(self, left: str, line: int):
        """The name ``left`` defines, whose definition could not be read: a step that uses it is not read (it
        would be a name without a value, its derivatives 0)."""
        try:
            value = self.state.read(left).value
        except Unread:
            return
        key = value.base if isinstance(value, Indexed) else value
        if isinstance(key, (Symbol, IndexedBase)) and key not in self.state.names.definitions:
            self.state.names.unreadable[key] = line

    def evaluation_point(self, line: int, left: str) -> bool:
        """Whether the sentence of ``left`` on ``line`` gives values to work an example at: it starts with For,
        With, At, Given, Take, Let or Example, or says "with"/"at"/"for" before the formula."""
        lines = self.state.text.splitlines()
        if not 1 <= line <= len(lines):
            return False
        text = lines[line - 1]
        before = text[:max(text.find(left), 0)].lower()
        if re.search(r"\b(?:with|at|for|given|suppose|assume|assuming|let|take|taking|set|setting)\s+\$?\s*$", before):
            return True
        opening = re.match(r"\s*(?:[*_#>-]+\s*)?(?:for|with|at|given|take|taking|let|example|e\.g\.|numbers|values)\b",
                           text.lower())
        return bool(opening) and not re.search(r":|;|\b(?:gives?|get|so|then|we|is|are|equals?)\b",
                                               before[opening.end():])

    def names_the_jacobian(self, key, line) -> bool:
        """J defined by a matrix in a text whose p is the softmax of the scores, where J or the line is said to be
        the Jacobian (J = diag(p) - p p^T): J is dp/ds, so the right side is a claim about it, checked as one."""
        from ...engine import notation
        if key.name != "J" or notation.p not in self.state.names.definitions:
            return False
        definition = self.state.names.definitions[notation.p]
        body = getattr(definition, "body", None)
        if not isinstance(body, sympy.Basic) or not body.has(notation.s):
            return False
        return bool(re.search(r"jacobian", self.state.text, re.IGNORECASE))

    def example_term(self, key, rhs, line):
        """``L = (1/N) sum_n sum_{j != y_n} max(...) + ...`` with L_n never defined: L_n is the term of example n
        (the per-example loss), said in a context line; a later definition of L_n replaces it."""
        if not re.fullmatch(r"[A-Z]", key.name):
            return
        term = per_example_term(rhs)
        symbol = Symbol(f"{key.name}_n", real=True)
        if term is None or symbol in self.state.names.definitions:
            return
        example, body = term
        self.state.names.definitions[symbol] = Definition(symbol, value=body, line=line, written=f"{symbol.name} = ...")
        self.state.see(body)
        self.state.context(line, symbol.name, "definition",
                           said(symbol, " = ", plain_text(body), ": the term of example ", example, " of ", key,
                                " (the text does not define ", symbol, ")"))

    def examples_named(self, rhs, parameters):
        """``G_nc = dL_n/ds_nc / N`` with L_n defined: L_n is the loss of example n, so G_{k,c} must hold example
        k's (the entry k of L_n's family), not L_n itself, whatever the index G is taken at."""
        if not isinstance(rhs, sympy.Basic):
            return rhs
        for parameter in parameters:
            named = [s for s in rhs.free_symbols if isinstance(s, Symbol) and not s.is_integer
                     and s.name.partition("_")[2].split("^")[0] == getattr(parameter, "name", None)]
            definitions = self.state.names.definitions
            if named and all(s in definitions and definitions[s].value is not None for s in named):
                rhs = self.state.names.rebind(rhs, parameter, parameter)
        return rhs

    def store(self, key, parameters, at, rhs, line, written):
        example = index_symbol("i")
        if len(parameters) >= 2 and example in parameters and isinstance(rhs, sympy.Basic) and rhs.has(notation.y):
            from .roles import example_label  # Y_{ij} = 1[j = y_i]: y_i is the label of each example i
            rhs = rhs.xreplace({notation.y: example_label(example)})
        if isinstance(key, IndexedBase):
            rhs = self.examples_named(rhs, parameters)
            existing = self.state.names.definitions.get(key)
            definition = Definition(key, line=line, written=written)
            if at:
                definition.at = dict(existing.at) if existing and key in self.state.part.defined else {}
                if existing and existing.body is not None and key in self.state.part.defined:
                    definition.parameters, definition.body = existing.parameters, existing.body
                definition.at[at] = rhs
            else:
                definition.parameters, definition.body = parameters, rhs
            self.state.names.definitions[key] = definition
        else:
            self.state.names.definitions[key] = Definition(key, value=rhs, line=line, written=written)
            self.state.names.define_family(key)     # L_n defined after L = 1/N sum_n L_n: L's terms are L_n's
            self.example_term(key, rhs, line)
        fresh = key not in self.state.seen
        self.state.names.unreadable.pop(key, None)
        self.state.part.defined.add(key)
        self.state.see(rhs)
        self.state.context(line, written, "definition", describe_definition(key, parameters, at, rhs))
        if fresh and not at:
            self.rewrite_through(key, parameters, rhs, line, written)

