"""Every formula of every Markdown report typesets in MathJax 3, as GitHub and Jupyter render it.

The formulas are taken out of the reports ($$...$$ blocks and $...$ inline maths) and typeset by
``tests/mathjax/typeset.js`` with MathJax's TeX input (the core and AMS packages); an undefined
macro or an unbalanced brace is an error. (`derive verify` quotes a student's text as code, never as
maths, so it has no formulas of its own to typeset.) Needs Node and ``npm install --prefix tests/mathjax``
(``.ci/run`` installs both); skipped without them, except in CI, where that is a failure.
"""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cli import main

HERE = Path(__file__).resolve().parent
MATHJAX = HERE / "mathjax"
DATA = HERE / "data"

REPORTS = {
    "svm-grad": ["svm-grad", "--delta", "1"],
    "svm-grad, the example with class names": ["svm-grad", "--scores", "3,-1,4", "--label", "0",
                                               "--classes", "cat_1,dog & co,$bird"],
    "svm-grad at K = 50": ["svm-grad", "--scores", ",".join(str((i * 7) % 11 - 5) for i in range(50)), "--label", "0"],
    "softmax-grad --scale 2": ["softmax-grad", "--scores", "3,-1,4", "--label", "0", "--scale", "2"],
    "softmax-jacobian": ["softmax-jacobian", "--scores", "3,-1,4"],
    "bce-reduction": ["bce-reduction"],
    "logistic-grad": ["logistic-grad", "--weights", "0.5,-1", "--inputs", "2,1", "--target", "1"],
    "svm weights": ["svm-grad", "--wrt", "weights", "--inputs", "1,2", "--weights", "1,0,2;1,-1,1", "--label", "0"],
    "softmax weights": ["softmax-grad", "--wrt", "weights", "--inputs", "1,2", "--weights", "1,0,2;1,-1,1",
                        "--label", "0"],
    "svm batch": ["svm-grad", "--wrt", "batch", "--reg", "0.1"],
    "softmax batch": ["softmax-grad", "--wrt", "batch", "--reg", "0.1", "--reg-form", "half"],
    "compare": ["compare", "--scores", "10,-2,3;10,9,9", "--label", "0"],
    "compare weights": ["compare", "--wrt", "weights", "--inputs", "1,2", "--weights", "1,0,2;1,-1,1", "--label", "0"],
    "gradcheck": ["gradcheck", "svm", "--random", "5,4,3", "--seed", "1"],
    "kink demo": ["gradcheck", "--kink-demo"],
    "diff": ["diff", "log(1 + exp(-z))/x^2 + max(0, x - 1)", "--wrt", "x"],
    "backprop": ["backprop", "(x + y)*z", "--at", "x=-2,y=5,z=-4"],
    "check": ["check", str(DATA / "ta_corpus")],
}

DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.S | re.M)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
INLINE = re.compile(r"(?<![\\$])\$(?!\$)((?:[^$\\\n]|\\.)+?)(?<!\\)\$")


def formulas(markdown: str) -> list[dict]:
    """The maths of a Markdown report: display blocks, then the inline formulas of the rest."""
    found = [{"tex": block, "display": True} for block in DISPLAY.findall(markdown)]
    rest = CODE.sub("", DISPLAY.sub("", markdown))
    found += [{"tex": tex, "display": False} for tex in INLINE.findall(rest)]
    return found


def typeset(items: list[dict]) -> list:
    run = subprocess.run(["node", str(MATHJAX / "typeset.js")], input=json.dumps(items), capture_output=True,
                         text=True, env=dict(os.environ, NODE_PATH=str(MATHJAX / "node_modules")), timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def require_mathjax():
    if shutil.which("node") is None or not (MATHJAX / "node_modules" / "mathjax-full").is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Node or MathJax is missing in CI: .ci/run must install them")
        pytest.skip("Node and `npm install --prefix tests/mathjax` are needed")


def test_formulas_are_found_in_both_kinds_of_maths():
    text = "Say $a_{1}$ costs \\$5 and `$x$` is code:\n\n$$\n\\begin{aligned} a &= b \\end{aligned}\n$$\n"
    assert formulas(text) == [{"tex": "\\begin{aligned} a &= b \\end{aligned}", "display": True},
                              {"tex": "a_{1}", "display": False}]


def test_the_typesetter_reports_what_mathjax_cannot_read():
    require_mathjax()
    errors = typeset([{"tex": "\\mathbb{1}\\left[s_{j} > 0\\right]\\ \\checkmark", "display": True},
                      {"tex": "\\notamacro x", "display": False}, {"tex": "x_{", "display": False}])
    assert errors[0] is None and "notamacro" in errors[1] and errors[2] is not None


@pytest.mark.parametrize("args", list(REPORTS.values()), ids=list(REPORTS))
def test_every_formula_of_the_markdown_report_typesets(args, tmp_path):
    require_mathjax()
    target = tmp_path / "report.md"
    code = main(args + ["--format", "markdown", "-o", str(target)])
    assert code in (0, 1)                       # check says 1 when an answer is wrong
    items = formulas(target.read_text(encoding="utf-8"))
    assert items, "no maths found in the report"
    errors = typeset(items)
    failures = [f"{error}: {item['tex'][:200]}" for item, error in zip(items, errors) if error is not None]
    assert failures == []
