"""One row of maths taken apart: its label, its clauses (the statement, its conditions, its
justification) and the chain of expressions and relations in each statement.

    Q1/2/1: L &= \\sum ... \\text{ as } k = y_i        label Q1/2/1, statement "L = \\sum ...",
                                                        condition "k = y_i"
    \\text{where } \\mathbb{I}(u > 0) &= 1 \\text{ if } u > 0   lead "where", condition "u > 0"
    \\therefore t_2 = 1 - t_1 \\; ; \\; f(s_2) = 1 - f(s_1)  lead "therefore", two statements

Splitting happens only at the top level: a relation inside brackets (an indicator's u > 0) or
inside ``\\begin{cases}`` stays where it is. Nothing here reads an expression.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

#: relations a chain is split at, by how they are written (LaTeX commands and plain text)
RELATIONS = {
    "=": "=", ":=": "define", "==": "=", "\\approx": "approx", "\\simeq": "approx", "\\equiv": "=",
    "\\leftarrow": "assign", "\\gets": "assign", "\\Rightarrow": "implies", "\\implies": "implies",
    "\\Longrightarrow": "implies", "=>": "implies", "\\rightarrow": "arrow", "\\to": "arrow", "->": "arrow",
    "<": "<", ">": ">", "\\lt": "<", "\\gt": ">", "\\le": "<=", "\\leq": "<=", "\\leqslant": "<=",
    "\\ge": ">=", "\\geq": ">=", "\\geqslant": ">=", "<=": "<=", ">=": ">=", "\\neq": "!=", "\\ne": "!=",
    "!=": "!=", "\\gg": ">>", "\\ll": "<<", "\\iff": "iff", "\\Leftrightarrow": "iff", "\\propto": "propto",
    "\\in": "in",
}
#: words (in \text{...} or plain text) that open a condition clause
CONDITION_WORDS = {"if", "when", "while", "for", "whenever", "provided", "with", "given", "assuming", "unless"}
#: words that say the statement follows from what came before
CONCLUSION_WORDS = {"therefore", "thus", "hence", "so", "then", "consequently", "finally"}
#: words that introduce a premise
PREMISE_WORDS = {"because", "since", "as", "by"}

_UNICODE = {"⇒": "\\Rightarrow ", "∴": "\\therefore ", "∵": "\\because ", "→": "\\rightarrow ", "≈": "\\approx ",
            "←": "\\leftarrow ", "⟹": "\\Rightarrow ", "≡": "\\equiv ", "∝": "\\propto ", "∈": "\\in ",
            "≫": "\\gg ", "≪": "\\ll ", "⟺": "\\iff ", "≠": "\\neq ", "≤": "\\leq ", "≥": "\\geq "}
_CIRCLED = {chr(0x2460 + n): f"\\textcircled{{{n + 1}}}" for n in range(20)}

_LABEL = re.compile(
    r"^\s*(?:"
    r"Q_?\{?\d+\}?(?:\s*/\s*\d+)*\s*:"            # Q1/2/1:  Q_1/3/2 :
    r"|\\textbf\{[^{}]*\}\s*:?"                   # \textbf{(a)}
    r"|\d+\s*\.(?!\d)"                            # 1.  2.
    r"|\(\s*[a-z0-9]{1,3}\s*\)(?=\s*\\?[A-Za-z\\])"  # (1) (a) before a statement
    r"|\(\s*\d{1,2}\s*\)(?=\s+(?:[-\d(]|=>|⇒))"       # (4) 1 - sig(x) = ..., (5) => ...: a numbered line
    r"|\[\s*Step\s*\d+\s*\]"                      # [Step1]
    r")\s*")
_TEXTCIRCLED = re.compile(r"\\textcircled\{\s*(\d+)\s*\}")
_TEXT = re.compile(r"\\(?:text|textrm|textit|textbf|mbox|mathrm|operatorname)\s*\{")
_DROPPED = re.compile(r"\\(?:tag|label)\s*\{[^{}]*\}|\\(?:nonumber|notag)\b"
                      r"|\(\s*(?:0|1|zero|one)[- ]?(?:indexed|based)\b[^()]*\)")      # y = 1 (0-indexed, ...): a remark
_TRAILING_NUMBER = re.compile(r"(?:\\q?quad|,|\s)\s*\((?:\d+|[a-z])\)\s*$")
#: words in brackets after the maths, at the end of the row, saying what a name is: "f_j = x_i . w_j   (w_j is
#: column j of W)" (a name with a subscript, then is/are/denotes; never a case, as in "(j is not the correct class)")
_TRAILING_REMARK = re.compile(r"(?<=\s)\(\s*[A-Za-z]_\{?[A-Za-z0-9]{1,3}\}?\s+(?:is|are|denotes)\s+"
                              r"(?![^()\\]*\b(?:not|correct|incorrect|class|label|case|equal|when|if|for|unless)\b)"
                              r"[^()\\=<>]*\)\s*[.,;]?\s*$")
#: (w_k = k-th row of W), (L_n = loss of example n): a remark that says in words what a name is
_TRAILING_NAMING = re.compile(r"(?<=\s)\(\s*[A-Za-z]_\{?[A-Za-z0-9]{1,3}\}?\s*=\s*[^()=<>]*\b(?:row|column|loss|"
                              r"example|entry|element|vector|matrix|th)\b[^()=<>]*\)\s*[.,;:]?\s*$")
#: the range an index runs over, after its formula: (k = 1, …, K), ", i = 1..C", (j = 0..K-1)
_TRAILING_RANGE = re.compile(r"(?:,\s*|\s+\(\s*)[a-z]\s*=\s*[01]\s*(?:,\s*(?:…|\\l?dots|\.\.\.)\s*,|\.\.|…|"
                             r"\\l?dots)\s*[A-Za-z0-9]+(?:\s*-\s*1)?\s*\)?\s*[.,;]?\s*$")
_LEAD_COLON = re.compile(r"^\s*:\s*(?!=)")
#: "\quad (j \neq y_i)", "\; (\text{for } j \ne y_i)" ending a row: the row's case, in brackets after a space
_INDEX = r"[a-zA-Z](?:'|_\{?[a-zA-Z0-9]+\}?)?"
_TRAILING_CASE = re.compile(r"(?:,\s*)?(?:\\q?quad(?![A-Za-z])|\\[,;: ]|~)[\s~]*(?:\\left)?\(\s*"
                            r"(?:\\text\s*\{\s*(?:for|if|when)\s*\}\s*)?"
                            r"(" + _INDEX + r"\s*(?:=|!=|≠|\\neq?(?![A-Za-z]))\s*" + _INDEX + r")\s*(?:\\right)?\)[\s.,;]*$")


@dataclass
class Clause:
    """A part of a row: ``kind`` is main, condition, justification, prose or premise; ``lead`` the word
    that opened it (therefore, where, if ...); ``text`` its maths."""

    kind: str
    text: str
    lead: str = ""
    words: str = ""


@dataclass
class Chain:
    """``parts[0] rel[0] parts[1] rel[1] ...``; ``continued`` when the row starts with a relation (``&= ...``)."""

    parts: list
    relations: list
    continued: bool = False


@dataclass
class RowStatement:
    """What one row says: label, lead word, the statements' chains and the clauses around them."""

    text: str
    label: str = ""
    lead: str = ""
    chains: list = field(default_factory=list)
    conditions: list = field(default_factory=list)       # Clause(kind="condition")
    justifications: list = field(default_factory=list)
    prose: list = field(default_factory=list)
    references: list = field(default_factory=list)       # circled numbers cited: (1), (2)
    leading: list = field(default_factory=list)          # conditions written before the statement


