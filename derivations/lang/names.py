"""How the names of a spec become SymPy objects: arrays, their entries, scalars, labels, dimensions, indices.

* A matrix or vector (given or defined) is a :class:`SpecArray` (a ``MatrixSymbol`` of its own class, so that
  a spec's ``P`` never shares the entries registered for another derivation's ``P``); its entry (i, j) is
  ``P[i, j]`` of an ``IndexedBase`` of the same name (a vector's entry i is ``b[i]``, a computed scalar is a
  Symbol).
* A scalar constant (``reg: scalar``) is a real Symbol; a name that spells a Greek letter is shown as that
  letter (``eps`` as epsilon, ``gamma`` as gamma) and ``reg`` as lambda, as the course writes it.
* Labels ``y`` are an integer ``IndexedBase`` (``y[n]`` in index form) and the one-hot matrix ``Y`` (N x K).
* Dimensions are N (examples), D (features), H (hidden units) and K (classes).
"""
from __future__ import annotations

import keyword
from fractions import Fraction

import sympy
from sympy import IndexedBase, MatrixSymbol, Symbol

from ..engine import notation
from ..engine.matrices import register

#: the dimensions a declaration may use, and what they are called
DIMENSIONS = {"N": notation.N, "D": notation.D, "H": notation.H, "K": notation.K}
DIMENSION_WORDS = "N (examples), D (features), H (hidden units) and K (classes)"

#: the letter an index over each dimension is given when the spec does not name it
INDEX_LETTERS = {"N": "n", "D": "d", "H": "h", "K": "k"}

GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "kappa", "lambda", "mu", "nu",
         "xi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega")
#: spellings shown as another name
SHOWN_AS = {"eps": "epsilon", "reg": "lambda", "lam": "lambda"}

#: names the generated code uses for itself (no array of a spec may take them)
CODE_NAMES = frozenset({"np", "numpy", "torch", "math", "rng", "shape", "row_softmax", "row_logsumexp", "row_max",
                        "row_argmax", "forward", "backward", "loss", "loss_and_grad", "grads", "cache",
                        "True", "False", "None", "float", "int", "range", "len", "print", "abs", "max", "min",
                        "sum", "exp", "log"})


def display_name(name: str, taken=()) -> str:
    """The name SymPy shows for ``name``: a Greek letter's name, or ``name`` itself."""
    shown = SHOWN_AS.get(name, name)
    return shown if shown == name or shown not in taken else name


def check_identifier(name: str) -> str | None:
    """Why ``name`` cannot name an array of a spec (a Python keyword, a name of the generated code), or None."""
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"{name!r} is a Python keyword"
    if name in CODE_NAMES:
        return f"{name!r} is a name the generated code uses"
    if name in DIMENSIONS:
        return f"{name!r} is a dimension ({DIMENSION_WORDS})"
    return None


class SpecArray(MatrixSymbol):
    """A matrix, vector (a column) or computed scalar (1 x 1) of a spec."""

    def _derive_latex(self, printer, exp=None):
        text = latex_name(self.name, bold=self.shape[1] == 1 and self.shape[0] != 1)
        return f"{text}^{{{exp}}}" if exp else text

    def _derive_text(self, printer):
        return text_name(self.name)


def latex_name(name: str, bold: bool = False) -> str:
    """A spec's name in LaTeX: W1 as W_{1}, gamma as \\gamma, xhat as \\hat{x}, dW1 as dW_{1}."""
    head, digits = name.rstrip("0123456789"), name[len(name.rstrip("0123456789")):]
    head = SHOWN_AS.get(head, head)
    if head in GREEK:
        core = "\\" + head
        core = r"\pmb{%s}" % core if bold else core      # \boldsymbol is no macro of MathJax's base and AMS
    elif head.endswith("hat") and len(head) > 3:
        core = r"\hat{%s}" % latex_name(head[:-3])
    elif len(head) > 1 and head[0] == "d" and len(head) > 1 and (head[1:] in GREEK or head[1].isupper()):
        core = "d" + latex_name(head[1:])
    elif len(head) > 1:
        core = r"\mathrm{%s}" % head.replace("_", r"\_")
    else:
        core = r"\mathbf{%s}" % head if bold else head
    return core + (f"_{{{digits}}}" if digits else "")


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_GREEK_LETTERS = dict(zip(GREEK, "αβγδεζηθκλμνξρστφχψω"))


def text_name(name: str) -> str:
    """A spec's name in the terminal: W1 as W₁, gamma as γ."""
    head, digits = name.rstrip("0123456789"), name[len(name.rstrip("0123456789")):]
    head = SHOWN_AS.get(head, head)
    shown = _GREEK_LETTERS.get(head, head)
    if head.startswith("d") and head[1:] in _GREEK_LETTERS:
        shown = "d" + _GREEK_LETTERS[head[1:]]
    return shown + digits.translate(_SUBSCRIPT)


def array_symbol(name: str, dims: tuple, shown: str | None = None) -> SpecArray:
    """The matrix symbol of an array of shape ``dims`` (() a 1 x 1 scalar, (n,) a column), its entries registered
    (entry (i, j) is ``shown[i, j]``: the name, or the Greek letter it spells)."""
    rows = dims[0] if dims else 1
    cols = dims[1] if len(dims) > 1 else 1
    symbol = SpecArray(name, rows, cols)
    shown = shown or name
    if len(dims) == 2:
        base = IndexedBase(shown, real=True)
        register(symbol, lambda i, j: base[i, j])
    elif len(dims) == 1:
        base = IndexedBase(shown, real=True)
        register(symbol, lambda i, j: base[i])
    else:
        scalar = Symbol(shown, real=True)
        register(symbol, lambda i, j: scalar)
    return symbol


def entries_of(name: str, dims: tuple, shown: str | None = None):
    """What stands for the entries of an array in index form: an IndexedBase, or a Symbol for a 1 x 1."""
    shown = shown or name
    return IndexedBase(shown, real=True) if dims else Symbol(shown, real=True)


def scalar_symbol(name: str, positive: bool = False, shown: str | None = None) -> Symbol:
    """A scalar constant of the spec (reg, eps), shown by its Greek letter where it spells one."""
    shown = shown or name
    return Symbol(shown, positive=True) if positive else Symbol(shown, real=True)


def label_base(name: str) -> IndexedBase:
    """The labels y_n of a batch (an integer indexed name: the verifier gives each example a class)."""
    return IndexedBase(name, integer=True)


def onehot_symbol(name: str, labels: IndexedBase, taken) -> SpecArray:
    """The one-hot labels (N x K, entry (n, c) is delta_{c, y_n}), named by the labels' name in capitals."""
    shown = name.upper() if name.upper() not in taken else f"onehot_{name}"
    symbol = SpecArray(shown, notation.N, notation.K)
    register(symbol, lambda i, j: sympy.KroneckerDelta(j, labels[i]))
    return symbol


def index_symbol(name: str) -> Symbol:
    return Symbol(name, integer=True)


def number(text: str) -> sympy.Rational:
    """A number as written (0.5, 1e-5, 3) as an exact rational (read by ``fractions``, never by SymPy's parser)."""
    value = Fraction(text)
    return sympy.Rational(value.numerator, value.denominator)


__all__ = ["DIMENSIONS", "DIMENSION_WORDS", "INDEX_LETTERS", "SpecArray", "array_symbol", "entries_of",
           "scalar_symbol", "label_base", "onehot_symbol", "index_symbol", "number", "display_name",
           "check_identifier", "latex_name", "text_name"]
