"""Checking a written derivation line by line.

The text is taken apart (:mod:`.document`, :mod:`.statements`) and read in order, keeping what it
has said so far (:mod:`.state`). The work is split by job:

* :mod:`.reader`: the text read in order, each row of maths taken apart into chains;
* :mod:`.setup`: the problems of the text, the prose (loss labels, class names, cases that end),
  hints and given values;
* :mod:`.definitions`: definitions and names (``L_i = ...``, ``p_j = ...``, ``f(x) = ...``, cases);
* :mod:`.cases`: conditions on indices and on real quantities, and the case a step holds in;
* :mod:`.forms`: definitions of a form (vectors, matrices, functions, exceptions, cases);
* :mod:`.steps`: one step read and its entry made; :mod:`.decisions`: its verdict (counterexample,
  diagnosis, the last correct expression, facts, the dependences a chain rule needs);
* :mod:`.numbers`: the worked example's values, numbers at their precision, inequalities;
* :mod:`.in_words`: quantities of a batch the prose defines in words (the loss of example n, P).

Every pair of consecutive expressions of a chain is one step. A wrong step gets a counterexample
and, when one generated mistake undone makes it hold, a diagnosis (:mod:`.mistakes`); the chain
then goes on from the line as written, so one slip does not hide the next.
"""
from __future__ import annotations

from ...parse.written import MatrixName, Vector
from .cases import Cases
from .decisions import Decisions
from .definitions import Definitions
from .forms import Forms
from .in_words import InWords
from .numbers import Numbers
from .reader import Reader
from .roles import example_label
from .setup import Setup
from .state import LINE_SECONDS, State, Unread
from .steps import Steps
from .verdicts import Outcome


class Checker:
    """Checks one written derivation: the shared state and one object per job."""

    def __init__(self, text: str, name: str = "-", *, hints: list[str] | None = None, given: dict | None = None,
                 loss: str | None = None, on_line=None, on_start=None, resume: int = 0, skip=frozenset(),
                 line_seconds: float = LINE_SECONDS):
        self.state = State(text, name, hints=hints, given=given, loss=loss, resume=resume, skip=skip,
                           line_seconds=line_seconds)
        self.state.on_line, self.state.on_start = on_line, on_start
        self.reader = Reader(self)
        self.setup = Setup(self)
        self.definitions = Definitions(self)
        self.cases = Cases(self)
        self.steps = Steps(self)
        self.decisions = Decisions(self)
        self.forms = Forms(self)
        self.numbers = Numbers(self)
        self.in_words = InWords(self)

    @property
    def outcome(self) -> Outcome:
        return self.state.outcome

    @property
    def on_line(self):
        return self.state.on_line

    @on_line.setter
    def on_line(self, callback):
        self.state.on_line = callback

    @property
    def on_start(self):
        return self.state.on_start

    @on_start.setter
    def on_start(self, callback):
        self.state.on_start = callback

    def run(self) -> Outcome:
        """Read the whole text; the :class:`Outcome`."""
        return self.reader.run()


__all__ = ["Checker", "Unread", "MatrixName", "Vector", "example_label"]
