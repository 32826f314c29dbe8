"""Turning a parse tree into SymPy objects, with constructors only (never sympify on text)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import sympy
from lark import Token, Tree

from ..engine import notation
from . import literals, names, vectors
from .errors import ParseError
from .limits import Limits
from .magnitude import power

#: the bases a bare \log may be told to mean
LOG_BASES = ("e", "10", "2")

Function = Callable[[sympy.Expr], sympy.Expr]


@dataclass(frozen=True)
class SumRange:
    """What the subscript and superscript of a \\sum say: the index and its bounds or excluded class."""

    index: sympy.Symbol
    lower: sympy.Expr | None = None
    upper: sympy.Expr | None = None
    excluded: sympy.Expr | None = None


def build(tree: Tree, *, log_base: str, limits: Limits, vectors: bool = False) -> sympy.Basic:
    """The SymPy expression (or ImmutableMatrix) a parse tree from ``expression.lark`` stands for.

    ``vectors``: read a^T b as a dot product (see :mod:`.vectors`) instead of refusing ^T.
    """
    try:
        return Builder(log_base, limits, vectors).build(tree)
    except (ValueError, TypeError, ArithmeticError, RecursionError) as error:
        if isinstance(error, ParseError):
            raise
        reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
        raise ParseError(f"cannot build this expression: {reason}") from None


class Builder:
    """One method per grammar rule (or alias); each gets the already built children."""

    def __init__(self, log_base: str, limits: Limits, vectors: bool = False):
        self.log_base = log_base
        self.limits = limits
        self.vectors = vectors
        self.deadline = time.perf_counter() + limits.max_build_seconds

    def build(self, tree: Tree):
        """Build bottom-up, without recursion: each node's method gets its children built."""
        built: list = []
        stack: list[tuple[Tree | Token, bool]] = [(tree, False)]
        while stack:
            node, children_built = stack.pop()
            if not isinstance(node, Tree):
                built.append(node)
            elif not children_built:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.children))
            else:
                count = len(node.children)
                children = built[len(built) - count:]
                del built[len(built) - count:]
                built.append(self._apply(node.data, children))
        return built[0]

    def _apply(self, rule: str, children: list):
        """The method for ``rule`` applied to ``children``, once the time budget is checked."""
        if time.perf_counter() > self.deadline:
            raise ParseError("expression too expensive to evaluate")
        method = getattr(type(self), rule, None)
        if method is None:
            raise NotImplementedError(f"the grammar rule {rule!r} has no builder")
        return method(self, children)

    # ---- whole answers ---------------------------------------------------------
    def start(self, children):
        return children[0]

    def vector(self, items):
        return sympy.ImmutableMatrix(items)

    def row(self, items):
        return items

    env_row = row

    def nested_matrix(self, rows):
        return _matrix(rows)

    def env_matrix(self, children):
        begin, *rows, end = children
        if _environment(begin) != _environment(end):
            raise ParseError(f"\\begin{{{_environment(begin)}}} ends with \\end{{{_environment(end)}}}")
        return _matrix(rows)

    # ---- arithmetic --------------------------------------------------------------
    def expr(self, children):
        return sympy.Add(*children)

    def plus(self, children):
        return children[0]

    def minus(self, children):
        return -children[0]

    neg = minus

    def mul(self, children):
        if self.vectors and len(children) == 2:
            return vectors.multiply(*children)
        return sympy.Mul(*children)

    def juxtapose(self, children):
        """``a b`` (a space or nothing between factors): a product; two numbers side by side were refused
        before (:func:`.grammar.check_juxtaposed_numbers`)."""
        return self.mul(children)

    def div(self, children):
        numerator, denominator = children
        return sympy.Mul(numerator, power(denominator, sympy.Integer(-1), self.limits))

    def frac(self, children):
        return self.div(children[1:])

    def pow(self, children):
        base, exponent = children
        if exponent == names.TRANSPOSE:
            if self.vectors:
                return vectors.Transposed(base)
            raise ParseError("transposes (^T) are not supported: write components, as in w_j x_j")
        return power(base, exponent, self.limits)

    def number(self, children):
        return literals.number(children[0], self.limits)

    # ---- names ---------------------------------------------------------------------
    def variable(self, children):
        letter, *subscript = children
        return names.variable(str(letter), subscript[0] if subscript else None)

    def numbered_variable(self, children):
        token = str(children[0])
        digits = literals.integer(token[1:], self.limits, "the number of a name")
        return names.numbered(token, digits)

    def subscript(self, items):
        return list(items)

    def sub_item(self, children):
        if children[0].type == "NUMBER":
            return sympy.Integer(literals.integer(children[0], self.limits, "a class index"))
        return names.index(*(str(c) for c in children))

    def margin(self, _children):
        return notation.Delta

    # ---- functions -------------------------------------------------------------------
    def func(self, children) -> Function:
        token, *base = children
        if token.type == "LOG":
            return _logarithm(base[0] if base else self.log_base)
        if token.type == "LOG_N":
            return _logarithm(token[len("log"):])
        return {
            "LN": sympy.log,
            "EXP": sympy.exp,
            "SIGMA": notation.sigmoid,
            "SQRT": lambda u: power(u, sympy.Rational(1, 2), self.limits),
        }[token.type]

    def log_base(self, children):
        return str(children[0])

    def call(self, children):
        function, argument = children
        return function(argument)

    def max(self, children):
        return sympy.Max(*children[1:])

    def kronecker(self, children):
        indices = children[1]
        if len(indices) != 2:
            raise ParseError("the Kronecker delta takes two indices, as in \\delta_{jk}")
        return sympy.KroneckerDelta(*indices)

    # ---- sums ------------------------------------------------------------------------
    def all_range(self, children):
        letter, *upper = children
        return SumRange(names.summation_index(letter), upper=upper[0] if upper else None)

    def except_range(self, children):
        letter, excluded, *upper = children
        return SumRange(names.summation_index(letter), upper=upper[0] if upper else None, excluded=excluded)

    def bounded_range(self, children):
        letter, lower, upper = children
        return SumRange(names.summation_index(letter), lower, upper)

    def bounded_except_range(self, children):
        letter, lower, other, excluded, upper = children
        return self._except_with_bounds(letter, other, lower, upper, excluded)

    def except_bounded_range(self, children):
        letter, excluded, other, lower, upper = children
        return self._except_with_bounds(letter, other, lower, upper, excluded)

    @staticmethod
    def _except_with_bounds(letter, other, lower, upper, excluded) -> SumRange:
        """\\sum_{j=1, j \\neq y_i}^{K}: the bounds must be all the classes, the exclusion on the same index."""
        if str(letter) != str(other):
            raise ParseError(f"a sum over {letter} cannot exclude a value of {other}: write \\sum_{{{letter}=1, "
                             f"{letter} \\neq y_i}}^{{K}}")
        if (lower, upper) not in ((1, notation.K), (0, notation.K - 1)):
            raise ParseError("a sum that skips a class runs over all the classes: 1..K or 0..K-1")
        return SumRange(names.summation_index(letter), upper=notation.K, excluded=excluded)

    def big_sum(self, children):
        _, bounds, summand = children
        return self._sum(summand, bounds)

    def sum_call(self, children):
        _, summand, letter = children
        return self._sum(summand, SumRange(names.summation_index(letter)))

    def _sum(self, summand: sympy.Expr, bounds: SumRange) -> sympy.Expr:
        """The sum of ``summand`` over ``bounds``; 1..K and 0..K-1 both mean every class 0..K-1."""
        index, lower, upper = bounds.index, bounds.lower, bounds.upper
        if lower is None:
            if bounds.excluded is not None and upper == notation.K:
                return notation.SumExcept(summand, index, bounds.excluded)
            if upper is not None and upper != notation.K:
                raise ParseError(f"a sum over the classes goes up to K; for other bounds give both, "
                                 f"as in \\sum_{{{index}=0}}^{{2}}")
            if bounds.excluded is not None:
                return notation.SumExcept(summand, index, bounds.excluded)
            return notation.all_classes_sum(summand, index)
        if (lower, upper) in ((1, notation.K), (0, notation.K - 1)):
            return notation.all_classes_sum(summand, index)
        return self._bounded_sum(summand, index, lower, upper)

    def _bounded_sum(self, summand, index, lower, upper) -> sympy.Sum:
        """A sum with explicit bounds, which must be whole numbers (or K) and not too many terms."""
        if not (lower.is_integer and upper.is_integer):
            raise ParseError("the bounds of a sum must be whole numbers or K")
        count = upper - lower + 1
        if count.is_Integer and count > self.limits.max_sum_terms:
            raise ParseError(f"sum over too many terms: {count} (limit {self.limits.max_sum_terms})")
        return sympy.Sum(summand, (index, lower, upper))

    # ---- cases --------------------------------------------------------------------------
    def case_when(self, children):
        value, condition = children
        return (value, condition)

    def case_otherwise(self, children):
        return (children[0], None)

    def cases(self, children):
        """Each row's value times its condition's indicator; an "otherwise" row takes what no condition covers.

        The conditions are read as the indicators they are (u > 0 is 1[u > 0], k = y_i is delta_{k y_i}), so
        \\begin{cases} 1 & u > 0 \\\\ 0 & \\text{otherwise} \\end{cases} is 1[u > 0].
        """
        rows = children[1:-1]
        otherwise = [value for value, condition in rows if condition is None]
        if len(otherwise) > 1:
            raise ParseError("a cases environment has at most one 'otherwise' row")
        covered = sympy.Add(*[condition for _, condition in rows if condition is not None])
        total = sympy.Add(*[value * condition for value, condition in rows if condition is not None])
        if otherwise:
            total += otherwise[0] * (1 - covered)
        return total

    # ---- indicators and conditions -----------------------------------------------------
    def indicator(self, children):
        return children[1]

    def one_times(self, children):
        return children[1]

    def iverson(self, children):
        return children[0]

    def greater(self, children):
        a, b = children
        return notation.indicator(a - b)

    def less(self, children):
        a, b = children
        return notation.indicator(b - a)

    def greater_equal(self, children):
        a, b = children
        return sympy.Heaviside(a - b, 1)

    def less_equal(self, children):
        a, b = children
        return sympy.Heaviside(b - a, 1)

    def equal(self, children):
        return sympy.KroneckerDelta(*_indices(children))

    def not_equal(self, children):
        return 1 - sympy.KroneckerDelta(*_indices(children))


def _logarithm(base: str) -> Function:
    """The logarithm to ``base`` ("e", "10" or "2")."""
    if base == "e":
        return sympy.log
    if base not in LOG_BASES:
        raise ParseError(f"unsupported logarithm base {base}: use e, 10 or 2")
    return lambda u: sympy.log(u, sympy.Integer(int(base)))


def _indices(children: list[sympy.Expr]) -> list[sympy.Expr]:
    """Both sides of = or != in a condition, which must be class indices such as j and y_i."""
    sides = [names.label_if_y(side) for side in children]
    if not all(side.is_integer for side in sides):
        raise ParseError("'=' and '!=' in a condition compare class indices, as in [j = y_i]")
    return sides


def _matrix(rows: list[list[sympy.Expr]]) -> sympy.ImmutableMatrix:
    """The matrix with these rows, which must all have the same length."""
    if len({len(row) for row in rows}) != 1:
        raise ParseError("the rows of a matrix must all have the same length")
    return sympy.ImmutableMatrix(rows)


def _environment(token: Token) -> str:
    """The name inside \\begin{...} or \\end{...}."""
    return token[token.index("{") + 1:token.index("}")].strip()
