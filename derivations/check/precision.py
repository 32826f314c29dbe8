"""The precision policy: when a number a student wrote is right, and what to tell them when it is not.

The policy (defaults in brackets; a sheet's or an item's ``precision:`` changes them):

* **exact**: an answer equal to the exact value is right however it is written
  (``2`` for a loss of 2, ``0.5`` for 1/2).
* **significant figures** [3]: otherwise the answer must be right to at least
  ``sig_figs`` significant figures: the exact value and the answer, both
  rounded at the place of the exact value's ``sig_figs``-th figure, agree.
  An answer right to every digit it writes is right (0.7275 for 0.727475);
  digits written beyond the required place are otherwise not marked (1.3185
  is read at 3 figures as 1.32). An answer written with fewer figures is refused with how many
  were needed (1.3 for 1.318: "3 are needed: 1.32"), even when right as far
  as it goes. For a vector or matrix, figures count from its largest entry,
  so [0.268, 0.005, 0.727] is written to 3 figures, and an entry that is 0
  to those figures may be written 0.
* **truncation** [accepted, with a note]: 1.31 for 1.318 (the digits cut
  rather than rounded) is accepted, saying so; ``truncation: false`` refuses it.
* **near zero**: a number below half a unit of the (sig_figs + 1)-th decimal
  (5e-5 by default) may be answered 0, with a note; so may the entries of a
  vector whose entries are all that small.
* **rounded intermediates** [2]: an answer that follows from intermediates
  (the probabilities p, the exponentials e^{s_j}) rounded to at least
  ``intermediate_figures`` significant figures each is accepted with a note
  saying which rounding gives it, provided that rounding still gives the
  exact value to ``intermediate_figures`` figures (see :mod:`.rounding`).
* **tolerance**: an item's ``tolerance: {relative: r, absolute: a}`` also
  accepts anything that close.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Context, Decimal

from ..engine.inputs import InputError

PRECISION_KEYS = ("sig_figs", "intermediate_figures", "truncation")


@dataclass(frozen=True)
class Precision:
    """How many figures a number must be right to, and which roundings are accepted."""

    sig_figs: int = 3
    intermediate_figures: int = 2
    truncation: bool = True
    relative: float | None = None        # an item's tolerance, when it sets one
    absolute: float | None = None

    def merged(self, raw: dict | None, what: str = "precision") -> "Precision":
        """This policy with the keys of a sheet's or item's ``precision:`` mapping laid over it."""
        if not raw:
            return self
        if not isinstance(raw, dict) or set(map(str, raw)) - set(PRECISION_KEYS):
            raise InputError(f"{what} may set {', '.join(PRECISION_KEYS)}, e.g. {{sig_figs: 3}}")
        values = {}
        for key in ("sig_figs", "intermediate_figures"):
            if key in raw:
                value = raw[key]
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 15:
                    raise InputError(f"{what}: {key} must be a whole number from 1 to 15, not {value!r}")
                values[key] = value
        if "truncation" in raw:
            if not isinstance(raw["truncation"], bool):
                raise InputError(f"{what}: truncation must be true or false, not {raw['truncation']!r}")
            values["truncation"] = raw["truncation"]
        return Precision(**{**self.__dict__, **values})

    def with_tolerance(self, tolerance: dict | None) -> "Precision":
        if not tolerance:
            return self
        return Precision(self.sig_figs, self.intermediate_figures, self.truncation,
                         tolerance.get("relative"), tolerance.get("absolute"))

    @property
    def zero_below(self) -> float:
        """A single number smaller than this may be answered 0."""
        return 0.5 * 10.0 ** -(self.sig_figs + 1)

    def describe(self) -> str:
        """The policy in one sentence, for --list-quantities and feedback reports."""
        truncation = "truncated digits accepted with a note" if self.truncation else "truncated digits refused"
        return (f"numbers right to {self.sig_figs} significant figures (exact values however written; "
                f"{truncation}; 0 for a value below {self.zero_below:g}), or following from intermediates "
                f"rounded to at least {self.intermediate_figures} figures")


DEFAULT = Precision()


@dataclass(frozen=True)
class Closeness:
    """How an answer relates to a reference number: whether it is accepted, by which rule, and what to say."""

    ok: bool
    how: str            # exact | tolerance | figures | figures-required | truncated | near-zero | too-few-figures | no
    note: object = ""   # what to say: words, or a paragraph of words and numbers (see :mod:`.feedback`)
    shows: str = ""     # too-few-figures: how many figures the answer shows ("2 significant figures")


def decimal_of(value: float) -> Decimal:
    return Decimal(repr(float(value)))


_CONTEXT = Context(prec=80)
_UNITS: dict = {}


def round_at(value, place: int, mode=ROUND_HALF_EVEN) -> Decimal:
    """``value`` (float or Decimal) rounded, or truncated with ROUND_DOWN, at the digit 10^place."""
    number = value if isinstance(value, Decimal) else decimal_of(value)
    unit = _UNITS.get(place)
    if unit is None:
        unit = _UNITS[place] = Decimal(1).scaleb(place)
    return number.quantize(unit, rounding=mode, context=_CONTEXT)


def leading_place(value: float) -> int:
    """The place of the first significant digit of ``value`` (0.0049 -> -3, 54.6 -> 1); ``value`` is not 0."""
    return math.floor(math.log10(abs(value)))


def required_place(scale: float, figures: int) -> int:
    """The place of the ``figures``-th significant digit of ``scale`` (once rounded there: 0.9996 -> 1.00)."""
    place = leading_place(scale) - figures + 1
    if abs(round_at(scale, place)) >= Decimal(1).scaleb(place + figures):
        place += 1
    return place


def figures_written(last_place: int, scale: float) -> int:
    """How many significant figures an answer written to the digit 10^last_place shows for ``scale``."""
    return leading_place(scale) - last_place + 1


def _shown(value: Decimal) -> str:
    text = format(value, "f") if -12 < value.adjusted() < 15 else format(value, "e")
    return text


def _number(value):
    """A Decimal or float as the feedback shows it (a SymPy number with the digits of :func:`_shown`)."""
    from .feedback import decimal
    return decimal(_shown(value) if isinstance(value, Decimal) else f"{value:.3g}")


def _said(*parts):
    from .feedback import words
    return words(*parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def judge_written(written, exact_is_equal: bool, reference: float, policy: Precision = DEFAULT,
                  scale: float | None = None) -> Closeness:
    """Whether ``written`` (a :class:`~.numeric.Written`) is ``reference`` under ``policy``.

    ``exact_is_equal`` says whether the answer equals the exact value (decided
    by the caller in exact arithmetic). ``scale`` is the magnitude figures are
    counted from: the largest entry of a vector, or the value itself.
    """
    if exact_is_equal:
        return Closeness(True, "exact")
    a = written.value
    r = float(reference)
    difference = abs(float(a) - r)
    if policy.absolute is not None and difference <= policy.absolute:
        return Closeness(True, "tolerance", _said("within the item's absolute tolerance of ",
                                                  _number(Decimal(f"{policy.absolute:g}"))))
    if policy.relative is not None and r != 0 and difference <= policy.relative * abs(r):
        return Closeness(True, "tolerance", _said("within the item's relative tolerance of ",
                                                  _number(Decimal(f"{policy.relative:.3g}"))))
    single = scale is None
    scale = abs(r) if scale is None else abs(float(scale))
    if scale == 0 or not math.isfinite(scale):
        return Closeness(False, "no")
    if a == 0 and scale < policy.zero_below:
        if single:
            return Closeness(True, "near-zero", _said("the exact value ", _number(r), " is 0 to the figures asked for"))
        return Closeness(True, "near-zero", _said("the exact entries are at most ", _number(scale), " in size: 0 to "
                                                  "the figures asked for"))
    place = required_place(scale, policy.sig_figs)
    if not single and a == 0 and round_at(r, place) == 0:
        return Closeness(True, "figures")               # an entry that is 0 to the vector's figures, written 0
    if difference > 1.01 * 10.0 ** max(place, written.last_place):
        return Closeness(False, "no")                   # farther than any rule below accepts or explains
    if written.last_place > place:                      # fewer figures than the policy asks for
        shows = figures_written(written.last_place, scale)
        needed = round_at(r, place)
        short_by_nature = needed == decimal_of(r)          # 2.5 is not "2, right as far as it goes"
        if short_by_nature or shows < 1:
            return Closeness(False, "no")
        if a == round_at(r, written.last_place) or (policy.truncation and a == round_at(r, written.last_place, ROUND_DOWN)):
            shown = "no significant figure" if shows < 1 else _plural(shows, "significant figure")
            return Closeness(False, "too-few-figures",
                             _said(f"right as far as it goes, but it shows {shown}: {policy.sig_figs} are needed (",
                                   _number(needed), ")"), shown)
        return Closeness(False, "no")
    if a == round_at(r, written.last_place):
        return Closeness(True, "figures")                     # right to every digit written
    if policy.truncation and a == round_at(r, written.last_place, ROUND_DOWN):
        return Closeness(True, "truncated", _said(_number(Decimal(f"{r:.6g}")), " was truncated to ", _number(a),
                                                  "; rounding gives ", _number(round_at(r, written.last_place))))
    unit = Decimal(1).scaleb(place)
    # right to the figures required, not beyond: within half a unit there (0.545 for 0.535 is a unit off, though
    # both round to 0.54 half-even), and rounding to the same figures
    if abs(a - decimal_of(r)) <= unit / 2 and abs(round_at(a, place) - decimal_of(r)) <= unit / 2:
        return Closeness(True, "figures-required",
                         _said(f"right to {policy.sig_figs} significant figures (", _number(round_at(r, place)),
                               "); the digits after those are not marked"))
    return Closeness(False, "no")


def judge_float(value: float, reference: float, policy: Precision = DEFAULT, scale: float | None = None) -> bool:
    """Whether an answer that is not a written decimal (-ln 0.268, a fraction) is ``reference``: agreement to
    the required figures, or within the item's tolerance."""
    difference = abs(value - reference)
    if policy.absolute is not None and difference <= policy.absolute:
        return True
    if policy.relative is not None and difference <= policy.relative * abs(reference):
        return True
    scale = abs(reference) if scale is None else abs(scale)
    if scale == 0:
        return value == 0
    place = required_place(scale, policy.sig_figs)
    return difference <= 0.5 * 10.0 ** place * (1 + 1e-9)


def same_at_the_digits_given(written, value: float) -> bool:
    """Whether ``value`` rounds to ``written`` at the answer's last digit, however few digits it has.

    Used to recognise a *mistake* (0.4e-3 is log10's 3.985e-4), never to accept an answer.
    """
    return written.value == round_at(value, written.last_place)
