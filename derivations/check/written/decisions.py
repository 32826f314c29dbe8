"""Deciding one step once both sides are read: the verifier's verdict, and what else may make a step
hold (the last correct expression, the facts stated before it, the case the text takes up elsewhere);
the names a step may not use (a quantity never defined, a chain rule through an undefined name)."""
from __future__ import annotations

import re

import sympy
from sympy import Indexed, Symbol

from ...engine import notation
from ..numeric import read_number
from .algebra import cannot_evaluate, is_number, is_quantity_name, plain_text, show_relation
from .decisions_other import DecisionsOther
from .expand import OF_THE_WEIGHTS
from .fallbacks import Fallbacks
from .guards import Guards
from .judging import decimal_literals
from .mistakes import diagnose
from .numbers import over_free_index
from .roles import label_of_example_i
from .said import said
from .state import INEQUALITIES, Unread
from .verdicts import plain_detail
from .wording import is_exact_literal, normalized, shortened


class Decisions(DecisionsOther, Fallbacks, Guards):
    """Deciding one step once both sides are read."""

    def decide(self, entry, before, after, before_text, after_text, relation, lead, conditions, real):
        if self.gradient_listed(entry, before_text, after.value):
            return
        self.check_data_given(before, after, before_text, entry.source_line)
        self.check_defined(before.value, after.value)
        self.check_unread_definitions(before.value, after.value)
        from .roles import COMPONENT
        sides = [v for v in (before.value, after.value) if not isinstance(v, sympy.MatrixBase)]
        if len(sides) == 2 and sides[0].has(COMPONENT) != sides[1].has(COMPONENT) and not any(
                side == 0 for side in sides):        # a vector = 0: the zero vector, each component 0
            vector, number = (before_text, after_text) if sides[0].has(COMPONENT) else (after_text, before_text)
            raise Unread(f"{shortened(vector)} is a vector and {shortened(number)} one number: the two are not compared")
        from ...parse.written_arrays import ROW
        for matrix, vector in ((before, after), (after, before)):
            if isinstance(matrix.value, sympy.Basic) and matrix.value.has(ROW) and matrix.value.has(COMPONENT) \
                    and isinstance(vector.value, sympy.MatrixBase) and min(vector.value.shape) == 1:
                raise Unread("a matrix and a vector written out are not compared (say which row or column: "
                             "row 0 of J = [...])")
        a = self.state.expanded(before.value)
        b = self.state.expanded(after.value)
        a, b, *conditions = label_of_example_i([a, b, *conditions])     # y_i of example i in a batch, cases too
        if self.state.target_of_label and any(isinstance(x, sympy.Basic) and x.has(notation.t) for x in (a, b)) \
                and any(isinstance(x, sympy.Basic) and x.has(notation.y) for x in (a, b)):
            first = 0 if self.state.names.one_based else 1      # t = 1 if the true class is 1: class 1 of 1 and 2
            a, b = (x.xreplace({notation.t: sympy.KroneckerDelta(notation.y, first)}) if isinstance(x, sympy.Basic)
                    else x for x in (a, b))        # -log p_y = -t log p_1 - (1 - t) log p_0: t is [y = 1]
        undefined_inside_derivative(a)
        undefined_inside_derivative(b)
        self.check_readable(a, b)
        sizes = self.state.givens.sizes
        a, b = written_out_against(a, b, sizes), written_out_against(b, a, sizes)
        a, b = self.state.expanded(a), self.state.expanded(b)  # x_0, x_1 of a vector given by its entries
        a, b = over_free_index(a, b), over_free_index(b, a)     # s_j - s_{y_i} + 1 = [0, -4, 1]: over j
        written_number = read_number(after_text.strip()) if not isinstance(b, sympy.MatrixBase) else None
        if isinstance(b, sympy.MatrixBase) and decimal_literals(after_text) and self.numbers.numbers_vector(
                entry, a, after_text, b):
            return
        if relation in INEQUALITIES:
            self.numbers.inequality(entry, a, b, relation, conditions, real)
            return
        if relation == "approx" and self.beyond_floats(entry, a, b):
            return
        if written_number is not None and not is_exact_literal(after_text) or \
                (relation == "approx" and is_number(b)):
            if self.numbers.number(entry, a, after_text, b, conditions, before_text):
                return
        plain_y = Symbol("y", real=True)
        if self.state.two_classes and any(isinstance(x, sympy.Basic) and x.has(notation.y) for x in (a, b)) \
                and any(isinstance(x, sympy.Basic) and x.has(plain_y) for x in (a, b)):
            a, b = (x.xreplace({plain_y: notation.y}) if isinstance(x, sympy.Basic) else x for x in (a, b))
            #                                         -log p_y = -y log σ(z) - ...: y in {0, 1} is the label
        label = self.state.givens.label
        if label is not None and any(isinstance(x, sympy.Basic) and x.has(notation.y) for x in (a, b)):
            conditions = list(conditions) + [sympy.Eq(notation.y, label)]    # "correct class y = 1": that label
        counts = {"class_counts": (2,)} if self.state.two_classes and not any(
            isinstance(x, sympy.Basic) and x.has(notation.N) for x in (a, b)) else {}
        verification = self.state.judge.equal(a, b, conditions, real, **counts)
        if verification.ok:
            entry.verdict, entry.verified_by = "verified", verification.verified_by
            if is_number(a) and is_number(b):
                self.arithmetic_inside(entry, before_text, after_text)
            self.layout_kept(entry, before, after, conditions, real)
            return
        if cannot_evaluate(verification):
            if (lead in ("therefore", "because") or relation == "implies") and \
                    self.from_facts(entry, before.value, after.value, conditions, real):
                return
            raise Unread(f"the verifier could not evaluate a side ({plain_detail(verification.detail)})")
        if self.numbers.worked(entry, a, b, after_text, conditions, real):
            return
        if relation == "approx" and not decimal_literals(after_text) and self.numbers.approximately(entry, a, b):
            return
        held = self.sides_with_givens_held(before.value, after.value, (a, b))
        if held is not None and self.numbers.worked(entry, *held, after_text, conditions, real):
            return
        if self.recovered(entry, b, conditions, real):
            return
        if lead in ("therefore", "because") or relation == "implies":
            if self.from_facts(entry, before.value, after.value, conditions, real):
                return
        if self.cases.companion(entry, a, b, conditions, real, before_text, written=(before.value, after.value)):
            return
        last = self.state.last
        if last is not None and last.correct is not None and last.correct is not last.reading \
                and isinstance(last.correct.value, sympy.Basic):
            try:
                correct = self.state.expanded(last.correct.value)
            except Unread:
                correct = None              # the last correct expression cannot be put in: no companion to try
            if correct is not None and self.cases.companion(entry, correct, b, conditions, real,
                                                            last.head_text or before_text):
                entry.verified_by = said(f"against the last correct expression (line {last.correct_line}): ",
                                         entry.verified_by)
                return
        if entry.source_line in self.state.unapplied:
            raise Unread(f"the two sides differ, but the sentence states a case ({self.state.unapplied[entry.source_line]}) "
                         f"that could not be applied to this step")
        self.check_variables_defined(before.value, after.value)
        self.check_through_given(before.value, after.value)
        new = self.new_names(a, b)
        if new:
            raise Unread(f"{', '.join(sorted(new))} {'is' if len(new) == 1 else 'are'} not defined in the text "
                         f"(first seen here): what {'it stands' if len(new) == 1 else 'they stand'} for is not said")
        if self.one_hot(entry, a, b, conditions, real):
            return
        if self.at_given_values(entry, a, b, conditions, real):
            return
        if self.other_layout(entry, before, after, conditions, real):
            return
        if self.other_numbering(entry, before_text, after_text, relation, lead, conditions, real):
            return
        if self.signed_labels(entry, a, b, conditions, real):
            return
        self.check_batch_of_one(before, after, before_text)
        self.check_family_numbers(a, b)
        self.check_number_not_given(a, b, before_text, held, before.value)
        self.check_redefinition(before, after)
        entry.verdict = "wrong"
        entry.verified_by = f"{verification.method}: the two sides differ" if verification.method in (
            "instantiated", "numeric") and "differ" in verification.detail else verification.verified_by
        stated = self.cases.stated_case(a, b, conditions, before_text)
        if stated is not None:
            conditions = list(conditions) + [stated]
            entry.notes.append(said("checked in the case ", show_relation(stated), ", which the text takes up"))
        if not (held is not None and self.wrong_with_givens(entry, held, conditions)
                or self.state.givens.entries and self.numbers.is_worked(a, b, after_text)
                and self.wrong_with_givens(entry, (a, b), conditions)):
            entry.counterexample = self.state.judge.counterexample(a, b, conditions, real)
        if is_number(a) and is_number(b):
            return                                          # two numbers: no edit of a formula explains them
        if isinstance(before.value, sympy.Basic) and isinstance(after.value, sympy.Basic) \
                and not isinstance(a, sympy.MatrixBase) and not isinstance(b, sympy.MatrixBase):
            last = self.state.last
            first = last is not None and normalized(last.head_text) == normalized(before_text)
            checked = last is not None and not first and last.correct is last.reading \
                and normalized(last.text) == normalized(before_text)      # the left side was verified just before
            entry.diagnosis = diagnose(self.state.judge, before.value, after.value, conditions, real,
                                       expand=self.state.expanded, expanded_before=a, before_first=first,
                                       before_correct=checked)

    def beyond_floats(self, entry, a, b) -> bool:
        """``e^{1000} ≈ 10^{434}``: numbers beyond a float's range (about 1.8e308) compared by their orders of
        magnitude, log10 of each side exactly (SymPy), within half an order (≈ between powers of ten)."""
        if not (is_number(a) and is_number(b)) or isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
            return False
        try:
            if max(abs(float(sympy.N(x, 30))) for x in (a, b)) < 1e300:
                return False
            left, right = (float(sympy.N(sympy.log(abs(x), 10), 30)) for x in (a, b))
        except (TypeError, ValueError, OverflowError):
            return False
        agree = a.is_positive == b.is_positive and abs(left - right) <= 0.5
        entry.verdict = "verified" if agree else "wrong"
        entry.verified_by = f"orders of magnitude: the left side is 10^{left:.2f}, the right side 10^{right:.2f}"
        return True

    def arithmetic_inside(self, entry, before_text, after_text):
        """``max(0, -1 - 3 + 1) = max(0, -5)``: equal numbers, but an argument written with another value."""
        from .inside import changed_argument
        changed = changed_argument(self.state.read, before_text, after_text)
        if changed is None:
            return
        position, left, right = changed
        entry.verdict = "wrong"
        entry.verified_by = said("both sides are the same number, but argument ", str(position + 1),
                                 " is ", left, " on the left and ", right, " on the right: the arithmetic inside is "
                                 "wrong")

    def check_readable(self, a, b):
        """A derivative through a name whose definition the text gives but that could not be read (∂L/∂b with
        z = w^T x + b not read) would take that name as constant: not read."""
        unreadable = self.state.names.unreadable
        if not unreadable:
            return
        for side in (a, b):
            if not isinstance(side, sympy.Basic):
                continue
            for derivative in side.atoms(sympy.Derivative):      # d/db through z: z's definition is needed
                inside = derivative.expr.free_symbols | {i.base for i in derivative.expr.atoms(Indexed)}
                variables = set(derivative.variables) | {v.base for v in derivative.variables if isinstance(v, Indexed)}
                for name in inside - variables:
                    if name in unreadable:
                        raise Unread(said(plain_text(name), f" is defined on line {unreadable[name]}, but that "
                                          "definition could not be read, and this derivative goes through it"))

    def gradient_listed(self, entry, before_text, value) -> bool:
        """``\\nabla f = [\\partial f/\\partial z, \\partial f/\\partial x, ...]``: the line says in which order the gradient
        lists f's variables; it holds when those are f's variables, each once (and \\nabla f keeps that order)."""
        found = re.fullmatch(r"\s*(?:\\nabla|∇)\s*([A-Za-z])\s*", before_text)
        if not found or not isinstance(value, sympy.MatrixBase) or min(value.shape) != 1:
            return False
        names = self.state.names
        key = names._symbol(found.group(1))
        listed = [e.variables[0] if isinstance(e, sympy.Derivative) and e.expr == key and len(e.variables) == 1
                  else None for e in value]
        variables = names.variables_of(key)
        if None in listed or variables is None or sorted(listed, key=str) != sorted(variables, key=str):
            return False
        names.gradient_orders[key] = listed
        entry.verdict = "verified"
        entry.verified_by = f"the gradient of {key}, its variables in the order listed " \
                            f"({', '.join(str(v) for v in listed)})"
        return True

    def defined_head(self, reading) -> bool:
        value = reading.value
        return isinstance(value, sympy.Basic) and (value in self.state.names.definitions or (
            isinstance(value, Indexed) and value.base in self.state.names.definitions))

    def about_definitions(self, *sides) -> bool:
        """Whether a premise ("since dz/db = 1") differentiates a name the text defines (or one whose definition
        could not be read): it is then a claim the text's definitions decide, checked like any step, never
        taken as given ("because t_1 + t_2 = 1", about data the text does not define, is)."""
        known = set(self.state.names.definitions) | set(self.state.unread_definitions)
        for side in sides:
            if not isinstance(side, sympy.Basic) or isinstance(side, sympy.MatrixBase):
                continue
            for node in sympy.preorder_traversal(side):
                if isinstance(node, sympy.Derivative):
                    names = node.expr.free_symbols | {i.base for i in node.expr.atoms(Indexed)}
                    if names & known:
                        return True
        return False

    def raise_unread_definition(self, sides, held=frozenset()):
        """Unread when ``sides`` use, directly or through definitions, a name whose definition could not be read."""
        unread = self.state.unread_definitions
        if not unread:
            return
        definitions = self.state.names.definitions
        stack = [side for side in sides if isinstance(side, sympy.Basic)]
        visited = set(held) | {i.base for i in held if isinstance(i, Indexed)}
        while stack:
            expression = stack.pop()
            names = set(expression.free_symbols) | {i.base for i in expression.atoms(Indexed)}
            for name in names - visited:
                visited.add(name)
                if name in unread and name not in definitions:
                    raise Unread(said(plain_text(name), f" is used, but its definition (line {unread[name]}) could not "
                                      "be read"))
                definition = definitions.get(name)
                if definition is None:
                    continue
                for part in (definition.value, definition.body, *definition.at.values()):
                    if isinstance(part, sympy.Basic):
                        stack.append(part)


