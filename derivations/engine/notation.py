"""The notation every derivation shares: symbols, indexed scores, sums, indicators.

Conventions (the ones CS231n and the seed homework use):

* ``s`` is the score vector, ``s[j]`` the score of class ``j``; classes are
  numbered ``0 .. K-1`` (as in code: ``--label 0`` is the first class).
* ``y`` is the label ``y_i`` of the example; ``s[y]`` is ``s_{y_i}``.
* ``Delta`` is the SVM margin; ``p[j]`` the softmax probability of class ``j``.
* ``SumExcept(f, j, y)`` is the sum of ``f`` over the classes ``j != y``.
* ``indicator(u)`` is ``1[u > 0]``, encoded as SymPy's ``Heaviside(u, 0)``:
  the subgradient convention of code (``margin > 0``), so it is 0 on the kink,
  not SymPy's default ``Heaviside(0) = 1/2``.
"""
from __future__ import annotations

import functools

import sympy
from sympy import Expr, Heaviside, IndexedBase, Integer, Symbol
from sympy.core.sympify import _sympify

#: scores, probabilities, inputs, weights (indexed: s[j] is s_j)
s = IndexedBase("s", real=True)
p = IndexedBase("p", positive=True)
x = IndexedBase("x", real=True)
w = IndexedBase("w", real=True)

#: scalars of the binary case: the logit z, the target t, the sigmoid output
z = Symbol("z", real=True)
t = Symbol("t", real=True)

#: class indices and the label
j = Symbol("j", integer=True)
k = Symbol("k", integer=True)
m = Symbol("m", integer=True)
y = Symbol("y_i", integer=True)

#: number of classes and the SVM margin
K = Symbol("K", integer=True, positive=True)
Delta = Symbol("Delta", real=True)

#: number of input features (logistic regression: w_d, x_d for d = 0 .. D-1) and of training examples
D = Symbol("D", integer=True, positive=True)
N = Symbol("N", integer=True, positive=True)

#: hidden units of a network (the loss language of derive grad)
H = Symbol("H", integer=True, positive=True)

#: the symbolic counts a sum may run up to; verification sets each to small numbers
COUNTS = (K, D, N, H)

#: the weights of a linear classifier: W is D x K, its column c the weight vector w_c, so W_dc weighs
#: feature d for class c and s_c = sum_d W_dc x_d (s = W^T x)
W = IndexedBase("W", real=True)

#: a batch: X is N x D (example n is row n, feature d column d); S = X W its scores (N x K); the labels y_n
X = IndexedBase("X", real=True)
S = IndexedBase("S", real=True)
labels = IndexedBase("y", integer=True)

#: the feature, class and example indices of the weight and batch derivations (one letter, one meaning, in
#: every document: j, k, m, c classes; d features; n examples)
feature = Symbol("d", integer=True)
c = Symbol("c", integer=True)
example = Symbol("n", integer=True)
#: a second feature and a second class index, for a sum beside the weight W_dc it is differentiated by
other_feature = Symbol("d'", integer=True)
other_class = Symbol("c'", integer=True)

#: the regularisation strength lambda
lam = Symbol("lambda", nonnegative=True)

#: the per-example loss, as a name for the left-hand side of a definition
L = Symbol("L_i", real=True)

#: the two losses when they are side by side (derive compare)
L_svm = Symbol("L_i^SVM", real=True)
L_softmax = Symbol("L_i^softmax", real=True)


def latex_call(name: str, argument: str, exp: str | None = None) -> str:
    """A named function's call in LaTeX, ``\\sigma\\left(u\\right)``; raised to ``exp`` (which SymPy's
    printer passes for a power of a function) as ``\\sigma^{2}\\left(u\\right)``, as \\sin^{2} x is written."""
    power = f"^{{{exp}}}" if exp is not None else ""
    return f"{name}{power}\\left({argument}\\right)"


def indicator(u: Expr) -> Expr:
    """The indicator 1[u > 0]: 1 where u > 0, 0 where u <= 0 (0 on the kink)."""
    return Heaviside(u, 0)


def sigmoid(u: Expr) -> Expr:
    """The logistic function sigma(u) = 1 / (1 + e^{-u})."""
    return 1 / (1 + sympy.exp(-u))


