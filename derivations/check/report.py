"""The graded batch as text, JSON, CSV, Markdown or LaTeX.

JSON: ``{"sheets": [{"sheet", "student", "score", "max_score", "error", "items": [...]}],
"summary": {"sheets", "items", "verdicts", "diagnoses"}}``, an item being ``{"id", "quantity",
"verdict", "score", "expected", "read_as", "feedback", "diagnosis", "rule", "candidates"}``. CSV: one
row per student and item (with its rule), and a TOTAL row per student. Markdown and LaTeX: a feedback
report per student, with the worked derivation for every item not marked
correct.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter

VERDICTS = ("correct", "partially-correct", "incorrect", "invalid")


def summary(results) -> dict:
    verdicts = Counter({v: 0 for v in VERDICTS})
    diagnoses = Counter()
    items = 0
    for result in results:
        for item in result.items:
            items += 1
            verdicts[item.verdict] += 1
            if item.diagnosis:
                diagnoses[item.diagnosis] += 1
    return {"sheets": len(results), "unreadable": sum(1 for r in results if r.error), "items": items,
            "verdicts": dict(verdicts), "diagnoses": dict(diagnoses.most_common())}


def to_json(results) -> str:
    """The JSON report, one sheet a line (json's fast encoder writes each; an indented whole is several
    times slower for a class of a thousand sheets)."""
    sheets = ",\n".join("    " + json.dumps(r.to_dict(), ensure_ascii=False, allow_nan=False) for r in results)
    summary_text = json.dumps(summary(results), indent=2, ensure_ascii=False).replace("\n", "\n  ")
    return "{\n  \"sheets\": [\n" + sheets + ("\n  " if sheets else "") + "],\n  \"summary\": " + summary_text + "\n}\n"


#: a cell starting with one of these is a formula to a spreadsheet (=HYPERLINK(...), =cmd|' /C calc'!A0, +, -, @),
#: or hides one behind a tab or carriage return: such text gets a quote in front (OWASP's advice)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A CSV cell: numbers as they are; text that a spreadsheet would run as a formula quoted with a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose every text cell is escaped against formula injection (see :func:`cell`)."""

    def __init__(self, stream):
        self.writer = csv.writer(stream, lineterminator="\n")

    def writerow(self, row):
        self.writer.writerow([cell(v) for v in row])


def to_csv(results) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["sheet", "student", "item", "quantity", "verdict", "score", "points", "expected", "read_as",
                     "diagnosis", "feedback", "rule"])
    for result in results:
        if result.error:
            writer.writerow([result.sheet, result.student, "ERROR", "", "", 0, 0, "", "", "", result.error, ""])
            continue
        for item in result.items:
            writer.writerow([result.sheet, result.student, item.id, item.quantity, item.verdict,
                             round(item.score * item.points, 6), item.points, item.expected, item.read_as,
                             item.diagnosis or "", item.feedback, item.rule])
        writer.writerow([result.sheet, result.student, "TOTAL", "", "", round(result.score, 6), result.max_score,
                         "", "", "", "", ""])
    return out.getvalue()


def _reference(item):
    """The reference an item was graded against (from this process's cache), or None."""
    from .grade import reference_for
    from .quantities import lookup
    if item.given is None:
        return None
    try:
        return reference_for(lookup(item.quantity), item.given)
    except Exception:  # noqa: BLE001 - feedback without the reference is still feedback
        return None


def _worked(item):
    """The derivation behind an item's reference, or None."""
    reference = _reference(item)
    try:
        return reference.worked() if reference is not None else None
    except Exception:  # noqa: BLE001 - feedback without a worked derivation is still feedback
        return None


def _expected_formula(item):
    """The expected formula of an expression quantity, for the printer, when grading did not keep it (an answer
    refused before it was compared, such as a number where a formula is asked for); None for a quantity whose
    reference is a value (a number, a vector, a matrix: the expected cell shows it)."""
    reference = _reference(item)
    if reference is None or reference.value is not None:
        return None
    expr = getattr(reference, "expr", None)
    import sympy
    return expr if isinstance(expr, sympy.Basic) and not expr.is_number else None


def _typeset_cells(item) -> None:
    """What was read and what was expected, for the printers: the formulas, or the numbers written."""
    from .feedback import shown_text
    item.read_shown = item.read_expr if item.read_expr is not None else shown_text(item.read_as)
    item.expected_shown = item.expected_expr if item.expected_expr is not None else shown_text(item.expected)
    if item.expected_shown is None and item.expected:
        item.expected_shown = _expected_formula(item)


def render(results, fmt: str) -> str:
    """The whole report in ``fmt``: text, json, csv, markdown or latex, as valid Unicode (a lone surrogate that
    reached a result, whatever its way in, becomes U+FFFD rather than an unwritable report)."""
    text = _render(results, fmt)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)


def _render(results, fmt: str) -> str:
    if fmt == "json":
        return to_json(results)
    if fmt == "csv":
        return to_csv(results)
    from ..report.render import environment
    env = environment(fmt)
    template = {"text": "text/check.txt.j2", "markdown": "markdown/check.md.j2", "latex": "latex/check.tex.j2"}[fmt]
    if fmt in ("markdown", "latex"):
        from .feedback import foreign
        for result in results:
            result.error_words = foreign(result.error) if result.error else None
            for item in result.items:
                if item.verdict != "correct":
                    item.worked = _worked(item)
                _typeset_cells(item)
    return env.get_template(template).render(results=results, summary=summary(results), verdicts=VERDICTS)