def written_out_against(side, other, sizes=None):
    """A vector read at its component (exp(s_c)) beside a vector written out ([e^3, e^-1, e^4]): its entries,
    as many as the other has, so the two are compared entry by entry (K is then their number, unless the text
    fixes K otherwise: w_0, w_1, w_2 given, and dL/dw_0 written out over the features)."""
    from ...engine.evaluate import concrete
    from ...engine.notation import K
    from .roles import COMPONENT
    if isinstance(other, sympy.MatrixBase) and not isinstance(side, sympy.MatrixBase) \
            and isinstance(side, sympy.Basic) and side.has(COMPONENT) and min(other.shape) == 1:
        count = len(other)
        env = {K: count} if not sizes or K not in sizes else dict(sizes)
        return sympy.ImmutableMatrix([concrete(side.xreplace({COMPONENT: sympy.Integer(m)}), env)
                                      for m in range(count)])
    return side




def undefined_inside_derivative(side):
    """A loss the text never defines (L_n in L = 1/N sum_n L_n + λ sum W^2) inside a derivative: what it depends
    on is not stated, so its derivative would be taken as 0 (a step verified or refuted by that); not read."""
    if not isinstance(side, sympy.Basic):
        return
    for derivative in side.atoms(sympy.Derivative):
        variables = {v.base if isinstance(v, Indexed) else v for v in derivative.variables}
        for atom in derivative.expr.atoms(Indexed, Symbol):
            name = atom.base.label.name if isinstance(atom, Indexed) else atom.name
            if isinstance(atom, Indexed) and name in OF_THE_WEIGHTS and atom.base not in variables:
                raise Unread(said(name, " is not defined in the text (", plain_text(atom), "): what it depends on is "
                                        "not stated, so the derivative through it is not known"))
            if isinstance(atom, Symbol) and (atom.is_integer or any(isinstance(i, Indexed) and i.base.label == atom
                                                                   for i in derivative.expr.atoms(Indexed))):
                continue
            if is_quantity_name(name.rstrip("•")):
                raise Unread(said(plain_text(atom), " is not defined in the text: what it depends on is not stated, "
                                  "so its derivative is not known"))
