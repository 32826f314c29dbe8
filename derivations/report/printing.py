"""How expressions are written: LaTeX (reports, Markdown maths) and one-line Unicode (terminal).

Notation follows the homework: s_{y_i}, sum_{j != y_i}, 1[u > 0] for the
indicator (printed \\mathbf{1} in LaTeX, which every TeX installation and
MathJax/KaTeX render), delta_{jk}, e^{u}, and terms of a sum written scores
first: ``s_j - s_{y_i} + Delta`` rather than SymPy's ``Delta + s_j - s_{y_i}``.
These printers only write; they never change an expression.
"""
from __future__ import annotations

import re

import sympy
from sympy import Add, Derivative, Indexed, Mul, Pow, Sum, Symbol, exp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from ..engine.notation import SIGNS, K, PerExample, Sigmoid, SumExcept
from ..engine.reading_order import ordered_terms
from ..engine.sizes import HEAD, TAIL, is_long, shown_positions
from .matrix_printing import MatrixLatex, MatrixText


def factor_order(factor) -> float:
    """Where a factor goes in a product: names first, then bracketed sums, then functions.

    p_j (1 - p_j), (1 - t_1) log p_2, (delta - 1) 1[u > 0]; sigma(z) goes between the names and the
    sums: x sigma(z) (1 - sigma(z)).
    """
    if isinstance(factor, (Symbol, Indexed)) or (isinstance(factor, Pow) and isinstance(factor.base, (Symbol, Indexed))):
        return 0
    if isinstance(factor, Sigmoid):
        return 0.5
    return 1 if isinstance(factor, Add) else 2


def _plain_factor(factor) -> bool:
    """A factor a product can show side by side without brackets of its own (a sum gets them)."""
    if factor.is_Number or isinstance(factor, (Symbol, Indexed, Add)):
        return True
    if isinstance(factor, Pow):
        return isinstance(factor.base, (Symbol, Indexed)) and factor.exp.is_Integer and factor.exp > 0
    return isinstance(factor, sympy.Function) or isinstance(factor, (sympy.KroneckerDelta, sympy.Heaviside))


def is_written_out(expr: Add) -> bool:
    """Whether a sum is a worked example written out class by class (numbers, or concrete entries s_3, p_7):
    such a sum, when long, is shown with "…" in the middle. A formula the user typed never is."""
    if not expr.free_symbols:
        return True
    return any(all(i.is_Integer for i in a.indices) for a in expr.atoms(Indexed))


def join_terms(printer, expr: Add, bracket: str, dots: str = "…") -> str:
    """The terms of a sum in reading order joined by + and -, a nested sum in ``bracket``.

    A long written-out sum shows its first and last terms with ``dots`` between them.
    """
    terms = ordered_terms(expr)
    if is_long(len(terms)) and is_written_out(expr):
        terms = terms[:HEAD] + [None] + terms[-TAIL:]
    texts = [None if term is None else (bracket % printer._print(term) if isinstance(term, Add)
                                         else printer._print(term)) for term in terms]
    out = ""
    for i, text in enumerate(texts):
        if text is None:
            # the left-out terms take the sign of the term after them: -a - b - … - z, a + b + … + z
            out += (" - " if texts[i + 1].startswith("-") else " + ") + dots
        elif i == 0:
            out = text
        elif text.startswith("-"):
            out += " - " + text[1:].lstrip()
        else:
            out += " + " + text
    return out


def shown_grid(expr):
    """(rows, columns) of a matrix to write: lists of positions with None where "…" goes."""
    return shown_positions(expr.rows), shown_positions(expr.cols)


def is_built_product(expr) -> bool:
    """Whether ``expr`` is a product built factor by factor (``Mul(a, b, evaluate=False)`` with a product
    among its factors): shown as its factors in the order given, 1/(1 + e^{-z}) · e^{-z}/(1 + e^{-z}).

    SymPy never nests a product directly in a product, so no evaluated expression is shown this way.
    """
    return isinstance(expr, Mul) and any(isinstance(a, Mul) for a in expr.args)


