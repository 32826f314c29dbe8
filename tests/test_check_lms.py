"""What an LMS takes from `derive check`: Gradescope's results.json, a roster-shaped grade CSV, feedback files."""
import csv
import io
import json

import pytest

from cli import main

SHEET = ("student: {name}\ngiven: {{scores: [3, -1, 4], label: 0}}\nitems:\n"
         "  - {{id: Q1, quantity: svm.loss, answer: {loss}, points: 2}}\n"
         "  - {{id: Q2, quantity: svm.dscores, answer: '[-1, 0, 1]'}}\n"
         "  - {{id: Q3, quantity: softmax.loss, answer: 1.318}}\n")


@pytest.fixture
def folder(tmp_path):
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    (sheets / "ann.yaml").write_text(SHEET.format(name="ann", loss=2))
    (sheets / "ben.yaml").write_text(SHEET.format(name="ben", loss=3))         # the j = y_i term kept
    (sheets / "evil.yaml").write_text(SHEET.format(name="'=../../HYPERLINK(1)'", loss=2))
    return tmp_path


def test_gradescope_results_json_has_the_fields_gradescope_reads(folder, capsys):
    out = folder / "results.json"
    assert main(["check", str(folder / "sheets" / "ben.yaml"), "--format", "gradescope", "-o", str(out)]) == 0
    document = json.loads(out.read_text())
    assert isinstance(document["score"], (int, float)) and isinstance(document["max_score"], (int, float))
    assert (document["score"], document["max_score"]) == (2.0, 4.0)              # Q1 (2 points) wrong
    assert len(document["tests"]) == 3
    for test in document["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert 0 <= test["score"] <= test["max_score"]
    first = document["tests"][0]
    assert first["name"] == "Q1 (svm.loss)" and (first["score"], first["max_score"]) == (0.0, 2.0)
    assert first["status"] == "failed" and "kept" in first["output"]
    assert sum(t["score"] for t in document["tests"]) == document["score"]
    assert sum(t["max_score"] for t in document["tests"]) == document["max_score"]
    # one submission only
    assert main(["check", str(folder / "sheets"), "--format", "gradescope"]) == 2
    assert "one submission" in capsys.readouterr().err


def test_an_unreadable_submission_scores_zero_with_its_reason(tmp_path):
    (tmp_path / "bad.yaml").write_text("items: [")
    out = tmp_path / "results.json"
    assert main(["check", str(tmp_path / "bad.yaml"), "--format", "gradescope", "-o", str(out)]) == 1
    document = json.loads(out.read_text())
    assert document["score"] == 0 and document["tests"] == [] and "Not graded" in document["output"]


def test_grade_csv_one_row_per_student(folder):
    out = folder / "grades.csv"
    assert main(["check", str(folder / "sheets"), "--format", "grades", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    by_student = {row["student"]: row for row in rows}
    assert len(rows) == 3 and set(by_student) == {"ann", "ben", "'=../../HYPERLINK(1)"}
    assert (by_student["ann"]["score"], by_student["ann"]["max_score"], by_student["ann"]["percent"]) == \
        ("4.0", "4.0", "100.0")
    assert (by_student["ben"]["score"], by_student["ben"]["Q1"], by_student["ben"]["Q2"]) == ("2.0", "0.0", "1.0")


def test_grade_csv_in_the_rosters_shape(folder):
    roster = folder / "roster.csv"
    roster.write_text("\ufeffStudent,ID,SIS Login ID,Section\nBen B,2,ben,S1\nZoe Z,9,zoe,S2\nAnn A,1,ann,S1\n")
    out = folder / "grades.csv"
    assert main(["check", str(folder / "sheets"), "--format", "grades", "--roster", str(roster), "-o", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0][:5] == ["Student", "ID", "SIS Login ID", "Section", "sheet"]
    assert [r[0] for r in rows[1:4]] == ["Ben B", "Zoe Z", "Ann A"]                # the roster's order, kept
    assert rows[1][5] == "2.0" and rows[3][5] == "4.0" and rows[2][4:] == [""] * (len(rows[2]) - 4)   # Zoe: none
    assert rows[4][2] == "'=../../HYPERLINK(1)"                                       # a sheet not on the roster
    cells = [c for row in rows for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_feedback_files_one_per_student_with_safe_names(folder):
    feedback = folder / "feedback"
    assert main(["check", str(folder / "sheets"), "--feedback-dir", str(feedback), "-o", str(folder / "r.txt")]) == 0
    names = sorted(p.name for p in feedback.iterdir())
    assert names == ["HYPERLINK_1.md", "ann.md", "ben.md"]
    assert sorted(p.name for p in folder.iterdir()) == ["feedback", "r.txt", "sheets"]       # nothing outside it
    text = (feedback / "HYPERLINK_1.md").read_text()
    assert "## \\=../../HYPERLINK(1)" in text                                          # escaped Markdown
    assert "kept" in (feedback / "ben.md").read_text()


def test_safe_names():
    from derivations.check.lms import safe_name
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name(".bashrc") == "bashrc"
    assert safe_name("CON") == "student_CON" and safe_name("") == "student" and safe_name("///") == "student"
    assert safe_name("Zoë Ünal") == "Zoe_Unal"
    assert len(safe_name("x" * 500)) == 80
