"""What the worker processes do (each call in its own bounded child, see workers.py).

Every task returns plain data (strings, numbers, lists, dicts, bytes) for the server: the API's JSON
answer and, for the pages, the MathML of the formulas it shows. The derivations, ``derive verify`` and
``derive check`` are called through their public functions, exactly as the command line calls them.
"""
from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from ..engine.inputs import InputError
from .forms import COMMANDS, shown_values

#: what a visitor's input may be refused with (a one-line message; never a traceback)
USER_ERRORS = (InputError, ValueError)

#: LaTeX relations of a step as the verifier reads them (as the LaTeX report of derive verify writes them)
RELATIONS = {"approx": r"\approx", "<=": r"\leq", ">=": r"\geq", "<": "<", ">": ">"}


# --- derivations --------------------------------------------------------------------------------

def build(command: str, values: dict):
    """The derivation of ``command`` for the form's ``values`` (the fields given): the library call that
    ``derive <command>`` makes with those options."""
    if command not in COMMANDS:
        raise InputError(f"no derivation is called {command!r}")
    every = shown_values(COMMANDS[command], values)             # the defaults of the fields not given

    def given(*names):
        return {name: values[name] for name in names if name in values}

    def optional(name):
        return values.get(name) or None
    if command in ("svm-grad", "softmax-grad"):
        from .. import softmax, svm
        weights = {"wrt": every["wrt"], **given("inputs", "weights", "reg", "reg_form")}
        common = {"scores": optional("scores"), "label": optional("label"), "classes": optional("classes"),
                  "example": every["example"] == "yes"}
        if command == "svm-grad":
            return svm.gradient(delta=every["delta"], **common, **weights)
        return softmax.gradient(scale=every["scale"], **common, **weights)
    if command == "softmax-jacobian":
        from .. import jacobian
        return jacobian.jacobian(scores=optional("scores"))
    if command == "bce-reduction":
        from .. import bce
        return bce.reduction()
    if command == "logistic-grad":
        from .. import logistic
        return logistic.gradient(weights=optional("weights"), inputs=optional("inputs"), target=optional("target"))
    if command == "compare":
        from .. import compare
        if every["wrt"] == "scores" and not (every["scores"] and every["label"]):
            raise InputError("compare needs scores and a label (or, with respect to the weights, inputs, weights "
                             "and a label)")
        return compare.compare(scores=every["scores"] or None, label=every["label"] or None, delta=every["delta"],
                               classes=optional("classes"), wrt=every["wrt"], inputs=optional("inputs"),
                               weights=optional("weights"))
    if command == "diff":
        from .. import calculus
        return calculus.derivative(every["expression"], every["wrt"])
    if command == "backprop":
        from ..calculus.backprop import backprop
        return backprop(every["expression"], every["at"])
    if command == "grad":
        from ..grad.derivation import gradient
        from ..grad.specs import builtin_names
        spec = every["spec"]
        if spec not in builtin_names() and "=" not in spec:    # never a file on the server: a name or a text
            raise InputError(f"{spec!r} is neither a built-in ({', '.join(builtin_names())}) nor a spec's text "
                             "(definitions such as L = ..., separated by ;)")
        return gradient(spec, wrt=optional("wrt"))
    raise InputError(f"{command} has no web form")


def derivation(command: str, values: dict) -> dict:
    """A derivation built, verified and rendered: its report in every format, its figures, the page's HTML."""
    from ..report.render import render
    from .maths import markdown_html
    made = build(command, values)
    files = dict(getattr(made, "files", {}) or {})
    markdown = render(made, "markdown")
    return {"command": command, "name": made.name, "title": getattr(made, "title", command),
            "verified": bool(made.verified), "unevaluated": list(dict.fromkeys(getattr(made, "unevaluated", None) or [])),
            "markdown": markdown, "latex": render(made, "latex"), "json": render(made, "json"), "text": render(made, "text"),
            "files": files, "html": markdown_html(markdown, files)}


def pdf(latex: str, files: dict) -> bytes:
    """The PDF of a LaTeX report (compiled in a temporary folder by the report's own compile_pdf)."""
    from ..report.latex import LatexFailed, LatexUnavailable, compile_pdf
    try:
        return compile_pdf(latex, resources=files)
    except (LatexUnavailable, LatexFailed) as error:
        raise InputError(str(error)) from None


# --- derive verify -----------------------------------------------------------------------------------

def _typeset_all(latexes) -> dict:
    """{latex: MathML} of the formulas a page shows (typeset here, in the worker, not in the server)."""
    from .maths import typeset
    return {latex: typeset(latex) for latex in dict.fromkeys(latexes) if latex}


