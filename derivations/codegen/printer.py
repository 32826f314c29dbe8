"""Printing a verified matrix-form result as array code: NumPy (or PyTorch) expressions, node by node.

The batch derivations end in matrix expressions such as

    dW = (1/N) X^T (B - Y ∘ (B 1_K 1_K^T)) + 2 lambda W,   B = (1_N 1_K^T - Y) ∘ 1[M > 0],

and this printer writes each node as one array operation, as
:class:`~derivations.engine.arrays.ArrayEvaluator` evaluates it: a product with
a column of ones is a row sum (``A.sum(axis=1, keepdims=True)``), 1_N^T A 1_K
the sum of all entries, ``v 1_K^T`` and ``1_N 1_K^T`` are broadcasts (a column,
or the number 1), ``∘`` is ``*``, max(0, .) and 1[. > 0] are elementwise,
and the softmax and log-sum-exp of rows are helpers that subtract each row's
maximum first. The code is only ever printed from the expression: nothing
here knows a loss.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import MatAdd, MatMul, MatrixSymbol, Transpose
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct

from ..engine.matrices import Hinge, Ones, Positive, RowLogSumExp, RowSoftmax
from ..engine.matrix_functions import Logistic, Softplus

#: the helpers a printed expression may call, by backend: name -> source
HELPERS = {
    "numpy": {
        "row_softmax": '''def row_softmax(S):
    """The softmax of each row of S, each row's maximum subtracted first (e^S never overflows)."""
    shifted = np.exp(S - S.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
''',
        "row_logsumexp": '''def row_logsumexp(S):
    """log sum_m e^{S_nm} for each row n, as a column, each row's maximum subtracted first."""
    top = S.max(axis=1, keepdims=True)
    return top + np.log(np.exp(S - top).sum(axis=1, keepdims=True))
''',
    },
    "torch": {
        "row_softmax": '''def row_softmax(S):
    """The softmax of each row of S, each row's maximum subtracted first (e^S never overflows)."""
    return torch.softmax(S, dim=1)
''',
        "row_logsumexp": '''def row_logsumexp(S):
    """log sum_m e^{S_nm} for each row n, as a column, each row's maximum subtracted first."""
    return torch.logsumexp(S, dim=1, keepdim=True)
''',
    },
}


class NotPrintable(ValueError):
    """The expression holds a node the printer does not know."""


@dataclass(frozen=True)
class _Code:
    """Printed code and what it stands for: an array, a scalar, or a column/row of ``n`` ones (not materialised)."""

    text: str
    kind: str                 # "array", "scalar", "ones-column", "ones-row"
    atom: bool = False        # needs no brackets as an operand
    column_sums_of: str | None = None    # for 1_N^T A: the code of A (so 1_N^T A 1_K is A's total)

    def operand(self) -> str:
        return self.text if self.atom else f"({self.text})"


class ArrayCodePrinter:
    """Prints matrix expressions for ``backend`` ("numpy" or "torch"); ``names`` maps symbols to variable names."""

    def __init__(self, names: dict, backend: str = "numpy"):
        if backend not in HELPERS:
            raise ValueError(f"unknown backend {backend!r}; choose numpy or torch")
        self.names = {sympy.sympify(k) if not isinstance(k, MatrixSymbol) else k: v for k, v in names.items()}
        self.backend = backend
        self.helpers: set = set()

    def code(self, expr) -> str:
        """The expression as code (a 1 x 1 matrix as a number)."""
        printed = self._print(expr)
        if printed.kind in ("ones-column", "ones-row"):
            raise NotPrintable("a lone column of ones has no array to stand for")
        return printed.text

    # --- scalars -----------------------------------------------------------------------------------

    def scalar(self, expr) -> _Code:
        expr = sympy.sympify(expr)
        if expr in self.names:
            return _Code(self.names[expr], "scalar", True)
        if expr.is_Integer:
            return _Code(str(int(expr)), "scalar", expr >= 0)
        if expr.is_Rational:
            return _Code(f"({expr.p} / {expr.q})", "scalar", True)
        if expr.is_Float:
            return _Code(repr(float(expr)), "scalar", True)
        if isinstance(expr, sympy.Pow) and expr.exp == -1:
            return _Code(f"(1 / {self.scalar(expr.base).operand()})", "scalar", True)
        if isinstance(expr, sympy.Mul):
            coefficient, rest = expr.as_coeff_Mul()
            parts = [self.scalar(f).operand() for f in sympy.Mul.make_args(rest)]
            if coefficient == -1:
                return _Code("-" + " * ".join(parts), "scalar")
            if coefficient != 1:
                parts.insert(0, self.scalar(coefficient).operand())
            return _Code(" * ".join(parts), "scalar")
        if isinstance(expr, sympy.Add):
            return _Code(" + ".join(self.scalar(t).operand() for t in expr.args), "scalar")
        raise NotPrintable(f"no name for the scalar {expr}")

    # --- matrices ----------------------------------------------------------------------------------

    def _print(self, expr) -> _Code:
        if not isinstance(expr, sympy.MatrixExpr):
            return self.scalar(expr)
        if isinstance(expr, MatrixSymbol):
            if expr not in self.names:
                raise NotPrintable(f"no variable for the matrix {expr}")
            return _Code(self.names[expr], "array", True)
        if isinstance(expr, Ones):
            return _Code("1", "ones-column", True)
        if isinstance(expr, Transpose):
            inner = self._print(expr.arg)
            flipped = {"ones-column": "ones-row", "ones-row": "ones-column"}
            if inner.kind in flipped:
                return _Code("1", flipped[inner.kind], True)
            return _Code(f"{inner.operand()}.T", "array", True)
        if isinstance(expr, MatMul):
            return self._product(expr)
        if isinstance(expr, MatAdd):
            return self._sum(expr)
        if isinstance(expr, HadamardProduct):
            factors = [self._broadcast(self._print(f)) for f in expr.args]
            return _Code(" * ".join(f.operand() for f in factors), "array")
        if isinstance(expr, HadamardPower):
            return _Code(f"{self._print(expr.base).operand()} ** {self.scalar(expr.exp).operand()}", "array")
        if isinstance(expr, Hinge):
            inner = self._print(expr.matrix).text
            text = f"np.maximum(0.0, {inner})" if self.backend == "numpy" else f"torch.clamp({inner}, min=0.0)"
            return _Code(text, "array", True)
        if isinstance(expr, Positive):
            inner = self._print(expr.matrix).operand()
            text = f"({inner} > 0)" if self.backend == "numpy" else f"({inner} > 0).to({self._dtype_source()})"
            return _Code(text, "array", True)
        if isinstance(expr, Logistic):                        # sigma(z) = e^{-log(1 + e^{-z})}, never overflowing
            inner = self._print(expr.matrix)        # -(X W + b), not -X W + b: the minus takes the whole argument
            text = f"np.exp(-np.logaddexp(0.0, -{inner.operand()}))" if self.backend == "numpy" else \
                f"torch.sigmoid({inner.text})"
            return _Code(text, "array", True)
        if isinstance(expr, Softplus):                        # log(1 + e^z), never overflowing
            inner = self._print(expr.matrix).text
            text = f"np.logaddexp(0.0, {inner})" if self.backend == "numpy" else \
                f"torch.logaddexp(torch.zeros_like({inner}), {inner})"
            return _Code(text, "array", True)
        if isinstance(expr, RowSoftmax):
            self.helpers.add("row_softmax")
            return _Code(f"row_softmax({self._print(expr.matrix).text})", "array", True)
        if isinstance(expr, RowLogSumExp):
            self.helpers.add("row_logsumexp")
            return _Code(f"row_logsumexp({self._print(expr.matrix).text})", "array", True)
        raise NotPrintable(f"cannot print {type(expr).__name__} as array code")

    def _dtype_source(self) -> str:
        return f"{next(iter(v for k, v in self.names.items() if isinstance(k, MatrixSymbol)))}.dtype"

    @staticmethod
    def _broadcast(code: _Code) -> _Code:
        """A factor of an elementwise operation: 1_N 1_K^T is the number 1 (broadcast)."""
        if code.kind in ("ones-column", "ones-row"):
            return _Code("1.0", "scalar", True)
        return code

    def _sum(self, expr) -> _Code:
        terms = []
        for term in expr.args:
            coefficient, rest = term.as_coeff_mmul() if isinstance(term, MatMul) else (1, term)
            printed = self._broadcast(self._print(rest if coefficient == -1 else term))
            terms.append((coefficient == -1, printed))
        terms.sort(key=lambda t: t[0])                        # a positive term first: 1.0 - Y, not -Y + 1.0
        text = ""
        for i, (negative, printed) in enumerate(terms):
            if i == 0:
                text = ("-" if negative else "") + (printed.operand() if negative else printed.text)
            else:
                text += (" - " if negative else " + ") + (printed.operand() if negative else printed.text)
        return _Code(text, "array")

    def _product(self, expr) -> _Code:
        coefficient, matrices = expr.as_coeff_matrices()
        printed = [self._print(m) for m in matrices]
        if len(matrices) > 1:                    # a 1 x 1 factor of a longer product is a number: v (1^T v)^-1
            printed = [_Code(p.text, "scalar", p.atom) if m.shape == (1, 1) and p.kind == "array" else p
                       for m, p in zip(matrices, printed)]
        total = printed[0]
        for factor in printed[1:]:
            total = self._multiply(total, factor)
        if expr.shape == (1, 1) and total.column_sums_of is not None:
            total = _Code(f"{total.column_sums_of}.sum()", "scalar", True)          # 1_N^T v for a column v
        elif expr.shape == (1, 1) and total.kind == "array":
            total = _Code(f"{total.operand()}.sum()", "scalar", True)               # a 1 x 1 product as a number
        if coefficient == 1:
            return total
        scale = self.scalar(coefficient)
        scale_text = scale.text if isinstance(sympy.sympify(coefficient), sympy.Mul) else scale.operand()
        if total.kind in ("ones-column", "ones-row"):
            return _Code(scale_text, "scalar", scale.atom)                       # c 1_N 1_K^T: the number c
        if coefficient == -1:
            return _Code(f"-{total.operand()}", total.kind)
        return _Code(f"{scale_text} * {total.operand()}", total.kind)

    def _multiply(self, a: _Code, b: _Code) -> _Code:
        """a b with columns and rows of ones summed or broadcast (as ArrayEvaluator multiplies them)."""
        keep = "keepdims=True" if self.backend == "numpy" else "keepdim=True"
        axis = "axis" if self.backend == "numpy" else "dim"
        if "scalar" in (a.kind, b.kind):                                     # a number times an array
            if a.kind == "scalar" and b.kind == "scalar":
                return _Code(f"{a.operand()} * {b.operand()}", "scalar")
            number, other = (a, b) if a.kind == "scalar" else (b, a)
            if other.kind != "array":
                return number                                              # c 1: broadcast like 1 (_broadcast)
            return _Code(f"{other.operand()} * {number.operand()}", "array")
        if b.kind == "ones-column":
            if a.kind == "ones-row":
                raise NotPrintable("1^T 1 alone: the count of ones, not an array")
            if a.column_sums_of is not None:                                  # 1^T A 1: every entry summed
                return _Code(f"{a.column_sums_of}.sum()", "scalar", True)
            return _Code(f"{a.operand()}.sum({axis}=1, {keep})", "array", True)      # A 1_K: the row sums
        if a.kind == "ones-row":
            return _Code(f"{b.operand()}.sum({axis}=0, {keep})", "array", True,       # 1_N^T A: the column sums
                         column_sums_of=b.operand())
        if b.kind == "ones-row":
            if a.kind == "ones-column":
                return _Code("1", "ones-column", True)       # 1_N 1_K^T stays a broadcast 1 (see _broadcast)
            return a                                          # v 1_K^T: the column v broadcasts across columns
        if a.kind == "ones-column":
            return b
        return _Code(f"{a.operand()} @ {b.operand()}", "array")
