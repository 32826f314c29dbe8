"""One expression of a written derivation, read into SymPy with the names the text defines.

``written.lark`` parses the expression; :class:`WrittenBuilder` turns the tree into SymPy with
constructors only (never ``sympify``/``eval`` on text). What a name means (a defined loss, a
vector, a class called ``dog``, the label of example n) is not decided here but by a
:class:`Resolver` that the caller supplies (``derivations.check.written`` knows the text's
definitions); this module only knows the notation's structure:

* sums (``\\sum_{j \\neq y_i}``, ``\\sum_{j \\neq y_i, k}``, ``\\sum_{m=1}^K``, ``\\sum_j``), with the
  bound index renamed so that it never clashes with a free one of the same letter;
* derivatives ``\\frac{\\partial f}{\\partial v}``, the operators ``\\frac{\\partial}{\\partial v}`` and
  ``\\nabla_{v}`` (applied to what follows them in the product), primes ``(f/h)'``, ``h'(x)``; a
  derivative with respect to an expression, ``\\partial f / \\partial (1 - y)``, is read as the
  chain rule says: (df/dv) / (du/dv) for a variable v of u;
* vectors: a bold (or underlined) letter is a :class:`Vector`, a function of its component;
  ``a^T b`` is the dot product, ``\\mathbf{W}^T \\mathbf{x}`` a matrix times a vector; a vector left
  standing (``1_{(...)} \\mathbf{x}_i``, ``\\nabla_{\\mathbf{w}_j} L_i``) is read at the resolver's
  component index, so that both sides of an equation are compared component by component;
* indicators, Kronecker deltas, max, log (natural unless told otherwise), exp, sqrt, sigma.

Anything else is a :class:`~derivations.parse.errors.ParseError` naming what could not be read
(``\\dots``, ``\\frac{\\partial (1-y)}{y}``, an unknown command ...).
"""
from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Protocol

import sympy
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput

from ..engine import notation
from ..engine.maxima import MaxOver
from . import literals
from . import written_arrays as arrays
from .characters import normalize_characters
from .errors import ParseError
from .grammar import check_nesting
from .limits import Limits
from .magnitude import check_defined, check_size, power
from .norms import read_norms
from .written_arrays import ROW, Grid, MatrixName, Vector

#: characters of one expression of a written derivation
MAX_EXPRESSION_LENGTH = 2000

#: LaTeX commands an expression may use (others are refused by name)
KNOWN_COMMANDS = frozenset("""
    frac dfrac tfrac cdot times div log ln exp max sigma sqrt sum Delta delta partial nabla
    mathbb mathbf boldsymbol bm underline vec mathcal bar hat tilde overline mathrm mathit
    neq ne leq le geq ge gt lt begin end left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr
    Biggl Biggr displaystyle textstyle limits nolimits quad qquad dots cdots ldots vdots ddots
    alpha beta gamma epsilon varepsilon eta theta lambda mu xi pi rho tau phi varphi omega
    Lambda Sigma Omega Theta Phi Vert lVert rVert odot ell
""".split())

#: words read as names: the softmax and sigmoid functions, and CS231n's regularization strength reg
NAMED_WORDS = frozenset({"softmax", "sigmoid", "reg", "onehot"})
#: onehot(y), one_hot(y), one-hot(y), \mathrm{one\_hot}(y): the one-hot vector of a label, spelled one way
_ONE_HOT = re.compile(r"(?:\\(?:mathrm|text|operatorname)\s*\{\s*)?(?<![A-Za-z])one(?:\\?_|-)?hot\s*\}?(?=\s*\()",
                      re.IGNORECASE)

#: letters of a sum's bound index get this mark, so that sum_j f(j) never captures a free j
BOUND_MARK = "~"


# --- what the builder hands to the resolver ------------------------------------------------------

@dataclass(frozen=True)
class NameRef:
    """A written name, before anyone decides what it means.

    ``letter`` is a letter (``s``), a run of letters (``CE``) or a Greek name (``beta``); ``font``
    is ``mathbf``, ``underline``, ``mathcal``, ``bar`` ... or ""; ``subscript`` holds the raw items
    (see :func:`_sub_item`); ``superscript`` a word such as ``SVM``; ``example`` the index of a
    ``^{(i)}`` superscript.
    """

    letter: str
    font: str = ""
    primes: int = 0
    subscript: tuple = ()
    superscript: str | None = None
    example: sympy.Expr | None = None

    def written(self) -> str:
        """The name as a reader would say it in a message: L_i^SVM, \\mathbf{w}_j, P'_cat."""
        text = f"\\{self.font}{{{self.letter}}}" if self.font else self.letter
        text += "'" * self.primes
        if self.subscript:
            text += "_" + ",".join(_item_text(item) for item in self.subscript)
        if self.superscript:
            text += "^" + self.superscript
        if self.example is not None:
            text += f"^({self.example})"
        return text


class _Run(tuple):
    """Several subscript items written as one run of letters (ic', iy_i)."""


def _items(item) -> tuple:
    """A subscript item as the items it stands for (a run of letters stands for several)."""
    return tuple(item) if isinstance(item, _Run) else (item,)


def _index_run(word: str) -> str:
    """A run of letters read as indices side by side: short and lower-case only (ic', iy_i)."""
    if not (word.islower() and len(word) <= 3):
        raise ParseError(f"the subscript {word!r} is not read")
    return word


def _item_text(item) -> str:
    kind = item[0]
    if kind == "letter":
        return item[1] + "'" * item[2]
    if kind in ("number", "word", "greek"):
        return str(item[1])
    if kind == "label":
        return f"{item[1]}_{item[2]}"
    if kind == "vector":
        return item[2].written()
    if kind == "except":
        return f"{item[1]}≠{_item_text(item[2])}"
    return "?"


class Resolver(Protocol):
    """What the builder asks of whoever knows the text's names (``derivations.check.written``)."""

    log_base: str
    component: sympy.Symbol

    def name(self, ref: NameRef):
        """The SymPy expression, :class:`Vector` or :class:`MatrixName` a written name stands for."""

    def indices(self, ref: NameRef) -> list:
        """The index expressions of a subscript used as indices (\\delta_{ij} -> [i, j])."""

    def index_letter(self, letter: str) -> sympy.Symbol:
        """The integer symbol for an index letter (j, k, k', T)."""

    def function(self, ref: NameRef):
        """A callable for a name used as a function (f(s_1), h'(x)), or None when it is not one."""

    def sum_count(self, bound: sympy.Symbol, summand) -> sympy.Expr:
        """The count an unbounded sum over ``bound`` runs to (K classes, D features, N examples)."""

    def count(self, written: sympy.Expr) -> sympy.Expr | None:
        """The symbolic count a written upper bound names (K, C -> K, N, D), or None."""

    def vector(self, ref: NameRef):
        """A plain name (w_j, x_i, x) read as a vector where only a vector makes sense, or None."""

    def rebind(self, summand, free, bound):
        """``summand`` of a sum over ``free`` (renamed ``bound``) with the names that carry ``free`` in their own
        name (the quantity L_n) made to depend on the bound index; as it is when there are none."""

    def implicit_example(self, summand, index, count):
        """A sum over the examples (``count`` N) whose summand does not name the example (sum_i L_CE):
        the summand for example ``index``, or None to read it literally."""


@dataclass(frozen=True)
class _DerivativeOperator:
    """d/dv or nabla_v waiting for the factors after it."""

    variable: object
    written: str


@dataclass(frozen=True)
class _Group:
    """A bracketed expression: (x) after a function name is its argument."""

    value: object


@dataclass(frozen=True)
class _Entry:
    """(u)_k: entry k of the vector in brackets (softmax(s)_k, (p - y)_j)."""

    group: object
    index: tuple


@dataclass(frozen=True)
class _Tuple:
    """(a, b): the arguments of a function such as L_CE(y, t)."""

    items: tuple


@dataclass(frozen=True)
class _Product:
    factors: tuple


@dataclass(frozen=True)
class _Primed:
    """(x)': a prime after a bracket, which is f'(x) when a function name comes before it."""

    group: object


@dataclass(frozen=True)
class _Called:
    value: object


