"""The same command with the same inputs gives the same bytes, whatever Python's hash seed."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: every derivation command (one call each), rendered in every format, digested
SCRIPT = r"""
import hashlib
from derivations import svm, softmax, jacobian, bce, logistic, compare, calculus, backprop
from derivations.report.render import render
made = [
    svm.gradient(delta=1), svm.gradient(delta=1, scores="3,-1,4", label=0),
    softmax.gradient(scores="3,-1,4", label=0, scale=2), softmax.gradient(),
    jacobian.jacobian(scores="3,-1,4"), bce.reduction(),
    logistic.gradient(weights="0.5,-1", inputs="2,1", target=1),
    compare.compare(scores="3,-1,4;10,9,9", label=0), calculus.derivative("log(1 + exp(-z))", "z"),
    calculus.derivative("sqrt(x) + log(x - 1)", "x"), backprop("(x + y)*z", at="x=-2,y=5,z=-4"),
    svm.gradient(wrt="weights", inputs="1,2", weights="1,0,2;1,-1,1", label=0),
    softmax.gradient(wrt="weights", inputs="1,2", weights="1,0,2;1,-1,1", label=0),
]
for d in made:
    for fmt in ("text", "markdown", "latex", "json"):
        print(d.name, fmt, hashlib.sha256(render(d, fmt).encode()).hexdigest())
    for name, data in sorted(d.files.items()):
        print(d.name, name, hashlib.sha256(data).hexdigest())
"""


def _run(arguments, seed):
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(arguments, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_derivation_in_every_format_is_the_same_under_two_hash_seeds():
    first = _run([sys.executable, "-c", SCRIPT], 1)
    second = _run([sys.executable, "-c", SCRIPT], 2)
    assert len(first.splitlines()) >= 36
    assert first == second


def test_the_command_twice_gives_the_same_bytes():
    args = [sys.executable, "cli.py", "svm-grad", "--delta", "1", "--format", "json", "--no-cache"]
    assert hashlib.sha256(_run(args, 3).encode()).digest() == hashlib.sha256(_run(args, 4).encode()).digest()
