"""Feedback as words and mathematics: what the grader says about an answer, in one model for every format.

The grader writes its feedback, its diagnoses and its notes as a
:class:`~derivations.engine.steps.Paragraph`: words (:class:`Text`), formulas and values as SymPy objects
(:class:`Math`), names and options in code type (:class:`Code`), and what the student typed quoted as
written (:class:`Quote`). The reports print it: Markdown and LaTeX typeset the formulas with the printers
of :mod:`derivations.report.printing`; a terminal, JSON, CSV and Gradescope show :func:`plain`, the same
paragraph as the terminal printer writes it. No string the grader writes holds a formula.

* :func:`words` makes a paragraph from strings (words) and SymPy objects (maths), as
  :func:`~derivations.engine.build.sentence` does (``p[0], " = ", 0.3`` is the one formula p₀ = 0.3);
* :func:`joined` makes feedback of several parts, each a sentence (capitalised, ending with a period);
* :func:`listed` joins notes with "; ", each once;
* :func:`foreign` reads a message of another layer (a parse error, a bad given): its quoted spans are
  quotes, its names (``sig_figs``, ``softmax.probs``, ``\\lambda``) code;
* :func:`decimal` and :func:`shown` are numbers as the feedback shows them (6 significant figures, or the
  digits written), as SymPy numbers that print the same way in every format.
"""
from __future__ import annotations

import math
import re
from typing import Union

import sympy

from ..engine.build import sentence
from ..engine.steps import Code, Math, Paragraph, Quote, Text

Words = Union[str, Paragraph, None]

__all__ = ["words", "joined", "listed", "as_sentence", "plain", "foreign", "decimal", "shown", "shown_text", "is_empty",
           "code_names", "displayed", "inline", "is_wide", "Code", "Math", "Quote", "Paragraph"]


def words(*parts) -> Paragraph:
    """A paragraph from strings (words), SymPy objects (maths), Code and Quote segments and paragraphs."""
    return sentence(*[part for part in parts if part is not None and not (isinstance(part, str) and not part)])


def _paragraph(part: Words) -> Paragraph:
    if isinstance(part, Paragraph):
        return part
    return foreign(part or "")


def plain(part: Words) -> str:
    """``part`` as a terminal shows it (the formulas as the terminal printer writes them): the plain text of
    JSON, CSV and Gradescope."""
    if part is None:
        return ""
    if isinstance(part, str):
        return part
    from ..report.render import plain as render_plain
    return render_plain(part)


def is_empty(part: Words) -> bool:
    if part is None:
        return True
    if isinstance(part, str):
        return not part.strip()
    return all(isinstance(s, Text) and not s.text.strip() for s in part.segments)


def as_sentence(part: Words) -> Paragraph:
    """``part`` as a sentence: its first word capitalised, a period at its end (unless it ends with . ! or ?)."""
    segments = [segment for segment in _paragraph(part).segments
                if not (isinstance(segment, Text) and not segment.text)]
    if not segments:
        return Paragraph([])
    if isinstance(segments[0], Text):
        text = segments[0].text.lstrip()
        segments[0] = Text(text[:1].upper() + text[1:])
    if isinstance(segments[-1], Text):
        text = segments[-1].text.rstrip()
        segments[-1] = Text(text if text.endswith((".", "!", "?")) else text + ".")
    elif not (isinstance(segments[-1], Math) and segments[-1].display):     # a display ends it: no period below
        segments.append(Text("."))
    return Paragraph(segments)


def joined(*parts: Words) -> Paragraph:
    """Feedback from its parts, each a sentence, in order; empty parts left out."""
    segments = []
    for part in parts:
        if is_empty(part):
            continue
        if segments:
            segments.append(Text(" "))
        segments.extend(as_sentence(part).segments)
    return Paragraph(_merged(segments))


def listed(parts, separator: str = "; ") -> Paragraph:
    """Notes joined by ``separator``, each said once (the first time)."""
    seen, segments = set(), []
    for part in parts:
        if is_empty(part):
            continue
        key = plain(part)
        if key in seen:
            continue
        seen.add(key)
        if segments:
            segments.append(Text(separator))
        segments.extend(_paragraph(part).segments)
    return Paragraph(_merged(segments))


def _merged(segments) -> list:
    """Adjacent words as one Text."""
    out = []
    for segment in segments:
        if isinstance(segment, Text) and out and type(out[-1]) is Text:
            out[-1] = Text(out[-1].text + segment.text)
        else:
            out.append(segment)
    return out


# --- a message of another layer -------------------------------------------------------------------

#: in a message: a quoted span ('did', '[[0.268, -0.386,'), and what is typed rather than said: a LaTeX command with
#: its scripts (\lambda, \delta_{jk}), a product written out (x2*y, x·2·y), a name with a dot or a subscript
#: (softmax.probs, sig_figs, s_{y_i}, w_j^T), a power (a^b, ^T)
_MESSAGE_PARTS = re.compile(r"(?<![A-Za-z])'(?P<quote>[^'\n]+?)'(?![A-Za-z])"
                            r"|(?P<typed>\bderive [a-z][a-z-]*(?: --[a-z][a-z-]*)*|(?<![\w-])--[a-z][a-z-]*"
                            r"|\\[A-Za-z]+(?:[_^](?:\{[^{}]*\}|\w))*(?:\{[^{}\s]*\})*"
                            r"|\b[^\W_]+(?:[*·][^\W_]+)+\b"
                            r"|\b[^\W\d_][^\W_]*(?:[._](?:\{[^{}]*\}|[^\W_]+))+(?:\^(?:\{[^{}]*\}|\w+))?"
                            r"|\w*\^(?:\{[^{}]*\}|\w+))")
