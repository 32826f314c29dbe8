"""The quantities of each derivation family, with references from the engine's derivations.

A family encodes its loss once (the same SymPy expression the derivation
module differentiates) and a list of *variant* losses: the loss as a student
might have mis-encoded it (the j = y_i term kept, the max dropped, Delta's
sign flipped, log base 10, the minus missing, softmax unnormalised, the scale
not applied). Every quantity of a variant is recomputed by the same code as
the reference, for the given at hand: the diagnoses are generated from the
derivation, not read from a list of known wrong numbers.

Importing this package registers every quantity (in :mod:`derivations.check.registry`),
family by family in the order below, which is the order of ``--list-quantities``.
"""
from __future__ import annotations

# each module registers its quantities on import
from . import (
    derivation,  # noqa: F401, I001  (a written derivation, graded line by line; last in the list)
    logistic,  # noqa: F401
    logistic_numbers,  # noqa: F401
    softmax,  # noqa: F401
    svm,  # noqa: F401, I001
    weights,  # noqa: F401
)
