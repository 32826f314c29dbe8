"""The roles of the names of a written derivation: the course's letters and what an index of each runs
over, the label of an example, and a :class:`Definition` (what a defined name stands for)."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from sympy import Indexed, IndexedBase, Symbol

from ...engine import notation
from ...engine.maxima import MaxOver
from ...parse.errors import ParseError
from ...parse.written import BOUND_MARK, NameRef

#: letters whose subscripted names are one quantity each (L_i, L_{CE}, J), not an indexed family
QUANTITY_LETTERS = {"L", "J", "E", "R", "F", "G", "H", "U", "V"}
#: what a count-like letter means as the bound of a sum
COUNT_LETTERS = {"K": notation.K, "C": notation.K, "N": notation.N, "D": notation.D}
#: index letters of an example: y_i and y_n are labels
EXAMPLE_LETTERS = ("i", "n")
#: (base letter, rank, position) -> the count an index there runs to
ROLES = {
    ("s", 1, 0): notation.K, ("p", 1, 0): notation.K, ("P", 1, 0): notation.K, ("t", 1, 0): notation.K,
    ("y", 1, 0): notation.K, ("z", 1, 0): notation.K, ("x", 1, 0): notation.D, ("w", 1, 0): notation.D,
    ("x", 2, 0): notation.N, ("x", 2, 1): notation.D, ("W", 2, 0): notation.D, ("W", 2, 1): notation.K,
    ("beta", 2, 0): notation.N, ("beta", 2, 1): notation.K, ("t", 2, 0): notation.N, ("t", 2, 1): notation.K,
    ("y", 2, 0): notation.N, ("y", 2, 1): notation.K, ("L", 1, 0): notation.N, ("z", 2, 0): notation.N,
    ("X", 2, 0): notation.N, ("X", 2, 1): notation.D,
    **{(letter, 2, 0): notation.N for letter in "PYSGBMp"}, **{(letter, 2, 1): notation.K for letter in "PYSGBMp"},
    ("s", 2, 0): notation.N, ("s", 2, 1): notation.K,
}
#: the shape of the matrices of the course's notation (others: one row per example, one column per class)
MATRIX_SHAPES = {"X": (notation.N, notation.D), "W": (notation.D, notation.K), "J": (notation.K, notation.K),
                 "H": (notation.K, notation.K)}
#: subscripts that make a name of their own (y_hat is the prediction, not y at the index h, a, t)
DECORATIONS = {"hat", "pred", "true", "bar", "tilde", "old", "new", "prev", "next", "max", "min", "reg", "data",
               "total", "out", "in"}
#: what an index letter runs over when nothing else says (sum_n L_n: the examples)
LETTER_COUNTS = {"n": notation.N, "d": notation.D}
#: letters whose vectors have one entry per class (the others: one per feature)
CLASS_VECTORS = {"s", "p", "P", "t", "y", "z", "S", "f", "y_hat", "p_hat"}
#: how many examples have their own label symbol (the rest share the last one)
LABELLED_EXAMPLES = 3

#: the component index at which a vector left standing is read (both sides of an equation alike)
COMPONENT = Symbol("c_", integer=True)
#: the SVM margin: positive, as a margin is (a step that holds only for Delta > 0 is right)
MARGIN = Symbol("Delta", positive=True)

_REAL_LETTER = {"alpha": "alpha", "lambda": "lambda", "epsilon": "epsilon", "varepsilon": "epsilon", "reg": "reg"}


def index_symbol(letter: str) -> Symbol:
    """The integer symbol of an index letter: j, k, k', T."""
    return Symbol(letter, integer=True)