def _environment_marker(text: str, i: int):
    """(+1 or -1, index after it) when ``\\begin{...}`` or ``\\end{...}`` starts at ``i``, else (0, i)."""
    for marker, delta in (("\\begin{", 1), ("\\end{", -1)):
        if text.startswith(marker, i):
            close = text.find("}", i)
            return delta, (close + 1 if close >= 0 else len(text))
    return 0, i


#: a word as a subscript, written in text (p_{\text{cat}}, L_{\mathrm{SVM}})
_TEXT_SUBSCRIPT = re.compile(r"_\s*\{\s*\\(?:text|mathrm|textrm|operatorname)\s*\{\s*([A-Za-z]+)\s*\}\s*\}")
#: names of quantities written upright (\mathrm{LSE}(x), \operatorname{CE}): maths, not words
_UPRIGHT_NAME = re.compile(r"\\(?:operatorname|mathrm)\s*\{\s*([A-Z][A-Za-z]{1,7})\s*\}")
#: function names written upright (\operatorname{diag}(p), \mathrm{softmax}(s)): maths, not words
_UPRIGHT_FUNCTION = re.compile(r"\\(?:operatorname|mathrm|text|textrm)\s*\{\s*(diag|exp|log|max|grad|softmax|sigmoid|"
                               r"reg|one(?:\\?_|-)?hot|tr|trace)\s*\}")


