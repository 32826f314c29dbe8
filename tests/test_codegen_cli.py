"""derive codegen, gradcheck (with the kink demo) and train, through the command line."""
import json

import numpy as np
import pytest

from cli import main


def _strict(text):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def test_codegen_writes_a_module_atomically(tmp_path, capsys):
    target = tmp_path / "svm_loss.py"
    assert main(["codegen", "svm", "--reg-form", "half", "-o", str(target)]) == 0
    source = target.read_text()
    assert "def loss_and_grad(W, X, y, reg, delta=1.0):" in source and "dW = reg * W +" in source
    assert main(["codegen", "hinge"]) == 2
    assert "hinge" in capsys.readouterr().err
    assert main(["codegen", "svm", "-o", str(tmp_path / "missing" / "x.py")]) == 2


def test_gradcheck_random_passes_and_reports_json(capsys):
    assert main(["gradcheck", "softmax", "--random", "30,8,4", "--seed", "3", "--format", "json"]) == 0
    report = _strict(capsys.readouterr().out)
    assert report["parameters"]["N"] == 30 and report["results"]["unexplained"]["value"] == 0
    rows = report["results"]["entries"]["value"]
    assert len(rows) == 10 and all(row[4] < 1e-6 for row in rows)


def test_gradcheck_finds_the_planted_kink(tmp_path, capsys):
    X = np.array([[1.0], [2.0]])
    y = np.array([1, 0])
    W = np.array([[1.0, 1.0]])                               # example 0 sits on its kink at Delta = 0
    path = tmp_path / "kink.npz"
    np.savez(path, X=X, y=y, W=W)
    assert main(["gradcheck", "svm", "--data", str(path), "--delta", "0", "--all", "--format", "json"]) == 0
    report = _strict(capsys.readouterr().out)
    assert report["results"]["explained_by_kinks"]["value"] >= 1 and report["results"]["unexplained"]["value"] == 0
    assert main(["gradcheck", "svm", "--data", str(path), "--delta", "0", "--all"]) == 0
    assert "example 0, class 0: margin 0" in " ".join(capsys.readouterr().out.split())


def test_gradcheck_bad_input_is_one_line(tmp_path, capsys):
    np.savez(tmp_path / "bad.npz", X=np.ones((2, 3)), y=np.array([0, 1]), W=np.ones((2, 2)))
    for args in (["svm", "--data", str(tmp_path / "bad.npz")], ["svm", "--random", "5,3,2", "--h", "-1"],
                 ["svm"], ["svm", "--random", "5,3,2", "--data", str(tmp_path / "bad.npz")]):
        assert main(["gradcheck", *args]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_kink_demo_answers_seed_002_question_1(capsys, tmp_path):
    out = tmp_path / "kinks.md"
    assert main(["gradcheck", "--kink-demo", "--format", "markdown", "-o", str(out)]) == 0
    text = out.read_text()
    assert "0.5" in text and "gradcheck-kinks-" in text
    assert list(tmp_path.glob("gradcheck-kinks-*.png"))
    assert main(["gradcheck", "--kink-demo", "--format", "json"]) == 0
    report = _strict(capsys.readouterr().out)
    assert report["results"]["seed_numeric"]["value"] == pytest.approx([0.5, -0.5])
    assert report["results"]["seed_analytic"]["value"] == [0.0, 0.0]
    rates = {(row[0], row[1]): row[3] / row[2] for row in report["results"]["failure_rates"]["value"]}
    assert rates[(0.0, 1e-3)] > 0.5 and rates[(1.0, 1e-3)] == 0.0           # a margin keeps the kinks away


def test_train_on_digits_reaches_a_linear_classifiers_accuracy(capsys, tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "digits.md"
    assert main(["train", "softmax", "--dataset", "digits", "--epochs", "10", "--seed", "1", "--format", "markdown",
                 "-o", str(out)]) == 0
    assert len(list(tmp_path.glob("train-*.png"))) == 2
    assert main(["train", "svm", "--dataset", "digits", "--epochs", "10", "--lr", "0.1", "--format", "json"]) == 0
    report = _strict(capsys.readouterr().out)
    assert report["results"]["accuracy"]["value"] > 0.85                     # measured: about 0.95
    losses = report["results"]["epoch_losses"]["value"]
    assert losses[-1] < losses[0]
    assert main(["train", "svm", "--dataset", "digits", "--epochs", "0"]) == 2


def test_train_md_output_is_markdown_with_its_figures_beside_it(tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "digits.md"
    assert main(["train", "softmax", "--dataset", "digits", "--epochs", "2", "-o", str(out)]) == 0    # the help's example
    text = out.read_text(encoding="utf-8")
    figures = sorted(path.name for path in tmp_path.glob("train-*.png"))
    assert text.startswith("# Training a linear softmax classifier on digits")
    assert len(figures) == 2 and all(f"![figure]({name})" in text for name in figures)
    assert "[Figure, in the Markdown" not in text                   # the terminal's placeholder is not in Markdown


def test_train_saves_the_trained_weights_and_puts_them_in_json(tmp_path, capsys):
    pytest.importorskip("sklearn")
    import numpy
    weights, report = tmp_path / "W.npz", tmp_path / "run.json"
    args = ["train", "softmax", "--dataset", "digits", "--epochs", "2", "--seed", "3"]
    assert main(args + ["--save-weights", str(weights), "-o", str(report)]) == 0
    saved = numpy.load(weights)
    W = saved["W"]
    assert W.shape == (65, 10) and list(saved["classes"]) == [str(c) for c in range(10)]   # 64 pixels + bias, 10 digits
    data = _strict(report.read_text())
    assert numpy.array_equal(numpy.array(data["results"]["W"]["value"]), W)          # JSON holds the same numbers
    again = tmp_path / "again.npz"
    assert main(args + ["--save-weights", str(again), "--format", "json"]) == 0
    assert again.read_bytes() == weights.read_bytes()                                  # same run, same bytes
    # the weights score the data as the report's accuracy says: [x, 1] W, the largest score the class
    from derivations.codegen.train import load_digits
    prepared = load_digits(seed=3)
    predicted = numpy.argmax(prepared.X_test @ W, axis=1)
    assert numpy.mean(predicted == prepared.y_test) == pytest.approx(data["results"]["accuracy"]["value"])


@pytest.mark.parametrize("name", ["W.txt", "W", "-"])
def test_save_weights_refuses_a_name_that_is_not_npz(name, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "softmax", "--dataset", "digits", "--epochs", "2", "--save-weights", name,
                 "-o", "run.json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".npz" in err
    assert list(tmp_path.iterdir()) == []                            # nothing trained, nothing written


def test_train_without_scikit_learn_says_how_to_install_it(monkeypatch, capsys):
    import sys
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    assert main(["train", "softmax", "--dataset", "digits"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'derive[train]'" in err and err.count("\n") == 1
