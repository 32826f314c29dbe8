"""The array-code printer of the codegen package, with the nodes of the loss language: e^A, log A, tanh A, |A|,
sign A entry by entry (one NumPy function each), and the largest entry of each row and its one-hot argmax
(helpers that leave the masked entries, the label's class, out)."""
from __future__ import annotations

from sympy import MatMul, Rational, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower

from ..codegen.printer import ArrayCodePrinter, NotPrintable, _Code
from ..engine.elementwise import RowArgmax, RowMax, _Function
from ..engine.matrices import Ones

HELPERS = {
    "row_max": '''def row_max(A, mask=None):
    """The largest entry of each row of A, as a column; with a 0/1 mask, among the entries where it is 0."""
    if mask is not None:
        A = np.where(mask > 0, -np.inf, A)
    return A.max(axis=1, keepdims=True)
''',
    "row_argmax": '''def row_argmax(A, mask=None):
    """The one-hot matrix of the largest entry of each row of A (the first of the largest), among the entries
    where the mask is 0."""
    if mask is not None:
        A = np.where(mask > 0, -np.inf, A)
    hot = np.zeros(A.shape)
    hot[np.arange(A.shape[0]), A.argmax(axis=1)] = 1.0
    return hot
''',
}


def _is_ones_row(m) -> bool:
    return isinstance(m, Transpose) and isinstance(m.arg, Ones)


def _column_sums_first(expr):
    """A product with 1_k^T A in it written with that part first (1_N (1_N^T A): the column sums of A broadcast
    down N rows), so that the printer, which reads a product left to right and broadcasts a column of ones,
    never takes 1_N 1_N^T A for A."""
    coefficient, matrices = expr.as_coeff_matrices()
    out, changed, i = [], False, 0
    while i < len(matrices):
        m = matrices[i]
        if _is_ones_row(m) and i + 1 < len(matrices) and i > 0 and not isinstance(matrices[i + 1], Ones) \
                and not _is_ones_row(matrices[i + 1]):
            out.append(MatMul(m, matrices[i + 1]))
            changed, i = True, i + 2
            continue
        out.append(m)
        i += 1
    if not changed:
        return expr
    return MatMul(coefficient, *out) if coefficient != 1 else MatMul(*out)


class SpecCodePrinter(ArrayCodePrinter):
    """NumPy code for the matrix forms of ``derive grad``."""

    def __init__(self, names: dict):
        super().__init__(names, "numpy")
        self.own_helpers: set = set()

    def _print(self, expr) -> _Code:
        if isinstance(expr, MatMul):
            regrouped = _column_sums_first(expr)
            if regrouped is not expr:
                return super()._print(regrouped)
            coefficient, matrices = expr.as_coeff_matrices()
            if len(matrices) == 2 and isinstance(matrices[0], Transpose) and isinstance(matrices[1], Ones) \
                    and expr.shape[1] == 1 and expr.shape[0] != 1:
                # A^T 1: the column sums of A, summed down its rows (not along the rows of a strided A^T)
                inner = self._print(matrices[0].arg)
                text = f"{inner.operand()}.sum(axis=0, keepdims=True).T"
                if coefficient != 1:
                    scale = self.scalar(coefficient)
                    text = f"{scale.operand()} * {text}" if coefficient != -1 else f"-{text}"
                return _Code(text, "array", coefficient == 1)
        if isinstance(expr, HadamardPower) and expr.exp in (Rational(1, 2), Rational(-1, 2), -1):
            base = self._print(expr.base)
            if base.kind == "array":
                root = f"np.sqrt({base.text})" if expr.exp != -1 else base.operand()
                return _Code(root if expr.exp == Rational(1, 2) else f"(1 / {root})", "array", True)
        if isinstance(expr, _Function):
            inner = self._print(expr.matrix)
            if inner.kind != "array":
                raise NotPrintable(f"{type(expr).__name__} of a column of ones")
            return _Code(expr.code(inner.text), "array", True)
        if isinstance(expr, (RowMax, RowArgmax)):
            helper = "row_max" if isinstance(expr, RowMax) else "row_argmax"
            self.own_helpers.add(helper)
            arguments = [self._print(expr.matrix).text]
            if expr.mask is not None:
                arguments.append(self._print(expr.mask).text)
            return _Code(f"{helper}({', '.join(arguments)})", "array", True)
        return super()._print(expr)

    def code(self, expr) -> str:
        """The expression as code; an array of one value throughout (c 1_N 1_K^T) as ``np.full``."""
        import sympy
        printed = self._print(expr)
        if isinstance(expr, sympy.MatrixExpr) and expr.shape != (1, 1) and printed.kind != "array":
            rows, cols = (self.scalar(n).text for n in expr.shape)
            value = "1.0" if printed.kind != "scalar" else printed.text
            return f"np.full(({rows}, {cols}), {value})"
        return super().code(expr)

    def helper_sources(self) -> list:
        from ..codegen.printer import HELPERS as BASE
        sources = [BASE["numpy"][name] for name in sorted(self.helpers)]
        sources += [HELPERS[name] for name in sorted(self.own_helpers)]
        return sources


__all__ = ["SpecCodePrinter"]
