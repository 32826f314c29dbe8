"""Grading SVM answers: values, verdicts, diagnoses, partial credit, bad sheets, the batch."""
import json

import pytest

from cli import main
from derivations.check import batch, report
from derivations.check.grade import grade_sheet
from derivations.check.sheet import SheetError, parse

GIVEN = "given: {scores: [3, -1, 4], label: 0, delta: 1}\n"


def grade(items_yaml, given=GIVEN):
    return grade_sheet(parse(given + "items:\n" + items_yaml, "s.yaml"))


def one(answer, quantity="svm.loss", extra=""):
    result = grade(f"  - id: q\n    quantity: {quantity}\n    answer: {answer}\n{extra}")
    return result.items[0]


@pytest.mark.parametrize("answer, verdict", [("2", "correct"), ("2.0", "correct"), ("'2.000'", "correct"),
                                             ("3", "incorrect"), ("1.9", "incorrect")])
def test_svm_loss_numbers(answer, verdict):
    assert one(answer).verdict == verdict


def test_delta_two_override():
    item = one("3", extra="    given: {delta: 2}\n")
    assert item.verdict == "correct" and item.expected == "3"


def test_kept_correct_term_is_diagnosed():
    item = one("3")
    assert item.diagnosis == "kept-correct-term"


def test_dropped_max_is_diagnosed():
    item = one("-1")          # (-1 - 3 + 1) + (4 - 3 + 1) = -1
    assert item.diagnosis == "dropped-max"


def test_reversed_margin_is_diagnosed():
    item = one("5")           # max(0, 3 + 1 + 1) + max(0, 3 - 4 + 1) = 5
    assert item.diagnosis == "reversed-margin"


def test_no_diagnosis_when_nothing_matches():
    item = one("7")
    assert item.verdict == "incorrect" and item.diagnosis is None


def test_gradient_vector_partial_credit_and_diagnosis():
    item = one("[1, 0, 1]", "svm.dscores")
    assert item.verdict == "partially-correct"
    assert item.score == pytest.approx(2 / 3)
    assert item.diagnosis == "missing-minus-correct-class"


def test_gradient_sign_flipped():
    item = one("[1, 0, -1]", "svm.dscores")
    assert item.verdict == "incorrect" and item.score == 0          # its 0 agrees by coincidence: no partial credit
    assert item.diagnosis == "sign-flipped-gradient" and "No partial credit" in item.feedback


def test_gradient_length_mismatch_is_explained():
    item = one("[-1, 1]", "svm.dscores")
    assert item.verdict == "incorrect" and "2 entries for 3 classes" in item.feedback


def test_a_number_for_a_formula_question_is_incorrect():
    item = one("-1", "svm.dscore_correct")
    assert item.verdict == "incorrect" and item.score == 0
    assert item.feedback.startswith("A formula was expected, not the number -1")


def test_a_number_is_accepted_when_the_item_says_so():
    item = one("-1", "svm.dscore_correct", "    accept_numbers: true\n")
    assert item.verdict == "correct" and item.expected == "-1"
    assert one("-2", "svm.dscore_correct", "    accept_numbers: true\n").verdict == "incorrect"


def test_unknown_quantity_is_invalid_not_a_crash():
    item = one("2", "svm.nonsense")
    assert item.verdict == "invalid" and "unknown quantity" in item.feedback


def test_missing_given_is_invalid():
    result = grade_sheet(parse("items:\n  - quantity: svm.loss\n    answer: 2\n", "s.yaml"))
    assert result.items[0].verdict == "invalid" and "needs scores" in result.items[0].feedback


@pytest.mark.parametrize("text, message", [
    ("items: [", "not valid YAML"),
    ("- 1\n- 2\n", "mapping"),
    ("items: []\n", "no 'items'"),
    ("items:\n  - quantity: svm.loss\n    answer: !!python/object/apply:os.system ['touch /tmp/derive-pwned']\n",
     "constructor"),
    ("secret: 1\nitems:\n  - quantity: svm.loss\n    answer: 1\n", "unknown key"),
])
def test_malformed_sheets(text, message):
    with pytest.raises(SheetError, match=message):
        parse(text, "s.yaml")


