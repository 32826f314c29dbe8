"""Numbers as students write them, and how close is close enough.

An answer ``1.317`` is read exactly (``Decimal``) with its precision: the
place of its last digit (10^-3). The reference is then compared

* within a relative tolerance (default 0.1 %), or
* at the answer's own precision: the reference rounded to the answer's last
  digit, the last digit allowed to be off by one, provided the answer has at
  least three significant figures (``1`` for 1.318 is not an answer to the
  digits given);
* and near zero: a reference smaller than half a unit of the answer's last
  place, answered ``0``, is correct with a note.

Truncation (0.004 for 0.0049...) is told apart from rounding (0.005).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from functools import lru_cache

DEFAULT_RELATIVE = 1e-3
_PLAIN = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?\s*$")
_TIMES_TEN = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?:\\times|\\cdot|x|\*|×)\s*10\s*\^\s*\{?\s*([+-]?\d{1,4})\s*\}?\s*$")


def to_float(value) -> float:
    """A float for an exact SymPy number, with enough digits that log(1 + 2e^-110) is not 0.

    ``sympy.N`` at a fixed precision can cancel such values to 0; the precision
    is raised until the value is not 0 (or stays 0 at 3000 digits). Results are
    cached: a class's answers are compared with the same few exact values.
    """
    if isinstance(value, (int, float)):
        return float(value)
    return _to_float(value)


@lru_cache(maxsize=4096)
def _to_float(value) -> float:
    import sympy
    approximation = sympy.S.Zero
    for digits in (30, 120, 600, 3000):
        approximation = sympy.N(value, digits)
        if approximation != 0:
            break
    return float(approximation)


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
    if isinstance(text, float):
        if not math.isfinite(text):
            return None
        text = repr(text)
    text = str(text)
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
    return Written(value, value.as_tuple().exponent)


def round_to(value: float, place: int, mode=ROUND_HALF_EVEN) -> Decimal:
    """``value`` rounded (or truncated, with ROUND_DOWN) to the digit 10^place."""
    with localcontext() as context:
        context.prec = 60
        return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(place), rounding=mode)


@dataclass(frozen=True)
class Closeness:
    """How an answer relates to a reference number."""

    ok: bool
    how: str            # "exact", "tolerance", "precision", "last-digit", "near-zero", "truncated", "no"
    note: str = ""


def compare(answer: Written, reference: float, relative: float = DEFAULT_RELATIVE,
            absolute: float | None = None) -> Closeness:
    """Whether ``answer`` is ``reference`` to the precision it was given, or within tolerance."""
    a = float(answer.value)
    r = float(reference)
    if a == r:
        return Closeness(True, "exact")
    if absolute is not None and abs(a - r) <= absolute:
        return Closeness(True, "tolerance")
    if r != 0 and abs(a - r) <= relative * abs(r):
        return Closeness(True, "tolerance")
    unit = 10.0 ** answer.last_place
    if r == 0:
        return Closeness(abs(a) <= 1e-12, "tolerance" if abs(a) <= 1e-12 else "no")
    if a == 0 and abs(r) < unit / 2:
        return Closeness(True, "near-zero", f"the exact value {r:.3g} rounds to 0 at the digits given")
    enough_digits = unit <= 0.01 * abs(r)
    rounded = round_to(r, answer.last_place)
    if enough_digits and answer.value == rounded:
        return Closeness(True, "precision")
    if enough_digits and abs(answer.value - rounded) <= Decimal(1).scaleb(answer.last_place) * Decimal("1.0000001"):
        return Closeness(True, "last-digit", f"the last digit is off by one: {r:.6g} rounds to {rounded}")
    truncated = round_to(r, answer.last_place, ROUND_DOWN)
    if answer.value == truncated and truncated != rounded and (enough_digits or abs(r) < 0.1):
        return Closeness(True, "truncated", f"{r:.4g} was truncated to {truncated}; rounding gives {rounded}")
    return Closeness(False, "no")


def same_to_the_digits_given(answer: Written, value: float) -> bool:
    """Whether ``value`` rounds to ``answer`` at the answer's last digit, however few digits it has.

    Used to recognise a *mistake* (0.4e-3 is log10's 3.985e-4), never to accept an answer.
    """
    return answer.value == round_to(value, answer.last_place)
