"""Maths written in running text: a line of words with formulas in it, taken apart.

A plain-text derivation (and the prose of a Markdown or LaTeX one) writes formulas inside
sentences: "The scores are s_j = w_j^T x_i, where w_j is the j-th column of W, so ∂s_j/∂w_j = x_i."
or "Evaluated at x = -2, y = 5, z = -4." This module splits such a line into its words and its
formulas, by the look of each token only:

* a word is a run of letters (hyphens and apostrophes inside: "j-th", "log-sum-exp") of two
  letters or more that is not a mathematical name (log, exp, max, sum, grad, LSE ...), or an
  abbreviation such as "w.r.t."; anything else (a single letter, a subscript, a number, an
  operator, a bracket) is maths;
* a bracket opened in maths keeps everything up to its closing bracket in maths
  ("max(0, s_j - s_{y_i} + 1)");
* a formula is a run of maths tokens; it is split again at a top-level ": " ("c ≠ y_n:  ∂L_n/∂W_dc
  = ...") and at a top-level comma or semicolon between two relations ("x = -2, y = 5"); the
  punctuation that ends a sentence is left out, and so are brackets around the whole formula
  ("(y_i = 0)").

Only a formula with a relation in it (=, ≠, <, ≤, ≈ ...) is maths to read; the rest stays words.
Nothing is evaluated here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: names that are maths even when written as a word on their own
MATH_WORDS = {"log", "ln", "exp", "max", "min", "sum", "sqrt", "grad", "diag", "sigma", "argmax", "tanh", "delta", "reg",
              "lambda", "alpha", "beta", "gamma", "epsilon", "theta"}
#: a relation between two sides, as running text writes it
RELATION = re.compile(r"(?<![<>!=:])=(?!=)|!=|<|>|≤|≥|≠|≈|⇒|=>|\\(?:approx|leq?|geq?|neq?|Rightarrow|implies|lt|gt)"
                      r"(?![A-Za-z])")
_WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")
_ABBREVIATION = re.compile(r"(?:[A-Za-z]\.){2,}|etc\.|vs\.|cf\.")
_OPEN, _CLOSE = "([{", ")]}"
#: words that, written before a formula in the same sentence, are read as part of the maths
#: ("β_nj = 1[...] for j ≠ y_n" is one definition with its condition)
CONDITION_JOINERS = ("for", "if", "when", "whenever")


@dataclass
class Segment:
    """A piece of a line: ``kind`` is "words" or "maths"; ``start`` its offset in the line."""

    kind: str
    text: str
    start: int


def has_relation(text: str) -> bool:
    return bool(RELATION.search(text))


def states_something(line: str) -> bool:
    """Whether a line of running text may hold maths to read: a relation, or a derivative said in words."""
    return has_relation(line) or bool(_DERIVATIVE_PHRASE.search(line))


def _is_word(token: str) -> bool:
    core = token.strip("*_`\"'").rstrip(".,;:!?").lstrip("([").rstrip(")]")
    core = core.strip("*_`\"'")
    if _ABBREVIATION.fullmatch(token.strip("*_`\"'(),;:")):
        return True
    if "://" in token:
        return True
    if not core or not _WORD.fullmatch(core):
        return False
    if len(core) < 2 or core.lower() in MATH_WORDS or core in ("yi", "yn"):
        return False                    # yi, yn: the label y_i written without its underscore
    if core.isupper() and len(core) <= 4:
        return False                    # LSE, CE, SVM: the name of a quantity
    if "(" in token.rstrip(")") and not token.startswith("("):
        return False                    # softmax(s), LSE(s): a function applied
    return True


def _tokens(line: str):
    """(start, end, is_word) of each whitespace-separated token, with brackets opened in maths kept maths."""
    found = []
    depth = 0
    for match in re.finditer(r"\S+", line):
        token = match.group()
        word = depth == 0 and _is_word(token)
        if not word:
            for ch in token:
                if ch in _OPEN:
                    depth += 1
                elif ch in _CLOSE and depth > 0:
                    depth -= 1
        found.append((match.start(), match.end(), word))
    return found


#: "∂/∂W_dc of λ Σ_d Σ_j W_dj² is 2λ W_dc", "the derivative of x^2 with respect to x is 2x": a derivative in words
_DERIVATIVE_PHRASE = re.compile(
    r"(?P<operator>(?:∂|\\partial|d)\s*/\s*(?:∂|\\partial|d)\s*\S+?)\s+of\s+(?P<expression>.+?)\s+(?:is|equals)\s+"
    r"(?P<value>[^,;:()]+(?:\([^()]*\)[^,;:()]*)*?)\s*(?=[),;:]|\.(?:\s|$)|$)")


def segments(line: str) -> list[Segment]:
    """The line as words and formulas, in order (a formula only when it has a relation in it)."""
    found = _DERIVATIVE_PHRASE.search(line)
    if found:                                   # the derivative said in words, as the formula it states
        before, after = line[:found.start()], line[found.end():]
        value = found.group('value').strip().rstrip(".")
        formula = f"{found.group('operator')} ({found.group('expression')}) = {value}"
        return _merged([*segments(before), Segment("maths", formula, found.start()), *segments(after)])
    pieces: list[Segment] = []
    tokens = _tokens(line)
    index = 0
    while index < len(tokens):
        start, end, word = tokens[index]
        last = index
        while last + 1 < len(tokens) and tokens[last + 1][2] == word:
            last += 1
        end = tokens[last][1]
        text = line[start:end]
        if word:
            pieces.append(Segment("words", text, start))
        else:
            for offset, part in _split_formula(text):
                if has_relation(part):
                    cleaned, lead = _cleaned(part)
                    if cleaned and not _word_named(cleaned):
                        pieces.append(Segment("maths", cleaned, start + offset + lead))
                        continue
                pieces.append(Segment("words", part, start + offset))
        index = last + 1
    return _merged(_joined_conditions(pieces))


def _split_formula(text: str):
    """(offset, part) of a run of maths tokens, split at a top-level ": " and at a top-level comma or
    semicolon between two relations."""
    cuts = []
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch == ":" and (i + 1 == len(text) or text[i + 1] in " \t") \
                and not text[i + 1:].lstrip().startswith("="):
            cuts.append((i, i + 1))
        elif depth == 0 and ch in ",;" and (i + 1 == len(text) or text[i + 1] in " \t"):
            cuts.append((i, i + 1, "comma"))
    parts, begin = [], 0
    for cut in cuts:
        at, after = cut[0], cut[1]
        if len(cut) == 3 and not (has_relation(text[begin:at]) and has_relation(text[after:])):
            continue
        parts.append((begin, text[begin:at]))
        begin = after
    parts.append((begin, text[begin:]))
    return [(offset, part) for offset, part in parts if part.strip()]


def _word_named(formula: str) -> bool:
    """ "index=0", "loss = 2": an English word on the left of the relation, not a name maths uses."""
    found = re.match(r"\s*([A-Za-z]{3,})\s*(?:=|<|>|!=|≠|≤|≥)", formula)
    if not found:
        return False
    word = found.group(1)
    return word.lower() not in MATH_WORDS and not word.isupper() and not word[0].isupper() or word.lower() in (
        "index", "loss", "class", "label", "score", "scores", "gradient", "margin", "answer", "result", "total")


def _cleaned(part: str) -> tuple[str, int]:
    """A formula without the punctuation that ends its sentence and without brackets around the whole;
    and how many characters were left out at its start."""
    lead = len(part) - len(part.lstrip())
    text = part.strip()
    while text and text[-1] in ".,;:" and not text.endswith("..."):
        text = text[:-1].rstrip()
    while len(text) >= 2 and text[0] == "(" and text[-1] == ")" and _wraps(text):
        text = text[1:-1].strip()
        lead += 1
    return text, lead


def _wraps(text: str) -> bool:
    """Whether the bracket that opens ``text`` is the one that closes it."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth == 0 and i < len(text) - 1:
                return False
    return depth == 0


