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
MATH_WORDS = {"log", "ln", "exp", "max", "min", "sum", "sqrt", "grad", "diag", "sigma", "argmax", "tanh", "delta",
              "lambda", "alpha", "beta", "gamma", "epsilon", "theta", "reg", "yhat", "phat"}
#: a relation between two sides, as running text writes it
RELATION = re.compile(r"(?<![<>!=:])=(?!=)|!=|<|>|≤|≥|≠|≈|⇒|=>|∈|\\(?:approx|leq?|geq?|neq?|Rightarrow|implies|lt|gt)"
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


#: "lse(s) = ...": a lower-case name the text defines as a function, maths wherever it is written (d lse / d s_j)
_FUNCTION_DEFINED = re.compile(r"(?<![A-Za-z\\])([a-z]{2,5})\s*\(\s*[a-z]\s*\)\s*(?::=|=)")


def defined_function_words(text: str) -> frozenset:
    """The lower-case names ``text`` defines as functions of one letter (lse(s) = log sum_k exp(s_k))."""
    named = {found.group(1) for found in _NAME_GIVEN.finditer(text)}      # "learning rate lr = 0.1": lr a name
    return frozenset(found.group(1) for found in _FUNCTION_DEFINED.finditer(text)
                     if found.group(1) not in MATH_WORDS and found.group(1) not in _KNOWN_FUNCTIONS) \
        | frozenset(word for word in named if word not in MATH_WORDS and word not in _KNOWN_FUNCTIONS)


#: a short lower-case name given a number: "lr = 0.1", "eta = 0.01" (not a word of the prose)
_NAME_GIVEN = re.compile(r"(?<![A-Za-z\\_])([a-z]{2,3})\s*=\s*[−-]?\d")


#: words that are already maths of their own (functions, Greek letters): never a name the text defines
_KNOWN_FUNCTIONS = frozenset({"log", "exp", "max", "min", "sum", "sqrt", "diag", "sigma", "alpha", "beta", "gamma",
                              "delta", "eta", "theta", "lambda", "mu", "xi", "pi", "rho", "tau", "phi", "omega"})


def _is_word(token: str, names: frozenset = frozenset()) -> bool:
    core = token.strip("*_`\"'").rstrip(".,;:!?").lstrip("([").rstrip(")]")
    core = core.strip("*_`\"'")
    if _ABBREVIATION.fullmatch(token.strip("*_`\"'(),;:")):
        return True
    if "://" in token:
        return True
    if not core or not _WORD.fullmatch(core):
        return False
    if len(core) < 2 or core.lower() in MATH_WORDS or core in ("yi", "yn") or core in names:
        return False                    # yi, yn: the label y_i written without its underscore
    if core.isupper() and len(core) <= 4:
        return False                    # LSE, CE, SVM: the name of a quantity
    if "(" in token.rstrip(")") and not token.startswith("("):
        return False                    # softmax(s), LSE(s): a function applied
    return True


def _tokens(line: str, names: frozenset = frozenset()):
    """(start, end, is_word) of each whitespace-separated token, with brackets opened in maths kept maths."""
    found = []
    depth = 0
    for match in re.finditer(r"\S+", line):
        token = match.group()
        word = depth == 0 and _is_word(token, names)
        if not word:
            for ch in token:
                if ch in _OPEN:
                    depth += 1
                elif ch in _CLOSE and depth > 0:
                    depth -= 1
        found.append((match.start(), match.end(), word))
    return _articles(line, found)


def _articles(line: str, found: list) -> list:
    """"= -12.04, a change of -0.04": the letter a before a word, after a comma or a word, is the article."""
    marked = list(found)
    for index, (start, end, word) in enumerate(found):
        if word or line[start:end] not in ("a", "A") or index + 1 == len(found):
            continue
        after = found[index + 1]
        before = found[index - 1] if index else None
        if after[2] and after[1] - after[0] >= 3 and (
                before is None or before[2] or line[before[0]:before[1]].endswith((",", ";", ":"))):
            marked[index] = (start, end, True)
    return marked


#: "∂/∂W_dc of λ Σ_d Σ_j W_dj² is 2λ W_dc", "the derivative of x^2 with respect to x is 2x": a derivative in words
_DERIVATIVE_PHRASE = re.compile(
    r"(?P<operator>(?:∂|\\partial|d)\s*/\s*(?:∂|\\partial|d)\s*\S+?)\s+of\s+(?P<expression>.+?)\s+(?:is|equals)\s+"
    r"(?P<value>(?:[^,;:()]|\((?:[^()]|\([^()]*\))*\))+?)\s*(?=[),;:]|\.(?:\s|$)|$)")


#: a sum said in words: "sum over j != y of max(0, ...)", "sum over all j of e^{s_j}"
_SUM_IN_WORDS = re.compile(
    r"\bsum\s+over\s+(?:all\s+)?(?P<index>[A-Za-z](?:_\{?\w+\}?)?(?:\s*(?:!=|≠|\\neq|\\ne)\s*[A-Za-z](?:_\{?\w+\}?)?)?)"
    r"\s+of\s+")


def _sums_in_words(line: str) -> str:
    """``line`` with each sum said in words written as ``sum_{j != y}``, padded to the same length so that the
    positions of everything else stay where they are."""
    def written(found):
        text = f"sum_{{{found.group('index')}}} "
        return text + " " * (len(found.group(0)) - len(text))
    return _SUM_IN_WORDS.sub(written, line)


#: a row or a column of a matrix said in words: "row 0 of J", "column j of W"
_SLICE_IN_WORDS = re.compile(r"\b(?P<kind>row|column)\s+(?P<index>\d+|[a-z])\s+of\s+(?P<matrix>[A-Z])\b")


def _slices_in_words(line: str) -> str:
    """``line`` with each row or column said in words written as ``J_{0,:}`` (``W_{:,j}``), padded to the same
    length so that the positions of everything else stay where they are."""
    def written(found):
        index, matrix = found.group("index"), found.group("matrix")
        text = f"{matrix}_{{{index},:}}" if found.group("kind") == "row" else f"{matrix}_{{:,{index}}}"
        return text + " " * (len(found.group(0)) - len(text))
    return _SLICE_IN_WORDS.sub(written, line)


#: a remark in brackets after a formula and two spaces, with a relation in it: "x = [1, 2]   (s = W x, W has 3 rows)"
_SPACED_REMARK = re.compile(r"(?<=[^\s(])(?P<space>\s{2,})\((?P<inner>[^()]*[=<>][^()]*)\)(?P<end>\s*[.,;]?\s*)$")


def _spaced_remark(line: str) -> str:
    """``line`` with a bracketed remark after two spaces made a clause of its own ("x = [1, 2];  s = W x, ...")
    when what comes before it is a formula, the positions of everything else kept."""
    found = _SPACED_REMARK.search(line)
    if not found or not has_relation(line[:found.start()]):
        return line
    inner = found.group("inner")
    if "," not in inner or re.search(r"…|\\dots|\\ldots|\.\.", inner):
        return line                             # "(j != y_i)": a case; "(k = 1, …, K)": an index's range
    return line[:found.start()] + ";" + found.group("space")[1:] + " " + found.group("inner") + " " + found.group("end")


def segments(line: str, names: frozenset = frozenset()) -> list[Segment]:
    """The line as words and formulas, in order (a formula only when it has a relation in it); ``names``: words
    the text defines as functions (maths, not words)."""
    line = _spaced_remark(_slices_in_words(_sums_in_words(line)))
    found = _DERIVATIVE_PHRASE.search(line)
    if found:                                   # the derivative said in words, as the formula it states
        before, after = line[:found.start()], line[found.end():]
        value = found.group('value').strip().rstrip(".")
        formula = f"{found.group('operator')} ({found.group('expression')}) = {value}"
        return _merged([*segments(before, names), Segment("maths", formula, found.start()),
                        *segments(after, names)])
    pieces: list[Segment] = []
    tokens = _tokens(line, names)
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
                trailing = _TRAILING_CASE.fullmatch(part)
                if trailing and has_relation(trailing.group("formula")):    # "dL_i/ds_j = ...   (j != y_i)"
                    pieces.append(Segment("maths", f"{trailing.group('formula').strip()} \\text{{ for }} "
                                                   f"{trailing.group('case').strip()}", start + offset))
                    continue
                if has_relation(part):
                    cleaned, lead = _cleaned(part)
                    inner = segments(cleaned, names) if lead > len(part) - len(part.lstrip()) and cleaned != part else []
                    if any(s.kind == "words" for s in inner):     # "(delta = 1, regularization strength reg)"
                        pieces += [Segment(s.kind, s.text, start + offset + lead + s.start) for s in inner]
                        continue
                    if cleaned and not _word_named(cleaned):
                        pieces.append(Segment("maths", cleaned, start + offset + lead))
                        continue
                pieces.append(Segment("words", part, start + offset))
        index = last + 1
    return _otherwise(_merged(_leading_cases(_joined_conditions(pieces), line)))


#: a formula and, after a space, its case in brackets: "dL_i/ds_j = 1(s_j - s_{y_i} + 1 > 0)   (j != y_i)"
_TRAILING_CASE = re.compile(r"(?P<formula>.*[^\s(=<>+\-*/^_,])\s+\(\s*(?P<case>[A-Za-z]'?\s*(?:=|!=|≠|\\neq?(?![A-Za-z]))\s*"
                            r"[A-Za-z0-9_{}]+)\s*\)\s*[.,;]?\s*")


def _split_formula(text: str):
    """(offset, part) of a run of maths tokens, split at a top-level ": ", at a full stop after a bracket or a
    digit and before a word, and at a top-level comma or semicolon between two relations."""
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
        elif depth == 0 and ch == "." and i > 0 and (text[i - 1] in ")]}" or text[i - 1].isdigit()) \
                and re.match(r"\s+[A-Za-z]", text[i + 1:]):
            cuts.append((i, i + 1))                 # "s = [1000, 1001, 1002]. exp(1000) is ...": a sentence ends
    parts, begin = [], 0
    for cut in cuts:
        at, after = cut[0], cut[1]
        lone = begin == 0 and re.fullmatch(r"\s*(?:[A-Za-z]|\d+)\s*", text[begin:at])   # "one example i, delta = 1"
        trailing = re.fullmatch(r"\s*[A-Za-z](?:_\w+)?\s*", text[after:]) and has_relation(text[begin:at])
        if len(cut) == 3 and not (has_relation(text[begin:at]) and has_relation(text[after:])) \
                and not (lone and has_relation(text[after:])) and not trailing:     # "s = W x, W has 3 rows"
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
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()                 # "(labels t ∈ {0, 1})": the bracket the words opened
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
                and pieces[i + 1].text.strip(" (").lower() in CONDITION_JOINERS and pieces[i + 2].kind == "maths" \
                and (_is_condition(pieces[i + 2].text) or _is_inequality(pieces[i + 2].text)):
            word = pieces[i + 1].text.strip(" (").lower()           # "... (for j = y_i)": its bracket too
            out.append(Segment("maths", f"{piece.text} \\text{{ {word} }} {pieces[i + 2].text}", piece.start))
            i += 3
            continue
        out.append(piece)
        i += 1
    return out


#: words that open a case written before its formula: "For j != y_i: ...", "When k = y_i, ...", "Case u > 0: ..."
_LEADING_CASE = re.compile(r"(?:^|(?<=\W))(for|when|whenever|if|case|in\s+the\s+case)"
                           r"(?:\s+(?:the\s+)?(?:correct|incorrect|wrong|other|true)?\s*(?:class|classes|index|indices|"
                           r"column|columns|row|rows|entry|entries))?\s*$", re.IGNORECASE)


def _leading_cases(pieces: list[Segment], line: str) -> list[Segment]:
    """"For j != y_i: dL_i/dw_j = ...", "When k = y_i, ∂L_i/∂s_k = p_k - 1": a case and, after a colon or a
    comma, the formula that holds in it, as one formula with its condition after it ("... for j != y_i"), so
    the case restricts that formula (and only it) and the formula is checked."""
    out: list[Segment] = []
    i = 0
    while i < len(pieces):
        named = i + 3 < len(pieces) and pieces[i + 2].kind == "words" and pieces[i + 3].kind == "maths"
        if i + 2 < len(pieces) and pieces[i].kind == "words" and pieces[i + 1].kind == "maths" \
                and (pieces[i + 2].kind == "maths" or named):
            opener = _LEADING_CASE.search(pieces[i].text.rstrip())
            case, formula = pieces[i + 1], pieces[i + 3 if named else 2]
            between = line[case.start + len(case.text):formula.start].strip()
            if opener and joins_case(between) and (_is_condition(case.text) or _is_inequality(case.text)) \
                    and not _is_condition(formula.text) and not _is_inequality(formula.text):
                before = pieces[i].text[:opener.start()].rstrip()
                if before:
                    out.append(Segment("words", before, pieces[i].start))
                word = opener.group(1).lower()
                word = word if word in CONDITION_JOINERS else "for"
                out.append(Segment("maths", f"{formula.text} \\text{{ {word} }} {case.text}", formula.start))
                i += 4 if named else 3
                continue
        out.append(pieces[i])
        i += 1
    return out


#: words that may stand between a case and the formula that holds in it ("If u > 0 then dh/du = 1", "When t = 1
#: the gradient ∂L/∂z = a - 1", "for u < 0 we have ...")
_FILLERS = {"then", "we", "get", "have", "obtain", "find", "so", "it", "follows", "that", "the", "gradient",
            "derivative", "loss", "value", "slope", "output", "result", "is", "becomes", "gives", "and", "one"}


def joins_case(between: str) -> bool:
    """What may stand between a case and its formula: a colon, a comma, or a few words that introduce or name
    the formula ("then", "we get", "the gradient")."""
    between = between.strip()
    if between in (":", ",", ";", ""):
        return True
    words = between.strip(":,; ").replace(",", " ").split()
    return 0 < len(words) <= 4 and all(w.lower() in _FILLERS for w in words)


def is_case(text: str) -> bool:
    """A case a formula may be stated in: k = y_i, j ≠ y_i, u > 0, s_j - s_{y_i} + 1 > 0."""
    return _is_condition(text) or _is_inequality(text)


def _is_inequality(text: str) -> bool:
    """One comparison of real quantities and no equation: "u > 0", "s_j - s_{y_i} + 1 > 0"."""
    return len(RELATION.findall(text)) == 1 and bool(re.search(r"<|>|≤|≥|\\[lg]eq?(?![A-Za-z])|\\[lg]t(?![A-Za-z])",
                                                              text)) and "=" not in text.replace("<=", "").replace(">=", "")


_CASED = re.compile(r"^(?P<head>[^=]+?)\s*=\s*.+?\s*\\text\{ (?:if|when|for) \}\s*(?P<left>\S+)\s*(?P<op>=|!=|≠|<=|>=|<|>|≤|≥)\s*(?P<right>\S+)$")
_OTHERWISE = re.compile(r"^[,;]?\s*(?:and|or)?\s*(?P<value>.+?)\s+otherwise[.,;]?$", re.IGNORECASE)


def _otherwise(pieces: list[Segment]) -> list[Segment]:
    """"dL/ds_k = p_k - 1 if k = y, and p_k otherwise": the value after "and" is the formula's in the other case
    (k ≠ y), a claim of its own, not words."""
    out: list[Segment] = []
    for index, piece in enumerate(pieces):
        previous = out[-1] if out else None
        if piece.kind == "words" and previous is not None and previous.kind == "maths":
            cased, other = _CASED.match(previous.text), _OTHERWISE.match(piece.text.strip())
            value = other.group("value") if other else ""
            value = {"zero": "0", "one": "1"}.get(value.lower(), value)
            if cased and other and not all(_is_word(w) for w in value.split()):
                op = {"=": "!=", "!=": "=", "≠": "=", "<": ">=", ">": "<=", "<=": ">", ">=": "<", "≤": ">",
                      "≥": "<"}[cased.group("op")]
                out.append(Segment("maths", f"{cased.group('head')} = {value} \\text{{ if }} "
                                            f"{cased.group('left')} {op} {cased.group('right')}", piece.start))
                continue
        out.append(piece)
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
