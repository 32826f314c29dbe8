"""Definitions and names: a name seen for the first time on the left of ``=`` (``L_i = ...``,
``p_j = ...``, ``\\mathbf{s} = \\mathbf{W}^T \\mathbf{x}_i``, ``f(x) = ...``, ``\\beta_{nj} = \\begin{cases}...``)
is used for everything after it; a number given to a name is a given value of the worked example."""
from __future__ import annotations

import re

import sympy
from sympy import Indexed, IndexedBase, Symbol

from ...engine import notation
from .algebra import (
    describe_definition,
    is_number,
    is_quantity_name,
    name_key,
    plain_text,
    relation_indicator,
    solved_for,
)
from .names_examples import per_example_term
from .roles import MARGIN, Definition, index_symbol
from .said import Quote, not_read, said, sigmoid_said
from .state import Job, Unread
from .statements import cases_rows

#: an argument in a function's definition: x, or a vector \mathbf{x}
#: lower-case words that are not names a text defines as functions (the functions maths knows, words)
_NOT_FUNCTION_NAMES = frozenset({"log", "ln", "exp", "max", "min", "sum", "sqrt", "diag", "tr", "grad", "reg", "for",
                                 "with", "and", "where", "if", "when", "then", "so", "the", "of", "is", "at", "sigma",
                                 "alpha", "beta", "gamma", "delta", "eta", "theta", "lambda", "mu", "xi", "pi", "rho",
                                 "tau", "phi", "omega", "ell", "trace", "Delta"})
_ARGUMENT = r"(?:[a-z]|\\(?:mathbf|boldsymbol|bm|underline|vec|hat)\s*\{\s*[a-z]\s*\}|ŷ)"

#: a name of a function of one matrix: R_2(W), R(W), \Omega(W)
_MATRIX_CALL = re.compile(r"(?P<name>(?:[A-Za-z]|\\[A-Z][a-z]+|\\mathcal\{[A-Z]\})(?:_\{?[A-Za-z0-9]+\}?)?)\s*(?:\\left)?\(\s*"
                         r"[A-Z]\s*(?:\\right)?\)")


#: a vector written as its own entries with an ellipsis: (f_1, \dots, f_C), [s_1, ..., s_K]
_ENTRIES_LISTED = re.compile(r"(?:\\left)?[(\[]\s*([A-Za-z])_\{?\w+\}?\s*,\s*(?:\\[lc]?dots|…|\.\.\.?)\s*,\s*\1_\{?\w+\}?\s*"
                             r"(?:\\right)?[)\]]")


