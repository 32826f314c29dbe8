"""What the names of a written derivation stand for: the resolver the expression builder asks.

The course's notation first (:mod:`derivations.engine.notation`): s_j the scores, p_j the
probabilities, y_i the label of example i, Delta the margin, K the number of classes (C, as
the bound of a sum, is K too), D features, N examples. Then what the text itself says:

* a name with a subscript is an indexed name (s_j, x_{nd}, beta_{nj}, t_1), except the names of
  quantities (L_i, L_{CE}, L_i^{SVM}, J, CE), which are one symbol each with their decorations;
* two lower-case letters in a subscript are two indices (x_{nd}, delta_{ij}); a word that names a
  class (s_{dog}) is that class's index; y_n is the label of example n;
* a bold or underlined letter is a vector: \\mathbf{w}_j is column j of W (components W_{d,j}),
  \\mathbf{x}_i the input of example i (x_{i,d}); a plain letter is a vector too when the text
  also writes it with an index (w_j, x_j in z = w^T x);
* a capital P or S that the text does not define is p or s (P_{cat} = p_0), with a note;
* ^{(i)} marks example i: x_j^{(i)} is x_{i,j}, and a defined name (y^{(i)}) is its definition
  for example i;
* a sum over the examples of a quantity that does not name the example (\\sum_{i=1}^N L_{CE}) is
  read as the sum of that quantity for each example, with a note.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from sympy import Indexed, IndexedBase, Symbol

from ...engine import notation
from ...parse.errors import ParseError
from ...parse.written import BOUND_MARK, MatrixName, NameRef, Vector

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
CLASS_VECTORS = {"s", "p", "P", "t", "y", "z", "S"}
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


def shown_labels(expr):
    """``expr`` with each label expression of :func:`example_label` written y_n again (for messages)."""
    if not isinstance(expr, sympy.Basic):
        return expr
    last = Symbol(f"y_({LABELLED_EXAMPLES - 1})", integer=True)

    def is_label(e):
        return isinstance(e, sympy.Add) and e.has(last) and e.has(sympy.KroneckerDelta)

    def name(e):
        delta = next(iter(e.atoms(sympy.KroneckerDelta)))
        example = next(a for a in delta.args if not a.is_Integer)
        return Symbol(f"y_{str(example).replace(BOUND_MARK, '')}", integer=True)
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
            return body.xreplace(dict(zip(self.parameters, key)))
        return None


class Names:
    """The resolver of one derivation: the course's notation plus what the text has said so far."""

    log_base = "e"

    def __init__(self):
        self.component = COMPONENT
        self.definitions: dict = {}           # Symbol / IndexedBase / Function -> Definition
        self.classes: list[str] = []          # class names in order (cat, dog, bird)
        self.plain_vectors: set[str] = set()  # plain letters also written with an index (w, x)
        self.subscripted: set[str] = set()    # every letter written with a subscript in this part
        self.vector_families: set[str] = set()  # plain letters whose subscripted names are vectors (w_j^T x_i)
        self.bound: set[str] = set()          # the letters a sum binds in the expression being read
        self.vector_counts: dict = {}         # plain vectors the text sums over a count (x: K when sum_j^K x_j)
        self.named_vectors: dict = {}         # names the text defines as vectors (s' = 2s) -> their length
        self.aliasing = True                  # an undefined L may be read as the one loss defined (not in a head)
        self.families: dict = {}              # L_n -> the family L_{.} whose entry n is L_n (see rebind)
        self.matrix_letters: dict = {}        # capital letters the text uses as matrices -> the letter of their entries
        self.example_data: set[str] = {"x", "t"}
        self.notes: list[str] = []
        self.functions: dict = {}             # letter -> sympy Function class (f, h)
        self.aliases_used: set = set()
        self.bases: dict = {}
        self.current: set = set()             # the names defined in the current problem of the text
        self.per_example_bases: dict = {}     # name -> its per-example indexed name, name^(n)

    # -- the builder's questions ------------------------------------------------------------------

    def index_letter(self, letter: str) -> Symbol:
        if letter == "y":
            return notation.y                   # 1[j = y], p_y: the label of the example
        return index_symbol(letter)

    def count(self, written):
        if written is None:
            return None
        if isinstance(written, Symbol) and written.name in COUNT_LETTERS:
            return COUNT_LETTERS[written.name]
        if written in notation.COUNTS:
            return written
        return None

    def sum_count(self, bound: Symbol, summand) -> sympy.Expr:
        """What a sum without bounds runs over: the count of the places its index takes (s_j: the classes,
        x_{nd}: the examples); when those disagree (t_n beside x_{n,i}), the one its letter names (n: N)."""
        counts = []
        for node in sympy.preorder_traversal(summand):
            if isinstance(node, Indexed):
                letter = _letter(node.base)
                for position, index in enumerate(node.indices):
                    if index == bound:
                        count = self.vector_counts.get(letter) if len(node.indices) == 1 else None
                        count = count or ROLES.get((letter, len(node.indices), position))
                        if count is not None and count not in counts:
                            counts.append(count)
        by_letter = LETTER_COUNTS.get(bound.name.rstrip(BOUND_MARK).rstrip("'"))
        if by_letter is not None and (by_letter in counts or not counts):
            return by_letter
        return counts[0] if counts else notation.K

    def rebind(self, summand, free, bound):
        """L_n inside sum_n: L_n is one symbol named with n, so renaming n in the summand misses it; it is
        replaced by the entry ``bound`` of a family whose definition is L_n's with n a parameter."""
        if not isinstance(summand, sympy.Basic):
            return summand
        mapping = {}
        for symbol in summand.free_symbols:
            if not isinstance(symbol, Symbol) or symbol.is_integer or symbol not in self.definitions:
                continue
            head, _, rest = symbol.name.partition("_")
            subscript = rest.split("^")[0]
            if not head or subscript != free.name:
                continue
            definition = self.definitions[symbol]
            if definition.value is None:
                continue
            family = self.families.get(symbol)
            if family is None:
                family = IndexedBase(f"{head}_{{}}{rest[len(subscript):]}", real=True)
                self.families[symbol] = family
                body = definition.value
                if free.name == "i":                       # L_i of each example i: its own label y_i
                    from .expand import expand
                    body = expand(body, self.definitions).xreplace({notation.y: example_label(free)})
                self.definitions[family] = Definition(family, parameters=(free,), body=body,
                                                      written=definition.written)
            mapping[symbol] = family[bound]
        if free.name == "i" and summand.has(notation.y):
            mapping[notation.y] = example_label(bound)     # sum_i log P_{i, y_i}: each example's label
        return summand.xreplace(mapping) if mapping else summand

    def implicit_example(self, summand, index, count):
        if count != notation.N:
            return None
        if not any(self._per_example_possible(s) for s in summand.free_symbols):
            return None
        return self.per_example(summand, index)

    def function(self, ref: NameRef):
        quantity = ref.letter in QUANTITY_LETTERS or (len(ref.letter) > 1 and ref.letter.isupper())
        if ref.subscript or ref.font or quantity:
            plain = NameRef(ref.letter, "" if ref.font == "mathcal" else ref.font, ref.primes, ref.subscript,
                            ref.superscript)
            key = self._quantity_symbol(plain) if quantity or ref.font == "mathcal" else None
            if key is None or key not in self.definitions:
                return None
            definition = self.definitions[key]
            if definition.parameters:
                return lambda *args, d=definition: applied(d, args) if len(args) == len(d.parameters) else key
            return lambda *args, k=key: k           # L_CE(y, t) for a quantity defined in y and t: L_CE itself
        defined = self.definitions.get(Symbol(ref.letter, real=True))
        if len(ref.letter) == 1 and defined is not None and defined.parameters and defined.body is not None:
            return lambda *args, d=defined: applied(d, args) if len(args) == len(d.parameters) else None
        if ref.letter in self.functions:
            return self.functions[ref.letter]
        if len(ref.letter) == 1 and ref.letter in "fgh":
            function = self.functions.setdefault(ref.letter, sympy.Function(ref.letter, real=True))
            return function
        return None

    def indices(self, ref: NameRef) -> list:
        out = []
        for item in ref.subscript:
            out.extend(self._item_indices(item, two_letter_words=True))
        return out

    def name(self, ref: NameRef):
        letter = ref.letter
        if ref.font in ("mathcal", "mathit", "mathrm") and len(letter) == 1:
            ref = NameRef(letter, "", ref.primes, ref.subscript, ref.superscript, ref.example)
        if ref.font in ("mathbf", "boldsymbol", "bm", "underline", "vec"):
            return self._vector(ref)
        if ref.font in ("bar", "hat", "tilde", "overline"):
            if ref.subscript:
                raise ParseError(f"\\{ref.font}{{{letter}}} with a subscript is not read")
            if letter in "ijkmnc":
                return index_symbol(letter + {"bar": "̄", "hat": "̂", "tilde": "̃", "overline": "̄"}[ref.font])
            return Symbol(f"{letter}_{ref.font}", real=True)
        if letter == "e" and not ref.subscript and not ref.primes:
            return sympy.E
        if letter == "Delta" and not ref.subscript:
            return MARGIN
        if letter == "delta":
            raise ParseError("\\delta without two indices is not read")
        if len(ref.subscript) == 1 and ref.subscript[0][0] == "word" and ref.subscript[0][1] in DECORATIONS:
            return self._symbol(f"{letter}_{ref.subscript[0][1]}")      # y_hat, y_pred: a name of its own
        if not ref.subscript and ref.example is None:
            matrix = self.matrix(ref)
            if matrix is not None:
                return matrix
            product = self._matrix_product(ref)
            if product is not None:
                return product
            return self._bare(ref)
        if letter in self.matrix_letters and not ref.primes and not ref.superscript and ref.example is None \
                and len(self.indices(ref)) == 2:
            return self.base(letter)[tuple(self.indices(ref))]      # W_{dc}, Y_{nc}, G_nc: an entry of a matrix
        if letter in QUANTITY_LETTERS or len(letter) > 1 and letter.isupper() and letter not in ("CE",) \
                or letter == "CE":
            if ref.example is not None:
                return self._per_example_name(self._quantity_symbol(replace_example(ref, None)), ref.example)
            return self._quantity_symbol(ref)
        return self._indexed(ref)

    # -- the parts of a name ----------------------------------------------------------------------------

    def _bare(self, ref: NameRef):
        letter = ref.letter + "'" * ref.primes
        if ref.superscript:
            return self._quantity_symbol(ref)
        if letter in ("K", "N", "D"):
            return COUNT_LETTERS[letter]
        if (letter in QUANTITY_LETTERS or (len(letter) > 1 and letter.isupper())) and self.aliasing \
                and self._symbol(letter) not in self.definitions and letter not in self.matrix_letters:
            return self._quantity_symbol(ref)          # L for the one loss the text defines (L_i)
        if letter in _REAL_LETTER:
            return Symbol(_REAL_LETTER[letter], positive=letter in ("alpha", "lambda", "reg"))
        symbol = self._symbol(letter)
        if letter in self.named_vectors:
            base = self.base(letter)
            return Vector(lambda d, b=base: b[d], self.named_vectors[letter], key=(letter,))
        if ref.primes == 0 and letter in self.plain_vectors and symbol not in self.current:
            return self._plain_vector(letter)         # y_k in this problem: y is the vector, whatever y was before
        if symbol in self.definitions:
            return symbol
        alias = self._alias(letter, bare=True)
        if alias is not None and alias in self.plain_vectors | {"s", "p"} and letter not in self.subscripted_own():
            return self._plain_vector(alias)
        if letter in ("s", "p") or (letter in self.subscripted and len(letter) == 1):
            return self._plain_vector(letter)
        return symbol

    def subscripted_own(self) -> set:
        return set()

    def _symbol(self, letter: str) -> Symbol:
        if letter == "z":
            return notation.z
        if letter == "t":
            return notation.t
        return Symbol(letter, real=True)

    def _quantity_symbol(self, ref: NameRef) -> Symbol:
        """L_i, L_i^{SVM}, L_{CE}, J, CE: one symbol per quantity, named as written."""
        name = ref.letter + "'" * ref.primes
        if ref.subscript:
            name += "_" + ",".join(_item_name(item) for item in ref.subscript)
        if ref.superscript:
            name += "^" + ref.superscript
        symbol = Symbol(name, real=True)
        if self.aliasing and symbol not in self.definitions and len(ref.subscript) == 1 \
                and ref.subscript[0][0] == "letter" and ref.subscript[0][1] in EXAMPLE_LETTERS[1:]:
            of_example_i = Symbol(name.replace("_" + ref.subscript[0][1], "_i", 1), real=True)
            if of_example_i in self.definitions:       # L_n, when the text defines the loss L_i of example i
                example = index_symbol(ref.subscript[0][1])
                value = self.for_example(of_example_i, example)
                self.definitions[symbol] = Definition(symbol, value=value, written=f"{name}: {of_example_i.name} "
                                                                                   f"for example {example}")
                self.notes.append(f"{name} is read as {of_example_i.name} for example {example}")
                return symbol
        if self.aliasing and symbol not in self.definitions:
            same = self._same_quantity(symbol, ref)
            if same is not None:
                note = f"{ref.written()} is read as {same.name}, the only such loss the text defines"
                if note not in self.notes:
                    self.notes.append(note)
                return same
        return symbol

    def _same_quantity(self, symbol, ref: NameRef):
        """The one defined quantity a name the text never defines must mean: L for L_i, L_i for L_i^{SVM}
        (the same letter, only decorations added or left out); None when there is none or more than one."""
        letter = ref.letter + "'" * ref.primes
        subscript = ",".join(_item_name(item) for item in ref.subscript)
        found = []
        for key in self.definitions:
            if not isinstance(key, Symbol) or key.is_integer or key == symbol:
                continue
            head, _, rest = key.name.partition("_")
            head, _, sup = head.partition("^")
            if head != letter:
                continue
            sub = rest.split("^")[0]
            if subscript and sub != subscript:
                continue                         # L_n is neither L_i nor L
            found.append(key)
        current = [k for k in found if k in self.current]
        found = current or found
        return found[0] if len(found) == 1 else None

    def _alias(self, letter: str, bare: bool = False):
        """P -> p and S -> s when the text does not define the capital letter (a bare S or P that a definition
        names, S = sum_k e^{s_k}, is its own)."""
        if letter in ("P", "S") and (self.aliasing or not bare):
            if self.base(letter) not in self.definitions and self._symbol(letter) not in self.definitions:
                return letter.lower()
        return None

    def _indexed(self, ref: NameRef):
        letter = ref.letter + "'" * ref.primes
        if ref.superscript:
            letter += "^" + ref.superscript
        alias = self._alias(letter) if not ref.primes else None
        if alias is not None:
            self.aliases_used.add((letter, alias))
            letter = alias
        indices = []
        for item in ref.subscript:
            if item[0] == "except":
                raise ParseError(f"{ref.written()}: an index with an exception is only read in a definition")
            indices.extend(self._item_indices(item, two_letter_words=True, base=letter))
        if letter in self.vector_families and len(ref.subscript) == 1 and not ref.primes and not ref.superscript \
                and ref.example is None and len(indices) == 1 and not self._defined_base(letter) \
                and not (isinstance(indices[0], Symbol) and indices[0].name in self.bound):
            return self._vector(NameRef(letter, "mathbf", 0, ref.subscript))    # w_j in w_j^T x_i: a column of W
        if letter == "y" and len(indices) == 1 and ref.example is None and not self._defined_base("y") \
                and isinstance(indices[0], Symbol) and indices[0].name in EXAMPLE_LETTERS:
            return notation.y if indices[0].name == "i" else example_label(indices[0])
        if ref.example is not None:
            if not indices and self._symbol(letter) in self.definitions:
                return self._per_example_name(self._symbol(letter), ref.example)
            if self._defined_base(letter):
                return self._per_example_name(self.base(letter)[tuple(indices)], ref.example)
            indices = [ref.example, *indices]
        if letter == "e" and len(indices) == 1 and not self._defined_base("e") and ref.example is None:
            return self._vector(NameRef("e", "mathbf", 0, ref.subscript))    # e_y: the one-hot vector of the label
        other = self._for_example(self.base(letter), indices)
        if other is not None:
            return other
        return self.base(letter)[tuple(indices)]

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

    def base(self, letter: str) -> IndexedBase:
        """The indexed name for ``letter`` (the course's s, p, x, w are the notation's own)."""
        if letter in self.bases:
            return self.bases[letter]
        known = {"s": notation.s, "p": notation.p, "x": notation.x, "w": notation.w}
        base = known.get(letter) or (IndexedBase(letter, positive=True, real=True) if letter in ("p", "P")
                                     else IndexedBase(letter, real=True))
        self.bases[letter] = base
        return base

    def _defined_base(self, letter: str) -> bool:
        return self.base(letter) in self.definitions

    def _item_indices(self, item, two_letter_words: bool, base: str | None = None) -> list:
        kind = item[0]
        if kind == "letter":
            if item[1] == "y" and not item[2]:
                return [notation.y]             # p_y, s_y: at the label
            return [index_symbol(item[1] + "'" * item[2])]
        if kind == "number":
            return [sympy.Integer(item[1])]
        if kind == "greek":
            return [index_symbol(item[1])]
        if kind == "label":
            letter, sub = item[1], item[2]
            if letter == "y" and sub in EXAMPLE_LETTERS:
                return [notation.y if sub == "i" else example_label(index_symbol(sub))]
            raise ParseError(f"the index {letter}_{sub} is not read: an index is a letter, a number or y_i")
        if kind == "word":
            word = item[1]
            if word in self.classes:
                return [sympy.Integer(self.classes.index(word))]
            if two_letter_words and len(word) in (2, 3) and word.islower():
                return [index_symbol(letter) for letter in word]
            raise ParseError(f"the subscript {word!r} is not read: no class is called {word!r}")
        if kind == "vector":
            raise ParseError(f"{item[2].written()} in a subscript is not read")
        if kind == "except":
            raise ParseError("an index with an exception is only read in a definition, as in t_{m \\neq T} = 0")
        raise ParseError("this subscript is not read")

    # -- vectors and matrices ---------------------------------------------------------------------------

    def _matrix_product(self, ref: NameRef):
        """XW: two capitals the text uses as matrices, written side by side (a product, not a name)."""
        letters = ref.letter
        if not (2 <= len(letters) <= 3 and letters.isupper()) or ref.font or ref.primes or ref.superscript \
                or Symbol(letters, real=True) in self.definitions:
            return None
        matrices = [self.matrix(NameRef(letter)) for letter in letters]
        if any(m is None for m in matrices):
            return None
        from ...parse.written_arrays import Fresh, times
        fresh = Fresh()
        product = matrices[0]
        for matrix in matrices[1:]:
            product = times(product, matrix, fresh)
        return product

    def matrix(self, ref: NameRef):
        """A capital letter the text uses as a matrix (X, W, P, Y, G written with two indices or transposed),
        bare: the matrix (entry (r, c) is X_{rc}, or x_{rc} when the text writes the entries in small letters);
        None when it is not one (or the text defines it as one number)."""
        letter = ref.letter
        if len(letter) != 1 or not letter.isupper() or ref.primes or ref.superscript or ref.font \
                or letter not in self.matrix_letters:
            return None
        if Symbol(letter, real=True) in self.definitions:
            return None
        entries = self.matrix_letters[letter]
        base = self.base(entries)
        if base in self.definitions and self.definitions[base].value is not None:
            return None
        rows, cols = MATRIX_SHAPES.get(letter, (notation.N, notation.K))
        return MatrixName(base, rows, cols)

    def vector(self, ref: NameRef):
        """w_j, x_i, x written plain where only a vector makes sense (w_j^T x_i): the vector, when the text
        writes that letter as a vector in this problem (w_j^T, z = w^T x); else None."""
        letter = ref.letter
        if ref.font or ref.primes or ref.superscript or ref.example is not None or len(letter) != 1 \
                or not letter.islower() or letter in ("e", "d"):
            return None
        if letter not in self.vector_families | self.plain_vectors:
            return None
        if not ref.subscript:
            return self._plain_vector(letter)
        if len(ref.subscript) != 1 or self._defined_base(letter):
            return None
        try:
            return self._vector(NameRef(letter, "mathbf", 0, ref.subscript))
        except ParseError:
            return None

    def _vector(self, ref: NameRef):
        letter = ref.letter
        if letter.isupper() and len(letter) == 1 and not ref.subscript:
            if letter in ("S", "P"):
                return self._plain_vector(letter.lower())
            return MatrixName(IndexedBase(letter, real=True), notation.D, notation.K)
        if len(letter) != 1:
            raise ParseError(f"\\{ref.font}{{{letter}}} is not read")
        if not ref.subscript:
            if ref.example is not None:
                return Vector(lambda d, b=self.base(letter), n=ref.example: b[n, d], notation.D,
                              key=(letter, "example"))
            return self._plain_vector(letter)
        indices = [i for item in ref.subscript for i in self._item_indices(item, two_letter_words=False)]
        if len(indices) != 1:
            raise ParseError(f"{ref.written()}: a vector takes one index (its column or its example)")
        index = indices[0]
        if letter == "e" and not self._defined_base("e"):         # e_{y_i}: the one-hot vector of a class
            return Vector(lambda d, j=index: sympy.KroneckerDelta(d, j), notation.K, key=("e", index))
        if letter == "w":
            matrix = IndexedBase("W", real=True)
            return Vector(lambda d, m=matrix, j=index: m[d, j], notation.D, key=("w", index))
        if letter in CLASS_VECTORS:
            return Vector(lambda d, b=self.base(letter), j=index: b[j, d], notation.K, key=(letter, index))
        return Vector(lambda d, b=self.base(letter), n=index: b[n, d], notation.D, key=(letter, index))

    def learn_counts(self, expr) -> None:
        """A vector the text sums over a known count (sum_{j=1}^{K} e^{x_j}): x has K entries from here on."""
        if not isinstance(expr, sympy.Basic):
            return
        for node in sympy.preorder_traversal(expr):
            if isinstance(node, sympy.Sum) and len(node.limits) == 1:
                index, low, high = node.limits[0]
                count = high + 1
                if count not in notation.COUNTS:
                    continue
                for atom in node.function.atoms(Indexed):
                    if atom.indices == (index,):
                        self.vector_counts.setdefault(_letter(atom.base), count)

    def _plain_vector(self, letter: str) -> Vector:
        count = self.vector_counts.get(letter) or (notation.K if letter in CLASS_VECTORS else notation.D)
        return Vector(lambda d, b=self.base(letter): b[d], count, key=(letter,))

    # -- examples --------------------------------------------------------------------------------------

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
            if isinstance(symbol, Symbol) and symbol.name in self.example_data and not symbol.is_integer \
                    and symbol not in labels:
                mapping[symbol] = self.base(symbol.name)[example]
        return _replace_symbols(result, mapping)


def applied(definition: Definition, args) -> sympy.Expr:
    """A function the text defines, at ``args``: LSE(s) = log sum_j e^{s_j} called with the vector s (read at
    the component index: s_c) is its body; called with another vector, that vector's entries are put in."""
    mapping, bases = {}, {}
    for parameter, arg in zip(definition.parameters, args):
        vector = [b for b in definition.body.atoms(IndexedBase) if b.label == parameter]
        if vector:
            if isinstance(arg, Indexed) and arg.indices == (COMPONENT,) and arg.base != vector[0]:
                bases[vector[0]] = arg.base
            continue
        mapping[parameter] = arg
    body = definition.body.xreplace(bases) if bases else definition.body
    return body.xreplace(mapping) if mapping else body


class _PerExample(Definition):
    """The definition of name^{(n)}: the name's own definition with example n's data put in."""

    def __init__(self, names: Names):
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
        if isinstance(e, notation.MaxOver) and e.index in avoid:
            fresh = Symbol(e.index.name + BOUND_MARK, integer=True)
            return notation.MaxOver(e.function.xreplace({e.index: fresh}), fresh, e.lower, e.upper)
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
