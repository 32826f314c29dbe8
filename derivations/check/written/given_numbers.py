"""Values a worked example gives by numbers: a vector of scores or of inputs (s = [3, -1, 4], x_i = [1, -2]), a
one-hot target (t = (0, 1, 0): the label), the weights of one class (w_0 = (1, 0)) or the whole W where the text
says how W is laid out; given values, never claims."""
from __future__ import annotations

import sympy
from sympy import Indexed, IndexedBase, Symbol

from ...engine import notation
from .algebra import is_number, letter_of
from .context import score_letter
from .said import said
from .state import Job, Unread


class GivenNumbers(Job):
    """Values a worked example gives by numbers (what the module says)."""

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

