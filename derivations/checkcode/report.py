"""The graded submissions as text, Markdown or JSON (Gradescope's results.json is :mod:`.gradescope`).

Every report says which isolation was in force. For each function: the verdict, for an error its
reason, for an incorrect function the mistakes in a TA's words, the first input where it goes wrong
with both values (in Markdown, a small input is shown as matrices, with the student's dW beside the
expected one), and what centred differences of the student's own loss say about dW; then the
speedup of the vectorized function over the naive one and whether it loops over the examples.
Student text (exception messages, code lines) is escaped for Markdown and stripped of control
characters for the terminal.
"""
from __future__ import annotations

import json
from collections import Counter

import numpy as np

from ..report.render import escape_markdown, escape_text
from .compare import number
from .inputs import CIFAR
from .said import markdown, plain

VERDICTS = ("correct", "incorrect", "error")


# --- words shared by every format ---------------------------------------------------------------------

def _entry(index) -> str:
    return "W[" + ", ".join(str(i) for i in index) + "]"


def consistency_words(function) -> str | None:
    """What centred differences of the function's own loss say about its dW, in a TA's words."""
    checks = function.consistency
    if not checks:
        return None
    problems = [c for c in checks if c.problem]
    usable = [c for c in checks if not c.problem]
    if not usable:
        return f"dW could not be compared with centred differences of its own loss: {problems[0].problem}."
    checked = sum(c.checked for c in usable)
    failing = [e for c in usable for e in c.failing]
    explained = [(c, e) for c in usable for e in c.explained]
    kinks = ""
    if explained:
        check, example = explained[0]
        kink = example.kinks[0]
        kinks = (f"; at {len(explained)} of them a step of h either way crosses a kink of the hinge, where the loss has no "
                 f"derivative (e.g. {_entry((example.row, example.col))} on '{check.input}': example {kink.example}, "
                 f"class {kink.cls} has margin {number(kink.margin, 3)}), and those are not counted")
    if not failing:
        words = f"dW agrees with centred differences of its own loss at all {checked} entries checked{kinks}"
        if not function.loss_ok and function.verdict == "incorrect":
            words += "; so dW is the gradient of the loss as written: the mistake is in the loss" + \
                ("" if function.dW_ok else ", and dW carries it")
        return words + "."
    first = failing[0]
    words = (f"dW disagrees with centred differences of its own loss at {len(failing)} of {checked} entries (e.g. "
             f"{_entry((first.row, first.col))}: dW {number(first.analytic)}, centred difference "
             f"{number(first.numeric)}){kinks}")
    if function.loss_ok:
        words += "; the loss is right, so dW is not its gradient"
    elif not function.dW_ok:
        words += "; the loss and dW are wrong in different ways"
    else:
        words += "; dW is right, so the loss is not the one dW is the gradient of"
    return words + "."


def mistake_messages(function) -> list:
    """The mistakes, one message each (words and formulas; alternatives joined with 'or')."""
    messages = []
    if function.alternatives:
        parts = ["one of: "]
        for index, option in enumerate(function.alternatives):
            parts += (["; or "] if index else []) + (_joined([m.said for m in option], " and ") or ["no mistake"])
        messages.append(tuple(parts))
    else:
        said = {m.words: m.said for m in function.mistakes}
        for text, message in said.items():
            counted = [m.part for m in function.mistakes if m.words == text]
            messages.append(_parts(message) + ((" (in the loss and in dW)",) if len(counted) > 1 else ()))
    for part in function.unexplained:
        messages.append((f"{'the loss' if part == 'loss' else 'dW'} is wrong in a way none of the generated "
                         "mistakes reproduces",))
    return messages


def _parts(said) -> tuple:
    return (said,) if isinstance(said, str) else tuple(said)


def _joined(messages, separator) -> list:
    out = []
    for index, message in enumerate(messages):
        out += ([separator] if index else []) + list(_parts(message))
    return out


def mistake_lines(function) -> list:
    """The mistakes, one sentence each, as a terminal shows them."""
    return [plain(message) for message in mistake_messages(function)]


