"""The ``derive`` command line.

Only parses options and calls the library; everything heavy (SymPy, Jinja)
is imported inside the commands, so ``derive --help`` is instant.
Bad input: one line on stderr, exit status 2, and no output file written.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from derivations import REGISTRY, __version__

FORMATS = ("text", "markdown", "latex", "json")


class UserError(click.ClickException):
    """A problem with what the user asked for: reported on one line, exit status 2."""

    exit_code = 2


# --- output -------------------------------------------------------------------------

def check_writable(path: str | None) -> None:
    """Fail before any work when ``path`` cannot be written."""
    if path is None or path == "-":
        return
    target = Path(path)
    if target.is_dir():
        raise UserError(f"cannot write {path}: it is a directory")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UserError(f"cannot write {path}: permission denied")


def write_atomically(path: str, content: str | bytes) -> None:
    """Write ``content`` to ``path`` all at once: a temporary file beside it, then a rename."""
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent or "."))
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)          # like an ordinary new file, not mkstemp's 0600
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def emit(derivation, fmt: str, output: str | None, pdf: bool) -> None:
    """Render ``derivation`` and print it or write it to ``output``; compile a PDF when asked."""
    from derivations.report.render import render

    if pdf:
        fmt = "latex"
    report = render(derivation, fmt)
    files = getattr(derivation, "files", {}) or {}
    if output and output != "-":
        if fmt in ("markdown", "latex"):
            # figures the report refers to, beside it (the report names them relative to itself)
            for name, data in files.items():
                if Path(name).name != name:
                    raise click.ClickException(f"refusing to write {name!r} outside the report's folder")
                target = Path(output).parent / name
                write_atomically(str(target), data)
                click.echo(f"wrote {target}", err=True)
        write_atomically(output, report)
        click.echo(f"wrote {output}", err=True)
    elif not pdf:
        click.echo(report, nl=False)
    if pdf:
        from derivations.report.latex import LatexUnavailable, compile_pdf
        target = Path(output).with_suffix(".pdf") if output and output != "-" else Path(f"{derivation.name}.pdf")
        try:
            pdf_bytes = compile_pdf(report, resources=files)
        except LatexUnavailable as error:
            raise click.ClickException(str(error)) from None
        write_atomically(str(target), pdf_bytes)
        click.echo(f"wrote {target}", err=True)


def output_options(command):
    """--format, -o and --pdf, shared by every derivation command."""
    command = click.option("--pdf", is_flag=True,
                           help="Also compile the LaTeX report to PDF (needs pdflatex).")(command)
    command = click.option("-o", "--output", metavar="FILE",
                           help="Write the report to FILE (atomically) instead of printing it.")(command)
    command = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                           help="Report format.")(command)
    return command


def example_options(command):
    """--scores, --label and --classes: the worked example of a derivation."""
    command = click.option("--classes", metavar="NAMES",
                           help="Class names, comma-separated, e.g. cat,dog,bird.")(command)
    command = click.option("--label", metavar="N", help="Index of the correct class (0-based).")(command)
    command = click.option("--scores", metavar="S0,S1,...",
                           help="Class scores for a worked example, e.g. 3,-1,4.")(command)
    return command


def run(make, fmt, output, pdf):
    """Build a derivation with ``make()`` and emit it; input errors become one line and exit 2."""
    check_writable(output)
    from derivations.engine.inputs import InputError
    try:
        derivation = make()
    except InputError as error:
        raise UserError(str(error)) from None
    emit(derivation, fmt, output, pdf)


# --- commands -----------------------------------------------------------------------------

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="derive")
def cli():
    """Machine-checked, step-by-step derivations of the gradients of ML losses.

    Every step shown was verified by SymPy before it was shown.

    \b
    Examples:
      derive svm-grad --delta 1
      derive svm-grad --scores 3,-1,4 --label 0 --classes cat,dog,bird
      derive softmax-grad --scores 3,-1,4 --label 0 --scale 2
      derive logistic-grad --weights 0.5,-1 --inputs 2,1 --target 1
      derive compare --scores "10,-2,3;10,9,9;10,-100,-100" --label 0 -o cmp.md
      derive diff "log(1 + exp(-z))" --wrt z
    """


@cli.command("list")
def list_derivations():
    """List the derivations, one line each."""
    width = max(len(name) for name in REGISTRY)
    for name, (_, summary) in REGISTRY.items():
        click.echo(f"{name.ljust(width)}  {summary}")


@cli.command("svm-grad")
@click.option("--delta", default="1", show_default=True, metavar="D", help="The SVM margin Delta.")
@example_options
@output_options
def svm_grad(delta, scores, label, classes, fmt, output, pdf):
    """Gradient of the multiclass SVM (hinge) loss with respect to the scores."""
    def make():
        from derivations import svm
        return svm.gradient(delta=delta, scores=scores, label=label, classes=classes)
    run(make, fmt, output, pdf)


@cli.command("softmax-grad")
@example_options
@click.option("--scale", default="1", show_default=True, metavar="C",
              help="Multiply the scores by C before the loss (C != 0); the report compares with C = 1.")
@output_options
def softmax_grad(scores, label, classes, scale, fmt, output, pdf):
    """Gradient of the softmax cross-entropy loss with respect to the scores."""
    def make():
        from derivations import softmax
        return softmax.gradient(scores=scores, label=label, classes=classes, scale=scale)
    run(make, fmt, output, pdf)


@cli.command("softmax-jacobian")
@click.option("--scores", metavar="S0,S1,...", help="Class scores for the numeric Jacobian, e.g. 3,-1,4.")
@output_options
def softmax_jacobian(scores, fmt, output, pdf):
    """Jacobian of the softmax probabilities with respect to the scores."""
    def make():
        from derivations import jacobian
        return jacobian.jacobian(scores=scores)
    run(make, fmt, output, pdf)


@cli.command("bce-reduction")
@output_options
def bce_reduction(fmt, output, pdf):
    """Two-class cross-entropy reduces to binary cross-entropy with the sigmoid."""
    def make():
        from derivations import bce
        return bce.reduction()
    run(make, fmt, output, pdf)


@cli.command("logistic-grad")
@click.option("--weights", metavar="W0,W1,...", help="Weights for a worked example, e.g. 0.5,-1.")
@click.option("--inputs", metavar="X0,X1,...", help="Inputs (features) of the example, one per weight, e.g. 2,1.")
@click.option("--target", metavar="T", help="The target t, between 0 and 1 (a class 0/1 or a probability).")
@output_options
def logistic_grad(weights, inputs, target, fmt, output, pdf):
    """Gradient of the logistic-regression (binary cross-entropy) loss with respect to the weights."""
    def make():
        from derivations import logistic
        return logistic.gradient(weights=weights, inputs=inputs, target=target)
    run(make, fmt, output, pdf)


@cli.command("compare")
@click.option("--scores", required=True, metavar="S0,S1,...[;S0,S1,...]",
              help="One or more score vectors of the same length, separated by ';', e.g. \"10,-2,3;10,9,9\".")
@click.option("--label", required=True, metavar="N", help="Index of the correct class (0-based), for every vector.")
@click.option("--delta", default="1", show_default=True, metavar="D", help="The SVM margin Delta.")
@click.option("--classes", metavar="NAMES", help="Class names, comma-separated.")
@output_options
def compare(scores, label, delta, classes, fmt, output, pdf):
    """SVM and softmax losses and gradients side by side, with a figure."""
    def make():
        from derivations import compare as module
        return module.compare(scores=scores, label=label, delta=delta, classes=classes)
    run(make, fmt, output, pdf)


@cli.command("diff")
@click.argument("expression")
@click.option("--wrt", required=True, metavar="VAR", help="The variable, e.g. z, s_j or s_{y_i}.")
@output_options
def diff(expression, wrt, fmt, output, pdf):
    """Step-by-step derivative of EXPRESSION with respect to VAR.

    \b
    Examples:
      derive diff "log(1 + exp(-z))" --wrt z
      derive diff "max(0, s_j - s_y + 1)" --wrt s_j
    """
    def make():
        from derivations import calculus
        return calculus.derivative(expression, wrt)
    run(make, fmt, output, pdf)


@cli.command("verify")
@click.argument("files", nargs=-1, metavar="FILE|-")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Report format.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE (atomically) instead of printing it.")
@click.option("--pdf", is_flag=True, help="Also compile the LaTeX report to PDF (needs pdflatex).")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=10.0, show_default=True,
              help="Seconds one line may take to check (it is then reported as not read).")
@click.option("--assume", multiple=True, metavar="CASE", help="A case that holds throughout, e.g. 'k != y_i'.")
@click.option("--loss", type=click.Choice(("svm", "softmax", "logistic")),
              help="The loss the text is about, when it does not say (L_i, p_j, s_j = w_j^T x_i).")
@click.option("--given", metavar="KEY=VALUE...",
              help="Values of a worked example: 'scores=3,-1,4 label=0 delta=1 classes=cat,dog,bird'.")
def verify(files, fmt, output, pdf, timeout, assume, loss, given):
    """Check a written derivation line by line (LaTeX, Markdown with maths, or plain text).

    Every pair of consecutive expressions of a chain is one step, checked by the verifier; each
    line gets a verdict: verified (and how), wrong (where the sides differ, and the likely
    mistake) or not read (and why). In the text, a comment "% derive: assume k != y_i" (or
    <!-- derive: loss svm --> in Markdown) says what the text cannot.

    Exit status: 0 when every line read verified, 1 when a line is wrong, 2 for a usage error.

    \b
    Examples:
      derive verify homework.md
      derive verify solution.tex --format markdown -o feedback.md
      cat steps.txt | derive verify - --loss softmax
    """
    if not files:
        raise UserError("no text given: derive verify FILE (or - for standard input)")
    check_writable(output)
    from derivations.check.written import TextError, check_file, check_text
    from derivations.check.written.document import DocumentError
    from derivations.check.written.report import render_many
    hints = [f"assume {case}" for case in assume]
    if given:
        hints.append(f"given {given}")
    outcomes = []
    for name in files:
        try:
            if name == "-":
                text = sys.stdin.read()
                outcomes.append(check_text(text, "standard input", timeout=timeout, hints=hints, loss=loss))
            else:
                outcomes.append(check_file(name, timeout=timeout, hints=hints, loss=loss))
        except (TextError, DocumentError) as error:
            raise UserError(str(error)) from None
        except ValueError as error:
            raise UserError(f"{name}: {error}") from None
    if pdf:
        fmt = "latex"
    report = render_many(outcomes, fmt)
    if output and output != "-":
        write_atomically(output, report)
        click.echo(f"wrote {output}", err=True)
    elif not pdf:
        click.echo(report, nl=False)
    if pdf:
        from derivations.report.latex import LatexUnavailable, compile_pdf
        target = Path(output).with_suffix(".pdf") if output and output != "-" else Path("verify.pdf")
        try:
            pdf_bytes = compile_pdf(report)
        except LatexUnavailable as error:
            raise click.ClickException(str(error)) from None
        write_atomically(str(target), pdf_bytes)
        click.echo(f"wrote {target}", err=True)
    if any(not outcome.ok for outcome in outcomes):
        raise click.exceptions.Exit(1)


@cli.command("check")
@click.argument("sheets", nargs=-1, metavar="SHEET_OR_DIR...")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "csv", "markdown", "latex")), default="text",
              show_default=True, help="Report format.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE (atomically).")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=2.0, show_default=True,
              help="Seconds allowed to check one answer.")
@click.option("--follow-through", type=click.FloatRange(0, 1), default=None,
              help="Credit (0..1) for an answer that follows from the student's own wrong intermediate.")
@click.option("--list-quantities", is_flag=True, help="List the quantities a sheet can ask for, and exit.")
def check(sheets, fmt, output, jobs, timeout, follow_through, list_quantities):
    """Grade answer sheets (YAML or JSON files, or folders of them) against the derivations.

    Exit status: 0 when every sheet was graded, 1 when some could not be read, 2 for a usage error.
    """
    from derivations.check.quantities import all_quantities
    if list_quantities:
        quantities = all_quantities()
        width = max(len(q.name) for q in quantities)
        for q in quantities:
            needs = f"  (needs {', '.join(q.needs)})" if q.needs else ""
            click.echo(f"{q.name.ljust(width)}  {q.kind:10}  {q.notation}{needs}")
        return
    if not sheets:
        raise UserError("no sheets given: derive check SHEET_OR_DIR...")
    check_writable(output)
    from derivations.check import batch, report
    from derivations.engine.inputs import InputError
    defaults = {} if follow_through is None else {"follow_through": follow_through}
    try:
        files = batch.find_sheets(sheets)
    except InputError as error:
        raise UserError(str(error)) from None
    if not files:
        raise UserError("no .yaml, .yml or .json sheets found in " + ", ".join(sheets))
    if sys.stderr.isatty():
        with click.progressbar(length=len(files), label="grading", file=sys.stderr) as bar:
            results = batch.grade_paths(files, jobs=jobs, timeout=timeout, defaults=defaults, progress=bar.update)
    else:
        results = batch.grade_paths(files, jobs=jobs, timeout=timeout, defaults=defaults)
    text = report.render(results, fmt)
    if output and output != "-":
        write_atomically(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
    if any(result.error for result in results):
        raise click.exceptions.Exit(1)


def main(argv=None) -> int:
    """Entry point: click in non-standalone mode so every error is one line on stderr."""
    try:
        returned = cli.main(args=argv, prog_name="derive", standalone_mode=False)
        if isinstance(returned, int):
            return returned
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.Abort:
        click.echo("derive: aborted", err=True)
        return 1
    except click.UsageError as error:
        click.echo(f"derive: error: {error.format_message()}", err=True)
        return 2
    except click.ClickException as error:
        click.echo(f"derive: error: {error.format_message()}", err=True)
        return error.exit_code
    except BrokenPipeError:
        return 0
    except Exception as error:  # noqa: BLE001 - never a traceback for users
        if os.environ.get("DERIVE_DEBUG"):
            raise
        click.echo(f"derive: internal error: {type(error).__name__}: {error}", err=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
