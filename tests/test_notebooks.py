"""Jupyter notebooks: derive verify checks their Markdown cells and names cell and line; derive check grades a
notebook as an answer sheet (the sheet in a cell tagged derive, each answer in the cell tagged with its id)."""
import json

import nbformat
import pytest

from cli import main

DERIVATION = [
    "The softmax loss:",
    "",
    "$$L_i = -\\log p_{y_i} = -s_{y_i} + \\log \\sum_{m=1}^{K} e^{s_m}$$",
]
WRONG = [
    "For $k \\neq y_i$:",
    "$$\\frac{\\partial L_i}{\\partial s_k} = p_k - 1$$",          # wrong: that is the correct class's
]


def notebook(tmp_path, cells, name="hw.ipynb", metadata=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    if metadata:
        nb.metadata.update(metadata)
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


def test_verify_names_the_cell_and_the_line(tmp_path, capsys):
    path = notebook(tmp_path, [nbformat.v4.new_markdown_cell("# Homework"),
                               nbformat.v4.new_code_cell("import numpy as np"),
                               nbformat.v4.new_markdown_cell("\n".join(DERIVATION)),
                               nbformat.v4.new_markdown_cell("\n".join(WRONG))])
    assert main(["verify", str(path), "--format", "json", "--loss", "softmax"]) == 1
    report = json.loads(capsys.readouterr().out)
    wrong = [line for line in report["lines"] if line["verdict"] == "wrong"]
    verified = [line for line in report["lines"] if line["verdict"] == "verified"]
    assert [(line["cell"], line["cell_line"]) for line in wrong] == [(4, 2)]
    assert [(line["cell"], line["cell_line"]) for line in verified] == [(3, 3)]
    assert main(["verify", str(path), "--loss", "softmax"]) == 1
    text = capsys.readouterr().out
    assert "  4:2 | $$\\frac{\\partial L_i}{\\partial s_k} = p_k - 1$$" in text
    assert main(["verify", str(path), "--loss", "softmax", "--format", "markdown"]) == 1
    assert "### Cell 4, line 2" in capsys.readouterr().out


@pytest.mark.parametrize("content, message", [
    ("{not json", "not a valid Jupyter notebook"),
    ('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "no Markdown cell"),
    ('{"cells": [{"cell_type": "markdown"}], "nbformat": 4, "nbformat_minor": 5}', "not a valid Jupyter notebook"),
])
def test_a_notebook_that_cannot_be_read_is_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "bad.ipynb"
    path.write_text(content)
    assert main(["verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


SHEET = """student: nora
given: {scores: [3, -1, 4], label: 0, delta: 1}
items:
  - {id: Q1, quantity: svm.loss}
  - {id: Q2, quantity: softmax.probs}
  - {id: Q3, quantity: derivation, target: softmax.dscore_incorrect}
  - {id: Q4, quantity: svm.dscores, answer: '[-1, 0, 1]'}
"""


def test_check_grades_a_notebook_sheet(tmp_path, capsys):
    def tagged(cell, tag):
        cell.metadata["tags"] = [tag]
        return cell
    loss = nbformat.v4.new_code_cell("loss")
    loss.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "np.float64(2.0)"}, execution_count=1)]
    probs = nbformat.v4.new_code_cell("print(p)")
    probs.outputs = [nbformat.v4.new_output("stream", name="stdout", text="[0.2676 0.0049 0.7275]\n")]
    cells = [tagged(nbformat.v4.new_raw_cell(SHEET), "derive"), tagged(loss, "Q1"), tagged(probs, "Q2"),
             tagged(nbformat.v4.new_markdown_cell("\n".join(WRONG)), "Q3")]
    path = notebook(tmp_path, cells)
    assert main(["check", str(path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    items = {item["id"]: item for item in report["sheets"][0]["items"]}
    assert report["sheets"][0]["student"] == "nora"
    assert [items[q]["verdict"] for q in ("Q1", "Q2", "Q3", "Q4")] == ["correct", "correct", "incorrect", "correct"]
    assert items["Q3"]["feedback"].startswith("Line 2 does not follow")      # the line in its cell
    untagged = notebook(tmp_path, [nbformat.v4.new_markdown_cell("no sheet here")], "plain.ipynb")
    assert main(["check", str(untagged), "--format", "json"]) == 1
    assert "needs a cell tagged 'derive'" in json.loads(capsys.readouterr().out)["sheets"][0]["error"]