_NOT_NAMES = {"e.g", "i.e", "etc"}
def foreign(message: str) -> Paragraph:
    """A message written by another layer (a parse error, a given's problem, a limit) as words: what it
    quotes is a quote, the names and commands it gives are code. Its plain text is the message."""
    segments, at = [], 0
    for found in _MESSAGE_PARTS.finditer(message):
        if found.group("typed") and found.group("typed").lower() in _NOT_NAMES:
            continue
        if found.start() > at:
            segments.append(Text(message[at:found.start()]))
        if found.group("quote") is not None:
            segments.append(Quote(found.group("quote")))
        else:
            segments.append(Code(found.group()))
        at = found.end()
    if at < len(message):
        segments.append(Text(message[at:]))
    return Paragraph(segments)


# --- numbers as the feedback shows them -------------------------------------------------------------

_DECIMAL = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def decimal(text: str, entry: bool = False):
    """A decimal as written (``"2.1270"``, ``"3.37782e-48"``, ``"-1"``) as a SymPy number that every printer
    shows with those digits: an Integer, or a Float of as many significant figures as written (1e-05 as
    10^-5, unless it is the ``entry`` of a matrix, which holds numbers only)."""
    text = str(text).strip()
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"not a decimal: {text!r}")
    mantissa, _, exponent = text.lower().partition("e")
    if not exponent and "." not in mantissa:
        return sympy.Integer(int(mantissa))
    if float(text) == 0:
        return sympy.Integer(0)
    digits = mantissa.lstrip("+-").replace(".", "").lstrip("0").rstrip("0" if "." not in mantissa else "")
    if exponent and len(digits) == 1:                   # 1e-05: SymPy's Float would show 1.e-5
        if entry:
            return sympy.Float(text, 2)
        from ..engine.notation import Scientific
        return Scientific(mantissa.rstrip("."), int(exponent))
    return sympy.Float(text, max(1, len(digits)))


def shown(value, entry: bool = False):
    """An exact value as the feedback shows it: an integer as such, another number to 6 significant figures,
    a vector as a row, a matrix as its rows (what :func:`judge._show` writes, as SymPy numbers)."""
    from .numeric import to_float
    if isinstance(value, sympy.MatrixBase):
        if value.cols == 1 or value.rows == 1:
            return sympy.ImmutableMatrix([[shown(v, True) for v in value]])
        return sympy.ImmutableMatrix([[shown(v, True) for v in value.row(r)] for r in range(value.rows)])
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (list, tuple)):
            return sympy.ImmutableMatrix([[shown(v, True) for v in row] for row in value])
        return sympy.ImmutableMatrix([[shown(v, True) for v in value]])
    if isinstance(value, sympy.Basic) and value.free_symbols:
        return value
    number = to_float(value) if isinstance(value, sympy.Basic) else float(value)
    if not math.isfinite(number):                   # 10^{347}: beyond float64, shown by SymPy
        return sympy.Float(value, 6) if isinstance(value, sympy.Basic) else value
    if number == int(number) and abs(number) < 1e15:
        return sympy.Integer(int(number))
    return decimal(f"{number:.6g}", entry)


_NUMBER = r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*"
_ROW = rf"\[{_NUMBER}(?:,{_NUMBER})*\]"
_ROWS = re.compile(rf"\[\s*{_ROW}(?:\s*,\s*{_ROW})*\s*\]")


def shown_text(text: str):
    """A number, a vector or a matrix as the grader writes one in ``read_as`` and ``expected`` (``2.4``,
    ``[1, -2, 0, 1]``, ``[[1.5, 1.5], [-2, 4]]``) as SymPy numbers for the printers; None for anything else
    (a formula, an answer that could not be read)."""
    text = str(text).strip()
    if not text or len(text) > 100_000:
        return None
    if _DECIMAL.fullmatch(text):
        return decimal(text)
    if re.fullmatch(_ROW, text):
        return sympy.ImmutableMatrix([[decimal(e, True) for e in text[1:-1].split(",")]])
    if _ROWS.fullmatch(text):
        rows = [[decimal(e, True) for e in row.split(",")] for row in re.findall(r"\[([^\[\]]*)\]", text)]
        if len({len(row) for row in rows}) == 1:
            return sympy.ImmutableMatrix(rows)
    return None


#: characters of a vector the terminal printer writes beyond which it is too wide for a line of words
WIDE = 36


def is_wide(value) -> bool:
    """Whether ``value`` is too wide for a sentence (a matrix, a long vector): a formula in a line cannot break."""
    if not isinstance(value, sympy.MatrixBase):
        return False
    from ..report.printing import text
    return (value.rows > 1 and value.cols > 1) or len(text(value)) > WIDE


def inline(value, before: str = " (", after: str = ")") -> list:
    """``before``, ``value``, ``after`` for :func:`words` when ``value`` fits in a sentence; nothing when it does not
    (a value every report shows beside the feedback: the expected value, the student's own)."""
    return [] if is_wide(value) else [before, value, after]


def displayed(value) -> Math:
    """A wide value (a matrix, a long vector) on a line of its own, anything else in the line."""
    return Math(value, display=is_wide(value))


def code_names(names) -> list:
    """Quantity names in code type, separated by commas: ``softmax.probs, softmax.loss``."""
    out = []
    for index, name in enumerate(names):
        if index:
            out.append(", ")
        out.append(Code(str(name)))
    return out
