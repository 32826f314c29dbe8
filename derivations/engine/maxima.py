"""The largest term over a range of an index, and the indicator of where it is, in index form.

* ``MaxOver(f, j, excluded, lower, upper)`` is max_{j} f_j over j = lower .. upper, skipping ``j = excluded``
  (``-1`` skips nothing): max_{j != y_n} S_nj of the Crammer-Singer hinge.
* ``Argmax(f, j, excluded, lower, upper, at)`` is 1 when ``at`` is where that maximum is (the first such index,
  as ``np.argmax``), else 0.

d/dv max_j f_j = sum_m 1[m = argmax_j f_j] df_m/dv away from ties: the derivative of the largest term
(:class:`~derivations.engine.rules.MaxOverRule`). Neither node differentiates itself in SymPy: the verifier
writes a MaxOver with known bounds out as max(f_0, ..., f_{K-1}) and lets ``sympy.diff`` differentiate that,
so the rule is checked against SymPy's own derivative of a max, not against itself.
"""
from __future__ import annotations

import sympy
from sympy import Expr, Integer
from sympy.core.sympify import _sympify

#: ``excluded`` when no index is skipped (indices run from 0)
NOTHING = Integer(-1)


class _OverRange(Expr):
    """A term f_j over j = lower .. upper, j != excluded."""

    is_commutative = True

    @property
    def function(self):
        return self.args[0]

    @property
    def index(self):
        return self.args[1]

    @property
    def excluded(self):
        return self.args[2]

    @property
    def lower(self):
        return self.args[3]

    @property
    def upper(self):
        return self.args[4]

    @property
    def free_symbols(self):
        inner = self.function.free_symbols - {self.index}
        for extra in self.args[2:]:
            inner |= extra.free_symbols
        return inner

    def _eval_subs(self, old, new):
        if old == self.index:
            return self
        return None

    def indices(self) -> list:
        """The concrete indices of the range (bounds and exclusion known), or None."""
        lo, hi, ex = self.lower, self.upper, self.excluded
        if not (lo.is_Integer and hi.is_Integer and ex.is_Integer):
            return None
        return [v for v in range(int(lo), int(hi) + 1) if v != int(ex)]


class MaxOver(_OverRange):
    """max_{j} f_j over j = lower .. upper, j != excluded."""

    is_real = True

    def __new__(cls, function, index, excluded=None, lower=Integer(0), upper=None):
        from .notation import K
        upper = K - 1 if upper is None else upper
        excluded = NOTHING if excluded is None else excluded
        return Expr.__new__(cls, *[_sympify(a) for a in (function, index, excluded, lower, upper)])

    def written_out(self):
        """max(f_lower, ..., f_upper) when the range is known (SymPy's Max, unevaluated), else self."""
        values = self.indices()
        if values is None:
            return self
        terms = [self.function.xreplace({self.index: Integer(v)}) for v in values]
        return terms[0] if len(terms) == 1 else sympy.Max(*terms, evaluate=False)

    def _sympystr(self, printer):
        return "MaxOver(%s, %s, %s)" % (printer._print(self.function), printer._print(self.index),
                                        printer._print(self.excluded))

    def _derive_latex(self, printer, exp=None):
        body = printer._print(self.function)
        under = printer._print(self.index)
        if self.excluded != NOTHING:
            under += r" \neq " + printer._print(self.excluded)
        text = r"\max_{%s} \left(%s\right)" % (under, body)
        return f"{text}^{{{exp}}}" if exp else text

    def _derive_text(self, printer):
        under = printer._print(self.index)
        if self.excluded != NOTHING:
            under += "≠" + printer._print(self.excluded)
        return "max_{%s}(%s)" % (under, printer._print(self.function))


class Argmax(_OverRange):
    """1 when ``at`` is the first index of the largest f_j over the range, else 0."""

    is_real = True
    is_nonnegative = True

    def __new__(cls, function, index, excluded=None, lower=Integer(0), upper=None, at=None):
        from .notation import K
        upper = K - 1 if upper is None else upper
        excluded = NOTHING if excluded is None else excluded
        return Expr.__new__(cls, *[_sympify(a) for a in (function, index, excluded, lower, upper, at)])

    @property
    def at(self):
        return self.args[5]

    def _eval_derivative(self, v):
        return sympy.S.Zero            # constant away from ties (the convention of a subgradient)

    def _sympystr(self, printer):
        return "Argmax(%s, %s, %s, at=%s)" % (printer._print(self.function), printer._print(self.index),
                                              printer._print(self.excluded), printer._print(self.at))

    def _derive_latex(self, printer, exp=None):
        under = printer._print(self.index)
        if self.excluded != NOTHING:
            under += r" \neq " + printer._print(self.excluded)
        text = r"\mathbf{1}\left[%s = \operatorname{argmax}_{%s} %s\right]" % (
            printer._print(self.at), under, printer._print(self.function))
        return f"{text}^{{{exp}}}" if exp else text

    def _derive_text(self, printer):
        under = printer._print(self.index)
        if self.excluded != NOTHING:
            under += "≠" + printer._print(self.excluded)
        return "𝟙[%s = argmax_{%s} %s]" % (printer._print(self.at), under, printer._print(self.function))


def derivative_of_max(expr: MaxOver, var, fresh):
    """sum_m Argmax(f, j, ..., at=m) d f_m / d var over the range (m = ``fresh``): the derivative of the largest
    term (the term m = excluded has indicator 0)."""
    from .differentiate import d
    body = expr.function.xreplace({expr.index: fresh})
    indicator = Argmax(expr.function, expr.index, expr.excluded, expr.lower, expr.upper, fresh)
    return sympy.Sum(indicator * d(body, var), (fresh, expr.lower, expr.upper))


__all__ = ["MaxOver", "Argmax", "NOTHING", "derivative_of_max"]
