"""The lark parser for ``expression.lark``: built once, on first use, and its errors made readable."""
from __future__ import annotations

import functools
import hashlib
import io
import re
from importlib import resources

from lark import Lark, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput

from .. import private
from .errors import ParseError
from .limits import Limits

#: tree nodes that count as one level of function nesting
FUNCTION_RULES = frozenset({"call", "max", "pow", "greater", "less", "greater_equal", "less_equal"})

#: hints for tokens users often misplace
_HINTS = {
    "_GT": "a comparison needs an indicator around it, as in [s_j > 0] or \\mathbb{1}(s_j > 0)",
    "_LT": "a comparison needs an indicator around it, as in [s_j < 0] or \\mathbb{1}(s_j < 0)",
    "_GE": "a comparison needs an indicator around it, as in [s_j >= 0]",
    "_LE": "a comparison needs an indicator around it, as in [s_j <= 0]",
    "_EQ": "'=' only follows a loss or gradient name, or compares indices in [j = y_i]",
    "_NE": "a comparison needs an indicator around it, as in [j \\neq y_i]",
}

#: commands that only make sense left of '=', in the name of a gradient
_LEFT_SIDE_ONLY = {"\\partial", "\\nabla", "\\mathcal"}
_LEFT_SIDE_ONLY_HINT = "only a left-hand side such as \\frac{\\partial L_i}{\\partial s_k} = ... may use it"

_COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)")


@functools.cache
def parser():
    """The LALR parser, built on the first call and shared afterwards.

    Building its tables takes about 0.1 s; they are kept in the private cache folder (subfolder
    ``grammars``, see :mod:`derivations.private`), named by a hash of the grammar, of lark's version and
    of Python's, which makes a fresh process's first parse several times cheaper. lark stores them as a
    pickle, so they are read only from a file of this user's whose HMAC under the per-user key checks
    out: a planted or edited file is never unpickled (the tables are built again). Without a usable cache
    folder the tables are built each time.
    """
    grammar = resources.files(__package__).joinpath("expression.lark").read_text(encoding="utf-8")
    name = _cache_name(grammar)
    cached = private.load("grammars", name, MAX_TABLES_BYTES)
    if cached is not None:
        try:
            return Lark.__new__(Lark)._load(io.BytesIO(cached), lexer_callbacks=_CALLBACKS)
        except Exception:  # noqa: BLE001 - tables of another lark version: build them again
            pass
    built = Lark(grammar, parser="lalr", lexer_callbacks=_CALLBACKS)
    buffer = io.BytesIO()
    try:
        built.save(buffer, exclude_options=("lexer_callbacks",))
        private.store("grammars", name, buffer.getvalue())
    except Exception:  # noqa: BLE001 - a parser that cannot be saved is simply not cached
        pass
    return built


#: a parser's tables larger than this are not read from the cache
MAX_TABLES_BYTES = 8 << 20


def _cache_name(grammar: str) -> str:
    """The tables' file name: a hash of the grammar, of lark's version and of Python's (two versions never share one)."""
    import sys

    import lark
    material = f"{grammar}\0{lark.__version__}\0{sys.version_info[:2]}".encode("utf-8")
    return f"expression-{hashlib.sha256(material).hexdigest()[:24]}.lark"


class _UnknownName(Exception):
    """Raised by the lexer at a run of letters that is not a keyword; :func:`parse_tree` reports it."""

    def __init__(self, token):
        super().__init__(str(token))
        self.token = token


def _unknown_name(token):
    """Lexer callback for a NAME token: a run of two or more letters is never a product of letters."""
    raise _UnknownName(token)


_CALLBACKS = {"NAME": _unknown_name}


def parse_tree(text: str, limits: Limits):
    """The parse tree of ``text``, checked not to nest deeper than the limits allow."""
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        raise ParseError(_describe(error, text)) from None
    except _UnknownName as error:
        raise ParseError(f"unknown name '{_whole_word(text, error.token)}'") from None
    check_nesting(tree, limits)
    check_juxtaposed_numbers(tree, text)
    return tree


def _edge_token(tree, last: bool):
    """The first (or last) token of ``tree``."""
    node = tree
    while isinstance(node, Tree):
        if not node.children:
            return None
        node = node.children[-1 if last else 0]
    return node


def check_juxtaposed_numbers(tree, text: str) -> None:
    """Refuse two numbers written side by side (``2 3``, ``1.81.5``, ``0.08 0.60``): no reader of maths takes
    them for a product, so reading one would be a silent misreading. ``(2)(3)`` and ``2 x`` stay products."""
    for node in tree.iter_subtrees():
        if node.data != "juxtapose" or len(node.children) != 2:
            continue
        left, right = node.children
        end = _edge_token(left, last=True)
        start = _edge_token(right, last=False)
        if (getattr(end, "type", None) == "NUMBER" and getattr(start, "type", None) == "NUMBER"
                and not text[end.end_pos:start.start_pos].strip()):
            pair = text[end.start_pos:start.end_pos]
            raise ParseError(f"two numbers side by side ('{pair}'): write * between them to multiply, or a "
                             "single number; a list of numbers goes in brackets with commas, [a, b, c]")


def check_nesting(tree, limits: Limits, function_rules=FUNCTION_RULES) -> None:
    """Raise ParseError when the tree, or its nesting of functions, is deeper than the limits.

    Walked without recursion.  Nested functions are capped separately because
    SymPy's evaluation of, say, log(1/log(1/log(...))) of a number takes time
    exponential in the nesting.
    """
    stack = [(tree, 1, 0)]
    while stack:
        node, depth, functions = stack.pop()
        functions += node.data in function_rules
        if depth > limits.max_tree_depth:
            raise ParseError("expression nested too deeply")
        if functions > limits.max_function_depth:
            raise ParseError(f"too many nested functions: more than {limits.max_function_depth} levels "
                             "of log, exp, sqrt, sigma, max, powers or comparisons")
        stack.extend((child, depth + 1, functions) for child in node.children if isinstance(child, Tree))


def _whole_word(text: str, token) -> str:
    """The whole run of letters ``token`` ends (in s_{dog} the lexer may have split off the d)."""
    start = token.start_pos
    while start > 0 and text[start - 1].isascii() and text[start - 1].isalpha():
        start -= 1
    return text[start:token.end_pos]


def _describe(error: UnexpectedInput, text: str) -> str:
    """A one-line message for a lark syntax error: what was unexpected, after what, and a hint."""
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream
        command = _COMMAND.match(text, position)
        what = command.group() if command else f"character {_quote(text[position])}"
        hint = _LEFT_SIDE_ONLY_HINT if what in _LEFT_SIDE_ONLY else None
    elif error.token.type == "$END":
        position, what, hint = len(text), "end of input", None
    else:
        position, what, hint = error.token.start_pos, _quote(error.token), _HINTS.get(error.token.type)
    context = text[:position].strip()[-20:]
    message = f"unexpected {what}" + (f" after {_quote(context)}" if context else " at the start")
    return f"{message}: {hint}" if hint else message


def _quote(text: str) -> str:
    """``text`` in quotes for a message, without escaping its backslashes."""
    return f'"{text}"' if "'" in text else f"'{text}'"
