"""Checking a written derivation line by line (``derive verify``).

    document.py    the text taken apart: LaTeX, Markdown with maths, plain text; rows of aligned maths; hints
    running.py     maths in running text: a line of words with formulas in it, taken apart
    statements.py  one row: its label, its clauses (statement, conditions, justification) and its chains
    roles.py       the course's letters, the roles of their indices, a definition
    names.py       what the text's names stand for (the resolver of :mod:`derivations.parse.written`), with
                   names_arrays.py (vectors, matrices) and names_examples.py (L_n, p_{nc}, x^{(n)})
    context.py     what the prose says: problems, loss labels, class names, cases, hints, --given
    expand.py      the text's definitions put into an expression
    judging.py     one step decided by the engine's verifier; counterexamples; numbers at their precision
    mistakes.py    the generated mistake that explains a wrong step
    checker.py     the jobs below around a shared state (state.py), one object each:
      reader.py      the text read in order, each row of maths taken apart into chains
      setup.py       problems, prose, hints, given values
      definitions.py a name's definition (the general case, completion, constraints); forms.py its forms
      cases.py       cases on indices and on real quantities; the case a step holds in
      steps.py       one step read and its entry made; decisions.py its verdict
      numbers.py     worked examples, numbers at their precision, inequalities
    runner.py      a time and memory bound per line (a worker process)
    verdicts.py    entries, context lines, the outcome and its exit status
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
