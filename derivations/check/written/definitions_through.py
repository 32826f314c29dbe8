"""Names read through others: a number put in where its name was meant (ŷ = σ(-0.3) after z = -0.3), a node
named after the formula that uses its expression (f = σ(w0 x0 + w1 x1 + w2), then z = w0 x0 + w1 x1 + w2), and
the values of the plain names at the example."""
from __future__ import annotations

import re

import sympy
from sympy import IndexedBase, Symbol

from .algebra import (
    is_number,
    plain_text,
    written_out_sums,
)
from .roles import Definition
from .said import Quote, said
from .state import Job, Unread

#: a decimal written with its sign: -0.3, 1.25 (not the 0.3 of 1 - 0.3: a sign with a space is an operation)
_SIGNED_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d+(?![\d.])")


#: the names a learning rate is written with
_RATES = ("η", "eta", "alpha", "α", "lr")


class DefinitionsThrough(Job):
    """Names read through others (a number put in for a name, a node named after its use)."""

    def updated_value(self, key, rhs, line: int, written: str) -> bool:
        """``b = 0.2450`` after an update rule (w ← w - η ∇_w L, "and likewise b"): the value after one step of
        gradient descent, b - η ∂L/∂b at the example (η and L as the text defines them), never a claim against
        the b given before. Verified when it is that value at the precision written; else not read (the rule the
        text means for b is not stated)."""
        definitions = self.state.names.definitions
        old = definitions.get(key)
        if not self.state.update_line or line < self.state.update_line or not isinstance(key, Symbol) \
                or old is None or not is_number(old.value) or not is_number(rhs):
            return False
        rate = next((d.value for k, d in definitions.items() if isinstance(k, Symbol) and k.name in _RATES
                     and is_number(d.value)), None)
        loss = next((k for k in definitions if isinstance(k, Symbol) and k.name == "L"), None)
        entry = self.state.entry(line, written, "unread", said("the value of ", key, " after the update rule: it is not ",
                                                            key, " − η ∂L/∂", key, " at the example"))
        if rate is None or loss is None:
            entry.verified_by = said("the value of ", key, " after the update rule (line ", str(self.state.update_line),
                                     "): the learning rate or the loss is not defined, so it is not checked")
            return True
        givens = self.state.givens
        now, givens.vectors = givens.vectors, dict(self.state.update_vectors or givens.vectors)   # before the step
        try:
            derivative = self.state.expanded(sympy.Derivative(loss, key))
            for chosen in self.numbers.given_choices(derivative, sympy.Integer(0)) or [{}]:
                gradient = self.numbers.given_instance(derivative, chosen)
                if is_number(gradient):
                    break
            value = old.value - rate * gradient
            judged = self.state.judge.number_at_precision(value, written.split("=")[-1].strip())
        except (Unread, TypeError, ValueError):
            return True
        finally:
            givens.vectors = now
        if judged and judged[0]:
            entry.verdict = "verified"
            entry.verified_by = said("the value after the update rule: ", key, " − η ∂L/∂", key, " = ", value.evalf(6),
                                     " at the example")
        return True

    def name_through(self, name, value, line: int, written: str) -> bool:
        """``z = w0 x0 + w1 x1 + w2`` (verified) where ``z`` was given by its number (z = ... = 1.5): z is that
        expression from here on (its number a given value), and a name defined before through the same
        expression (f = σ(w0 x0 + w1 x1 + w2)) is read through z, so a derivative by z goes through it."""
        definitions = self.state.names.definitions
        old = definitions.get(name)
        if not isinstance(name, Symbol) or old is None or not is_number(old.value) \
                or not isinstance(value, sympy.Basic) or is_number(value) or value.has(sympy.Derivative) \
                or not value.free_symbols or name in value.free_symbols:
            return False
        rewritten = {}
        for key, found in definitions.items():
            if key != name and isinstance(found.value, sympy.Basic) and not is_number(found.value):
                through = found.value.subs(value, name)
                if through != found.value and through.has(name):
                    rewritten[key] = through
        if not rewritten:
            return False
        self.state.givens.values.setdefault(name, [old.value])
        definitions[name] = Definition(name, value=value, line=line, written=written)
        for key, through in rewritten.items():
            definitions[key].value = through
            self.state.context(line, written, "note", said(plain_text(key), " read through ", plain_text(name), ": ",
                                                          plain_text(key), " = ", plain_text(through)))
        return True
    def value_put_in(self, value, right: str, line: int):
        """``ŷ = σ(-0.3)`` on the line after ``z = w·x + b = ... = -0.3``: the number is z's value at the example,
        put in where z was meant, so ŷ is read as σ(z) (equal to the number there) and a derivative by z later
        goes through it. Only a decimal written with its sign that is the value of exactly one plain name the
        text defines (or gives); else ``value`` as read."""
        literals = {m.group(0) for m in _SIGNED_DECIMAL.finditer(right)}
        if not literals or not is_number(value):
            return value
        values = self.name_values()
        for literal in sorted(literals):
            number = sympy.Rational(literal)
            names = [name for name, found in values.items() if found == number]
            if len(names) > 1:                  # σ(0.2) with z = ... = 0.2 and b = 0.2 given: the defined z
                names = [name for name in names if name in self.state.names.definitions
                         and not is_number(self.state.names.definitions[name].value)]
            if len(names) != 1 or right.count(literal) != 1 \
                    or not re.search(rf"\(\s*{re.escape(literal)}\s*\)", right):
                continue                        # only σ(-0.3): the whole argument of a function
            name = names[0]
            written = re.sub(rf"(?<![\w.]){re.escape(literal)}(?![\d.])", name.name, right)
            try:
                reading = self.state.read(written)
            except Unread:
                continue
            through = reading.value
            if not isinstance(through, sympy.Basic) or name not in through.free_symbols:
                continue
            if not sympy.simplify(through.xreplace({name: number}) - value) == 0:
                continue
            self.state.context(line, right, "note", said(Quote(literal), " is ", plain_text(name), " at the example: ",
                                                         "read as ", plain_text(through)))
            return through
        return value
    def name_values(self) -> dict:
        """The plain names (z, a, q) with one value at the example: given, or defined through given values."""
        out = {}
        givens = self.state.givens.values or {}
        for name, options in givens.items():
            if isinstance(name, Symbol) and re.fullmatch(r"[a-zA-Z]", name.name) and len(options) == 1 \
                    and name.name not in ("y", "t") \
                    and is_number(options[0]):
                out[name] = sympy.nsimplify(options[0])
        for name, definition in self.state.names.definitions.items():
            if not isinstance(name, Symbol) or name in out or not re.fullmatch(r"[a-zA-Z]", name.name) \
                    or definition.value is None or is_number(definition.value):
                continue
            try:
                found = self.checker.numbers.given_instance(self.state.expanded(definition.value), {
                    k: v[0] for k, v in givens.items() if len(v) == 1})
            except (Unread, TypeError, ValueError):
                continue
            if isinstance(found, sympy.Basic) and not found.is_number:
                found = written_out_sums(found)
            if isinstance(found, sympy.Basic) and found.is_number:
                out[name] = sympy.nsimplify(found)
        return out
    def rewrite_through(self, key, parameters, value, line: int, written: str) -> None:
        """``t_n = w^T x_n + b`` after ``ŷ_n = σ(w^T x_n + b)``: the names defined before through the same
        expression are read through the new name (ŷ_n = σ(t_n)), so that a derivative by t_n goes through them
        (the same values: the new name stands for that expression)."""
        if not isinstance(value, sympy.Basic) or is_number(value) or not value.free_symbols \
                or sympy.count_ops(value) < 2 or value.has(sympy.Derivative):
            return
        name = key[parameters] if isinstance(key, IndexedBase) and parameters else key
        if isinstance(key, IndexedBase) and not parameters:
            return
        for other, found in list(self.state.names.definitions.items()):
            if other == key:
                continue
            for attribute in ("value", "body"):
                old = getattr(found, attribute, None)
                if not isinstance(old, sympy.Basic) or is_number(old):
                    continue
                if attribute == "body" and tuple(found.parameters) != tuple(parameters):
                    continue            # ŷ_n through t_n: the same index names, or nothing is rewritten
                through = old.subs(value, name)
                if through != old and through.has(name):
                    setattr(found, attribute, through)
                    self.state.context(line, written, "note", said(plain_text(other), " read through ",
                                                                  plain_text(name), " from here on"))