class Definitions(Job):
    """Definitions and names."""

    def implicit_definition(self, left: str, right: str, line: int) -> bool:
        """``dL_i/ds_j = d(-log P_{y_i})/ds_j`` with L_i never defined: the step says what L_i is."""
        try:
            a, b = self.state.read(left).value, self.state.read(right).value
        except Unread:
            return False
        if not (isinstance(a, sympy.Derivative) and isinstance(b, sympy.Derivative)):
            return False
        if a.variable_count != b.variable_count or not isinstance(a.expr, Symbol):
            return False
        name = a.expr
        if not is_quantity_name(name.name) or name in self.state.names.definitions:
            return False
        self.state.names.definitions[name] = Definition(name, value=b.expr, line=line, written=f"{left} = {right}")
        self.state.part.defined.add(name)
        self.state.see(b.expr)
        self.state.context(line, f"{left} = {right}", "definition",
                           said(name, " is not defined in the text; this step says it is ", plain_text(b.expr)))
        self.state.entry(line, f"{left} = {right}", "verified", said("definition: ", name, " read as ",
                                                                     plain_text(b.expr)))
        return True

    def definition(self, left: str, right: str, line: int, lead: str, mode: str, conditions=()):
        """Whether ``left = right`` defines a name or gives a value: "definition", "given", "unread" or "".

        ``conditions``: the cases on indices written on the same row ("β_nj = 1[...] for j ≠ y_n"): the
        definition holds in them only, and a later row may complete it ("β_{n,y_n} = 0")."""
        left = left.strip()
        if right.strip() == "1" and re.fullmatch(r"Y_\{?\s*[a-z]\s*,?\s*[a-z]\s*\}?", left) \
                and self.state.names.base("Y") in self.state.names.definitions:
            self.state.context(line, f"{left} = 1", "definition", "the one-hot labels: 1 at the label, 0 elsewhere")
            return "given"                      # "Y_{ik} = 1 iff k = y_i": the one-hot labels, said with their case
        if not right.strip() and re.fullmatch(r"[A-Z]", left):
            self.checker.in_words.read(line)    # the words after "P =" on this line may define it
        if not right.strip() and re.fullmatch(r"[A-Z]", left) and (
                self.state.names.base(left) in self.state.names.definitions
                or Symbol(left, real=True) in self.state.names.definitions):
            self.state.context(line, f"{left} = ...", "definition",
                               said(Symbol(left), " as the words after it say (defined above)"))
            return "given"                      # "P = row-wise softmax of F", "Y = one-hot labels": said in words
        listed = _ENTRIES_LISTED.fullmatch(right.strip())
        named = re.fullmatch(r"(?:\\mathbf\{)?([A-Za-z])\}?", left)
        if listed and named and listed.group(1) == named.group(1):
            self.state.context(line, f"{left} = {right}", "definition",
                               said("the vector ", Symbol(named.group(1)), " by its entries: a name, not a step"))
            return "given"                      # f = (f_1, \dots, f_C): the vector of the f_k
        function = re.fullmatch(r"(?P<name>(?:\\mathcal\{[A-Z]\}|\\ell)(?:_\{?[A-Za-z0-9]+\}?)?|[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?"
                                r"|[A-Z]{2,5}|[a-z]{2,5})"
                                r"\s*(?:\\left)?\(\s*(?P<args>" + _ARGUMENT + r"(?:\s*,\s*" + _ARGUMENT + r")*)\s*"
                                r"(?:\\right)?\)", left)
        if function and function.group("name").islower() and len(function.group("name")) > 1:
            if function.group("name") in _NOT_FUNCTION_NAMES:
                function = None
            else:                                   # lse(s) = log sum_k exp(s_k): lse is a name from here on
                self.state.names.function_words.add(function.group("name"))
        if function:
            return self.forms.define_function(function.group("name"), function.group("args"), right, line, left)
        matrix_call = _MATRIX_CALL.fullmatch(left)
        if matrix_call:                             # "R_2(W) = sum_{d,c} W_dc^2": R_2, whose value names W's entries
            left = matrix_call.group("name")
            self.state.matrix_functions.add(left)
        if re.fullmatch(r"[a-hA-H]", left) and right.strip() in ("\\sigma", "σ", "sigmoid", "\\mathrm{sigmoid}"):
            function = sympy.Function(left, real=True)           # "f = \sigma": f is the sigmoid
            self.state.names.functions[left] = function
            u = Symbol("u_", real=True)
            self.state.names.definitions[function] = Definition(function, parameters=(u,), body=notation.sigmoid(u))
            self.state.context(line, f"{left} = {right}", "definition", sigmoid_said(function))
            return "definition"
        exception = re.fullmatch(r"([A-Za-z])_\{\s*([a-z])\s*\\neq?\s*([A-Za-z])\s*\}", left)
        if exception:
            return self.forms.define_exception(exception, right, line, left)
        self.state.names.aliasing = False          # the head of a definition is the name as written
        try:
            head = self.state.read(left)
        except Unread:
            return ""
        finally:
            self.state.names.aliasing = True
        value = head.value
        if isinstance(value, sympy.MatrixBase):
            return ""
        rows = cases_rows(right)
        if head.vector:
            return self.forms.define_vector(value, right, line, left, head.count)
        completed = self.complete(value, right, line, left)
        if completed:
            return completed
        if value in notation.COUNTS and re.fullmatch(r"\s*\d+\s*", right):
            self.state.context(line, f"{left} = {right}", "given", said(value, " = ", sympy.Integer(int(right)),
                                                                        " (a size: the checks still try several)"))
            return "given"
        key, parameters, at = name_key(value)
        if key is None:
            return ""
        defined = key in self.state.names.definitions
        here = key in self.state.part.defined
        if at and defined and self.state.names.definitions[key].apply(at) is None:
            defined = here = False                      # P'_{dog} after P'_{cat}: a new entry of P'
        if here and key in self.state.names.definitions and parameters and \
                self.state.names.definitions[key].body is None and self.state.names.definitions[key].apply(parameters) is None:
            here = False
        if rows is not None and not here:
            return self.forms.define_cases(key, parameters, value, rows, right, line, left)
        try:
            reading = self.state.read(right)
        except Unread as error:
            if not defined:
                self.state.entry(line, f"{left} = {right}", "unread", not_read(error), kind="definition")
                return "unread"
            return ""
        rhs = reading.value
        for note in reading.notes:
            self.state.context(line, right, "note", note)
        if isinstance(rhs, sympy.MatrixBase):
            return self.forms.given_vector(key, rhs, line, left, right)
        numeric = is_number(rhs)
        leaf = key in self.state.seen or isinstance(key, Symbol) and key == MARGIN
        if at and numeric and not defined and key in self.state.seen:
            entry_key = key[at]
            self.state.givens.values.setdefault(entry_key, [])
            if rhs not in self.state.givens.values[entry_key]:
                self.state.givens.values[entry_key].append(rhs)
            self.state.context(line, f"{left} = {right}", "given", said(plain_text(entry_key), " = ", rhs))
            return "given"
        target = isinstance(key, Symbol) and key.name in ("t", "y") and not at and not parameters
        if numeric and not defined and (leaf or target) and not at and not parameters:
            # a target or label given a value (t = 1 if the class is 1, t = 0 otherwise): a value it may take
            self.state.givens.values.setdefault(key, [])           # every value stated is a candidate (a problem
            if rhs not in self.state.givens.values[key]:           # may ask for Delta = 1 and for Delta = 2)
                self.state.givens.values[key].append(rhs)
            self.state.context(line, f"{left} = {right}", "given", said(plain_text(key), " = ", rhs))
            self.state.see(rhs)
            return "given"
        if numeric and defined and not at and not parameters and isinstance(key, Symbol) \
                and self.evaluation_point(line, left) and not self.state.display:
            self.state.givens.values.setdefault(key, [])           # "For t = 1 and z = 0: ..." with z = s_1 - s_0:
            if rhs not in self.state.givens.values[key]:           # the point a worked step is taken at
                self.state.givens.values[key].append(rhs)
            self.state.context(line, f"{left} = {right}", "given", said(plain_text(key), " = ", rhs,
                                                                      " (a value of a defined name, given)"))
            self.given_through(key, rhs, line)
            return "given"
        if mode == "define" and here and not numeric:
            here = False                                # "The formula of SVM loss is: L_i = ...": defined anew
        if here and not numeric and (self.first_seen(rhs) or self.batch_of(key, rhs)):
            here = False                                # "for a data set, with L = 1/N sum_n L_n": L defined anew
        if here or (defined and numeric):
            return ""
        if lead == "therefore" and (key in self.state.seen or defined):
            return ""                                   # "therefore t_2 = 1 - t_1": a claim about a known name
        if reading.vector and not head.vector and parameters and not at and not reading.grid and not defined \
                and [p.name for p in parameters] in (["n"], ["i"]):
            return self.forms.define_example_vector(key, parameters[0], rhs, line, f"{left} = {right}")
        if reading.vector and not head.vector:
            if isinstance(key, Symbol) and not parameters and not at and not reading.grid and not defined:
                return self.forms.define_new_vector(key, rhs, line, left, right, reading.count)
            if isinstance(key, Symbol) and reading.grid and not defined and re.fullmatch(r"[A-Z]", key.name):
                if self.names_the_jacobian(key, line):         # J = diag(p) - p p^T: a claim about dp/ds
                    before = len(self.state.outcome.entries)
                    self.steps.step("\\partial p / \\partial s", right, "=", line, "", [], [])
                    for entry in self.state.outcome.entries[before:]:
                        entry.notes.append("J is the Jacobian of the softmax, dp/ds, as the text says")
                return self.forms.define_new_matrix(key, rhs, line, left, right)
            self.state.entry(line, f"{left} = {right}", "unread",
                        said("a definition that could not be read: ", Quote(left), " is one number but ", Quote(right),
                             " is a vector"),
                        kind="definition")
            return "unread"
        if conditions and isinstance(key, IndexedBase) and parameters:
            indicator = sympy.Integer(1)
            for relation in conditions:
                indicator *= relation_indicator(relation)
            self.store(key, parameters, at, rhs * indicator, line, f"{left} = {right}")
            self.state.names.definitions[key].partial = tuple(conditions)
            return "definition"
        self.store(key, parameters, at, rhs, line, f"{left} = {right}")
        return "definition"

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
        self.state.names.unreadable.pop(key, None)
        self.state.part.defined.add(key)
        self.state.see(rhs)
        self.state.context(line, written, "definition", describe_definition(key, parameters, at, rhs))
