"""Reading what ``derive diff`` and ``derive backprop`` are given: the answer grammar plus the functions of calculus.

The grammar is ``expression.lark`` with ``calculus.lark`` appended (which only
extends its rules), so answers are read exactly as before and the calculus
commands also know sin, cos, tan, ..., their inverses and hyperbolic forms,
abs, erf, min, sigmoid, ReLU, leaky ReLU, softplus and GELU, in plain text or
LaTeX (``\\tanh x``, ``\\sin^2 x``, ``\\operatorname{ReLU}(x)``, ``\\lvert x \\rvert``).

As for answers, nothing is evaluated: a lark parse tree is turned into SymPy
objects by constructors, with the same caps on length, nesting and numbers.
Here ``\\sigma(u)`` and ``sigmoid(u)`` are the named function sigma(u) (so a
derivation can show sigma(u)(1 - sigma(u))), and a left-hand side ``f =``,
``f(x, y) =`` is dropped.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import sympy
from lark import Lark
from lark.exceptions import UnexpectedInput

from ..engine import functions as F
from ..engine import notation
from ..engine.elementary import KNOWN_FUNCTIONS
from . import commands
from .builder import Builder
from .characters import normalize_characters
from .errors import ParseError
from .grammar import (
    FUNCTION_RULES,
    _describe,
    _unknown_name,
    _UnknownName,
    _whole_word,
    check_juxtaposed_numbers,
    check_nesting,
)
from .limits import Limits
from .magnitude import check_defined, check_size, power
from .numbered import refuse_ambiguous
from .pipes import read_pipes
from .screen import check_nesting as check_brackets
from .screen import strip_delimiters

#: each function name (as typed, without a backslash) -> the SymPy function it stands for
FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "cot": sympy.cot, "sec": sympy.sec, "csc": sympy.csc,
    "arcsin": sympy.asin, "asin": sympy.asin, "arccos": sympy.acos, "acos": sympy.acos,
    "arctan": sympy.atan, "atan": sympy.atan, "arccot": sympy.acot, "acot": sympy.acot,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "coth": sympy.coth,
    "sech": sympy.sech, "csch": sympy.csch,
    "arsinh": sympy.asinh, "arcsinh": sympy.asinh, "asinh": sympy.asinh,
    "arcosh": sympy.acosh, "arccosh": sympy.acosh, "acosh": sympy.acosh,
    "artanh": sympy.atanh, "arctanh": sympy.atanh, "atanh": sympy.atanh,
    "abs": sympy.Abs, "erf": sympy.erf, "cbrt": F.Cbrt,
    "relu": F.Relu, "ReLU": F.Relu, "softplus": F.Softplus, "sigmoid": notation.Sigmoid,
    "gelu": lambda u: u / 2 * (1 + sympy.erf(u / sympy.sqrt(2))),
    "GELU": lambda u: u / 2 * (1 + sympy.erf(u / sympy.sqrt(2))),
}

#: f^{-1} read as the inverse function, as \sin^{-1} x is \arcsin x
INVERSES = {sympy.sin: sympy.asin, sympy.cos: sympy.acos, sympy.tan: sympy.atan, sympy.cot: sympy.acot,
            sympy.sinh: sympy.asinh, sympy.cosh: sympy.acosh, sympy.tanh: sympy.atanh}

#: the LaTeX commands read here beyond those of answers
COMMANDS = commands.KNOWN | frozenset("""
    sin cos tan cot sec csc arcsin arccos arctan arccot sinh cosh tanh coth sech csch
    arsinh arcosh artanh min lvert rvert pi operatorname erf
""".split())

#: \operatorname{...} names accepted
OPERATOR_NAMES = frozenset({"ReLU", "relu", "softplus", "erf", "sigmoid", "GELU", "gelu", "arsinh", "arcosh",
                            "artanh", "arccot", "sech", "csch", "sgn", "sign"})
ARGUMENTS = {**commands.ARGUMENTS, "operatorname": OPERATOR_NAMES}

#: grammar rules that count as one level of function nesting
CALCULUS_FUNCTION_RULES = FUNCTION_RULES | {"min", "leaky_relu", "leaky_relu_default", "absolute", "call_power",
                                             "call_two"}

#: the caps of ``derive diff``: those of answers, with two more levels of nested functions
LIMITS = Limits(max_function_depth=6)

_LEFT_SIDE = re.compile(r"^\s*[A-Za-z](?:\d+|_\{?[A-Za-z0-9]\}?)?\s*"
                        r"(?:\(\s*[A-Za-z]\d*(?:\s*,\s*[A-Za-z]\d*)*\s*\))?\s*=(?!=)")


@functools.cache
def calculus_parser() -> Lark:
    """The LALR parser of expression.lark extended by calculus.lark, built on first use."""
    folder = resources.files(__package__)
    grammar = (folder.joinpath("expression.lark").read_text(encoding="utf-8") + "\n"
               + folder.joinpath("calculus.lark").read_text(encoding="utf-8"))
    return Lark(grammar, parser="lalr", lexer_callbacks={"NAME": _unknown_name})


def known_functions_message() -> str:
    return "known functions: " + ", ".join(KNOWN_FUNCTIONS)


def screen(text: str, limits: Limits) -> str:
    """The text to parse, checked like an answer's (length, characters, brackets, commands), left side dropped."""
    if not isinstance(text, str):
        raise TypeError(f"expected a string, not {type(text).__name__}")
    if len(text) > limits.max_length:
        raise ParseError(f"input too long: {len(text)} characters (limit {limits.max_length})")
    text = strip_delimiters(normalize_characters(text))
    match = _LEFT_SIDE.match(text)
    if match:
        text = text[match.end():]
    if not text.strip():
        raise ParseError("empty expression")
    check_brackets(text, limits.max_depth)
    refuse_ambiguous(text)
    try:
        commands.check_commands(text, COMMANDS, ARGUMENTS)
    except ParseError as error:
        raise ParseError(f"{error}; {known_functions_message()}") from None
    return read_pipes(text)


