"""Numbers compared as a TA would: to a relative tolerance, and not-a-number exactly where the other is.

A student's loss or dW is *close* to a reference (or to a candidate mistake) when both are finite
in the same places, and where finite every entry agrees to within ``RTOL`` of its own size plus
``ATOL_SCALE`` x RTOL of the largest entry (an entry that cancels to near 0 is judged on the scale
of the matrix, not on its own). A float64 implementation summing in another order differs by
about 1e-15; the mistakes of the catalogue differ by far more than 1e-6.
"""
from __future__ import annotations

import numpy as np

RTOL = 1e-6
ATOL_SCALE = 1e-2


def close(value, expected, rtol: float = RTOL) -> bool:
    """Whether ``value`` (the student's) agrees with ``expected``: same shape, same non-finite entries."""
    a = np.asarray(value, dtype=float)
    b = np.asarray(expected, dtype=float)
    if a.shape != b.shape:
        return False
    finite_a, finite_b = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(finite_a, finite_b):
        return False
    if not finite_b.any():
        return True
    x, y = a[finite_b], b[finite_b]
    scale = max(float(np.max(np.abs(y))), float(np.max(np.abs(x))))
    return bool(np.all(np.abs(x - y) <= rtol * (np.maximum(np.abs(x), np.abs(y)) + ATOL_SCALE * scale)))


def largest_difference(value, expected) -> tuple:
    """(index, student's entry, expected entry) where they differ most (a non-finite entry first)."""
    a = np.asarray(value, dtype=float)
    b = np.asarray(expected, dtype=float)
    mismatch = np.isfinite(a) != np.isfinite(b)
    if mismatch.any():
        index = tuple(int(i) for i in np.argwhere(mismatch)[0])
        return index, float(a[index]), float(b[index])
    with np.errstate(invalid="ignore"):
        gap = np.where(np.isfinite(a) & np.isfinite(b), np.abs(a - b), 0.0)
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), a.shape)) if a.size else ()
    return index, float(a[index]) if a.size else float("nan"), float(b[index]) if b.size else float("nan")


def number(value: float, digits: int = 6) -> str:
    """A number for a report: ``digits`` significant figures, nan and inf spelled out."""
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return f"{value:.{digits}g}"
