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
from functools import lru_cache
from typing import Any, Callable

import sympy

from ..engine.inputs import InputError, label_index, number, number_vector, probability, score_vector

GIVEN_KEYS = ("scores", "label", "delta", "scale") + ("inputs", "weights", "target", "X", "y", "W", "reg", "reg_form")

#: a batch given inline on a sheet is small: at most this many entries of X and W together
MAX_INLINE_ENTRIES = 10_000


@dataclass(frozen=True)
class Given:
    """The data of a question, normalised: exact scores, label, margin Delta and score scale; for gradients
    with respect to the weights, the example's inputs and weights (D rows of K, or D numbers for logistic
    regression) and a target; or a small batch X, y, W with its regularisation reg and reg_form."""

    scores: tuple | None = None
    label: int | None = None
    delta: Any = sympy.Integer(1)
    scale: Any = sympy.Integer(1)
    inputs: tuple | None = None
    weights: tuple | None = None          # rows (tuples) of a weight matrix, or numbers (logistic regression)
    target: Any = None
    X: tuple | None = None
    y: tuple | None = None
    W: tuple | None = None
    reg: Any = sympy.Integer(0)
    reg_form: str = "full"

    @classmethod
    def read(cls, raw: dict | None) -> "Given":
        """A Given from a sheet's mapping; unknown keys or bad values raise InputError."""
        raw = dict(raw or {})
        unknown = set(raw) - set(GIVEN_KEYS)
        if unknown:
            raise InputError(f"unknown given key(s): {', '.join(sorted(map(str, unknown)))}")
        scores = tuple(score_vector(raw["scores"])) if raw.get("scores") is not None else None
        inputs = tuple(number_vector(raw["inputs"], "inputs")) if raw.get("inputs") is not None else None
        weights = _weights(raw.get("weights"), inputs)
        batch = _batch(raw)
        classes = len(scores) if scores is not None else (
            len(weights[0]) if weights and isinstance(weights[0], tuple) else (
                len(batch[2][0]) if batch and isinstance(batch[2][0], tuple) else None))
        label = label_index(raw["label"], classes) if classes is not None and raw.get("label") is not None else None
        if classes is None and raw.get("label") is not None:
            label = raw["label"] if isinstance(raw["label"], int) and not isinstance(raw["label"], bool) else None
            if label is None:
                raise InputError(f"label must be a class index, not {raw['label']!r}")
        delta = number(raw.get("delta", 1), "delta")
        scale = number(raw.get("scale", 1), "scale")
        if scale == 0:
            raise InputError("scale must not be 0")
        target = probability(raw["target"], "target") if raw.get("target") is not None else None
        reg = number(raw.get("reg", 0), "reg (lambda)")
        if reg < 0:
            raise InputError(f"reg (lambda) must be >= 0, not {raw.get('reg')}")
        reg_form = str(raw.get("reg_form", "full"))
        if reg_form not in ("full", "half"):
            raise InputError(f"reg_form must be full or half, not {reg_form!r}")
        X, y, W = batch if batch else (None, None, None)
        return cls(scores, label, delta, scale, inputs, weights, target, X, y, W, reg, reg_form)

    def merged(self, raw: dict | None) -> "Given":
        """This given with an item's own ``given`` laid over it.

        A batch (X, y, W) the item does not replace is kept as read (its exact entries are not read again: they
        are Fractions, which the batch reader, taking a sheet's numbers, refuses); a label is then checked
        against its classes as :meth:`read` would."""
        if not raw:
            return self
        if self.X is not None and not set(raw) & {"X", "y", "W"}:
            rest = replace(self, X=None, y=None, W=None).merged(raw)
            if rest.label is not None and rest.scores is None and rest.weights is None and \
                    isinstance(self.W[0], tuple) and rest.label != self.label:
                label_index(rest.label, len(self.W[0]))
            return replace(rest, X=self.X, y=self.y, W=self.W)
        base = {}
        for key in ("scores", "inputs", "weights", "target", "X", "y", "W"):
            value = getattr(self, key)
            if value is not None:
                base[key] = [list(v) if isinstance(v, tuple) else v for v in value] if isinstance(value, tuple) \
                    else value
        if self.label is not None:
            base["label"] = self.label
        base["delta"], base["scale"] = self.delta, self.scale
        base["reg"], base["reg_form"] = self.reg, self.reg_form
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

    @property
    def is_logistic_batch(self) -> bool:
        """A batch whose W is D numbers: logistic regression's weights, y its targets."""
        return self.X is not None and self.W is not None and not isinstance(self.W[0], tuple)

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
        if self.inputs is not None:
            parts.append("inputs = [" + ", ".join(str(v) for v in self.inputs) + "]")
        if self.weights is not None:
            parts.append("weights = " + _shown(self.weights))
        if self.X is not None and self.is_logistic_batch:
            parts.append(f"a batch of N = {len(self.X)}, D = {len(self.X[0])} (logistic regression)")
        elif self.X is not None:
            parts.append(f"a batch of N = {len(self.X)}, D = {len(self.X[0])}, K = {len(self.W[0])}")
        if self.label is not None:
            parts.append(f"label = {self.label}")
        if self.target is not None:
            parts.append(f"target = {self.target}")
        parts.append(f"Δ = {self.delta}")
        if self.scale != 1:
            parts.append(f"scale = {self.scale}")
        if self.X is not None:
            parts.append(f"λ = {self.reg} ({self.reg_form})")
        return ", ".join(parts)


