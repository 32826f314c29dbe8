"""Readings tried before a step is called wrong: the entries numbered from 1, labels in {-1, +1}; and steps that are
not read (per-example values known only by numbers, the batch's L never defined)."""
from __future__ import annotations

import re

import sympy
from sympy import Indexed, Symbol

from ...engine import notation
from .algebra import is_number
from .said import said
from .state import Unread

#: labels -1 and +1: "y_i in {-1, +1}", "y ∈ {−1, 1}"
_SIGNED_LABELS = re.compile(r"(?<![A-Za-z\\])y(?:_\{?[in]\}?)?\$?\s*(?:\\in|∈|in)\s*\\?\{\s*[-−]\s*1\s*,\s*\+?\s*1\s*\\?\}")


class DecisionsOther:
    """Readings tried before a step is called wrong, and steps that are not read."""

    def other_numbering(self, entry, before_text, after_text, relation, lead, conditions, real) -> bool:
        """A step with entries numbered by digits (o_2) in a text that never writes entry 0 nor says how it
        numbers its classes: also read with the classes numbered from 1 (o_2 the second score) before it is
        called wrong; verified so, with that said."""
        names = self.state.names
        if getattr(self, "renumbering", False) or names.one_based \
                or re.search(r"(?<![A-Za-z0-9\\])[A-Za-z]_\{?\s*0\s*\}?(?![0-9])", self.state.text) \
                or not re.search(r"(?:(?<![A-Za-z0-9\\])[A-Za-z]|\))_\{?\s*[1-9]\s*\}?(?![0-9])",
                                 f"{before_text} {after_text}"):
            return False
        from .verdicts import Entry
        trial = Entry(entry.source_line, entry.latex, "unread", "")
        self.renumbering, names.one_based = True, True
        try:
            before, after = self.state.read(before_text), self.state.read(after_text)
            self.decide(trial, before, after, before_text, after_text, relation, lead, conditions, real)
        except (Unread, ValueError, TypeError):
            return False
        finally:
            self.renumbering, names.one_based = False, False
        if trial.verdict != "verified":
            return False
        entry.verdict = "verified"
        entry.verified_by = said("with the entries numbered from 1 (the text does not say; it never writes entry 0): ",
                                 trial.verified_by)
        return True
    def signed_labels(self, entry, a, b, conditions, real) -> bool:
        """A text whose labels are -1 and +1 ("labels y_i in {-1, +1}"): a step with the label, true at
        y_i = -1 and at y_i = +1, is verified so (the label is not a class index there)."""
        if not _SIGNED_LABELS.search(self.state.text) or not any(
                isinstance(x, sympy.Basic) and x.has(notation.y) for x in (a, b)):
            return False
        found = []
        for value in (-1, 1):
            left, right = (x.xreplace({notation.y: sympy.Integer(value)}) if isinstance(x, sympy.Basic) else x
                           for x in (a, b))
            verification = self.state.judge.equal(left, right, conditions, real)
            if not verification.ok:
                return False
            found.append(verification)
        entry.verdict = "verified"
        entry.verified_by = said("at ", notation.y, " = -1 and at ", notation.y, " = +1 (the labels the text "
                                 "states): ", found[1].verified_by)
        return True
    def check_family_numbers(self, a, b):
        """``(1/N) sum_i L_i = (2.9 + 12.9)/2`` where each example's L_i is not known as a formula (only its
        numbers, or nothing): a number against free per-example values decides nothing; not read, never wrong."""
        from .names_examples import FAMILY_MARK
        for side, other in ((a, b), (b, a)):
            if is_number(other) and isinstance(side, sympy.Basic) and any(
                    atom.base.label.name.endswith(FAMILY_MARK) for atom in side.atoms(Indexed)):
                family = next(atom.base.label.name[:-len(FAMILY_MARK)] for atom in side.atoms(Indexed)
                              if atom.base.label.name.endswith(FAMILY_MARK))
                raise Unread(f"the value of {family} of each example is not known as a formula here: a number "
                             f"against it decides nothing")
    def check_batch_of_one(self, before, after, before_text):
        """``∇_W L = 1/N Σ_i ∇_W L_i + 2λW`` where the text defined only one example's L_i (L read as it): the
        L of this line is the loss of the batch, which the text does not define; not read, never wrong."""
        if not re.search(r"(?<![A-Za-z\\])L(?![_A-Za-z'])", before_text) or not isinstance(after.value, sympy.Basic) \
                or not isinstance(before.value, sympy.Basic):
            return
        bare = Symbol("L", real=True)
        defined = getattr(self.state.names.definitions.get(bare), "value", None)
        if isinstance(defined, sympy.Basic) and defined.has(notation.N):
            return                                  # L is the batch's loss: the text says so
        if before.value.has(bare) or not any(limit[2] == notation.N - 1 for total in after.value.atoms(sympy.Sum)
                                             for limit in total.limits):
            return
        raise Unread("L here is the loss of the batch (the right side averages over the examples), which the "
                     "text does not define: L was read as one example's loss")
