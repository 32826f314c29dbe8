"""derive problems: per-student variants, each exercising every case, deterministic, with keys that grade correct."""
import json
import math
from fractions import Fraction

import pytest

from cli import main
from derivations.check import problems as P
from derivations.check.grade import grade_sheet
from derivations.check.sheet import parse

STUDENTS = P.students_from("500")


def _exact(value):
    return Fraction(str(value))


def _softmax(scores):
    top = max(scores)
    e = [math.exp(float(s - top)) for s in scores]
    return [v / sum(e) for v in e]


def _svm_cases(scores, label, tie=False):
    margins = [scores[j] - scores[label] + 1 for j in range(len(scores)) if j != label]
    near = [m for m in margins if abs(m) < Fraction(1, 20)]
    assert any(m > 0 for m in margins) and any(m < 0 for m in margins), "a violated and a cleared margin"
    assert (near == [0]) if tie else not near, margins


def _softmax_cases(scores, figures=True):
    for p in _softmax(scores):
        assert p >= 1e-3
        if figures:
            assert f"{p:.3g}" != f"{float(f'{p:.2g}'):.3g}", p          # the 3rd figure matters


def _hand_numbers(values):
    for v in values:
        assert (_exact(v) * 100).denominator == 1 and abs(v) <= 3     # integers, one or two decimals, small


@pytest.mark.parametrize("family", P.FAMILIES)
def test_every_variant_exercises_every_case(family):
    for student in STUDENTS:
        g = P.variant(family, 2024, student).given
        if family == "svm":
            scores = [_exact(v) for v in g["scores"]]
            _hand_numbers(scores)
            _svm_cases(scores, g["label"])
        elif family == "softmax":
            scores = [_exact(v) for v in g["scores"]]
            _hand_numbers(scores)
            _softmax_cases(scores)
        elif family == "weights":
            x, W = [_exact(v) for v in g["inputs"]], [[_exact(v) for v in row] for row in g["weights"]]
            _hand_numbers(x + [v for row in W for v in row])
            scores = [sum(W[d][c] * x[d] for d in range(len(x))) for c in range(len(W[0]))]
            _svm_cases(scores, g["label"])
            _softmax_cases(scores)
        elif family == "batch":
            X, W = [[_exact(v) for v in row] for row in g["X"]], [[_exact(v) for v in row] for row in g["W"]]
            _hand_numbers([v for row in X + W for v in row])
            assert set(g["y"]) == set(range(len(W[0]))), "every class is some example's label"
            S = [[sum(X[n][d] * W[d][c] for d in range(len(W))) for c in range(len(W[0]))] for n in range(len(X))]
            margins = [S[n][j] - S[n][g["y"][n]] + 1 for n in range(len(S)) for j in range(len(W[0]))
                       if j != g["y"][n]]
            assert any(m > 0 for m in margins) and any(m < 0 for m in margins)
            assert not [m for m in margins if abs(m) < Fraction(1, 20)]
            for row in S:
                _softmax_cases(row, figures=False)
        else:
            w, x = [_exact(v) for v in g["weights"]], [_exact(v) for v in g["inputs"]]
            _hand_numbers(w + x)
            z = sum(a * b for a, b in zip(w, x))
            assert abs(z) >= Fraction(1, 10) and 0.02 <= 1 / (1 + math.exp(-float(z))) <= 0.98
            targets = {g["target"]} | {q.given["target"] for q in P.variant(family, 2024, student).questions
                                       if q.given}
            assert targets == {0, 1}, "the loss is asked for both targets"


def test_a_tie_puts_one_margin_exactly_on_its_kink():
    for student in STUDENTS[:100]:
        g = P.variant("svm", 7, student, tie=True).given
        _svm_cases([_exact(v) for v in g["scores"]], g["label"], tie=True)


@pytest.mark.parametrize("family", P.FAMILIES)
def test_each_key_graded_is_all_correct_for_500_students(family):
    wrong = []
    for name, problem, files in P.files_for(family, STUDENTS, 11):
        result = grade_sheet(parse(files[f"keys/{name}.yaml"], f"{name}.yaml"))
        assert result.error is None, result.error
        wrong += [(name, item.id, item.verdict, item.feedback) for item in result.items if item.verdict != "correct"]
        blank = grade_sheet(parse(files[f"sheets/{name}.yaml"], f"{name}.yaml"))
        assert [item.verdict for item in blank.items] == ["invalid"] * len(problem.questions)   # nothing filled in
    assert wrong == []


def test_variants_are_deterministic_and_the_students_differ():
    first = [P.variant("batch", 5, s).given for s in STUDENTS[:50]]
    assert first == [P.variant("batch", 5, s).given for s in STUDENTS[:50]]
    assert len({repr(g) for g in first}) == 50
    assert P.variant("batch", 6, "s001").given != P.variant("batch", 5, "s001").given