def _joined_conditions(pieces: list[Segment]) -> list[Segment]:
    """"β_nj = 1[...]" "for" "j ≠ y_n": a formula, a condition word and a condition, as one formula."""
    out: list[Segment] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if piece.kind == "maths" and i + 2 < len(pieces) and pieces[i + 1].kind == "words" \
                and pieces[i + 1].text.strip().lower() in CONDITION_JOINERS and pieces[i + 2].kind == "maths" \
                and _is_condition(pieces[i + 2].text):
            word = pieces[i + 1].text.strip().lower()
            out.append(Segment("maths", f"{piece.text} \\text{{ {word} }} {pieces[i + 2].text}", piece.start))
            i += 3
            continue
        out.append(piece)
        i += 1
    return out


def _is_condition(text: str) -> bool:
    """A short comparison of indices or of one quantity with a bound: j ≠ y_n, c = y_n, k != y_i."""
    return bool(re.fullmatch(r"\s*[A-Za-z]'?\s*(?:=|!=|≠|\\neq?|\\ne)\s*[A-Za-z0-9_{}]+\s*", text))


def _merged(pieces: list[Segment]) -> list[Segment]:
    """Neighbouring word pieces as one."""
    out: list[Segment] = []
    for piece in pieces:
        if out and out[-1].kind == piece.kind == "words":
            out[-1] = Segment("words", out[-1].text + " " + piece.text, out[-1].start)
        else:
            out.append(piece)
    return out


def is_all_maths(line: str) -> bool:
    """Whether the whole line is one formula (no words around it)."""
    found = segments(line)
    return len(found) == 1 and found[0].kind == "maths"
