"""The matrix forms of a batch evaluated exactly, from the decimals a sheet gives.

A sheet's batch (X, W, reg, Delta) is written in short decimals (0.1, -0.75). The numbers a student
computes by hand from them, S = X W, the margins, dW for the SVM, are rationals that end after a few
digits, so an answer 0.8 must be compared with 4/5, not with the float 0.8000000000000000444 a NumPy
evaluation gives. Here the verified matrix forms of :mod:`derivations.losses.batch` and
:mod:`derivations.losses.logistic_batch` (dW = X^T (B - Y ∘ (B 1 1^T)) / N + 2 λ W, ...) are evaluated
node by node, like :class:`derivations.engine.arrays.ArrayEvaluator` does with floats, on NumPy object
arrays whose entries are exact:

* ``fractions.Fraction`` wherever the arithmetic is rational (+, -, x, /, max(0, u), 1[u > 0]): the
  whole SVM, the scores, the penalty;
* ``decimal.Decimal`` at :data:`DIGITS` significant digits after an exp or a log (softmax, logsumexp,
  sigmoid, softplus), which a short decimal can only equal when the value is rational anyway
  (p = 1/2 when all scores are equal): :func:`as_sympy` marks such values as known to that many digits,
  and the judge treats an answer within :data:`EXACT_WITHIN` of them as equal.

Rationals are kept as :class:`Scaled` matrices (int64 numerators over one denominator) wherever their
integers stay small, which makes the SVM's forms whole-array integer operations.

Only the node types the forms use are evaluated; anything else raises ``ValueError``.
"""
from __future__ import annotations

import math
from decimal import Decimal, getcontext, localcontext
from fractions import Fraction

import numpy as np
import sympy
from sympy import MatAdd, MatMul, MatrixSymbol, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct

#: digits carried after an exp or a log; a value is "exactly" an answer within 10^-40 relative of it
DIGITS = 50
EXACT_WITHIN = Decimal("1e-40")


