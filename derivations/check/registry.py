"""What a quantity is, and the register the families fill in.

Each :class:`Quantity` names what it is (``svm.loss``), what it needs from
``given`` (scores, label, delta, scale), the notation an answer uses, and how
to get its :class:`Reference` from the engine's own derivation for that
given (``svm.gradient``, ``softmax.gradient``, ...). A family module in
:mod:`derivations.check.families` adds its quantities with :func:`register`;
:mod:`derivations.check.quantities` is where they are looked up.

A reference holds the exact value (a SymPy number or matrix) when the given
has scores, and the symbolic formula for case quantities (``dscore_correct``).
Its ``variants`` are the mistakes generated for this very instance. Numbers
are computed from the family's encoded loss (the expression the derivation
module differentiates: the tests check that both agree); the derivation itself,
verified step by step, is made only when a report shows it (``worked()``).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import sympy

from ..engine.inputs import InputError, label_index, number, score_vector

GIVEN_KEYS = ("scores", "label", "delta", "scale")


@dataclass(frozen=True)
class Given:
    """The data of a question, normalised: exact scores, label, margin Delta and score scale."""

    scores: tuple | None = None
    label: int | None = None
    delta: Any = sympy.Integer(1)
    scale: Any = sympy.Integer(1)

    @classmethod
    def read(cls, raw: dict | None) -> "Given":
        """A Given from a sheet's mapping; unknown keys or bad values raise InputError."""
        raw = dict(raw or {})
        unknown = set(raw) - set(GIVEN_KEYS)
        if unknown:
            raise InputError(f"unknown given key(s): {', '.join(sorted(map(str, unknown)))}")
        scores = tuple(score_vector(raw["scores"])) if raw.get("scores") is not None else None
        label = label_index(raw["label"], len(scores)) if scores is not None and "label" in raw else None
        if scores is None and raw.get("label") is not None:
            label = raw["label"] if isinstance(raw["label"], int) and not isinstance(raw["label"], bool) else None
            if label is None:
                raise InputError(f"label must be a class index, not {raw['label']!r}")
        delta = number(raw.get("delta", 1), "delta")
        scale = number(raw.get("scale", 1), "scale")
        if scale == 0:
            raise InputError("scale must not be 0")
        return cls(scores, label, delta, scale)

    def merged(self, raw: dict | None) -> "Given":
        """This given with an item's own ``given`` laid over it."""
        if not raw:
            return self
        base = {}
        if self.scores is not None:
            base["scores"] = list(self.scores)
        if self.label is not None:
            base["label"] = self.label
        base["delta"], base["scale"] = self.delta, self.scale
        base.update(raw)
        return Given.read(base)

    def __hash__(self):
        """Computed once: a given is a key of every cached reference and judgement."""
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, name) for name in self.__dataclass_fields__))
            object.__setattr__(self, "_hash", cached)
        return cached

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__dataclass_fields__}   # not the cached hash

    def __setstate__(self, state):
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def with_label(self, label: int) -> "Given":
        """This given with another label (the wrong-label mistakes are worked through with it)."""
        return replace(self, label=label)

    def restricted(self, keys) -> "Given":
        """Only the data ``keys`` names (the others at their defaults): the part a reference depends on."""
        default = Given()
        return Given(**{name: (getattr(self, name) if name in keys else getattr(default, name))
                        for name in self.__dataclass_fields__})

    def describe(self) -> str:
        parts = []
        if self.scores is not None:
            parts.append("scores = [" + ", ".join(str(v) for v in self.scores) + "]")
        if self.label is not None:
            parts.append(f"label = {self.label}")
        parts.append(f"Δ = {self.delta}")
        if self.scale != 1:
            parts.append(f"scale = {self.scale}")
        return ", ".join(parts)


@dataclass
class Variant:
    """A mistake worked through for this instance: what it gives, and what it is."""

    tag: str                    # short, stable: "kept-correct-term", "log10", ...
    description: str            # one line for the student
    value: Any = None           # exact SymPy number / matrix, when numeric
    expr: Any = None            # SymPy expression, when symbolic


@dataclass
class Reference:
    """What a quantity is for one given: exact value and/or formula, with its mistakes."""

    quantity: str
    value: Any = None           # exact SymPy number or ImmutableMatrix (None when symbolic)
    expr: Any = None            # the formula (for symbolic quantities)
    conditions: tuple = ()      # relations the formula holds under (k = y_i ...)
    variants: list = field(default_factory=list)
    derivation: Any = None      # the Derivation the reference came from (or ``derive``, to make it when needed)
    derive: Callable | None = None      # makes the Derivation, for reports that show the worked derivation
    recompute: Callable | None = None   # value from the student's own intermediates (see Quantity.depends_on)
    definitions: dict | None = None     # names a formula answer may use, with what they stand for
                                        # (y -> sigma(z)); None: the softmax probabilities p_j
    routes: list = field(default_factory=list)   # intermediates a student may round first (check.rounding.Route)
    cache: dict = field(default_factory=dict, repr=False, compare=False)   # worked out on first use (probes)

    def worked(self):
        """The derivation behind this reference, made on first use."""
        if self.derivation is None and self.derive is not None:
            self.derivation = self.derive()
        return self.derivation


@dataclass
class Quantity:
    """A quantity answers can give: how to read it and where its reference comes from."""

    name: str
    kind: str                   # "number", "vector", "matrix", "expression"
    notation: str               # what an answer looks like
    needs: tuple                # given keys it needs
    reference: Callable[[Given], Reference]
    depends_on: tuple = ()      # quantities it is computed from (for follow-through)
    uses: tuple | None = None   # the given keys its reference depends on (None: all of them); a formula's
                                # reference for another sheet's scores is the same reference

    def effective(self, given: Given) -> Given:
        """The part of ``given`` this quantity's reference depends on."""
        return given if self.uses is None else given.restricted(self.uses)

    def check_given(self, given: Given) -> None:
        missing = [key for key in self.needs if getattr(given, key) is None]
        if missing:
            raise InputError(f"{self.name} needs {', '.join(missing)} in given")


REGISTRY: dict[str, Quantity] = {}


def register(quantity: Quantity) -> Quantity:
    REGISTRY[quantity.name] = quantity
    return quantity
