"""Vectors and matrices among the text's names: bold and plain vectors (w_j^T x_i), the matrices X, W, P,
Y, G (their entries, their shapes), products of capitals (XW)."""
from __future__ import annotations

from dataclasses import replace

import sympy
from sympy import Indexed, IndexedBase, Symbol

from ...engine import notation
from ...parse.errors import ParseError
from ...parse.written import MatrixName, NameRef, Vector
from ...parse.written_arrays import one_hot
from .roles import CLASS_VECTORS, MATRIX_SHAPES, _letter


class ArrayNames:
    """The part of the resolver that knows vectors and matrices (a mixin of :class:`~.names.Names`)."""

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
        if letter == "W" and self.weights_by_rows:
            return MatrixName(base, rows, cols, transposed=True)    # W in R^{C x D}: the course's W^T
        return MatrixName(base, rows, cols)

    def vector(self, ref: NameRef):
        """w_j, x_i, x written plain where only a vector makes sense (w_j^T x_i): the vector, when the text
        writes that letter as a vector in this problem (w_j^T, z = w^T x); else None."""
        letter = ref.letter
        if ref.font or ref.primes or ref.superscript or len(letter) != 1 \
                or not letter.islower() or letter in ("e", "d"):
            return None
        if letter not in self.vector_families | self.plain_vectors:
            return None
        if ref.example is not None:                 # x^{(n)} beside w^T x: the input vector of example n
            return self._vector(replace(ref, font="mathbf")) if not ref.subscript else None
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
            if letter == "W" and self.weights_by_rows:     # \nabla_W, \mathbf{W} of a W in R^{C x D}
                return MatrixName(IndexedBase(letter, real=True), notation.D, notation.K, transposed=True)
            return MatrixName(IndexedBase(letter, real=True), notation.D, notation.K)
        if len(letter) != 1:
            raise ParseError(f"\\{ref.font}{{{letter}}} is not read")
        if not ref.subscript:
            if ref.example is not None:
                return Vector(lambda d, b=self.base(letter), n=ref.example: b[n, d], notation.D,
                              key=(letter, "example"))
            if letter == self.one_hot_y:    # "y one-hot": the vector e_label (its entries y_k, [k = label])
                return one_hot(self.index_letter(self.one_hot_of))
            return self._plain_vector(letter)
        indices = [i for item in ref.subscript for i in self._item_indices(item, two_letter_words=False)]
        if len(indices) != 1:
            raise ParseError(f"{ref.written()}: a vector takes one index (its column or its example)")
        index = indices[0]
        if letter == "e" and not self._defined_base("e"):         # e_{y_i}: the one-hot vector of a class
            return one_hot(index)
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
