"""Showing derivations: Jinja rendering to text, Markdown, LaTeX and JSON, the expression printers,
LaTeX compilation and figures. Imports only the engine (the step tree it renders)."""
from .document import Report

__all__ = ["Report"]
