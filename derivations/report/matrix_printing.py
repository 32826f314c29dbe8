"""How matrix expressions are written: X^T (B - Y ∘ (B 1_K 1_K^T)) / N, x (∇_s L_i)^T, max(0, M).

Two mixins, one for each printer of :mod:`derivations.report.printing`, with
the notation of the course: vectors in bold (LaTeX), 1_K for the column of K
ones, ∘ for the entrywise product, the named matrix nodes of
:mod:`derivations.engine.matrices` by what they do. Terms and factors are
written in the order the derivation built them. They only write.
"""
from __future__ import annotations

import sympy
from sympy import Add, MatAdd, MatMul, MatrixSymbol, Sum, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct

from ..engine.matrices import Column, Gradient, Hinge, Ones, Positive, RowLogSumExp, RowSoftmax
from ..engine.notation import SumExcept


def _is_vector_name(m) -> bool:
    return isinstance(m, MatrixSymbol) and m.shape[1] == 1 and m.name.islower()


def _compound(m) -> bool:
    """A matrix factor that needs brackets in a product: a sum or an entrywise product."""
    return isinstance(m, (MatAdd, HadamardProduct, HadamardPower))


def _bracketed_scalar(factor) -> bool:
    """A scalar factor of a matrix product that needs brackets: a sum, a sum over classes, an indicator."""
    core = -factor if factor.could_extract_minus_sign() else factor
    return isinstance(core, (Add, Sum, SumExcept)) or (
        isinstance(core, sympy.Mul) and any(isinstance(f, (Add, Sum, SumExcept)) for f in core.args))


def _ordered_terms(expr: MatAdd):
    """The terms of a matrix sum in reading order: plain terms before those scaled by a parameter
    (S - (S ∘ Y) 1 1^T + Delta 1 1^T; (1/N) X^T (P - Y) + 2 lambda W), positive before negative (B - Y ∘ ...)."""
    def key(term):
        coefficient = term.as_coeff_matrices()[0] if isinstance(term, MatMul) else sympy.S.One
        parameter = any(str(symbol) != "N" for symbol in coefficient.free_symbols)
        return (1 if parameter else 0, 1 if coefficient.could_extract_minus_sign() else 0)
    return sorted(expr.args, key=key)


def _hadamard_factors(expr):
    """The factors of an entrywise product, named matrices first: Y ∘ (B 1_K 1_K^T)."""
    return sorted(expr.args, key=lambda a: 0 if isinstance(a, MatrixSymbol) else 1)


def _joined_terms(printer, expr: MatAdd) -> str:
    """The terms of a matrix sum in reading order, a negative term written "- t" instead of "+ -t"."""
    out = ""
    for i, term in enumerate(_ordered_terms(expr)):
        text = printer._print(term)
        if i and text.startswith("-"):
            out += " - " + text[1:].lstrip()
        elif i:
            out += " + " + text
        else:
            out = text
    return out


class MatrixLatex:
    """LaTeX for matrix expressions (mixed into DeriveLatexPrinter)."""

    def _print_MatrixSymbol(self, expr):
        return r"\mathbf{%s}" % expr.name if _is_vector_name(expr) else expr.name

    def _print_Ones(self, expr):
        return r"\mathbf{1}_{%s}" % self._print(expr.args[0])

    def _print_Transpose(self, expr):
        inner = expr.arg
        if isinstance(inner, (MatrixSymbol, Ones, Column)):
            return r"%s^{T}" % self._print(inner)
        return r"\left(%s\right)^{T}" % self._print(inner)

    def _print_MatAdd(self, expr):
        return _joined_terms(self, expr)

    def _print_MatMul(self, expr):
        coefficient, matrices = expr.as_coeff_matrices()
        parts = []
        sign = ""
        if coefficient.could_extract_minus_sign():
            sign, coefficient = "- ", -coefficient
        if coefficient != 1:
            text = self._print(coefficient)
            parts.append(r"\left(%s\right)" % text if _bracketed_scalar(coefficient) else text)
        for m in matrices:
            text = self._print(m)
            alone = len(matrices) == 1 and coefficient == 1
            parts.append(r"\left(%s\right)" % text if _compound(m) and not alone else text)
        return sign + " ".join(parts)

    def _print_HadamardProduct(self, expr):
        return r" \circ ".join(r"\left(%s\right)" % self._print(a) if isinstance(a, (MatAdd, MatMul)) else
                               self._print(a) for a in _hadamard_factors(expr))

    def _print_HadamardPower(self, expr):
        if expr.exp == 2 and isinstance(expr.base, MatrixSymbol):
            return r"%s \circ %s" % (self._print(expr.base), self._print(expr.base))
        base = self._print(expr.base)
        if not isinstance(expr.base, MatrixSymbol):
            base = r"\left(%s\right)" % base
        return r"%s^{\circ %s}" % (base, self._print(expr.exp))

    def _print_Hinge(self, expr):
        return r"\max\left(0, %s\right)" % self._print(expr.matrix)

    def _print_Positive(self, expr):
        return r"\mathbf{1}\left[%s > 0\right]" % self._print(expr.matrix)

    def _print_RowSoftmax(self, expr):
        return r"\operatorname{softmax}\left(%s\right)" % self._print(expr.matrix)

    def _print_RowLogSumExp(self, expr):
        return r"\operatorname{logsumexp}\left(%s\right)" % self._print(expr.matrix)

    def _print_Column(self, expr):
        return r"\mathbf{%s}_{%s}" % (self._print(expr.matrix).lower(), self._print(expr.index))

    def _print_Gradient(self, expr):
        function, matrix = self._print(expr.function), expr.matrix
        if isinstance(matrix, Column) or _is_vector_name(matrix):
            return r"\nabla_{%s} %s" % (self._print(matrix), function)
        return r"\frac{\partial %s}{\partial %s}" % (function, self._print(matrix))

    def _print_MatrixElement(self, expr):
        parent = expr.parent
        text = self._print(parent)
        if not isinstance(parent, MatrixSymbol):
            text = r"\left(%s\right)" % text
        index = ",".join(self._print(i) for i in (expr.i, expr.j) if not (_is_column(parent) and i == expr.j))
        return "%s_{%s}" % (text, index)


