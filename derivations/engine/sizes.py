"""How much of a long sum or vector a report writes out.

Up to :data:`WRITE_OUT_LIMIT` terms (or entries) everything is written out; beyond, the printers
write the first :data:`HEAD` and the last :data:`TAIL` with "…" between them, and the worked
examples summarise what they would otherwise say class by class. Tables and JSON always hold
every entry. Nothing here computes: the numbers are the same at every size.
"""
from __future__ import annotations

#: sums and vectors of at most this many terms are written out in full (CIFAR-10's ten classes are)
WRITE_OUT_LIMIT = 10
#: beyond the limit: the first HEAD and the last TAIL are written, with "…" between them
HEAD = 3
TAIL = 2


def is_long(count: int) -> bool:
    """Whether ``count`` terms (or entries, or classes) are too many to write out."""
    return count > WRITE_OUT_LIMIT


def shown_positions(count: int) -> list:
    """The positions written out of ``count``: all of them, or the first HEAD and the last TAIL with None
    where "…" goes."""
    if not is_long(count):
        return list(range(count))
    return list(range(HEAD)) + [None] + list(range(count - TAIL, count))


def listed(items, limit: int = 6) -> str:
    """Names in words, at most ``limit`` of them: "cat, dog and 41 others"."""
    items = [str(i) for i in items]
    if len(items) <= limit:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return ", ".join(items[:limit - 1]) + f" and {len(items) - limit + 1} others"
