"""Naming a mistake: only when one kind of mistake explains the answer, and better than chance.

The candidates are the reference's variants (mistakes worked through for
this very given). A mistake is named when the variants that give the answer
are all of one kind (one tag: the label taken as class 1 or as class 2 is one
kind, "wrong-label"). When variants of several kinds give it, the answer is
one of the given's own coincidences (a loss of 0 that the wrong label and a
flipped Delta both produce): no mistake is named, and the feedback says which
ones it could be.

"Better than chance" for numbers: a variant matches an answer when they are
equal, or agree to the digits the answer gives provided those digits pin the
value down to within 15 % (0.4e-3 for 3.985e-4 does; 0.3 for 0.318 and a bare
0 for anything small do not).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .feedback import Code, Paragraph, foreign, listed, words

CHANCE_RESOLUTION = 0.15


@lru_cache(maxsize=1)
def one_mistake() -> dict:
    """Kinds of mistake that are one mistake in a student's eyes when they give the same answer: named as one."""
    from ..engine.notation import indicator, j, x
    from ..parse.names import i
    from .families.svm import _margin
    return {
        frozenset({"dropped-max", "margin-classes-lost"}): (
            "indicator-left-out", words("the indicator ", indicator(_margin(j)), " was left out (dropping the "
                                        "max leaves none either): the gradient is ", x[i], " only for the classes "
                                        "whose margin is positive")),
    }


@dataclass
class Diagnosis:
    """What the feedback says about a wrong answer's likely mistake."""

    tag: str | None                     # the mistake named, or None (nothing matched, or ambiguous)
    text: Paragraph | str = ""          # what the feedback says, in words and maths
    candidates: list = field(default_factory=list)   # the kinds of mistake that give the answer


def diagnose(variants, matches) -> Diagnosis:
    """The diagnosis among ``variants`` of the ones for which ``matches(variant)`` holds."""
    found = [variant for variant in variants if matches(variant)]
    if not found:
        return Diagnosis(None)
    tags = list(dict.fromkeys(variant.tag for variant in found))
    merged = one_mistake().get(frozenset(tags))
    if merged is not None:
        return Diagnosis(merged[0], words("Likely mistake: ", merged[1]), [merged[0]])
    if len(tags) == 1:
        descriptions = listed([_words(variant.description) for variant in found], "; or ")
        return Diagnosis(tags[0], words("Likely mistake: ", descriptions), tags)
    named = []
    for number, tag in enumerate(tags):
        named += ([", "] if number else []) + [Code(tag)]
    return Diagnosis(None, words("Several mistakes give this answer for this given (", *named, "), so none is named"),
                     tags)


def _words(description):
    return description if isinstance(description, Paragraph) else foreign(str(description))


def pins_down(written, value: float, scale: float | None = None) -> bool:
    """Whether the digits of ``written`` locate ``value`` to within :data:`CHANCE_RESOLUTION` of its size
    (of ``scale``, for an entry of a vector)."""
    size = abs(value) if scale is None else abs(scale)
    if size == 0:
        return False
    half_unit = 0.5 * 10.0 ** written.last_place
    return half_unit <= CHANCE_RESOLUTION * size