@dataclass(frozen=True)
class _Word:
    """A run of small letters: a superscript word (^{softmax}), or letters multiplied (ty)."""

    word: str


@dataclass(frozen=True)
class _SumRange:
    letter: str
    lower: object = None
    upper: object = None
    excluded: tuple = ()
    condition: object = None


@dataclass
class Reading:
    """What one expression was read as: ``value`` (SymPy, or an ImmutableMatrix for a vector literal);
    ``vector`` when it is a vector read at the component index; ``notes`` on how it was read."""

    value: sympy.Basic
    vector: bool = False
    count: sympy.Expr | None = None
    grid: bool = False
    notes: list = field(default_factory=list)


# --- the parser ---------------------------------------------------------------------------------

@functools.cache
def parser() -> Lark:
    """The LALR parser of ``written.lark``, built once."""
    grammar = resources.files(__package__).joinpath("written.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", maybe_placeholders=False)


_COMMAND = re.compile(r"\\([A-Za-z]+|.?)", re.DOTALL)
_EXTRA_CHARACTERS = {"…": r"\dots ", "′": "'", "∗": "*", "ᵀ": "^T", "⊤": "^T", "β": r"\beta ", "λ": r"\lambda ",
                     "α": r"\alpha ", "η": r"\eta ", "θ": r"\theta ", "ε": r"\epsilon ", "μ": r"\mu ",
                     "γ": r"\gamma ", "τ": r"\tau ", "φ": r"\phi ", "ω": r"\omega ", "²": "^2", "³": "^3",
                     "^{\\prime}": "'", "^\\prime": "'", "\\prime": "'", "\\top": "T",
                     "ŷ": r"\hat{y}", "ℓ": r"\ell ", "ȳ": r"\bar{y}", "‖": r"\|", "∥": r"\|", "⊙": r"\odot ",
                     **{chr(0x2080 + digit): f"_{digit}" for digit in range(10)}}     # s₁: s_1
#: a letter with a combining accent (y + U+0302 is ŷ): the accent as a command
_COMBINING = re.compile("([A-Za-z])([\u0302\u0304\u0303])")
_ACCENTS = {"\u0302": "hat", "\u0304": "bar", "\u0303": "tilde"}


#: an upright d before what it differentiates (\\mathrm{d}f / \\mathrm{d}x): Leibniz's d, never a name d
_UPRIGHT_D = re.compile(r"\\(?:mathrm|operatorname|text|mathit)\s*\{\s*d\s*\}(?=\s*[A-Za-z\\({])")


#: a shape said after a formula, S = X·W   (N×C): a remark, not a factor
_TRAILING_SHAPE = re.compile(r"\s+\(\s*[A-Z]\s*(?:×|\\times|x|\*)\s*[A-Z]\s*\)\s*$")
#: two indices after one underscore, a comma between and no braces (S_n,y_n): S_{n,y_n}
_COMMA_INDICES = re.compile(r"(?<![A-Za-z\\])([A-Za-z])_([a-z0-9]),([a-z]_[a-z0-9])(?![A-Za-z0-9_(])")
#: y hat spelled in ASCII (yhat, y_hat, phat): the accented letter
_HAT_WORD = re.compile(r"(?<![A-Za-z\\])(d?)([yp])_?hat(?![A-Za-z])")


#: the derivative operator written with a subscript (\\partial_{s_k} L, \\partial_x f): d/ds_k applied to what follows
_PARTIAL_SUBSCRIPT = re.compile(r"\\partial\s*_\s*(?:\{((?:[^{}]|\{[^{}]*\})*)\}|([A-Za-z]))")


_SMALL_NAME = r"[A-Za-z](?:_\{?[A-Za-z0-9]{1,3}\}?)?"
#: Iverson's bracket written bare, [j = y_i]: the indicator (a bracket after a name is that name's entry)
_BARE_IVERSON = re.compile(r"(?<![A-Za-z0-9_}\])|])\[\s*(" + _SMALL_NAME + r"\s*(?:=|!=|\\neq?|≠)\s*" + _SMALL_NAME
                           + r")\s*\]")
#: \mathbb{1}_{y}: the one-hot vector of y; \mathbb{1}_{j = y}: the indicator of j = y
_ONE_SUBSCRIPT = re.compile(r"\\math(?:bb|bf)\s*\{\s*1\s*\}\s*_\s*(?:\{((?:[^{}]|\{[^{}]*\})*)\}|([A-Za-z]))(?!\s*[(\[{]|\s*\\[{(])")


#: a fraction of two digits written without braces: \frac12, \tfrac12
_FRAC_DIGITS = re.compile(r"\\[dt]?frac\s*(\d)\s*(\d)")
#: a column vector written as a transposed row of numbers: (2, -1)^\top, (1, 4)^T
_TRANSPOSED_TUPLE = re.compile(r"\(\s*(-?\d+(?:\.\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?)+)\s*\)\s*\^\s*\{?\s*(?:\\top|T)\s*\}?")


#: an entry written as code, a capital letter then its indices in brackets: P[i, y_i], W[c, d], X[i, d], dW[:, j]
_CODE_ENTRY = re.compile(r"(?:(?<=/d)|(?<=∂)|(?<![A-Za-z\\]))([A-Z])\[\s*((?:[a-z](?:_[a-z])?|:)\s*,\s*(?:[a-z](?:_[a-z])?|:))\s*\]")


#: a plain 1 with a label subscript (1_y, 1_{y_i}): the one-hot vector of the label, as \mathbb{1}_y
_PLAIN_ONE_SUBSCRIPT = re.compile(r"(?<![\w.\\{])1_(?:\{\s*(y(?:_[in])?)\s*\}|(y(?![A-Za-z0-9_])))")


def _one_with_subscript(found) -> str:
    inside = found.group(1) if found.group(1) is not None else found.group(2)
    if re.search(r"=|\\neq?|≠|<|>", inside):
        return f"\\mathbb{{1}}[{inside}]"
    return f"e_{{{inside}}}"


#: log (ln) before a call without brackets of its own: log softmax(z)_k, ln sigmoid(u)
_LOG_OF_CALL = re.compile(r"(\\?(?:log|ln))\s+((?:softmax|sigmoid|\\mathrm\{softmax\})\s*\([^()]*\)"
                          r"(?:_\{?[A-Za-z0-9]+\}?)?)")


def screen_written(text: str, limits: Limits) -> str:
    """The expression text, checked for length, characters, nesting and commands."""
    if len(text) > limits.max_length:
        raise ParseError(f"expression too long: {len(text)} characters (limit {limits.max_length})")
    text = _UPRIGHT_D.sub("d ", text)
    text = _TRAILING_SHAPE.sub("", text)
    text = _PARTIAL_SUBSCRIPT.sub(lambda m: f"\\frac{{\\partial}}{{\\partial {m.group(1) or m.group(2)}}} ", text)
    text = text.replace("[\\![", "\\mathbb{1}[").replace("]\\!]", "]")
    text = re.sub(r"(?<![=<>!])==(?!=)", "=", text)      # 1[k == c], as code writes it: 1[k = c]
    text = _BARE_IVERSON.sub(lambda m: f"\\mathbb{{1}}[{m.group(1)}]", text)
    text = _FRAC_DIGITS.sub(lambda m: f"\\frac{{{m.group(1)}}}{{{m.group(2)}}}", text)      # \tfrac12: 1/2
    text = _TRANSPOSED_TUPLE.sub(lambda m: f"[{m.group(1)}]", text)      # (2, -1)^\top: the column [2, -1]
    text = _CODE_ENTRY.sub(lambda m: f"{m.group(1)}_{{{m.group(2).replace(' ', '')}}}", text)    # P[i, y_i]: P_{i,y_i}
    text = _PLAIN_ONE_SUBSCRIPT.sub(lambda m: f"e_{{{m.group(1) or m.group(2)}}}", text)   # 1_y - p: e_y
    text = _ONE_SUBSCRIPT.sub(_one_with_subscript, text)
    text = _COMMA_INDICES.sub(lambda m: f"{m.group(1)}_{{{m.group(2)},{m.group(3)}}}", text)
    text = _HAT_WORD.sub(lambda m: f"{m.group(1)}\\hat{{{m.group(2)}}}", text)
    text = _ONE_HOT.sub("onehot", text)
    text = _LOG_OF_CALL.sub(lambda m: f"{m.group(1)}({m.group(2)})", text)     # log softmax(z)_k: log(softmax(z)_k)
    text = _COMBINING.sub(lambda m: f"\\{_ACCENTS[m.group(2)]}{{{m.group(1)}}}", text)
    for ch, spelled in _EXTRA_CHARACTERS.items():
        text = text.replace(ch, spelled)
    text = normalize_characters(text)
    if not text.strip():
        raise ParseError("empty expression")
    depth = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > limits.max_depth:
            raise ParseError(f"too deeply nested: more than {limits.max_depth} levels of brackets")
    for match in _COMMAND.finditer(text):
        name = match.group(1)
        if (len(name) > 1 or name.isalpha()) and name not in KNOWN_COMMANDS:
            raise ParseError(f"\\{name} is not read")
    return read_norms(text)


