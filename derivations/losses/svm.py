"""The multiclass SVM (hinge) loss: the public entry point, which routes ``wrt``.

``gradient(wrt="scores")`` is the derivation of :mod:`.svm_scores`; ``wrt="weights"`` and ``wrt="batch"``
go through :mod:`.dispatch` to :mod:`.weights` and :mod:`.batch`, which build on the pieces of
:mod:`.svm_scores` (its loss, its gradient section and chains). Keeping the entry point apart from the
pieces keeps the import graph of ``losses`` free of cycles: this module imports them, none imports it.
Every name of :mod:`.svm_scores` is also reachable here (``svm.loss_expression``, ``svm.TITLE``, ...).
"""
from __future__ import annotations

from . import svm_scores as _scores
from .svm_scores import SUMMARY, TITLE, loss_expression, margin

__all__ = ["gradient", "loss_expression", "margin", "TITLE", "SUMMARY"]


def gradient(delta=1, scores=None, label=None, classes=None, wrt="scores", example=False, **weights):
    """The SVM gradient derivation with respect to ``wrt``: the scores (with their worked numbers on ``scores``
    and ``label``, or with ``example=True`` on the homework's example 3, -1, 4; label 0), the weights of one
    example (``inputs``, ``weights``, ``label``) or a batch (``reg``, ``reg_form``, ``data``).

    >>> d = gradient(delta=1, scores=[3, -1, 4], label=0)
    >>> d.results["loss"].value, d.results["dscores"].value
    (2.0, [-1.0, 0.0, 1.0])
    """
    if wrt != "scores" or weights:
        from .dispatch import with_respect_to
        return with_respect_to("svm", wrt, scores=scores, label=label, classes=classes, delta=delta,
                               example=example, **weights)
    return _scores.gradient(delta=delta, scores=scores, label=label, classes=classes, example=example)


def __getattr__(name):
    """Any other name of the SVM derivation, from :mod:`.svm_scores`."""
    try:
        return getattr(_scores, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