def failure_words(function, first: str = "first") -> tuple | None:
    """Where the function first goes wrong, and both values (words and formulas, see :mod:`.said`)."""
    failure = function.failure
    if failure is None:
        return None
    loss = f"loss {number(failure.student_loss)} (expected {number(failure.expected_loss)})"
    words = (f"{first} wrong on input ", *failure.description, ": ")
    if failure.entry is not None and failure.part == "dW":
        return words + (f"dW{list(failure.entry)} is {number(failure.student_entry)}, expected "
                        f"{number(failure.expected_entry)}; " + loss,)
    if failure.entry is not None and failure.student_entry is not None and \
            not np.isclose(failure.student_entry, failure.expected_entry, equal_nan=True):
        return words + (loss + f"; dW{list(failure.entry)} is {number(failure.student_entry)}, expected "
                               f"{number(failure.expected_entry)}",)
    return words + (loss,)


def timing_words(result, functions) -> list:
    """The speedup of vectorized over naive at the CIFAR shape, and whether the vectorized one loops."""
    lines = []
    if result.speedup is not None:
        slow = next(f for f in functions if "cifar" in f.seconds and "naive" in f.name.lower())
        fast = next(f for f in functions if "cifar" in f.seconds and "vector" in f.name.lower())
        n, d, k = CIFAR
        lines.append(f"{fast.name} is {result.speedup:.1f}x as fast as {slow.name} at N = {n}, D = {d}, K = {k} "
                     f"({slow.seconds['cifar'] * 1e3:.1f} ms against {fast.seconds['cifar'] * 1e3:.1f} ms)")
    for function in functions:
        if function.loops is not None:
            lines.append(f"{function.name} " + (
                f"loops over the examples in Python ({function.per_example * 1e6:.1f} µs per extra example)"
                if function.loops else
                f"does not loop over the examples ({function.per_example * 1e9:.0f} ns per extra example, measured "
                "at 1,000 and 8,000 examples)"))
    return lines


def function_summary(function) -> str:
    """The verdict line of a function."""
    if function.verdict == "error":
        return f"error: {function.reason}"
    if function.verdict == "correct":
        return "correct"
    parts = [p for p, ok in (("loss", function.loss_ok), ("dW", function.dW_ok)) if ok]
    return "incorrect" + (f" ({' and '.join(parts)} right)" if parts else "")


def function_text(function) -> list:
    """A function's report as plain lines (no markup), for the terminal and Gradescope."""
    lines = [f"{function.name}: {function_summary(function)}  [{function.score:g}/{function.max_score:g}]"]
    for words in mistake_lines(function):
        lines.append(f"  mistake: {words}")
    failure = failure_words(function)
    if failure:
        lines.append(f"  {plain(failure)}")
    consistency = consistency_words(function)
    if consistency and function.verdict != "correct":
        lines.append(f"  own loss: {consistency}")
    for note in function.notes:
        lines.append(f"  note: {plain(note)}")
    return lines


# --- formats ------------------------------------------------------------------------------------------

def summary(results) -> dict:
    verdicts = Counter({v: 0 for v in VERDICTS})
    mistakes = Counter()
    for result in results:
        for function in result.functions:
            verdicts[function.verdict] += 1
            for m in function.mistakes:
                mistakes[m.tag] += 1
    return {"submissions": len(results), "unloadable": sum(1 for r in results if r.error),
            "functions": dict(verdicts), "mistakes": dict(mistakes.most_common())}


def to_text(results, header: dict) -> str:
    lines = [f"derive check-code: {header['loss']} ({', '.join(header['functions'])}), --reg-form "
             f"{header['reg_form']}" + (f", Δ = {header['delta']:g}" if header['loss'] == 'svm' else "")
             + "; λ is the code's reg",
             f"Isolation: {header['isolation']}", ""]
    for result in results:
        lines.append(f"== {escape_text(result.name)}: {result.score:g}/{result.max_score:g}")
        if result.error:
            lines.append(f"  the file could not be loaded: {escape_text(result.error)}")
        else:
            for function in result.functions:
                lines += ["  " + escape_text(line) for line in function_text(function)]
            lines += ["  " + line for line in timing_words(result, result.functions)]
        lines.append("")
    total = summary(results)
    lines.append(f"{total['submissions']} submission{'s' if total['submissions'] != 1 else ''}: "
                 + ", ".join(f"{count} {verdict}" for verdict, count in total["functions"].items())
                 + " function" + ("s" if sum(total["functions"].values()) != 1 else ""))
    return "\n".join(lines) + "\n"


