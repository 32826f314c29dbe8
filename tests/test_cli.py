"""The derive command: values, formats, bad input (one line, exit 2, no file), lazy imports."""
import json
import os
import subprocess
import sys

import pytest

from cli import main


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_svm_grad_json_values(capsys):
    code, out, err = run(["svm-grad", "--delta", "1", "--scores", "3,-1,4", "--label", "0",
                          "--classes", "cat,dog,bird", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["results"]["loss"]["value"] == 2.0
    assert data["results"]["dscores"]["value"] == [-1.0, 0.0, 1.0]


def test_svm_grad_default_text(capsys):
    code, out, _ = run(["svm-grad", "--delta", "1"], capsys)
    assert code == 0
    assert "Σ_{j≠yᵢ} max(0, sⱼ - s_{yᵢ} + Δ)" in out
    assert "= 𝟙[sₖ - s_{yᵢ} + Δ > 0]" in out


def test_list(capsys):
    code, out, _ = run(["list"], capsys)
    assert code == 0 and "svm-grad" in out and "diff" in out


@pytest.mark.parametrize("args, message", [
    (["svm-grad", "--scores", "3,x,4", "--label", "0"], "must be a number"),
    (["svm-grad", "--scores", "", "--label", "0"], "empty"),
    (["svm-grad", "--scores", "3,,4", "--label", "0"], "empty entry"),
    (["svm-grad", "--scores", "3,-1,4", "--label", "3"], "outside 0..2"),
    (["svm-grad", "--scores", "3,-1,4", "--label", "-1"], "outside 0..2"),
    (["svm-grad", "--scores", "3", "--label", "0"], "at least two classes"),
    (["svm-grad", "--scores", "3,nan,4", "--label", "0"], "finite"),
    (["svm-grad", "--scores", "3,inf,4", "--label", "0"], "finite"),
    (["svm-grad", "--delta", "abc"], "delta must be a number"),
    (["svm-grad", "--scores", "3,-1,4"], "label"),
    (["svm-grad", "--scores", "3,-1,4", "--label", "0", "--classes", "a,b"], "2 class names"),
    (["svm-grad", "--format", "docx"], "docx"),
    (["nonsense"], "nonsense"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, capsys):
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("derive: error:")
    assert "Traceback" not in err


def test_unwritable_output_leaves_no_file(tmp_path, capsys):
    target = tmp_path / "missing" / "report.md"
    code, _, err = run(["svm-grad", "-o", str(target)], capsys)
    assert code == 2 and "does not exist" in err and not target.exists()


def test_bad_input_with_output_writes_nothing(tmp_path, capsys):
    target = tmp_path / "report.md"
    target.write_text("previous report")
    code, _, _ = run(["svm-grad", "--scores", "1,x", "--label", "0", "-o", str(target)], capsys)
    assert code == 2
    assert target.read_text() == "previous report"
    assert list(tmp_path.iterdir()) == [target]


def test_output_file_is_written_whole(tmp_path, capsys):
    target = tmp_path / "report.json"
    code, out, err = run(["svm-grad", "--format", "json", "-o", str(target)], capsys)
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["derivation"] == "svm-grad"


def test_pdf(tmp_path, capsys):
    from .conftest import require_pdflatex
    require_pdflatex()
    target = tmp_path / "svm.tex"
    code, _, err = run(["svm-grad", "--scores", "3,-1,4", "--label", "0", "-o", str(target), "--pdf"], capsys)
    assert code == 0, err
    assert (tmp_path / "svm.pdf").read_bytes().startswith(b"%PDF")


def test_pdf_named_as_the_output_is_the_pdf_alone(tmp_path, capsys):
    from .conftest import require_pdflatex
    require_pdflatex()
    target = tmp_path / "svm.pdf"
    code, _, err = run(["svm-grad", "--delta", "1", "-o", str(target), "--pdf", "--no-cache"], capsys)
    assert code == 0, err
    assert target.read_bytes().startswith(b"%PDF")
    assert err.count(f"wrote {target}") == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["svm.pdf"]


def test_help_does_not_import_sympy():
    code = ("import sys, cli\n"
            "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('sympy' in sys.modules, 'jinja2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.stdout.strip().splitlines()[-1] == "False False"


def test_console_script_version():
    out = subprocess.run(["derive", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "derive, version 0.1.0" in out.stdout


def test_every_package_is_installed():
    """pyproject lists every package folder under derivations/ (a plain pip install must find them)."""
    import pathlib

    import tomllib
    root = pathlib.Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {".".join(p.parent.relative_to(root).parts) for p in (root / "derivations").rglob("*/__init__.py")}
    assert folders | {"derivations", "derivations.templates"} == listed


def test_pdf_without_pdflatex_says_so(tmp_path, capsys, monkeypatch):
    import derivations.report.latex
    monkeypatch.setattr(derivations.report.latex, "pdflatex", lambda: None)
    target = tmp_path / "svm.tex"
    target.write_text("the previous report")
    code, out, err = run(["svm-grad", "-o", str(target), "--pdf"], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("derive: error: pdflatex was not found")
    # a failed --pdf writes nothing: the previous output is as it was, and no PDF
    assert target.read_text() == "the previous report" and not (tmp_path / "svm.pdf").exists()


@pytest.mark.parametrize("delta, loss", [("1", 2.0), ("2", 3.0)])
def test_svm_grad_works_the_homework_example_by_default(delta, loss, capsys):
    code, out, _ = run(["svm-grad", "--delta", delta, "--format", "json", "--no-cache"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["results"]["loss"]["value"] == loss
    assert data["results"]["dscores"]["value"] == [-1.0, 0.0, 1.0]
    assert data["parameters"] == {"delta": float(delta), "scores": [3.0, -1.0, 4.0], "label": 0,
                                  "classes": ["cat", "dog", "bird"]}


def test_the_default_example_says_where_its_numbers_come_from(capsys):
    code, out, _ = run(["svm-grad", "--delta", "1", "--format", "markdown", "--no-cache"], capsys)
    assert code == 0
    assert "the homework's example" in out and "`--scores`" in out and "`--no-example`" in out
    assert "$\\Delta = 1$" in out and "cat (correct)" in out
    code, out, _ = run(["svm-grad", "--scores", "3,2,4,1", "--label", "0", "--no-cache"], capsys)
    assert "the scores given with --scores" in out and "homework" not in out


def test_no_example_leaves_the_numbers_out(capsys):
    code, out, _ = run(["svm-grad", "--delta", "1", "--no-example", "--format", "json", "--no-cache"], capsys)
    assert code == 0
    data = json.loads(out)
    assert "loss" not in data["results"] and data["parameters"] == {"delta": 1.0}
    code, out, _ = run(["softmax-grad", "--no-example", "--no-cache"], capsys)
    assert code == 0 and "Worked example" not in out


def test_softmax_grad_works_the_homework_example_by_default(capsys):
    code, out, _ = run(["softmax-grad", "--format", "json", "--no-cache"], capsys)
    data = json.loads(out)
    assert round(data["results"]["loss"]["value"], 4) == 1.3182
    assert [round(g, 4) for g in data["results"]["dscores"]["value"]] == [-0.7324, 0.0049, 0.7275]


@pytest.mark.parametrize("loss, value", [("svm", 4 / 3), ("softmax", None)])
def test_the_batch_commands_show_their_parameters(loss, value, capsys):
    code, out, _ = run([f"{loss}-grad", "--wrt", "batch", "--reg", "0.1", "--reg-form", "half", "--format",
                        "markdown", "--no-cache"], capsys)
    assert code == 0
    for shown in ("$N = 3$", "$D = 2$", "$K = 3$", "$\\lambda = 0.1$", "`--reg-form half`", "`--data FILE`"):
        assert shown in out
    code, out, _ = run([f"{loss}-grad", "--wrt", "batch", "--format", "json", "--no-cache"], capsys)
    data = json.loads(out)
    assert (data["parameters"]["N"], data["parameters"]["D"], data["parameters"]["K"]) == (3, 2, 3)
    if value is not None:     # S = XW = (3, -1, 4), (1, 3, 3), (1, -1, 1): violated margins 2, 1, 1; lambda 0
        assert abs(data["results"]["loss"]["value"] - value) < 1e-12