def example_label(example) -> sympy.Expr:
    """The label y_n of example n, for instantiation: one integer symbol per example (the first few).

    ``y_n`` is y_(0) for n = 0, y_(1) for n = 1 and y_(2) for every later example, written as
    y_(0) delta_{n0} + y_(1) delta_{n1} + y_(2) (1 - delta_{n0} - delta_{n1}) so that SymPy keeps
    it as one index (a Piecewise would be folded into every expression around it). The labels are
    sampled, like every index, over the classes.
    """
    symbols = [Symbol(f"y_({n})", integer=True) for n in range(LABELLED_EXAMPLES)]
    if example.is_Integer:
        return symbols[min(int(example), LABELLED_EXAMPLES - 1)]
    deltas = [sympy.KroneckerDelta(example, n) for n in range(LABELLED_EXAMPLES - 1)]
    label = sympy.Add(*[s_ * d for s_, d in zip(symbols, deltas)]) + symbols[-1] * (1 - sympy.Add(*deltas))
    return label


def label_of_example_i(sides):
    """Both sides with y_i read as the label of example i where a step about example i (i free) sits in a batch
    whose examples have their own labels (dL/dF_{ic} = (P_{ic} - 1[c = y_i])/N, L a sum over i of log P_{i,y_i})."""
    from ...engine import notation
    example = index_symbol("i")
    basics = [side for side in sides if isinstance(side, sympy.Basic)]
    labels = {Symbol(f"y_({n})", integer=True) for n in range(LABELLED_EXAMPLES)}
    if not any(example in side.free_symbols for side in basics) or not any(side.has(notation.y) for side in basics) \
            or not any(side.free_symbols & labels for side in basics):
        return sides
    label = example_label(example)
    return [side.xreplace({notation.y: label}) if isinstance(side, sympy.Basic) else side for side in sides]


def shown_labels(expr):
    """``expr`` with each label expression of :func:`example_label` written y_n again (for messages)."""
    if not isinstance(expr, sympy.Basic):
        return expr
    last = Symbol(f"y_({LABELLED_EXAMPLES - 1})", integer=True)

    def is_label(e):
        return isinstance(e, sympy.Add) and e.has(last) and e.has(sympy.KroneckerDelta)

    def name(e):
        """The label's terms in ``e`` written y_n; the other terms kept (1 - y_n is not y_n)."""
        delta = next(iter(e.atoms(sympy.KroneckerDelta)))
        example = next((a for a in delta.args if not a.is_Integer), None)
        if example is None:
            return e
        label = example_label(example)
        shown = Symbol(f"y_{str(example).replace(BOUND_MARK, '')}", integer=True)
        for sign in (1, -1):
            rest = e - sign * label
            if not rest.has(last):
                return rest + sign * shown
        return e
    return expr.replace(is_label, name)


@dataclass
class Definition:
    """What a defined name stands for: ``value`` (a Symbol's), or for an indexed name ``body`` in its
    ``parameters`` and the values at particular indices (``at``); for a function, ``parameters`` and ``body``."""

    name: object
    value: object = None
    parameters: tuple = ()
    body: object = None
    at: dict = field(default_factory=dict)
    line: int = 0
    written: str = ""
    partial: tuple = ()           # index cases the definition holds in only (j != y_n), until completed

    def apply(self, indices):
        """The value at ``indices`` (a tuple), or None when the definition does not say."""
        key = tuple(indices)
        if key in self.at:
            return self.at[key]
        if self.body is not None and len(self.parameters) == len(key):
            avoid = set()
            for index in key:
                avoid |= getattr(index, "free_symbols", set())
            body = _rename_bound(self.body, avoid) if avoid else self.body    # never capture an index put in
            mapping = dict(zip(self.parameters, key))
            example = mapping.get(Symbol("i", integer=True))
            if example is not None and example != Symbol("i", integer=True) and body.has(notation.y) \
                    and getattr(example, "is_integer", False):
                mapping[notation.y] = example_label(example)     # G_ij with y_i, taken at example n: y_n
            return body.xreplace(mapping)
        if self.body is None and len(key) == 1 and not getattr(key[0], "is_Integer", False) \
                and getattr(key[0], "is_integer", False) and set(self.at) == {(sympy.Integer(0),), (sympy.Integer(1),)}:
            index = key[0]                  # p_y with p_0 and p_1 defined (two classes): the one at the label
            return sum(sympy.KroneckerDelta(index, m) * self.at[(sympy.Integer(m),)] for m in (0, 1))
        return None


