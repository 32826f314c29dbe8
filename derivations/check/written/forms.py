"""Definitions of a particular form: a vector (``s' = 2s``, ``\\mathbf{s} = \\mathbf{W}^T \\mathbf{x}``), a
matrix (``J = \\partial p / \\partial s``, ``S = XW``), a function (``f(x, y, z) = ...``), an exception
(``t_{m \\neq T} = 0``) and cases (``\\beta_{nj} = \\begin{cases} ...``, checked to cover every case once)."""
from __future__ import annotations

import re

import sympy
from sympy import Indexed, IndexedBase, Symbol

from ...engine import notation
from .algebra import relation_indicator
from .expand import expand
from .given_numbers import GivenNumbers
from .roles import Definition, index_symbol
from .said import Quote, not_read, said, shown
from .state import Unread


class Forms(GivenNumbers):
    """Definitions of a particular form."""

    def starts_example(self, line: int) -> bool:
        """Whether ``line`` opens another example of a worked text ("Example 2:", "Image 2", "second example")."""
        text = self.state.source_line(line)
        return bool(re.match(r"\s*(?:[#*>-]+\s*)?(?:example|image|sample|data point)\s*\(?\d+\)?\s*[:.)]|"
                             r"\s*(?:[#*>-]+\s*)?(?:second|third|next|another)\s+(?:example|image|sample)\b", text, re.IGNORECASE))

    def define_new_matrix(self, key: Symbol, rhs, line, left, right) -> str:
        """S = XW: a capital letter named for a matrix; a matrix from here on (entry (r, c) as the right side's)."""
        from ...parse.written_arrays import ROW
        from .roles import COMPONENT
        base = self.state.names.base(key.name)
        r, c = Symbol("r", integer=True), Symbol("c", integer=True)
        self.state.names.matrix_letters[key.name] = key.name
        self.definitions.store(base, (r, c), None, rhs.xreplace({ROW: r, COMPONENT: c}), line, f"{left} = {right}")
        return "definition"

    def define_new_vector(self, key: Symbol, rhs, line, left, right, count=None) -> str:
        """s' = 2s, p' = [e^6, e^-2, e^8] / (...): a new name for a vector, read as a vector from here on."""
        from .roles import COMPONENT
        base = IndexedBase(key.name, real=True)
        m = Symbol("m", integer=True)
        if isinstance(rhs, sympy.MatrixBase):
            definition = Definition(base, line=line, written=f"{left} = {right}",
                                    at={(sympy.Integer(i),): v for i, v in enumerate(rhs)})
        else:
            definition = Definition(base, parameters=(m,), body=rhs.xreplace({COMPONENT: m}), line=line,
                                    written=f"{left} = {right}")
        self.state.names.definitions[base] = definition
        self.state.names.bases[key.name] = base
        self.state.names.named_vectors[key.name] = count if count is not None else notation.K
        self.state.part.defined.add(base)
        self.state.see(rhs if not isinstance(rhs, sympy.MatrixBase) else sympy.Add(*rhs))
        self.state.context(line, f"{left} = {right}", "definition", said(key, " is a vector: ", shown(rhs)))
        return "definition"

    def define_example_vector(self, base, example, rhs, line, written) -> str:
        """``s_n = W^T x_n``: the scores of example n, a vector: s_{nc} is its entry c from here on."""
        from .roles import COMPONENT
        c = Symbol("c", integer=True)
        self.definitions.store(base, (example, c), None, rhs.xreplace({COMPONENT: c}), line, written)
        return "definition"

    def define_vector(self, value, right, line, left, count=None):
        """``\\mathbf{s} = \\mathbf{W}^T \\mathbf{x}_i``: the vector's entries, as an indexed definition."""
        from ...parse.written_arrays import ROW
        from .roles import COMPONENT as component
        if isinstance(value, Indexed) and value.indices == (ROW, component):
            return self.define_matrix(value, right, line, left)
        if self.given_weights(value, right, line, left):
            return "given"
        if not isinstance(value, Indexed) or value.indices != (component,):
            return ""
        try:
            reading = self.state.read(right)
        except Unread as error:
            self.state.entry(line, f"{left} = {right}", "unread", not_read(error), kind="definition")
            return "unread"
        if isinstance(reading.value, sympy.MatrixBase):
            return self.given_vector(value.base, reading.value, line, left, right, count)
        if not reading.vector and self.scalar_by_default(value.base, left):
            self.definitions.store(Symbol(left.strip(), real=True), (), None, reading.value, line, f"{left} = {right}")
            return "definition"                   # p = σ(z): one number, p a vector by convention only
        if value.base in self.state.names.definitions and (value.base in self.state.part.defined or not reading.vector):
            return ""                                   # p = e^s / 10.4752 after p was defined: a claim about it
        if not reading.vector:
            self.state.entry(line, f"{left} = {right}", "unread",
                             said("a definition that could not be read: ", Quote(left), " is a vector, ", Quote(right),
                                  " is not (a vector is defined by its entries)"), kind="definition")
            return "unread"
        m = Symbol("m", integer=True)
        base = value.base
        if base in self.state.part.defined:
            return ""
        if base == notation.p and re.search(r"(?<![\d.])\d+\.\d+", right) and self.state.givens.scores is not None \
                and base not in self.state.names.definitions and re.search(r"softmax|cross[- ]entropy",
                                                                           self.state.text, re.IGNORECASE):
            # "p = exp(s) / 11.1073": the softmax at the worked example's scores, its sum written as a number;
            # p is the softmax (the text is about it), and the line is a step checked at the given scores
            m_ = Symbol("m~", integer=True)
            body = sympy.exp(notation.s[m]) / sympy.Sum(sympy.exp(notation.s[m_]), (m_, 0, notation.K - 1))
            self.state.names.definitions[notation.p] = Definition(notation.p, parameters=(m,), body=body, line=line)
            self.state.part.defined.add(notation.p)
            self.state.context(line, f"{left} = {right}", "note", "p is the softmax of s (the text is about the "
                                                                  "softmax); the numbers on this line are its values "
                                                                  "at the given scores, checked as a step")
            return ""
        self.definitions.store(base, (m,), None, reading.value.xreplace({component: m}), line, f"{left} = {right}")
        return "definition"

    def scalar_by_default(self, base, left: str) -> bool:
        """Whether ``left`` is s or p written plain, a vector only by the course's convention (scores,
        probabilities): the text never writes it with an index, bold or transposed, nor defines it as a vector."""
        letter = left.strip()
        names = self.state.names
        return letter in ("s", "p") and getattr(base, "name", "") == letter and letter not in names.plain_vectors \
            and letter not in names.named_vectors and letter not in names.vector_families \
            and letter not in names.bold_letters and base not in names.definitions

    def define_matrix(self, value, right, line, left):
        """``J = \\partial p / \\partial s``, ``G = ...``: a matrix's entries, as an indexed definition."""
        from ...parse.written_arrays import ROW
        from .roles import COMPONENT
        base = value.base
        if base in self.state.part.defined or base in self.state.names.definitions:
            return ""
        try:
            reading = self.state.read(right)
        except Unread as error:
            self.state.entry(line, f"{left} = {right}", "unread", not_read(error),
                             kind="definition")
            return "unread"
        if not reading.grid:
            return ""
        r, c = Symbol("r", integer=True), Symbol("c", integer=True)
        self.definitions.store(base, (r, c), None, reading.value.xreplace({ROW: r, COMPONENT: c}), line, f"{left} = {right}")
        return "definition"

    def define_function(self, name_text, args_text, right, line, left):
        args = [Symbol(re.sub(r"\\[A-Za-z]+\s*\{\s*([a-z])\s*\}", r"\1", a).strip(), real=True)
                for a in args_text.split(",")]
        try:
            head = self.state.read(name_text)
            reading = self.state.read(right)
        except Unread as error:
            self.state.entry(line, f"{left} = {right}", "unread", not_read(error), kind="definition")
            return "unread"
        key = head.value
        if not isinstance(key, Symbol):
            return ""
        if key in self.state.part.defined:
            return ""
        arguments = [self.symbol_for(a) for a in args]
        self.state.names.definitions[key] = Definition(key, value=reading.value, parameters=tuple(arguments),
                                                 body=reading.value, line=line, written=f"{left} = {right}")
        self.state.part.defined.add(key)
        self.state.see(reading.value)
        self.state.names.learn_counts(reading.value)
        self.state.context(line, f"{left} = {right}", "definition", said(sympy.Function(key.name)(*arguments), " = ",
                                                                    shown(reading.value)))
        return "definition"

    def symbol_for(self, symbol):
        if symbol.name == "t":
            return notation.t
        if symbol.name == "z":
            return notation.z
        return symbol

    def define_exception(self, found, right, line, left):
        """``t_{m \\neq T} = 0`` after ``t_T = 1``: t_m = 0 + (1 - 0) delta_{mT}."""
        letter, index, excluded = found.groups()
        try:
            rhs = self.state.scalar(right)
        except Unread:
            return "unread"
        base = self.state.names.base(letter)
        existing = self.state.names.definitions.get(base)
        excluded_symbol = index_symbol(excluded)
        at_value = None
        if existing is not None:
            at_value = existing.apply((excluded_symbol,))
        if at_value is None:
            self.state.entry(line, f"{left} = {right}", "unread",
                             said("a definition that could not be read: what ", sympy.Indexed(base, excluded_symbol),
                                  " is, the text has not said before"), kind="definition")
            return "unread"
        m = index_symbol(index)
        body = rhs + (at_value - rhs) * sympy.KroneckerDelta(m, excluded_symbol)
        self.definitions.store(base, (m,), None, body, line, f"{left} = {right}")
        return "definition"

    def define_cases(self, key, parameters, value, rows, right, line, left):
        """A name defined by cases (beta_{nj} = 1 if ..., 0 if ...): the sum of value times indicator,
        and whether the cases cover every possibility and do not overlap."""
        pieces = []
        for number, (value_text, condition_text) in enumerate(rows):
            try:
                piece = self.state.scalar(value_text)
            except Unread as error:
                self.state.entry(line, f"{left} = {right}", "unread", not_read(error), kind="definition")
                return "unread"
            if re.fullmatch(r"\s*(?:\\text\{\s*)?(?:otherwise|else)\s*\}?\s*[.,]?\s*", condition_text or "") \
                    and pieces and number == len(rows) - 1:
                pieces.append((piece, "otherwise"))     # 1 if c = y_n, 0 otherwise: the rest of the cases
                continue
            found = self.cases.conditions_of(condition_text, line) if condition_text else None
            if found is None:
                self.state.entry(line, f"{left} = {right}", "unread",
                            said("a definition that could not be read: the condition ", Quote(condition_text), " of a case"),
                            kind="definition")
                return "unread"
            pieces.append((piece, found))
        body, covered = sympy.Integer(0), sympy.Integer(0)
        for piece, found in pieces:
            if found == "otherwise":
                body += piece * (1 - covered)
                continue
            index_part, real_part = found
            factor = sympy.Integer(1)
            for relation in index_part:
                factor *= relation_indicator(relation)
            for condition in real_part:
                factor *= condition.indicator()
            body += piece * factor
            covered += factor
        self.definitions.store(key, parameters, None, body, line, f"{left} = {right}")
        if all(found != "otherwise" for _, found in pieces):
            self.check_cover(pieces, line, f"{left} = {right}")
        return "definition"

    def check_cover(self, pieces, line, written):
        """Whether a definition's cases cover every possibility once: sampled, like a step."""
        if self.state.quiet:
            return
        coverage = sympy.Integer(0)
        for _, (index_part, real_part) in pieces:
            factor = sympy.Integer(1)
            for relation in index_part:
                factor *= relation_indicator(relation)
            for condition in real_part:
                factor *= condition.indicator()
            coverage += factor
        coverage = expand(coverage, self.state.names.definitions)
        verification = self.state.judge.equal(coverage, sympy.Integer(1))
        if verification.ok:
            self.state.entry(line, written, "verified", "the cases cover every possibility, each once "
                                                   f"({verification.verified_by})", kind="cases")
            return
        counterexample = self.state.judge.counterexample(coverage, sympy.Integer(1))
        count = counterexample.left if counterexample else None
        what = "no case applies" if count == 0 else "more than one case applies" if count else \
            "the cases do not cover every possibility once"
        self.state.entry(line, written, "wrong", f"the cases of this definition do not cover every possibility once: "
                                            f"{what}", counterexample=counterexample, kind="cases",
                    diagnosis="cases: " + what)

