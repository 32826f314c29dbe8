"""Calculus for any expression a user types: :func:`derivative` (``derive diff``)."""
from .diff import SUMMARY, TITLE, derivative

__all__ = ["derivative", "TITLE", "SUMMARY"]
