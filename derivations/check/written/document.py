"""A written derivation taken apart: prose, maths and hints, each with the line it starts on.

Three kinds of text are read the same way:

* LaTeX: ``align``, ``align*``, ``aligned``, ``equation``, ``gather``, ``$$...$$``, ``\\[...\\]``,
  ``\\(...\\)`` and ``$...$``; ``%`` starts a comment; ``% derive: ...`` is a hint;
* Markdown with maths (``$$...$$`` blocks, ``$...$`` inline): ``<!-- derive: ... -->`` is a hint;
  fenced code blocks are skipped (code is not maths);
* plain text (no ``$`` and no ``\\begin`` anywhere): every line with a relation (=, <, >, ...) is
  maths, the rest prose.

Display maths is split into rows at ``\\\\`` (outside nested environments such as ``cases``); each
row keeps its own source line. Nothing here knows what the maths means.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .running import defined_function_words, has_relation, is_case, joins_case, segments, states_something
from .statements import plain_cases
from .wording import has_derivative

#: environments whose rows are separate lines of a derivation
ROW_ENVIRONMENTS = ("align", "align*", "aligned", "alignat", "alignat*", "alignedat", "equation", "equation*",
                    "gather", "gather*", "gathered", "eqnarray", "eqnarray*", "multline", "multline*", "split")

#: environments that stay whole inside a row
NESTED_ENVIRONMENTS = ("cases", "matrix", "bmatrix", "pmatrix", "vmatrix", "Bmatrix", "array", "dcases")

_HINT = re.compile(r"^\s*(?:%+|<!--|#)\s*derive\s*:\s*(?P<hint>.*?)\s*(?:-->)?\s*$", re.IGNORECASE)
_HTML_HINT = re.compile(r"<!--\s*derive\s*:\s*(?P<hint>.*?)\s*-->", re.IGNORECASE | re.DOTALL)
_FENCE = re.compile(r"^\s*(```|~~~)")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_RELATION = re.compile(r"(?<![<>!=:])=(?!=)|!=|<|>|≤|≥|≠|≈|⇒|=>|∈|\\(?:approx|leq?|geq?|neq?|Rightarrow|implies)\b")


@dataclass
class Prose:
    """Words between maths (``text``), starting on ``line``."""

    text: str
    line: int


@dataclass
class Row:
    """One row of maths: its text and the source line it starts on."""

    text: str
    line: int


@dataclass
class Math:
    """Maths: ``display`` (a block) or inline; its rows (one for inline maths and single equations).

    ``words``: for a formula found in running text, the words before it in its sentence ("evaluated
    at"), which say what it is (a case, given values, a premise); None for maths set apart."""

    rows: list
    line: int
    display: bool
    source: str = ""
    words: str | None = None
    claim: bool = False             # a derivative operator alone in a sentence stating its value: never skipped


@dataclass
class Hint:
    """A ``derive:`` comment: context the text cannot say (``assume k != y_i``, ``loss svm``)."""

    text: str
    line: int


@dataclass
class Document:
    pieces: list = field(default_factory=list)
    kind: str = "markdown"          # "latex", "markdown" or "plain"


class DocumentError(ValueError):
    """The text cannot be taken apart (an unclosed $$ ...): the message says where."""


def line_of(text: str, offset: int) -> int:
    """The 1-based line number of character ``offset``."""
    return text.count("\n", 0, offset) + 1


def kind_of(text: str) -> str:
    """``latex``, ``markdown`` or ``plain``: how the text writes its maths."""
    if re.search(r"\\begin\{(?:document|align|equation)", text) or re.search(r"^\s*%", text, re.M):
        if "$$" not in text or "\\begin{document}" in text:
            return "latex"
    if "$" in text or "\\[" in text or "\\begin{" in text:
        return "markdown"
    return "plain"


def read_document(text: str) -> Document:
    """The pieces of ``text`` in order: :class:`Prose`, :class:`Math` and :class:`Hint`."""
    document = _read_document(text)
    document.pieces = definitions_first(joined_conditions(claims_in_words(derivatives_in_words(document.pieces))))
    return document


#: a derivative operator written alone: \partial / \partial W_{dc}, \frac{\partial}{\partial w}, d/dx, \nabla_W
_OPERATOR = re.compile(r"\s*(?:(?:\\partial|d)\s*/\s*(?:\\partial|d)\s*\S.*|\\[dt]?frac\s*\{\s*(?:\\partial|d)\s*\}\s*\{.+\}"
                       r"|\\nabla\s*_.+)", re.DOTALL)
_IS = re.compile(r"\s*(?:is|equals|is equal to|is given by|gives)\s*", re.IGNORECASE)
_OF = re.compile(r"\s*of\s*", re.IGNORECASE)
_RESPECT = re.compile(r"\s*(?:with respect to|w\.\s*r\.\s*t\.?|wrt)\s*", re.IGNORECASE)
_DERIVATIVE_OF = re.compile(r"\b(?:derivative|partial derivative|gradient)\s+of\s*$", re.IGNORECASE)


def _inline(piece, line) -> str | None:
    """The text of an inline formula on ``line`` that states no relation, or None."""
    if isinstance(piece, Math) and not piece.display and len(piece.rows) == 1 and piece.line == line \
            and not _RELATION.search(piece.rows[0].text):
        return piece.rows[0].text
    return None


def _prose_on(piece, line, pattern) -> bool:
    return isinstance(piece, Prose) and piece.line == line and bool(pattern.fullmatch(piece.text))


def derivatives_in_words(pieces: list) -> list:
    """A derivative said in words around inline formulas, as the formula it states:
    "The derivative $\\partial / \\partial W_{dc}$ of $\\lambda \\sum W^2$ is $2\\lambda W_{dc}$" and
    "the derivative of $x^2$ with respect to $x$ is $2x$" are ``\\partial/\\partial W_{dc} (...) = 2\\lambda W_{dc}``.
    An operator alone in a sentence that says "of ... is" but not in these words is marked a claim, so that it
    is reported as not read rather than skipped."""
    out, i = [], 0
    while i < len(pieces):
        piece = pieces[i]
        line = getattr(piece, "line", None)
        found = None
        head = _inline(piece, line)
        if head is not None and _OPERATOR.fullmatch(head) and i + 4 < len(pieces) \
                and _prose_on(pieces[i + 1], line, _OF) and _prose_on(pieces[i + 3], line, _IS):
            expression, value = _inline(pieces[i + 2], line), _inline(pieces[i + 4], line)
            if expression is not None and value is not None:
                found = (f"{head.strip()} \\left({expression}\\right) = {value}", 5)
        elif head is not None and i > 0 and isinstance(pieces[i - 1], Prose) and pieces[i - 1].line == line \
                and _DERIVATIVE_OF.search(pieces[i - 1].text) and i + 4 < len(pieces) \
                and _prose_on(pieces[i + 1], line, _RESPECT) and _prose_on(pieces[i + 3], line, _IS):
            variable, value = _inline(pieces[i + 2], line), _inline(pieces[i + 4], line)
            if variable is not None and value is not None:
                found = (f"\\frac{{\\partial}}{{\\partial {variable}}} \\left({head}\\right) = {value}", 5)
        if found is not None:
            formula, used = found
            out.append(Math([Row(formula, line)], line, False, formula, words=piece.words))
            i += used
            continue
        if head is not None and _OPERATOR.fullmatch(head) and i + 1 < len(pieces) \
                and isinstance(pieces[i + 1], Prose) and pieces[i + 1].line == line \
                and re.match(r"\s*of\b", pieces[i + 1].text, re.IGNORECASE) and any(
                isinstance(p, Prose) and p.line == line and re.search(r"\b(?:is|equals)\b", p.text)
                for p in pieces[i + 1:i + 6]):
            piece.claim = True
        out.append(piece)
        i += 1
    return out


_IS_ALONE = re.compile(r"^\s*(?:is|equals|is equal to)\s*$", re.IGNORECASE)
_OPENS_CASE = re.compile(r"\b(?:when|whenever|if)\b", re.IGNORECASE)


def claims_in_words(pieces: list) -> list:
    r""""When ... $k \neq y_i$, that is $s_k - s_{y_i} + \Delta > 0$, the derivative $\frac{\partial L_i}{\partial
    s_k}$ is $1$.": a derivative, "is" and a value in one sentence are the claim derivative = value, in the cases
    the same sentence states after "when" or "if" (those cases hold for that claim only)."""
    out = list(pieces)
    i = 0
    while i + 2 < len(out):
        left, word, right = out[i], out[i + 1], out[i + 2]
        if _inline_row(left) and isinstance(word, Prose) and _IS_ALONE.match(word.text) and _inline_row(right) \
                and left.line == word.line == right.line and has_derivative(left.rows[0].text) \
                and not _RELATION.search(left.rows[0].text) and not _RELATION.search(right.rows[0].text):
            cases = []
            k = i - 1
            while k >= 0 and out[k].line == left.line and not isinstance(out[k], Hint):
                if _inline_row(out[k]) and _RELATION.search(out[k].rows[0].text):
                    cases.insert(0, k)
                k -= 1
            opened = any(isinstance(out[m], Prose) and _OPENS_CASE.search(out[m].text) for m in range(k + 1, i))
            text = f"{left.rows[0].text} = {right.rows[0].text}"
            if opened and cases:
                text += " \\text{ when } " + " \\text{ and } ".join(out[m].rows[0].text for m in cases)
            else:
                cases = []
            claim = Math([Row(text, left.rows[0].line)], left.line, False, text, words="")
            out[i:i + 3] = [claim]
            for m in reversed(cases):
                del out[m]
                i -= 1
        i += 1
    return out


def _inline_row(piece) -> bool:
    return isinstance(piece, Math) and not piece.display and len(piece.rows) == 1


_WHERE = re.compile(r"\b(?:with|where|here)\s*[,:]?\s*$", re.IGNORECASE)
_JOINER = re.compile(r"^\s*(for|if|when|whenever)(?:\s+(?:all|every|each))?\s*$", re.IGNORECASE)
_LEADING_CASE = re.compile(r"(?:^|(?<=\W))(for|when|whenever|if|case|in\s+the\s+case)(?:\s+(?:all|every|each))?\s*$",
                           re.IGNORECASE)
_INDEX_CASE = re.compile(r"^\s*[A-Za-z]'?\s*(?:=|!=|\\neq?|\\ne)\s*[A-Za-z0-9_{}]+\s*$")
#: "(off-diagonal," "(for" "(": the words that open a parenthesis around a case after a formula
_OPENS_PARENTHESIS = re.compile(r"^\s*\(\s*(?:[A-Za-z-]+\s*){0,3},?\s*(?:for|if|when)?\s*$", re.IGNORECASE)
_DEFINED_NAME = re.compile(r"^\s*(\\?[A-Za-z]+(?:\{[A-Za-z]\})?)(?:_\{?[^=]{1,12}?\}?)?(?:\^\{?[^=]{1,8}?\}?)?\s*(?::=|=)")


def _is_case(text: str) -> bool:
    """A case in LaTeX or plain text: k = y_i, j \\neq y_i, u > 0."""
    return bool(_INDEX_CASE.match(text)) or is_case(re.sub(r"\\(?:neq?|ne)(?![A-Za-z])", "≠", re.sub(
        r"\\(?:leq?|le)(?![A-Za-z])", "≤", re.sub(r"\\(?:geq?|ge)(?![A-Za-z])", "≥", text))))


def _defines(piece, head: str) -> bool:
    """Whether a maths piece defines (or restates) the name ``head`` (M_{nj} = ... before M_{n y_n} = 0)."""
    found = _DEFINED_NAME.match(piece.rows[0].text) if piece.rows else None
    return bool(found and found.group(1) == head)


def joined_conditions(pieces: list) -> list:
    """"$g_j = \\mathbb{1}[m_j > 0]$ for $j \\neq y_i$": a formula, a condition word and a case of indices in one
    sentence, as one row (the formula holds in that case)."""
    out = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if isinstance(piece, Math) and not piece.display and len(piece.rows) == 1 and i + 2 < len(pieces) \
                and isinstance(pieces[i + 1], Prose) and _JOINER.match(pieces[i + 1].text) \
                and isinstance(pieces[i + 2], Math) and not pieces[i + 2].display and len(pieces[i + 2].rows) == 1 \
                and _INDEX_CASE.match(pieces[i + 2].rows[0].text) and pieces[i + 2].line == piece.line:
            word = _JOINER.match(pieces[i + 1].text).group(1).lower()
            text = f"{piece.rows[0].text} \\text{{ {word} }} {pieces[i + 2].rows[0].text}"
            out.append(Math([Row(text, piece.rows[0].line)], piece.line, False, text, words=piece.words))
            i += 3
            continue
        if isinstance(piece, Math) and not piece.display and len(piece.rows) == 1 and i + 2 < len(pieces) \
                and _RELATION.search(piece.rows[0].text) and isinstance(pieces[i + 1], Prose) \
                and _OPENS_PARENTHESIS.match(pieces[i + 1].text) and isinstance(pieces[i + 2], Math) \
                and not pieces[i + 2].display and len(pieces[i + 2].rows) == 1 \
                and _is_case(pieces[i + 2].rows[0].text.rstrip(") ")) \
                and piece.line == pieces[i + 1].line == pieces[i + 2].line:
            # "∂y_i/∂z_j = -y_i y_j   (off-diagonal, i ≠ j)": the case of that formula only
            text = f"{piece.rows[0].text} \\text{{ for }} {pieces[i + 2].rows[0].text.rstrip(') ')}"
            out.append(Math([Row(text, piece.rows[0].line)], piece.line, False, text, words=piece.words))
            i += 3
            if i < len(pieces) and isinstance(pieces[i], Prose) and pieces[i].line == piece.line \
                    and pieces[i].text.lstrip().startswith(")"):
                rest = pieces[i].text.lstrip()[1:]
                if rest.strip():
                    out.append(Prose(rest, pieces[i].line))
                i += 1
            continue
        if isinstance(piece, Prose) and i + 3 < len(pieces) and _LEADING_CASE.search(piece.text) \
                and isinstance(pieces[i + 1], Math) and not pieces[i + 1].display and len(pieces[i + 1].rows) == 1 \
                and _is_case(pieces[i + 1].rows[0].text) and isinstance(pieces[i + 2], Prose) \
                and joins_case(pieces[i + 2].text) and isinstance(pieces[i + 3], Math) \
                and len(pieces[i + 3].rows) == 1 and not _is_case(pieces[i + 3].rows[0].text) \
                and _RELATION.search(pieces[i + 3].rows[0].text) \
                and piece.line == pieces[i + 1].line == pieces[i + 3].line:
            # "For $i \neq j$: $\frac{\partial p_i}{\partial s_j} = -p_i p_j$": the case of that formula only
            opener = _LEADING_CASE.search(piece.text)
            word = opener.group(1).lower()
            word = word if word in ("for", "if", "when", "whenever") else "for"
            before = piece.text[:opener.start()].rstrip()
            if before:
                out.append(Prose(before, piece.line))
            formula = pieces[i + 3]
            text = f"{formula.rows[0].text} \\text{{ {word} }} {pieces[i + 1].rows[0].text}"
            out.append(Math([Row(text, formula.rows[0].line)], formula.line, formula.display, text, words=before))
            i += 4
            continue
        out.append(piece)
        i += 1
    return out


def definitions_first(pieces: list) -> list:
    """"$\\partial L_n / \\partial s_{nc} = ...$ with $L_n = -\\log p_{n y_n}$": a definition that a sentence
    gives after the formula using it ("with", "where") is read before that formula."""
    out = list(pieces)
    i = 0
    while i < len(out):
        piece = out[i]
        if isinstance(piece, Math) and not piece.display and len(piece.rows) == 1 and i > 0 \
                and isinstance(out[i - 1], Prose) and out[i - 1].line == piece.line \
                and _WHERE.search(out[i - 1].text) and _DEFINED_NAME.match(piece.rows[0].text):
            first = i - 1
            while first > 0 and out[first - 1].line == piece.line and not isinstance(out[first - 1], Hint):
                first -= 1
            head = _DEFINED_NAME.match(piece.rows[0].text).group(1)
            earlier = [k for k in range(first, i - 1) if isinstance(out[k], Math)]
            if earlier and not any(_defines(out[k], head) for k in earlier):
                target = earlier[0]
                moved = out.pop(i)
                words = out[i - 1]
                moved.words = words.text if moved.words is None else moved.words
                out.insert(target, moved)
                # the "where" went with its definition: left behind, it would make the next formula a case
                out[i] = Prose(_WHERE.sub("", words.text).rstrip(), words.line)
        i += 1
    return out


def _read_document(text: str) -> Document:
    kind = kind_of(text)
    document = Document(kind=kind)
    if kind == "plain":
        document.pieces = _plain(text)
        return document
    masked = _mask(text, kind, document)
    position = 0
    pattern = re.compile(
        r"\\begin\{(?P<env>" + "|".join(re.escape(e) for e in ROW_ENVIRONMENTS) + r")\}"
        r"|\$\$|\\\[|\\\(|\$")
    while True:
        found = pattern.search(masked, position)
        if not found:
            _prose(document, text, position, len(text))
            break
        start = found.start()
        _prose(document, text, position, start)
        opener = found.group()
        if found.group("env"):
            closer = "\\end{" + found.group("env") + "}"
        else:
            closer = {"$$": "$$", "\\[": "\\]", "\\(": "\\)", "$": "$"}[opener]
        end = masked.find(closer, found.end())
        if end < 0:
            raise DocumentError(f"line {line_of(text, start)}: {opener} is never closed by {closer}")
        inner_start = found.end()
        body = text[inner_start:end]
        display = opener != "$" and opener != "\\("
        if opener == "$" and "\n\n" in body:
            raise DocumentError(f"line {line_of(text, start)}: $ is not closed before the paragraph ends")
        document.pieces.append(_math(text, body, inner_start, display, env=found.group("env")))
        position = end + len(closer)
    return document


def _mask(text: str, kind: str, document: Document) -> str:
    """``text`` with comments, code and escaped dollars blanked out (same length, so offsets still count);
    hints found on the way are added to ``document``."""
    out = list(text)

    def blank(start, end):
        for i in range(start, end):
            if out[i] != "\n":
                out[i] = " "

    for match in _HTML_HINT.finditer(text):
        document.pieces.append(Hint(match.group("hint"), line_of(text, match.start())))
        blank(match.start(), match.end())
    for match in re.finditer(r"<!--.*?-->", text, re.DOTALL):
        blank(match.start(), match.end())
    offset = 0
    in_code = False
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            in_code = not in_code
            blank(offset, offset + len(line))
        elif in_code:
            blank(offset, offset + len(line))
        else:
            comment = _latex_comment(line)
            if comment is not None:
                hint = _HINT.match(line[comment:])
                if hint and kind == "latex" or hint and line[comment:].lstrip().startswith("%"):
                    document.pieces.append(Hint(hint.group("hint"), line_of(text, offset)))
                if kind == "latex" or line[comment:].lstrip().startswith("% derive"):
                    blank(offset + comment, offset + len(line))
        offset += len(line)
    for match in re.finditer(r"\\\$", text):
        blank(match.start(), match.end())
    return "".join(out)


def _latex_comment(line: str) -> int | None:
    """Where a LaTeX comment starts in ``line`` (an unescaped %), or None."""
    for match in re.finditer(r"%", line):
        backslashes = len(line[:match.start()]) - len(line[:match.start()].rstrip("\\"))
        if backslashes % 2 == 0:
            return match.start()
    return None


def _prose(document: Document, text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    if not chunk.strip():
        return
    chunk = _HTML_HINT.sub("", chunk)
    chunk = re.sub(r"<!--.*?-->", "", chunk, flags=re.DOTALL)
    lines = chunk.split("\n")
    line = line_of(text, start)
    in_code = False
    for index, piece in enumerate(lines):
        if _FENCE.match(piece):
            in_code = not in_code
            continue
        if in_code:
            continue
        stripped = piece
        comment = _latex_comment(piece) if document.kind == "latex" else None
        if comment is not None:
            stripped = piece[:comment]
        if stripped.strip() or index not in (0, len(lines) - 1):
            document.pieces.extend(_running(stripped, line + index, whole_line_display=False))


def _math(text: str, body: str, offset: int, display: bool, env: str | None) -> Math:
    """A maths piece with its rows; ``offset`` is where ``body`` starts in ``text``."""
    inner, inner_offset = body, offset
    found = re.match(r"\s*\\begin\{(" + "|".join(re.escape(e) for e in ROW_ENVIRONMENTS) + r")\}", body)
    if found:
        close = body.rfind("\\end{" + found.group(1) + "}")
        if close > 0:
            inner = body[found.end():close]
            inner_offset = offset + found.end()
    rows = []
    for start, end in _row_spans(inner) if display else [(0, len(inner))]:
        row = inner[start:end]
        if row.strip():
            lead = len(row) - len(row.lstrip())
            rows.append(Row(row.strip(), line_of(text, inner_offset + start + lead)))
    return Math(rows, line_of(text, offset + len(body) - len(body.lstrip())), display, body)


def _row_spans(text: str):
    """(start, end) of each row: ``text`` split at ``\\\\`` outside nested environments and braces."""
    spans, depth, env_depth, start, i = [], 0, 0, 0, 0
    while i < len(text):
        for marker, delta in (("\\begin{", 1), ("\\end{", -1)):
            if text.startswith(marker, i):
                env_depth += delta
                close = text.find("}", i)
                i = close + 1 if close >= 0 else len(text)
                break
        else:
            marker = None
        if marker is not None:
            continue
        ch = text[i]
        if ch == "\\" and text.startswith("\\\\", i):
            if depth == 0 and env_depth == 0:
                spans.append((start, i))
                start = i + 2
            i += 2
            continue
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        i += 1
    spans.append((start, len(text)))
    return spans


_CASE_HEADER = re.compile(r"^(?P<indent>\s*)(?P<word>If|For|When|Case)\s+(?P<case>[^:]{1,40}?)\s*:\s*\S", re.IGNORECASE)


def _under_case_header(line: str, header):
    """In plain text, a line indented under one that starts with a case ("If t = 1:  L = ...", then
    "           dL/dz = 0.8 - 1") is in that case too: (the line with the case written before it, the header
    in force)."""
    if not line.strip():
        return line, header
    indent = len(line) - len(line.lstrip())
    found = _CASE_HEADER.match(line)
    if found:
        return line, (len(found.group("indent")), found.group("word"), found.group("case"))
    if header is not None and indent > header[0] and has_relation(line):
        return f"{line[:indent]}{header[1]} {header[2]}: {line.strip()}", header
    return line, None if indent <= (header[0] if header else -1) else header


#: sizes after a formula, set apart by spaces: "     (C x N)(N x D) = C x D  ok", "   (N x C)"
_SHAPE = r"\(\s*[A-Z0-9]\s*(?:x|×|\*)\s*[A-Z0-9]\s*\)"
_SHAPE_REMARK = re.compile(rf"\s{{3,}}{_SHAPE}(?:\s*{_SHAPE})*(?:\s*=\s*\(?\s*[A-Z0-9]\s*(?:x|×)\s*[A-Z0-9]\s*\)?)?"
                           r"(?:\s*(?:ok|OK|✓|\(ok\)))?\s*$")


def _plain(text: str) -> list:
    """Pieces of a plain-text derivation: a line with a relation is maths, any other line prose."""
    pieces = []
    in_code = False
    names = defined_function_words(text)
    header = None                                    # (indent, case) of a line "If t = 1:  L = ..."
    for number, line in enumerate(text.splitlines(), start=1):
        line, header = _under_case_header(line, header)
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            continue
        hint = _HINT.match(line)
        if hint:
            pieces.append(Hint(hint.group("hint"), number))
            continue
        line = re.sub(r"(?<=\b[A-Za-z]) in (?=\{[^{}]*\})", " ∈ ", line)     # y in {0,1}: y ∈ {0,1}
        line = _SHAPE_REMARK.sub("", line)        # "dL/dW = ...      (C x N)(N x D) = C x D  ok": sizes, a remark
        labelled = re.match(r"^(\s*[A-Za-z][A-Za-z ]{0,40}:\s*)(\S.*)$", line)     # "margin indicator: m_ij = ..."
        if labelled and plain_cases(labelled.group(2).strip()):
            pieces.append(Prose(labelled.group(1), number))
            pieces.append(Math([Row(labelled.group(2).strip(), number)], number, True, line))
        elif line.strip() and plain_cases(line.strip()):       # "dL/dz_k = -1 if k == c, and 0 otherwise"
            pieces.append(Math([Row(line.strip(), number)], number, True, line))
        elif line.strip():
            pieces.extend(_running(line, number, whole_line_display=True, names=names))
        else:
            pieces.append(Prose("", number))
    return pieces


def _running(line: str, number: int, whole_line_display: bool, names: frozenset = frozenset()) -> list:
    """A line of running text as prose and the formulas in it (:mod:`.running`); in plain text, a line
    that is one formula is display maths (a chain may go on over the next lines)."""
    line = _HTML_TAG.sub(" ", line)                  # Q<sub>2</sub>: markup, not a comparison
    line = re.sub(r"^(\s*)[-*+•](?=\s+\S)", r"\1 ", line)   # "- dσ/dz = ...": a list's bullet, not a minus
    line = re.sub(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])", r"  \1  ", line)     # **σ′ = ...**: bold, not x**2
    if not _RELATION.search(line) and not states_something(line):
        return [Prose(line, number)]
    found = segments(line, names)
    if not any(s.kind == "maths" and _readable(s.text) for s in found):
        return [Prose(line, number)]
    if whole_line_display and len(found) == 1:
        return [Math([Row(found[0].text, number)], number, True, line)]
    pieces, words = [], ""
    for segment in found:
        if segment.kind == "maths" and _readable(segment.text):
            pieces.append(Math([Row(segment.text, number)], number, False, segment.text, words=words))
        else:
            pieces.append(Prose(segment.text, number))
            words = segment.text
    return pieces


def _readable(formula: str) -> bool:
    """A formula whose commands are all maths (not \\usepackage[margin=1in] or a link's ?a=b)."""
    from ...parse.written import KNOWN_COMMANDS
    return all(name in KNOWN_COMMANDS or name in ("text", "mathrm", "operatorname")
               for name in re.findall(r"\\([A-Za-z]+)", formula)) and "://" not in formula