def is_negated_number(expr) -> bool:
    """Whether ``expr`` is ``Mul(-1, 0, evaluate=False)``: a term -0 of a written-out sum (1 - t at t = 0).

    Only 0: a product (-1)·1 that was built as such stays a product."""
    return isinstance(expr, Mul) and len(expr.args) == 2 and expr.args[0] == -1 and expr.args[1] == 0


def _is_all_classes(limits) -> bool:
    index, lo, hi = limits
    return lo == 0 and hi == K - 1


#: a letter and a combining accent (a name the written checker read from \bar{j}, \hat{x}, \tilde{s})
_ACCENT_COMMANDS = {"\u0304": r"\bar", "\u0302": r"\hat", "\u0303": r"\tilde", "\u0305": r"\overline"}
_ACCENTS = re.compile("([A-Za-z])([" + "".join(_ACCENT_COMMANDS) + "])")


class DeriveLatexPrinter(MatrixLatex, LatexPrinter):
    """SymPy's LaTeX printer with the course's notation."""

    printmethod = "_derive_latex"

    def __init__(self, settings=None):
        settings = dict(settings or {})
        settings.setdefault("mul_symbol", None)
        settings.setdefault("full_prec", True)        # a display number 2.1270 keeps its last 0
        settings.setdefault("inv_trig_style", "full")  # \arcsin x, not \operatorname{asin} x
        settings.setdefault("mat_str", "bmatrix")     # matrices as bmatrix (amsmath; MathJax and KaTeX too)
        settings.setdefault("mat_delim", "")
        super().__init__(settings)

    def _print_Add(self, expr, order=None):
        return join_terms(self, expr, r"\left(%s\right)", r"\cdots")

    def _print_Mul(self, expr):
        if is_negated_number(expr):
            return "-" + self._print(expr.args[1])
        if is_built_product(expr):
            return r" \cdot ".join(r"\left(%s\right)" % self._print(f) if isinstance(f, Add) or i and
                                    self._print(f).startswith("-") else self._print(f)
                                    for i, f in enumerate(expr.args))
        # e^{-1} and e^{-110} stay in the numerator as powers of e: e^{-1} / (e^3 + e^{-1} + e^4),
        # 2 e^{-110}, not 1 / (e (e^3 + ...)) and 2 / e^{110}.
        factors = Mul.make_args(expr)
        has_denominator = any(isinstance(f, Pow) and f.exp.is_number and f.exp.is_negative for f in factors)
        if not has_denominator and len(factors) > 1 and all(_plain_factor(f) for f in factors) \
                and len({factor_order(f) for f in factors if not f.is_Number}) > 1:
            return self._product(list(factors))           # p_j (1 - p_j), t_1 log p_1: names first
        if not any(isinstance(f, exp) and f.args[0].could_extract_minus_sign() for f in factors):
            return super()._print_Mul(expr)
        denominator = [f.base ** -f.exp for f in factors
                       if isinstance(f, Pow) and f.exp.is_number and f.exp.is_negative]
        numerator = [f for f in factors if not (isinstance(f, Pow) and f.exp.is_number and f.exp.is_negative)]
        top = self._product(numerator)
        if not denominator:
            return top
        bottom = self._print(Mul(*denominator))
        if top.startswith("-"):
            return r"- \frac{%s}{%s}" % (top[1:].lstrip(), bottom)
        return r"\frac{%s}{%s}" % (top, bottom)

    def _product(self, factors):
        """Factors side by side, a numeric coefficient first; sums bracketed."""
        coefficient = Mul(*[f for f in factors if f.is_Number])
        rest = [f for f in factors if not f.is_Number]
        rest = sorted(rest, key=factor_order)
        parts = [r"\left(%s\right)" % self._print(f) if isinstance(f, Add) else self._print(f) for f in rest]
        text = " ".join(parts) if parts else "1"
        if coefficient == 1:
            return text
        if coefficient == -1:
            return "-" + text
        return self._print(coefficient) + " " + text

    def _print_matrix_contents(self, expr):
        rows, cols = shown_grid(expr)
        # a column of fractions (p_j = e^{s_j} / sum, one class per line): full-size fractions, spaced rows
        shown = [expr[r, 0] for r in rows if r is not None] if expr.cols == 1 else []
        fractions = any(isinstance(f, Derivative) or isinstance(f, Pow) and f.exp.is_negative
                        for e in shown for f in sympy.preorder_traversal(e))
        if expr.cols == 1 and expr.rows >= 2 and fractions:
            lines = [r"\vdots" if r is None else r"\displaystyle " + self._print(expr[r, 0]) for r in rows]
            return r"\begin{bmatrix}%s\end{bmatrix}" % r" \\[8pt] ".join(lines)
        lines = []
        for r in rows:
            if r is None:
                lines.append(" & ".join(r"\ddots" if c is None else r"\vdots" for c in cols))
            else:
                lines.append(" & ".join(r"\cdots" if c is None else self._print(expr[r, c]) for c in cols))
        return r"\begin{bmatrix}%s\end{bmatrix}" % r"\\".join(lines)

    def _print_Indexed(self, expr):
        base = self._print(expr.base.label)
        name = getattr(expr.base.label, "name", "")
        if len(name) > 1 and name.isalpha() and base == name:      # xc, var, istd: one name, not a product
            base = r"\mathrm{%s}" % name
        if isinstance(expr.base, PerExample):             # x_j^{(n)}: the example as a superscript
            example, rest = expr.indices[0], expr.indices[1:]
            index = ",".join(self._print(i) for i in rest)
            return base + (f"_{{{index}}}" if rest else "") + f"^{{({self._print(example)})}}"
        index = ",".join(self._print(i) for i in expr.indices)
        if "_" in base or "^" in base:                     # W_{1}: its own subscript, braced (not W_{1}_{d,h})
            base = "{" + base + "}"
        return f"{base}_{{{index}}}"

    def _print_Symbol(self, expr, style="plain"):
        name = expr.name
        if name == "y_i":
            return "y_i"
        if name == "L_i":
            return "L_i"
        shown = super()._print_Symbol(expr, style=style)
        if _ACCENTS.search(shown):                       # j̄ (a text's \bar{j}): \bar{j}, as LaTeX writes it
            shown = _ACCENTS.sub(lambda m: "%s{%s}" % (_ACCENT_COMMANDS[m.group(2)], m.group(1)), shown)
        return shown

    def _print_Heaviside(self, expr, exp=None):
        u = expr.args[0]
        relation = ">" if len(expr.args) > 1 and expr.args[1] == 0 else r"\geq"
        text = r"\mathbf{1}\left[%s %s 0\right]" % (self._print(u), relation)
        return f"{text}^{{{exp}}}" if exp else text

    def _print_KroneckerDelta(self, expr, exp=None):
        i, j = (self._print(a) for a in expr.args)
        sep = "" if len(i) == 1 and len(j) == 1 else ","
        text = r"\delta_{%s%s%s}" % (i, sep, j)
        return f"\\left({text}\\right)^{{{exp}}}" if exp else text

    def _print_Max(self, expr, exp=None):
        args = sorted(expr.args, key=lambda a: 0 if a == 0 else 1)
        text = r"\max\left(%s\right)" % ", ".join(self._print(a) for a in args)
        return f"{text}^{{{exp}}}" if exp else text

    def _print_Sum(self, expr):
        if len(expr.limits) == 1 and _is_all_classes(expr.limits[0]):
            index = self._print(expr.limits[0][0])
            body = self._print(expr.function)
            if isinstance(expr.function, Add):
                body = r"\left(%s\right)" % body
            return r"\sum_{%s} %s" % (index, body)
        return super()._print_Sum(expr)

    def _print_SumExcept(self, expr):
        body = self._print(expr.function)
        if isinstance(expr.function, Add):
            body = r"\left(%s\right)" % body
        return r"\sum_{%s \neq %s} %s" % (self._print(expr.index), self._print(expr.excluded), body)

    def _print_Derivative(self, expr):
        inner = expr.expr
        variables = "".join(r"\partial %s" % self._print(v) for v, n in expr.variable_count for _ in range(n))
        if isinstance(inner, (Symbol, Indexed)):
            return r"\frac{\partial %s}{%s}" % (self._print(inner), variables)
        body = self._print(inner)
        return r"\frac{\partial}{%s} \left(%s\right)" % (variables, body)

    def _print_Ne(self, expr):
        return r"%s \neq %s" % (self._print(expr.lhs), self._print(expr.rhs))

    def _print_Dots(self, expr):
        return r"\cdots" if expr.along == "row" else r"\vdots"

    def _print_Sign(self, expr):
        return SIGNS[expr.sign]

    def _print_Scientific(self, expr):
        power = "10^{%d}" % expr.exponent
        return power if expr.mantissa == "1" else r"%s \cdot %s" % (expr.mantissa, power)

    def _print_DiagMatrix(self, expr):
        return r"\operatorname{diag}\left(%s\right)" % self._print(expr.args[0])

    def _print_Infix(self, expr):
        return "%s %s %s" % (self._print(expr.lhs), _INFIX_LATEX[type(expr).__name__], self._print(expr.rhs))


