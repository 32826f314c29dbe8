"""More matrix nodes for the loss language: functions entry by entry, and the largest entry of each row.

Beside :class:`~derivations.engine.matrices.Hinge`, :class:`~derivations.engine.matrices.Positive` and
:class:`~derivations.engine.matrix_functions.Logistic`:

* :class:`Exp`, :class:`Log`, :class:`Tanh`, :class:`Abs`, :class:`Sign`: e^A, log A, tanh A, |A|, sign A,
  entry by entry (sign is 0 at 0: the subgradient of |u| that code's ``np.sign`` gives);
* :class:`RowMax`: the column of max_m A_nm, the largest entry of each row (with a mask, of the entries
  where the mask is 0: max over the classes j != y_n), and :class:`RowArgmax`, the one-hot matrix of where it is
  (the first of the largest, as ``np.argmax``).

Each node says what its entry (i, j) is in index form (so a matrix step is verified entry by entry), how NumPy
computes it (:meth:`numpy`, used by :class:`~derivations.engine.arrays.ArrayEvaluator`) and how it is written
as NumPy code (:meth:`code`, used by the code printer).
"""
from __future__ import annotations

import numpy as np
import sympy
from sympy import Dummy, Integer
from sympy.matrices.expressions.matexpr import MatrixExpr

from .matrices import Defined, _Elementwise, entry
from .maxima import Argmax, MaxOver


class _Function(_Elementwise):
    """f(A) entry by entry: ``scalar`` for an entry, ``numpy`` for an array, ``code`` for NumPy source."""

    #: the function's name in reports and in NumPy (np.<name>)
    shown = ""
    numpy_name = ""

    @classmethod
    def numpy(cls, value):
        return getattr(np, cls.numpy_name)(value)

    @classmethod
    def code(cls, inner: str, backend: str = "numpy") -> str:
        return f"np.{cls.numpy_name}({inner})"

    def _derive_latex(self, printer, exp=None):
        return r"\%s\left(%s\right)" % (self.shown, printer._print(self.matrix)) if self.shown in ("exp", "log", "tanh") \
            else r"\operatorname{%s}\left(%s\right)" % (self.shown, printer._print(self.matrix))

    def _derive_text(self, printer):
        return "%s(%s)" % (self.shown, printer._print(self.matrix))


class Exp(_Function):
    """e^A, entry by entry."""

    shown, numpy_name = "exp", "exp"

    @staticmethod
    def scalar(u):
        return sympy.exp(u)


class Log(_Function):
    """log A (natural), entry by entry."""

    shown, numpy_name = "log", "log"

    @staticmethod
    def scalar(u):
        return sympy.log(u)


class Tanh(_Function):
    """tanh A, entry by entry."""

    shown, numpy_name = "tanh", "tanh"

    @staticmethod
    def scalar(u):
        return sympy.tanh(u)


class Abs(_Function):
    """|A|, entry by entry."""

    shown, numpy_name = "abs", "abs"

    @staticmethod
    def scalar(u):
        return sympy.Abs(u)

    def _derive_latex(self, printer, exp=None):
        return r"\left|%s\right|" % printer._print(self.matrix)

    def _derive_text(self, printer):
        return "|%s|" % printer._print(self.matrix)


class Sign(_Function):
    """sign A, entry by entry: 1, 0 or -1 (0 at 0, as np.sign)."""

    shown, numpy_name = "sign", "sign"

    @staticmethod
    def scalar(u):
        return sympy.sign(u)


class RowMax(Defined):
    """The column of the largest entry of each row of A: max_m A_nm; with ``mask`` (a 0/1 matrix of A's shape), the
    largest of the entries where the mask is 0 (with the one-hot labels Y: max over j != y_n)."""

    def __new__(cls, matrix, mask=None):
        args = (matrix,) if mask is None else (matrix, mask)
        return MatrixExpr.__new__(cls, *args)

    @property
    def matrix(self):
        return self.args[0]

    @property
    def mask(self):
        return self.args[1] if len(self.args) > 1 else None

    @property
    def shape(self):
        return (self.args[0].shape[0], Integer(1))

    def _entry(self, i, j, **kwargs):
        m = Dummy("m", integer=True)
        cols = self.matrix.shape[1]
        return MaxOver(entry(self.matrix, i, m), m, _excluded(self.mask, i), 0, cols - 1)

    def numpy(self, value, mask=None):
        if mask is not None:
            value = np.where(mask > 0, -np.inf, value)
        return value.max(axis=1, keepdims=True)

    def _derive_latex(self, printer, exp=None):
        inner = printer._print(self.matrix)
        if self.mask is None:
            return r"\operatorname{rowmax}\left(%s\right)" % inner
        return r"\operatorname{rowmax}_{%s = 0}\left(%s\right)" % (printer._print(self.mask), inner)

    def _derive_text(self, printer):
        inner = printer._print(self.matrix)
        if self.mask is None:
            return "rowmax(%s)" % inner
        return "rowmax_{%s=0}(%s)" % (printer._print(self.mask), inner)


class RowArgmax(Defined):
    """The one-hot matrix of the largest entry of each row of A (the first of the largest), among the entries where
    ``mask`` is 0: the derivative of :class:`RowMax`."""

    def __new__(cls, matrix, mask=None):
        args = (matrix,) if mask is None else (matrix, mask)
        return MatrixExpr.__new__(cls, *args)

    @property
    def matrix(self):
        return self.args[0]

    @property
    def mask(self):
        return self.args[1] if len(self.args) > 1 else None

    @property
    def shape(self):
        return self.args[0].shape

    def _entry(self, i, j, **kwargs):
        m = Dummy("m", integer=True)
        cols = self.matrix.shape[1]
        return Argmax(entry(self.matrix, i, m), m, _excluded(self.mask, i), 0, cols - 1, j)

    def numpy(self, value, mask=None):
        if mask is not None:
            value = np.where(mask > 0, -np.inf, value)
        hot = np.zeros_like(value, dtype=float)
        hot[np.arange(value.shape[0]), value.argmax(axis=1)] = 1.0
        return hot

    def _derive_latex(self, printer, exp=None):
        inner = printer._print(self.matrix)
        if self.mask is None:
            return r"\operatorname{onehot}\left(\operatorname{argmax}\left(%s\right)\right)" % inner
        return r"\operatorname{onehot}\left(\operatorname{argmax}_{%s = 0}\left(%s\right)\right)" % (
            printer._print(self.mask), inner)

    def _derive_text(self, printer):
        inner = printer._print(self.matrix)
        if self.mask is None:
            return "onehot(argmax(%s))" % inner
        return "onehot(argmax_{%s=0}(%s))" % (printer._print(self.mask), inner)


def _excluded(mask, row):
    """The index a mask leaves out of row ``row``: the label y_n of the one-hot labels (None without a mask)."""
    if mask is None:
        return None
    found = entry(mask, row, sympy.Symbol("_c", integer=True))
    if isinstance(found, sympy.KroneckerDelta):
        a, b = found.args
        return b if a == sympy.Symbol("_c", integer=True) else a
    raise ValueError("a row maximum's mask must be one-hot labels")


ELEMENTWISE = (Exp, Log, Tanh, Abs, Sign)

__all__ = ["Exp", "Log", "Tanh", "Abs", "Sign", "RowMax", "RowArgmax", "ELEMENTWISE"]