def parse_tree(text: str, limits: Limits):
    try:
        tree = calculus_parser().parse(text)
    except UnexpectedInput as error:
        raise ParseError(_describe(error, text)) from None
    except _UnknownName as error:
        word = _whole_word(text, error.token)
        raise ParseError(f"unknown name '{word}': a variable is one letter, alone (x, y, a), followed by digits "
                         f"(w0, x2, b1) or with a subscript (s_j, x_0); a product needs a space or *, as in "
                         f"'{' '.join(word) if len(word) <= 3 else 'a b'}'; {known_functions_message()}") from None
    check_nesting(tree, limits, CALCULUS_FUNCTION_RULES)
    check_juxtaposed_numbers(tree, text)
    return tree


def _power_of_two(*_arguments):
    """What ``pow`` stands for when it is given one argument (pow x): refused, it takes two."""
    raise ParseError("pow takes two arguments, as in pow(a, b) for a^b")


@dataclass
class Reading:
    """What the text was read as: the expression, the variables typed (before anything cancelled), notes for the
    report on readings the user did not write out (leaky_relu's default slope)."""

    expr: sympy.Basic
    typed: frozenset = frozenset()
    notes: tuple = ()


class CalculusBuilder(Builder):
    """The answer builder, with the functions of calculus; it remembers the variables typed and its readings."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.typed: set = set()
        self.notes: list[str] = []

    def variable(self, children):
        found = super().variable(children)
        self.typed.add(found)
        return found

    def numbered_variable(self, children):
        found = super().numbered_variable(children)
        self.typed.add(found)
        return found

    def func(self, children):
        token = children[0]
        if token.type == "POW_NAME":
            return _power_of_two
        if token.type == "SIGMA":
            return notation.Sigmoid
        if token.type == "CALC_FUNC" or token.type == "SIGMOID_NAME":
            return FUNCTIONS[str(token).lstrip("\\")]
        if token.type == "OPERATOR_NAME":
            name = str(token)[str(token).index("{") + 1:str(token).index("}")].strip()
            if name in ("sgn", "sign"):
                return sympy.sign
            if name not in FUNCTIONS:
                raise ParseError(f"unknown function \\operatorname{{{name}}}; {known_functions_message()}")
            return FUNCTIONS[name]
        return super().func(children)

    def call_power(self, children):
        function, exponent, argument = children
        if exponent == -1 and function in INVERSES:
            return INVERSES[function](argument)
        return power(function(argument), exponent, self.limits)

    def call_two(self, children):
        """pow(a, b) = a^b; log(x, b) = log x / log b, for a base b > 0 other than 1."""
        function, first, second = children
        if function is _power_of_two:
            return power(first, second, self.limits)
        if function is sympy.log:
            if second.is_number and (second.is_positive is False or second == 1 or second.is_real is False):
                raise ParseError(f"the base of a logarithm must be positive and not 1, not {second}")
            return sympy.log(first, second)
        raise ParseError("a function of one argument was given two; only pow(a, b) and log(x, b) take two")

    def min(self, children):
        return sympy.Min(*children[1:])

    def leaky_relu(self, children):
        _, argument, slope = children
        return F.LeakyRelu(argument, slope)

    def leaky_relu_default(self, children):
        _, argument = children
        note = (f"leaky_relu(u) is read with the usual slope {float(F.DEFAULT_LEAKY_SLOPE)} (PyTorch's and Keras's "
                "default): u where u is positive, 0.01 u elsewhere; give another slope as leaky_relu(u, a)")
        if note not in self.notes:
            self.notes.append(note)
        return F.LeakyRelu(argument, F.DEFAULT_LEAKY_SLOPE)

    def absolute(self, children):
        return sympy.Abs(children[1])

    def pi(self, _children):
        return sympy.pi


def build(tree, limits: Limits) -> Reading:
    builder = CalculusBuilder("e", limits)
    try:
        expr = builder.build(tree)
    except (ValueError, TypeError, ArithmeticError, RecursionError) as error:
        if isinstance(error, ParseError):
            raise
        reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
        raise ParseError(f"cannot build this expression: {reason}") from None
    return Reading(expr, frozenset(builder.typed), tuple(builder.notes))


def read_calculus(text: str, *, limits: Limits = LIMITS) -> Reading:
    """What ``text`` was read as (:class:`Reading`), in the notation of answers plus the functions of calculus."""
    tree = parse_tree(screen(text, limits), limits)
    reading = build(tree, limits)
    check_defined(reading.expr)
    check_size(reading.expr, limits)
    return reading


def parse_calculus(text: str, *, limits: Limits = LIMITS) -> sympy.Basic:
    """The SymPy expression ``text`` stands for, in the notation of answers plus the functions of calculus."""
    return read_calculus(text, limits=limits).expr


__all__ = ["parse_calculus", "read_calculus", "Reading", "calculus_parser", "FUNCTIONS", "LIMITS", "known_functions_message"]