_INFIX_LATEX = {"Approx": r"\approx", "Assign": r"\leftarrow", "Times": r"\times", "Equals": "="}
_INFIX_TEXT = {"Approx": "≈", "Assign": "←", "Times": "×", "Equals": "="}

_SUBSCRIPTS = str.maketrans("0123456789aehijklmnoprstuvx+-=()", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₊₋₌₍₎")
_SUBSCRIPTABLE = set("0123456789aehijklmnoprstuvx")
_GREEK = {"Delta": "Δ", "delta": "δ", "sigma": "σ", "alpha": "α", "lambda": "λ", "lamda": "λ", "beta": "β",
          "gamma": "γ", "epsilon": "ε", "mu": "μ", "rho": "ρ", "tau": "τ", "eta": "η", "theta": "θ", "kappa": "κ",
          "nu": "ν", "omega": "ω", "phi": "φ", "psi": "ψ", "xi": "ξ", "zeta": "ζ", "chi": "χ", "pi": "π"}


_SUPERSCRIPTS = str.maketrans("0123456789inT+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹ⁱⁿᵀ⁺⁻⁼⁽⁾")
_SUPERSCRIPTABLE = set("0123456789inT+-=()")


def superscript(text: str) -> str:
    """``text`` as Unicode superscript characters when every character has one, else ``^{text}``."""
    if text and all(c in _SUPERSCRIPTABLE for c in text):
        return text.translate(_SUPERSCRIPTS)
    return "^{" + text + "}"


def subscript(text: str) -> str:
    """``text`` as Unicode subscript characters when every character has one, else ``_{text}``."""
    if text and all(c in _SUBSCRIPTABLE for c in text):
        return text.translate(_SUBSCRIPTS)
    return "_{" + text + "}"


#: the names the terminal shows for SymPy's inverse functions
_TEXT_FUNCTION_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "acot": "arccot",
                        "asinh": "arsinh", "acosh": "arcosh", "atanh": "artanh"}


