"""The printed module against the verified matrix forms it was printed from: the same numbers.

The verifier checks the matrix forms, not the text the printer makes of them, and a module's own self-check
compares its gradients with centred differences of its own loss, so a printing slip in the forward pass
(sigma(X W + b) printed as sigma(X W - b)) passes both. Here the module is run on random data and its loss
(or a layer's output) and each gradient are compared with the matrix forms evaluated by derive's own
evaluator (:class:`~derivations.grad.numbers.Numbers`, node by node); entries must agree to rounding
(relative 1e-9, or 1e-12 absolute), a non-finite value only with the same non-finite value.
"""
from __future__ import annotations

import numpy as np

from ..grad import numbers as num

RELATIVE, ABSOLUTE = 1e-9, 1e-12


class PrintingError(RuntimeError):
    """The printed code computes other numbers than the verified forms: a bug of derive's printer."""


def differences(module, seed: int = 0) -> dict:
    """{quantity: largest relative difference} between the module and the forms, on random data."""
    program, backprop = module.program, module.backprop
    batch = num.random_data(program, backprop.upstream, seed=seed)
    forms = num.Numbers(program, backprop, batch)
    namespace = {"__name__": "derive_generated_spec"}
    exec(compile(module.source, "<derive codegen>", "exec"), namespace)  # noqa: S102 - our printout of verified forms
    arguments = {name: batch.arrays[name] for name in program.inputs}
    found, expected = {}, {}
    with np.errstate(all="ignore"):
        if program.is_loss:
            found["loss"], grads = namespace["loss_and_grad"](**arguments)
            expected["loss"] = forms.loss()
        else:
            found[program.output.name] = namespace["forward"](**arguments)
            expected[program.output.name] = forms.output()
            grads = namespace["backward"](batch.arrays[backprop.upstream.name], **arguments)
        for item in backprop.variables:
            found[f"d{item.name}"] = grads[f"d{item.name}"]
            expected[f"d{item.name}"] = forms.gradient(item)
    return {key: _difference(found[key], expected[key]) for key in expected}


def _difference(found, expected) -> float:
    """The largest |a - b| / max(|b|, 1) over the entries (inf where the shapes or the non-finite entries
    differ; 0 where both are the same non-finite value)."""
    a = np.asarray(found, dtype=float)
    b = np.asarray(expected, dtype=float)
    if a.size != b.size:
        return float("inf")
    a, b = a.reshape(-1), b.reshape(-1)
    same_odd = (np.isnan(a) & np.isnan(b)) | (np.isinf(a) & (a == b))
    if np.any(~np.isfinite(a) & ~same_odd) or np.any(~np.isfinite(b) & ~same_odd):
        return float("inf")
    a, b = a[~same_odd], b[~same_odd]
    if a.size == 0:
        return 0.0
    gap = np.abs(a - b)
    if np.all(gap <= ABSOLUTE):
        return 0.0
    return float(np.max(gap / np.maximum(np.abs(b), 1.0)))


def check(module, seed: int = 0) -> None:
    """Raise :class:`PrintingError` naming the first quantity the printed module gets wrong."""
    for key, gap in differences(module, seed).items():
        if not gap <= RELATIVE:
            raise PrintingError(f"the printed code's {key} differs from the verified matrix forms "
                                f"(relative difference {gap:.3g}): a bug of derive's code printer")


__all__ = ["differences", "check", "PrintingError"]