def test_an_item_without_an_answer_is_invalid_and_the_rest_is_graded():
    result = grade("  - {id: q1, quantity: svm.loss}\n  - {id: q2, quantity: svm.loss, answer: 2}\n"
                   "  - {id: q3, quantity: svm.loss, answer: ''}\n  - {id: q4, quantity: svm.loss, answer: 2, points: -1}\n")
    assert result.error is None
    assert [i.verdict for i in result.items] == ["invalid", "correct", "invalid", "invalid"]
    assert result.items[0].feedback == "No answer was given." and result.items[2].feedback == "No answer was given."
    assert result.items[3].feedback == "Points must be a number >= 0."
    assert result.score == 1.0


def test_batch_goes_on_after_a_bad_sheet(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(GIVEN + "items:\n  - id: q1\n    quantity: svm.loss\n    answer: 2\n")
    (tmp_path / "b.yaml").write_text("items: [\n")
    (tmp_path / "c.json").write_text(json.dumps({"student": "carol", "given": {"scores": [3, -1, 4], "label": 0},
                                                  "items": [{"id": "q1", "quantity": "svm.dscores",
                                                             "answer": [-1, 0, 1]}]}))
    code = main(["check", str(tmp_path), "--format", "json", "--jobs", "2"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1                                   # one sheet could not be read
    sheets = {s["student"]: s for s in out["sheets"]}
    assert sheets["a"]["score"] == 1.0 and sheets["carol"]["score"] == 1.0
    assert sheets["b"]["error"].startswith("not valid YAML")
    assert out["summary"]["sheets"] == 3 and out["summary"]["verdicts"]["correct"] == 2


def test_csv_has_a_total_per_student(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(GIVEN + "items:\n  - id: q1\n    quantity: svm.loss\n    answer: 2\n"
                                             "  - id: q2\n    quantity: svm.loss\n    answer: 3\n")
    assert main(["check", str(tmp_path / "a.yaml"), "--format", "csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].startswith("sheet,student,item")
    assert rows[-1].split(",")[2:7] == ["TOTAL", "", "", "1.0", "2.0"]


def test_missing_path_is_a_usage_error(capsys):
    assert main(["check", "/nonexistent/sheets"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err


def test_diagnosis_summary_counts(tmp_path):
    for name, answer in [("a", 3), ("b", 3), ("c", 2)]:
        (tmp_path / f"{name}.yaml").write_text(GIVEN + f"items:\n  - quantity: svm.loss\n    answer: {answer}\n")
    results = batch.grade_paths([tmp_path], jobs=1)
    assert report.summary(results)["diagnoses"] == {"kept-correct-term": 2}


def test_feedback_reports_markdown_and_latex(tmp_path, capsys):
    from derivations.report.latex import compile_pdf

    from .conftest import require_pdflatex
    (tmp_path / "x.yaml").write_text(
        "student: '50%_off \\input{x}'\n" + GIVEN +
        "items:\n  - {id: q1, quantity: svm.loss, answer: 3}\n"
        "  - {id: q2, quantity: svm.dscore_incorrect, answer: '1'}\n")
    assert main(["check", str(tmp_path), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert r"50%\_off \\input\{x\}" in markdown
    assert "The worked derivation" in markdown and r"\mathbf{1}\left[s_{k} - s_{y_i} + \Delta > 0\right]" in markdown
    assert "`kept-correct-term`" in markdown
    assert main(["check", str(tmp_path), "--format", "latex"]) == 0
    latex = capsys.readouterr().out
    assert r"\input{x}" not in latex and r"50\%\_off \textbackslash{}input\{x\}" in latex
    require_pdflatex()
    assert compile_pdf(latex).startswith(b"%PDF")
