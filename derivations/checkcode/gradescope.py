"""Gradescope's ``results.json`` for one submission: one test per function.

The fields are Gradescope's own (its autograder specification): at the top ``score``,
``max_score``, ``output`` (here: the isolation in force and the timing), ``execution_time``
(whole seconds) and ``tests``; each test has ``name``, ``score``, ``max_score``, ``status``
("passed" or "failed") and ``output`` (the verdict, the mistakes in a TA's words, the first input
where it goes wrong and what centred differences of the student's own loss say).
"""
from __future__ import annotations

import json
import math

from .report import function_text, json_safe, timing_words


def results_json(result) -> dict:
    """The results.json document of one :class:`~.grade.SubmissionResult`."""
    tests = []
    for function in result.functions:
        tests.append({
            "name": function.name,
            "score": round(function.score, 6),
            "max_score": round(function.max_score, 6),
            "status": "passed" if function.verdict == "correct" else "failed",
            "output": "\n".join(function_text(function)),
        })
    output = [f"Sandbox: {result.isolation}"]
    if result.error:
        output.append(f"The file could not be loaded: {result.error}")
    output += timing_words(result, result.functions)
    return json_safe({
        "score": round(result.score, 6),
        "max_score": round(result.max_score, 6),
        "execution_time": int(math.ceil(result.wall)),
        "output": "\n".join(output),
        "tests": tests,
    })


def render(result) -> str:
    return json.dumps(results_json(result), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
