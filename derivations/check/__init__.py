"""Checking students' answers against the engine's own derivations.

    sheet.py       reading an answer sheet (YAML with the safe loader, or JSON) and checking its shape
    reading.py     a numeric answer read as a TA would: words, units, ≈, wrappers, vectors, decimal commas
    numeric.py     numbers as written: value and the place of the last digit
    precision.py   the precision policy: figures required, truncation, near zero
    rounding.py    answers that follow from rounded intermediates (p, e^{s_j}), and which roundings count
    registry.py    what a quantity and its reference are; families/ fill the register, quantities.py looks up
    formulas.py    formula answers: equivalence, and a probe that checks every generated mistake at once
    diagnosis.py   naming a mistake only when one kind of mistake explains the answer
    judge.py       verdicts for one item: numbers, vectors, matrices, formulas
    grade.py       one sheet: references and judgements cached per process
    batch.py       a folder of sheets: worker processes, time and memory bounds, progress
    report.py      text, JSON, CSV, Markdown and LaTeX output
"""
