"""The verdicts on a written derivation as text, Markdown, LaTeX or JSON.

Each report quotes every line of the text that holds a step or sets something up, with its
verdicts beside it: verified (and how), wrong (where the sides differ, and the likely mistake)
or not read (and what could not be read). JSON: ``{"source", "format", "lines": [{"source_line",
"latex", "verdict", "verified_by", "counterexample", "diagnosis", ...}], "context": [...],
"summary": {...}}``. The templates only place things; the student's own LaTeX is quoted as text
(escaped), and the steps as read are written by the report's printer, never passed through.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .verdicts import Outcome

FORMATS = ("text", "markdown", "latex", "json")
#: characters of a quoted source line
QUOTED = 160


@dataclass
class Line:
    """One line of the text with what was found on it."""

    number: int
    text: str
    entries: list = field(default_factory=list)
    context: list = field(default_factory=list)
    origin: tuple | None = None          # (cell, line in the cell) for a notebook's text

    @property
    def gutter(self) -> str:
        """The line's place in the left margin of the text report: its number, or cell:line in a notebook."""
        return f"{self.origin[0]}:{self.origin[1]}".rjust(5) if self.origin else f"{self.number:5d}"

    @property
    def title(self) -> str:
        """'Line 12', or 'Cell 3, line 2' in a notebook."""
        return f"Cell {self.origin[0]}, line {self.origin[1]}" if self.origin else f"Line {self.number}"

    @property
    def verdict(self) -> str:
        verdicts = {e.verdict for e in self.entries}
        for verdict in ("wrong", "unread", "verified"):
            if verdict in verdicts:
                return verdict
        return ""


def lines_of(outcome: Outcome) -> list[Line]:
    """The lines to show, in order: each with its entries and context (line 0: what the prose set up)."""
    found: dict[int, Line] = {}

    origins = getattr(outcome, "origins", None) or []

    def line(number):
        if number not in found:
            text = outcome.lines[number - 1].strip() if 0 < number <= len(outcome.lines) else ""
            if len(text) > QUOTED:
                text = text[:QUOTED - 1] + "…"
            found[number] = Line(number, text, origin=origins[number - 1] if 0 < number <= len(origins) else None)
        return found[number]
    for context in outcome.context:
        line(context.source_line).context.append(context)
    for entry in outcome.entries:
        line(entry.source_line).entries.append(entry)
    return [found[n] for n in sorted(found)]


def render(outcome: Outcome, fmt: str) -> str:
    """The report of ``outcome`` in ``fmt`` (text, markdown, latex or json)."""
    if fmt == "json":
        return json.dumps(_with_origins(outcome, outcome.to_dict()), indent=2, ensure_ascii=False) + "\n"
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    from ...report.render import environment
    env = environment(fmt)
    template = {"text": "text/verify.txt.j2", "markdown": "markdown/verify.md.j2",
                "latex": "latex/verify.tex.j2"}[fmt]
    summary = outcome.summary()
    return env.get_template(template).render(outcome=outcome, lines=lines_of(outcome), summary=summary,
                                             reading=reading_sentence(summary), say=saying(fmt),
                                             wide=WIDE_READING, quote=_breakable if fmt == "latex" else None)


def saying(fmt: str):
    """How the report of ``fmt`` writes what the checker says (:mod:`.said`): Markdown and LaTeX typeset its
    paragraph (words escaped, each formula through the printers); a terminal shows its plain text."""
    from ...report.render import environment
    from .said import paragraph
    if fmt == "text":
        escape = environment("text").filters["esc"]
        return lambda value: escape(str(value or ""))
    segments = environment(fmt).filters["segments"]
    if fmt == "latex":
        return lambda value: segments(_on_own_lines(paragraph(value)))
    return lambda value: segments(paragraph(value))


#: characters of a step as read (as a terminal writes it) beyond which the LaTeX report displays it
WIDE_READING = 90


def _breakable(text: str) -> str:
    """A line of the text quoted in code type (LaTeX), with a place to break the line before each of its
    commands: a long formula written without spaces would run past the margin."""
    from ...report.render import escape_latex
    return escape_latex(text).replace("\\textbackslash{}", "\\allowbreak{}\\textbackslash{}")


#: characters (as a terminal writes it) beyond which a formula in the LaTeX report gets a line of its own: a
#: formula in a line of words cannot break, and a sum in a definition or a diagnosis runs past the margin
WIDE_FORMULA = 50


def _on_own_lines(paragraph):
    """The paragraph with each wide formula displayed (LaTeX's layout; Markdown keeps them in the line, where a
    display would end the list it stands in)."""
    from ...report.printing import text
    from .said import Math, Paragraph
    return Paragraph([Math(s.expr, display=True) if isinstance(s, Math) and not s.display
                      and len(text(s.expr)) > WIDE_FORMULA else s for s in paragraph.segments], paragraph.kind)


def reading_sentence(summary: dict) -> str:
    """How many lines of maths were read, and what the exit status says."""
    lines, read, unread = summary["lines"], summary["lines_read"], summary["unread_lines"]
    said = f"Lines of maths read: {read} of {lines}"
    if unread:
        said += f" (not read: line{'s' if len(unread) > 1 else ''} {', '.join(map(str, unread))})"
    status = summary["status"]
    if status == 1:
        return said + ". Exit status 1: a line is wrong."
    if status == 3:
        if not lines:
            return said + ". Exit status 3: no line of maths was found to check."
        count = len(unread)
        return said + f". Exit status 3: nothing is wrong, but {count} line{'s were' if count > 1 else ' was'} not read."
    return said + ". Exit status 0: every line was read and verified."


def _with_origins(outcome, document: dict) -> dict:
    """A notebook's JSON report: each line's cell and line in the cell beside its line in the joined text."""
    origins = getattr(outcome, "origins", None)
    if not origins:
        return document
    for key in ("lines", "context"):
        for entry in document.get(key, []):
            number = entry.get("source_line", 0)
            if 0 < number <= len(origins) and origins[number - 1] is not None:
                entry["cell"], entry["cell_line"] = origins[number - 1]
    return document


def render_many(outcomes: list, fmt: str) -> str:
    """Several texts' reports in one (JSON: one object for one text, a list for several)."""
    if fmt == "json" and len(outcomes) > 1:
        return json.dumps([_with_origins(o, o.to_dict()) for o in outcomes], indent=2, ensure_ascii=False) + "\n"
    if len(outcomes) == 1:
        return render(outcomes[0], fmt)
    return "\n".join(render(o, fmt) for o in outcomes)
