"""derive: machine-checked, step-by-step derivations of the gradients of ML losses.

    >>> from derivations import svm
    >>> d = svm.gradient(delta=1, scores=[3, -1, 4], label=0)
    >>> d.results["loss"].value
    2.0
    >>> from derivations import diff, backprop
    >>> diff("tanh(x)", "x").results["derivative"].expr
    1 - tanh(x)**2
    >>> backprop("(x + y)*z", at="x=-2,y=5,z=-4").results["gradient"].value
    [-4.0, -4.0, 3.0]

The package is layered; each layer imports only those below it (import-linter
checks this, see ``pyproject.toml``):

* :mod:`derivations.engine`: the step tree, the rules, the differentiator, the
  verifier and its evaluator, algebra, the builder, the notation;
* :mod:`derivations.parse` (the grammar for what users type),
  :mod:`derivations.lang` (the loss language of ``derive grad``: specs read into matrix and index forms) and
  :mod:`derivations.report` (rendering, printing, LaTeX, figures);
* :mod:`derivations.losses` (one module per homework topic),
  :mod:`derivations.calculus` (``derive diff`` for any expression) and
  :mod:`derivations.grad` (``derive grad`` for any loss or layer written in the loss language);
* :mod:`derivations.check` (grading answer sheets), :mod:`derivations.codegen` (code from the verified forms);
* :mod:`derivations.gradcode` (``derive codegen`` and ``derive gradcheck`` of a spec);
* ``cli.py``, the ``derive`` command.

Modules load on first use (``derivations.svm`` imports SymPy; this package
does not), so ``derive --help`` stays instant.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: every derivation the CLI offers: command name -> (module, one-line summary)
REGISTRY: dict[str, tuple[str, str]] = {
    "svm-grad": ("losses.svm", "multiclass SVM (hinge) loss: gradient w.r.t. the scores, case k = y_i / k != y_i; "
                               "--wrt weights | batch: dW = x (dL/ds)^T, (1/N) X^T (B - Y o (B 1 1^T)) + 2 lambda W"),
    "softmax-grad": ("losses.softmax", "softmax cross-entropy loss: gradient w.r.t. the scores, p_k - 1[k = y_i]; "
                                       "--wrt weights | batch: x (p - y)^T, (1/N) X^T (P - Y) + 2 lambda W"),
    "softmax-jacobian": ("losses.jacobian",
                         "softmax probabilities: the Jacobian dp_j/ds_k = p_j (delta_jk - p_k)"),
    "bce-reduction": ("losses.bce", "two-class cross-entropy reduces to binary cross-entropy with the sigmoid"),
    "logistic-grad": ("losses.logistic",
                      "logistic regression: dL/dw_j = (y - t) x_j by the chain rule, the batch update"),
    "compare": ("losses.compare", "SVM and softmax losses and gradients side by side on the same scores, with a figure"),
    "diff": ("calculus", "any expression: step-by-step derivative, or gradient, with respect to its variables"),
    "backprop": ("calculus.backprop",
                 "any expression at a point: backpropagation through its computational graph, with a picture"),
    "grad": ("grad.derivation", "any loss or layer written in the loss language: index form, cases, matrix form, "
                                "every step verified (derive grad --list: the built-ins)"),
}

#: the public topics, importable as ``from derivations import svm``: name -> module
_PUBLIC = {
    "svm": "losses.svm",
    "softmax": "losses.softmax",
    "jacobian": "losses.jacobian",
    "bce": "losses.bce",
    "logistic": "losses.logistic",
    "compare": "losses.compare",
    "calculus": "calculus",
}


#: functions of the public API, loaded on first use: name -> (module, function)
_FUNCTIONS = {
    "diff": ("calculus.diff", "derivative"),
    "backprop": ("calculus.backprop", "backprop"),
}


def __getattr__(name):
    if name in _FUNCTIONS:
        module, function = _FUNCTIONS[name]
        value = getattr(importlib.import_module(f"{__name__}.{module}"), function)
        globals()[name] = value
        return value
    if name in _PUBLIC:
        module = importlib.import_module(f"{__name__}.{_PUBLIC[name]}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC) | set(_FUNCTIONS))
