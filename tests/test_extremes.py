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
