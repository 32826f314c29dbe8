"""Checking what users pass in: scores, labels, class names, numbers.

Each check raises :class:`InputError` with one line that names the problem;
the CLI prints it and exits with status 2.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

from sympy import Rational

MAX_CLASSES = 1000
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$")


class InputError(ValueError):
    """Bad input from a user: the message is one line naming the problem."""


def number(value, what: str) -> Rational:
    """An exact rational from a finite int, float or decimal string; ``what`` names it in errors."""
    if isinstance(value, bool):
        raise InputError(f"{what} must be a number, not {value!r}")
    if isinstance(value, int):
        return Rational(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{what} must be a finite number, not {value}")
        fraction = Fraction(repr(float(value)))           # float(): NumPy's float64 reprs as np.float64(...)
        return Rational(fraction.numerator, fraction.denominator)
    if isinstance(value, Fraction):
        return Rational(value.numerator, value.denominator)
    if isinstance(value, Rational):
        return value
    text = str(value).strip()
    if text.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        raise InputError(f"{what} must be a finite number, not {text!r}")
    if not _NUMBER.match(text):
        raise InputError(f"{what} must be a number, not {text!r}")
    fraction = Fraction(text)
    return Rational(fraction.numerator, fraction.denominator)


def score_vector(values, what: str = "scores") -> list[Rational]:
    """Scores from a list or a comma-separated string; at least two classes."""
    if values is None:
        raise InputError(f"{what} are missing")
    if isinstance(values, str):
        parts = [part.strip() for part in values.split(",")]
        if values.strip() == "":
            raise InputError(f"{what} are empty: give numbers separated by commas, e.g. 3,-1,4")
    else:
        parts = list(values)
    if any(part == "" for part in parts):
        raise InputError(f"{what} have an empty entry: give numbers separated by commas, e.g. 3,-1,4")
    if len(parts) < 2:
        raise InputError(f"{what} need at least two classes, got {len(parts)}")
    if len(parts) > MAX_CLASSES:
        raise InputError(f"{what} have {len(parts)} classes; at most {MAX_CLASSES} are supported")
    return [number(part, f"score {i} ({part!r})" if isinstance(part, str) else f"score {i}")
            for i, part in enumerate(parts)]


def label_index(label, count: int) -> int:
    """A label in 0 .. count-1."""
    if label is None:
        raise InputError("a label is needed with --scores (e.g. --label 0)")
    if isinstance(label, bool) or not isinstance(label, int):
        try:
            label = int(str(label).strip())
        except ValueError:
            raise InputError(f"label must be a class index 0..{count - 1}, not {label!r}") from None
    if not 0 <= label < count:
        raise InputError(f"label {label} is outside 0..{count - 1} for {count} classes")
    return label


def class_names(names, count: int) -> list[str]:
    """Class names from a list or a comma-separated string; one per score, distinct."""
    if names is None:
        return [str(i) for i in range(count)]
    if isinstance(names, str):
        names = [part.strip() for part in names.split(",")]
    names = [str(n) for n in names]
    if len(names) != count:
        raise InputError(f"{len(names)} class names given for {count} scores")
    if any(n == "" for n in names):
        raise InputError("class names must not be empty")
    if len(set(names)) != len(names):
        raise InputError("class names must be distinct")
    if any(len(n) > 100 for n in names):
        raise InputError("class names must be at most 100 characters long")
    return names


MAX_FEATURES = 1000


def number_vector(values, what: str, example: str = "0.5,-1") -> list[Rational]:
    """Numbers from a list or a comma-separated string (at least one): weights, inputs."""
    if values is None:
        raise InputError(f"{what} are missing")
    if isinstance(values, str):
        if values.strip() == "":
            raise InputError(f"{what} are empty: give numbers separated by commas, e.g. {example}")
        parts = [part.strip() for part in values.split(",")]
    elif isinstance(values, (list, tuple)):
        parts = list(values)
    else:
        parts = [values]
    if any(part == "" for part in parts):
        raise InputError(f"{what} have an empty entry: give numbers separated by commas, e.g. {example}")
    if len(parts) > MAX_FEATURES:
        raise InputError(f"{what} have {len(parts)} entries; at most {MAX_FEATURES} are supported")
    singular = what[:-1] if what.endswith("s") else what
    return [number(part, f"{singular} {i} ({part!r})" if isinstance(part, str) else f"{singular} {i}")
            for i, part in enumerate(parts)]


def probability(value, what: str) -> Rational:
    """A number in 0..1 (a target of binary cross-entropy: 0, 1, or a soft target between)."""
    result = number(value, what)
    if not 0 <= result <= 1:
        raise InputError(f"{what} must be between 0 and 1 (a class 0/1 or a probability), not {value}")
    return result


def worked_example(scores, label, classes):
    """(scores, label, class names) for a worked example, or (None, None, None) without scores.

    A label or class names without scores is an error: they only mean something with scores.
    """
    if scores is None:
        if label is not None or classes is not None:
            raise InputError("--label and --classes need --scores")
        return None, None, None
    values = score_vector(scores)
    return values, label_index(label, len(values)), class_names(classes, len(values))