def read_written(text: str, resolver: Resolver, *, limits: Limits | None = None) -> Reading:
    """The :class:`Reading` of one written expression; a ParseError says what could not be read."""
    limits = limits or Limits(max_length=MAX_EXPRESSION_LENGTH, max_function_depth=8, max_build_seconds=1.0)
    text = screen_written(text, limits)
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        raise ParseError(_describe(error, text)) from None
    check_nesting(tree, limits)
    builder = WrittenBuilder(resolver, limits)
    try:
        value = builder.build(tree)
        reading = builder.finish(value)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("cannot build this expression: too deeply nested") from None
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - SymPy or the builder failing: the expression is not read
        reason = "a name is written with one number of indices in one place and another elsewhere" \
            if "Different # of indices" in str(error) else "the reader failed on it (an internal error)"
        raise ParseError(f"cannot build this expression: {reason}") from None
    if isinstance(reading.value, sympy.Basic):
        check_defined(reading.value)
        check_size(reading.value, limits)
    return reading


def _describe(error: UnexpectedInput, text: str) -> str:
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream
        found = _COMMAND.match(text, position)
        what = found.group() if found else repr(text[position])
    elif error.token.type == "$END":
        position, what = len(text), "the end"
    else:
        position, what = error.token.start_pos, repr(str(error.token))
    before = text[:position].strip()[-24:]
    return f"unexpected {what}" + (f" after {before!r}" if before else " at the start")


# --- the builder --------------------------------------------------------------------------------