def normalize(text: str) -> str:
    for ch, spelled in {**_UNICODE, **_CIRCLED}.items():
        text = text.replace(ch, spelled)
    text = _TEXT_SUBSCRIPT.sub(lambda m: f"_{{{m.group(1)}}}", text)          # p_{\text{cat}}: the subscript cat
    text = _UPRIGHT_NAME.sub(lambda m: f" {m.group(1)} ", text)
    return _UPRIGHT_FUNCTION.sub(lambda m: f" {m.group(1)}", text)      # softmax(s): the call kept whole


#: a value in two cases written in plain text: "dL/dz_k = -1 if k = c, and 0 otherwise", "= 1 if u > 0 else 0"
_PLAIN_CASES = re.compile(r"^(?P<head>[^=$\\]*?(?<![<>!])=)\s*(?P<a>[^=,]+?)\s+if\s+(?P<condition>(?:[^,]|,(?!\s))+?)"
                          r"\s*(?:,\s+(?:and\s+)?|,?\s+else\s+)(?:[A-Za-z][\w{},\[\]]*\s*=\s*)?(?P<b>[^=,]+?)"
                          r"(?:\s+otherwise)?\s*\.?\s*$")


def code_equals(text: str) -> str:
    """``text`` with ``==`` (k == c, as code writes it) written ``=``."""
    return re.sub(r"(?<![=<>!])==(?!=)", "=", text)


def plain_cases(text: str) -> bool:
    """Whether ``text`` is a formula with two cases in plain words ("= 1 if u > 0 else 0")."""
    found = _PLAIN_CASES.fullmatch(code_equals(text))
    return bool(found) and bool(re.search(r"=|\\neq?|≠", found.group("condition"))) \
        and (not re.search(r"[<>]|\\[lg]eq?\b|[≤≥]", found.group("condition")) or re.search(r"\belse\b", text)) \
        and not re.search(r"(?<![A-Za-z\\])(?!(?:log|exp|max|min|sum|ln)\b)[A-Za-z]{3,}", found.group("head")) \
        and found.group("head").count("(") == found.group("head").count(")")   # not "Entries (δ_ij = 1 if i = j, else 0)"


