"""What checking a written derivation found: a verdict for each step, and what the text set up.

* :class:`Entry`: one step (two consecutive expressions of a chain, a case of a ``cases``, a number
  written after a chain) with its ``verdict``: ``verified`` (and how), ``wrong`` (with a
  counterexample and, when a generated mistake matches it, a diagnosis) or ``unread`` (and what
  could not be read);
* :class:`Context`: a line that sets something up rather than claims it (a definition, a case
  condition, given values, an assumption, a hint);
* :class:`Outcome`: the whole text: entries, context, the text's lines for quoting, a summary.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

VERDICTS = ("verified", "wrong", "unread")
#: exit statuses of derive verify (2 is a usage error: no such file, not UTF-8, an unclosed $$)
STATUS_VERIFIED, STATUS_WRONG, STATUS_UNREAD = 0, 1, 3
#: context lines that mean their line was read (it set something up)
READ_CONTEXT = ("definition", "given", "condition", "assumption", "loss")


class Unread(Exception):
    """A step or expression could not be read; the message says what (its verdict is "not read")."""


@dataclass
class Counterexample:
    """Where the two sides differ: the instance (K, indices), the values, both sides' values."""

    instance: dict
    values: dict
    left: float | str
    right: float | str

    def to_dict(self) -> dict:
        return {"instance": self.instance, "values": self.values, "left": self.left, "right": self.right}

    def describe(self):
        """Where the sides differ, in words and maths (:func:`.said.counterexample_said`): at K = 3, s_0 = 0.5: the
        left side is 0.3, the right side 1.2."""
        from .said import counterexample_said
        return counterexample_said(self)


@dataclass
class Entry:
    """One step of the text and its verdict."""

    source_line: int
    latex: str                     # the step as written: "before = after"
    verdict: str                   # verified | wrong | unread
    verified_by: str = ""          # how it was verified, or what could not be read
    counterexample: Counterexample | None = None
    diagnosis: str | None = None
    notes: list = field(default_factory=list)
    kind: str = "step"             # step | case | number | claim | implication | inequality
    relation: str = "="
    conditions: str = ""           # the case the step was checked in (k ≠ y_i, ...)
    read_as: str = ""              # the step as it was read (one line of text)
    read_latex: tuple = ()         # (left, right) as LaTeX written by the report's printer, for the LaTeX report

    def to_dict(self) -> dict:
        return {"source_line": self.source_line, "latex": self.latex, "verdict": self.verdict,
                "verified_by": self.verified_by,
                "counterexample": self.counterexample.to_dict() if self.counterexample else None,
                "diagnosis": self.diagnosis, "kind": self.kind, "conditions": self.conditions,
                "read_as": self.read_as, "notes": list(self.notes)}

    @property
    def mark(self) -> str:
        return {"verified": "✓", "wrong": "✗", "unread": "?"}[self.verdict]


@dataclass
class Context:
    """A line that sets something up: a definition, a case, given values, an assumption, a hint."""

    source_line: int
    latex: str
    kind: str                      # definition | condition | given | assumption | hint | loss | note
    meaning: str = ""

    def to_dict(self) -> dict:
        return {"source_line": self.source_line, "latex": self.latex, "kind": self.kind, "meaning": self.meaning}


@dataclass
class Outcome:
    """Everything found in one text."""

    name: str
    lines: list                    # the text's lines, for quoting
    entries: list = field(default_factory=list)
    context: list = field(default_factory=list)
    kind: str = "markdown"
    final: object = None           # the last expression of the last chain, definitions put in (for grading)
    final_text: str = ""           # ... as written

    def line_verdicts(self) -> dict:
        """Each line of maths and its verdict: wrong (a step on it is wrong), unread (nothing wrong, a
        step not read) or verified (every step verified; a line that defines a name, gives a value
        or states a case was read too)."""
        found: dict = {}
        rank = {"verified": 0, "unread": 1, "wrong": 2}
        for entry in self.entries:
            if entry.source_line > 0 and rank[entry.verdict] >= rank.get(found.get(entry.source_line), -1):
                found[entry.source_line] = entry.verdict
        for context in self.context:
            if context.source_line > 0 and context.kind in READ_CONTEXT:
                found.setdefault(context.source_line, "verified")
        return found

    @property
    def status(self) -> int:
        """The exit status: 0 every line read and verified, 1 a line wrong, 3 nothing wrong but a line
        not read (or no line of maths found at all)."""
        verdicts = set(self.line_verdicts().values())
        if "wrong" in verdicts:
            return STATUS_WRONG
        if "unread" in verdicts or not verdicts:
            return STATUS_UNREAD
        return STATUS_VERIFIED

    def summary(self) -> dict:
        lines = self.line_verdicts()
        unread_lines = sorted(n for n, v in lines.items() if v == "unread")
        verdicts = Counter({v: 0 for v in VERDICTS})
        for entry in self.entries:
            verdicts[entry.verdict] += 1
        wrong_lines = sorted({e.source_line for e in self.entries if e.verdict == "wrong"})
        diagnoses = Counter(e.diagnosis.split(":")[0] for e in self.entries if e.diagnosis)
        return {"steps": len(self.entries), "verified": verdicts["verified"], "wrong": verdicts["wrong"],
                "unread": verdicts["unread"], "wrong_lines": wrong_lines,
                "lines_with_steps": len({e.source_line for e in self.entries}),
                "definitions": sum(1 for c in self.context if c.kind == "definition"),
                "lines": len(lines), "lines_read": len(lines) - len(unread_lines), "unread_lines": unread_lines,
                "status": self.status,
                "diagnoses": dict(diagnoses.most_common())}

    @property
    def ok(self) -> bool:
        """No step is wrong (every step that was read verified)."""
        return not any(e.verdict == "wrong" for e in self.entries)

    def first_wrong(self):
        return next((e for e in self.entries if e.verdict == "wrong"), None)

    def to_dict(self) -> dict:
        return {"source": self.name, "format": self.kind, "lines": [e.to_dict() for e in self.entries],
                "context": [c.to_dict() for c in self.context], "summary": self.summary()}


def failure_reason(error: Exception) -> str:
    """What a line whose check failed inside the checker says: plainly, never the error's own text (which
    is for developers: the line is not read, and the rest of the text is read as usual)."""
    if isinstance(error, RecursionError):
        return "too deeply nested to check: not read"
    return "the checker failed on this line (an internal error in derive verify), so it is not read"


#: what SymPy's own errors mean, said plainly (the error's text is never shown)
_PLAIN_ERRORS = (
    (re.compile(r"Different # of indices"), "a name is written with one number of indices in one place and "
                                            "another elsewhere, as s_j beside s_{n,j}"),
)
_RAISED = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b:?.*", re.DOTALL)


def plain_detail(detail: str) -> str:
    """A verifier's detail with any Python error's text taken out (said plainly when it is a known one)."""
    detail = detail.removeprefix("cannot evaluate a side: ")
    for pattern, plain in _PLAIN_ERRORS:
        if pattern.search(detail):
            return _RAISED.sub(plain, detail, count=1) if _RAISED.search(detail) else plain
    return _RAISED.sub("an error inside the verifier", detail).strip()