class WrittenBuilder:
    """One method per grammar rule; each gets its children built (bottom up, without recursion)."""

    def __init__(self, resolver: Resolver, limits: Limits):
        self.resolver = resolver
        self.limits = limits
        self.deadline = time.perf_counter() + limits.max_build_seconds
        self.notes: list[str] = []
        self.fresh = arrays.Fresh()

    def build(self, tree: Tree):
        built: list = []
        stack: list = [(tree, False)]
        while stack:
            node, ready = stack.pop()
            if not isinstance(node, Tree):
                built.append(node)
            elif not ready:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.children))
            else:
                count = len(node.children)
                children = built[len(built) - count:] if count else []
                del built[len(built) - count:]
                if time.perf_counter() > self.deadline:
                    raise ParseError("expression too expensive to read")
                method = getattr(self, "rule_" + str(node.data), None)
                if method is None:
                    raise ParseError(f"the notation {node.data!r} is not read")
                built.append(method(children))
        return built[0]

    def finish(self, value) -> Reading:
        """The reading of the whole expression: a vector left standing is read at the component index."""
        if isinstance(value, _Tuple):
            return Reading(sympy.ImmutableMatrix([self.scalar(v) for v in value.items]), notes=self.notes)
        value = self.value(value)
        if isinstance(value, sympy.MatrixBase):
            return Reading(value, notes=self.notes)
        if isinstance(value, Vector):
            return Reading(value.entry(self.resolver.component), vector=True, count=value.count, notes=self.notes)
        if isinstance(value, (MatrixName, Grid)):
            grid = arrays.as_grid(value)
            return Reading(grid.entry(ROW, self.resolver.component), vector=True, grid=True, count=grid.cols,
                           notes=self.notes)
        if isinstance(value, _DerivativeOperator):
            raise ParseError(f"{value.written} has nothing to differentiate")
        return Reading(self.scalar(value), notes=self.notes)

    # -- values ------------------------------------------------------------------------------

    def value(self, item):
        """A built child as SymPy, :class:`Vector` or :class:`MatrixName` (names resolved)."""
        if isinstance(item, _Product):
            return self._product(list(item.factors))
        if isinstance(item, _Called):
            return item.value
        if isinstance(item, _Word):
            if len(item.word) <= 3:
                return self._product([NameRef(letter) for letter in item.word])
            raise ParseError(f"the word {item.word!r} is not read")
        if isinstance(item, _Primed):
            return self.derivative_of(item.group)
        if isinstance(item, NameRef):
            return self.resolver.name(item)
        if isinstance(item, _Group):
            return self.value(item.value)
        if isinstance(item, _Entry):
            return self.entry_of(self.value(item.group), item.index)
        if isinstance(item, _Tuple):
            raise ParseError("a list in brackets (a, b) is only read as a function's arguments or a whole vector")
        if isinstance(item, _DerivativeOperator):
            raise ParseError(f"{item.written} has nothing to differentiate")
        return item

    def scalar(self, item) -> sympy.Expr:
        value = self.value(item)
        if isinstance(value, Vector):
            if value.transposed:
                raise ParseError("a transposed vector (^T) without a vector after it is not read")
            return value.entry(self.resolver.component)
        if isinstance(value, (MatrixName, Grid)):
            raise ParseError("a matrix where one number is expected is not read")
        if isinstance(value, sympy.MatrixBase):
            raise ParseError("a vector written out where one number is expected is not read")
        return value

    # -- whole answers ----------------------------------------------------------------------------

    def rule_start(self, children):
        return children[0]

    def rule_vector(self, items):
        return sympy.ImmutableMatrix([self.scalar(v) for v in items])

    def rule_vector_atom(self, items):
        """[1, 0, 0] inside an expression (p - [1, 0, 0], [e^6, e^-2, e^8] / (...))."""
        return self.rule_vector(items)

    def rule_env_row(self, items):
        return [self.scalar(v) for v in items]

    def rule_env_matrix(self, children):
        begin, *rows, end = children
        if len({len(r) for r in rows}) != 1:
            raise ParseError("the rows of a matrix must all have the same length")
        if all(len(r) == 1 for r in rows):
            return sympy.ImmutableMatrix([r[0] for r in rows])
        return sympy.ImmutableMatrix(rows)

    # -- arithmetic --------------------------------------------------------------------------------

    def rule_expr(self, children):
        values = [self.value(c) for c in children]
        return arrays.add(self._labels_as_one_hot(values))

    def _labels_as_one_hot(self, values: list) -> list:
        """p - y with p a vector over the classes and y a plain name never written with components: y is the
        label's one-hot vector e_y, the only reading in which the line is a vector minus a vector."""
        if not any(isinstance(v, Vector) and v.count == notation.K and not v.transposed for v in values):
            return values
        plain = sympy.Symbol("y", real=True)
        out = []
        for value in values:
            if isinstance(value, sympy.Basic) and value in (plain, -plain):
                label = self.resolver.index_letter(getattr(self.resolver, "one_hot_of", "y"))   # e_y (e_c)
                value = arrays.one_hot(label) if value == plain else arrays.scale(arrays.one_hot(label), -1)
            out.append(value)
        return out

    def rule_plus(self, children):
        return children[0]

    def rule_minus(self, children):
        return arrays.scale(self.value(children[0]), -1)

    def rule_neg(self, children):
        item = children[0]
        if isinstance(item, _DerivativeOperator):
            raise ParseError(f"-{item.written} has nothing to differentiate")
        return arrays.scale(self.value(item), -1)

    def rule_mul(self, children):
        # the factors stay apart until the whole product is known (operators, calls, dot products)
        return _Product(tuple(self._flatten(children)))

    def rule_dot_mul(self, children):
        """a \\cdot b: the dot product of two vectors; for anything else, a product."""
        left, _, right = children
        product = _Product(tuple(self._flatten([left, right])))
        if any(isinstance(f, _DerivativeOperator) for f in product.factors):
            return product                       # \\frac{1}{S} \\cdot \\frac{\\partial}{\\partial s_k} ...: the operator waits
        a = self.value(left) if not isinstance(left, _Product) else self._product(list(left.factors))
        b = self.value(right)
        if isinstance(a, Vector) and isinstance(b, Vector) and not a.transposed and not b.transposed:
            return arrays.times(arrays.transpose(a), b, self.fresh)
        return product

    def rule_hadamard_mul(self, children):
        """a \\odot b: entry by entry for two vectors or two matrices; with a number, its multiple."""
        left, right = children
        a = self._product(self._flatten([left]))
        b = self.value(right)
        if isinstance(a, arrays.ARRAYS) and isinstance(b, arrays.ARRAYS):
            return arrays.hadamard(a, b)
        if isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
            raise ParseError("an entrywise product (⊙) with a vector written out is not read")
        return _times(self, a, b)

    def rule_div(self, children):
        numerator, denominator = children
        bottom = self.scalar(denominator)
        top = self._product(self._flatten([numerator]))
        inverse = power(bottom, sympy.Integer(-1), self.limits)
        if isinstance(top, (Vector, Grid, MatrixName, sympy.MatrixBase)):
            return arrays.elementwise(top, lambda e: e * inverse)
        return sympy.Mul(self.scalar(top), inverse)

    def rule_frac(self, children):
        _, numerator, denominator = children
        return self.rule_div([numerator, denominator])

    def _flatten(self, children) -> list:
        out = []
        for child in children:
            if isinstance(child, _Product):
                out.extend(child.factors)
            else:
                out.append(child)
        return out

    def _product(self, factors: list):
        """The product of written factors, left to right.

        A derivative operator applies to everything after it; a function name followed by a
        bracket is a call; a^T b is a dot product and W^T x a matrix times a vector.
        """
        for position, factor in enumerate(factors):
            if isinstance(factor, _Primed) and position and isinstance(factors[position - 1], NameRef):
                ref = factors[position - 1]
                called = self.call_name(replace(ref, primes=ref.primes + 1), factor.group)
                if called is not None:            # f(x)' is f'(x)
                    factors = [*factors[:position - 1], _Called(called), *factors[position + 1:]]
                    return self._product(factors)
        for position, factor in enumerate(factors):
            if isinstance(factor, _DerivativeOperator):
                rest = factors[position + 1:]
                if not rest:
                    raise ParseError(f"{factor.written} has nothing to differentiate")
                inner = self._product(rest)
                head = self._product(factors[:position]) if position else sympy.Integer(1)
                return _times(self, self.value(head), self.differentiate(inner, factor.variable))
        items = []
        position = 0
        while position < len(factors):
            factor = factors[position]
            following = factors[position + 1] if position + 1 < len(factors) else None
            if isinstance(factor, NameRef) and factor.letter in ("softmax", "sigmoid") and not factor.subscript \
                    and isinstance(following, (_Group, _Entry)):
                if factor.primes:                   # sigmoid'(z): the derivative at z, never sigmoid(z) itself
                    if factor.letter == "softmax" or isinstance(following, _Entry):
                        raise ParseError(f"{factor.written()} is not read: write the derivative with d/ds")
                    items.append(self.derivative_at(notation.sigmoid, factor.primes, following))
                    position += 2
                    continue
                argument = self.value(following.group if isinstance(following, _Entry) else following)
                applied = arrays.softmax(argument, self.fresh) if factor.letter == "softmax" \
                    else arrays.elementwise(argument, notation.sigmoid)
                items.append(self.entry_of(applied, following.index) if isinstance(following, _Entry) else applied)
                position += 2
                continue
            if isinstance(factor, NameRef) and factor.letter == "onehot" and isinstance(following, _Group):
                label = self.scalar(self.value(following))            # onehot(y): e_y, the one-hot vector
                if isinstance(label, sympy.Symbol) and len(label.name) == 1:
                    label = self.resolver.index_letter(label.name)         # y: the label, as in e_y
                items.append(arrays.one_hot(label))
                position += 2
                continue
            if isinstance(factor, NameRef) and isinstance(following, (_Group, _Tuple)):
                called = self.call_name(factor, following)
                if called is not None:
                    items.append(called)
                    position += 2
                    continue
            if isinstance(factor, _Tuple) and position:         # (not a call: that was taken up above)
                numbers = [self.scalar(item) for item in factor.items]
                if all(n.is_number for n in numbers):     # 0.2595 * (1, 2): a number times a vector written out
                    items.append(sympy.ImmutableMatrix(numbers))
                    position += 1
                    continue
            items.append(self.value(factor))
            position += 1
        result = items[0]
        aligned = len(factors) == len(items)
        if aligned and len(items) > 1 and isinstance(items[1], Vector) and items[1].transposed \
                and isinstance(factors[0], NameRef) and not isinstance(result, (Vector, MatrixName)):
            result = self._as_vector(factors[0], result)      # the x_i of x_i (p - e_y)^T: an outer product
        for item, factor in zip(items[1:], factors[1:] if aligned else [None] * len(items)):
            if (isinstance(result, Vector) and result.transposed or isinstance(result, (MatrixName, arrays.Grid))) \
                    and isinstance(factor, NameRef) and not isinstance(item, (Vector, MatrixName)):
                item = self._as_vector(factor, item)          # the x_i of w_j^T x_i (of W x_i) is a vector
            result = _times(self, result, item)
        return result

    def _as_vector(self, ref: NameRef, value):
        """A plain name read as a vector where only a vector makes sense (w_j^T, the x_i of w_j^T x_i),
        when the resolver knows it as one; else the value as it was."""
        vector = getattr(self.resolver, "vector", None)
        found = vector(ref) if vector is not None else None
        return found if found is not None else value

    def call_name(self, ref: NameRef, argument):
        """f(s_1), L_CE(y, t), h'(x): a call when the resolver knows ``ref`` as a function, else None."""
        function = self.resolver.function(replace(ref, primes=0))
        if function is None:
            return None
        args = [self.scalar(a) for a in (argument.items if isinstance(argument, _Tuple) else (argument.value,))]
        if ref.primes and len(args) == 1 and args[0].is_number:         # σ'(2): σ' at the point 2
            point = sympy.Dummy("u")
            value = function(point)
            for _ in range(ref.primes):
                value = sympy.diff(value, point)
            return value.xreplace({point: args[0]})
        value = function(*args)
        for _ in range(ref.primes):
            if len(args) != 1:
                raise ParseError(f"{ref.written()} of several arguments: which one is differentiated is not said")
            value = sympy.Derivative(value, args[0]) if isinstance(args[0], (sympy.Symbol, sympy.Indexed)) \
                else _chain_derivative(value, args[0])
        return value

    def rule_group(self, children):
        return _Group(children[0])

    def rule_bracket(self, children):
        return _Group(children[0])

    def rule_group_entry(self, children):
        return _Entry(_Group(children[0]), children[1])

    def entry_of(self, value, item):
        """Entry ``item`` (a subscript item: k, y_i, 2) of a vector: softmax(s)_k, (p - y)_j."""
        indices = self.resolver.indices(NameRef("entry", subscript=(item,)))
        if len(indices) != 1:
            raise ParseError("an entry of a vector in brackets takes one index, as in softmax(s)_k")
        index = indices[0]
        if isinstance(value, Vector):
            return value.entry(index)
        if isinstance(value, sympy.MatrixBase) and min(value.shape) == 1 and index.is_Integer:
            if not 0 <= int(index) < len(value):     # written out: (a, b, c)_1 counts from 0 like the classes
                raise ParseError(f"entry {index} of a vector of {len(value)} entries")
            return value[int(index)]
        raise ParseError("(...)_k of something that is not a vector is not read")

    def rule_tuple(self, children):
        return _Tuple(tuple(children))

    def rule_pow(self, children):
        base, exponent = children
        if isinstance(exponent, _Word) and isinstance(base, NameRef) and base.superscript is None:
            return replace(base, superscript=exponent.word)
        if isinstance(exponent, NameRef) and not exponent.subscript and not exponent.font:
            if exponent.letter == "T":
                return self.transpose(base)
            if len(exponent.letter) > 1 and isinstance(base, NameRef) and base.superscript is None:
                return replace(base, superscript=exponent.letter)
        if isinstance(exponent, _Group) and isinstance(exponent.value, NameRef) \
                and len(exponent.value.letter) == 1 and not exponent.value.subscript and isinstance(base, NameRef):
            return replace(base, example=self.resolver.index_letter(exponent.value.letter))
        value = self.value(base)
        if isinstance(value, (Vector, MatrixName, Grid)):
            exponent_value = self.scalar(exponent)
            if not exponent_value.is_Integer:
                raise ParseError("a power of a vector is not read")
            return arrays.elementwise(value, lambda e: power(e, exponent_value, self.limits))   # sum W^2: entry by entry
        exponent_value = self.value(exponent)
        if isinstance(exponent_value, (Vector, Grid, sympy.MatrixBase)) and isinstance(value, sympy.Expr) \
                and value.is_number:              # e^{s - m}: the exponential of each entry
            base_value = value
            return arrays.elementwise(exponent_value, lambda e: power(base_value, e, self.limits))
        return power(self.scalar(value), self.scalar(exponent), self.limits)

    def transpose(self, base):
        value = self.value(base)
        if isinstance(base, NameRef) and not isinstance(value, arrays.ARRAYS):
            value = self._as_vector(base, value)
        if isinstance(value, (*arrays.ARRAYS, sympy.MatrixBase)):
            return arrays.transpose(value)
        raise ParseError(f"^T of {_show(base)}, which is not a vector: write it bold (\\mathbf) or as a sum")

    def rule_number(self, children):
        return literals.number(str(children[0]), self.limits)

    def rule_prime(self, children):
        base, _ = children
        if isinstance(base, _Group):
            return _Primed(base)
        return self.derivative_of(base)

    def derivative_of(self, base):
        """(expression)': the derivative with respect to its only variable."""
        value = self.scalar(base)
        variables = sorted((a for a in value.free_symbols if not a.is_integer and a not in notation.COUNTS),
                           key=str)
        if len(variables) != 1:
            raise ParseError("a prime (') on an expression of several variables: which one is meant is not said")
        return sympy.Derivative(value, variables[0])

    # -- names ---------------------------------------------------------------------------------------

    def rule_name(self, children):
        letter, *rest = children
        primes = sum(1 for c in rest if isinstance(c, Token) and c.type == "PRIME")
        subscript = next((c for c in rest if isinstance(c, tuple)), ())
        if isinstance(letter, NameRef) and letter.subscript:
            if subscript:
                raise ParseError(f"{letter.written()} with a subscript too is not read")
            return replace(letter, primes=primes)
        if isinstance(letter, _Word):               # "ty_j": the subscript belongs to the last letter
            if not primes and not subscript:
                return letter
            if len(letter.word) > 3:
                raise ParseError(f"the word {letter.word!r} is not read")
            *first, last = [NameRef(c) for c in letter.word]
            return _Product((*first, replace(last, primes=primes, subscript=subscript)))
        if not isinstance(letter, NameRef):
            if primes or subscript:
                raise ParseError("a subscript or prime on a number is not read")
            return letter
        return replace(letter, primes=primes, subscript=subscript)

    def rule_plain_letter(self, children):
        return NameRef(str(children[0]))

    def rule_digits_letter(self, children):
        """w0, x2, W1: the letter with its digits as its index (w_0, x_2, W_1)."""
        text = str(children[0])
        return NameRef(text[0], subscript=(("number", literals.integer(text[1:], self.limits, "an index")),))

    def rule_word(self, children):
        """A run of letters: capitals name one quantity (CE, SVM); two or three small letters multiply (ty);
        softmax, sigmoid and reg are themselves."""
        word = str(children[0])
        if word.isupper() or word in NAMED_WORDS or word in getattr(self.resolver, "function_words", ()):
            return NameRef(word)                    # lse, when the text defines lse(s) = ...
        if word in ("yi", "yn"):                    # 1(k = yi): the label y_i written without its underscore
            return NameRef("y", subscript=(("letter", word[1], 0),))
        return _Word(word)

    def rule_greek(self, children):
        return NameRef(str(children[0]).lstrip("\\"))

    def rule_margin(self, _children):
        return NameRef("Delta")

    def rule_font_letter(self, children):
        font, letter = children
        return NameRef(str(letter), font=str(font).lstrip("\\"))

    def rule_font_font_letter(self, children):
        """\\hat{\\mathbf{y}}, \\mathbf{\\hat y}: a letter in two fonts (a bold vector with an accent), the fonts
        named in order, outer first ("hat+mathbf")."""
        outer, inner, letter = children
        return NameRef(str(letter), font=f"{str(outer).lstrip(chr(92))}+{str(inner).lstrip(chr(92))}")

    def rule_font_greek(self, children):
        """\\hat\\theta, \\hat{\\beta}: a Greek letter with an accent, a name of its own."""
        font, letter = children
        return NameRef(str(letter).lstrip("\\"), font=str(font).lstrip("\\"))

    def rule_font_word(self, children):
        font, word = children
        return NameRef(str(word), font=str(font).lstrip("\\"))

    def rule_font_number(self, children):
        font, number = children
        if str(number) == "0":
            return sympy.Integer(0)
        raise ParseError(f"\\{str(font).lstrip(chr(92))}{{{number}}} is not read")

    def rule_subscript(self, children):
        item = children[0]
        return tuple(item) if isinstance(item, list) else _items(item)

    def rule_sub_list(self, items):
        return [one for item in items for one in _items(item)]

    def rule_index_letter(self, children):
        return ("letter", str(children[0]), len(children) - 1)

    def rule_index_number(self, children):
        return ("number", literals.integer(str(children[0]), self.limits, "an index"))

    def rule_index_word(self, children):
        return ("word", str(children[0]))

    def rule_index_word_primed(self, children):
        """F_{ic'}: the letters of a lower-case run are indices side by side, the last one primed."""
        word = _index_run(str(children[0]))
        return _Run((*(("letter", c, 0) for c in word[:-1]), ("letter", word[-1], len(children) - 1)))

    def rule_index_word_label(self, children):
        """s_{iy_i}: the letters of a lower-case run are indices side by side, the last one a label (y_i)."""
        word, of = _index_run(str(children[0])), str(children[1])
        return _Run((*(("letter", c, 0) for c in word[:-1]), ("label", word[-1], of)))

    def rule_index_greek(self, children):
        return ("greek", str(children[0]).lstrip("\\"))

    def rule_index_label(self, children):
        return ("label", str(children[0]), str(children[1]))

    def rule_index_label_number(self, children):
        """w_2 in a subscript (\\nabla_{w_2}): a name with a number index (only \\nabla takes it)."""
        return ("label_number", str(children[0]), literals.integer(str(children[1]), self.limits, "an index"))

    def rule_index_nested(self, children):
        """w_{y_i} in a subscript (\\nabla_{w_{y_i}}): a name whose index is a label."""
        letter, label, of = (str(c) for c in children)
        return ("nested", letter, (label, of))

    def rule_index_vector(self, children):
        font, letter, *sub = children
        subscript = ()
        if sub:
            item = sub[0]
            subscript = tuple(item) if isinstance(item, list) else (("letter", str(item), 0),)
        return ("vector", str(font).lstrip("\\"), NameRef(str(letter), font=str(font).lstrip("\\"), subscript=subscript))

    def rule_index_all(self, _children):
        """The ':' of W_{:,j}: every row (or column) of a matrix."""
        return ("all",)

    def rule_index_column(self, children):
        """W_{:,j} in a subscript (\\nabla_{W_{:,j}}): column j of W, a vector."""
        letter, item = str(children[0]), children[1]
        return ("vector", "", NameRef(letter, subscript=(("all",), item)))

    def rule_index_except(self, children):
        letter = str(children[0])
        primes = sum(1 for c in children[1:-1] if isinstance(c, Token) and c.type == "PRIME")
        return ("except", letter + "'" * primes, children[-1])

    # -- functions -----------------------------------------------------------------------------------

    def rule_func(self, children):
        token, *base = children
        if token.type == "LOG":
            return _logarithm(base[0] if base else self.resolver.log_base)
        if token.type == "LOG_N":
            return _logarithm(str(token)[len("log"):])
        return {"LN": sympy.log, "EXP": sympy.exp, "SIGMA": notation.sigmoid, "DIAG": _DIAGONAL,
                "TRACE": _TRACE,
                "SQRT": lambda u: power(u, sympy.Rational(1, 2), self.limits)}[token.type]

    def rule_log_base(self, children):
        return str(children[0])

    def rule_call(self, children):
        function, argument = children
        value = self.value(argument)
        if function is _DIAGONAL:
            return arrays.diagonal(value)
        if function is _TRACE:
            return arrays.trace(value, self.fresh)
        if isinstance(value, (Vector, Grid, MatrixName, sympy.MatrixBase)):
            return arrays.elementwise(value, function)
        return function(self.scalar(value))

    def rule_call_prime(self, children):
        """\\sigma'(z): the derivative of a function, at its argument."""
        function, *primes, argument = children
        return self.derivative_at(function, len(primes), argument)

    def derivative_at(self, function, order: int, argument):
        """f^{(order)}(argument) of a named function (sigma'(z) = sigma(z)(1 - sigma(z)) at z)."""
        value = self.scalar(argument)
        variable = sympy.Dummy("u", real=True)
        result = function(variable)
        for _ in range(order):
            result = sympy.diff(result, variable)
        return result.xreplace({variable: value})

    def rule_letter_call(self, children):
        letter, argument = children
        ref = NameRef(str(letter))
        called = self.call_name(ref, _Group(argument))
        if called is not None:
            return called
        return _times(self, self.value(ref), self.value(argument))

    def rule_max(self, children):
        if len(children) == 2:                    # max(s): the largest entry of a vector
            value = self.value(children[1])
            if isinstance(value, Vector) and not value.transposed:
                bound = sympy.Symbol("j" + BOUND_MARK * 2, integer=True)
                return MaxOver(value.entry(bound), bound, None, sympy.Integer(0), value.count - 1)
            if isinstance(value, sympy.MatrixBase) and min(value.shape) == 1:
                return sympy.Max(*value)
        return KeptMax(*[self.scalar(c) for c in children[1:]])

    def rule_max_over(self, children):
        """\\max_j s_j: the largest over an index (the classes, unless the summand says otherwise)."""
        _, letter, body = children
        free = self.resolver.index_letter(str(letter))
        bound = sympy.Symbol(str(letter) + BOUND_MARK, integer=True)
        inner = self.scalar(body)
        while bound in inner.free_symbols:
            bound = sympy.Symbol(bound.name + BOUND_MARK, integer=True)
        inner = inner.xreplace({free: bound})
        count = self.resolver.sum_count(bound, inner)
        return MaxOver(inner, bound, None, sympy.Integer(0), count - 1)

    def rule_kronecker(self, children):
        indices = self.resolver.indices(NameRef("delta", subscript=children[1]))
        if len(indices) != 2:
            raise ParseError("the Kronecker delta takes two indices, as in \\delta_{jk}")
        return sympy.KroneckerDelta(*indices)

    def rule_nabla(self, children):
        items = children[1]
        if len(items) != 1:
            raise ParseError("\\nabla takes one variable, as in \\nabla_{\\mathbf{w}_j}")
        item = items[0]
        if item[0] == "vector":
            variable = self.resolver.name(item[2])
        elif item[0] == "letter":
            variable = self.resolver.name(NameRef(item[1], font="mathbf"))
        elif item[0] == "label":                 # \\nabla_{w_j}: the vector w_j when the text writes w bold
            ref = NameRef(item[1], subscript=(("letter", item[2], 0),))
            bold = item[1] in getattr(self.resolver, "bold_letters", ()) or self._class_vector(item[1])
            variable = self.resolver.name(replace(ref, font="mathbf") if bold else ref)
        elif item[0] == "nested":
            variable = self.resolver.name(NameRef(item[1], subscript=(("label",) + item[2],)))
        elif item[0] == "label_number":           # \nabla_{w_2}: the vector w_2
            ref = NameRef(item[1], subscript=(("number", item[2]),))
            bold = item[1] in getattr(self.resolver, "bold_letters", ()) or self._class_vector(item[1])
            variable = self.resolver.name(replace(ref, font="mathbf") if bold else ref)
        else:
            raise ParseError("\\nabla takes a variable, as in \\nabla_{\\mathbf{w}_j}")
        return _DerivativeOperator(variable, "\\nabla")

    def _class_vector(self, letter: str) -> bool:
        """Whether \\nabla_{w_j} takes a row (column) of a matrix the text writes: w of a text with W."""
        return letter == "w" and bool(getattr(self.resolver, "writes_matrix_w", False))

    def rule_gradient_call(self, children):
        """grad f(s), \\nabla f(x): the gradient of a function with respect to its argument (a vector)."""
        _, ref, argument = children
        called = self.call_name(ref, _Group(argument)) if isinstance(ref, NameRef) else None
        if called is None:
            raise ParseError(f"grad {_show(ref)}(...): {_show(ref)} is not a function the text defines")
        variable = self.value(argument)
        if not isinstance(variable, Vector):
            variable = self._as_vector(argument, variable) if isinstance(argument, NameRef) else variable
        return self.differentiate(called, variable)

    def rule_gradient_of(self, children):
        """\\nabla f: the vector of the derivatives of f with respect to each of its variables, in the order the
        text gives them (f(x, y, z) = ..., or as they first appear in f's definition)."""
        _, ref = children
        variables = getattr(self.resolver, "gradient_variables", lambda _ref: None)(ref)
        if not variables:
            raise ParseError(f"\\nabla {_show(ref)}: over which variables, in which order, is not said "
                             f"(write {_show(ref)}(x, y, ...) = ... or the derivatives one by one)")
        value = self.value(ref)
        if not isinstance(value, sympy.Expr):
            raise ParseError(f"\\nabla {_show(ref)} of a vector or a matrix is not read")
        self.notes.append(f"\\nabla {_show(ref)} is read over the variables "
                          f"{', '.join(str(v) for v in variables)}, in that order")
        return sympy.ImmutableMatrix([_derivative(value, v) for v in variables])

    def rule_partial_frac(self, children):
        parts = [c for c in children if not (isinstance(c, Token) and c.type in ("FRAC", "PARTIAL"))]
        if len(parts) == 1:
            return _DerivativeOperator(self.value(parts[0]), "\\frac{\\partial}{\\partial ...}")
        numerator, denominator = parts
        return self.differentiate(self.value(numerator), self.value(denominator))

    def rule_partial_slash(self, children):
        """∂L/∂s_k written on one line."""
        numerator, denominator = [c for c in children if not isinstance(c, Token)]
        return self.differentiate(self.value(numerator), self.value(denominator))

    def rule_partial_slash_operator(self, children):
        """∂/∂s_k, applied to what follows."""
        variable = [c for c in children if not isinstance(c, Token)][0]
        return _DerivativeOperator(self.value(variable), "∂/∂...")

    def rule_leibniz_frac(self, children):
        """\\frac{dL}{dw}, dL/dw: Leibniz's notation for the derivative (never a quotient of d's)."""
        numerator, variable = [c for c in children if not isinstance(c, Token)]
        return self.differentiate(self.value(numerator), self.value(variable))

    rule_leibniz_slash = rule_leibniz_frac

    def rule_leibniz_operator(self, children):
        """\\frac{d}{dx}, d/dx: the derivative of what follows."""
        variable = [c for c in children if not isinstance(c, Token)][0]
        return _DerivativeOperator(self.value(variable), "d/d...")

    rule_leibniz_slash_operator = rule_leibniz_operator

    def rule_leibniz_function(self, children):
        """\\frac{d\\sigma}{dz}: the derivative of the function at the variable, d sigma(z)/dz."""
        function, variable = [c for c in children if not (isinstance(c, Token) and c.type in ("FRAC", "D_OP"))]
        value = self.scalar(variable)
        return self.differentiate(function(value), value)

    def rule_second_derivative(self, children):
        """d^2 f / (ds_i ds_j): the derivative by s_j of the derivative by s_i (the order is 2, as written)."""
        order = next(c for c in children if isinstance(c, Token) and c.type == "NUMBER")
        if str(order) != "2":
            raise ParseError(f"a derivative of order {order} with two variables is not read")
        numerator, first, second = [c for c in children if not isinstance(c, Token)]
        inner = self.differentiate(self.value(numerator), self.value(second))
        return self.differentiate(inner, self.value(first))

    def rule_bad_partial_frac(self, children):
        raise ParseError("the denominator of \\frac{\\partial ...}{...} has no \\partial")

    def rule_norm(self, children):
        """\\|W\\|_F, \\|w\\|_2, \\|w\\|: the square root of the sum of the squares of the entries (the Frobenius
        norm of a matrix, the Euclidean norm of a vector; \\|W\\|_F^2 is then the sum of squares itself); of one
        number, its absolute value."""
        inner, kind = children[1], (children[3] if len(children) > 3 else None)
        value = self.value(inner)
        if isinstance(inner, NameRef) and not isinstance(value, arrays.ARRAYS):
            value = self._as_vector(inner, value)
        if isinstance(value, (MatrixName, Grid)):
            if kind not in (None, "F"):         # ||W||_2 is the spectral norm (or, for some, the Frobenius)
                raise ParseError(f"the norm ||.||_{kind} of a matrix is not read: only the Frobenius norm ||.||_F")
            grid = arrays.as_grid(value)
            r, c = self.fresh("r"), self.fresh("c")
            squares = sympy.Sum(grid.entry(r, c) ** 2, (r, 0, grid.rows - 1), (c, 0, grid.cols - 1))
        elif isinstance(value, Vector):
            if kind not in (None, "2"):
                raise ParseError(f"the norm ||.||_{kind} of a vector is not read: only the Euclidean norm ||.||_2")
            d = self.fresh("d")
            squares = sympy.Sum(value.entry(d) ** 2, (d, 0, value.count - 1))
        elif isinstance(value, sympy.MatrixBase):
            if kind not in (None, "2", "F"):
                raise ParseError(f"the norm ||.||_{kind} is not read: only the Euclidean norm ||.||_2")
            squares = sympy.Add(*[e ** 2 for e in value])
        elif kind is None:
            return sympy.Abs(self.scalar(value))
        else:
            raise ParseError(f"the norm ||.||_{kind} of one number is not read")
        return power(squares, sympy.Rational(1, 2), self.limits)

    def rule_norm_kind(self, children):
        return str(children[0])

    def rule_dots(self, _children):
        raise ParseError("an ellipsis (\\dots) stands for terms that are not written: not read")

    def differentiate(self, expression, variable):
        """d expression / d variable: a vector variable gives the gradient, read at the component index."""
        if isinstance(expression, _Group):
            expression = expression.value
        expression = self.value(expression)
        variable = self.value(variable)
        if isinstance(variable, sympy.MatrixBase):
            raise ParseError("a derivative with respect to a vector written out is not read")
        if isinstance(variable, (MatrixName, Grid)):
            grid = arrays.as_grid(variable)
            if isinstance(expression, arrays.ARRAYS) or isinstance(expression, sympy.MatrixBase):
                raise ParseError("the derivative of a vector or matrix with respect to a matrix is not read")
            scalar = self.scalar(expression)
            return Grid(lambda r, c, e=scalar, g=grid: _derivative(e, g.entry(r, c)), grid.rows, grid.cols)
        if isinstance(variable, Vector):
            if isinstance(expression, Vector):             # the Jacobian: row r is component r, column c variable c
                return Grid(lambda r, c, e=expression, v=variable: _derivative(e.entry(r), v.entry(c)),
                            expression.count, variable.count)
            if isinstance(expression, (MatrixName, Grid, sympy.MatrixBase)):
                raise ParseError("the derivative of a matrix with respect to a vector is not read")
            return Vector(lambda d, e=expression, v=variable: _derivative(e, v.entry(d)), variable.count)
        if isinstance(expression, Vector):
            return arrays.vector_map(expression, lambda e, v=variable: _derivative(e, v))
        return _derivative(self.scalar(expression), variable)

    # -- sums ------------------------------------------------------------------------------------------

    def rule_all_range(self, children):
        index, *upper = children
        return _SumRange(_letter_of(index), upper=upper[0] if upper else None)

    def rule_except_range(self, children):
        index, excluded, *upper = children
        return _SumRange(_letter_of(index), upper=upper[0] if upper else None, excluded=tuple(excluded))

    def rule_bounded_range(self, children):
        index, lower, upper = children
        return _SumRange(_letter_of(index), lower=lower, upper=upper)

    def rule_bounded_except_range(self, children):
        """\\sum_{j=1, j \\neq y_i}^{K}: the bounds and the index left out."""
        index, lower, again, excluded, upper = children
        if _letter_of(again) != _letter_of(index):
            raise ParseError(f"\\sum_{{{_letter_of(index)}=..., {_letter_of(again)} \\neq ...}}: two different indices")
        return _SumRange(_letter_of(index), lower=lower, upper=upper, excluded=tuple(excluded))

    def rule_such_that_range(self, children):
        """\\sum_{i: y_i \\neq j}: the terms whose index meets the condition (the condition is a factor)."""
        index, condition, *upper = children
        return _SumRange(_letter_of(index), upper=upper[0] if upper else None, condition=condition)

    def rule_iverson(self, children):
        """[[m > 0]]: 1 when the condition holds, 0 otherwise."""
        return children[0]

    def rule_multi_range(self, children):
        """\\sum_{d,c}: a sum over each of the indices, every entry (the first index outermost)."""
        letters = [_letter_of(index) for index in children]
        if len(set(letters)) != len(letters):
            raise ParseError(f"\\sum_{{{','.join(letters)}}}: an index is written twice")
        return [_SumRange(letter) for letter in letters]

    def rule_big_sum(self, children):
        _, bounds, summand = children
        if isinstance(bounds, list):
            value = summand
            for each in reversed(bounds):
                value = self.sum(value, each)
            return value
        return self.sum(summand, bounds)

    def rule_sum_all(self, children):
        """\\sum W^2: the sum of every entry of a matrix or a vector."""
        _, summand = children
        value = self.value(summand)
        if isinstance(value, (MatrixName, Grid)):
            grid = arrays.as_grid(value)
            r, c = self.fresh("r"), self.fresh("c")
            return sympy.Sum(grid.entry(r, c), (r, 0, grid.rows - 1), (c, 0, grid.cols - 1))
        if isinstance(value, Vector):
            d = self.fresh("d")
            return sympy.Sum(value.entry(d), (d, 0, value.count - 1))
        raise ParseError("a sum with no index is only read over a vector or a matrix (\\sum W^2)")

    def rule_sum_call(self, children):
        _, summand, letter = children
        return self.sum(summand, _SumRange(str(letter)))

    def sum(self, summand, bounds: _SumRange):
        """The sum of ``summand`` over ``bounds``, with the bound index renamed apart from free ones."""
        free = self.resolver.index_letter(bounds.letter)
        bound = sympy.Symbol(bounds.letter + BOUND_MARK, integer=True)
        value = self.value(summand)
        if isinstance(value, (Vector, Grid, MatrixName)):
            return arrays.elementwise(value, lambda e: self.sum(e, bounds))
        inner = self.scalar(value)
        if bounds.condition is not None:
            inner = inner * self.scalar(bounds.condition)
        while any(isinstance(a, sympy.Symbol) and a == bound for a in _bound_symbols(inner)):
            bound = sympy.Symbol(bound.name + BOUND_MARK, integer=True)     # a sum over j inside: a fresh name
        body = inner.xreplace({free: bound})
        rebind = getattr(self.resolver, "rebind", None)
        if rebind is not None:
            body = rebind(body, free, bound)        # L_n in sum_n L_n: the loss of each example, not of one n
        lower, upper = bounds.lower, bounds.upper
        lower = None if lower is None else self.scalar(lower)
        upper = None if upper is None else self.scalar(upper)
        if lower is None and upper is not None and upper.is_Integer:
            lower = sympy.Integer(1)                       # \sum_i^2: i = 1, 2
        if lower is None:
            count = self.resolver.count(upper) if upper is not None else self.resolver.sum_count(bound, body)
            if count is None:
                raise ParseError(f"a sum up to {upper} is not read: give its lower bound too")
            low, high = sympy.Integer(0), count - 1
        else:
            count = self.resolver.count(upper)
            if count is None and lower == 0 and isinstance(upper, sympy.Add):
                below = self.resolver.count(upper + 1)          # \sum_{j=0}^{K-1}: all K
                if below is not None:
                    return self._summed(body, bound, bounds, sympy.Integer(0), below - 1)
            if count is None and lower in (0, 1) and isinstance(upper, sympy.Symbol) and len(upper.name) == 1 \
                    and upper.name.islower():
                count = self.resolver.sum_count(bound, body)     # sum_{i=1}^{n} e^{x_i}: the n entries of x
                self.notes.append(f"the sum up to {upper} runs over every entry")
            if count is not None and lower in (0, 1):
                low, high = sympy.Integer(0), count - 1    # 1..K and 0..K-1 both mean all K
            elif count is not None and lower == 0:
                low, high = sympy.Integer(0), count - 1
            elif lower.is_Integer and upper.is_Integer:
                if upper - lower + 1 > self.limits.max_sum_terms:
                    raise ParseError(f"a sum of {upper - lower + 1} terms is not read "
                                     f"(limit {self.limits.max_sum_terms})")
                low, high = lower, upper
                if getattr(self.resolver, "one_based", False) and lower >= 1:
                    low, high = lower - 1, upper - 1       # \sum_{i=1}^{2} t_i of classes 1 and 2: t_1 is entry 0
            else:
                raise ParseError("the bounds of a sum must be whole numbers or a count (K, C, N, D)")
            if count is not None:
                implicit = None if body.has(bound) else self.resolver.implicit_example(body, bound, count)
                if implicit is not None:
                    body = implicit
                    self.notes.append(f"the sum over {bounds.letter} = 1..{upper} runs over the examples: "
                                      f"its terms are read per example")
        return self._summed(body, bound, bounds, low, high)

    def _summed(self, body, bound, bounds, low, high):
        """The sum of ``body`` over ``bound`` from ``low`` to ``high``, leaving out the indices it excludes."""
        excluded = [self._index_item(item) for item in bounds.excluded]
        if not excluded:
            return sympy.Sum(body, (bound, low, high))
        if len(excluded) == 1 and not body.has(sympy.Sum):
            return notation.SumExcept(body, bound, excluded[0], low, high)
        factor = sympy.Integer(1)
        for other in excluded:
            factor *= 1 - sympy.KroneckerDelta(bound, other)
        return sympy.Sum(factor * body, (bound, low, high))

    def _index_item(self, item):
        indices = self.resolver.indices(NameRef("sum", subscript=(item,)))
        if len(indices) != 1:
            raise ParseError("a sum excludes one index at a time, as in \\sum_{j \\neq y_i, k}")
        return indices[0]

    # -- indicators ------------------------------------------------------------------------------------

    def rule_indicator(self, children):
        return children[1]

    def rule_greater(self, children):
        a, b = (self.scalar(c) for c in children)
        return notation.indicator(a - b)

    def rule_less(self, children):
        a, b = (self.scalar(c) for c in children)
        return notation.indicator(b - a)

    def rule_greater_equal(self, children):
        a, b = (self.scalar(c) for c in children)
        return sympy.Heaviside(a - b, 1)

    def rule_less_equal(self, children):
        a, b = (self.scalar(c) for c in children)
        return sympy.Heaviside(b - a, 1)

    def rule_equal(self, children):
        a, b = (self._index(self.scalar(c)) for c in children)
        if getattr(self.resolver, "one_based", False):      # 1(k = 3) of classes numbered from 1: the third
            a, b = (x - 1 if x.is_Integer and x >= 1 and not y.is_Integer else x for x, y in ((a, b), (b, a)))
        if not (a.is_integer and b.is_integer):
            raise ParseError("'=' in an indicator compares indices, as in 1[j = y_i]")
        return sympy.KroneckerDelta(a, b)

    def _index(self, value):
        """A letter compared in an indicator (1[k = y_i]) is an index."""
        if isinstance(value, sympy.Symbol) and not value.is_integer and re.fullmatch(r"[A-Za-z]'*", value.name):
            return self.resolver.index_letter(value.name)
        return value

    def rule_not_equal(self, children):
        return 1 - self.rule_equal(children)