def applied(definition: Definition, args) -> sympy.Expr:
    """A function the text defines, at ``args``: LSE(s) = log sum_j e^{s_j} called with the vector s (read at
    the component index: s_c) is its body; called with another vector, that vector's entries are put in."""
    mapping, bases, entries = {}, {}, {}
    for parameter, arg in zip(definition.parameters, args):
        vector = [b for b in definition.body.atoms(IndexedBase) if b.label == parameter]
        if vector:
            if isinstance(arg, Indexed) and arg.indices == (COMPONENT,):
                if arg.base != vector[0]:
                    bases[vector[0]] = arg.base
            elif isinstance(arg, sympy.Basic) and arg.has(COMPONENT):
                entries[vector[0]] = arg              # lse(s + s): entry k of the argument for each s_k
            else:
                raise ParseError(f"{definition.name} is a function of a vector, called here with one number")
            continue
        mapping[parameter] = arg
    body = definition.body.xreplace(bases) if bases else definition.body
    for base, arg in entries.items():
        body = body.replace(lambda e, b=base: isinstance(e, Indexed) and e.base == b and len(e.indices) == 1,
                            lambda e, a=arg: a.xreplace({COMPONENT: e.indices[0]}))
    return body.xreplace(mapping) if mapping else body


def _rename_bound(expr, avoid: set):
    """``expr`` with the bound index of every sum that is in ``avoid`` renamed (so nothing is captured)."""
    if not avoid:
        return expr

    def visit(e):
        if not e.args:
            return e
        args = [visit(a) for a in e.args]
        if any(a is not b for a, b in zip(args, e.args)):
            e = sympy.Max(*args, evaluate=False) if isinstance(e, sympy.Max) else e.func(*args)
        if isinstance(e, notation.SumExcept) and e.index in avoid:
            fresh = Symbol(e.index.name + BOUND_MARK, integer=True)
            return notation.SumExcept(e.function.xreplace({e.index: fresh}), fresh, e.excluded, e.lower, e.upper)
        if isinstance(e, MaxOver) and e.index in avoid:
            fresh = Symbol(e.index.name + BOUND_MARK, integer=True)
            return MaxOver(e.function.xreplace({e.index: fresh}), fresh, e.excluded, e.lower, e.upper)
        if isinstance(e, sympy.Sum) and any(limit[0] in avoid for limit in e.limits):
            mapping = {limit[0]: Symbol(limit[0].name + BOUND_MARK, integer=True) for limit in e.limits
                       if limit[0] in avoid}
            limits = [(mapping.get(v, v), lo, hi) for v, lo, hi in e.limits]
            return sympy.Sum(e.function.xreplace(mapping), *limits)
        return e
    return visit(expr)


def _replace_symbols(expr, mapping):
    """``expr`` with the symbols of ``mapping`` replaced, but not where one is the label of an indexed name."""
    if not mapping:
        return expr

    def visit(e):
        if isinstance(e, Symbol):
            return mapping.get(e, e)
        if isinstance(e, (IndexedBase,)):
            return e
        if not e.args:
            return e
        args = [visit(a) for a in e.args]
        if all(a is b for a, b in zip(args, e.args)):
            return e
        if isinstance(e, sympy.Max):
            return sympy.Max(*args, evaluate=False)
        return e.func(*args)
    return visit(expr)


def replace_example(ref: NameRef, example) -> NameRef:
    return NameRef(ref.letter, ref.font, ref.primes, ref.subscript, ref.superscript, example)


def _letter(base) -> str:
    return base.label.name if isinstance(base, IndexedBase) else str(base)


def _item_name(item) -> str:
    kind = item[0]
    if kind == "letter":
        return item[1] + "'" * item[2]
    if kind in ("number", "word", "greek"):
        return str(item[1])
    if kind == "label":
        return f"{item[1]}_{item[2]}"
    return "?"


def bound_name(symbol) -> bool:
    """Whether ``symbol`` is the bound index of a sum read from the text."""
    return isinstance(symbol, Symbol) and symbol.name.endswith(BOUND_MARK)
