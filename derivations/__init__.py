"""derive: machine-checked, step-by-step derivations of the gradients of ML losses.

    >>> from derivations import svm
    >>> d = svm.gradient(delta=1, scores=[3, -1, 4], label=0)
    >>> d.results["loss"].value
    2.0

Modules load on first use (``derivations.svm`` imports SymPy; this package
does not), so ``derive --help`` stays instant.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: every derivation the CLI offers: command name -> (module, one-line summary)
REGISTRY: dict[str, tuple[str, str]] = {
    "svm-grad": ("svm", "multiclass SVM (hinge) loss: gradient w.r.t. the scores, case k = y_i / k != y_i"),
    "softmax-grad": ("softmax", "softmax cross-entropy loss: gradient w.r.t. the scores, p_k - 1[k = y_i]"),
    "softmax-jacobian": ("jacobian", "softmax probabilities: the Jacobian dp_j/ds_k = p_j (delta_jk - p_k)"),
    "bce-reduction": ("bce", "two-class cross-entropy reduces to binary cross-entropy with the sigmoid"),
    "logistic-grad": ("logistic", "logistic regression: dL/dw_j = (y - t) x_j by the chain rule, the batch update"),
    "compare": ("compare", "SVM and softmax losses and gradients side by side on the same scores, with a figure"),
    "diff": ("calculus", "any expression: step-by-step derivative with respect to one variable"),
}

_LAZY = {"svm", "softmax", "jacobian", "bce", "logistic", "compare", "figures", "calculus", "steps", "rules", "render", "verify", "differentiate", "notation", "inputs",
         "printing", "build", "algebra", "evaluate"}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY)
