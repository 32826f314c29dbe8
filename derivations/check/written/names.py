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

import re

import sympy
from sympy import Indexed, Symbol

from ...engine import notation
from ...parse.errors import ParseError
from ...parse.written import BOUND_MARK, NameRef, Vector
from ...parse.written_arrays import MatrixName
from .names_arrays import ArrayNames
from .names_examples import ExampleNames
from .names_parts import NameParts
from .roles import (
    CLASS_VECTORS,
    COMPONENT,
    COUNT_LETTERS,
    DECORATIONS,
    LETTER_COUNTS,
    MARGIN,
    MATRIX_SHAPES,
    QUANTITY_LETTERS,
    ROLES,
    _letter,
    applied,
    index_symbol,
    replace_example,
)


class Names(NameParts, ArrayNames, ExampleNames):
    """The resolver of one derivation: the course's notation plus what the text has said so far."""

    log_base = "e"

    def __init__(self):
        self.component = COMPONENT
        self.definitions: dict = {}           # Symbol / IndexedBase / Function -> Definition
        self.unreadable: dict = {}            # names whose definition could not be read -> its line
        self.classes: list[str] = []          # class names in order (cat, dog, bird)
        self.plain_vectors: set[str] = set()  # plain letters also written with an index (w, x)
        self.subscripted: set[str] = set()    # every letter written with a subscript in this part
        self.vector_families: set[str] = set()  # plain letters whose subscripted names are vectors (w_j^T x_i)
        self.bound: set[str] = set()          # the letters a sum binds in the expression being read
        self.example_vectors: set[str] = set()  # letters written as vectors with the example index (x_i^T)
        self.function_words: set[str] = set()   # lower-case names the text defines as functions (lse(s) = ...)
        self.vector_counts: dict = {}         # plain vectors the text sums over a count (x: K when sum_j^K x_j)
        self.named_vectors: dict = {}         # names the text defines as vectors (s' = 2s) -> their length
        self.writes_matrix_w = False            # the text writes the matrix W (\nabla_{w_j} is then a row or column of it)
        self.one_hot_y = ""                     # the letter the text calls a one-hot target (y, t): y_i is [i = label]
        self.label_letter = None                # "true class c = 2": c is the label (as y is)
        self.e_is_a_name = False               # the text defines e (e = d + c, a node): not Euler's number
        self.one_hot_of = "y"                   # the label letter whose one-hot vector a plain y is ("of c")
        self.one_based = False                 # the text numbers its classes from 1 (p_1 is the first entry)
        self.c_counts_classes = False          # the text writes C for the number of classes (C - 1 terms)
        self.example_counts: set[str] = set()  # letters the text counts its examples with ("m examples": m is N)
        self.input_after_transpose = False    # the text writes w^T x (x an input vector, so x_i is example i's)
        self.weights_by_rows = False          # W in R^{C x D}: a row per class (the course's W transposed)
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
        self.ranks: dict = {}                 # letter -> the numbers of indices the text writes it with
        self.bold_letters: set[str] = set()   # letters the text writes bold (\\mathbf{w}_j): \\nabla_{w_j} is that vector
        self.gradient_orders: dict = {}       # f -> its variables in the order a line listed them (\\nabla f = [df/dz, ...])

    # -- the builder's questions ------------------------------------------------------------------

    def index_letter(self, letter: str) -> Symbol:
        if letter == "y" or letter == self.label_letter:
            return notation.y                   # 1[j = y], p_y: the label of the example (c of "true class c")
        return index_symbol(letter)

    def count(self, written):
        if written is None:
            return None
        if isinstance(written, Symbol) and written.name in COUNT_LETTERS:
            return COUNT_LETTERS[written.name]
        if isinstance(written, Symbol) and written.name in self.example_counts:
            return notation.N                     # "a batch of m examples": sum_{i=1}^{m} runs over them
        if written in notation.COUNTS:
            return written
        return None

    def sum_count(self, bound: Symbol, summand) -> sympy.Expr:
        """What a sum without bounds runs over: the count of the places its index takes (s_j: the classes,
        x_{nd}: the examples); when those disagree (t_n beside x_{n,i}), the one its letter names (n: N)."""
        counts = []
        for node in sympy.preorder_traversal(summand):
            if isinstance(node, Indexed):
                letter = _letter(node.base).rstrip("•")      # L•[i]: the family of L_i, as L_i counts
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

    def function(self, ref: NameRef):
        quantity = ref.letter in QUANTITY_LETTERS or (len(ref.letter) > 1 and ref.letter.isupper()) \
            or ref.letter in self.function_words
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
        if defined is not None and defined.value is not None:
            return None                             # g (1 - g) with g = 1 / (1 + exp(-u)): a product, not a call
        if len(ref.letter) == 1 and ref.letter in "fgh":
            function = self.functions.setdefault(ref.letter, sympy.Function(ref.letter, real=True))
            return function
        return None

    def gradient_variables(self, ref: NameRef) -> list | None:
        """The variables of a defined scalar name, for \\nabla f: its parameters (f(x, y, z) = ...), else the
        real names its definition depends on (definitions put in), when the order they first appear in it as
        written is also their alphabetical order (f = (x + y) z); None when the order is not said that way or
        the name is not defined as one number of plain variables."""
        if ref.subscript or ref.font or ref.superscript or ref.primes or ref.example is not None:
            return None
        key = self._symbol(ref.letter) if len(ref.letter) == 1 else Symbol(ref.letter, real=True)
        definition = self.definitions.get(key)
        if definition is None:
            return None
        if definition.parameters and all(isinstance(p, Symbol) for p in definition.parameters):
            return list(definition.parameters)
        if key in self.gradient_orders:
            return list(self.gradient_orders[key])
        variables = self.variables_of(key)
        if variables is None:
            return None
        ordered = self._written_order(definition, set(variables), [])
        if len(ordered) != len(variables) or ordered != sorted(variables, key=lambda v: v.name):
            return None                     # L = (w x + b)^2: w, x, b or b, w, x? the text does not say
        return ordered or None

    def variables_of(self, key) -> list | None:
        """The real names a defined scalar depends on once every definition is put in, or None."""
        definition = self.definitions.get(key)
        if definition is None or definition.value is None:
            return None
        from .expand import expand
        try:
            value = expand(definition.value, self.definitions)
        except ParseError:
            return None
        if not isinstance(value, sympy.Expr) or value.atoms(Indexed, sympy.Sum):
            return None
        return [v for v in value.free_symbols if isinstance(v, Symbol) and not v.is_integer
                and v not in notation.COUNTS]

    def _written_order(self, definition, variables: set, found: list, depth: int = 0) -> list:
        """The ``variables`` in the order they first appear in ``definition`` as written, a defined name in it
        (q in f = q z) standing for the variables of its own definition at its place."""
        written = definition.written.partition("=")[2] if definition.written else ""
        for match in re.finditer(r"(?<![A-Za-z\\])[A-Za-z](?![A-Za-z])", written):
            symbol = self._symbol(match.group())
            if symbol in variables and symbol not in found:
                found.append(symbol)
            elif symbol in self.definitions and symbol != definition.name and depth < 4:
                self._written_order(self.definitions[symbol], variables, found, depth + 1)
        return found

    def indices(self, ref: NameRef) -> list:
        out = []
        for item in ref.subscript:      # \delta_{yi} is delta_{y,i}; the y_i of sum_{j != yi} is the label
            out.extend(self._item_indices(item, two_letter_words=True, label_words=ref.letter != "delta", base=ref.letter))
        return out

    def name(self, ref: NameRef):
        found = self._name(ref)
        if self.weights_by_rows and isinstance(found, Indexed) and len(found.indices) == 2 \
                and found.base == self.base("W") and ref.letter == "W":
            return found.base[found.indices[::-1]]    # W in R^{C x D}: the text's W_{jd} is the course's W_{dj}
        return found

    def _name(self, ref: NameRef):
        letter = ref.letter
        if "+" in ref.font:
            return self._accented_vector(ref)
        if ref.font in ("mathcal", "mathit", "mathrm") and len(letter) == 1:
            ref = NameRef(letter, "", ref.primes, ref.subscript, ref.superscript, ref.example)
        if ref.font in ("mathbf", "boldsymbol", "bm", "underline", "vec"):
            self.bold_letters.add(letter)
            return self._vector(ref)
        if ref.font in ("bar", "hat", "tilde", "overline"):
            if ref.subscript:                    # \\hat{y}_k: the entries of a name of its own, y_hat
                if len(letter) != 1 or ref.primes or ref.superscript or ref.example is not None:
                    raise ParseError(f"\\{ref.font}{{{letter}}} with a subscript is not read")
                return self._indexed(NameRef(f"{letter}_{ref.font}", subscript=ref.subscript))
            if letter in "ijkmnc":
                return index_symbol(letter + {"bar": "̄", "hat": "̂", "tilde": "̃", "overline": "̄"}[ref.font])
            if len(letter) == 1 and letter.isupper() and letter not in ("K", "N", "D"):    # \\hat{Y}: a matrix
                rows, cols = MATRIX_SHAPES.get(letter, (notation.N, notation.K))
                return MatrixName(self.base(f"{letter}_{ref.font}"), rows, cols)
            if f"{letter}_{ref.font}" in self.plain_vectors and not ref.primes and not ref.superscript:
                return self._plain_vector(f"{letter}_{ref.font}")      # \\hat{y} beside \\hat{y}_k: the vector
            if ref.example is not None and not ref.primes and not ref.superscript:     # \\hat{y}^{(n)}: example n's
                return self._per_example_name(Symbol(f"{letter}_{ref.font}", real=True), ref.example)
            return Symbol(f"{letter}_{ref.font}", real=True)
        if letter == "e" and not ref.subscript and not ref.primes and not self.e_is_a_name:
            return sympy.E
        if letter == "Delta" and not ref.subscript:
            return MARGIN
        if letter == "delta":
            raise ParseError("\\delta without two indices is not read")
        if len(ref.subscript) == 1 and ref.subscript[0][0] == "word" and ref.subscript[0][1] in DECORATIONS:
            name = f"{letter}_{ref.subscript[0][1]}"                    # y_hat, y_pred: a name of its own
            if name in self.plain_vectors and not ref.primes and not ref.superscript:
                return self._plain_vector(name)                          # y_hat beside y_hat_k: the vector
            return self._symbol(name)
        if not ref.subscript and ref.example is None:
            matrix = self.matrix(ref)
            if matrix is not None:
                return matrix
            product = self._matrix_product(ref)
            if product is not None:
                return product
            return self._bare(ref)
        if letter == self.one_hot_y and not ref.font and not ref.primes and not ref.superscript \
                and ref.example is None and len(ref.subscript) == 1 and ref.subscript[0][0] == "letter" \
                and ref.subscript[0][1] != "y":       # "a one-hot target y (true class c)": y_i is [i = c]
            return sympy.KroneckerDelta(index_symbol(ref.subscript[0][1]), self.index_letter(self.one_hot_of))
        if any(item[0] == "all" for item in ref.subscript):
            return self._slice(ref)
        if letter in self.matrix_letters and not ref.primes and not ref.superscript and ref.example is None \
                and len(self.indices(ref)) == 2:
            entries = self.matrix_letters[letter] if isinstance(self.matrix_letters, dict) else letter
            return self.base(entries)[tuple(self.indices(ref))]     # W_{dc}, Y_{nc}, G_nc (X_{id} of x_i's X)
        if letter in QUANTITY_LETTERS or len(letter) > 1 and letter.isupper() and letter not in ("CE",) \
                or letter == "CE":
            if ref.example is not None:
                return self._per_example_name(self._quantity_symbol(replace_example(ref, None)), ref.example)
            return self._quantity_symbol(ref)
        return self._indexed(ref)

    def _accented_vector(self, ref: NameRef):
        """\\hat{\\mathbf{y}} (or \\mathbf{\\hat y}): the vector whose entries are \\hat{y}_k (a name of its own)."""
        fonts = set(ref.font.split("+"))
        accents = fonts & {"bar", "hat", "tilde", "overline"}
        bold = fonts & {"mathbf", "boldsymbol", "bm", "vec", "underline"}
        if len(fonts) != 2 or len(accents) != 1 or len(bold) != 1 or ref.subscript or ref.primes \
                or ref.superscript or ref.example is not None:
            raise ParseError(f"{ref.written()} is not read")
        name = f"{ref.letter}_{accents.pop()}"
        count = self.vector_counts.get(name) or (notation.K if ref.letter in CLASS_VECTORS else notation.D)
        return Vector(lambda d, b=self.base(name): b[d], count, key=(name,))

    def _slice(self, ref: NameRef):
        """W_{:,j}: column j of the matrix W (a vector of its rows' count); W_{i,:}: row i."""
        items = ref.subscript
        if len(ref.letter) != 1 or not ref.letter.isupper() or len(items) != 2 or ref.primes or ref.superscript \
                or [item[0] == "all" for item in items].count(True) != 1:
            raise ParseError(f"{ref.written()}: a slice is read only as a column W_{{:,j}} or a row W_{{i,:}} of a "
                             f"matrix")
        matrix = self.matrix(NameRef(ref.letter)) or self._vector(NameRef(ref.letter, "mathbf"))
        if not isinstance(matrix, MatrixName):
            raise ParseError(f"{ref.written()}: {ref.letter} is not a matrix")
        column = items[0][0] == "all"
        found = self._item_indices(items[1] if column else items[0], two_letter_words=False)
        if len(found) != 1:
            raise ParseError(f"{ref.written()}: a slice takes one index")
        index, base = found[0], matrix.base
        if column:
            return Vector(lambda d, b=base, j=index: b[d, j], matrix.rows, key=(ref.letter, "column", index))
        return Vector(lambda c, b=base, i=index: b[i, c], matrix.columns, key=(ref.letter, "row", index))

    # -- the parts of a name ----------------------------------------------------------------------------

