"""What the code checker says, as words and mathematics: one model for the terminal, JSON and Markdown.

A message is a tuple of parts: strings are words, SymPy objects are formulas (the shapes of
:func:`derivations.check.feedback.words`). :func:`paragraph` makes the report's Paragraph of it (Markdown
typesets its formulas), :func:`plain` the text a terminal, JSON and Gradescope show. The formulas the
catalogue of mistakes names are built here once: the penalties (λΣW² and its gradient 2λW, or ½λΣW² and λW,
λ being the code's ``reg``), the SVM margin s_j - s_{y_i} + Δ and its indicator, the softmax terms.
"""
from __future__ import annotations

import sympy
from sympy import MatrixSymbol, Max, Rational, log

from ..engine.notation import D, Delta, K, N, Sigmoid, j, lam, p, s, t, x, y, z

#: the example index of a student's loop, and its input x_i
i = sympy.Symbol("i", integer=True)
x_i = x[i]
W = MatrixSymbol("W", D, K)


class SumOfSquares(sympy.Function):
    """ΣW²: the sum of the squares of every entry of W (the code's ``np.sum(W * W)``)."""

    nargs = 1

    def _derive_latex(self, printer, exp=None):
        inner = r"\sum %s^{2}" % printer._print(self.args[0])
        return r"\left(%s\right)^{%s}" % (inner, exp) if exp else inner

    def _derive_text(self, printer):
        return "Σ%s²" % printer._print(self.args[0])

    _latex = _derive_latex

    def _sympystr(self, printer):
        return self._derive_text(printer)


SQUARES = SumOfSquares(W)
#: the penalty in the loss and its gradient under each reg_form
PENALTY = {"full": (lam * SQUARES, 2 * lam * W), "half": (Rational(1, 2) * lam * SQUARES, lam * W)}
DOUBLED_PENALTY = 2 * lam * SQUARES
QUADRUPLED_GRADIENT = 4 * lam * W
MARGIN = s[j] - s[y] + Delta
REVERSED_MARGIN = s[y] - s[j] + Delta
FLIPPED_MARGIN = s[j] - s[y] - Delta
MARGIN_WITHOUT_DELTA = s[j] - s[y]
CORRECT_LOG = -log(p[y])
P_J = p[j]
EXP_SCORES = sympy.exp(s[j])
LOGISTIC_LIKELIHOOD = t * log(Sigmoid(z)) + (1 - t) * log(1 - Sigmoid(z))
ONE_HOT_ENTRY = sympy.KroneckerDelta(j, y)
SIGMA = Sigmoid(z)
#: 1[margin > 0] (a violated margin) and 1[margin >= 0] (the kink counted too)
VIOLATED = sympy.Heaviside(MARGIN, 0)
VIOLATED_OR_TIED = sympy.Heaviside(MARGIN, 1)


def hinge(u):
    return Max(0, u, evaluate=False)


def number(value) -> sympy.Expr:
    """A number of the code (a hard-coded Δ) as written: 1, 2.5, 0.01."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return sympy.Integer(int(value))
    written = f"{value:g}"
    digits = len(written.lstrip("-").replace(".", "").split("e")[0].lstrip("0")) or 1
    return sympy.Float(written, digits)


def paragraph(said):
    """The report's paragraph of a message (a string or a tuple of words and formulas)."""
    from ..engine.build import sentence
    parts = (said,) if isinstance(said, str) else said
    return sentence(*[part for part in parts if not (isinstance(part, str) and not part)])


def plain(said) -> str:
    """A message as a terminal shows it."""
    if isinstance(said, str):
        return said
    from ..report.render import plain as shown
    return shown(paragraph(said))


def markdown(said) -> str:
    """A message in Markdown, its formulas typeset ($...$)."""
    from ..report.render import escape_markdown, markdown_words
    return escape_markdown(said) if isinstance(said, str) else markdown_words(paragraph(said))


__all__ = ["paragraph", "plain", "markdown", "PENALTY", "DOUBLED_PENALTY", "QUADRUPLED_GRADIENT", "MARGIN",
           "REVERSED_MARGIN", "FLIPPED_MARGIN", "MARGIN_WITHOUT_DELTA", "CORRECT_LOG", "ONE_HOT_ENTRY", "SIGMA",
           "VIOLATED", "VIOLATED_OR_TIED", "P_J", "EXP_SCORES", "LOGISTIC_LIKELIHOOD", "number", "x_i", "i", "hinge", "N", "K", "D", "t", "z", "p", "s", "j", "y", "Delta"]