def read_row(text: str) -> RowStatement:
    """The statement(s) of one row of maths."""
    text = code_equals(normalize(text))
    text = re.sub(r"(?<=\S)\s+<-\s+", r" \\leftarrow ", text)        # w <- w - lr * dL/dw: an update
    if len(re.findall(r"=", text)) >= 2:    # z = w·x + b  →  h = max(0, z): a graph's nodes, one statement each
        text = re.sub(r"\s+(?:→|\\rightarrow|\\to|->)\s+(?=\\?[A-Za-z][\w{}]*\s*=)", r" \\quad ", text)
    text = text if not plain_cases(text) else _PLAIN_CASES.sub(lambda m: f"{m.group('head')} \\begin{{cases}} {m.group('a')} & \\text{{if }} "
                                      f"{m.group('condition')} \\\\ {m.group('b')} & \\text{{otherwise}} \\end{{cases}}",
                            text)       # "= -1 if k = c, and 0 otherwise": the two cases
    statement = RowStatement(text)
    body = _DROPPED.sub(" ", text)
    body = _TRAILING_NUMBER.sub("", body)
    body = _TRAILING_CASE.sub(lambda m: " \\quad " + m.group(1), body)
    body = _unbox(body)
    label = _LABEL.match(body)
    if label and label.group().strip():
        statement.label = label.group().strip().rstrip(":").strip()
        body = body[label.end():]
    statement.references = _TEXTCIRCLED.findall(body)
    body = _TEXTCIRCLED.sub(" ", body)
    if _LEAD_COLON.match(body):
        statement.lead = "because"
        body = _LEAD_COLON.sub("", body, count=1)
    body = re.sub(r"\(\s*\\text\s*\{[^{}]*\}\s*\)", " ", body)          # (\text{dog}): a remark
    body = _TRAILING_REMARK.sub(" ", body)                               # (w_j is column j of W): a remark
    body = _TRAILING_NAMING.sub(" ", body)                               # (L_n = loss of example n): a remark
    body = _TRAILING_RANGE.sub(" ", body)                                # (k = 1, …, K): the range of k
    body = re.sub(r"^\s*\\(therefore|because)\b", lambda m: _set_lead(statement, m.group(1)), body)
    body = re.sub(r"^\s*(?:\\cdot|\\times|[.,*])*\s*(?=\\Rightarrow|\\implies|=>)", "", body)
    clauses = _clauses(body)
    if clauses and not any(c.kind in ("main", "premise") for c in clauses) and clauses[0].kind == "justification" \
            and split_chain(clauses[0].text).relations:
        clauses[0] = Clause("main", clauses[0].text, lead="because", words=clauses[0].words)
    for index, clause in enumerate(clauses):
        if clause.kind == "main" or clause.kind == "premise":
            if index == 0 and clause.lead and not statement.lead:
                statement.lead = clause.lead
            for piece in _statements(clause.text):
                chain = split_chain(piece)
                inner = re.fullmatch(r"\s*\(\s*([a-z]\s*(?:\\neq?|\\ne|≠|!=|=)\s*[A-Za-z0-9_{}]+)\s*\)\s*", piece)
                if statement.chains and not chain.relations and inner:
                    chain = split_chain(inner.group(1))     # "M_ij = ... \quad (j \neq y_i)": the row's case
                if chain.parts and any(p.strip() for p in chain.parts):
                    statement.chains.append(chain)
        elif clause.kind == "condition":
            if not statement.chains:
                statement.leading.append(clause)
            else:
                statement.conditions.append(clause)
        elif clause.kind == "justification":
            statement.justifications.append(clause)
        else:
            statement.prose.append(clause)
    return statement


def _set_lead(statement: RowStatement, word: str) -> str:
    statement.lead = {"therefore": "therefore", "because": "because"}[word]
    return " "


def _unbox(text: str) -> str:
    """``\\boxed{X}`` as X."""
    while True:
        found = re.search(r"\\boxed\s*\{", text)
        if not found:
            return text
        end = _closing(text, found.end() - 1)
        if end < 0:
            return text
        text = text[:found.start()] + text[found.end():end] + text[end + 1:]


def _closing(text: str, opening: int) -> int:
    """Index of the brace closing the one at ``opening``, or -1."""
    depth = 0
    i = opening
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _clauses(body: str) -> list[Clause]:
    """The row cut at top-level \\text{...} words, \\quad, ':' and ';' (kept with the statements)."""
    clauses: list[Clause] = []
    current = Clause("main", "")
    pieces = []
    for kind, value in _top_level(body):
        pieces.append((kind, value))
    buffer = []

    def flush():
        current.text = "".join(buffer).strip()
        if current.text or current.kind != "main" or current.lead:
            clauses.append(current)

    for kind, value in pieces:
        if kind == "text":
            flush()
            buffer = []
            current = _clause_for(value.strip())
        elif kind == "quad" or kind == "colon":
            flush()
            buffer = []
            current = Clause("main", "")
        else:
            buffer.append(value)
    flush()
    merged: list[Clause] = []
    for clause in clauses:
        if clause.kind == "main" and not clause.text and not clause.lead:
            continue
        merged.append(clause)
    return merged