class KeptMax(sympy.Max):
    """max(0, u) as written: never simplified when it is rebuilt (an index put in, a sum's bound renamed), which
    SymPy's Max does at a cost that grows with its arguments; evaluated and differentiated like any Max."""

    def __new__(cls, *args, **options):
        if args and all(getattr(a, "is_number", isinstance(a, (int, float))) for a in args):
            return sympy.Max(*args)                     # numbers: their max (evalf and doit end here)
        options["evaluate"] = False
        return super().__new__(cls, *args, **options)


def _DIAGONAL(_value):
    """diag(v), which :meth:`WrittenBuilder.rule_call` builds as a matrix (never called on a number)."""
    raise ParseError("diag(...) of one number is not read")


def _TRACE(_value):
    """tr(A), which :meth:`WrittenBuilder.rule_call` builds as a sum (never called on a number)."""
    raise ParseError("tr(...) of one number is not read")


def _bound_symbols(expr) -> set:
    """The bound indices of the sums inside ``expr``."""
    found = set()
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Sum):
            found |= {limit[0] for limit in node.limits}
        elif isinstance(node, notation.SumExcept):
            found.add(node.index)
    return found


def _letter_of(index) -> str:
    return index[1] + "'" * index[2]


def _show(item) -> str:
    return item.written() if isinstance(item, NameRef) else str(item)


