"""Definitions and names: a name seen for the first time on the left of ``=`` (``L_i = ...``,
``p_j = ...``, ``\\mathbf{s} = \\mathbf{W}^T \\mathbf{x}_i``, ``f(x) = ...``, ``\\beta_{nj} = \\begin{cases}...``)
is used for everything after it; a number given to a name is a given value of the worked example."""
from __future__ import annotations

import re

import sympy
from sympy import IndexedBase, Symbol

from ...engine import notation
from ...parse.errors import ParseError
from .algebra import (
    is_number,
    is_quantity_name,
    name_key,
    plain_text,
    relation_indicator,
)
from .definitions_more import DefinitionParts
from .expand import expand
from .roles import MARGIN, Definition
from .said import Quote, not_read, said, sigmoid_said
from .state import Unread
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


class Definitions(DefinitionParts):
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
        if right.strip() in ("1", "0") and re.fullmatch(r"Y_\{?\s*[a-z]\s*,?\s*[a-z]\s*\}?", left) \
                and self.state.names.base("Y") in self.state.names.definitions \
                and (right.strip() == "1" or re.search(r"\b(?:else|otherwise)\b", self.state.source_line(line))):
            self.state.context(line, f"{left} = {right.strip()}", "definition",
                               "the one-hot labels: 1 at the label, 0 elsewhere")
            return "given"                      # "Y_{ik} = 1 iff k = y_i, else Y_{ik} = 0": the one-hot labels
        one_hot = self.state.names.one_hot_y
        if one_hot and re.fullmatch(r"(?:\\mathbf\{)?" + one_hot + r"\}?", left) and self.state.givens.label is None:
            try:
                numbers = self.state.read(right).value
            except Unread:
                numbers = None
            if isinstance(numbers, sympy.MatrixBase):           # t = (0, 1, 0) of a one-hot target: the label
                return self.forms.given_vector(Symbol(one_hot, real=True), numbers, line, left, right) or ""
        if re.fullmatch(r"(?:\\mathbf\{)?W\}?", left) and self.state.names.base("W") not in self.state.names.definitions \
                and not self.state.givens.entries:
            try:
                numbers = self.state.read(right).value
            except Unread:
                numbers = None
            if isinstance(numbers, sympy.MatrixBase) and min(numbers.shape) > 1 and all(is_number(v) for v in numbers):
                return self.forms.given_weights_matrix(numbers, line, left, right)
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
        if is_number(rhs) and not defined and not at and not parameters:
            rhs = self.value_put_in(rhs, right, line)       # ŷ = σ(-0.3) after z = ... = -0.3: σ(z)
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
            if key.name == "t" and self.state.target_of_label and rhs in (0, 1) and self.state.givens.label is None \
                    and self.state.givens.scores is not None and line not in self.state.losses_in_words_targets:
                self.state.givens.label = int(rhs)  # "with s = (0.5, 2.0) and t = 1": the example's label is class 1
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
        if defined and numeric and not at and not parameters and self.updated_value(key, rhs, line, f"{left} = {right}"):
            return "updated"
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
        if self.loops(key, rhs, at):
            self.state.context(line, f"{left} = {right}", "note",
                               said("not a definition: ", plain_text(rhs), " is defined through ", plain_text(key),
                                    ", so the two would be defined through each other; read as a remark"))
            return "remark"                             # "the term with a_k = m" after m = max_k a_k
        self.store(key, parameters, at, rhs, line, f"{left} = {right}")
        return "definition"

    def loops(self, key, rhs, at=None) -> bool:
        """Whether ``rhs`` with the text's definitions put in goes through ``key`` itself (a_k = m after
        m = max_k a_k): a definition would make a loop (t_2 = 1 - t_1 defines one entry through another: no loop)."""
        if not isinstance(rhs, sympy.Basic) or rhs.is_number:
            return False
        try:
            value = expand(rhs, self.state.names.definitions)
        except ParseError:
            return True
        if not isinstance(value, sympy.Basic):
            return False
        if at:
            return key[at] in value.atoms(sympy.Indexed)
        return key in value.free_symbols or any(atom.base == key for atom in value.atoms(sympy.Indexed))