def _clause_for(words: str) -> Clause:
    """The clause a \\text{...} opens: a condition (if, when), a lead (therefore, where), a justification (as)."""
    cleaned = re.sub(r"[^A-Za-z ]", " ", words).lower().split()
    if not cleaned:
        return Clause("main", "")
    head = cleaned[0]
    rest = cleaned[1:]
    if head in CONDITION_WORDS and len(rest) <= 1:
        return Clause("condition", "", lead=head, words=words)
    if head == "otherwise":
        return Clause("condition", "", lead="otherwise", words=words)
    if head in ("and", "or") and not rest:
        return Clause("condition", "", lead=head, words=words)
    if head == "where" and not rest:
        return Clause("main", "", lead="where", words=words)
    if head in CONCLUSION_WORDS and not rest:
        return Clause("main", "", lead="therefore", words=words)
    if head in ("because", "since") and not rest:
        return Clause("premise", "", lead="because", words=words)
    if head in ("as", "by", "since", "because", "using", "from") and not rest:
        return Clause("justification", "", lead=head, words=words)
    if head in CONCLUSION_WORDS | {"because", "since", "as", "by"} and rest and len(rest) <= 2 \
            and rest[-1] in ("that", "we", "get", "have"):
        return Clause("main", "", lead="therefore" if head in CONCLUSION_WORDS else "because", words=words)
    return Clause("prose", "", lead=head, words=words)


def _top_level(body: str):
    """(kind, value) pieces of ``body``: text words, \\quad, ':' separators, and maths (kept verbatim)."""
    i, depth, env, start = 0, 0, 0, 0
    out = []

    def emit_math(end):
        if end > start:
            out.append(("math", body[start:end]))

    while i < len(body):
        delta, end = _environment_marker(body, i)
        if delta:
            env += delta
            i = end
            continue
        text = _TEXT.match(body, i)
        if text and depth == 0 and env == 0:
            close = _closing(body, text.end() - 1)
            if close > 0:
                emit_math(i)
                out.append(("text", body[text.end():close]))
                i = start = close + 1
                continue
        if depth == 0 and env == 0:
            quad = re.match(r",?\s*\\q?quad(?![A-Za-z])", body[i:])
            if quad:
                emit_math(i)
                out.append(("quad", ""))
                i = start = i + quad.end()
                continue
            if body[i] == ":" and not body.startswith(":=", i) and not body.startswith("::", i):
                emit_math(i)
                out.append(("colon", ""))
                i = start = i + 1
                continue
        ch = body[i]
        if ch == "\\" and i + 1 < len(body) and body[i + 1] in "{}":
            depth += 1 if body[i + 1] == "{" else -1
            i += 2
            continue
        if ch == "\\":
            i += 2 if i + 1 < len(body) and not body[i + 1].isalpha() else 1
            continue
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
        i += 1
    emit_math(len(body))
    return out


def _statements(text: str) -> list[str]:
    """A clause cut at top-level ';' into statements, and at a top-level ',' or \\quad between two relations
    (``w_0 = 2, x_0 = -1``, ``q = 3, \\quad f = qz``)."""
    found = []
    for piece in _split_top(text, ";"):
        if not piece.strip():
            continue
        parts = _split_top(re.sub(r"\\q?quad\b", ",", piece), ",")
        merged: list[str] = []
        for part in parts:
            if merged and (not _RELATION_AT.search(part) or not _RELATION_AT.search(merged[-1])):
                merged[-1] = merged[-1] + "," + part
            else:
                merged.append(part)
        if any(not _RELATION_AT.search(m) for m in merged):
            merged = [piece]                        # a list that is not a list of statements: as written
        found += [m for m in merged if m.strip()]
    return found


def _split_top(text: str, separator: str) -> list[str]:
    pieces, depth, env, start, i = [], 0, 0, 0, 0
    while i < len(text):
        delta, end = _environment_marker(text, i)
        if delta:
            env += delta
            i = end
            continue
        ch = text[i]
        if ch == "\\":
            if i + 1 < len(text) and text[i + 1] in "{}":
                depth += 1 if text[i + 1] == "{" else -1
            i += 2
            continue
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
        elif ch == separator and depth == 0 and env == 0:
            pieces.append(text[start:i])
            start = i + 1
        i += 1
    pieces.append(text[start:])
    return pieces


