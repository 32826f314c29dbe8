"""The derivation commands as forms: each one's fields (as ``derive <command>``'s options), defaults and caps.

A form's values are strings, passed to the library as the command line passes them; an empty field is an
option not given. A field that would name a file on the server (``--data``) is not offered: the web app
never reads a path on a visitor's behalf (``--wrt batch`` uses its small built-in batch).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .limits import Limits, too_long


class FormError(ValueError):
    """A form that cannot be used as it is (an unknown choice, a field too long): one line saying why."""


@dataclass(frozen=True)
class Field:
    """One option of a command: ``name`` is its key in the form, the API and the library call."""

    name: str
    label: str
    help: str = ""
    default: str = ""                  # shown in the form, and used when the field is left out
    choices: tuple = ()                # a select: (value, label) pairs; the first is the default
    placeholder: str = ""


@dataclass(frozen=True)
class Command:
    name: str
    title: str
    summary: str
    fields: tuple = field(default_factory=tuple)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


_WRT_SCORES = (("scores", "the scores s"), ("weights", "the weights W of one example"),
               ("batch", "the weights W of a regularised batch (a small built-in batch)"))
_EXAMPLE = (("yes", "the homework's (scores 3, -1, 4, label 0) unless given below"), ("no", "none"))
_REG_FORM = (("full", "λ Σ W² (gradient 2λW)"), ("half", "½ λ Σ W² (gradient λW)"))

_SCORES = Field("scores", "Scores", "class scores s, comma-separated", placeholder="3,-1,4")
_LABEL = Field("label", "Label y_i", "index of the correct class (0-based)", placeholder="0")
_CLASSES = Field("classes", "Class names", "comma-separated", placeholder="cat,dog,bird")
_INPUTS = Field("inputs", "Inputs x", "weights: the input x of the example, D numbers", placeholder="1,2")
_WEIGHTS = Field("weights", "Weights W", "weights: D rows of K numbers, rows separated by ;",
                 placeholder="1,0,2;1,-1,1")
_REG = Field("reg", "Regularisation λ", "batch: λ ≥ 0 (default 0)", placeholder="0.1")

COMMANDS: dict[str, Command] = {command.name: command for command in (
    Command("svm-grad", "Multiclass SVM (hinge) loss",
            "The gradient of the SVM loss with respect to the scores, case by case (k = y_i, k ≠ y_i), or "
            "with respect to the weights of one example or of a batch.",
            (Field("wrt", "With respect to", choices=_WRT_SCORES),
             Field("delta", "Margin Δ", default="1"),
             Field("example", "Worked example", choices=_EXAMPLE),
             _SCORES, _LABEL, _CLASSES, _INPUTS, _WEIGHTS, _REG,
             Field("reg_form", "Regulariser", choices=_REG_FORM))),
    Command("softmax-grad", "Softmax cross-entropy loss",
            "The gradient of the softmax loss with respect to the scores, p_k - 1[k = y_i], or with respect "
            "to the weights of one example or of a batch.",
            (Field("wrt", "With respect to", choices=_WRT_SCORES),
             Field("scale", "Scale C", "multiply the scores by C before the loss", default="1"),
             Field("example", "Worked example", choices=_EXAMPLE),
             _SCORES, _LABEL, _CLASSES, _INPUTS, _WEIGHTS, _REG,
             Field("reg_form", "Regulariser", choices=_REG_FORM))),
    Command("softmax-jacobian", "Softmax Jacobian",
            "The Jacobian of the softmax probabilities, ∂p_j/∂s_k = p_j (δ_jk - p_k), and diag(p) - p pᵀ.",
            (_SCORES,)),
    Command("bce-reduction", "Two-class cross-entropy and BCE",
            "Two-class softmax cross-entropy is binary cross-entropy with the sigmoid.", ()),
    Command("logistic-grad", "Logistic regression",
            "The gradient of the binary cross-entropy of logistic regression, ∂L/∂w_j = (y - t) x_j, by the chain "
            "rule, and the batch update.",
            (Field("weights", "Weights w", "comma-separated", placeholder="0.5,-1"),
             Field("inputs", "Inputs x", "one per weight", placeholder="2,1"),
             Field("target", "Target t", "between 0 and 1", placeholder="1"))),
    Command("compare", "SVM and softmax side by side",
            "The SVM and softmax losses and gradients on the same scores, with a figure (or their weight "
            "gradients).",
            (Field("wrt", "With respect to", choices=_WRT_SCORES[:2]),
             Field("scores", "Scores", "one or more score vectors, separated by ;", default="3,-1,4;10,9,9"),
             Field("label", "Label y_i", "index of the correct class (0-based)", default="0"),
             Field("delta", "Margin Δ", default="1"),
             _CLASSES, _INPUTS, _WEIGHTS)),
    Command("diff", "Derivative of any expression",
            "A step-by-step derivative (or gradient) of an expression you type, every step verified.",
            (Field("expression", "Expression", "plain text or LaTeX, e.g. tanh(x), \\frac{1}{1+e^{-z}}",
                   default="log(1 + exp(-z))"),
             Field("wrt", "With respect to", "a variable, or several separated by commas", default="z"))),
    Command("grad", "Gradient of any loss or layer",
            "A loss or layer written in the loss language (a built-in's name, such as two_layer or batchnorm, or "
            "the spec's text with ; between statements): index form, cases, matrix form, every step verified.",
            (Field("spec", "Spec", "a built-in's name, or the spec's text (statements separated by ;)",
                   default="squared_hinge"),
             Field("wrt", "With respect to", "the variables, separated by commas (default: the spec's wrt line)"))),
    Command("backprop", "Backpropagation",
            "Backpropagation through the computational graph of an expression at a point, with a picture.",
            (Field("expression", "Expression", default="(x + y)*z"),
             Field("at", "At", "a value for each variable", default="x=-2,y=5,z=-4"))),
)}


def values_of(command: Command, given, limits: Limits) -> dict[str, str]:
    """The values of ``command``'s fields from ``given`` (a form, a query or a JSON object): each stripped,
    checked (a choice among its choices, no longer than the cap), and only those that say something: an
    empty field, or one equal to its default, is left out (so one derivation has one set of values)."""
    values = {}
    for spec in command.fields:
        raw = given.get(spec.name)
        if raw is None:
            continue
        if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
            raise FormError(f"{spec.name}: a text or a number is expected")
        text = str(raw).strip()
        if len(text) > limits.field_chars:
            raise FormError(too_long(spec.name, len(text), limits.field_chars, "characters"))
        if spec.choices and text and text not in {value for value, _ in spec.choices}:
            raise FormError(f"{spec.name}: {text!r} is not one of {', '.join(v for v, _ in spec.choices)}")
        default = spec.choices[0][0] if spec.choices else spec.default
        if text and text != default:
            values[spec.name] = text
    unknown = sorted(set(given) - {spec.name for spec in command.fields})
    if unknown:
        raise FormError(f"unknown field(s) {', '.join(unknown)}; {command.name} takes "
                        f"{', '.join(f.name for f in command.fields) or 'none'}")
    return values


def shown_values(command: Command, values: dict[str, str]) -> dict[str, str]:
    """What the form shows: the given values, and each other field's default."""
    return {spec.name: values.get(spec.name, spec.choices[0][0] if spec.choices else spec.default)
            for spec in command.fields}
