"""Checking a written derivation line by line (``derive verify``).

    document.py    the text taken apart: LaTeX, Markdown with maths, plain text; rows of aligned maths; hints
    statements.py  one row: its label, its clauses (statement, conditions, justification) and its chains
    names.py       what the text's names stand for (the resolver of :mod:`derivations.parse.written`)
    context.py     what the prose says: problems, loss labels, class names, hints
    expand.py      the text's definitions put into an expression
    judging.py     one step decided by the engine's verifier; counterexamples; numbers at their precision
    mistakes.py    the generated mistake that explains a wrong step
    checker.py     the text read in order, with its definitions, cases, given values and facts
    runner.py      a time and memory bound per line (a worker process)
    verdicts.py    entries, context lines, the outcome
    report.py      text, Markdown, LaTeX and JSON
"""
from __future__ import annotations

from ...files import FileProblem, read_bytes
from .document import DocumentError
from .runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, check_text
from .verdicts import Outcome

#: bytes of a text read at most
MAX_BYTES = 400_000

__all__ = ["check_text", "check_file", "read_text", "Outcome", "DocumentError", "TextError",
           "DEFAULT_TIMEOUT", "DEFAULT_MEMORY_MB"]


class TextError(ValueError):
    """The text cannot be read at all (missing, not UTF-8, too long, an unclosed $$): one line saying why."""


def read_text(path) -> str:
    """The text of ``path`` (UTF-8), refused when it is not a regular file (a FIFO, a device, a folder) or too long."""
    try:
        return read_bytes(path, MAX_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        raise TextError(f"{path}: not UTF-8 text") from None
    except FileProblem as error:
        raise TextError(str(error)) from None


def check_file(path, **options) -> Outcome:
    """The :class:`Outcome` of checking the text in ``path`` (see :func:`check_text`)."""
    text = read_text(path)
    try:
        return check_text(text, str(path), **options)
    except DocumentError as error:
        raise TextError(f"{path}: {error}") from None
