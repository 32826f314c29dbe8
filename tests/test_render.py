"""Reports: every rule has a template in every format; JSON contract; escaping; LaTeX compiles."""
import json
import re

import pytest

from derivations import svm
from derivations.engine import rules
from derivations.report.latex import compile_pdf
from derivations.report.render import escape_latex, escape_markdown, render, template_folder

from .conftest import require_pdflatex


@pytest.mark.parametrize("rule_file", ["math/rules.j2", "text/rules.j2"])
def test_every_rule_has_a_template(rule_file):
    source = (template_folder() / rule_file).read_text()
    defined = set(re.findall(r"{%\s*macro\s+(\w+)\(", source))
    names = {rule.name for rule in rules.all_rules()}
    assert names - defined == set(), f"rules without a template in {rule_file}"


def test_every_rule_states_its_identity():
    for rule in rules.all_rules():
        assert rule.__doc__ and rule.__doc__.strip(), rule.__name__


def test_json_contract(svm_example):
    data = json.loads(render(svm_example, "json"))
    assert data["derivation"] == "svm-grad"
    assert data["parameters"] == {"delta": 1.0, "scores": [3.0, -1.0, 4.0], "label": 0,
                                  "classes": ["cat", "dog", "bird"]}
    assert data["verified"] is True
    assert data["warnings"] == []
    assert data["results"]["loss"]["value"] == 2.0
    assert data["results"]["loss"]["exact"] == "2"
    assert data["results"]["dscores"]["value"] == [-1.0, 0.0, 1.0]
    assert data["results"]["dscore_correct"]["value"] is None
    assert data["results"]["dscore_incorrect"]["latex"] == r"\mathbf{1}\left[s_{k} - s_{y_i} + \Delta > 0\right]"
    split = next(step for step in data["steps"] if step["rule"] == "case_split")
    assert [case["condition"] for case in split["cases"]] == ["k = y_i", r"k \neq y_i"]
    for case in split["cases"]:
        assert all(step["verified"] and step["verified_by"] for step in case["steps"])
    for step in data["steps"]:
        assert set(step) >= {"rule", "latex", "verified", "verified_by"}


def test_text_report_shows_the_numbers(svm_example):
    text = render(svm_example, "text")
    assert "= max(0, -1 - 3 + 1) + max(0, 4 - 3 + 1)" in text
    assert "= [-1, 0, 1]" in text
    assert "NOT VERIFIED" not in text


def test_markdown_report_has_display_maths(svm_example):
    markdown = render(svm_example, "markdown")
    assert markdown.startswith("# Gradient of the multiclass SVM (hinge) loss")
    assert "$$\n\\begin{aligned}" in markdown
    assert r"\mathbf{1}\left[s_{k} - s_{y_i} + \Delta > 0\right]" in markdown


@pytest.mark.parametrize("name, latex", [
    ("50%_off", r"50\%\_off"),
    (r"\input{x}", r"\textbackslash{}input\{x\}"),
    ("a&b#c$d^e~f", r"a\&b\#c\$d\textasciicircum{}e\textasciitilde{}f"),
])
def test_latex_escaping(name, latex):
    assert escape_latex(name) == latex


def test_markdown_escaping():
    assert escape_markdown("*bold* _x_ $y$ <b> [l](u)") == r"\*bold\* \_x\_ \$y\$ &lt;b\> \[l\](u)"


def test_hostile_class_names_come_out_literally():
    d = svm.gradient(delta=1, scores=[3, -1, 4], label=0, classes=["50%_off", r"\input{x}", "$x$"])
    latex = render(d, "latex")
    assert r"\input{x}" not in latex and r"\textbackslash{}input\{x\}" in latex
    assert r"50\%\_off" in latex
    markdown = render(d, "markdown")
    assert r"\\input\{x\}" in markdown and r"\$x\$" in markdown


