"""Which derivation answers a gradient ``with respect to`` the scores, the weights of one example, or a batch.

``svm.gradient(..., wrt="weights")`` and ``softmax.gradient(..., wrt="batch")`` come here; each
option belongs to one of them, and an option given to another is refused by name.
"""
from __future__ import annotations

from ..engine.inputs import InputError

WRT = ("scores", "weights", "batch")

#: the options of each kind of gradient (besides delta / scale)
OPTIONS = {
    "scores": {"scores", "label", "classes"},
    "weights": {"inputs", "weights", "label", "classes"},
    "batch": {"data", "reg", "reg_form"},
}
FLAGS = {"scores": "--scores", "label": "--label", "classes": "--classes", "inputs": "--inputs",
         "weights": "--weights", "data": "--data", "reg": "--reg", "reg_form": "--reg-form"}


def with_respect_to(loss: str, wrt: str, example=False, **options):
    """The derivation of ``loss`` ("svm" or "softmax") with respect to ``wrt`` ("scores", "weights", "batch")."""
    if wrt not in WRT:
        raise InputError(f"--wrt must be scores, weights or batch, not {wrt!r}")
    delta = options.pop("delta", 1)
    scale = options.pop("scale", 1)
    given = {key: value for key, value in options.items() if value is not None and not
             (key == "reg_form" and value == "full")}
    unknown = set(given) - set(FLAGS)
    if unknown:
        raise TypeError(f"unexpected option(s) {', '.join(sorted(unknown))}")
    stray = sorted(set(given) - OPTIONS[wrt])
    if stray:
        kinds = {key: next(k for k, names in OPTIONS.items() if key in names and k != wrt) for key in stray}
        first = stray[0]
        raise InputError(f"{FLAGS[first]} belongs to --wrt {kinds[first]}, not --wrt {wrt}"
                         + {"scores": "", "weights": ": give --inputs, --weights and --label",
                            "batch": ": give --data FILE (X, y, W), --reg and --reg-form"}[wrt])
    if wrt == "scores":
        from . import softmax_scores as softmax
        from . import svm_scores as svm
        if loss == "svm":
            return svm.gradient(delta=delta, example=example,
                                **{k: options.get(k) for k in ("scores", "label", "classes")})
        return softmax.gradient(scale=scale, example=example,
                                **{k: options.get(k) for k in ("scores", "label", "classes")})
    if wrt == "weights":
        from . import weights
        return weights.gradient(loss, delta=delta, scale=scale, inputs=options.get("inputs"),
                                weights=options.get("weights"), label=options.get("label"),
                                classes=options.get("classes"), example=example)
    from ..engine.inputs import number
    if number(scale, "scale") != 1:
        raise InputError("--scale applies to the gradient with respect to the scores (--wrt scores) only")
    from . import batch
    return batch.gradient(loss, delta=delta, reg=options.get("reg"), reg_form=options.get("reg_form") or "full",
                          data=options.get("data"), example=example)


__all__ = ["with_respect_to", "WRT"]
