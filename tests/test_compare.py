"""SVM and softmax side by side: both losses and gradients per vector, the warnings, the figure, bad input."""
import json
import math

import pytest

from cli import main
from derivations import compare
from derivations.engine.inputs import InputError
from derivations.engine.steps import Figure, Table
from derivations.report.latex import compile_pdf
from derivations.report.render import render

from .conftest import require_pdflatex

SEED_VECTORS = "10,-2,3;10,9,9;10,-100,-100"


@pytest.fixture(scope="module")
def seed():
    return compare.compare(scores=SEED_VECTORS, label=0, delta=1)


def test_one_vector_matches_the_two_derivations():
    result = compare.compare(scores="3,-1,4", label=0, delta=1, classes="cat,dog,bird")
    assert result.results["svm_loss"].value == [2.0]
    assert [round(v, 4) for v in result.results["softmax_loss"].value] == [1.3182]
    assert result.results["svm_dscores"].value == [[-1.0, 0.0, 1.0]]
    assert [[round(v, 4) for v in g] for g in result.results["softmax_dscores"].value] == [[-0.7324, 0.0049, 0.7275]]
    assert "Here the SVM loss is larger (2 > 1.3182)" in " ".join(render(result, "text").split())
    assert result.verified


def test_seed_vectors(seed):
    assert seed.results["svm_loss"].value == [0.0, 0.0, 0.0]
    softmax = seed.results["softmax_loss"].value
    assert math.isclose(softmax[0], math.log1p(math.exp(-12) + math.exp(-7)), rel_tol=1e-12)
    assert round(softmax[1], 4) == 0.5514                  # natural log: not the seed's log10 figure 0.24
    assert math.isclose(softmax[2], 3.3778e-48, rel_tol=1e-4)
    assert seed.results["svm_dscores"].value == [[0.0, 0.0, 0.0]] * 3
    assert [round(v, 4) for v in seed.results["softmax_dscores"].value[1]] == [-0.4239, 0.2119, 0.2119]
    assert seed.parameters["scores"] == [[10.0, -2.0, 3.0], [10.0, 9.0, 9.0], [10.0, -100.0, -100.0]]
    assert seed.verified


def test_warnings(seed):
    hinge = [w for w in seed.warnings if "hinge" in w]
    assert len(hinge) == 1 and str(hinge[0]).startswith("example 2: classes 1 and 2")
    tiny = [w for w in seed.warnings if "float64" in w]
    assert len(tiny) == 1 and str(tiny[0]).startswith("example 3:") and "3.38e-48" in tiny[0]


def test_tables_and_saturation(seed):
    tables = [b for b in seed.blocks() if isinstance(b, Table)]
    assert len(tables) == 2                        # the losses, then each class's gradients (each number once)
    per_class = {(str(row[0][0].text), row[1][0].text): row for row in tables[1].rows}
    assert len(per_class) == 9
    hinge = per_class[("2", "1")]
    assert hinge[3][0].expr == 1 and hinge[4][0].expr == 0 and hinge[5][0].text == "on the hinge"
    cleared = per_class[("1", "1")]
    assert cleared[3][0].expr == 12 and cleared[5][0].text == "cleared (saturated)" and cleared[7][0].text == "saturated"
    assert per_class[("2", "0 (correct)")][7][0].text == "active"
    text = " ".join(render(seed, "text").split())   # the terminal report wraps lines
    assert "the SVM is satisfied, softmax never is" in text
    assert text.count("exactly on the hinge") == 1  # the warning is said once, in its example's section


def test_figure(seed):
    figures = [b for b in seed.blocks() if isinstance(b, Figure)]
    assert len(figures) == 1
    assert set(seed.files) == {figures[0].path}
    assert seed.files[figures[0].path].startswith(b"\x89PNG\r\n\x1a\n")
    assert f"]({figures[0].path})" in render(seed, "markdown")


def test_latex_with_the_figure_compiles(seed):
    require_pdflatex()
    source = render(seed, "latex")
    assert r"\includegraphics" in source
    assert compile_pdf(source, resources=seed.files).startswith(b"%PDF")


def test_markdown_output_writes_the_figure_beside_it(tmp_path, capsys):
    target = tmp_path / "compare.md"
    code = main(["compare", "--scores", SEED_VECTORS, "--label", "0", "--format", "markdown", "-o", str(target)])
    assert code == 0, capsys.readouterr().err
    pngs = list(tmp_path.glob("*.png"))
    assert len(pngs) == 1 and f"]({pngs[0].name})" in target.read_text()
    assert not list(tmp_path.glob(".*"))                          # no temporary files left behind


def test_json_output_writes_no_figure(tmp_path, capsys):
    target = tmp_path / "compare.json"
    code = main(["compare", "--scores", "3,-1,4", "--label", "0", "--format", "json", "-o", str(target)])
    assert code == 0
    assert [f.name for f in tmp_path.iterdir()] == ["compare.json"]
    data = json.loads(target.read_text())
    assert set(data["results"]) == {"svm_loss", "softmax_loss", "svm_dscores", "softmax_dscores"}


@pytest.mark.parametrize("scores, label, message", [
    ("3,-1,4;1,2", "0", "vector 1 has 3 scores, vector 2 has 2"),
    ("3,-1,4", "3", "outside 0..2"),
    ("3,-1,4;", "0", "empty vector"),
    ("3,-1,x", "0", "must be a number"),
])
def test_bad_input_exits_2_with_one_line_and_no_files(scores, label, message, tmp_path, capsys):
    target = tmp_path / "compare.md"
    code = main(["compare", "--scores", scores, "--label", label, "--format", "markdown", "-o", str(target)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_api_accepts_lists():
    result = compare.compare(scores=[[3, -1, 4], [1, 2, 3]], label=2)
    assert len(result.results["svm_loss"].value) == 2
    with pytest.raises(InputError):
        compare.compare(scores=[[3, -1, 4], [1, 2]], label=0)