def test_latex_report_compiles(svm_example, tmp_path):
    require_pdflatex()
    pdf = compile_pdf(render(svm_example, "latex"))
    assert pdf.startswith(b"%PDF")


def test_latex_with_hostile_names_compiles():
    require_pdflatex()
    d = svm.gradient(delta=1, scores=[3, -1, 4], label=0, classes=["50%_off", r"\input{/etc/passwd}", "~^&#"])
    assert compile_pdf(render(d, "latex")).startswith(b"%PDF")


def test_jupyter_display(svm_example):
    assert svm_example._repr_markdown_() == render(svm_example, "markdown")
    fragment = svm_example._repr_latex_()
    assert fragment.count("$$") >= 4 and r"\begin{aligned}" in fragment


def test_per_example_names_and_built_products_print_as_written():
    """x_j^(n) with the example as a superscript; a product built factor by factor keeps its factors."""
    import sympy
    from sympy import Add, Mul, exp

    from derivations.engine.build import written_out
    from derivations.engine.notation import PerExample, j, t, z
    from derivations.report.printing import latex, text
    X, Y = PerExample("x", real=True), PerExample("y", real=True)
    n = sympy.Symbol("n", integer=True)
    assert text(X[n, j]) == "xⱼ⁽ⁿ⁾" and latex(X[n, j]) == "x_{j}^{(n)}"
    assert text(Y[n]) == "y⁽ⁿ⁾" and latex(Y[n]) == "y^{(n)}"
    base = 1 + exp(-z)
    split = Mul(1 / base, exp(-z) / base, evaluate=False)
    assert text(split) == "1/(1 + exp(-z))·(exp(-z)/(1 + exp(-z)))"
    assert latex(split) == r"\frac{1}{1 + e^{- z}} \cdot \frac{e^{- z}}{1 + e^{- z}}"
    assert text(sympy.Abs(X[n, j])) == "|xⱼ⁽ⁿ⁾|"
    shown = written_out(1 - t, {t: sympy.Integer(0)})          # 1 - 0, not 1 + 0
    assert text(shown) == "1 - 0" and latex(shown) == "1 - 0" and shown.doit() == 1
    assert isinstance(shown, Add)


def test_latex_keeps_double_hyphens_and_quotes_as_typed(tmp_path):
    """`--wrt` must not print as an en dash: TeX's ligatures are broken in escaped words."""
    assert escape_latex("--wrt batch") == "-{}-wrt batch"
    assert escape_latex("a,,b ''c'' ``d``") == "a,{},b '{}'c'{}' `{}`d`{}`"
    require_pdflatex()
    import shutil
    import subprocess
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    source = ("\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage{lmodern}\\begin{document}"
              + escape_latex("derive svm-grad --wrt batch --reg-form full") + "\\end{document}")
    (tmp_path / "words.pdf").write_bytes(compile_pdf(source))
    text = subprocess.run(["pdftotext", "words.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert "derive svm-grad --wrt batch --reg-form full" in text


def _verification_paragraph(report) -> str:
    text = report.to_markdown()
    return " ".join(text[text.index("## Verification"):].split())


def test_the_verification_paragraph_says_only_what_was_checked_there(svm_example):
    from derivations import bce, softmax
    from derivations.calculus.backprop import backprop
    svm_words = _verification_paragraph(svm_example)
    assert "the number of classes $K$ to each of 2, 3, 4 and 5" in svm_words and "every kink" in svm_words
    softmax_words = _verification_paragraph(softmax.gradient())
    assert "$K$ to each of 2, 3, 4 and 5" in softmax_words and "kink" not in softmax_words   # softmax is smooth
    for report in (bce.reduction(), backprop("(x + y)*z", "x=-2,y=5,z=-4")):   # no sum over classes, no kink
        words = _verification_paragraph(report)
        assert "symbolically" in words
        assert "$K$" not in words and "classes" not in words and "kink" not in words, words