class DeriveTextPrinter(MatrixText, StrPrinter):
    """One-line Unicode maths for the terminal: ∂Lᵢ/∂sₖ = Σ_{j≠yᵢ} 𝟙[sⱼ - s_{yᵢ} + Δ > 0]."""

    printmethod = "_derive_text"

    def _print_Add(self, expr, order=None):
        return join_terms(self, expr, "(%s)")

    def _print_Symbol(self, expr):
        name = expr.name
        if "^" in name:                        # L_i^SVM -> Lᵢ^SVM
            head, sup = name.split("^", 1)
            return self._print_Symbol(Symbol(head)) + "^" + sup
        if "_" in name:
            head, tail = name.split("_", 1)
            return _GREEK.get(head, head) + subscript(tail)
        if len(name) > 1 and name[0].isalpha() and name[1:].isdigit():     # b2, W1: a name with digits
            return name[0] + subscript(name[1:])
        return _GREEK.get(name, name)

    def _print_Indexed(self, expr):
        if isinstance(expr.base, PerExample):             # xⱼ⁽ⁿ⁾: the example as a superscript
            example, rest = expr.indices[0], expr.indices[1:]
            name, index = self._print(expr.base.label), ",".join(self._print(i) for i in rest)
            if index:
                name += subscript(index) if len(index) == 1 or index.isdigit() else "_{" + index + "}"
            return name + superscript("(" + self._print(example) + ")")
        index = ",".join(self._print(i) for i in expr.indices)
        if len(index) == 1 or index.isdigit():
            return self._print(expr.base.label) + subscript(index)
        return self._print(expr.base.label) + "_{" + index + "}"

    def _print_Heaviside(self, expr):
        relation = ">" if len(expr.args) > 1 and expr.args[1] == 0 else "≥"
        return f"𝟙[{self._print(expr.args[0])} {relation} 0]"

    def _print_KroneckerDelta(self, expr):
        i, j = (self._print(a) for a in expr.args)
        return "δ" + subscript(i + j) if len(i) == 1 and len(j) == 1 else f"δ_{{{i},{j}}}"

    def _print_Max(self, expr):
        args = sorted(expr.args, key=lambda a: 0 if a == 0 else 1)
        return "max(" + ", ".join(self._print(a) for a in args) + ")"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_exp(self, expr):
        return f"exp({self._print(expr.args[0])})"

    def _print_Exp1(self, expr):
        return "e"

    def _print_Function(self, expr):
        name = _TEXT_FUNCTION_NAMES.get(type(expr).__name__)
        if name is None:
            return super()._print_Function(expr)
        return name + "(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_sign(self, expr):
        return f"sign({self._print(expr.args[0])})"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_Sum(self, expr):
        body = self._print(expr.function)
        if isinstance(expr.function, Add):
            body = f"({body})"
        if len(expr.limits) == 1 and _is_all_classes(expr.limits[0]):
            return f"Σ{subscript(self._print(expr.limits[0][0]))} {body}"
        parts = ", ".join(f"{self._print(i)}={self._print(a)}..{self._print(b)}" for i, a, b in expr.limits)
        return f"Σ_{{{parts}}} {body}"

    def _print_SumExcept(self, expr):
        body = self._print(expr.function)
        if isinstance(expr.function, Add):
            body = f"({body})"
        return f"Σ_{{{self._print(expr.index)}≠{self._print(expr.excluded)}}} {body}"

    def _print_Derivative(self, expr):
        inner = expr.expr
        variables = "".join(f"∂{self._print(v)}" for v, n in expr.variable_count for _ in range(n))
        if isinstance(inner, (Symbol, Indexed)):
            return f"∂{self._print(inner)}/{variables}"
        return f"∂/{variables}[{self._print(inner)}]"

    def parenthesize(self, item, level, strict=False):
        # A sum inside a product, a fraction or a power is bracketed: (Σₘ exp(sₘ))^2,
        # (Σₘ exp(sₘ)·δₘₖ)/(Σₘ exp(sₘ)); plain text has no other way to show where it ends.
        if (isinstance(item, (Sum, SumExcept)) or isinstance(item, Derivative)
                and isinstance(item.expr, (Symbol, Indexed))) and level >= PRECEDENCE["Mul"]:
            return "(%s)" % self._print(item)
        return super().parenthesize(item, level, strict)

    def _print_Mul(self, expr):
        if is_negated_number(expr):
            return "-" + self._print(expr.args[1])
        if is_built_product(expr):
            parts = []
            for i, f in enumerate(expr.args):
                shown = self._print(f)
                bracket = isinstance(f, Add) or (i and shown.startswith("-")) or \
                    (isinstance(f, Mul) and sympy.fraction(f, exact=True)[1] != 1 and len(expr.args) > 1)
                parts.append(f"({shown})" if bracket else shown)
            return "·".join(parts)
        coeff, rest = expr.as_coeff_Mul()
        if coeff == -1 and isinstance(rest, (Sum, SumExcept)):
            return "-" + self._print(rest)          # -Σ_{j≠yᵢ} ..., no brackets needed
        factors = rest.as_ordered_factors()
        if len(factors) > 1 and all(_plain_factor(f) for f in factors) \
                and len({factor_order(f) for f in factors}) > 1:
            # pⱼ·(1 - pⱼ): a bracketed sum after the other factors
            ordered = sorted(factors, key=factor_order)
            text = "·".join(self.parenthesize(f, PRECEDENCE["Mul"]) for f in ordered)
            return ("-" if coeff == -1 else "" if coeff == 1 else self._print(coeff) + "·") + text
        return super()._print_Mul(expr).replace("*", "·")

    def _print_Float(self, expr):
        """A number with fewer digits than double precision was written so (0.710, to 3 figures): every digit of it,
        inside a vector or a product too, as in LaTeX; a computed one as SymPy shows it."""
        if expr._prec >= 53:
            return super()._print_Float(expr)
        saved = self._settings["full_prec"]
        self._settings["full_prec"] = True
        try:
            return super()._print_Float(expr)
        finally:
            self._settings["full_prec"] = saved

    def _print_MatrixBase(self, expr):
        rows, cols = shown_grid(expr)
        if expr.rows == 1 or expr.cols == 1:
            entries = list(expr) if not is_long(len(expr)) else None
            positions = shown_positions(len(expr))
            text = ", ".join("…" if i is None else self._print(entries[i] if entries else expr[i]) for i in positions)
            return "[" + text + ("]" if expr.rows == 1 else "]ᵀ")     # a column ends in ᵀ
        return "[" + ", ".join("…" if r is None else
                               "[" + ", ".join("…" if c is None else self._print(expr[r, c]) for c in cols) + "]"
                               for r in rows) + "]"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_Pow(self, expr, rational=False):
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Relational(self, expr):
        op = {"!=": "≠", ">=": "≥", "<=": "≤", "==": "="}.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_Dots(self, expr):
        return "⋯" if expr.along == "row" else "⋮"

    def _print_Sign(self, expr):
        return expr.sign

    def _print_Scientific(self, expr):
        power = "10" + superscript(str(expr.exponent))
        return power if expr.mantissa == "1" else f"{expr.mantissa}·{power}"

    def _print_DiagMatrix(self, expr):
        return f"diag({self._print(expr.args[0])})"

    def _print_Infix(self, expr):
        return f"{self._print(expr.lhs)} {_INFIX_TEXT[type(expr).__name__]} {self._print(expr.rhs)}"


