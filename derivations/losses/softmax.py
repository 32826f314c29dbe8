"""The softmax cross-entropy loss: the public entry point, which routes ``wrt``.

``gradient(wrt="scores")`` is the derivation of :mod:`.softmax_scores`; ``wrt="weights"`` and
``wrt="batch"`` go through :mod:`.dispatch` to :mod:`.weights` and :mod:`.batch`, which build on the pieces
of :mod:`.softmax_scores` (its loss, probabilities, chains). Keeping the entry point apart from the pieces
keeps the import graph of ``losses`` free of cycles: this module imports them, none imports it. Every
name of :mod:`.softmax_scores` is also reachable here (``softmax.probability``, ``softmax.decimal``, ...).
"""
from __future__ import annotations

from . import softmax_scores as _scores
from .softmax_scores import (
    SUMMARY,
    TITLE,
    Example,
    concrete_definitions,
    decimal,
    definitions,
    float64_warnings,
    gradient_chain,
    log_sum_exp_form,
    loss_chain,
    loss_expression,
    margin_form,
    probability,
    probability_chain,
    recognise_probabilities,
)

__all__ = ["gradient", "loss_expression", "log_sum_exp_form", "margin_form", "probability", "definitions",
           "concrete_definitions", "Example", "decimal", "float64_warnings", "loss_chain", "probability_chain",
           "gradient_chain", "recognise_probabilities", "TITLE", "SUMMARY"]


def gradient(scores=None, label=None, classes=None, scale=1, wrt="scores", example=False, **weights):
    """The softmax gradient derivation with respect to ``wrt``: the scores (with their worked numbers on
    ``scores`` and ``label``, or with ``example=True`` on the homework's example 3, -1, 4; label 0; ``scale``
    multiplies the scores first), the weights of one example (``inputs``, ``weights``, ``label``) or a batch
    (``reg``, ``reg_form``, ``data``).

    >>> d = gradient(scores=[3, -1, 4], label=0)
    >>> round(d.results["loss"].value, 4), [round(g, 4) for g in d.results["dscores"].value]
    (1.3182, [-0.7324, 0.0049, 0.7275])
    """
    if wrt != "scores" or weights:
        from .dispatch import with_respect_to
        return with_respect_to("softmax", wrt, scores=scores, label=label, classes=classes, scale=scale,
                               example=example, **weights)
    return _scores.gradient(scores=scores, label=label, classes=classes, scale=scale, example=example)


def __getattr__(name):
    """Any other name of the softmax derivation, from :mod:`.softmax_scores`."""
    try:
        return getattr(_scores, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
