"""The quantity ``derivation``: an answer that is a whole derivation, graded line by line.

An item ``{quantity: derivation, target: svm.dscore_incorrect, answer: |...}`` is graded by
:mod:`derivations.check.derivation`: every line checked as ``derive verify`` does, and the last
expression compared with the target quantity's formula.
"""
from __future__ import annotations

from ..registry import Quantity, Reference, register


def _reference(given):
    return Reference("derivation")


register(Quantity("derivation", "derivation",
                  "a derivation, one step a line (LaTeX, Markdown or plain text), with target: a formula quantity "
                  "such as svm.dscore_incorrect", (), _reference))
