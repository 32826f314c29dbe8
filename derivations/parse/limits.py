"""Caps that keep parsing untrusted input fast and its result small."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The caps one call of :func:`derivations.parse.parse_expression` enforces."""

    #: characters of input
    max_length: int = 2000
    #: levels of brackets ( [ { in the raw text
    max_depth: int = 50
    #: digits of one number literal
    max_digits: int = 30
    #: magnitude of a numeric exponent (numerator and denominator)
    max_exponent: int = 1000
    #: digits of any number the parser computes (powers, products)
    max_number_digits: int = 1000
    #: nested functions (log, exp, sqrt, sigma, max, powers, comparisons)
    max_function_depth: int = 4
    #: terms of a sum with numeric bounds
    max_sum_terms: int = 1000
    #: seconds SymPy may spend building the result (a safety net: typical answers take milliseconds)
    max_build_seconds: float = 0.25

    @property
    def max_tree_depth(self) -> int:
        """Depth allowed for the parse tree: a few tree levels per bracket, plus operator chains."""
        return 4 * self.max_depth + 20
