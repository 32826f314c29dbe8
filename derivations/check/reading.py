"""Reading a numeric answer as a TA would: the notations students write, with a note for each liberty taken.

Before a number or a vector reaches :mod:`.numeric` (and, when it is more
than plain numbers, the grammar), the text is tidied:

* words and units after it are ignored, with a note: ``2 (hinge loss)``,
  ``1.318 nats``, ``1.32 (rounded)``;
* ``≈ 1.318``, ``\\approx 1.318``, ``L_i ≈ 1.318``, ``about 1.3``: ≈ is read as =;
* wrappers pasted from code are dropped: ``tensor([...], dtype=...)``,
  ``array([...])``, ``np.float64(2.127)``;
* vectors may be written ``[-1 0 1]`` (NumPy's print), ``-1, 0, 1`` (no
  brackets), ``[-1; 0; 1]``, or in rows ``[[1 2] [3 4]]`` / ``[1 2; 3 4]``;
* a decimal comma (``1,318``) is read as a decimal point when the sheet says
  so (``options: {decimal_comma: true}``) or uses it consistently: some answer
  writes one unambiguously (``0,268``, ``[0,268; 0,005]``) and none writes a
  decimal point. Otherwise ``1,318`` alone is refused with a message, since it
  could as well be 1318.

Nothing here evaluates anything: the text is matched with regular expressions
and split into number strings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .numeric import WrittenFloat, read_number

MAX_TEXT = 2000


class Unreadable(ValueError):
    """The answer could not be read (the message says why: words, or a paragraph of words and maths, kept as
    ``words`` for the feedback; ``str()`` is its plain text)."""

    def __init__(self, message=""):
        self.words = message
        if not isinstance(message, str):
            from .feedback import plain
            message = plain(message)
        super().__init__(message)


class WrongKind(Unreadable):
    """The answer was read, but is not the kind of answer the question asks for (a number for a formula)."""


@dataclass(frozen=True)
class Conventions:
    """How a sheet writes numbers."""

    decimal_comma: bool = False
    stated: bool = False            # the sheet said so (options), rather than it being seen in its answers


@dataclass
class Reading:
    """An answer tidied for reading: plain text (or nested lists of number strings), and the notes to show."""

    value: object
    notes: list = field(default_factory=list)


# --- the sheet's conventions ----------------------------------------------------------------------

_POINT = re.compile(r"\d\.\d")
_SCALAR_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_CLEAR_COMMA = re.compile(r"(?<![\d,.])[-+]?0,\d|(?<![\d,.])[-+]?\d+,(?:\d{1,2}|\d{4,})(?![\d,])")
_SEMICOLON_LIST = re.compile(r"\d,\d[^;]*;|;[^;]*\d,\d")


def _clear_decimal_comma(text: str) -> bool:
    """Whether ``text`` writes a decimal comma that cannot be a list separator or a thousands separator."""
    if _SEMICOLON_LIST.search(text):
        return True
    if _SCALAR_COMMA.match(text):
        return bool(_CLEAR_COMMA.search(text))
    # entries separated by spaces, as in [0,268 0,005 0,727]: a comma between digits inside a token
    tokens = re.findall(r"[-+]?\d+,\d+", text)
    return bool(tokens) and "," not in re.sub(r"\d,\d", "", text) and bool(_CLEAR_COMMA.search(text))


def sheet_conventions(options: dict, answers) -> Conventions:
    """The conventions of a sheet: stated in its options, or seen in its (numeric) answers."""
    stated = options.get("decimal_comma") if options else None
    if stated is not None:
        return Conventions(bool(stated), True)
    comma = point = False
    for answer in answers:
        if isinstance(answer, WrittenFloat):
            point |= "." in answer.text
        elif isinstance(answer, float):
            point = True
        elif isinstance(answer, str) and len(answer) <= MAX_TEXT:
            point |= bool(_POINT.search(answer))
            comma |= _clear_decimal_comma(answer)
    return Conventions(comma and not point)


# --- tidying the text -----------------------------------------------------------------------------

_APPROX_START = re.compile(r"^\s*(?:≈|~|\\approx(?![A-Za-z])|approx\.?(?![A-Za-z])|approximately|about|roughly)\s*",
                           re.I)
_APPROX_INSIDE = re.compile(r"≈|\\approx(?![A-Za-z])")
_WRAPPER = re.compile(r"^\s*(?P<name>(?:(?:np|numpy|torch|jnp|tf)\.)?(?:tensor|Tensor|array|asarray|"
                      r"float64|float32|float16|float|double))\s*\((?P<inner>.*)\)\s*$", re.S)
_KEYWORD_TAIL = re.compile(r"^\s*,\s*[A-Za-z_]+\s*=.*$", re.S)
#: words after a number: a parenthesis holding words and no maths, or a run of words
_WORDS_TAIL = re.compile(r"^(?P<body>.*?[\d\]).])\s*(?P<words>\((?=[^()]*[A-Za-z])[^()=<>^\\_{}\[\]]*\)"
                         r"|[A-Za-z]{2,}[A-Za-z .,'/()-]*)\s*$", re.S)
_ANSWER_LABEL = re.compile(r"^\s*(?:answer|ans|result|loss|gradient|grad|probabilities|probs)\s*[:=]\s*", re.I)
#: a name before = or ≈ and a number (y ≈ 0.8581, p_0 = 0.27, \hat{y} = 0.5): the name is a label
_NAME_LABEL = re.compile(r"^\s*(?:\\hat\{[A-Za-z]\}|\\[A-Za-z]+|[A-Za-z]{1,3})(?:_\{?[\w,\\ ]{1,12}\}?)?"
                         r"(?:\^\{?\(?\w{1,4}\)?\}?)?\s*(?:=|≈|\\approx|~)\s*(?=[-+\d.\[(])")


@lru_cache(maxsize=1)
def _approximately():
    """The note "≈ read as =", its signs as maths."""
    from ..engine.notation import Sign
    from .feedback import words
    return words(Sign("≈"), " read as ", Sign("="))


def tidy_numeric(text: str, conventions: Conventions) -> Reading:
    """The text of a number or vector answer with the liberties above taken, and a note for each."""
    from .feedback import Code, Quote, words
    notes: list = []
    text = text.strip()
    if len(text) > MAX_TEXT:
        return Reading(text)
    if text.startswith("$") and text.endswith("$"):
        text = text.strip("$").strip()
    label = _ANSWER_LABEL.match(text) or _NAME_LABEL.match(text)
    if label and _plain_after(text[label.end():]):
        notes.append(words(Quote(label.group().strip()), " before the answer was ignored"))
        if re.search(r"≈|\\approx|~", label.group()):
            notes.append(_approximately())
        text = text[label.end():]
    approx = _APPROX_START.match(text)
    if approx and approx.end() < len(text):
        text = text[approx.end():]
        notes.append(_approximately())
    elif _APPROX_INSIDE.search(text):
        text = _APPROX_INSIDE.sub("=", text)
        notes.append(_approximately())
    if text.startswith("=") and not text.startswith("=="):
        text = text[1:].strip()
    for _ in range(3):
        tail = _WORDS_TAIL.match(text)
        if not tail or _is_number_word(tail.group("words")):
            break
        text = tail.group("body").strip()
        notes.append(words("the words ", Quote(tail.group("words").strip()), " after the answer were ignored"))
    for _ in range(2):
        wrapper = _WRAPPER.match(text)
        if not wrapper:
            break
        inner = _without_keywords(wrapper.group("inner"))
        if inner is None:
            break
        text = inner.strip()
        library, _, function = wrapper.group("name").rpartition(".")
        owner = f"{LIBRARIES[library]}'s " if library else ""
        notes.append(words(f"read the numbers inside {owner}", Code(f"{function}(...)")))
    return Reading(text, notes)


#: the libraries whose wrappers are read (np.float64(...) is NumPy's float64(...))
LIBRARIES = {"np": "NumPy", "numpy": "NumPy", "torch": "PyTorch", "jnp": "JAX", "tf": "TensorFlow"}


def _plain_after(rest: str) -> bool:
    """Whether what follows a label starts like a number or an array of numbers: only then is the label dropped."""
    return bool(re.match(r"^\s*[-+]?(?:\d|\.\d|\[|\()", rest))


def _is_number_word(words: str) -> bool:
    """Words that are part of a number: e for Euler's number is one letter, so never; 'inf' and 'nan' are."""
    return words.strip().lower() in {"inf", "nan", "infinity"}


