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
    sheets = ",\n".join("    " + json.dumps(r.to_dict(), ensure_ascii=False) for r in results)
    summary_text = json.dumps(summary(results), indent=2, ensure_ascii=False).replace("\n", "\n  ")
    return "{\n  \"sheets\": [\n" + sheets + ("\n  " if sheets else "") + "],\n  \"summary\": " + summary_text + "\n}\n"


def to_csv(results) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
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


def _worked(item):
    """The derivation behind an item's reference (from this process's cache), or None."""
    from .grade import reference_for
    from .quantities import lookup
    if item.given is None:
        return None
    try:
        return reference_for(lookup(item.quantity), item.given).worked()
    except Exception:  # noqa: BLE001 - feedback without a worked derivation is still feedback
        return None


def render(results, fmt: str) -> str:
    """The whole report in ``fmt``: text, json, csv, markdown or latex."""
    if fmt == "json":
        return to_json(results)
    if fmt == "csv":
        return to_csv(results)
    from ..report.render import environment
    env = environment(fmt)
    template = {"text": "text/check.txt.j2", "markdown": "markdown/check.md.j2", "latex": "latex/check.tex.j2"}[fmt]
    if fmt in ("markdown", "latex"):
        for result in results:
            for item in result.items:
                if item.verdict != "correct":
                    item.worked = _worked(item)
    return env.get_template(template).render(results=results, summary=summary(results), verdicts=VERDICTS)
