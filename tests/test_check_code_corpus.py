"""derive check-code against a blind corpus: 24 submissions whose verdicts were fixed before the tool ran.

tests/data/check_code/blind_dev/verdicts.yaml gives each function's verdict (correct, incorrect, error);
expected_tags.yaml the tags of the mistakes verdicts.yaml words. Every verdict must agree, every
incorrect function must be diagnosed with exactly its mistakes, every correct one under the convention
the corpus says (the half-lambda convention named under auto, the kink counted as a note), and no run
may be lost to a crashing or hostile submission.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from derivations.checkcode import batch
from derivations.checkcode.grade import DEFAULT_FUNCTIONS, Grader, Settings
from derivations.checkcode.said import plain
from derivations.checkcode.sandbox import Limits

DATA = Path(__file__).parent / "data" / "check_code" / "blind_dev"
VERDICTS = yaml.safe_load((DATA / "verdicts.yaml").read_text())["submissions"]
TAGS = yaml.safe_load((DATA / "expected_tags.yaml").read_text())


@pytest.fixture(scope="module")
def graded():
    found = {}
    submissions = batch.find_submissions([DATA])
    for loss in ("svm", "softmax"):
        with Grader(Settings(loss, limits=Limits(timeout=8))) as grader:
            for result in batch.grade_all(grader, submissions, jobs=2):
                for function in result.functions:
                    found[(result.name, function.name)] = function
    return found


def _expected():
    for submission, functions in VERDICTS.items():
        for name, verdict in functions.items():
            yield submission, name, verdict


def test_corpus_shape():
    assert len(VERDICTS) == 24
    assert sum(len(f) for f in VERDICTS.values()) == 57
    assert all(name in DEFAULT_FUNCTIONS["svm"] + DEFAULT_FUNCTIONS["softmax"]
               for functions in VERDICTS.values() for name in functions)


def test_no_run_lost(graded):
    assert all(graded[(s, n)].verdict in ("correct", "incorrect", "error") for s, n, _ in _expected())


def test_every_verdict_agrees(graded):
    disagree = {(s, n): (graded[(s, n)].verdict, v["verdict"]) for s, n, v in _expected()
                if graded[(s, n)].verdict != v["verdict"]}
    assert not disagree


def test_every_mistake_named(graded):
    wrong = {}
    for submission, functions in TAGS.items():
        for name, tags in functions.items():
            function = graded[(submission, name)]
            found = {m.tag for m in function.mistakes}
            if found != set(tags) or function.unexplained:
                wrong[(submission, name)] = sorted(found)
    assert not wrong
    incorrect = {(s, n) for s, n, v in _expected() if v["verdict"] == "incorrect"}
    assert incorrect == {(s, n) for s, functions in TAGS.items() for n in functions}


def test_conventions_and_notes(graded):
    for submission, name, verdict in _expected():
        note = verdict.get("note", "")
        function = graded[(submission, name)]
        if "half-lambda" in note:
            assert function.convention == "half", (submission, name)
        if "margin >= 0" in note:
            assert any("valid subgradient" in plain(n) for n in function.notes), (submission, name)


def test_error_reasons(graded):
    reasons = {
        ("s15_oscar.py", "svm_loss_naive"): "took longer than 8 s",
        ("s16_priya.py", "softmax_loss_vectorized"): "called os.system",
        ("s17_quentin.py", "softmax_loss_naive"): "No module named 'hw1_helpers'",
        ("s18_rosa.py", "svm_loss_vectorized"): "ran out of memory",
        ("s19_sam.py", "svm_loss_naive"): "wrote a file outside its working directory",
        ("s20_tara.py", "softmax_loss_naive"): "raised TypeError",
        ("s21_umar.py", "svm_loss_vectorized"): "dW has shape (20,)",
        ("s22_vera.py", "softmax_loss_naive"): "took longer than 8 s",
        ("s23_wen.py", "svm_loss_naive"): "raised NameError: name 'xrange' is not defined",
    }
    assert {key: words in (graded[key].reason or "") for key, words in reasons.items()} == \
        {key: True for key in reasons}
