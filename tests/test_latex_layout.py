"""The compiled LaTeX reports fit the page: no display line runs past the margin (pdflatex's
"Overfull \\hbox" warnings), for the reports whose formulas are the widest."""
import re
import subprocess

import pytest

from cli import main

from .conftest import require_pdflatex

WIDE = {
    "svm weights, one example (the outer product of a row of indicators)":
        ["svm-grad", "--wrt", "weights", "--inputs", "1,2", "--weights", "1,0,2;1,-1,1", "--label", "0"],
    "binary cross-entropy (long reasons beside fractions)": ["bce-reduction"],
    "svm at K = 50 (the elided sum of hinges)":
        ["svm-grad", "--scores", ",".join(str((i * 7) % 11 - 5) for i in range(50)), "--label", "0"],
    "softmax batch, half regulariser": ["softmax-grad", "--wrt", "batch", "--reg", "0.1", "--reg-form", "half"],
    "svm, the course's example": ["svm-grad", "--scores", "3,-1,4", "--label", "0"],
}


def overfull(log: str) -> list[float]:
    """How far (pt) each overfull line of a pdflatex log runs past the margin."""
    return [float(width) for width in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def test_overfull_reads_the_log_line():
    assert overfull("Overfull \\hbox (43.43506pt too wide) detected at line 206\n") == [43.43506]


@pytest.mark.parametrize("args", list(WIDE.values()), ids=list(WIDE))
def test_every_display_line_fits_the_page(args, tmp_path):
    require_pdflatex()
    source = tmp_path / "report.tex"
    assert main(args + ["--format", "latex", "-o", str(source), "--no-cache"]) == 0
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"], cwd=tmp_path,
                         capture_output=True, text=True, errors="replace", timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert overfull(run.stdout) == []
