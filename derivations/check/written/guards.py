"""Guards a step passes before it is judged: every name it uses is defined, read and has a stated dependence
(a chain rule through an undefined name, a derivative by a variable the quantity is not written through, a
derivative by W at an example given by its scores); a failed guard is "not read", never "wrong"."""
from __future__ import annotations

import sympy
from sympy import Indexed, Symbol

from ...parse.errors import ParseError
from .algebra import is_quantity_name, plain_text
from .expand import expand
from .said import said, shown
from .state import Job, Unread


class Guards(Job):
    """The checks that make a step "not read" before it is judged (what the module says)."""

    def check_data_given(self, before, after, before_text="", line=0):
        """"with x_i = (1, -2)^T": numbers for an input the text never defines (data) are given there, not
        claimed; the step is not read (never wrong). A matrix of numbers for a W never defined is not read
        either, and the steps that use W after it are not read (its numbers are not taken)."""
        value = before.value
        if isinstance(after.value, sympy.MatrixBase) and min(after.value.shape) > 1 and isinstance(value, Indexed) \
                and len(value.indices) == 2 and not self.defined(value.base):
            self.state.remember_unread_definition(before_text, line)
            raise Unread(said("a matrix of numbers for ", plain_text(value.base), ": given values of a matrix are not "
                              "read"))
        if isinstance(after.value, sympy.MatrixBase) and all(v.is_number for v in after.value) \
                and isinstance(value, (Indexed, Symbol)) and not self.defined(value) \
                and getattr(value, "base", None) not in self.state.givens.vectors \
                and (getattr(value, "base", value).name if hasattr(getattr(value, "base", value), "name") else "") in ("x", "X"):
            raise Unread(said("numbers for the input ", plain_text(value), ": values the text gives, not a step"))

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
        from ...engine import notation
        scored = [notation.s] if givens.scores is not None else []
        for key in [*givens.vectors, *scored]:
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

    def check_redefinition(self, before, after):
        """``with z = s_1 - s_0`` where z was defined as w·x + b: the name written through names its definition
        never uses (another reading of it, a new definition?) is not compared with the old one: not read."""
        name, value = before.value, after.value
        definition = self.state.names.definitions.get(name) if isinstance(name, Symbol) else None
        old = getattr(definition, "value", None)
        if not isinstance(old, sympy.Basic) or old.is_number or not isinstance(value, sympy.Basic) \
                or isinstance(value, sympy.MatrixBase) or value.is_number:
            return

        def names_of(expr):
            return {getattr(a, "base", a) for a in expr.atoms(Indexed)} | {
                s for s in expr.free_symbols if not s.is_integer and not any(
                    s == getattr(i.base, "label", None) for i in expr.atoms(Indexed))}
        if names_of(value) and not names_of(value) & names_of(old):
            raise Unread(said(plain_text(name), " is defined on line ", str(definition.line), " through other names; this "
                              "line writes it as ", plain_text(value), " (another reading?): the two are not compared"))

    def check_number_not_given(self, a, b, before_text: str, held=None, written=None):
        """``s_0 = 1*1 + 0*2`` with W never given in numbers: a number claimed for an expression of quantities whose
        values the text does not give (after every given value is put in) is a statement about the example that
        cannot be checked; it is not read, never wrong. (A formula = 0 and a derivative = a number are claims about every value: still judged.)"""
        if not isinstance(a, sympy.Basic) or isinstance(a, sympy.MatrixBase) or not isinstance(b, sympy.Basic) \
                or isinstance(b, sympy.MatrixBase) or not b.is_number or b == 0 or a.is_number \
                or isinstance(written, sympy.Basic) and written.has(sympy.Derivative) or "'" in before_text:
            return                          # dL/df_j = 1 "otherwise": a claim about every value, judged
        from ...engine import notation
        left = a
        for side, other in [(a, b)] + ([tuple(held)] if held is not None else []):
            for chosen in self.numbers.given_choices(side, other) or [{}]:
                try:
                    value = self.numbers.given_instance(side, chosen)
                except (TypeError, ValueError, ParseError):
                    continue
                if not isinstance(value, sympy.Basic) or not _free_quantities(value, notation.COUNTS):
                    return                  # the values the text gives decide it (z = 0 of z = s_1 - s_0 too)
                if side is a:
                    left = value
        free = sorted({plain_text(getattr(q, "base", q)) for q in _free_quantities(left, notation.COUNTS)})
        if not free:
            return
        raise Unread(said("a number for ", before_text.strip(), ", which goes through ", ", ".join(free),
                          ": the text does not give ", "its values" if len(free) == 1 else "their values",
                          ", so it cannot be checked"))

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


def _free_quantities(expr, counts) -> set:
    """The quantities ``expr`` still depends on: its free names and indexed entries (not the counts, not indices)."""
    labels = {i.base.label for i in expr.atoms(Indexed)}
    found = set(expr.atoms(Indexed))
    found |= {s for s in expr.free_symbols if isinstance(s, Symbol) and not s.is_integer and s not in counts
              and s not in labels}
    return found
