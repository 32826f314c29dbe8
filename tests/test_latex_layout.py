"""The compiled LaTeX reports fit the page: no line runs past the margin (pdflatex's "Overfull \\hbox"
warnings). Every report of every command is compiled once, in tests/test_report_lint.py; here, how a
log is read, and the layout of a chain of steps."""
import re
import subprocess

from cli import main

from .conftest import require_pdflatex


def overfull(log: str) -> list[float]:
    """How far (pt) each overfull line of a pdflatex log runs past the margin."""
    return [float(width) for width in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def test_overfull_reads_the_log_line():
    assert overfull("Overfull \\hbox (43.43506pt too wide) detected at line 206\n") == [43.43506]


def _latex(args, tmp_path):
    source = tmp_path / "report.tex"
    assert main(args + ["--format", "latex", "-o", str(source), "--no-cache"]) == 0
    return source


def test_reasons_stand_beside_their_lines_where_they_fit(tmp_path):
    """The softmax Jacobian's two cases (22 steps): each reason a tag at the right margin, beside its line, so
    the report is 3 pages (with each reason on a line of its own under its step it was 4, the cases 2.5 pages)."""
    require_pdflatex()
    source = _latex(["softmax-jacobian"], tmp_path)
    text = source.read_text(encoding="utf-8")
    rows = re.findall(r"^(?:.*&= |.* &= )\\fitline\{.*$", text, re.M)
    assert len(rows) >= 22 and all("\\tag*{\\reason{" in row for row in rows)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"], cwd=tmp_path,
                         capture_output=True, text=True, errors="replace", timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    pages = int(re.search(r"Output written on report.pdf \((\d+) pages?", run.stdout).group(1))
    assert pages == 3 and overfull(run.stdout) == []


def test_tables_holding_fractions_are_spaced(tmp_path):
    text = _latex(["backprop", "(x + y)*z", "--at", "x=-2,y=5,z=-4"], tmp_path).read_text(encoding="utf-8")
    tables = re.findall(r"\\renewcommand\{\\arraystretch\}\{([\d.]+)\}\s*\\begin\{center\}\s*\\begin\{tabular\}(.*?)"
                        r"\\end\{tabular\}", text, re.S)
    assert len(tables) == 3                                   # forward pass, backward pass, gradients
    for stretch, body in tables:
        assert float(stretch) >= (1.5 if "\\frac" in body else 1.0), body[:200]
    assert sum(1 for _, body in tables if "\\frac" in body) == 2