def fraction(value) -> Fraction:
    """An exact SymPy rational (or int, or Fraction) as a Fraction."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    rational = sympy.Rational(value)
    return Fraction(int(rational.p), int(rational.q))


def exact_array(rows):
    """A matrix of exact numbers from rows (or a flat list, as one column): a :class:`Scaled` when its integers
    stay small, else an object array of Fractions."""
    if rows and not isinstance(rows[0], (list, tuple)):
        rows = [[v] for v in rows]
    array = np.empty((len(rows), len(rows[0])), dtype=object)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            array[r, c] = fraction(v)
    return Scaled.of(array) or array


def one_hot(labels, classes) -> "Scaled":
    array = np.zeros((len(labels), classes), dtype=np.int64)
    array[np.arange(len(labels)), list(labels)] = 1
    return Scaled(array)


#: numerators of a Scaled array stay below this; an operation that could pass it falls back to Fractions
SAFE = 2 ** 62


class Scaled:
    """A matrix of rationals sharing one denominator: ``num / den`` with ``num`` a NumPy int64 array. Sums,
    products and comparisons are integer operations on whole arrays (the decimals of a sheet share small
    denominators), exact, and many times faster than arrays of Fractions; an operation whose integers could
    overflow int64 is done on Fractions instead (:meth:`objects`)."""

    __array_priority__ = 100             # NumPy leaves a Scaled's operators to it

    def __init__(self, num: np.ndarray, den: int = 1):
        self.num = num
        self.den = int(den)

    @classmethod
    def of(cls, array: np.ndarray):
        """A Scaled from an object array of Fractions and ints; None when its integers would be too large."""
        den = 1
        for v in array.flat:
            den = den * v.denominator // math.gcd(den, v.denominator) if isinstance(v, Fraction) else den
        if den >= SAFE:
            return None
        nums = [int(v * den) for v in array.flat]
        if any(abs(v) >= SAFE for v in nums):
            return None
        return cls(np.array(nums, dtype=np.int64).reshape(array.shape), den)

    @property
    def shape(self):
        return self.num.shape

    @property
    def T(self):
        return Scaled(self.num.T, self.den)

    def _bound(self) -> int:
        """The largest numerator's size (computed once: a Scaled is never changed in place)."""
        bound = self.__dict__.get("_largest")
        if bound is None:
            bound = self._largest = int(np.abs(self.num).max()) if self.num.size else 0
        return bound

    def decimals(self) -> np.ndarray:
        """The entries as Decimals at the context's precision (kept per precision: a Scaled is never changed, and X
        meets the Decimals of a softmax in several forms). The array returned must not be changed."""
        key = (getcontext().prec, getcontext().rounding)
        kept = self.__dict__.setdefault("_decimals", {})
        out = kept.get(key)
        if out is None:
            den = Decimal(self.den)
            out = np.empty(self.num.shape, dtype=object)
            for index, v in np.ndenumerate(self.num):
                out[index] = Decimal(int(v)) / den
            kept[key] = out
        return out

    def objects(self) -> np.ndarray:
        out = np.empty(self.num.shape, dtype=object)
        for index, v in np.ndenumerate(self.num):
            out[index] = Fraction(int(v), self.den)
        return out

    def _reduced(self) -> "Scaled":
        if self.den == 1 or not self.num.size:
            return self
        g = math.gcd(int(np.gcd.reduce(self.num.ravel())), self.den)
        return Scaled(self.num // g, self.den // g) if g > 1 else self

    def _aligned(self, other: "Scaled"):
        den = self.den * other.den // math.gcd(self.den, other.den)
        a, b = den // self.den, den // other.den
        if den >= SAFE or self._bound() * a >= SAFE // 2 or other._bound() * b >= SAFE // 2:
            return None
        return self.num * a, other.num * b, den

    def add(self, other, sign=1):
        if isinstance(other, Scaled):
            aligned = self._aligned(other)
            if aligned is not None:
                a, b, den = aligned
                return Scaled(a + sign * b, den)._reduced()
            other = other.objects()
        return self.objects() + sign * other

    def multiply(self, other):
        if isinstance(other, Scaled):
            if self._bound() * other._bound() < SAFE and self.den * other.den < SAFE:
                return Scaled(self.num * other.num, self.den * other.den)._reduced()
            other = other.objects()
        if isinstance(other, (Fraction, int)):
            value = Fraction(other)
            if self._bound() * abs(value.numerator) < SAFE and self.den * value.denominator < SAFE:
                return Scaled(self.num * value.numerator, self.den * value.denominator)._reduced()
        return self.objects() * other

    def dot(self, other):
        if isinstance(other, Scaled):
            inner = self.num.shape[1] if self.num.ndim == 2 else 1
            if self._bound() * other._bound() * max(inner, 1) < SAFE and self.den * other.den < SAFE:
                return Scaled(self.num @ other.num, self.den * other.den)._reduced()
            other = other.objects()
        return self.objects().dot(other)

    def power(self, exponent: int):
        if self._bound() ** exponent < SAFE and self.den ** exponent < SAFE:
            return Scaled(self.num ** exponent, self.den ** exponent)
        return self.objects() ** exponent


def _is_decimal(value) -> bool:
    if isinstance(value, Decimal):
        return True
    return isinstance(value, np.ndarray) and value.size > 0 and isinstance(value.flat[0], Decimal)


def _decimal(v) -> Decimal:
    """An exact number as a Decimal at the context's precision (a Fraction's quotient rounded there)."""
    if isinstance(v, Decimal):
        return v
    if isinstance(v, Fraction):
        return Decimal(v.numerator) / Decimal(v.denominator)
    return Decimal(int(v))


def _decimals(value):
    """A Scaled, an object array or a number with every entry a Decimal."""
    if isinstance(value, Scaled):
        return value.decimals()
    if isinstance(value, np.ndarray):
        return value if _is_decimal(value) and all(isinstance(v, Decimal) for v in value.flat) else \
            _map(value, _decimal)
    return _decimal(value)


def _common(a, b):
    """``a`` and ``b`` in one kind of number: Decimals when either holds one, else Fractions."""
    if _is_decimal(a) or _is_decimal(b):
        return _decimals(a), _decimals(b)
    return _objects(a), _objects(b)


def _add(a, b, sign=1):
    if isinstance(a, Scaled) and isinstance(b, Scaled):
        return a.add(b, sign)
    a, b = _common(a, b)
    return a + b if sign == 1 else a - b


def _multiply(a, b):
    if isinstance(a, Scaled) and isinstance(b, (Scaled, Fraction, int)):
        return a.multiply(b)
    if isinstance(b, Scaled) and isinstance(a, (Fraction, int)):
        return b.multiply(a)
    a, b = _common(a, b)
    return a * b


def _dot(a, b):
    if isinstance(a, Scaled) and isinstance(b, Scaled):
        return a.dot(b)
    a, b = _common(a, b)
    return a.dot(b)


def _objects(value):
    return value.objects() if isinstance(value, Scaled) else value


#: id(expression) -> (the expression, the first expression equal to it met): each kept with its expression, so that
#: no other object can take its id while it is here
_SAME: dict = {}
_FIRST: dict = {}


def _canonical(expr):
    """The first expression met that equals ``expr``: the forms of a batch share subexpressions that are equal but
    distinct objects (X^T B in dW and in its mistakes), and a cache keyed by one object finds it by identity, where
    an equal object is compared node by node."""
    found = _SAME.get(id(expr))
    if found is not None and found[0] is expr:
        return found[1]
    if len(_SAME) >= 20_000:
        _SAME.clear()
        _FIRST.clear()
    first = _FIRST.setdefault(expr, expr)
    _SAME[id(expr)] = (expr, first)
    return first


class ExactEvaluator:
    """Values of the matrix forms for exact arrays: ``arrays`` maps X, W, Y (or w, t) to object arrays,
    ``scalars`` maps N, D, K, lambda, Delta to exact numbers, ``named`` the named matrices' definitions."""

    def __init__(self, arrays: dict, scalars: dict, named=()):
        self.arrays = dict(arrays)
        self.scalars = {sympy.sympify(k): sympy.Rational(fraction(v).numerator, fraction(v).denominator)
                        for k, v in scalars.items()}
        self.definitions = dict(named)
        self.cache: dict = {}
        self.rows: dict = {}              # the exponentials of rows of scores (see _exponentials)
        self.scalar_values: dict = {}

    def value(self, expr):
        """The value of ``expr``: an object array, or a scalar for a 1 x 1 matrix."""
        with localcontext() as context:
            context.prec = DIGITS
            found = _objects(self._node(expr))
        if isinstance(found, np.ndarray) and found.shape == (1, 1):
            return found[0, 0]
        return found

    def scalar(self, expr):
        """The exact value of a scalar of the forms (1/N, 2 lambda, ...) for this batch, kept per evaluator."""
        found = self.scalar_values.get(expr)
        if found is None:
            value = sympy.sympify(expr).xreplace(self.scalars)
            if value.free_symbols or not value.is_Rational:
                raise ValueError(f"no exact value for {expr}")
            found = self.scalar_values[expr] = Fraction(int(value.p), int(value.q))
        return found

    def _node(self, expr):
        """The value of ``expr``, each node evaluated once per evaluator (the forms of a reference and of its
        mistakes share most of theirs: X^T B, the penalty, ...)."""
        expr = _canonical(expr)
        found = self.cache.get(expr)
        if found is None:
            found = self.cache[expr] = self._evaluate(expr)
        return found

    def _evaluate(self, expr):
        if isinstance(expr, MatrixSymbol):
            if expr in self.arrays:
                return self.arrays[expr]
            if expr in self.definitions:
                return self._node(self.definitions[expr])
            raise ValueError(f"no value for the matrix {expr}")
        name = type(expr).__name__
        if name == "Ones":
            return Scaled(np.ones((int(self.scalar(expr.args[0])), 1), dtype=np.int64))
        if isinstance(expr, Transpose):
            return self._node(expr.arg).T
        if isinstance(expr, MatMul):
            coefficient, matrices = expr.as_coeff_matrices()
            total = self._node(matrices[0])
            for m in matrices[1:]:
                total = _dot(total, self._node(m))
            scale = self.scalar(coefficient)
            return total if scale == 1 else _multiply(total, scale)
        if isinstance(expr, MatAdd):
            terms = [self._node(a) for a in expr.args]
            total = terms[0]
            for term in terms[1:]:
                total = _add(total, term)
            return total
        if isinstance(expr, HadamardProduct):
            terms = [self._node(a) for a in expr.args]
            total = terms[0]
            for term in terms[1:]:
                total = _multiply(total, term)
            return total
        if isinstance(expr, HadamardPower):
            exponent = int(self.scalar(expr.exp))
            base = self._node(expr.base)
            return base.power(exponent) if isinstance(base, Scaled) else base ** exponent
        inner = self._node(expr.args[0])
        if name == "Hinge":
            if isinstance(inner, Scaled):
                return Scaled(np.maximum(inner.num, 0), inner.den)
            return _map(inner, lambda u: u if u > 0 else 0)
        if name == "Positive":
            if isinstance(inner, Scaled):
                return Scaled((inner.num > 0).astype(np.int64))
            return _map(inner, lambda u: 1 if u > 0 else 0)
        inner = _objects(inner)
        if name == "RowSoftmax":
            rows = [_softmax_row(list(inner[n]), self.rows) for n in range(inner.shape[0])]
            if any(isinstance(v, Decimal) for row in rows for v in row):
                rows = [[_decimal(v) for v in row] for row in rows]     # one kind of number in a matrix
            out = np.empty(inner.shape, dtype=object)
            for n, row in enumerate(rows):
                out[n] = row
            return out
        if name == "RowLogSumExp":
            out = np.empty((inner.shape[0], 1), dtype=object)
            for n in range(inner.shape[0]):
                out[n, 0] = _logsumexp(list(inner[n]), self.rows)
            return out
        if name == "Logistic":
            return _map(inner, lambda u: 1 / (1 + (-_decimal(u)).exp()))
        if name == "Softplus":
            return _map(inner, lambda u: _softplus(_decimal(u)))
        raise ValueError(f"cannot evaluate {name} exactly")


def _map(array, fn) -> np.ndarray:
    out = np.empty(array.shape, dtype=object)
    for index, v in np.ndenumerate(array):
        out[index] = fn(v)
    return out


def _softmax_row(row, memo=None):
    if all(v == row[0] for v in row):
        return [Fraction(1, len(row))] * len(row)          # equal scores: 1/K exactly
    exponentials, total = _exponentials(row, memo)
    return [e / total for e in exponentials]


def _logsumexp(row, memo=None):
    top = max(row)
    return _decimal(top) + _exponentials(row, memo)[1].ln()


def _exponentials(row, memo=None):
    """(e^(v - max) of each entry, their sum) at the context's precision; kept in ``memo`` by the row (and the
    precision): a batch's softmax and logsumexp take the same exponentials of the same scores."""
    key = (tuple(row), getcontext().prec, getcontext().rounding)
    found = memo.get(key) if memo is not None else None
    if found is None:
        top = max(row)
        exponentials = [_decimal(v - top).exp() for v in row]
        found = (exponentials, sum(exponentials, Decimal(0)))
        if memo is not None:
            memo[key] = found
    return found


def _softplus(u: Decimal) -> Decimal:
    return u + (1 + (-u).exp()).ln() if u > 0 else (1 + u.exp()).ln()


def as_sympy(value):
    """An exact entry as SymPy: a Fraction as a Rational, a Decimal as a Float carrying its :data:`DIGITS`."""
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, (int, np.integer)):
        return sympy.Integer(int(value))
    if isinstance(value, Decimal):
        return _float(value)
    raise TypeError(f"not an exact entry: {value!r}")


