"""Every report of every command, in every format, stands alone and is typeset.

Outside mathematics (LaTeX: outside $...$ and the display environments; Markdown: outside $...$, $$...$$
and code), a report holds no formula written as plain text: no raw Unicode maths (Σ, Δ, ᵢ ...), no ASCII
subscripts or superscripts (an escaped _ or ^), no placeholder for a character LaTeX cannot show
(``[U+``), no Python repr (``{'``, ``np.float64``), no seed numbers of the exercises ("seed 00"), and no
command names ("derive ...") except in code type. Every LaTeX report compiles (once) with no overfull line,
and every formula of every Markdown report typesets in MathJax 3 (all of them in one Node run; the
typesetter is tests/test_markdown_mathjax.py's).
"""
import re
import subprocess

import pytest

from .conftest import require_pdflatex
from .report_corpus import COMMANDS, FORMATS
from .test_latex_layout import overfull
from .test_markdown_mathjax import formulas, require_mathjax, typeset

MATH_CHARACTERS = set("ΣΔδσλβαπΠηθμ≠≤≥·×ᵀ²³⁻⁽⁾₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₙₘₛ∂∇𝟙⋯⋮⋱→←∞∑√≈∈⟺±∘")

LATEX_MATH = re.compile(r"\$\$.*?\$\$|(?<!\\)\$.*?(?<!\\)\$|\\\[.*?\\\]"
                        r"|\\begin\{(align\*|equation\*|gather\*|aligned)\}.*?\\end\{\1\}", re.S)
LATEX_CODE = re.compile(r"\\texttt\{(?:\\.|[^{}\\]|\{(?:\\.|[^{}\\])*\})*\}|\\includegraphics(\[[^]]*\])?\{[^}]*\}")
MARKDOWN_MATH = re.compile(r"^\$\$\n.*?\n\$\$$|(?<![\\$])\$(?!\$)(?:[^$\\\n]|\\.)+?(?<!\\)\$", re.S | re.M)
MARKDOWN_CODE = re.compile(r"```.*?```|`[^`\n]*`|\]\([^)]*\)", re.S)


def prose(text: str, fmt: str) -> str:
    """The words of a report: its mathematics and its code taken out."""
    if fmt == "latex":
        text = text[text.find("\\begin{document}"):]
        return LATEX_MATH.sub(" ", LATEX_CODE.sub(" ", text))
    if fmt == "markdown":
        return MARKDOWN_MATH.sub(" ", MARKDOWN_CODE.sub(" ", text))
    return text


def problems(text: str, fmt: str) -> list[str]:
    """What a reader should not meet in a report of format ``fmt``."""
    found = []
    words = prose(text, fmt)
    checks = [("[U+", "a character LaTeX could not show"), ("{'", "a Python dict"), ("np.float64", "a NumPy repr"),
              ("Seed 00", "an exercise's seed number"), ("seed 00", "an exercise's seed number")]
    for needle, what in checks:
        if needle in (words if fmt in ("latex", "markdown") else text):
            found.append(f"{what}: {_around(words, needle)}")
    if fmt in ("latex", "markdown"):
        for match in re.finditer(r"\\\\\*?\s*\\end\{(align\*|gather\*|equation\*|aligned)\}", text):
            found.append("a line break ending a display: " + " ".join(text[match.start() - 60:match.end()].split()))
    if fmt in ("latex", "markdown"):
        for match in re.finditer(r"(\\text\{[^{}]+\})(?:;\\ \1)+", text):
            found.append(f"a reason said twice in one step: {match.group(0)}")
        for match in re.finditer(r"\bderive [a-z]", words):
            found.append(f"a command name in prose: {_around(words, match.group(0))}")
        for char in sorted(set(words) & MATH_CHARACTERS):
            found.append(f"Unicode maths {char!r} outside maths: {_around(words, char)}")
        underscore = r"\_" if fmt in ("latex", "markdown") else "_"
        caret = r"\textasciicircum" if fmt == "latex" else "^"
        for needle in (underscore, caret):
            if needle in words:
                found.append(f"an ASCII formula ({needle}) outside maths: {_around(words, needle)}")
    return found


def _around(text: str, needle: str) -> str:
    at = text.find(needle)
    return " ".join(text[max(0, at - 60):at + 60].split())


def test_the_lint_finds_formulas_written_as_words():
    assert problems("the margin s\\_j - s\\_{y\\_i} + Δ of seed 002", "markdown")
    assert problems("\\begin{document} sides differ for \\{'D': 3\\}", "latex")
    assert problems("\\begin{document} see derive svm-grad", "latex")
    assert not problems("\\begin{document} see \\texttt{derive svm-grad} and $\\Delta = 1$, $s_{j}$", "latex")
    assert not problems("Give `--scores` and $s_{j} \\neq s_{y_i}$:\n\n$$\nL_i = \\sum_j s_j\n$$\n", "markdown")
    assert problems("\\begin{document}\\begin{align*}\na &= b \\\\\n\\end{align*}", "latex")
    assert problems("$$\\text{sum rule};\\ \\text{sum rule}\\ \\checkmark$$", "markdown")
    assert not problems("$$\\text{sum rule};\\ \\text{power rule}$$", "markdown")


def _cases():
    """Every report of every command in every format: none is known to fail (the checkers hand over paragraphs
    of words and formulas: derivations/check/feedback.py for derive check, check/written/said.py for derive
    verify)."""
    for name in COMMANDS:
        for fmt in FORMATS:
            yield pytest.param(name, fmt, id=f"{name}-{fmt}")


@pytest.mark.parametrize("name, fmt", list(_cases()))
def test_the_report_stands_alone(report_corpus, name, fmt):
    text = report_corpus[(name, fmt)].read_text(encoding="utf-8")
    assert problems(text, fmt) == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_latex_report_compiles_and_fits_the_page(report_corpus, name, tmp_path):
    require_pdflatex()
    source = report_corpus[(name, "latex")]
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                          f"-output-directory={tmp_path}", source.name], cwd=source.parent,     # figures beside it
                         capture_output=True, text=True, errors="replace", timeout=300)
    assert run.returncode == 0, run.stdout[-2000:]
    assert overfull(run.stdout) == [], [line for line in run.stdout.splitlines() if "Overfull" in line]


@pytest.fixture(scope="session")
def mathjax_errors(report_corpus):
    """{name: [error: formula, ...]} for every Markdown report, typeset in one Node run."""
    require_mathjax()
    found = {name: formulas(report_corpus[(name, "markdown")].read_text(encoding="utf-8")) for name in COMMANDS}
    items = [item for name in COMMANDS for item in found[name]]
    errors = iter(typeset(items))
    return {name: [f"{error}: {item['tex'][:200]}" for item in found[name] for error in [next(errors)]
                   if error is not None] for name in COMMANDS}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_markdown_formula_typesets(mathjax_errors, name):
    assert mathjax_errors[name] == []
