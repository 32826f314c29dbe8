"""Numbers as students write them: the exact value and the place of the last digit written.

``1.317`` is read exactly (``Decimal``) with its precision, the place of its
last digit (10^-3). A YAML or JSON sheet's unquoted ``1.50`` is kept as written
(:class:`WrittenFloat`), so its trailing zero still counts as a figure. How a
written number is judged is :mod:`derivations.check.precision`'s job.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_PLAIN = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?\s*$")
_TIMES_TEN = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?:\\times|\\cdot|x|\*|×)\s*10\s*\^\s*\{?\s*([+-]?\d{1,4})\s*\}?\s*$")


class WrittenFloat(float):
    """A float read from a sheet that remembers how it was written (``1.50`` is not ``1.5``)."""

    text: str

    def __new__(cls, text: str):
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __reduce__(self):
        return (WrittenFloat, (self.text,))


def to_float(value) -> float:
    """A float for an exact SymPy number, with enough digits that log(1 + 2e^-110) is not 0.

    ``sympy.N`` at a fixed precision can cancel such values to 0; the precision
    is raised until the value is not 0 (or stays 0 at 3000 digits). Results are
    cached: a class's answers are compared with the same few exact values.
    """
    if isinstance(value, (int, float)):
        return float(value)
    if getattr(value, "is_Rational", False):
        try:
            return int(value.p) / int(value.q)      # the quotient correctly rounded (Python's int division)
        except OverflowError:
            return math.copysign(math.inf, value.p)
    if getattr(value, "is_Float", False):
        key = value._mpf_
        found = _FLOATS.get(key)
        if found is None:
            if len(_FLOATS) >= 100_000:
                _FLOATS.clear()
            found = _FLOATS[key] = float(value)
        return found
    return _to_float(value)


#: float() of SymPy Floats by their mpf (a batch's 50-digit values are compared entry by entry, several times each,
#: and SymPy rounds each to 53 bits afresh)
_FLOATS: dict = {}


@lru_cache(maxsize=4096)
def _to_float(value) -> float:
    fast = _mp_float(value)
    if fast is not None:
        return fast
    import sympy
    approximation = sympy.S.Zero
    for digits in (30, 120, 600, 3000):
        approximation = sympy.N(value, digits)
        if approximation != 0:
            break
    return float(approximation)


def _mp_float(value) -> float | None:
    """The float of an expression made of rationals, e, +, *, powers, exp and log, evaluated with mpmath
    at 60 digits (shared parts once: the exponentials of a softmax), or None when it holds anything else
    or cancels below what 60 digits can tell (then SymPy's evalf, at rising precision, decides)."""
    import mpmath
    import sympy
    memo: dict = {}

    def walk(e):
        if e in memo:
            return memo[e]
        if e.is_Rational:
            result = mpmath.mpf(e.p) / e.q
        elif e is sympy.E:
            result = mpmath.e
        elif e.is_Add:
            terms = [walk(a) for a in e.args]
            result = mpmath.fsum(terms)
            if abs(result) < max(abs(t) for t in terms) * mpmath.mpf(10) ** -40:
                raise ValueError("cancellation")              # fewer than 20 digits left: evalf decides
        elif e.is_Mul:
            result = mpmath.fprod(walk(a) for a in e.args)
        elif e.is_Pow:
            result = mpmath.power(walk(e.base), walk(e.exp))
        elif isinstance(e, sympy.exp):
            result = mpmath.exp(walk(e.args[0]))
        elif isinstance(e, sympy.log) and len(e.args) == 1:
            result = mpmath.log(walk(e.args[0]))
        else:
            raise ValueError(type(e).__name__)
        memo[e] = result
        return result

    with mpmath.workdps(60):
        try:
            result = walk(value)
        except (ValueError, TypeError, ZeroDivisionError, OverflowError):
            return None
        if isinstance(result, mpmath.mpc) or not mpmath.isfinite(result) or result == 0:
            return None
        # a log of nearly 1 (log(1 + 2e-110)) loses digits too: trust only clear results
        if abs(result) < mpmath.mpf(10) ** -40:
            return None
        return float(result)


@dataclass(frozen=True)
class Written:
    """A number as written: its exact value and the exponent of its last digit (1.317 -> -3)."""

    value: Decimal
    last_place: int

    @property
    def significant_figures(self) -> int:
        digits = self.value.as_tuple().digits
        stripped = "".join(map(str, digits)).lstrip("0")
        return max(len(stripped), 1)

    def __float__(self) -> float:
        return float(self.value)


def read_number(text) -> Written | None:
    """The number ``text`` writes (``2``, ``-0.732``, ``3.38e-48``, ``3.38 \\times 10^{-48}``), or None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return Written(Decimal(text), 0)
    if isinstance(text, WrittenFloat):
        text = text.text
    elif isinstance(text, float):
        if not math.isfinite(text):
            return None
        text = repr(float(text))                 # float(): NumPy's float64 reprs as np.float64(...)
    return _read_text(str(text))


@lru_cache(maxsize=16384)
def _read_text(text: str) -> Written | None:
    """:func:`read_number` of a text (kept: an answer's entries are read when its kind is found and again when it is
    judged, and a class writes the same numbers)."""
    if len(text) > 100:
        return None
    match = _TIMES_TEN.match(text)
    if match:
        text = f"{match.group(1)}e{match.group(2)}"
    elif not _PLAIN.match(text):
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return Written(value, value.as_tuple().exponent)