def _latex_number(value) -> str:
    text = number(float(value), 4)
    return {"nan": r"\mathrm{nan}", "inf": r"\infty", "-inf": r"-\infty"}.get(text, text.replace("e", r"\mathrm{e}"))


def matrix_markdown(name: str, value) -> str:
    """A small matrix (or vector) as displayed maths: ``$$ name = \\begin{bmatrix} ... \\end{bmatrix} $$``."""
    array = np.atleast_2d(np.asarray(value, dtype=float))
    if np.asarray(value).ndim == 1:
        array = array.T
    rows = r" \\ ".join(" & ".join(_latex_number(v) for v in row) for row in array)
    label = {"expected dW": r"dW_{\mathrm{expected}}", "dW": r"dW_{\mathrm{yours}}"}.get(name, name)
    return f"$$ {label} = \\begin{{bmatrix}} {rows} \\end{{bmatrix}} $$"


def to_markdown(results, header: dict) -> str:
    md = escape_markdown
    lines = [f"# Code checked against the verified derivation: {md(header['loss'])}", "",
             f"Functions: {', '.join('`' + f + '`' for f in header['functions'])}; `--reg-form {header['reg_form']}`"
             + (f"; $\\Delta = {header['delta']:g}$" if header['loss'] == 'svm' else "")
             + "; $\\lambda$ is the code's `reg`.", "",
             f"Isolation: {_limits_as_code(md(header['isolation']))}", ""]
    for result in results:
        lines += [f"## {md(result.name)}: {result.score:g} / {result.max_score:g}", ""]
        if result.error:
            lines += [f"The file could not be loaded: {md(result.error)}", ""]
            continue
        lines += ["| function | verdict | score |", "| --- | --- | --- |"]
        for function in result.functions:
            lines.append(f"| `{function.name}` | {md(function_summary(function))} | "
                         f"{function.score:g} / {function.max_score:g} |")
        lines.append("")
        for function in result.functions:
            lines += [f"### `{function.name}`", ""]
            for message in mistake_messages(function):
                lines.append(f"- **Mistake**: {markdown(message)}")
            failure = failure_words(function, first="First")
            if failure:
                lines.append(f"- {markdown(failure)}")
            consistency = consistency_words(function)
            if consistency:
                lines.append(f"- {md(consistency)}")
            for note in function.notes:
                lines.append(f"- Note: {markdown(note)}")
            if function.verdict == "error":
                lines.append(f"- {md(function_summary(function))}")
            lines.append("")
            if function.failure is not None and function.failure.matrices:
                lines += [f"The input '{md(function.failure.input)}' (reg = "
                          f"{number(float(_reg(header, function.failure.input)))}):", ""]
                for name, value in function.failure.matrices.items():
                    lines += [matrix_markdown(name, value), ""]
        for line in timing_words(result, result.functions):
            lines.append(f"- {md(line)}")
        lines.append("")
    total = summary(results)
    lines += ["## Summary", "", "| verdict | functions |", "| --- | --- |"]
    lines += [f"| {verdict} | {count} |" for verdict, count in total["functions"].items()]
    return "\n".join(lines) + "\n"


def _limits_as_code(text: str) -> str:
    """RLIMIT_CPU and its kin (escaped for Markdown) as code spans."""
    import re
    return re.sub(r"RLIMIT\\_[A-Z]+", lambda m: "`" + m.group(0).replace("\\_", "_") + "`", text)


def _reg(header, name):
    return header.get("regs", {}).get(name, float("nan"))


def json_safe(value):
    """``value`` with NumPy numbers as Python's and non-finite numbers as the strings "nan", "inf", "-inf"."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return number(value)
    return value


def to_json(results, header: dict) -> str:
    document = {"loss": header["loss"], "functions": list(header["functions"]), "reg_form": header["reg_form"],
                "delta": header.get("delta"), "isolation": header["isolation_details"],
                "submissions": [r.to_dict() for r in results], "summary": summary(results)}
    return json.dumps(json_safe(document), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def render(results, fmt: str, header: dict) -> str:
    """The report of ``results`` in ``fmt``: text, markdown or json (gradescope: see :mod:`.gradescope`)."""
    if fmt == "json":
        return to_json(results, header)
    if fmt == "markdown":
        return to_markdown(results, header)
    return to_text(results, header)
