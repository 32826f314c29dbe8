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


def vector_texts(text: str):
    """The entries of a vector of numbers as written: "[-0.732, 0.004, 0.728]" -> the three texts."""
    found = re.fullmatch(r"\s*(?:\\left)?\[(.*)(?:\\right)?\]\s*", text.strip(), re.DOTALL)
    if not found:
        return None
    inner = found.group(1).replace("\\right", "")
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
