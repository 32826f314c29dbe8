"""Reading a spec: the text, parsed by the grammar ``spec.lark``, as a tree of small records (never eval).

Every record keeps ``at``, the offset in the text where it starts, so a later problem (a shape that does not
fit, an unknown name) is reported at its line and column. Caps (:class:`Caps`) bound the size of what is read:
characters, statements, nesting of brackets and of functions, digits, names.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

from .errors import SpecError, place


@dataclass(frozen=True)
class Caps:
    """What a spec may hold at most (as ``derive diff`` caps what it reads)."""

    characters: int = 10_000
    statements: int = 60
    brackets: int = 12             # levels of ( [ { in the text
    functions: int = 8             # nested functions and reductions
    nodes: int = 400               # nodes of one statement's expression
    digits: int = 30               # digits of one number
    name_length: int = 32


CAPS = Caps()

#: words the language keeps for itself (no array may be named so)
RESERVED = frozenset({"wrt", "simplify", "positive", "scalar", "labels", "axis", "sum", "mean", "max", "min",
                      "logsumexp"})


# --- the records ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Number:
    text: str
    at: int


@dataclass(frozen=True)
class Name:
    name: str
    at: int


@dataclass(frozen=True)
class Index:
    """An index in brackets: a name (n), or a label looked up by an index (y[n])."""

    name: str
    at: int
    label: str | None = None          # y in y[n]; then ``name`` is n


@dataclass(frozen=True)
class Entry:
    name: str
    indices: tuple
    at: int


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple
    axis: int | None
    at: int


@dataclass(frozen=True)
class Unary:
    operator: str          # "-"
    operand: object
    at: int


@dataclass(frozen=True)
class Binary:
    operator: str          # "+", "-", "*", "/", "@", "juxt"
    left: object
    right: object
    at: int


@dataclass(frozen=True)
class Power:
    base: object
    exponent: object
    at: int


@dataclass(frozen=True)
class Transposed:
    operand: object
    at: int


@dataclass(frozen=True)
class Reduction:
    operator: str          # "sum", "mean", "max", "min", "logsumexp"
    indices: tuple         # the names it runs over
    excluded: Index | None  # j != y[n]
    body: object
    at: int


@dataclass(frozen=True)
class Declaration:
    name: str
    kind: str              # "array", "scalar", "labels"
    dims: tuple            # dimension names ("N", "D"); () for a scalar or labels
    positive: bool
    default: str | None    # the number written after '=', as written
    at: int


@dataclass(frozen=True)
class Definition:
    name: str
    indices: tuple         # () for a whole array, ("n", "j") for an entry definition
    expr: object
    at: int


@dataclass(frozen=True)
class Wrt:
    names: tuple
    at: int


@dataclass(frozen=True)
class Simplify:
    name: str
    expr: object
    at: int


@dataclass
class Spec:
    """A spec as read: its statements in order, its title and explanations (the ``#:`` lines), its text."""

    statements: list
    text: str
    title: str | None = None
    explanations: list = field(default_factory=list)

    def where(self, at) -> str | None:
        return place(self.text, at)

    def error(self, message: str, at=None) -> SpecError:
        return SpecError(message, self.where(at))


# --- parsing --------------------------------------------------------------------------------------------

@functools.cache
def parser():
    """The LALR parser of ``spec.lark``, built on first use (strict: a conflict is an error)."""
    from lark import Lark
    grammar = resources.files(__package__).joinpath("spec.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def read_spec(text: str, caps: Caps = CAPS) -> Spec:
    """The records of the spec ``text``; SpecError (one line naming the place) when it cannot be read."""
    if not isinstance(text, str):
        raise SpecError("a spec is text")
    if len(text) > caps.characters:
        raise SpecError(f"the spec has {len(text):,} characters; at most {caps.characters:,} are read")
    if "\x00" in text:
        raise SpecError("the spec holds a NUL character")
    title, explanations, code = _explanations(text)
    _check_brackets(code, text, caps)
    joined = _join_continued_lines(code)
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
    try:
        tree = parser().parse(joined)
    except UnexpectedCharacters as error:
        character = joined[error.pos_in_stream]
        raise SpecError(f"unexpected character {character!r}", place(text, error.pos_in_stream)) from None
    except UnexpectedEOF:
        raise SpecError("the spec ends in the middle of a statement", place(text, len(text.rstrip()))) from None
    except UnexpectedToken as error:
        token = error.token
        if token.type == "$END":
            raise SpecError("the spec ends in the middle of a statement", place(text, len(text.rstrip()))) from None
        what = "the end of the line" if token.type == "_SEP" else repr(str(token))
        raise SpecError(f"unexpected {what}{_hint(token)}", place(text, token.start_pos)) from None
    except UnexpectedInput as error:  # pragma: no cover - lark's other input errors
        raise SpecError(f"cannot read the spec: {error}") from None
    statements = [_statement(node, text, caps) for node in tree.children]
    if len(statements) > caps.statements:
        raise SpecError(f"the spec has {len(statements)} statements; at most {caps.statements}")
    if not statements:
        raise SpecError("the spec is empty: declare the arrays (X: N x D) and define the loss (L = ...)")
    return Spec(statements, text, title, explanations)


def _hint(token) -> str:
    text = str(token)
    if text == "=":
        return " ('=' defines a name: L = ..., or M[n, j] = ...)"
    if text in ("(", "["):
        return " (a function is called with no space before '(': exp(x); an array is indexed as S[n, j])"
    return ""


def _explanations(text: str):
    """(title, paragraphs, code): the ``#:`` lines are the spec's title (the first) and explanations; in the
    code they are blanked (same length, so offsets keep their lines and columns)."""
    title, paragraphs, current, lines = None, [], [], []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("#:"):
            words = stripped[2:].strip()
            if title is None and words:
                title = words
            elif words:
                current.append(words)
            elif current:
                paragraphs.append(" ".join(current))
                current = []
            lines.append(" " * len(line))
        else:
            lines.append(line)
    if current:
        paragraphs.append(" ".join(current))
    return title, paragraphs, "\n".join(lines)


def _check_brackets(code: str, text: str, caps: Caps) -> None:
    """Brackets balanced and nested no deeper than the cap (comments aside)."""
    stack = []
    in_comment = False
    pairs = {")": "(", "]": "[", "}": "{"}
    for offset, char in enumerate(code):
        if in_comment:
            in_comment = char != "\n"
            continue
        if char == "#":
            in_comment = True
        elif char in "([{":
            stack.append((char, offset))
            if len(stack) > caps.brackets:
                raise SpecError(f"brackets nested more than {caps.brackets} deep", place(text, offset))
        elif char in ")]}":
            if not stack or stack[-1][0] != pairs[char]:
                raise SpecError(f"unmatched {char!r}", place(text, offset))
            stack.pop()
    if stack:
        raise SpecError(f"{stack[-1][0]!r} is never closed", place(text, stack[-1][1]))


_CONTINUES = set("+-*/@=,^(")


def _join_continued_lines(code: str) -> str:
    """Line breaks inside brackets, or after an operator, are spaces: a statement may run over lines."""
    out = list(code)
    depth, in_comment, last = 0, False, ""
    for offset, char in enumerate(code):
        if in_comment:
            if char == "\n":
                in_comment = False
            else:
                continue
        if char == "#":
            in_comment = True
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "\n":
            if depth > 0 or last in _CONTINUES:
                out[offset] = " "
            continue
        if not char.isspace():
            last = char
    return "".join(out)


# --- from the tree to records ------------------------------------------------------------------------------

def _start(node) -> int:
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return meta.start_pos
    return getattr(node, "start_pos", 0) or 0


def _statement(node, text: str, caps: Caps):
    data, children = node.data, node.children
    at = _start(node)
    if data == "declaration":
        name = _name(children[0], text, caps)
        kind_node = children[1]
        default = None
        if len(children) > 2:
            signed = children[2].children[0]
            default = "".join(str(t) for t in signed.children) if len(signed.children) == 1 else \
                "-" + str(signed.children[-1])
            default = _number_text(signed.children[-1], text, caps, negative=len(signed.children) > 1 and
                                   str(signed.children[0]) == "-")
        if kind_node.data == "dims":
            dims = tuple(str(t) for t in kind_node.children)
            return Declaration(name, "array", dims, False, default, at)
        if kind_node.data == "scalar_kind":
            positive = any(t.type == "POSITIVE" for t in kind_node.children)
            return Declaration(name, "scalar", (), positive, default, at)
        return Declaration(name, "labels", (), False, default, at)
    if data == "definition":
        return Definition(_name(children[0], text, caps), (), _expression(children[1], text, caps, 0), at)
    if data == "entry_definition":
        names = [_name(t, text, caps) for t in children[:-1]]
        return Definition(names[0], tuple(names[1:]), _expression(children[-1], text, caps, 0), at)
    if data == "wrt":
        return Wrt(tuple(_name(t, text, caps) for t in children[1:]), at)
    if data == "simplify":
        return Simplify(_name(children[1], text, caps), _expression(children[2], text, caps, 0), at)
    raise SpecError(f"cannot read a statement of kind {data}", place(text, at))  # pragma: no cover


def _name(token, text: str, caps: Caps) -> str:
    name = str(token)
    if len(name) > caps.name_length:
        raise SpecError(f"the name {name[:20]!r}... is longer than {caps.name_length} characters",
                        place(text, token.start_pos))
    return name


def _number_text(token, text, caps, negative=False) -> str:
    digits = sum(c.isdigit() for c in str(token))
    if digits > caps.digits:
        raise SpecError(f"a number of more than {caps.digits} digits", place(text, token.start_pos))
    exponent = str(token).lower().partition("e")[2]
    if exponent and abs(int(exponent)) > 300:
        raise SpecError(f"the number {token} is beyond double precision", place(text, token.start_pos))
    return ("-" if negative else "") + str(token)


_BINARY = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@", "juxt": "juxt"}
_FUNCTION_NODES = ("call", "reduction", "pow")


def _expression(node, text: str, caps: Caps, depth: int, count=None):
    """The record of an expression tree, walked with a count of nodes and a depth of functions."""
    count = count if count is not None else [0]
    count[0] += 1
    if count[0] > caps.nodes:
        raise SpecError(f"an expression of more than {caps.nodes} parts", place(text, _start(node)))
    from lark import Token
    if isinstance(node, Token):
        if node.type == "NUMBER":
            return Number(_number_text(node, text, caps), node.start_pos)
        return Name(_name(node, text, caps), node.start_pos)
    data, children, at = node.data, node.children, _start(node)
    if data in _FUNCTION_NODES:
        depth += 1
        if depth > caps.functions:
            raise SpecError(f"functions nested more than {caps.functions} deep", place(text, at))

    def sub(child):
        return _expression(child, text, caps, depth, count)

    if data == "number":
        return Number(_number_text(children[0], text, caps), at)
    if data == "negative_number":
        return Number(_number_text(children[0], text, caps, negative=True), at)
    if data == "name":
        return Name(_name(children[0], text, caps), at)
    if data in _BINARY:
        return Binary(_BINARY[data], sub(children[0]), sub(children[1]), at)
    if data == "neg":
        return Unary("-", sub(children[0]), at)
    if data == "pow":
        return Power(sub(children[0]), sub(children[1]), at)
    if data == "transpose":
        return Transposed(sub(children[0]), at)
    if data == "entry":
        return Entry(_name(children[0], text, caps), tuple(_index(c, text, caps) for c in children[1:]), at)
    if data == "call":
        function = _name(children[0], text, caps)
        arguments, axis = [], None
        for child in children[1:]:
            if getattr(child, "data", None) == "axis":
                value = str(child.children[1])
                if value not in ("0", "1"):
                    raise SpecError(f"axis is 0 (down the rows) or 1 (along each row), not {value}",
                                    place(text, _start(child)))
                axis = int(value)
            else:
                arguments.append(sub(child))
        return Call(function, tuple(arguments), axis, at)
    if data == "reduction":
        operator = str(children[0])
        scope = children[1]
        if scope.data == "over":
            names = tuple(_name(t, text, caps) for t in scope.children)
            excluded = None
        else:
            names = (_name(scope.children[0], text, caps),)
            excluded = _index(scope.children[1], text, caps)
        return Reduction(operator, names, excluded, sub(children[2]), at)
    if data == "argument":  # pragma: no cover - inlined by the grammar
        return sub(children[0])
    if len(children) == 1:                      # "+" term, "(" expr ")"
        return sub(children[0])
    raise SpecError(f"cannot read {data}", place(text, at))  # pragma: no cover


def _index(node, text, caps) -> Index:
    from lark import Token
    if isinstance(node, Token):
        return Index(_name(node, text, caps), node.start_pos)
    if node.data == "index_name":
        return Index(_name(node.children[0], text, caps), _start(node))
    label, name = node.children
    return Index(_name(name, text, caps), _start(node), label=_name(label, text, caps))


__all__ = ["Caps", "CAPS", "Spec", "read_spec", "Number", "Name", "Index", "Entry", "Call", "Unary", "Binary",
           "Power", "Transposed", "Reduction", "Declaration", "Definition", "Wrt", "Simplify", "RESERVED"]
