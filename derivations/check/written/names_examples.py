"""Examples among the text's names: L_n and p_{nc} as the text's L_i and p_c for example n, a sum over the
examples of a quantity that does not name one, x^{(n)}, and L_n as the term of example n of a batch loss
``L = (1/N) sum_n ...`` that the text never defines otherwise."""
from __future__ import annotations

import sympy
from sympy import Indexed, IndexedBase, Symbol

from ...engine import notation
from .roles import EXAMPLE_LETTERS, Definition, _letter, _rename_bound, _replace_symbols, example_label, index_symbol

#: the mark of a family made of a quantity named with an index (L_n in sum_n L_n: the family L•, entry n)
FAMILY_MARK = "•"


class ExampleNames:
    """The part of the resolver that knows examples (a mixin of :class:`~.names.Names`)."""

    def rebind(self, summand, free, bound):
        """L_n inside sum_n: L_n is one symbol named with n, so renaming n in the summand misses it; it is
        replaced by the entry ``bound`` of a family whose definition is L_n's with n a parameter."""
        if not isinstance(summand, sympy.Basic):
            return summand
        mapping = {}
        for symbol in summand.free_symbols:
            if not isinstance(symbol, Symbol) or symbol.is_integer:
                continue
            head, _, rest = symbol.name.partition("_")
            subscript = rest.split("^")[0]
            if not head or subscript != free.name:
                continue
            definition = self.definitions.get(symbol)
            if definition is not None and definition.value is None:
                continue
            family = self.families.get(symbol)
            if family is None:
                family = IndexedBase(f"{head}{rest[len(subscript):]}{FAMILY_MARK}", real=True)
                self.families[symbol] = family
                self.define_family(symbol)          # L_n not defined yet: its family is, when L_n is
            mapping[symbol] = family[bound]
        if free.name == "i" and summand.has(notation.y):
            mapping[notation.y] = example_label(bound)     # sum_i log P_{i, y_i}: each example's label
        return summand.xreplace(mapping) if mapping else summand

    def define_family(self, symbol):
        """The family of ``symbol`` (L_n: L•, entry n) defined as ``symbol`` is, with n a parameter (once the text
        defines ``symbol``: before or after the sum over n that uses it)."""
        family, definition = self.families.get(symbol), self.definitions.get(symbol)
        if family is None or definition is None or definition.value is None:
            return
        free = Symbol(symbol.name.partition("_")[2].split("^")[0], integer=True)
        body = definition.value
        if free.name == "i":                       # L_i of each example i: its own label y_i
            from .expand import expand
            body = expand(body, self.definitions).xreplace({notation.y: example_label(free)})
        self.definitions[family] = Definition(family, parameters=(free,), body=body, written=definition.written)

    def implicit_example(self, summand, index, count):
        if count != notation.N:
            return None
        if not any(self._per_example_possible(s) for s in summand.free_symbols):
            return None
        return self.per_example(summand, index)

    def _for_example(self, base, indices):
        """p_{nc} where the text defines p_c for its example i: p_c of example n (the text's definitions with
        example i's data and label made example n's); None when that is not what the name means."""
        definition = self.definitions.get(base)
        if definition is None or definition.body is None or len(definition.parameters) + 1 != len(indices) \
                or definition.apply(tuple(indices)) is not None:
            return None
        example, *rest = indices
        if not (isinstance(example, Symbol) and example.name in EXAMPLE_LETTERS and example.name != "i"):
            return None
        entry = base[tuple(rest)]
        return self.for_example(entry, example)

    def for_example(self, expr, example):
        """``expr`` (the text's example i) for example ``example``: its definitions put in, i made the example
        and y_i its label."""
        from .expand import expand
        expanded = expand(expr, self.definitions)
        return expanded.xreplace({index_symbol("i"): example, notation.y: example_label(example)})

    def _per_example_possible(self, symbol) -> bool:
        return symbol in self.definitions or getattr(symbol, "name", None) in self.example_data

    def _per_example_name(self, name, example):
        """``name`` for example ``example``: name^(n), whose definition is ``name``'s with example n's data."""
        if isinstance(name, Indexed):
            label, indices, of = _letter(name.base), tuple(name.indices), name.base
        else:
            label, indices, of = name.name, (), name
        base = self.per_example_bases.get(label)
        if base is None:
            base = self.per_example_bases[label] = notation.PerExample(label, real=True)
            self.definitions[base] = _PerExample(self)
        if isinstance(self.definitions.get(base), _PerExample):     # else the text defines name^(n) itself
            self.definitions[base].of[len(indices)] = of
        return base[(example, *indices)]

    def per_example(self, expr, example):
        """``expr`` for example ``example``: defined names and the data (x, t) of that example."""
        from .expand import expand
        expanded = _rename_bound(expand(expr, self.definitions), set(getattr(example, "free_symbols", ())))
        result = expanded.replace(
            lambda e: isinstance(e, Indexed) and _letter(e.base) in self.example_data and len(e.indices) == 1,
            lambda e: self.base(_letter(e.base))[(example, *e.indices)])
        labels = {a.base.label for a in result.atoms(Indexed)}
        mapping = {}
        for symbol in result.free_symbols:
            if isinstance(symbol, Symbol) and (symbol.name in self.example_data or symbol.name == "y") \
                    and not symbol.is_integer and symbol not in labels:       # a real y: the target of example n
                mapping[symbol] = self.base(symbol.name)[example]
        return _replace_symbols(result, mapping)


def per_example_term(value):
    """``L = (1/N) sum_n sum_{j != y_n} max(...) + reg sum W^2``: (n, the term of example n, sign and scale of
    the average or the sum put in) when ``value`` holds exactly one sum over the examples n (0 to N - 1);
    else None. (A sum over i is left alone: the text's L_i is about its own example, with y_i its label.)"""
    if not isinstance(value, sympy.Basic):
        return None
    found = []
    for term in sympy.Add.make_args(value):
        coefficient, summed = term.as_independent(sympy.Sum, as_Add=False)
        if not isinstance(summed, sympy.Sum) or len(summed.limits) != 1:
            continue
        variable, low, high = summed.limits[0]
        if variable.name.rstrip("~") != "n" or low != 0 or high != notation.N - 1:
            continue
        scale = sympy.expand(coefficient * notation.N) if coefficient.has(notation.N) else coefficient
        if scale.is_number and scale != 0:
            found.append((variable, scale * summed.function))
    if len(found) != 1:
        return None
    variable, body = found[0]
    if any(FAMILY_MARK in base.name for base in body.atoms(IndexedBase)) or any(
            s.name.startswith(("L_", "\\mathcal")) for s in body.free_symbols if isinstance(s, Symbol)):
        return None                      # sum_n L_n: the text names the term itself
    example = index_symbol("n")
    return example, body.xreplace({variable: example})


class _PerExample(Definition):
    """The definition of name^{(n)}: the name's own definition with example n's data put in."""

    def __init__(self, names):
        super().__init__(None)
        self.names = names
        self.of: dict = {}             # number of indices after the example's -> the name (y, or y_k's y)

    def apply(self, indices):
        if not indices:
            return None
        example, rest = indices[0], tuple(indices[1:])
        of = self.of.get(len(rest))
        if of is None:
            return None
        target = of[rest] if rest else of
        return self.names.per_example(target, example)
