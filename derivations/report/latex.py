"""Compiling a LaTeX report to PDF with pdflatex, in a scratch folder."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


class LatexUnavailable(RuntimeError):
    """pdflatex is not installed."""


class LatexFailed(RuntimeError):
    """pdflatex ran and reported errors; the message holds the first one."""


def pdflatex() -> str | None:
    """The path of pdflatex, or None."""
    return shutil.which("pdflatex")


def compile_pdf(source: str, resources: dict[str, bytes] | None = None, timeout: float = 120) -> bytes:
    """The PDF that pdflatex makes of ``source``; ``resources`` are files (figures) it needs beside it."""
    program = pdflatex()
    if program is None:
        raise LatexUnavailable("pdflatex was not found: install TeX (Debian: apt-get install "
                               "texlive-latex-base texlive-latex-recommended lmodern) or leave out --pdf")
    with tempfile.TemporaryDirectory(prefix="derive-latex-") as folder:
        work = Path(folder)
        (work / "report.tex").write_text(source, encoding="utf-8")
        for name, data in (resources or {}).items():
            (work / name).write_bytes(data)
        run = subprocess.run([program, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                              "report.tex"], cwd=work, capture_output=True, timeout=timeout)
        pdf = work / "report.pdf"
        if run.returncode != 0 or not pdf.exists():
            log = run.stdout.decode("utf-8", "replace")
            errors = [line for line in log.splitlines() if line.startswith("!")]
            raise LatexFailed(errors[0] if errors else "pdflatex failed")
        return pdf.read_bytes()