class Sigmoid(sympy.Function):
    """The logistic function kept as a name, sigma(u), so a report can show sigma(z).

    Verification replaces it by 1 / (1 + e^{-u}) (see :data:`SIGMOID_DEFINITION`).
    """

    is_real = True

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _derive_latex(self, printer, exp=None):
        return latex_call(r"\sigma", printer._print(self.args[0]), exp)

    def _derive_text(self, printer):
        return "σ(%s)" % printer._print(self.args[0])

    def _sympystr(self, printer):
        return "sigmoid(%s)" % printer._print(self.args[0])


#: what verification puts in for sigma(u)
SIGMOID_DEFINITION = {Sigmoid: sigmoid}


class PerExample(IndexedBase):
    """An indexed name whose first index is the training example: ``y^(n)``, ``x_j^(n)``.

    ``X[n, j]`` is input feature j of example n, written x_j^{(n)} (the example
    index as a bracketed superscript, as in the seed homework); ``Y[n]`` is y^{(n)}.
    """


class WeightedScore(sympy.Function):
    """w_j^T x = sum_d W_dj x_d: the score of class j written with its weight vector, so a report can show
    the seed's w_j^T x_i; with no argument, w^T x = sum_d w_d x_d for one weight vector w.
    Verification replaces it by the sum (see :func:`weighted_score`)."""

    is_real = True

    def _derive_latex(self, printer, exp=None):
        if not self.args:
            text = r"\mathbf{w}^{T} \mathbf{x}"
        else:
            text = r"\mathbf{w}_{%s}^{T} \mathbf{x}" % printer._print(self.args[0])
        return text if exp is None else r"\left(%s\right)^{%s}" % (text, exp)

    def _derive_text(self, printer):
        return ("%sᵀx" % printer._print(w[self.args[0]])) if self.args else "wᵀx"

    def _sympystr(self, printer):
        return ("w[%s]^T x" % printer._print(self.args[0])) if self.args else "w^T x"


def weighted_score(index=None) -> Expr:
    """s_index = sum_d W_{d,index} x_d (w^T x = sum_d w_d x_d without an index), with a bound index of its own,
    so that d/dW_dc of it is x_d delta_{index,c}."""
    q = _BOUND_FEATURE
    if index is None:
        return sympy.Sum(w[q] * x[q], (q, 0, D - 1))
    return sympy.Sum(W[q, index] * x[q], (q, 0, D - 1))


_BOUND_FEATURE = sympy.Dummy("d", integer=True)


@functools.lru_cache(maxsize=4096)
def plain_symbols(expr) -> frozenset:
    """The symbols of ``expr`` that stand for themselves, not as the name of an indexed variable.

    In x_0 x the symbol x is a variable and also the label of the indexed name x (x_0); SymPy counts
    the label among the free symbols of x_0, so ``expr.has(x)`` and ``free_symbols`` see x in x_0
    alone. Here x counts only where it stands by itself (the indices of an entry still count: j in s_j).
    """
    found, stack = set(), [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Symbol):
            found.add(node)
        elif isinstance(node, sympy.Indexed):
            stack.extend(node.indices)
        elif not isinstance(node, IndexedBase):
            stack.extend(node.args)
    return frozenset(found)


def is_indicator(e: Expr) -> bool:
    """Whether ``e`` is an indicator 1[u > 0] built by :func:`indicator`."""
    return isinstance(e, Heaviside) and len(e.args) == 2 and e.args[1] == 0


