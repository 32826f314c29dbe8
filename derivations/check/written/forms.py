"""Definitions of a particular form: a vector (``s' = 2s``, ``\\mathbf{s} = \\mathbf{W}^T \\mathbf{x}``), a
matrix (``J = \\partial p / \\partial s``, ``S = XW``), a function (``f(x, y, z) = ...``), an exception
(``t_{m \\neq T} = 0``) and cases (``\\beta_{nj} = \\begin{cases} ...``, checked to cover every case once)."""
from __future__ import annotations

import re

import sympy
from sympy import Indexed, IndexedBase, Symbol

from ...engine import notation
from .algebra import is_number, letter_of, relation_indicator
from .context import score_letter
from .expand import expand
from .roles import Definition, index_symbol
from .said import Quote, not_read, said, shown
from .state import Job, Unread


class Forms(Job):
    """Definitions of a particular form."""

    def inputs_given(self, key) -> bool:
        """Whether every quantity the definition of ``key`` goes through has numbers in the text (f = W x with W
        and x given): then numbers written for ``key`` are a claim; else (W, x never given) they are the
        example's values of ``key``, given."""
        definition = self.state.names.definitions.get(key)
        body = getattr(definition, "body", None) if getattr(definition, "value", None) is None else definition.value
        if not isinstance(body, sympy.Basic):
            return True
        givens = self.state.givens
        known = set(givens.vectors) | set(givens.values or {}) | ({notation.s} if givens.scores is not None else set())
        bases = {a.base for a in body.atoms(sympy.Indexed)}
        labels = {b.label for b in bases}
        names = bases | {s for s in body.free_symbols if not s.is_integer and s not in labels
                         and not isinstance(s, sympy.Indexed)}
        return all(name in known or name in notation.COUNTS for name in names)

    def given_vector(self, key, rhs, line, left, right, count=None):
        letter = getattr(key, "name", "")
        if letter and letter == self.state.names.one_hot_y and min(rhs.shape) == 1 and sorted(rhs) == \
                [0] * (len(rhs) - 1) + [1] and self.state.givens.label is None:
            label = list(rhs).index(1)
            self.state.givens.label = label                     # t = (0, 1, 0) of a one-hot target: the label is 1
            self.state.givens.sizes.setdefault(notation.K, len(rhs))
            self.state.context(line, f"{left} = {right}", "given",
                               said(sympy.Symbol(letter), " = ", sympy.ImmutableMatrix([list(rhs)]), ": the label is ",
                                    notation.y, " = ", sympy.Integer(label)))
            return "given"
        if letter_of(key) in ("s", "S") and all(is_number(v) for v in rhs):
            self.state.givens.scores = list(rhs)
            self.state.context(line, f"{left} = {right}", "given",
                               said(sympy.Symbol("s"), " = ", sympy.ImmutableMatrix([list(rhs)])))
            return "given"
        if isinstance(key, (IndexedBase, Symbol)) and letter != "s" and letter == score_letter(self.state.text) \
                and min(rhs.shape) == 1 and all(is_number(v) for v in rhs) and key not in self.state.names.definitions \
                and self.state.names.base(letter) not in self.state.names.definitions:
            self.state.givens.vectors[self.state.names.base(letter)] = list(rhs)    # "Scores f = (2.0, 1.0, 0.1)"
            self.state.givens.sizes[notation.K] = len(rhs)
            self.state.context(line, f"{left} = {right}", "given",
                               said(sympy.Symbol(letter), " = ", sympy.ImmutableMatrix([list(rhs)]), " (the scores)"))
            return "given"
        if isinstance(key, IndexedBase) and count in notation.COUNTS and min(rhs.shape) == 1 \
                and all(is_number(v) for v in rhs) and (key not in self.state.names.definitions
                                                        or self.definitions.evaluation_point(line, left)
                                                        or not self.inputs_given(key)):
            self.state.givens.vectors[key] = list(rhs)          # "with w = [1, -1]", w a vector the text named
            if key in self.state.names.definitions:
                count = notation.K                              # "with f = [3.2, 5.1, -1.7]", f = W x: the scores
            sizes = self.state.givens.sizes
            if count == notation.D and sizes.get(notation.D) not in (None, len(rhs)) \
                    and sizes.get(notation.K) in (None, len(rhs)):
                count = notation.K                              # b = [1.1, 3.2, -1.2] beside a 3 x 2 W: per class
            sizes[count] = len(rhs)
            self.state.context(line, f"{left} = {right}", "given",
                               said(sympy.Symbol(key.name), " = ", sympy.ImmutableMatrix([list(rhs)])))
            return "given"
        if isinstance(key, Symbol) and min(rhs.shape) == 1 and key not in self.state.names.definitions \
                and key not in self.state.part.defined:
            return self.define_new_vector(key, rhs, line, left, right)
        found = self.state.names.definitions.get(key)
        if isinstance(key, IndexedBase) and min(rhs.shape) == 1 and all(is_number(v) for v in rhs) \
                and found is not None and found.at and found.body is None and len(found.at) == len(rhs) \
                and all(is_number(v) for v in found.at.values()) and self.starts_example(line):
            found.at = {(sympy.Integer(i),): v for i, v in enumerate(rhs)}     # "Example 2: f = [2.0, 0.5, 0.4]"
            found.line, found.written = line, f"{left} = {right}"
            self.state.context(line, f"{left} = {right}", "definition", said(sympy.Symbol(key.name), " of this example: ",
                                                                            sympy.ImmutableMatrix([list(rhs)])))
            return "definition"
        return ""

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

    def given_weights_matrix(self, numbers, line, left, right) -> str:
        """``W = [[1, 2], [0, -1], [1, 1]]`` with W never defined: the worked example's weights, entry by entry
        (W[d, k] as derive reads W: a row per class or a column per class, as the text says; a text that does not
        say is not read); never a claim."""
        from . import context as prose
        text = self.state.text
        if not prose.states_weights_layout(text):
            return ""                   # W x with W's layout never said: which entry is which is not known
        by_rows = prose.weights_by_rows(text)
        W = self.state.names.base("W")
        rows, cols = numbers.shape
        for r in range(rows):
            for c in range(cols):
                d, k = (c, r) if by_rows else (r, c)
                self.state.givens.entries[W[d, k]] = numbers[r, c]
        classes, features = (rows, cols) if by_rows else (cols, rows)
        self.state.givens.sizes[notation.K] = classes
        self.state.givens.sizes.setdefault(notation.D, features)
        shown = said(Symbol("W"), " = ", sympy.ImmutableMatrix(numbers))
        self.state.givens.shown.append(shown)
        self.state.context(line, f"{left} = {right}", "given",
                           said(shown, " (a row per class)" if by_rows else " (a column per class)"))
        return "given"

    def given_weights(self, value, right, line, left) -> bool:
        """``w_0 = (1, 0)`` with W never defined: the numbers of one class's weights (a row or a column of W, as
        the text reads w_k), given for the worked example, entry by entry; never a claim."""
        from .roles import COMPONENT as component
        if not isinstance(value, Indexed) or len(value.indices) != 2 or value.base in self.state.names.definitions \
                or sum(1 for i in value.indices if i == component) != 1 \
                or not all(i == component or i.is_Integer or isinstance(i, Symbol) and i.name in ("i", "n")
                           and value.base.label.name in ("x", "X") for i in value.indices):
            return False                        # w_0 = (1, 0); x_i = [1, -2] of example i
        try:
            reading = self.state.read(right)
        except Unread:
            return False
        rhs = reading.value
        if not isinstance(rhs, sympy.MatrixBase) or min(rhs.shape) != 1 or not all(is_number(v) for v in rhs):
            return False
        values = self.state.givens.entries
        for d, number in enumerate(rhs):
            values[value.xreplace({component: sympy.Integer(d)})] = number
        shown = said(Symbol(left.strip()), " = ", sympy.ImmutableMatrix([list(rhs)]))
        self.state.givens.shown.append(shown)
        self.state.givens.sizes.setdefault(notation.D, len(rhs))
        classes = set() if value.base.label.name in ("x", "X") else {
            int(i) for key in values if isinstance(key, Indexed) and key.base == value.base
                   for i in key.indices if key.indices.index(i) == value.indices.index(next(
                       j for j in value.indices if j != component))}
        if classes == set(range(len(classes))) and len(classes) > 1:
            self.state.givens.sizes[notation.K] = len(classes)     # w_0, w_1, w_2 given: three classes
        self.state.context(line, f"{left} = {right}", "given", said(
            shown, " (the input of the example)" if value.base.label.name in ("x", "X") else " (the weights of one class)"))
        return True

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

