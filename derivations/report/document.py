"""A derivation that can show itself: the printers attached to the engine's data.

The step tree (:class:`derivations.engine.steps.Derivation`) knows nothing
of formats; a :class:`Report` is that same data with conveniences for the
Python API and Jupyter. Each method only calls :func:`~derivations.report.render.render`.
"""
from __future__ import annotations

from ..engine.steps import Derivation
from .render import plain, render, to_dict


class Report(Derivation):
    """A :class:`Derivation` with ``to_text()``, ``to_markdown()``, ``to_latex()``, ``to_json()`` and Jupyter display."""

    @property
    def checked(self) -> str:
        """How the verified steps were checked, counted: ``12 steps symbolically ...; 3 steps numerically at ...``."""
        from .checks import summary
        return summary(self)

    @property
    def checked_note(self):
        """The words after the counts: how the steps were checked, when the derivation does not say it itself
        (its ``verification_note``): the sizes set and the kinks crossed, only those there were."""
        from .checks import how_checked
        return self.verification_note if self.verification_note is not None else how_checked(self)

    def to_text(self) -> str:
        return render(self, "text")

    def to_markdown(self) -> str:
        return render(self, "markdown")

    def to_latex(self) -> str:
        return render(self, "latex")

    def to_json(self) -> str:
        return render(self, "json")

    @property
    def warning_texts(self) -> list[str]:
        """The warnings as a terminal shows them (words and maths in one line each)."""
        return [plain(message) for message in self.warnings]

    def to_dict(self) -> dict:
        return to_dict(self)

    def _repr_markdown_(self) -> str:
        """The Markdown report for Jupyter, its figures embedded (a notebook has no file beside it)."""
        import base64
        text = self.to_markdown()
        for name, data in (self.files or {}).items():
            kind = "svg+xml" if name.endswith(".svg") else "png"
            uri = f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")
            text = text.replace(f"]({name})", f"]({uri})")
        return text

    def _repr_latex_(self) -> str:
        return render(self, "latex-fragment")

    def __str__(self) -> str:
        return self.to_text()