def _float(value: Decimal) -> sympy.Float:
    """``sympy.Float(str(value), DIGITS)``, from the Decimal's exact ratio (the quotient rounded to the nearest at
    DIGITS digits' bits, as SymPy's parser rounds it) without writing and reading its 50 digits again."""
    import mpmath.libmp as mlib
    if not value.is_finite() or not -300 < value.adjusted() < 300:
        return sympy.Float(str(value), DIGITS)
    precision = mlib.dps_to_prec(DIGITS)
    p, q = value.as_integer_ratio()
    if q == 1:
        mpf = mlib.from_int(p, precision, mlib.round_nearest)
    else:
        mpf = mlib.from_rational(p, q, precision, mlib.round_nearest)
    return sympy.Float._new(mpf, precision, zero=False)


def as_matrix(array) -> sympy.ImmutableMatrix:
    """An object array (or a scalar) as a SymPy matrix of exact entries (one row for a vector).

    The matrix is the one ``sympy.ImmutableMatrix(rows, cols, [as_sympy(v) ...])`` makes (the same entries, the same
    domain, ZZ, QQ or EXRAW, and the same sparse representation without its zeros: equal, and of equal hash), built
    from the entries directly: SymPy would convert every Fraction to a Rational (reducing it again), to its domain's
    rational and back."""
    from sympy.polys.domains import EXRAW, QQ, ZZ
    from sympy.polys.matrices import DomainMatrix
    array = np.atleast_2d(np.asarray(array, dtype=object))
    rows, cols = array.shape
    flat = list(array.flat)
    if not _FAST_MATRICES or not all(isinstance(v, (Fraction, int, np.integer)) for v in flat):
        entries = [as_sympy(v) for v in flat]
        if not _FAST_MATRICES:
            return sympy.ImmutableMatrix(rows, cols, entries)
        domain, element = EXRAW, None
    else:
        entries = [_rational(v) for v in flat]
        domain = ZZ if all(v.q == 1 for v in entries) else QQ
        element = ZZ if domain is ZZ else _qq
    nonzero: dict = {}
    for n, v in enumerate(entries):
        if v != 0:                                     # SymPy's test (a Float 0 is kept: Float(0) != 0)
            r, c = divmod(n, cols)
            nonzero.setdefault(r, {})[c] = v if element is None else element(v)
    rep = DomainMatrix(nonzero, (rows, cols), domain)
    # what ImmutableDenseMatrix._fromrep does, with the entries already made (it would make them from rep again)
    matrix = sympy.Basic.__new__(sympy.ImmutableDenseMatrix, sympy.Integer(rows), sympy.Integer(cols),
                                 sympy.Tuple(*entries, sympify=False))
    matrix._rows, matrix._cols, matrix._rep = rows, cols, rep
    return matrix