_RELATION_AT = re.compile(
    r"\\(?:approx|simeq|equiv|leftarrow|gets|Rightarrow|implies|Longrightarrow|rightarrow|to|lt|gt|leqslant|geqslant"
    r"|leq|geq|le|ge|neq|ne|gg|ll|iff|Leftrightarrow|propto|in)(?![A-Za-z])"
    r"|:=|==|=>|->|<=|>=|!=|=|<|>")


def split_chain(text: str) -> Chain:
    """``a = b = c`` as a :class:`Chain`; ``&`` alignment marks dropped; a leading relation continues a chain."""
    parts, relations = [], []
    depth, env, start, i = 0, 0, 0, 0
    while i < len(text):
        delta, end = _environment_marker(text, i)
        if delta:
            env += delta
            i = end
            continue
        if depth == 0 and env == 0:
            found = _RELATION_AT.match(text, i)
            if found:
                parts.append(text[start:i])
                relations.append(RELATIONS[found.group()])
                i = start = found.end()
                continue
        ch = text[i]
        if ch == "\\":
            if i + 1 < len(text) and text[i + 1] in "{}":
                depth += 1 if text[i + 1] == "{" else -1
                i += 2
                continue
            i += 1
            while i < len(text) and text[i].isalpha():
                i += 1
            continue
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
        i += 1
    parts.append(text[start:])
    parts = [_clean_part(p) for p in parts]
    continued = bool(relations) and not parts[0].strip()
    if continued:
        parts = parts[1:]
    return Chain(parts, relations, continued)


def _clean_part(part: str) -> str:
    """An expression as the grammar wants it: no alignment '&', no trailing punctuation."""
    part = _drop_alignment(part)
    spacing = r"(?:\\[,;:! ]|\\q?quad(?![A-Za-z])|\s)"
    for _ in range(3):
        part = re.sub(rf"^{spacing}+|{spacing}+$", "", part)
        part = re.sub(r"[,.;]+$", "", part)
    return part.strip()


def _drop_alignment(part: str) -> str:
    """``part`` without top-level '&' (inside cases and matrices '&' separates columns and stays)."""
    out, env, i = [], 0, 0
    while i < len(part):
        delta, end = _environment_marker(part, i)
        if delta:
            env += delta
            out.append(part[i:end])
            i = end
            continue
        ch = part[i]
        if ch == "\\" and i + 1 < len(part):
            out.append(part[i:i + 2])
            i += 2
            continue
        if ch == "&" and env == 0:
            out.append(" ")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


# --- cases ------------------------------------------------------------------------------------------

_CASES = re.compile(r"^\s*\\begin\{(d?cases)\}(?P<body>.*)\\end\{\1\}\s*$", re.DOTALL)


def cases_rows(text: str):
    """The rows of ``\\begin{cases} v_1 & c_1 \\\\ v_2 & c_2 \\end{cases}`` as (value, condition) texts,
    or None when ``text`` is not (only) a cases environment."""
    found = _CASES.match(text)
    if not found:
        return None
    body = found.group("body")
    rows = []
    for row in _split_rows(body):
        if not row.strip():
            continue
        cells = _split_cells(row)
        value = re.sub(r"[,;]\s*$", "", cells[0].strip())
        condition = " ".join(cells[1:]) if len(cells) > 1 else ""
        condition = re.sub(r"[,.;]\s*$", "", condition.strip())
        rows.append((value.strip(), condition.strip()))
    return rows


def _split_rows(body: str) -> list[str]:
    rows, env, depth, start, i = [], 0, 0, 0, 0
    while i < len(body):
        delta, end = _environment_marker(body, i)
        if delta:
            env += delta
            i = end
            continue
        if body.startswith("\\\\", i):
            if env == 0 and depth == 0:
                rows.append(body[start:i])
                start = i + 2
            i += 2
            continue
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        i += 1
    rows.append(body[start:])
    return rows


def _split_cells(row: str) -> list[str]:
    cells, env, depth, start, i = [], 0, 0, 0, 0
    while i < len(row):
        delta, end = _environment_marker(row, i)
        if delta:
            env += delta
            i = end
            continue
        ch = row[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "&" and env == 0 and depth == 0:
            cells.append(row[start:i])
            start = i + 1
        i += 1
    cells.append(row[start:])
    return cells