class SumExcept(Expr):
    """Sum of ``function`` over ``index`` in ``lower .. upper`` skipping ``index == excluded``.

    ``SumExcept(f, j, y, 0, K - 1)`` is sum_{j != y} f(j) over the classes.
    It stays unevaluated while the bounds are symbolic; with concrete bounds
    and a concrete excluded index, :meth:`doit` expands it into a finite sum.
    """

    is_commutative = True

    def __new__(cls, function, index, excluded, lower=Integer(0), upper=None):
        if upper is None:
            upper = K - 1
        args = [_sympify(a) for a in (function, index, excluded, lower, upper)]   # strict: never parses a string
        return Expr.__new__(cls, *args)

    @property
    def function(self) -> Expr:
        return self.args[0]

    @property
    def index(self) -> Symbol:
        return self.args[1]

    @property
    def excluded(self) -> Expr:
        return self.args[2]

    @property
    def lower(self) -> Expr:
        return self.args[3]

    @property
    def upper(self) -> Expr:
        return self.args[4]

    @property
    def free_symbols(self):
        inner = self.function.free_symbols - {self.index}
        return inner | self.excluded.free_symbols | self.lower.free_symbols | self.upper.free_symbols

    def _eval_subs(self, old, new):
        if old == self.index:
            return self
        return None

    def _eval_is_real(self):
        return self.function.is_real

    def doit(self, **hints):
        f = self.function.doit(**hints) if hints.get("deep", True) else self.function
        lo, hi, ex = self.lower, self.upper, self.excluded
        if lo.is_Integer and hi.is_Integer and ex.is_Integer:
            return sympy.Add(*[f.subs(self.index, v) for v in range(int(lo), int(hi) + 1) if v != int(ex)])
        return SumExcept(f, self.index, ex, lo, hi)

    def as_full_sum(self) -> Expr:
        """The same sum written over every index, with the skipped term taken out with a Kronecker delta."""
        return sympy.Sum((1 - sympy.KroneckerDelta(self.index, self.excluded)) * self.function,
                         (self.index, self.lower, self.upper))

    def _eval_derivative(self, v):
        return SumExcept(self.function.diff(v), self.index, self.excluded, self.lower, self.upper)

    def _sympystr(self, printer):
        return "SumExcept(%s, %s, %s)" % (printer._print(self.function), printer._print(self.index),
                                          printer._print(self.excluded))


def all_classes_sum(function: Expr, index: Symbol) -> sympy.Sum:
    """Sum of ``function`` over every class ``index = 0 .. K-1``."""
    return sympy.Sum(function, (index, 0, K - 1))


def score_symbols(count: int) -> list[Expr]:
    """The concrete scores s_0 .. s_{count-1}."""
    return [s[i] for i in range(count)]


class Infix(sympy.Basic):
    """``lhs op rhs`` shown as one formula in prose (a ≈ b, w ← w - αg, K × K); not a statement SymPy checks.

    Subclasses name the operator: :class:`Approx`, :class:`Assign`, :class:`Times`.
    """

    def __new__(cls, lhs, rhs):
        return sympy.Basic.__new__(cls, _sympify(lhs), _sympify(rhs))

    @property
    def lhs(self):
        return self.args[0]

    @property
    def rhs(self):
        return self.args[1]


class Approx(Infix):
    """lhs ≈ rhs: a value and its decimals."""


class Assign(Infix):
    """lhs ← rhs: an update, as in gradient descent."""


class Equals(Infix):
    """lhs = rhs where one side is itself a relation (a = b = c, written on from a = b)."""


class Times(Infix):
    """lhs × rhs: the size of a matrix (rows × columns)."""


class Sign(sympy.Basic):
    """A relation sign on its own, as prose names it ("≈ was read as ="): ``Sign("≈")``; one of
    :data:`SIGNS`."""

    def __new__(cls, sign):
        sign = str(sign)                    # a str, or the Symbol it is kept as (SymPy rebuilds from args)
        if sign not in SIGNS:
            raise ValueError(f"not a sign: {sign!r}")
        return sympy.Basic.__new__(cls, Symbol(sign))

    @property
    def sign(self) -> str:
        return self.args[0].name


#: the signs :class:`Sign` shows, and their LaTeX
SIGNS = {"=": "=", "≈": r"\approx", "≠": r"\neq", "<": "<", ">": ">", "≤": r"\leq", "≥": r"\geq", "×": r"\times"}


class Scientific(sympy.Basic):
    """A decimal in scientific notation for prose, as written: ``Scientific("2.5", -7)`` is 2.5 · 10^-7."""

    def __new__(cls, mantissa: str, exponent: int):
        return sympy.Basic.__new__(cls, Symbol(str(mantissa)), Integer(int(exponent)))

    @property
    def mantissa(self) -> str:
        return self.args[0].name

    @property
    def exponent(self) -> int:
        return int(self.args[1])


class Dots(sympy.Basic):
    """Entries left out of a table: ``Dots("row")`` is ⋯ (along a row), ``Dots("column")`` ⋮ (down a column)."""

    def __new__(cls, along: str = "row"):
        return sympy.Basic.__new__(cls, Symbol(along))

    @property
    def along(self) -> str:
        return self.args[0].name
