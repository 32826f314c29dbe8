"""A derivation is data: a tree of typed steps.

* :class:`Step` rewrites one expression into an equal one by applying a rule
  from the closed list in :mod:`derivations.rules`, and carries the
  :class:`Verification` that checked it.
* :class:`Chain` is a run of steps, each starting where the previous ended:
  ``lhs = e1 = e2 = ...``.
* :class:`CaseSplit` holds one :class:`Case` per branch (k = y_i / k != y_i),
  each with its condition and its own chain.
* :class:`Claim` is a verified statement that is not a rewrite (an equality
  or equivalence used in an explanation).
* :class:`Paragraph` is prose with mathematics in it: a list of
  :class:`Text`, :class:`Math` and :class:`Code` (or :class:`Quote`) segments. Derivation modules write these;
  templates only place them.
* :class:`Derivation` gathers sections of blocks, the results, the warnings.

Nothing here formats text or does mathematics; the printers live in
:mod:`derivations.report`, whose :class:`~derivations.report.Report` is a
Derivation that can show itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from sympy import Basic

from .rules import Rule


@dataclass
class Verification:
    """How a step was checked, and whether it passed."""

    ok: bool
    method: str          # "definition", "symbolic", "numeric", "instantiated"
    detail: str = ""     # e.g. "K = 2..5, 48 points, both sides of 3 kinks"
    undecided: bool = False   # not verified for want of points where both sides are real numbers, not refuted
    points: int = 0           # for a check at sample points: how many points were compared
    mismatch: Any = None      # a failed check at sample points: (sizes and indices set, point, left, right)

    @property
    def verified_by(self) -> str:
        return f"{self.method}: {self.detail}" if self.detail else self.method


@dataclass
class Step:
    """``before = after`` by ``rule``; ``verification`` says how that was checked."""

    before: Basic
    after: Basic
    rule: Rule
    more: tuple = ()             # further applications of the same kind of rule in this step
    verification: Verification | None = None
    replaced: tuple = ()         # ((part of before, what it became), ...) when the step rewrites only those parts

    @property
    def applications(self) -> tuple:
        return (self.rule,) + tuple(self.more)

    @property
    def verified(self) -> bool:
        return self.verification is not None and self.verification.ok


@dataclass
class Chain:
    """``lhs = steps[0].after = steps[1].after = ...``; ``lhs`` is ``steps[0].before``."""

    steps: list[Step]

    def __post_init__(self):
        for previous, current in zip(self.steps, self.steps[1:]):
            if previous.after != current.before:
                raise ValueError("a chain's steps must follow on from one another")

    @property
    def lhs(self) -> Basic:
        return self.steps[0].before

    @property
    def result(self) -> Basic:
        return self.steps[-1].after

    @property
    def verified(self) -> bool:
        return all(step.verified for step in self.steps)


@dataclass
class Case:
    """One branch of a case split: under ``condition``, the ``blocks`` hold."""

    condition: Basic
    label: str                   # e.g. "correct class"
    blocks: list["Block"]

    @property
    def verified(self) -> bool:
        return all(block.verified for block in self.blocks)


@dataclass
class CaseSplit:
    """Splitting on ``cases``' conditions, which together cover every possibility."""

    cases: list[Case]
    rule: Rule

    @property
    def verified(self) -> bool:
        return all(case.verified for case in self.cases)


@dataclass
class Claim:
    """A statement (an equality or an equivalence) that was verified.

    ``lhs`` and ``rhs`` are the two sides; ``relation`` is "=", "iff" or "<=" ...
    """

    lhs: Basic
    rhs: Basic
    rule: Rule
    relation: str = "="
    verification: Verification | None = None

    @property
    def verified(self) -> bool:
        return self.verification is not None and self.verification.ok


@dataclass
class Text:
    """Plain words; escaped by the renderer for each format."""

    text: str


@dataclass
class Code:
    """Something typed at a keyboard (an option such as ``--scores``): ``\\texttt`` in LaTeX, backticks in
    Markdown, as it is in a terminal. Never mathematics."""

    text: str


@dataclass
class Quote(Code):
    """What someone typed, quoted as written (a student's answer, a label before it): code type in LaTeX and
    Markdown like :class:`Code`, and in quotes in a terminal, where nothing else sets it apart."""


@dataclass
class Math:
    """A SymPy expression shown inline (or as a display when ``display`` is set)."""

    expr: Basic
    display: bool = False


@dataclass
class Paragraph:
    """Prose: words and mathematics, in order."""

    segments: list[Union[Text, Code, Math]]
    kind: str = "text"          # "text", "note", "warning"

    verified = True

    def __str__(self) -> str:
        """The words, with each formula in SymPy's own notation (for searching and logs; the printers show it)."""
        return "".join(segment.text if isinstance(segment, (Text, Code)) else str(segment.expr)
                       for segment in self.segments)

    def __contains__(self, words: str) -> bool:
        return words in str(self)


@dataclass
class Table:
    """A table of cells; each cell is a list of segments (like a paragraph)."""

    header: list[list[Union[Text, Math]]]
    rows: list[list[list[Union[Text, Math]]]]

    verified = True


@dataclass
class Figure:
    """A picture made beside the report; ``path`` is relative to the report."""

    path: str
    caption: list[Union[Text, Math]]

    verified = True


Block = Union[Chain, CaseSplit, Claim, Paragraph, Table, Figure]


@dataclass
class Section:
    title: Union[str, Paragraph]      # words, or words and maths (``sentence("How ", Delta, " ...")``)
    blocks: list[Block]

    @property
    def verified(self) -> bool:
        return all(block.verified for block in self.blocks)


@dataclass
class Result:
    """A named quantity the derivation produced: a SymPy value and, when numeric, its number(s)."""

    name: str
    expr: Any                    # a SymPy expression, or a list (of lists) of them
    value: Any = None            # float, list of floats, list of lists; None when symbolic
    description: str = ""
    exact: str | None = None     # the exact value in words, when ``expr`` is too large to write out entry by entry
    latex: str | None = None     # how to show it then (a closed form such as diag(p) - p p^T)


@dataclass
class Derivation:
    """A whole derivation: its parameters, sections, results and warnings."""

    name: str                    # e.g. "svm-grad"
    title: str
    parameters: dict[str, Any]
    sections: list[Section] = field(default_factory=list)
    results: dict[str, Result] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)   # figures the report refers to, by relative path
    verification_note: Paragraph | None = None    # how the steps were checked, when not by setting K = 2..5
    unevaluated: list = field(default_factory=list)   # derivatives no rule applies to, left standing (exit status 3)

    @property
    def verified(self) -> bool:
        return all(section.verified for section in self.sections)

    @property
    def listed_warnings(self) -> list:
        """The warnings for the list at the end: those not already shown as a warning paragraph in a section
        (each warning is said once)."""
        shown = {str(block) for block in self.blocks() if isinstance(block, Paragraph) and block.kind == "warning"}
        return [message for message in self.warnings if str(message) not in shown]

    @property
    def has_steps(self) -> bool:
        """Whether any block is a step of a derivation (a chain, a claim, a case split), not only prose and tables."""
        return any(isinstance(block, (Chain, Claim, CaseSplit)) for block in self.blocks())

    def blocks(self):
        """Every block, depth first, including those inside case splits."""
        def walk(blocks):
            for block in blocks:
                yield block
                if isinstance(block, CaseSplit):
                    for case in block.cases:
                        yield from walk(case.blocks)
        for section in self.sections:
            yield from walk(section.blocks)
