"""The parts of a name as the text writes it: a plain letter (a vector, a count, a symbol of its own), a quantity
(L_i, L^{SVM}, CE), an indexed entry and its indices (w_{y_i}, S_{n,y_n}, p_cat, a class word), and the bases
they are entries of."""
from __future__ import annotations

import sympy
from sympy import IndexedBase, Symbol

from ...engine import notation
from ...parse.errors import ParseError
from ...parse.written import NameRef, Vector
from .roles import (
    _REAL_LETTER,
    COUNT_LETTERS,
    EXAMPLE_LETTERS,
    QUANTITY_LETTERS,
    Definition,
    _item_name,
    example_label,
    index_symbol,
)
from .said import said


class NameParts:
    """The parts of a name as the text writes it: a plain letter (a vector, a count, a symbol of its own), a quantity"""

    def _bare(self, ref: NameRef):
        letter = ref.letter + "'" * ref.primes
        if ref.superscript:
            return self._quantity_symbol(ref)
        if letter in ("K", "N", "D") or letter == "C" and self.c_counts_classes:
            return COUNT_LETTERS[letter]
        if letter in self.example_counts:
            return notation.N                         # "a batch of m examples": m is the number of examples
        if (letter in QUANTITY_LETTERS or (len(letter) > 1 and letter.isupper())) and self.aliasing \
                and self._symbol(letter) not in self.definitions and letter not in self.matrix_letters:
            return self._quantity_symbol(ref)          # L for the one loss the text defines (L_i)
        if letter in _REAL_LETTER:
            return Symbol(_REAL_LETTER[letter], positive=letter in ("alpha", "lambda", "reg"))
        symbol = self._symbol(letter)
        if letter == getattr(self, "one_hot_y", "") and letter != "y" and symbol not in self.definitions:
            from ...parse.written_arrays import one_hot
            return one_hot(self.index_letter(self.one_hot_of))      # p - t with t the one-hot target: e_label
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
                self.notes.append(said(symbol, " is read as ", of_example_i, " for example ", example))
                return symbol
            bare = Symbol(name.split("_")[0], real=True)
            if bare in self.definitions and bare.name in QUANTITY_LETTERS and ref.subscript[0][1] == "n" \
                    and self.definitions[bare].value is not None and self.example_data & {
                        getattr(s, "name", "") for s in self.definitions[bare].value.free_symbols}:
                example = index_symbol("n")            # L_n in a batch, when the text defines the loss L of
                value = self.per_example(bare, example)    # one example (in x, t): L with example n's data
                self.definitions[symbol] = Definition(symbol, value=value, written=f"{name}: {bare.name} for "
                                                                                   f"example {example}")
                self.notes.append(f"{name} is read as {bare.name} for example {example}")
                return symbol
        if self.aliasing and symbol not in self.definitions:
            same = self._same_quantity(symbol, ref)
            if same is not None:
                note = said(symbol, " is read as ", same, ", the only such loss the text defines")
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
        example_input = letter == "x" and self.input_after_transpose and len(indices) == 1 \
            and isinstance(indices[0], Symbol) and indices[0].name in EXAMPLE_LETTERS   # w^T x, then x_i: example i's
        if (letter in self.vector_families or example_input) and len(ref.subscript) == 1 and not ref.primes \
                and not ref.superscript \
                and ref.example is None and len(indices) == 1 and not self._defined_base(letter) \
                and not (isinstance(indices[0], Symbol) and indices[0].name in self.bound
                         and not (letter == "x" and indices[0].name.rstrip("~") in EXAMPLE_LETTERS)
                         and not (letter in self.example_vectors and indices[0].name in ("i", "n"))):
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
        bare = self._symbol(letter)
        if len(indices) == 1 and indices[0] == index_symbol("n") and not self._defined_base(letter) \
                and bare in self.definitions and self.definitions[bare].value is not None \
                and letter not in self.example_data and self.example_data & {
                    getattr(s, "name", "") for s in self.definitions[bare].value.free_symbols}:
            return self.per_example(bare, indices[0])     # z_n: z = w^T x + b with example n's x
        self.ranks.setdefault(letter, set()).add(len(indices))
        return self.base(letter)[tuple(indices)]

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

    def _two_index(self, letter) -> bool:
        """Whether the text writes ``letter`` with two indices (x_{nd}) and never one: then x_{yi} is x_{y,i}."""
        if not letter:
            return False
        definition = self.definitions.get(self.bases.get(letter))
        if definition is not None and len(definition.parameters) == 2:
            return True
        return self.ranks.get(letter) == {2}

    def _item_indices(self, item, two_letter_words: bool, base: str | None = None, label_words: bool = True) -> list:
        kind = item[0]
        if kind == "letter":
            if (item[1] == "y" or item[1] == getattr(self, "label_letter", None)) and not item[2]:
                return [notation.y]             # p_y, s_y (p_c of "the true class c"): at the label
            return [index_symbol(item[1] + "'" * item[2])]
        if kind == "number" and 11 <= item[1] <= 99 and item[1] % 10 and base and len(base) == 1 \
                and base.isupper() and self._two_index(base):     # J_12 of a J_{rc}: row 1, column 2
            return [sympy.Integer(int(d)) - (1 if self.one_based else 0) for d in str(item[1])]
        if kind == "number":                    # p_1 of a text that numbers its classes from 1: entry 0
            return [sympy.Integer(item[1]) - (1 if self.one_based and item[1] >= 1 else 0)]
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
            if label_words and len(word) == 2 and word[0] == "y" and word[1] in EXAMPLE_LETTERS \
                    and not (base in self.matrix_letters or self._two_index(base)) \
                    and not self._defined_base("y"):
                return self._item_indices(("label", "y", word[1]), two_letter_words)   # s_yi, sum_{j != yi}: s_{y_i}
            if two_letter_words and len(word) in (2, 3) and word.islower():
                return [notation.y if letter == "y" else index_symbol(letter) for letter in word]   # δ_{yj}: y the label
            raise ParseError(f"the subscript {word!r} is not read: no class is called {word!r}")
        if kind == "vector":
            raise ParseError(f"{item[2].written()} in a subscript is not read")
        if kind == "except":
            raise ParseError("an index with an exception is only read in a definition, as in t_{m \\neq T} = 0")
        raise ParseError("this subscript is not read")