def _rational(v) -> sympy.Rational:
    """A Fraction (in lowest terms, positive denominator) or an integer as a SymPy Rational, not reduced again."""
    if isinstance(v, Fraction):
        return sympy.Rational.from_coprime_ints(int(v.numerator), int(v.denominator))
    return sympy.Integer(int(v))


def _qq(v: sympy.Rational):
    from sympy.polys.domains import QQ
    if QQ.dtype.__name__ == "PythonMPQ":
        return QQ.dtype._new(int(v.p), int(v.q))
    return QQ(int(v.p), int(v.q))


#: the fast construction relies on SymPy's matrix internals of 1.13 and later (checked by the tests against
#: SymPy's own construction); otherwise matrices are made by SymPy
_FAST_MATRICES = hasattr(sympy.Rational, "from_coprime_ints") and hasattr(sympy.ImmutableDenseMatrix, "_fromrep")


def is_known_to_digits(value) -> bool:
    """Whether ``value`` is a Float of :func:`as_sympy` (known to :data:`DIGITS` digits), not a rounded float."""
    return isinstance(value, sympy.Float) and value._prec >= 150


def equal_to_digits(exact, value) -> bool:
    """Whether the exact rational ``exact`` equals ``value`` (known to DIGITS digits) within EXACT_WITHIN."""
    with localcontext() as context:
        context.prec = DIGITS + 10
        a = Decimal(int(exact.p)) / Decimal(int(exact.q))
        b = Decimal(str(value))
        return abs(a - b) <= EXACT_WITHIN * max(Decimal(1), abs(b))


__all__ = ["ExactEvaluator", "exact_array", "one_hot", "as_matrix", "as_sympy", "fraction", "is_known_to_digits",
           "equal_to_digits", "DIGITS"]
