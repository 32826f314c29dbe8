"""The one exception of the loss language: a problem with a spec, said in one line that names its place."""
from __future__ import annotations

from ..engine.inputs import InputError


class SpecError(InputError):
    """A spec that does not parse, mixes shapes, names something unknown, or is too large.

    The message is one line: where (line and column, when known), then what.
    """

    def __init__(self, message: str, where: str | None = None):
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


def place(text: str, offset: int | None) -> str | None:
    """``line L, column C`` of ``offset`` in ``text`` (both from 1), or None."""
    if offset is None:
        return None
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


__all__ = ["SpecError", "place"]
