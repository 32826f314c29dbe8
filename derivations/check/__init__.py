"""Checking students' answers against the engine's own derivations.

    sheet.py       reading an answer sheet (YAML with the safe loader, or JSON) and checking its shape
    numeric.py     numbers as students write them: value, precision, rounding and truncation
    quantities.py  the registry of quantities (svm.loss, softmax.probs, ...) and their references
    variants.py    mistakes generated from the reference derivation (a variant loss, recomputed)
    judge.py       verdicts for one item: numbers, vectors, matrices, expressions
    sandbox.py     grading in worker processes with a time and memory bound per answer
    batch.py       a folder of sheets: references once per distinct given, --jobs, progress
    report.py      text, JSON, CSV, Markdown and LaTeX output
"""
