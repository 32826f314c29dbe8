"""Deciding one step once both sides are read: the verifier's verdict, and what else may make a step
hold (the last correct expression, the facts stated before it, the case the text takes up elsewhere);
the names a step may not use (a quantity never defined, a chain rule through an undefined name)."""
from __future__ import annotations

import re

import sympy
from sympy import Indexed, Symbol

from ...engine import notation
from ...parse.errors import ParseError
from ..numeric import read_number
from .algebra import cannot_evaluate, is_number, is_quantity_name, plain_text, show_relation, solved_for
from .expand import OF_THE_WEIGHTS, expand
from .judging import decimal_literals
from .mistakes import diagnose
from .numbers import over_free_index
from .roles import label_of_example_i
from .said import said, shown
from .state import INEQUALITIES, Job, Unread
from .verdicts import plain_detail
from .wording import is_exact_literal, normalized, shortened


class Decisions(Job):
    """Deciding one step once both sides are read."""

    def decide(self, entry, before, after, before_text, after_text, relation, lead, conditions, real):
        if self.gradient_listed(entry, before_text, after.value):
            return
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
            a, b = (x.xreplace({notation.t: sympy.KroneckerDelta(notation.y, 1)}) if isinstance(x, sympy.Basic) else x
                    for x in (a, b))               # -log p_y = -t log p_1 - (1 - t) log p_0: t is [y = 1]
        undefined_inside_derivative(a)
        undefined_inside_derivative(b)
        self.check_readable(a, b)
        a, b = written_out_against(a, b), written_out_against(b, a)
        a, b = self.state.expanded(a), self.state.expanded(b)  # x_0, x_1 of a vector given by its entries
        a, b = over_free_index(a, b), over_free_index(b, a)     # s_j - s_{y_i} + 1 = [0, -4, 1]: over j
        written_number = read_number(after_text.strip()) if not isinstance(b, sympy.MatrixBase) else None
        if isinstance(b, sympy.MatrixBase) and decimal_literals(after_text) and self.numbers.numbers_vector(
                entry, a, after_text, b):
            return
        if relation in INEQUALITIES:
            self.numbers.inequality(entry, a, b, relation, conditions, real)
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
            return
        if cannot_evaluate(verification):
            if (lead in ("therefore", "because") or relation == "implies") and \
                    self.from_facts(entry, before.value, after.value, conditions, real):
                return
            raise Unread(f"the verifier could not evaluate a side ({plain_detail(verification.detail)})")
        if self.numbers.worked(entry, a, b, after_text, conditions, real):
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
        entry.verdict = "wrong"
        entry.verified_by = f"{verification.method}: the two sides differ" if verification.method in (
            "instantiated", "numeric") and "differ" in verification.detail else verification.verified_by
        stated = self.cases.stated_case(a, b, conditions, before_text)
        if stated is not None:
            conditions = list(conditions) + [stated]
            entry.notes.append(said("checked in the case ", show_relation(stated), ", which the text takes up"))
        if held is None or not self.wrong_with_givens(entry, held, conditions):
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

    def sides_with_givens_held(self, before, after, expanded):
        """A worked example's step about a name the text both defines and gives numbers for (s_j = w_j . x_i,
        then "Example: s = [3.2, 5.1, -1.7]"): the numbers given hold over the definition, so the step is
        checked with that name's definition left out (its given values go in): both sides so expanded, or
        None when that changes nothing."""
        held = self.state.given_names()
        if not held:
            return None
        definitions = {k: v for k, v in self.state.names.definitions.items() if k not in held}
        try:
            sides = expand(before, definitions), expand(after, definitions)
        except ParseError:
            return None
        return None if sides == expanded else sides

    def at_given_values(self, entry, a, b, conditions, real) -> bool:
        """A formula true at the values the text gives for its plain quantities (dL/dz = σ(z) - y after "label
        y = 1" and L = -log σ(z), the loss of that label): verified there, with the values named."""
        values = self.state.givens.values or {}
        present = [k for k in values if isinstance(k, Symbol) and not k.is_integer
                   and any(isinstance(x, sympy.Basic) and x.has(k) for x in (a, b))]
        if not present:
            return False
        for chosen in self.state.judge.candidates(self.state.givens, set(present)):
            if not chosen:
                continue
            try:
                left, right = (x.xreplace(chosen) if isinstance(x, sympy.Basic) else x for x in (a, b))
            except (ValueError, TypeError):
                continue                    # a derivative by the quantity given: not at a value
            verification = self.state.judge.equal(left, right, conditions, real)
            if verification.ok:
                entry.verdict = "verified"
                entry.verified_by = said("with the given values ", self.state.givens.describe(chosen), ": ",
                                         verification.verified_by)
                return True
        return False

    def wrong_with_givens(self, entry, sides, conditions) -> bool:
        """A wrong step of a worked example shown where the text puts it: both sides at the given values."""
        from .numbers import _entries
        from .verdicts import Counterexample
        scores = self.state.givens.scores
        if scores is not None and isinstance(sides[1], sympy.MatrixBase):
            sides = (_entries(sides[0], len(scores)), sides[1])
        for chosen in self.numbers.given_choices(*sides):
            try:
                left, right = (self.numbers.given_instance(side, chosen) for side in sides)
                values = [(float(x), float(y)) for x, y in zip(*(list(v) if isinstance(v, sympy.MatrixBase) else [v]
                                                              for v in (left, right)))]
            except (TypeError, ValueError):
                continue
            if not values or all(abs(x - y) <= 1e-9 * max(1.0, abs(y)) for x, y in values):
                continue
            entry.verified_by = said("with the given values ", self.state.givens.describe(chosen), ": the two sides differ")
            if len(values) == 1:
                entry.counterexample = Counterexample({}, {}, round(values[0][0], 6), round(values[0][1], 6))
            else:
                entry.counterexample = Counterexample({}, {}, str([round(x, 6) for x, _ in values]),
                                                      str([round(y, 6) for _, y in values]))
            return True
        return False

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

    def one_hot(self, entry, a, b, conditions, real) -> bool:
        """A step about the targets t_k (or y_k) of a cross-entropy that the text does not define: they are the
        one-hot labels (t_k = 1[k = y]), which the step may need (dL/ds_k = p_k - t_k needs sum_k t_k = 1).
        True (verified, said so) when the step holds once they are; the step is wrong otherwise."""
        from ...engine import notation
        targets = {}
        for side in (a, b):
            if not isinstance(side, sympy.Basic) or isinstance(side, sympy.MatrixBase):
                return False
            for atom in side.atoms(Indexed):
                if atom.base.label.name in ("t", "y") and len(atom.indices) == 1 and not self.defined(atom) \
                        and atom.base not in (self.state.givens.values or {}):
                    targets[atom] = sympy.KroneckerDelta(atom.indices[0], notation.y)
        if not targets or any(side.has(notation.y) for side in (a, b)) \
                or len({atom.base for atom in targets}) != 1 or not any(side.has(sympy.log) for side in (a, b)):
            return False                # one family of targets, in a cross-entropy (a log): never y_k and t_k both
        verification = self.state.judge.equal(a.xreplace(targets), b.xreplace(targets), conditions, real)
        if not verification.ok:
            return False
        letter = next(iter(targets)).base.label.name
        entry.verdict = "verified"
        entry.verified_by = f"with the targets one-hot ({letter}_k = 1[k = y], the label; the text does not say " \
                            f"what {letter} is): {verification.verified_by}"
        return True

    def defined_head(self, reading) -> bool:
        value = reading.value
        return isinstance(value, sympy.Basic) and (value in self.state.names.definitions or (
            isinstance(value, Indexed) and value.base in self.state.names.definitions))

    def check_defined(self, a, b):
        """A quantity (L_i, CE, J) left undefined cannot be checked: its derivative would be taken as 0."""
        for side in (a, b):
            if not isinstance(side, sympy.Basic):
                continue
            labels = {i.base.label for i in side.atoms(Indexed)}
            for symbol in side.free_symbols:
                if isinstance(symbol, Symbol) and is_quantity_name(symbol.name) and symbol not in labels \
                        and symbol not in self.state.names.definitions:
                    raise Unread(f"{symbol.name} is not defined in the text before this line")
            self.check_dependence(side)

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

    def check_unread_definitions(self, *sides):
        """A derivative of a name whose definition could not be read (z in z = w^T x + b), itself or through
        another definition (L through y = sigma(z)): what z depends on is not known, so dL/db would be taken
        with z free (0); the step is not read. (A derivative with respect to a name held as the variable,
        dL/dy, does not look into that name's definition.)"""
        for side in sides:
            if not isinstance(side, sympy.Basic):
                continue
            for node in sympy.preorder_traversal(side):
                if isinstance(node, sympy.Derivative):
                    self.raise_unread_definition([node.expr], held=set(node.variables))

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

    def check_dependence(self, side):
        """A chain rule (∂L/∂y ∂y/∂z ∂z/∂w_j) through a name the text never defines: what it depends on is not
        stated, so its derivative would be read as 0 and the line "verified" by 0 = 0; it is not read."""
        for node in sympy.preorder_traversal(side):
            if not isinstance(node, sympy.Mul):
                continue
            derivatives = [f for f in node.args if isinstance(f, sympy.Derivative)]
            if len(derivatives) < 2:
                continue
            for derivative in derivatives:
                inner = derivative.expr
                variable = derivative.variables[0]
                if isinstance(inner, (Symbol, Indexed)) and inner != variable and not self.defined(inner):
                    raise Unread(said("the chain rule goes through ", shown(inner), ", which the text never "
                                      "defines: what it depends on is not stated, so ", shown(derivative),
                                      " cannot be read"))

    def check_variables_defined(self, *sides):
        """dL/dz with z never defined and L, as the text defines it, not written through z (yhat = sigmoid(w^T x
        + b), then dL/dz = yhat - y): the student's z is the argument left unnamed; the derivative would be
        read as 0 and the line called wrong, so it is not read."""
        for side in sides:
            if not isinstance(side, sympy.Basic) or isinstance(side, sympy.MatrixBase):
                continue
            for derivative in side.atoms(sympy.Derivative):
                for variable in derivative.variables:
                    if isinstance(variable, Indexed):
                        name = variable.base                        # w_c of the gradient by the vector w
                    elif isinstance(variable, Symbol) and not variable.is_integer:
                        name = variable
                    else:
                        continue
                    own = self.state.names.definitions.get(name)
                    if own is not None and not (isinstance(own.value, sympy.Basic) and own.value.is_number) \
                            and self.shares_names(derivative.expr, own):
                        continue                            # s defined by w^T x: L may be written through that
                    held = {k: v for k, v in self.state.names.definitions.items() if k != name}
                    try:
                        inner = expand(derivative.expr, held)       # every definition but the variable's own
                    except ParseError:
                        continue
                    if not isinstance(inner, sympy.Basic) or variable in inner.free_symbols \
                            or any(atom.base == name for atom in inner.atoms(Indexed)):
                        continue
                    variable = name
                    givens = self.state.givens.values or {}
                    if variable in self.state.names.definitions or variable in givens \
                            or str(variable) in {str(getattr(k, "base", k)) for k in givens} \
                            or str(variable) in {str(k) for k in getattr(self.state.givens, "vectors", {}) or {}}:
                        raise Unread(said(shown(derivative.expr), " as the text defines it does not go through ",
                                          plain_text(variable), " (a value put in where ", plain_text(variable),
                                          " was meant?): its derivative would be 0"))
                    raise Unread(said(plain_text(variable), " is not defined in the text, and ",
                                      shown(derivative.expr), " as the text defines it is not written through it: "
                                      "what ", plain_text(variable), " stands for is not said"))

    def check_through_given(self, *sides):
        """dL/dW at a worked example whose scores f = W x are given by numbers (W never is): the derivative goes
        through f, but the numbers are f's, so the step would be checked at random weights; it is not read."""
        definitions, givens = self.state.names.definitions, self.state.givens
        inputs = set()
        for key in givens.vectors:
            definition = definitions.get(key)
            body = None if definition is None else (definition.value if definition.value is not None
                                                    else definition.body)
            if isinstance(body, sympy.Basic):
                inputs |= {a.base for a in body.atoms(Indexed)} - set(givens.vectors)
        if not inputs:
            return
        for side in sides:
            if not isinstance(side, sympy.Basic):
                continue
            for derivative in side.atoms(sympy.Derivative):
                for variable in derivative.variables:
                    if getattr(variable, "base", None) in inputs:
                        raise Unread(said("a derivative by ", plain_text(variable.base), " at the worked example, whose "
                                          "scores are given by numbers and its ", plain_text(variable.base),
                                          " not: it is not worked out there"))

    def shares_names(self, expr, definition) -> bool:
        """Whether ``expr`` with every definition put in uses a name that the definition's right side uses
        (L_i written with w_j^T x_i beside s_j := w_j^T x_i), or the definition cannot be looked into."""
        body = definition.value if definition.value is not None else definition.body
        try:
            inner, own = self.state.expanded(expr), self.state.expanded(body)
        except Unread:
            return True
        if not isinstance(inner, sympy.Basic) or not isinstance(own, sympy.Basic):
            return True

        def names(value):
            return {s for s in value.free_symbols if not s.is_integer} | {a.base for a in value.atoms(Indexed)}
        return bool(names(inner) & names(own))

    def defined(self, name) -> bool:
        definitions = self.state.names.definitions
        if name in definitions or name in (self.state.givens.values or {}):
            return True
        return isinstance(name, Indexed) and name.base in definitions

    def new_names(self, a, b) -> set:
        names = set()
        seen_names = {getattr(x, "name", None) or str(x) for x in self.state.seen}
        for side in (a, b):
            if not isinstance(side, sympy.Basic):
                continue
            for atom in side.atoms(Indexed):
                if atom.base not in self.state.seen and atom.base not in self.state.names.definitions \
                        and atom.base.label.name not in seen_names:
                    names.add(str(atom.base))
        return names

    def recovered(self, entry, b, conditions, real) -> bool:
        """A step that fails from the slipped line before it, but equals the last correct expression."""
        last = self.state.last
        if last is None or last.correct is None or last.correct is last.reading:
            return False
        try:
            correct = self.state.expanded(last.correct.value)
        except Unread:
            return False                    # the last correct expression cannot be put in: nothing to recover
        verification = self.state.judge.equal(correct, b, conditions, real)
        if verification.ok:
            entry.verdict = "verified"
            entry.verified_by = said(f"equals the last correct expression (line {last.correct_line}), not the "
                                     f"wrong one just before it: ", verification.verified_by)
            return True
        return False

    def from_facts(self, entry, left, right, conditions, real) -> bool:
        """A line that says it follows (therefore, =>): true once earlier equations are put in.

        Each earlier equation gives a rule (a name or an unknown it is linear in, solved for); the
        definitions are put in (functions named in a rule, such as f in f(s_2) = 1 - f(s_1), kept as
        they are written), finite sums written out, the rules applied, and the sides compared.
        """
        rules = []
        for lhs, rhs, line in reversed(self.state.part.facts):
            if isinstance(lhs, sympy.MatrixBase) != isinstance(rhs, sympy.MatrixBase):
                continue                            # a vector written beside a derivative: no rule to solve for
            rule = solved_for(lhs, rhs)
            if rule is not None:
                rules.append((rule, line))
        if not rules:
            return False
        from ...engine.evaluate import concrete
        held = {atom.func for (atom, _), _ in rules if isinstance(atom, sympy.core.function.AppliedUndef)}
        definitions = {k: d for k, d in self.state.names.definitions.items() if k not in held}
        try:
            current = [concrete(expand(side, definitions), {}) for side in (left, right)]
        except ParseError:
            return False
        used = []
        for _ in range(4):
            changed = False
            for (atom, value), line in rules:
                if any(side.has(atom) for side in current):
                    current = [side.xreplace({atom: value}) for side in current]
                    used.append(line)
                    changed = True
            if not changed:
                break
        if not used:
            return False
        a, b = (self.state.expanded(side) for side in current)
        verification = self.state.judge.equal(a, b, conditions, real)
        if verification.ok:
            lines = ", ".join(str(n) for n in sorted(set(used)))
            entry.verdict = "verified"
            entry.verified_by = f"follows from line{'s' if len(set(used)) > 1 else ''} {lines}: " \
                                f"{verification.verified_by}"
            return True
        return False


def written_out_against(side, other):
    """A vector read at its component (exp(s_c)) beside a vector written out ([e^3, e^-1, e^4]): its entries,
    as many as the other has, so the two are compared entry by entry (K is then their number)."""
    from ...engine.evaluate import concrete
    from ...engine.notation import K
    from .roles import COMPONENT
    if isinstance(other, sympy.MatrixBase) and not isinstance(side, sympy.MatrixBase) \
            and isinstance(side, sympy.Basic) and side.has(COMPONENT) and min(other.shape) == 1:
        count = len(other)
        return sympy.ImmutableMatrix([concrete(side.xreplace({COMPONENT: sympy.Integer(m)}), {K: count})
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
