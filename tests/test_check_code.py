"""derive check-code: the reference, the inputs, the channel from the sandbox, the reports and the command line."""
from __future__ import annotations

import io
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from cli import main
from derivations.checkcode import gradescope, mistakes, report
from derivations.checkcode.channel import ChannelError, Reader, read_npy
from derivations.checkcode.compare import close
from derivations.checkcode.grade import Grader, Settings
from derivations.checkcode.inputs import inputs_for
from derivations.checkcode.sandbox import Limits
from derivations.codegen.module import load

DATA = Path(__file__).parent / "data" / "check_code"


# --- the reference and the inputs -----------------------------------------------------------------------

@pytest.mark.parametrize("loss", ["svm", "softmax", "logistic"])
@pytest.mark.parametrize("reg_form", ["full", "half"])
def test_reference_is_the_generated_code(loss, reg_form):
    """The catalogue's candidate without a mistake gives derive codegen's numbers on every input."""
    generated = load(loss, reg_form)["loss_and_grad"]
    for test_input in inputs_for(loss):
        extra = {"delta": test_input.delta} if loss == "svm" else {}
        value, grad = generated(test_input.W, test_input.X, test_input.y, test_input.reg, **extra)
        expected_value, expected_grad = mistakes.reference(loss, test_input, reg_form)
        assert abs(value - expected_value) <= 1e-12 * max(1.0, abs(value))
        assert np.allclose(grad, expected_grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss", ["svm", "softmax", "logistic"])
def test_inputs_tell_every_two_mistakes_apart(loss):
    """No two data terms of the catalogue agree on every input (else a diagnosis could not choose)."""
    found = [mistakes.evaluate(loss, i) for i in inputs_for(loss)]
    loss_variants, grad_variants, _ = mistakes.variants(loss)
    for first, second in itertools.combinations(range(len(loss_variants)), 2):
        if {m.tag for m in loss_variants[first].mistakes} == {"loss-delta-hard-coded"} or \
                {m.tag for m in loss_variants[second].mistakes} == {"loss-delta-hard-coded"}:
            continue                          # Delta = 1 is the reference itself unless a function takes delta
        assert not all(close(e.loss_terms[first], e.loss_terms[second]) for e in found), \
            (loss_variants[first].mistakes, loss_variants[second].mistakes)
    for first, second in itertools.combinations(range(len(grad_variants)), 2):
        tags = [{m.tag for m in grad_variants[i].mistakes if not m.valid} for i in (first, second)]
        if tags[0] == tags[1] or "dW-delta-hard-coded" in tags[0] | tags[1]:
            continue                          # the kink counted or not: told apart by the kinks input only
        assert not all(close(e.grad_terms[first], e.grad_terms[second]) for e in found), tags


def test_kinks_input_has_exact_zero_margins():
    kinks = next(i for i in inputs_for("svm") if i.name == "kinks")
    scores = kinks.X @ kinks.W
    margins = scores - scores[np.arange(len(kinks.y)), kinks.y][:, None] + kinks.delta
    margins[np.arange(len(kinks.y)), kinks.y] = np.nan
    assert np.count_nonzero(margins == 0) >= 2
    unused = next(i for i in inputs_for("svm") if i.name == "unused-label")
    assert unused.W.shape[1] - 1 not in set(unused.y.tolist())
    large = next(i for i in inputs_for("softmax") if i.name == "large-scores")
    assert (large.X @ large.W).min() > 900


def test_close_treats_nan_as_nan_only():
    assert close([np.nan, 1.0], [np.nan, 1.0 + 1e-9])
    assert not close([np.nan, 1.0], [2.0, 1.0])
    assert not close(np.ones((2, 3)), np.ones((3, 2)))
    assert close(np.array([1e-20, 1.0]), np.array([0.0, 1.0]))      # an entry near 0 judged on the matrix's scale


# --- the channel from the sandbox --------------------------------------------------------------------------

def _npy(array, **kwargs):
    buffer = io.BytesIO()
    np.save(buffer, array, **kwargs)
    return buffer.getvalue()


def test_read_npy_accepts_float64_only():
    assert np.array_equal(read_npy(_npy(np.arange(6.0).reshape(2, 3))), np.arange(6.0).reshape(2, 3))
    with pytest.raises(ChannelError):
        read_npy(_npy(np.array([{"a": 1}], dtype=object), allow_pickle=True))
    with pytest.raises(ChannelError):
        read_npy(_npy(np.arange(3, dtype=np.int64)))
    truncated = _npy(np.zeros(100))[:-8]
    with pytest.raises(ChannelError):
        read_npy(truncated)
    with pytest.raises(ChannelError):
        read_npy(b"\x93NUMPY\x01\x00" + b"{'descr': '<f8', 'fortran_order': False, 'shape': (10**12,), }".ljust(118)
                 + b"\n")


def test_reader_splits_messages_and_arrays():
    blob = _npy(np.eye(2))
    data = json.dumps({"event": "result", "arrays": [len(blob)]}).encode() + b"\n" + blob + b'{"event": "done"}\n'
    reader = Reader()
    found = reader.feed(data[:10]) + reader.feed(data[10:])
    assert [m["event"] for m, _ in found] == ["result", "done"]
    assert np.array_equal(found[0][1][0], np.eye(2))
    for bad in (b"not json\n", b"[1, 2]\n", b'{"arrays": [999999999999]}\n', b"x" * (2 << 20)):
        reader = Reader()
        assert reader.feed(b'{"event": "ready"}\n' + bad) == [({"event": "ready"}, [])]   # what came before
        assert isinstance(reader.error, ChannelError)


# --- reports -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def svm_results():
    with Grader(Settings("svm", limits=Limits(timeout=20))) as grader:
        results = [grader.grade(DATA / "blind_dev" / name, name)
                   for name in ("s01_alice.py", "s02_bob.py", "s08_hiro.py", "s18_rosa.py", "s21_umar.py")]
        header = {"loss": "svm", "functions": grader.functions, "reg_form": "auto", "delta": 1.0,
                  "isolation": grader.describe_isolation(), "isolation_details": grader.isolation.to_dict(Limits()),
                  "regs": {name: i.reg for name, i in grader.inputs.items()}}
    return results, header


def test_gradescope_fields(svm_results):
    results, _ = svm_results
    document = json.loads(gradescope.render(results[1]))
    assert set(document) == {"score", "max_score", "execution_time", "output", "tests"}
    assert (document["score"], document["max_score"]) == (1.5, 2.0)
    assert isinstance(document["execution_time"], int)
    assert [set(t) for t in document["tests"]] == [{"name", "score", "max_score", "status", "output"}] * 2
    naive, vectorized = document["tests"]
    assert (naive["name"], naive["score"], naive["max_score"], naive["status"]) == ("svm_loss_naive", 0.5, 1.0, "failed")
    assert "the loss leaves out the regulariser λ·ΣW²" in naive["output"]
    assert (vectorized["score"], vectorized["status"]) == (1.0, "passed")
    assert document["output"].startswith("Sandbox: ")


def test_text_report(svm_results):
    results, header = svm_results
    text = report.render(results, "text", header)
    assert text.count("Isolation: ") == 1
    assert "== s01_alice.py: 2/2" in text
    assert "svm_loss_naive: incorrect (dW right)  [0.5/1]" in text
    assert "mistake: dW is transposed" in text
    assert "ran out of memory" in text and "20 GB" in text
    assert "as fast as svm_loss_naive at N = 500, D = 3073, K = 10" in text


def test_markdown_report_shows_the_failing_input(svm_results):
    results, header = svm_results
    text = report.render(results, "markdown", header)
    assert "## s02\\_bob.py: 1.5 / 2" in text
    bob = text[text.index("## s02"):text.index("## s08")]                 # only the loss is wrong: no dW shown
    assert "$$ X = \\begin{bmatrix}" in bob and "dW_{\\mathrm{expected}}" not in bob
    umar = text[text.index("## s21"):]                                   # dW wrong: both shown
    assert "$$ dW_{\\mathrm{yours}} = \\begin{bmatrix}" in umar and "dW_{\\mathrm{expected}}" in umar
    assert "\\`buf = np.ones((\\_MAX\\_TRAIN, \\_MAX\\_TRAIN))" in text      # student code escaped


def test_json_report(svm_results):
    results, header = svm_results
    document = json.loads(report.render(results, "json", header))
    assert document["isolation"]["kind"] in ("bubblewrap", "rlimits")
    bob = document["submissions"][1]
    naive = bob["functions"][0]
    assert (naive["verdict"], naive["loss_correct"], naive["dW_correct"]) == ("incorrect", False, True)
    assert [m["tag"] for m in naive["mistakes"]] == ["loss-reg-missing"]
    assert naive["first_failure"]["input"] == "small"
    assert document["summary"]["functions"] == {"correct": 5, "incorrect": 3, "error": 2}


# --- the command line --------------------------------------------------------------------------------------

def test_cli_usage_errors(capsys, tmp_path):
    good = str(DATA / "blind_dev" / "s01_alice.py")
    for argv, words in ((["check-code", "--loss", "svm"], "no submissions given"),
                        (["check-code", good, "--loss", "svm", "--function", "not a name"], "--function must be"),
                        (["check-code", good, "--loss", "svm", "--delta", "abc"], "--delta"),
                        (["check-code", good, "--loss", "svm", "--delta", "-1"], "positive"),
                        (["check-code", str(tmp_path / "none.py"), "--loss", "svm"], "no such file"),
                        (["check-code", str(DATA / "blind_dev" / "verdicts.yaml"), "--loss", "svm"], "not a Python"),
                        (["check-code", str(DATA / "blind_dev"), "--loss", "svm", "--format", "gradescope"],
                         "needs -o FOLDER")):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_gradescope_folder(tmp_path, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    code = main(["check-code", str(DATA / "blind_dev" / "s02_bob.py"), str(DATA / "blind_dev" / "s05_emma.py"),
                 "--loss", "svm", "--format", "gradescope", "-o", str(folder), "--jobs", "2"])
    assert code == 0
    bob = json.loads((folder / "s02_bob" / "results.json").read_text())
    emma = json.loads((folder / "s05_emma" / "results.json").read_text())
    assert (bob["score"], emma["score"]) == (1.5, 1.5)
    assert "the correct class's margin is counted" in emma["tests"][0]["output"]


# --- the Markdown report stands alone ---------------------------------------------------------------------

MARKDOWN_FUNCTIONS = {
    "svm": "loss_reg_missing,grad_not_averaged,correct_half,delta_ten,correct_kink,grad_reg_quadrupled",
    "softmax": "correct_half,log10,loss_sign,no_max,no_minus_one,sign_flipped,minus_one_everywhere,stale_column_last,"
               "stale_example_first,transposed",
    "logistic": "correct_half,log10,loss_sign,unstable,sign_flipped,stale_example_last,grad_reg_missing,"
                "loss_not_averaged",
}


@pytest.mark.parametrize("loss", sorted(MARKDOWN_FUNCTIONS))
def test_the_markdown_report_typesets_its_mathematics(loss, tmp_path, capsys):
    """The mistakes, notes and header of a Markdown report are words and maths: no formula outside $...$, no
    command name in its prose, and every formula typesets in MathJax 3 (as GitHub renders it)."""
    from .test_markdown_mathjax import formulas, require_mathjax, typeset
    from .test_report_lint import problems
    functions = MARKDOWN_FUNCTIONS[loss]
    target = tmp_path / "report.md"
    assert main(["check-code", str(DATA / "mutants" / f"{loss}.py"), "--loss", loss, "--function", functions,
                 "--format", "markdown", "-o", str(target)]) == 0
    capsys.readouterr()
    text = target.read_text(encoding="utf-8")
    assert text.count("**Mistake**") >= 3 and "$" in text
    assert problems(text, "markdown") == []
    require_mathjax()
    items = formulas(text)
    assert [error for error in typeset(items) if error is not None] == []