def _without_keywords(inner: str) -> str | None:
    """The first argument of ``tensor([...], dtype=...)``: the bracketed array, or a scalar before a keyword."""
    inner = inner.strip()
    if inner.startswith("["):
        depth = 0
        for position, ch in enumerate(inner):
            depth += ch == "["
            depth -= ch == "]"
            if depth == 0:
                rest = inner[position + 1:]
                return inner[:position + 1] if not rest.strip() or _KEYWORD_TAIL.match(rest) else None
        return None
    head, comma, rest = inner.partition(",")
    if comma and not _KEYWORD_TAIL.match("," + rest):
        return None
    return head


# --- numbers and arrays of numbers ------------------------------------------------------------------

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_COMMA_NUMBER = r"[-+]?\d+,\d+(?:[eE][-+]?\d+)?"


def scalar_text(text: str, conventions: Conventions) -> str:
    """A single number's text with a decimal comma read as a point; Unreadable for an ambiguous ``1,318``."""
    if _SCALAR_COMMA.match(text):
        if conventions.decimal_comma:
            return text.replace(",", ".")
        from .feedback import Code, Quote, words
        raise Unreadable(words(Quote(text.strip()), ": write a decimal point (", Code(text.strip().replace(",", ".")),
                               "), or say ", Code("options: {decimal_comma: true}"), " for a sheet written with "
                               "decimal commas"))
    return text