def test_the_command_writes_sheets_problems_and_keys(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,SIS Login ID\nAnn,ann01\nBob,../bob\n")
    out = tmp_path / "hw"
    assert main(["problems", "softmax", "--students", str(roster), "--seed", "3", "-o", str(out)]) == 0
    assert sorted(p.name for p in (out / "sheets").iterdir()) == ["ann01.yaml", "bob.yaml"]
    assert sorted(p.name for p in (out / "problems").iterdir()) == ["ann01.md", "bob.md"]
    sheet = (out / "sheets" / "bob.yaml").read_text()
    assert "student: ../bob" in sheet and "answer: ''" in sheet
    text = (out / "problems" / "ann01.md").read_text()
    assert "**ann01**" in text and "$$" in text and "- **Q2.**" in text
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert main(["problems", "softmax", "--students", str(roster), "--seed", "3", "-o", str(out)]) == 0
    assert before == {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}            # the same bytes
    assert main(["check", str(out / "keys"), "--format", "grades", "-o", str(tmp_path / "g.csv")]) == 0
    assert (tmp_path / "g.csv").read_text().count(",100.0,") == 2
    capsys.readouterr()
    for arguments, message in ((["svm", "--students", "0"], "--students must be 1 to"),
                               (["softmax", "--students", "5", "--tie"], "--tie"),
                               (["svm", "--students", str(tmp_path / "none.csv")], "no such file")):
        assert main(["problems", *arguments, "-o", str(tmp_path / "x")]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


def test_key_numbers_are_exact_decimals_or_six_figures():
    import sympy
    assert P.decimal_text(sympy.Rational(131, 200)) == "0.655"
    assert P.decimal_text(sympy.Rational(-3, 4)) == "-0.75"
    assert P.decimal_text(sympy.Integer(2)) == "2"
    assert P.decimal_text(sympy.Rational(1, 3)) == "0.333333"
    assert P.decimal_text(sympy.log(2)) == "0.693147"


def test_problem_texts_compile_to_pdf(tmp_path):
    import os
    import shutil
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is needed in CI")
        pytest.skip("pdflatex is not installed")
    roster = tmp_path / "r.csv"
    roster.write_text("id\nO'Brien_&_{x}%$#\n")                                     # LaTeX's special characters
    for family in P.FAMILIES:
        out = tmp_path / family
        assert main(["problems", family, "--students", str(roster), "-o", str(out), "--pdf"]) == 0
        pdf = next((out / "problems").glob("*.pdf"))
        assert pdf.read_bytes().startswith(b"%PDF")


def test_check_with_the_key_takes_only_the_answers_from_the_students_sheet(tmp_path, capsys):
    """A student who edits the given, a tolerance, the points or the options of their sheet changes nothing."""
    import yaml
    out = tmp_path / "hw"
    assert main(["problems", "svm", "--students", "2", "--seed", "4", "-o", str(out)]) == 0
    key = yaml.safe_load((out / "keys" / "s001.yaml").read_text())
    filled = yaml.safe_load((out / "sheets" / "s001.yaml").read_text())
    for item, right in zip(filled["items"], key["items"]):
        item["answer"] = "999" if item["id"] == "Q1" else right["answer"]
    filled["items"][0].update(tolerance={"absolute": 10000}, points=100)          # the forged parts
    filled["given"]["scores"] = [999 if i == filled["given"]["label"] else 0
                                 for i in range(len(filled["given"]["scores"]))]
    filled["options"] = {"follow_through": 1}
    filled["items"].append({"id": "Q9", "quantity": "svm.loss", "answer": 0, "given": {"scores": [0, 0]}})
    (tmp_path / "filled").mkdir()
    (tmp_path / "filled" / "s001.yaml").write_text(yaml.safe_dump(filled))
    assert main(["check", str(tmp_path / "filled"), "--format", "json"]) == 0
    forged = json.loads(capsys.readouterr().out)["sheets"][0]
    assert forged["items"][0]["verdict"] == "correct"                              # the forgery works without a key
    assert main(["check", str(tmp_path / "filled"), "--key", str(out / "keys"), "--format", "json"]) == 0
    graded = json.loads(capsys.readouterr().out)["sheets"][0]
    assert [i["id"] for i in graded["items"]] == ["Q1", "Q2", "Q3", "Q4"]
    assert [i["verdict"] for i in graded["items"]] == ["incorrect", "correct", "correct", "correct"]
    assert (graded["score"], graded["max_score"]) == (3, 4)
    assert main(["check", str(tmp_path / "filled"), "--key", str(out / "sheets"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["sheets"][0]["score"] == 3          # the blank sheets serve as keys
    (tmp_path / "filled" / "s001.yaml").rename(tmp_path / "filled" / "zed.yaml")
    other = yaml.safe_load((tmp_path / "filled" / "zed.yaml").read_text())
    other["student"] = "zed"
    (tmp_path / "filled" / "zed.yaml").write_text(yaml.safe_dump(other))
    assert main(["check", str(tmp_path / "filled"), "--key", str(out / "keys"), "--format", "json"]) == 1
    assert "no key for student 'zed'" in json.loads(capsys.readouterr().out)["sheets"][0]["error"]