def _logarithm(base: str):
    if base == "e":
        return sympy.log
    if base not in ("10", "2"):
        raise ParseError(f"a logarithm to base {base} is not read: use e, 10 or 2")
    return lambda u: sympy.log(u) / sympy.log(sympy.Integer(int(base)))


def _derivative(expression, variable):
    """d expression / d variable; with respect to an expression u (not a name), (d/dv) / (du/dv)."""
    if isinstance(variable, (sympy.Symbol, sympy.Indexed)) and not variable.is_integer:
        return sympy.Derivative(expression, variable)
    if not isinstance(variable, sympy.Expr) or variable.is_number:
        raise ParseError(f"a derivative with respect to {variable} is not read")
    return _chain_derivative(expression, variable)


def _chain_derivative(expression, inner):
    """d expression / d inner for an expression ``inner``: (d expression/dv) / (d inner/dv), v a variable of inner.

    This is what the notation means when ``expression`` depends on v only through ``inner``
    (d[(1 - t) log(1 - y)] / d(1 - y) = (1 - t) / (1 - y)).
    """
    candidates = sorted((a for a in inner.free_symbols | inner.atoms(sympy.Indexed)
                         if isinstance(a, (sympy.Symbol, sympy.Indexed)) and not a.is_integer
                         and a not in notation.COUNTS and not isinstance(a, sympy.Dummy)), key=str)
    candidates = [a for a in candidates if not (isinstance(a, sympy.Symbol) and any(
        isinstance(i, sympy.Indexed) and i.base.label == a for i in inner.atoms(sympy.Indexed)))]
    if not candidates:
        raise ParseError(f"a derivative with respect to {inner} (no variable in it) is not read")
    variable = candidates[0]
    slope = sympy.diff(inner, variable)
    if slope == 0:
        raise ParseError(f"a derivative with respect to {inner} is not read")
    return sympy.Derivative(expression, variable) / slope


def _times(builder: WrittenBuilder, a, b):
    """a times b, once both are built (see :func:`derivations.parse.written_arrays.times`)."""
    a = builder.value(a) if isinstance(a, (NameRef, _Group, _Entry, _Product, _Called, _Primed, _Word)) else a
    b = builder.value(b) if isinstance(b, (NameRef, _Group, _Entry, _Product, _Called, _Primed, _Word)) else b
    return arrays.times(a, b, builder.fresh)
