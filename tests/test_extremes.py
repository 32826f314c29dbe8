"""Hostile and extreme numbers (issue 14): a right result or one line and exit 2, within seconds; strict JSON."""
import json

import pytest

from cli import main


def strict(text):
    """JSON as a strict parser reads it: Infinity, -Infinity and NaN are errors."""
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("args, message", [
    (["softmax-grad", "--scores", "1e400,1", "--label", "0"], "beyond float64's range"),
    (["softmax-grad", "--scores", "1e308,0", "--label", "0"], "too large for exact arithmetic"),
    (["softmax-grad", "--scores", "1,2", "--label", "0", "--scale", "1e400"], "scale is beyond float64"),
    (["softmax-grad", "--scores", "1,2", "--label", "0", "--scale", "1e300"], "scores scaled by 1e+300"),
    (["softmax-jacobian", "--scores", "1e400,0"], "beyond float64's range"),
    (["svm-grad", "--scores", "1e9999,1", "--label", "0"], "beyond float64's range"),
    (["softmax-grad", "--scores", "1e5,0", "--label", "0"], "up to 3000"),
    (["compare", "--scores", "1e5,0", "--label", "0"], "up to 3000"),
    (["svm-grad", "--scores", "1,1e400", "--label", "0", "--format", "json"], "beyond float64's range"),
    (["svm-grad", "--delta", "1e400"], "delta is beyond float64's range"),
    (["logistic-grad", "--weights", "1e400", "--inputs", "0", "--target", "1"], "beyond float64's range"),
    (["logistic-grad", "--weights", "1e4", "--inputs", "1", "--target", "1"], "too large for exact evaluation"),
    (["svm-grad", "--scores", "1 2 3", "--label", "0"], "numbers separated by commas, not '1 2 3'"),
    (["svm-grad", "--scores", "1e-400,1", "--label", "0"], "too small for float64"),
])
def test_refused_with_one_line(args, message, capsys):
    code, out, err = run(args, capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in err


def test_a_loss_beyond_float64_is_null_and_said_so(capsys):
    code, out, _ = run(["svm-grad", "--scores", "1e308,-1e308", "--label", "1", "--format", "json"], capsys)
    data = strict(out)
    assert code == 0 and data["results"]["loss"]["value"] is None
    assert data["results"]["loss"]["exact"] == str(2 * 10 ** 308 + 1)
    assert any("beyond float64" in w and "null" in w for w in data["warnings"])


def test_a_subnormal_loss_says_what_is_written(capsys):
    code, out, _ = run(["softmax-grad", "--scores", "714,0", "--label", "0", "--format", "json"], capsys)
    data = strict(out)
    value = data["results"]["loss"]["value"]
    assert code == 0 and 8.19e-311 < value < 8.2e-311
    words = " ".join(data["warnings"])
    assert "its JSON value is 0.0" not in words and "8.1986·10⁻³¹¹" in words


def test_no_violated_margin_is_said_plainly(capsys):
    code, out, _ = run(["svm-grad", "--scores", "10,1,2", "--label", "0"], capsys)
    text = " ".join(out.split())
    assert code == 0 and "each of the 0" not in text and "no margin was violated" in text


def test_logistic_warns_when_y_rounds_to_one(capsys):
    code, out, _ = run(["logistic-grad", "--weights", "1", "--inputs", "40", "--target", "1", "--format", "json"],
                       capsys)
    data = strict(out)
    assert code == 0 and any("rounds to 1.0 in float64" in w for w in data["warnings"])
    assert 4.2e-18 < data["results"]["loss"]["value"] < 4.3e-18


@pytest.mark.parametrize("args", [
    ["svm-grad", "--delta", "1"], ["svm-grad", "--scores", "3,-1,4", "--label", "0"],
    ["softmax-grad", "--scores", "700,-700,0", "--label", "1", "--scale", "2"],
    ["softmax-jacobian", "--scores", "700,-700,0"], ["bce-reduction"],
    ["logistic-grad", "--weights", "30,1", "--inputs", "1,-2", "--target", "0"],
    ["compare", "--scores", "3,-1,4;800,0,0", "--label", "0"], ["diff", "log(1 + exp(-z))", "--wrt", "z"],
])
def test_every_command_writes_strict_json(args, capsys):
    code, out, _ = run(args + ["--format", "json"], capsys)
    assert code == 0 and strict(out)["verified"] is True


# --- derive diff and derive backprop: bounded work (issue 22) ------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["backprop", "exp(exp(exp(x)))", "--at", "x=10"], "about 10^9566, beyond double precision"),
    (["backprop", "x^x^x^x", "--at", "x=10"], "about 10^10000000000, beyond double precision"),
    (["backprop", "exp(x)*y", "--at", "x=800,y=1"], "the exp gate"),
])
def test_towers_end_within_seconds_with_one_line(args, message, capsys):
    code, out, err = run(args, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_exact_values_have_a_size_bound():
    from derivations.calculus.backprop import backprop
    d = backprop("x^300*y", "x=3,y=1")                     # 3^300 has 144 digits: a 30-digit float, not exact
    assert d.verified
    value = d.results["f"].expr
    assert not value.is_Rational and abs(float(value) / 3.0 ** 300 - 1) < 1e-12
    d = backprop("x^3*y", "x=3,y=0.5")                      # short: exact
    import sympy
    assert d.results["f"].expr == sympy.Rational(27, 2)


def test_underflow_is_taken_as_0_and_said(capsys):
    code, out, err = run(["backprop", "exp(-x^2)*y", "--at", "x=30,y=2", "--format", "json"], capsys)
    assert code == 0
    data = strict(out)
    assert data["results"]["f"]["value"] == 0.0
    assert any("below double precision" in w for w in data["warnings"])


def test_nested_tan_near_poles_is_checked_again_in_50_digits_never_an_internal_error(capsys):
    from derivations import calculus
    d = calculus.derivative("tan(tan(tan(tan(tan(tan(x))))))", "x")
    assert d.verified
    text = d.to_text()
    assert "50-digit arithmetic" in text and "RuntimeError" not in text
    code, out, err = run(["diff", "tan(tan(tan(tan(tan(tan(x))))))", "--wrt", "x", "--format", "json"], capsys)
    assert code == 0 and strict(out)["verified"] is True


# --- hostile files and options (issue 22): one line and exit 2, nothing damaged, nothing hangs ----------------

import io  # noqa: E402
import os  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHEET = str(ROOT / "tests" / "data" / "ta_corpus" / "alice.yaml")
STEPS = "L_i = \\max(0, s_j - s_{y_i} + 1)\n"


def one_line(err, *words):
    """The error output is one line holding every one of ``words``."""
    lines = err.strip().splitlines()
    return len(lines) == 1 and all(w in lines[0] for w in words) and "Traceback" not in err


def device(folder, name, minor):
    """A character device like /dev/null (3), /dev/zero (5) or /dev/full (7): a private copy made with mknod as
    root (so a regression cannot replace the machine's), the real one otherwise (which a user cannot replace)."""
    real = {3: "/dev/null", 5: "/dev/zero", 7: "/dev/full"}[minor]
    if os.geteuid() != 0:
        return Path(real)
    path = Path(folder) / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except OSError:
        pytest.skip("cannot make a device node here")
    return path


def derive_process(args, cwd, timeout=120, stdin=None):
    """``derive ARGS`` as a process with a timeout: a regression that hangs fails the test, not the suite."""
    env = {k: v for k, v in os.environ.items() if k != "DERIVE_DEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, input=stdin)


OUTPUT_COMMANDS = {
    "svm-grad": (["svm-grad", "--delta", "1"], None),
    "codegen": (["codegen", "svm"], None),
    "check": (["check", SHEET], None),
    "verify": (["verify", "-", "--loss", "svm"], STEPS),
}


def run_with_stdin(args, stdin, capsys, monkeypatch):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    return run(args, capsys)


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_onto_a_null_device_writes_into_it(command, tmp_path, capsys, monkeypatch):
    args, stdin = OUTPUT_COMMANDS[command]
    null = device(tmp_path, "null", 3)
    code, out, err = run_with_stdin(args + ["-o", str(null)], stdin, capsys, monkeypatch)
    assert code in (0, 1) and "error" not in err and stat.S_ISCHR(os.lstat(null).st_mode)


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_onto_a_full_device_is_one_line_exit_2(command, tmp_path, capsys, monkeypatch):
    args, stdin = OUTPUT_COMMANDS[command]
    full = device(tmp_path, "full", 7)
    code, out, err = run_with_stdin(args + ["-o", str(full)], stdin, capsys, monkeypatch)
    assert code == 2 and one_line(err, f"cannot write {full}", "no space left on device")
    assert stat.S_ISCHR(os.lstat(full).st_mode)


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_through_a_symlink_writes_its_target(command, tmp_path, capsys, monkeypatch):
    args, stdin = OUTPUT_COMMANDS[command]
    target, link = tmp_path / "target.txt", tmp_path / "link.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    link.symlink_to(target.name)
    code, printed, _ = run_with_stdin(args, stdin, capsys, monkeypatch)
    code, out, err = run_with_stdin(args + ["-o", str(link)], stdin, capsys, monkeypatch)
    assert code in (0, 1) and link.is_symlink() and os.readlink(link) == target.name
    assert target.read_text() == printed and stat.S_IMODE(target.stat().st_mode) == 0o640     # its mode kept


def test_output_into_a_fifo_with_a_reader(tmp_path, capsys):
    _, printed, _ = run(["svm-grad", "--delta", "1"], capsys)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    code, out, err = run(["svm-grad", "--delta", "1", "-o", str(fifo)], capsys)
    reader.join(30)
    assert code == 0 and received == [printed] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_into_a_fifo_nobody_reads_is_refused(tmp_path, capsys, monkeypatch):
    from derivations import files
    monkeypatch.setattr(files, "FIFO_WAIT", 0.2)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code, out, err = run(["codegen", "svm", "-o", str(fifo)], capsys)
    assert code == 2 and one_line(err, "it is a FIFO and no process opened it for reading")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("args", [["svm-grad", "--delta", "1", "--pdf", "-o"],
                                  ["verify", "-", "--loss", "svm", "--pdf", "-o"]])
def test_a_folder_named_like_the_pdf_changes_nothing(args, tmp_path, capsys, monkeypatch):
    (tmp_path / "report.pdf").mkdir()
    previous = tmp_path / "report.tex"
    previous.write_text("PREVIOUS")
    code, out, err = run_with_stdin(args + [str(previous)], STEPS if args[0] == "verify" else None, capsys,
                                    monkeypatch)
    assert code == 2 and one_line(err, "report.pdf: it is a folder")
    assert previous.read_text() == "PREVIOUS" and (tmp_path / "report.pdf").is_dir()


def unwritable(folder):
    """Make ``folder`` unwritable (chattr +i as root, where mode bits do not bind; chmod otherwise)."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("chattr +i is not available here")
        return lambda: subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    os.chmod(folder, 0o555)
    return lambda: os.chmod(folder, 0o755)


def test_pdf_in_an_unwritable_working_folder_is_one_line_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    undo = unwritable(tmp_path)
    try:
        code, out, err = run(["svm-grad", "--delta", "1", "--pdf"], capsys)
    finally:
        undo()
    assert code == 2 and one_line(err, "cannot write svm-grad.pdf")
    assert list(tmp_path.iterdir()) == []


def test_a_figure_name_taken_by_a_folder_is_one_line_exit_2(tmp_path, capsys):
    args = ["compare", "--scores", "3,-1,4", "--label", "0", "--format", "markdown", "-o"]
    assert run(args + [str(tmp_path / "first.md")], capsys)[0] == 0
    figures = [p.name for p in tmp_path.iterdir() if p.suffix == ".png"]
    other = tmp_path / "other"
    other.mkdir()
    for name in figures:
        (other / name).mkdir()
    code, out, err = run(args + [str(other / "cmp.md")], capsys)
    assert figures and code == 2 and one_line(err, "it is a folder") and not (other / "cmp.md").exists()


# inputs that are not regular files: refused at once, by name (processes with a timeout: a regression hangs)

def fifo_at(folder, name):
    path = Path(folder) / name
    os.mkfifo(path)
    return path


INPUTS = {
    "verify": lambda path: ["verify", str(path)],
    "check": lambda path: ["check", str(path)],
    "svm-grad --data": lambda path: ["svm-grad", "--wrt", "batch", "--data", str(path)],
    "gradcheck --data": lambda path: ["gradcheck", "svm", "--data", str(path)],
    "gradcheck logistic --data": lambda path: ["gradcheck", "logistic", "--data", str(path)],
    "train --data": lambda path: ["train", "svm", "--data", str(path)],
}


@pytest.mark.parametrize("command", INPUTS)
@pytest.mark.parametrize("kind", ["fifo", "zero", "folder"])
def test_an_input_that_is_not_a_file_is_refused(command, kind, tmp_path):
    suffix = ".yaml" if command == "check" else ".txt" if command == "verify" else ".npz"
    if kind == "fifo":
        path, words = fifo_at(tmp_path, "input" + suffix), "a FIFO"
    elif kind == "zero":
        path, words = device(tmp_path, "zero" + suffix, 5), "a character device"
    else:
        path, words = tmp_path / ("folder" + suffix), "a folder"
        path.mkdir()
    if command == "check" and kind == "folder":
        words = "no .yaml, .yml or .json sheets found"       # a folder is where check looks for sheets
    done = derive_process(INPUTS[command](path), tmp_path, timeout=120)
    assert done.returncode == 2 and one_line(done.stderr, words), done.stderr


def test_check_skips_a_fifo_among_sheets(tmp_path):
    fifo_at(tmp_path, "a.yaml")
    done = derive_process(["check", str(tmp_path)], tmp_path)
    assert done.returncode == 2 and one_line(done.stderr, "no .yaml, .yml or .json sheets found")


def test_standard_input_is_read_up_to_a_bound(capsys, monkeypatch):
    from derivations.check.written import MAX_BYTES
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"x = x\n" * (MAX_BYTES // 6 + 10))))
    code, out, err = run(["verify", "-"], capsys)
    assert code == 2 and one_line(err, f"standard input is more than {MAX_BYTES:,} bytes")


# --data files: sizes and types checked before anything is loaded

def npy_header(shape, dtype="<f8"):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def batch_arrays():
    rng = np.random.default_rng(0)
    return {"X": rng.standard_normal((6, 4)), "y": np.array([0, 1, 2, 0, 1, 2]), "W": 0.01 * rng.standard_normal((4, 3))}


def write_json(path, **arrays):
    data = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in {**batch_arrays(), **arrays}.items()}
    path.write_text(json.dumps(data))
    return path


def data_commands(path):
    return [["svm-grad", "--wrt", "batch", "--data", str(path)], ["gradcheck", "svm", "--data", str(path)],
            ["train", "svm", "--data", str(path)]]


def test_an_npz_claiming_7_tib_is_refused_from_its_header(tmp_path, capsys):
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", npy_header((2 ** 40, 7)) + b"\0" * 16)
        archive.writestr("y.npy", npy_header((6,), "<i8") + b"\0" * 48)
        archive.writestr("W.npy", npy_header((7, 3)) + b"\0" * 168)
    for args in data_commands(path):
        code, out, err = run(args, capsys)
        assert code == 2 and one_line(err, "X has shape (1099511627776, 7)", "at most 50,000,000 entries")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, capsys, monkeypatch):
    from derivations.losses import batch_files
    monkeypatch.setattr(batch_files, "MAX_ENTRIES", 10_000)          # so that a small bomb is one
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("X.npy", npy_header((2000, 1000)) + bytes(16_000_000))     # 16 MB of zeros
        archive.writestr("y.npy", npy_header((2000,), "<i8") + bytes(16_000))
        archive.writestr("W.npy", npy_header((1000, 3)) + bytes(24_000))
    assert path.stat().st_size < 100_000
    unpacked = []
    original = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = original(self, n)
        unpacked.append(len(data))
        return data
    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    code, out, err = run(["gradcheck", "svm", "--data", str(path)], capsys)
    assert code == 2 and one_line(err, "X has shape (2000, 1000) (2,000,000 entries); at most 10,000")
    assert sum(unpacked) < 10_000                                  # the header, not the 16 MB behind it


@pytest.mark.parametrize("kind, make, words", [
    ("complex", lambda: np.ones((6, 4)) * (1 + 2j), "X holds complex numbers"),
    ("datetime", lambda: np.full((6, 4), np.datetime64("2024-01-01")), "X holds dates (datetime64)"),
    ("string", lambda: np.full((6, 4), "1.5"), "X holds text (strings)"),
    ("object", lambda: np.array([[1, 2, 3, 4]] * 6, dtype=object), "X holds Python objects"),
    ("records", lambda: np.zeros((6, 4), dtype=[("a", "<f8")]), "X holds records"),
])
def test_only_real_numbers_are_read_from_an_npz(kind, make, words, tmp_path, capsys):
    path = tmp_path / f"{kind}.npz"
    np.savez(path, **{**batch_arrays(), "X": make()})
    for args in data_commands(path) + [["gradcheck", "logistic", "--data", str(path)]]:
        code, out, err = run(args, capsys)
        assert code == 2 and one_line(err, words, "only real numbers"), (args, err)


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_text('{"X": ' + "[" * 100_000 + "]" * 100_000 + ', "y": [0], "W": [[1, 2]]}'),
     "nested too deeply"),
    (lambda p: write_json(p, X=[[10 ** 400, 1, 2, 3]] * 6), "X holds an integer beyond float64's range"),
    (lambda p: write_json(p, y=[[0, 1], [2], 0, 1, 2, 0]), "y must"),
    (lambda p: write_json(p, X=[["1", "2", "3", "4"]] * 6), "X holds text (strings)"),
    (lambda p: write_json(p, X=[[None, 1, 2, 3]] * 6), "X must hold numbers only"),
    (lambda p: write_json(p, X=[[1, 2, 3, 4]] * 5 + [[1, 2, 3]]), "X has rows of different lengths"),
])
def test_bad_json_data_is_one_line_exit_2(make, words, tmp_path, capsys):
    path = tmp_path / "data.json"
    make(path)
    for args in data_commands(path) + [["gradcheck", "logistic", "--data", str(path)]]:
        code, out, err = run(args, capsys)
        assert code == 2 and one_line(err), (args, err)
        if "logistic" not in args:
            assert words in err, (args, err)


def test_training_with_one_class_is_refused(tmp_path, capsys):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"X": np.eye(8).tolist(), "y": [0] * 8}))
    code, out, err = run(["train", "svm", "--data", str(path)], capsys)
    assert code == 2 and one_line(err, "y holds one class (0)", "at least two classes")


# options: ranges on the command line, and caps naming their limits

@pytest.mark.parametrize("args, words", [
    (["gradcheck", "svm", "--random", "5,4,3", "--reg", "1e308"], "--reg must be between 0 and 1e+10"),
    (["train", "svm", "--dataset", "digits", "--reg", "1e308"], "--reg is at most 1e+10"),
    (["train", "svm", "--dataset", "digits", "--lr", "1e300"], "--lr is at most 1e+06"),
    (["gradcheck", "svm", "--random", "5,4,3", "--h", "1e300"], "--h is the step of a centred difference"),
    (["gradcheck", "--kink-demo", "--h", "1e300"], "--h is the step of a centred difference"),
    (["gradcheck", "svm", "--random", "5,4,3", "--reg", "nan"], "--reg must be a finite number"),
    (["train", "svm", "--dataset", "digits", "--reg", "inf"], "--reg must be a finite number"),
    (["verify", "-", "--timeout", "nan"], "'nan' is not a finite number"),
    (["verify", "-", "--timeout", "-1"], "-1.0 is not in the range 0.1<=x<=600"),
    (["check", SHEET, "--timeout", "nan"], "'nan' is not a finite number"),
    (["check", SHEET, "--timeout", "inf"], "'inf' is not a finite number"),
    (["check", SHEET, "--follow-through", "nan"], "'nan' is not a finite number"),
    (["gradcheck", "svm", "--random", "2000,3073,10", "--all"],
     "--all asks for 30,730 entries of W; on a batch of N x D x K = 2000 x 3073 x 10"),
    (["gradcheck", "svm", "--random", "2000,3073,10", "--num-checks", "1000000"],
     "a check does at most 1e+10: check at most 81 entries (--num-checks 81)"),
])
def test_options_out_of_range_are_one_line_exit_2(args, words, capsys):
    code, out, err = run(args, capsys)
    assert code == 2 and one_line(err, words), err


def test_svm_grad_batch_refuses_a_huge_regulariser(tmp_path, capsys):
    path = write_json(tmp_path / "b.json")
    code, out, err = run(["svm-grad", "--wrt", "batch", "--data", str(path), "--reg", "1e308"], capsys)
    assert code == 2 and one_line(err, "lambda (--reg) is at most 1e+10")


def test_training_beyond_its_step_bound_is_refused_naming_it(tmp_path, capsys):
    path = tmp_path / "big.npz"
    rng = np.random.default_rng(0)
    np.savez(path, X=rng.standard_normal((20_000, 64)), y=np.arange(20_000) % 10)
    code, out, err = run(["train", "svm", "--data", str(path), "--epochs", "10000", "--batch-size", "1"], capsys)
    assert code == 2 and one_line(err, "160,000,000 SGD steps", "at most 500,000")


def test_figures_go_beside_a_linked_reports_target_and_never_beside_a_device(tmp_path, capsys):
    args = ["compare", "--scores", "3,-1,4", "--label", "0", "--format", "markdown", "--no-cache", "-o"]
    real, links = tmp_path / "real", tmp_path / "links"
    real.mkdir(), links.mkdir()
    (links / "cmp.md").symlink_to(real / "cmp.md")
    code, _, _ = run(args + [str(links / "cmp.md")], capsys)
    assert code == 0 and (real / "cmp.md").is_file() and any(p.suffix == ".png" for p in real.iterdir())
    assert sorted(p.name for p in links.iterdir()) == ["cmp.md"]
    folder = tmp_path / "dev"
    folder.mkdir()
    null = device(folder, "null", 3)
    code, _, err = run(args + [str(null)], capsys)
    assert code == 0 and "figures are written only beside a regular file" in err
    assert not any(p.suffix == ".png" for p in null.parent.iterdir())