def number_cells(text: str, conventions: Conventions, matrix: bool):
    """The entries of a plain array of numbers (nested lists of number strings, decimal commas read as
    points), or None when the text is anything else (a formula, a bmatrix: the grammar reads those)."""
    if len(text) > MAX_TEXT or not text or re.search(r"[^\d\s.,;eE+\-\[\]()]", text):
        return None
    stripped = text.strip()
    if stripped[0] not in "[(":
        stripped = f"[{stripped}]"                   # -1, 0, 1 or -1 0 1 without brackets
    try:
        cells, position = _array(stripped, 0, conventions, matrix, 0)
    except ValueError:
        return None
    if stripped[position:].strip():
        return None
    if not isinstance(cells, list):
        return None
    return cells


def _array(text: str, position: int, conventions: Conventions, matrix: bool, depth: int):
    """One bracketed level of ``text`` starting at ``position``: (list of entries, position after it)."""
    if depth > 3:
        raise ValueError("nested too deeply")
    closing = {"[": "]", "(": ")"}[text[position]]
    position += 1
    end = _matching(text, position - 1)
    inside = text[position:end]
    if "[" in inside or "(" in inside:
        entries = []
        while True:
            while position < end and text[position] in " \t\r\n,;":
                position += 1
            if position >= end:
                break
            if text[position] not in "[(":
                raise ValueError("numbers beside rows")
            entry, position = _array(text, position, conventions, matrix, depth + 1)
            entries.append(entry)
        if text[end] != closing:
            raise ValueError("mismatched brackets")
        return entries, end + 1
    return _flat_entries(inside, conventions, matrix), end + 1


def _matching(text: str, position: int) -> int:
    depth = 0
    for index in range(position, len(text)):
        if text[index] in "[(":
            depth += 1
        elif text[index] in "])":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unclosed bracket")


def _flat_entries(inside: str, conventions: Conventions, matrix: bool):
    """The numbers of one bracket level; with ``;`` between rows of a matrix ([1 2; 3 4]), a list of rows."""
    if ";" in inside and matrix:
        rows = [row for row in inside.split(";") if row.strip()]
        # on a decimal-comma sheet ; separates entries ([0,268; 0,005]) unless each part holds several numbers
        # separated by spaces: then it separates rows ([0,8 -1,5; 0,92 0,31])
        if not conventions.decimal_comma or all(len(row.split()) > 1 for row in rows):
            return [_split(row, conventions, semicolons=False) for row in rows]
    return _split(inside, conventions, semicolons=";" in inside)


def _split(inside: str, conventions: Conventions, semicolons: bool) -> list[str]:
    """Number strings separated by semicolons, commas or spaces (one kind of separator per level).

    Between semicolons, or between spaces on a decimal-comma sheet, a comma
    between digits is a decimal comma: [0,268; 0,005] and [0,268 0,005].
    """
    inside = inside.strip()
    if not inside:
        raise ValueError("empty")
    if semicolons:
        return [_one(part, decimal_comma=True) for part in inside.split(";")]
    spaced = re.search(r"\s", inside) and not re.search(r",\s|\s,", inside)
    if conventions.decimal_comma and spaced:
        return [_one(part, decimal_comma=True) for part in inside.split()]
    if conventions.decimal_comma and re.search(r"\d,\d", inside):
        parts = re.split(r",\s+", inside)                        # [0,268, 0,005, 0,727]: ", " between entries
        if len(parts) > 1 and all(re.fullmatch(rf"{_COMMA_NUMBER}|{_NUMBER}", p.strip()) for p in parts):
            return [_one(part, decimal_comma=True) for part in parts]
    if "," in inside:
        return [_one(part, decimal_comma=False) for part in inside.split(",")]
    return [_one(part, decimal_comma=False) for part in inside.split()]


def _one(part: str, decimal_comma: bool) -> str:
    part = part.strip()
    if decimal_comma and re.fullmatch(_COMMA_NUMBER, part):
        part = part.replace(",", ".")
    if not re.fullmatch(_NUMBER, part) or read_number(part) is None:
        raise ValueError(f"not a number: {part!r}")
    return part