def _is_column(m) -> bool:
    return m.shape[1] == 1


class MatrixText:
    """One-line Unicode for matrix expressions (mixed into DeriveTextPrinter)."""

    def _print_MatrixSymbol(self, expr):
        return expr.name

    def _print_Ones(self, expr):
        n = self._print(expr.args[0])
        return "𝟙" + ("_" + n if len(n) == 1 else "_{" + n + "}")

    def _print_Transpose(self, expr):
        inner = expr.arg
        if isinstance(inner, (MatrixSymbol, Ones, Column)):
            return self._print(inner) + "ᵀ"
        return "(" + self._print(inner) + ")ᵀ"

    def _print_MatAdd(self, expr):
        return _joined_terms(self, expr)

    def _print_MatMul(self, expr):
        coefficient, matrices = expr.as_coeff_matrices()
        sign = ""
        if coefficient.could_extract_minus_sign():
            sign, coefficient = "-", -coefficient
        parts = []
        if coefficient != 1:
            text = self._print(coefficient)
            bracket = _bracketed_scalar(coefficient) or isinstance(coefficient, sympy.Pow) or "/" in text
            parts.append("(" + text + ")" if bracket else text)
        for m in matrices:
            text = self._print(m)
            alone = len(matrices) == 1 and coefficient == 1
            parts.append("(" + text + ")" if _compound(m) and not alone else text)
        joined = ""
        for i, part in enumerate(parts):
            joined += part if i == 0 else ("·" if i == 1 and coefficient != 1 else " ") + part
        return sign + joined

    def _print_HadamardProduct(self, expr):
        return " ∘ ".join("(" + self._print(a) + ")" if isinstance(a, (MatAdd, MatMul)) else self._print(a)
                          for a in _hadamard_factors(expr))

    def _print_HadamardPower(self, expr):
        if expr.exp == 2 and isinstance(expr.base, MatrixSymbol):
            return "%s ∘ %s" % (self._print(expr.base), self._print(expr.base))
        base = self._print(expr.base)
        if not isinstance(expr.base, MatrixSymbol):
            base = "(" + base + ")"
        exponent = self._print(expr.exp)
        return "%s^∘%s" % (base, exponent if expr.exp.is_Integer and expr.exp >= 0 else "(" + exponent + ")")

    def _print_Hinge(self, expr):
        return "max(0, %s)" % self._print(expr.matrix)

    def _print_Positive(self, expr):
        return "𝟙[%s > 0]" % self._print(expr.matrix)

    def _print_RowSoftmax(self, expr):
        return "softmax(%s)" % self._print(expr.matrix)

    def _print_RowLogSumExp(self, expr):
        return "logsumexp(%s)" % self._print(expr.matrix)

    def _print_Column(self, expr):
        return self._print(sympy.IndexedBase(self._print(expr.matrix).lower())[expr.index])

    def _print_Gradient(self, expr):
        function, matrix = self._print(expr.function), expr.matrix
        if not isinstance(expr.function, (sympy.Symbol, sympy.Indexed)):
            function = "(" + function + ")"
        if isinstance(matrix, Column) or _is_vector_name(matrix):
            shown = self._print(matrix)
            return "∇" + ("_" + shown if len(shown) == 1 else "_{" + shown + "}") + " " + function
        return "∂%s/∂%s" % (function, self._print(matrix))

    def _print_MatrixElement(self, expr):
        parent = expr.parent
        text = self._print(parent)
        if not isinstance(parent, MatrixSymbol):
            text = "(" + text + ")"
        index = ",".join(self._print(i) for i in (expr.i, expr.j) if not (_is_column(parent) and i == expr.j))
        return "%s_{%s}" % (text, index)


__all__ = ["MatrixLatex", "MatrixText", "Transpose", "Gradient", "Hinge", "Positive", "RowSoftmax", "RowLogSumExp"]
