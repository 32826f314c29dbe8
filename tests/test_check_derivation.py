"""derive check: an answer that is a whole derivation (quantity: derivation, target: ...), and derive verify's CLI."""
import json

from cli import main
from derivations.check.grade import grade_sheet
from derivations.check.sheet import parse

CORRECT = r"""
      $$L_i = \sum_{j \neq y_i} \max(0, s_j - s_{y_i} + \Delta)$$

      $$\begin{aligned}
      \frac{\partial L_i}{\partial s_k} &= \sum_{j \neq y_i} \mathbb{1}(s_j - s_{y_i} + \Delta > 0) \delta_{jk} \\
      &= \mathbb{1}(s_k - s_{y_i} + \Delta > 0)
      \end{aligned}$$
"""


def item(answer, target="svm.dscore_incorrect"):
    sheet = parse(f"items:\n  - id: q\n    quantity: derivation\n    target: {target}\n    answer: |\n{answer}\n")
    return grade_sheet(sheet).items[0]


def test_a_valid_derivation_that_ends_at_the_target_is_correct():
    result = item(CORRECT)
    assert result.verdict == "correct" and result.score == 1.0
    assert "2 steps" in result.feedback


def test_the_first_wrong_line_is_named_with_its_mistake():
    slipped = CORRECT.replace(r"\delta_{jk} \\", r"\\")
    result = item(slipped)
    assert result.verdict == "incorrect" and result.score == 0.0
    assert result.feedback.startswith("Line 5 does not follow")     # line 5 of the answer as written
    assert result.diagnosis == "delta-dropped"


def test_a_valid_derivation_that_ends_elsewhere_is_not_credited():
    stops_early = r"""
      $$L_i = \sum_{j \neq y_i} \max(0, s_j - s_{y_i} + \Delta)$$

      $$\frac{\partial L_i}{\partial s_k} = \sum_{j \neq y_i} \frac{\partial}{\partial s_k} \max(0, s_j - s_{y_i} + \Delta)$$
"""
    result = item(stops_early)
    assert result.verdict == "incorrect"
    assert "still has a derivative" in result.feedback
    other_result = r"""
      $$L_i = \sum_{j \neq y_i} \max(0, s_j - s_{y_i} + \Delta)$$

      $$\frac{\partial L_i}{\partial s_{y_i}} = -\sum_{j \neq y_i} \mathbb{1}(s_j - s_{y_i} + \Delta > 0)$$
"""
    result = item(other_result)
    assert result.verdict == "incorrect" and "ends at" in result.feedback and "not at" in result.feedback


def test_the_target_case_is_assumed():
    # the softmax gradient of the correct class: p_k - 1, true only in the target's case k = y_i
    answer = r"""
      $$\frac{\partial L_i}{\partial s_k} = -1 + \frac{e^{s_k}}{\sum_m e^{s_m}} = p_k - 1$$
"""
    assert item(answer, "softmax.dscore_correct").verdict == "correct"
    assert item(answer, "softmax.dscore_incorrect").verdict == "incorrect"


def test_a_target_that_is_not_a_formula_or_missing_is_invalid():
    assert item(CORRECT, "svm.loss").verdict == "invalid"
    sheet = parse("items:\n  - id: q\n    quantity: derivation\n    answer: x\n")
    assert grade_sheet(sheet).items[0].verdict == "invalid"
    bad_target = parse("items:\n  - id: q\n    quantity: derivation\n    target: [1]\n    answer: x\n")
    result = grade_sheet(bad_target).items[0]
    assert result.verdict == "invalid" and "target must be" in result.feedback.lower()


# --- derive verify on the command line -------------------------------------------------------------

GOOD = "$$L_i = \\sum_{j \\neq y_i} \\max(0, s_j - s_{y_i} + 1)$$\n\nwhen $k \\neq y_i$:\n\n" \
       "$$\\frac{\\partial L_i}{\\partial s_k} = \\mathbb{1}(s_k - s_{y_i} + 1 > 0)$$\n"
BAD = GOOD.replace("\\mathbb{1}(s_k", "\\mathbb{1}(s_j")


def test_cli_exit_status_and_formats(tmp_path, capsys):
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(GOOD)
    bad.write_text(BAD)
    assert main(["verify", str(good)]) == 0
    assert "1 verified, 0 wrong" in capsys.readouterr().out
    assert main(["verify", str(bad), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    line = data["lines"][0]
    assert set(line) >= {"source_line", "latex", "verdict", "verified_by", "counterexample", "diagnosis"}
    assert (line["source_line"], line["verdict"]) == (5, "wrong")
    assert data["summary"]["wrong_lines"] == [5]
    for fmt, marker in (("markdown", "### Line 5"), ("latex", "\\begin{document}"), ("text", "5 |")):
        assert main(["verify", str(bad), "--format", fmt]) == 1
        assert marker in capsys.readouterr().out


def test_cli_usage_errors_exit_2(tmp_path, capsys):
    assert main(["verify"]) == 2
    assert main(["verify", str(tmp_path / "missing.md")]) == 2
    assert "no such file" in capsys.readouterr().err
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\xff\xfe\x00")
    assert main(["verify", str(binary)]) == 2
    unclosed = tmp_path / "unclosed.md"
    unclosed.write_text("$$ a = b\n")
    assert main(["verify", str(unclosed)]) == 2
    assert "never closed" in capsys.readouterr().err


def test_cli_reads_standard_input_and_writes_atomically(tmp_path, monkeypatch, capsys):
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO("p_j = e^(s_j) / sum_m e^(s_m)\n"
                                                 "when j != k:\n∂p_j/∂s_k = -p_j p_k\n"))
    target = tmp_path / "report.md"
    assert main(["verify", "-", "--format", "markdown", "-o", str(target)]) == 0
    assert "1 verified" in target.read_text()


def test_cli_hints_from_the_options(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("dL_i/ds_k: ∂L_i/∂s_k = p_k - 1\n")
    assert main(["verify", str(text), "--loss", "softmax", "--assume", "k = y_i"]) == 0
    assert main(["verify", str(text), "--loss", "softmax", "--assume", "k != y_i"]) == 1


def test_markdown_report_quotes_student_text_literally(tmp_path, capsys):
    hostile = tmp_path / "h.md"
    hostile.write_text("$$L_i = `rm -rf` \\input{x} <script>$$\n")
    assert main(["verify", str(hostile), "--format", "markdown"]) == 3          # nothing wrong, a line not read
    out = capsys.readouterr().out
    assert "``$$L_i = `rm -rf` \\input{x} <script>$$``" in out               # a code span, shown as written
    assert "1 not read" in out and "`\\input` is not read" in out          # the reason, its command in code type
