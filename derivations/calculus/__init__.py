"""Calculus for any expression a user types: :func:`derivative` (``derive diff``) and
:func:`~derivations.calculus.backprop.backprop` (``derive backprop``)."""
from .diff import SUMMARY, TITLE, derivative, read_expression

__all__ = ["derivative", "read_expression", "TITLE", "SUMMARY"]