def verify(text: str, name: str, loss: str | None, assume: list, given: str, line_timeout: float,
           memory_mb: int) -> dict:
    """``derive verify`` of ``text``: the API's answer (as ``derive verify --format json`` gives it, with each
    step's reading as LaTeX, the text's lines and the sentence that sums it up) and the page's MathML."""
    from ..check.written import check_text
    from ..check.written.report import reading_sentence
    hints = [f"assume {case}" for case in assume]
    if given:
        hints.append(f"given {given}")
    outcome = check_text(text, name, timeout=line_timeout, memory_mb=memory_mb, hints=hints, loss=loss or None)
    answer = outcome.to_dict()
    formulas = []
    for entry, line in zip(outcome.entries, answer["lines"]):
        reading = getattr(entry, "read_latex", ()) or ()
        line["read_latex"] = (f"{reading[0]} {RELATIONS.get(entry.relation, '=')} {reading[1]}"
                              if len(reading) == 2 else None)
        line["timed_out"] = entry.verdict == "unread" and "took longer than" in entry.verified_by
        line["said"] = {key: _said(getattr(entry, key), formulas) for key in ("conditions", "verified_by", "diagnosis")
                        if getattr(entry, key)}
        line["said"]["notes"] = [_said(note, formulas) for note in entry.notes]
        formulas.append(line["read_latex"])
    for context, line in zip(outcome.context, answer["context"]):
        line["said"] = {"meaning": _said(context.meaning, formulas, r"\displaystyle ")} if context.meaning else {}
    answer["text"] = list(outcome.lines)
    answer["reading"] = reading_sentence(answer["summary"])
    return {"answer": answer, "mathml": _typeset_all(formulas)}


def _said(value, formulas: list, style: str = "") -> list:
    """What the checker says (a reason, a case, a note) as the page shows it: [{"text": words}, {"code": typed},
    {"latex": a formula, as the report's printer writes it}, ...]; each formula added to ``formulas``. ``style``
    comes before each formula (``\\displaystyle`` for a definition as read, as the LaTeX report shows it)."""
    from ..check.written.said import Code, Math, paragraph
    from ..report.printing import latex
    out = []
    for segment in paragraph(value).segments:
        if isinstance(segment, Math):
            out.append({"latex": style + latex(segment.expr)})
            formulas.append(out[-1]["latex"])
        elif isinstance(segment, Code):
            out.append({"code": segment.text})
        else:
            out.append({"text": segment.text})
    return out


# --- derive check --------------------------------------------------------------------------------------

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _latex_of(expr) -> str | None:
    if expr is None:
        return None
    from ..report import printing
    try:
        return printing.latex(expr)
    except Exception:  # noqa: BLE001 - a formula that cannot be printed is shown as text (read_as)
        return None


def grade(sheet: str, filename: str, answer_timeout: float, memory_mb: int) -> dict:
    """``derive check`` of one sheet (written to a temporary folder, graded there, and gone): the API's
    answer (as ``derive check --format json`` gives it, with each formula as LaTeX) and the page's MathML."""
    from ..check import batch, report
    stem = Path(filename).stem
    suffix = ".json" if filename.lower().endswith(".json") else ".yaml"
    with tempfile.TemporaryDirectory(prefix="derive-web-") as folder:
        path = Path(folder) / ((stem if _SAFE_NAME.fullmatch(stem) else "sheet") + suffix)
        path.write_text(sheet, encoding="utf-8")
        results = batch.grade_paths([path], jobs=1, timeout=answer_timeout, memory_mb=memory_mb, detail=True)
    answer = json.loads(report.to_json(results))
    for result, shown in zip(results, answer["sheets"]):
        shown["sheet"] = filename
        for item, item_shown in zip(result.items, shown["items"]):
            item_shown["read_latex"] = _latex_of(item.read_expr)
            item_shown["expected_latex"] = _latex_of(item.expected_expr)
    latexes = [item.get(key) for sheet_shown in answer["sheets"] for item in sheet_shown["items"]
               for key in ("read_latex", "expected_latex")]
    return {"answer": answer, "mathml": _typeset_all(latexes)}


def quantities() -> list[dict]:
    """The quantities a sheet can ask for: name, kind, notation, what its given needs."""
    from ..check.quantities import all_quantities
    return [{"name": q.name, "kind": q.kind, "notation": q.notation, "needs": list(q.needs)} for q in all_quantities()]


# --- warming up -----------------------------------------------------------------------------------------

WARM_TEXT = r"""$$L_i = \sum_{j \neq y_i} \max(0, s_j - s_{y_i} + \Delta)$$
For $k \neq y_i$:
$$\frac{\partial L_i}{\partial s_k} = \mathbb{1}(s_k - s_{y_i} + \Delta > 0)$$
"""


def warm() -> None:
    """What the children of a worker inherit: the derivations, the grammars, the quantity families, the
    Markdown and MathML writers, and the caches a first derivation and a first check fill."""
    from ..check.quantities import all_quantities
    from ..check.written import check_text
    all_quantities()
    check_text(WARM_TEXT, "warm-up", timeout=None)
    derivation("svm-grad", {})


TASKS = {"derivation": derivation, "pdf": pdf, "verify": verify, "grade": grade, "quantities": quantities}
