"""Checking what users pass in: scores, labels, class names, numbers.

Each check raises :class:`InputError` with one line that names the problem;
the CLI prints it and exits with status 2.
"""
from __future__ import annotations

import math
import re
import sys
from fractions import Fraction

from sympy import Rational

MAX_CLASSES = 1000
#: float64's largest finite number and its smallest positive (subnormal) one
FLOAT64_MAX = Fraction(int(sys.float_info.max))
FLOAT64_SMALLEST = Fraction(5e-324) / 2          # numbers below this round to 0.0
#: the largest |u| of an e^u computed exactly (softmax's e^{s_j}, the sigmoid's e^{-z}): e^3000 is about
#: 10^1303, and exact arithmetic then carries about 2,600 digits; past it a command would take minutes
MAX_EXPONENT = 3000
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$")


class InputError(ValueError):
    """Bad input from a user: the message is one line naming the problem."""


def number(value, what: str) -> Rational:
    """An exact rational from a finite int, float or decimal string; ``what`` names it in errors.

    Numbers beyond float64 (|x| above about 1.8e308, or not 0 but below 4.9e-324) are refused: every
    result is also written as a float64 number, and such an input could not be.
    """
    result = _exact_number(value, what)
    magnitude = abs(Fraction(int(result.p), int(result.q)))
    if magnitude > FLOAT64_MAX:
        raise InputError(f"{what} is beyond float64's range (about 1.8e308)")
    if 0 < magnitude < FLOAT64_SMALLEST:
        raise InputError(f"{what} is too small for float64 (not 0, but below 4.9e-324)")
    return result


def _exact_number(value, what: str) -> Rational:
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
    if len(parts) == 1 and isinstance(parts[0], str) and len(parts[0].split()) > 1:
        raise InputError(f"{what} must be numbers separated by commas, not {parts[0]!r} (e.g. 3,-1,4)")
    if len(parts) < 2:
        raise InputError(f"{what} need at least two classes, got {len(parts)}")
    if len(parts) > MAX_CLASSES:
        raise InputError(f"{what} have {len(parts)} classes; at most {MAX_CLASSES} are supported")
    return [number(part, f"score {i} ({part!r})" if isinstance(part, str) else f"score {i}")
            for i, part in enumerate(parts)]


def float64(value):
    """``value`` as a float, or None when float64 cannot hold it (beyond about 1.8e308)."""
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def exponent_bound(values, label, what: str = "scores") -> None:
    """Refuse scores whose e^{s_j} or e^{s_j - s_{y_i}} (``label`` None: e^{s_j - max s}) would need more
    than :data:`MAX_EXPONENT` in the exponent: the exact arithmetic would run for minutes."""
    reference = values[label] if label is not None else max(values)
    for i, v in enumerate(values):
        if abs(v) > MAX_EXPONENT or abs(v - reference) > MAX_EXPONENT:
            raise InputError(f"{what}: s_{i} = {float(v):.6g} is too large for exact arithmetic: e^(s_j) is "
                             f"computed exactly for |s_j| and score gaps up to {MAX_EXPONENT} (about 2,600 digits)")


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


#: features of logistic regression: CIFAR-10's 3,072 pixel values and a bias fit
MAX_FEATURES = 4096


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


#: the homework's worked example: the scores of cat, dog and bird for an image of a cat
HOMEWORK_SCORES, HOMEWORK_LABEL, HOMEWORK_CLASSES = ("3", "-1", "4"), 0, ("cat", "dog", "bird")


def worked_example(scores, label, classes, default=False):
    """(scores, label, class names) for a worked example, or (None, None, None) without scores.

    A label or class names without scores is an error: they only mean something with scores.
    ``default``: without scores, the homework's example (3, -1, 4; label 0; cat, dog, bird).
    """
    if scores is None and default and label is None and classes is None:
        return worked_example(",".join(HOMEWORK_SCORES), HOMEWORK_LABEL, ",".join(HOMEWORK_CLASSES))
    if scores is None:
        if label is not None or classes is not None:
            raise InputError("--label and --classes need --scores")
        return None, None, None
    values = score_vector(scores)
    return values, label_index(label, len(values)), class_names(classes, len(values))
