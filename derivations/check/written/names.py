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
from sympy import Indexed, IndexedBase, Symbol

from ...engine import notation
from ...parse.errors import ParseError
from ...parse.written import BOUND_MARK, NameRef, Vector
from ...parse.written_arrays import MatrixName
from .names_arrays import ArrayNames
from .names_examples import ExampleNames
from .roles import (
    _REAL_LETTER,
    CLASS_VECTORS,
    COMPONENT,
    COUNT_LETTERS,
    DECORATIONS,
    EXAMPLE_LETTERS,
    LETTER_COUNTS,
    MARGIN,
    MATRIX_SHAPES,
    QUANTITY_LETTERS,
    ROLES,
    Definition,
    _item_name,
    _letter,
    applied,
    example_label,
    index_symbol,
    replace_example,
)
from .said import said


class Names(ArrayNames, ExampleNames):
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
        if letter == "y":
            return notation.y                   # 1[j = y], p_y: the label of the example
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
            out.extend(self._item_indices(item, two_letter_words=True, label_words=ref.letter != "delta"))
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
            return Symbol(f"{letter}_{ref.font}", real=True)
        if letter == "e" and not ref.subscript and not ref.primes:
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
            if item[1] == "y" and not item[2]:
                return [notation.y]             # p_y, s_y: at the label
            return [index_symbol(item[1] + "'" * item[2])]
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