def _shown(rows) -> str:
    if rows and isinstance(rows[0], tuple):
        return "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in rows) + "]"
    return "[" + ", ".join(str(v) for v in rows) + "]"


def _weights(raw, inputs):
    """Weights as D rows of K exact numbers (a list of lists, or "1,0;2,1"), or D numbers (logistic regression)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        as_rows = ";" in raw
    else:
        first = raw[0] if isinstance(raw, (list, tuple)) and raw else None
        as_rows = isinstance(first, (list, tuple)) or (isinstance(first, str) and "," in first)
    if not as_rows:
        return tuple(number_vector(raw, "weights"))
    from ..losses.weights import weight_rows
    rows = raw.split(";") if isinstance(raw, str) else list(raw)
    features = len(inputs) if inputs is not None else len(rows)
    return tuple(tuple(row) for row in weight_rows(rows, features))


def _batch(raw):
    """(X, y, W) of a batch given inline, as tuples of exact numbers (the decimals as written: 0.1 is 1/10) and
    labels, checked like --data; None without X. W given as D numbers (or one column) is logistic
    regression's weight vector, and y then holds N targets in [0, 1]."""
    if all(raw.get(key) is None for key in ("X", "y", "W")):
        return None
    given = {key: raw[key] for key in ("X", "y", "W") if raw.get(key) is not None}
    if _is_vector(given.get("W")):
        from ..losses.logistic_batch import read_batch as read_logistic
        _batch_size(given)
        read_logistic(given)                    # checks shapes, finiteness and the targets' range
        X = _exact_rows(given["X"], "X")
        weights = [row[0] if isinstance(row, (list, tuple)) else row for row in given["W"]]
        W = tuple(_exact(v, f"W[{d}]") for d, v in enumerate(weights))
        y = tuple(_exact(v, f"y[{n}]") for n, v in enumerate(given["y"]))
        return X, y, W
    from ..losses.batch_numbers import read_batch
    _batch_size(given)
    found = read_batch(given)
    if found.X.size + found.W.size > MAX_INLINE_ENTRIES:
        raise InputError(f"a batch given on a sheet has at most {MAX_INLINE_ENTRIES} entries of X and W; "
                         f"this one has {found.X.size + found.W.size}")
    return _exact_rows(given["X"], "X"), tuple(int(v) for v in found.y), _exact_rows(given["W"], "W")


def _is_vector(W) -> bool:
    """Whether W is D numbers (or a single column of them): logistic regression's weights."""
    if not isinstance(W, (list, tuple)) or not W:
        return False
    if all(not isinstance(v, (list, tuple)) for v in W):
        return True
    return all(isinstance(v, (list, tuple)) and len(v) == 1 for v in W)


