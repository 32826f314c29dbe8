"""How the text writes things: relations, labels, braces, words that announce a definition."""
from __future__ import annotations

import re

RELATION_TEXT = {"=": "=", "approx": "\\approx", "implies": "\\Rightarrow", "define": ":=", "assign": "\\leftarrow",
                  "arrow": "\\rightarrow", "<=": "\\leq", ">=": "\\geq", "!=": "\\neq", ">>": "\\gg", "<<": "\\ll"}


def numbered(label: str) -> bool:
    """A label such as "2." (a numbered problem), not "Q1/2" or "(3)"."""
    return bool(re.fullmatch(r"\d+\s*\.", label or ""))


def unclosed_braces(text: str) -> int:
    """How many { the text opens and never closes (escaped \\{ \\} not counted)."""
    depth = 0
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth < 0:
            return 0
        i += 1
    return depth if depth <= 3 else 0


def introduces_definition(prose_text: str) -> bool:
    """Prose that announces a formula: "The formula of SVM loss is:", "can be expressed as", "is defined as"."""
    words = prose_text.strip().lower()
    if not words.endswith((":", "as", "is", "by")):
        return False
    return bool(re.search(r"\b(formula|defined|expressed|given by|loss function|loss is|is written)\b", words))


_NAMED_PART = re.compile(r"\b(?:call|denote|name|write)\s+(?:the\s+)?(first|second|third|last)\s+"
                         r"(?:part|term|summand)(?:\s+(?:by|as))?\s*$", re.IGNORECASE)
_PART_POSITION = {"first": 0, "second": 1, "third": 2, "last": -1}


def named_part(words: str) -> int | None:
    """The position of the term that words before a name give it ("Call the first part $L_{data}$": 0;
    "denote the last term by": -1); None when the words say no such thing."""
    found = _NAMED_PART.search((words or "").strip())
    return _PART_POSITION[found.group(1).lower()] if found else None


_OPENING, _CLOSING = "({[", ")}]"


def top_level_terms(text: str) -> list[str]:
    """The terms of a sum as written, each with its sign: "a - \\frac{b}{c} + (d - e)" -> ["a", "-\\frac{b}{c}",
    "+(d - e)"] (a sign inside braces, brackets or an exponent is not a term's)."""
    terms, depth, start = [], 0, 0
    for position, char in enumerate(text):
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
        elif char in "+-" and depth == 0 and text[:position].strip() and text[:position].rstrip()[-1] not in "^_=(":
            terms.append(text[start:position])
            start = position
    terms.append(text[start:])
    return [t.strip() for t in terms if t.strip()]


def vector_texts(text: str):
    """The entries of a vector of numbers as written: "[-0.732, 0.004, 0.728]" -> the three texts."""
    text = re.sub(r"\s*\^\s*(?:\{\s*(?:T|\\top|\\intercal)\s*\}|T\b|\\top\b|\\intercal\b|⊤|ᵀ)\s*$", "", text.strip())
    found = re.fullmatch(r"\s*(?:\\left)?\[(.*)(?:\\right)?\]\s*", text.strip(), re.DOTALL) \
        or re.fullmatch(r"\s*(?:\\left)?\((.*,.*)(?:\\right)?\)\s*", text.strip(), re.DOTALL)     # (0.37, 1, 0.05)
    if not found:
        return None
    inner = re.sub(r"\\[ ,;:!]|\\q?quad", " ", found.group(1).replace("\\right", ""))     # "0.3679,\ 1"
    return [t.strip() for t in inner.split(",")]


def shortened(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 60 else text[:57] + "..."


def normalized(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_exact_literal(text: str) -> bool:
    """An integer literal (2, -1): exact, not a rounded number."""
    return bool(re.fullmatch(r"\s*[+-]?\d+\s*", text))


#: a derivative as a text writes it: ∂L/∂w, \partial, \nabla, \frac{dL}{dz}, \frac{d}{dx}, dL_i/dw_j, d/ds_k
_DERIVATIVE = re.compile(r"\\partial|∂|\\nabla|∇|\\frac\s*\{\s*d\s*[A-Za-z\\}]"
                         r"|(?<![A-Za-z\\])d[A-Za-z\\]?[^\s/=]*\s*/\s*d[A-Za-z\\]")


def has_derivative(text: str) -> bool:
    """Whether ``text`` writes a derivative (Leibniz, partial or gradient notation)."""
    return bool(_DERIVATIVE.search(text or ""))