class ElidingStrPrinter(StrPrinter):
    """SymPy's own notation (as in ``sstr``), with long written-out sums and vectors shown with "..." in the
    middle: the two sides of a step in a JSON report. Results keep every entry (see ``render._exact``)."""

    def _print_Add(self, expr, order=None):
        if is_long(len(expr.args)) and is_written_out(expr):
            return join_terms(self, expr, "(%s)", "...")
        return super()._print_Add(expr, order)

    def _print_MatrixBase(self, expr):
        rows, cols = shown_grid(expr)
        if not (is_long(expr.rows) or is_long(expr.cols)):
            return super()._print_MatrixBase(expr)
        return "Matrix([" + ", ".join("..." if r is None else
                                      "[" + ", ".join("..." if c is None else self._print(expr[r, c]) for c in cols)
                                      + "]" for r in rows) + "])"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase


_LATEX = DeriveLatexPrinter()
_TEXT = DeriveTextPrinter()
_STR = ElidingStrPrinter()


def short_str(expr) -> str:
    """``sstr`` with long written-out sums and vectors elided (the sides of a step in JSON)."""
    return _STR.doprint(expr)


def latex(expr) -> str:
    """LaTeX for ``expr`` in the course's notation."""
    return _LATEX.doprint(expr)


def text(expr) -> str:
    """One-line Unicode for ``expr``."""
    return _TEXT.doprint(expr)