def _batch_size(given) -> None:
    """Refuse a batch too large for a sheet before anything is converted."""
    count = 0
    for key in ("X", "W"):
        value = given.get(key)
        if isinstance(value, (list, tuple)):
            count += sum(len(row) if isinstance(row, (list, tuple)) else 1 for row in value)
    if count > MAX_INLINE_ENTRIES:
        raise InputError(f"a batch given on a sheet has at most {MAX_INLINE_ENTRIES} entries of X and W; "
                         f"this one has {count}")


def _exact(value, what):
    """An entry of a batch as an exact Fraction: a sheet's decimal as written (0.1 is 1/10)."""
    from fractions import Fraction

    from .numeric import WrittenFloat
    if isinstance(value, WrittenFloat):
        return _decimal_fraction(value.text)             # checked finite and in range by read_batch
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    exact = number(value, what)
    return Fraction(int(exact.p), int(exact.q))


@lru_cache(maxsize=4096)
def _decimal_fraction(text: str):
    """A decimal as written on a sheet as a Fraction (kept: a class's batches repeat the same short decimals)."""
    from fractions import Fraction
    return Fraction(text)


def _exact_rows(rows, name) -> tuple:
    return tuple(tuple(_exact(v, f"{name}[{r}, {c}]") for c, v in enumerate(row)) for r, row in enumerate(rows))


@dataclass
class Variant:
    """A mistake worked through for this instance: what it gives, and what it is."""

    tag: str                    # short, stable: "kept-correct-term", "log10", ...
    description: str            # one line for the student
    value: Any = None           # exact SymPy number / matrix, when numeric
    expr: Any = None            # SymPy expression, when symbolic


class LazyVariants(list):
    """A reference's mistakes, worked out on first use: a right answer never needs them (a batch's take longer to
    evaluate than its reference)."""

    def __init__(self, make: Callable):
        super().__init__()
        self._make = make

    def _fill(self):
        if self._make is not None:
            make, self._make = self._make, None
            super().extend(make())

    def __iter__(self):
        self._fill()
        return super().__iter__()

    def __len__(self):
        self._fill()
        return super().__len__()

    def __getitem__(self, index):
        self._fill()
        return super().__getitem__(index)

    def __bool__(self):
        return len(self) > 0

    def __add__(self, other):
        self._fill()
        return list(super().__iter__()) + list(other)

    def __iadd__(self, other):
        self._fill()
        return super().__iadd__(other)

    def append(self, value):
        self._fill()
        super().append(value)

    def extend(self, values):
        self._fill()
        super().extend(values)


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
    recompute_uses: tuple | None = None  # the entries of the intermediate ``recompute`` reads (None: all)
    definitions: dict | None = None     # names a formula answer may use, with what they stand for
                                        # (y -> sigma(z)); None: the softmax probabilities p_j
    interpret: Callable | None = None   # a formula answer in vectors (w_j^T x_i) -> its entry d, in components
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
    kind: str                   # "number", "vector", "matrix", "array" (a vector or a matrix, by the given),
                                # "expression"
    notation: str               # what an answer looks like
    needs: tuple                # given keys it needs
    reference: Callable[[Given], Reference]
    depends_on: tuple = ()      # quantities it is computed from (for follow-through)
    uses: tuple | None = None   # the given keys its reference depends on (None: all of them); a formula's
                                # reference for another sheet's scores is the same reference
    batch: bool = False         # also for a batch given inline (X, y, W), instead of what ``needs`` names

    def effective(self, given: Given) -> Given:
        """The part of ``given`` this quantity's reference depends on."""
        return given if self.uses is None else given.restricted(self.uses)

    def check_given(self, given: Given) -> None:
        if self.batch and given.X is not None:
            return
        missing = [key for key in self.needs if getattr(given, key) is None]
        if missing:
            alternative = ", or a batch X, y and W" if self.batch else ""
            raise InputError(f"{self.name} needs {', '.join(missing)}{alternative} in given")


REGISTRY: dict[str, Quantity] = {}


def register(quantity: Quantity) -> Quantity:
    REGISTRY[quantity.name] = quantity
    return quantity
