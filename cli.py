"""The ``derive`` command line.

Only parses options and calls the library; everything heavy (SymPy, Jinja)
is imported inside the commands, so ``derive --help`` is instant.
Bad input: one line on stderr, exit status 2, and no output file written.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from derivations import REGISTRY, __version__

FORMATS = ("text", "markdown", "latex", "json")


class UserError(click.ClickException):
    """A problem with what the user asked for: reported on one line, exit status 2."""

    exit_code = 2


# --- output -------------------------------------------------------------------------

class FiniteRange(click.FloatRange):
    """A click.FloatRange that also refuses NaN (which passes any range check) and infinities."""

    def convert(self, value, param, ctx):
        import math
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


def check_writable(path: str | None) -> None:
    """Fail before any work when ``path`` cannot be written (see derivations.files.check_output)."""
    if path is None or path == "-":
        return
    from derivations.files import FileProblem, check_output
    try:
        check_output(path)
    except FileProblem as error:
        raise UserError(str(error)) from None


def write_atomically(path: str, content: str | bytes) -> None:
    """Write ``content`` to ``path``: a regular file replaced all at once (through a link, its target), a
    device or FIFO written into (see derivations.files.write_output); one line and exit 2 when it cannot."""
    from derivations.files import FileProblem, write_output
    try:
        write_output(path, content.encode("utf-8") if isinstance(content, str) else content)
    except FileProblem as error:
        raise UserError(str(error)) from None


def emit(derivation, fmt: str, output: str | None, pdf: bool) -> None:
    """Render ``derivation`` and print it or write it to ``output``; compile a PDF when asked."""
    from derivations.report.render import render

    report = render(derivation, "latex" if pdf else fmt)
    write_report(report, getattr(derivation, "files", {}) or {}, derivation.name, fmt, output, pdf)


def pdf_alone(output: str | None, pdf: bool) -> bool:
    """Whether ``-o`` names the PDF itself (``-o report.pdf --pdf``): then only the PDF is written there."""
    return bool(pdf and output and Path(output).suffix.lower() == ".pdf")


def pdf_target(output: str | None, name: str) -> Path:
    """Where --pdf writes the PDF: beside ``-o`` (its name with .pdf), else NAME.pdf in the working folder."""
    return Path(output).with_suffix(".pdf") if output and output != "-" else Path(f"{name}.pdf")


def compile_report(report: str, files: dict) -> bytes:
    """The PDF of a LaTeX report; one line and exit 2 when it cannot be made."""
    import subprocess

    from derivations.report.latex import LatexFailed, LatexUnavailable, compile_pdf
    try:
        return compile_pdf(report, resources=files)
    except (LatexUnavailable, LatexFailed) as error:
        raise UserError(str(error)) from None
    except subprocess.TimeoutExpired as error:
        raise UserError(f"pdflatex took more than {error.timeout:g} s; the PDF was not made") from None
    except OSError as error:
        raise UserError(f"cannot compile the PDF: {error.strerror or error}") from None


def write_report(report: str, files: dict, name: str, fmt: str, output: str | None, pdf: bool) -> None:
    """Print ``report`` or write it (and the figures it refers to) beside ``output``; compile a PDF when asked.

    With ``--pdf``, ``-o report.tex`` writes the LaTeX source and ``report.pdf`` beside it; ``-o report.pdf``
    writes the PDF only (never the LaTeX source under the PDF's name). The PDF is compiled, and its place
    checked, before anything is written: a failed --pdf leaves every earlier output as it was.
    """
    if pdf:
        fmt = "latex"
        target = pdf_target(output, name)
        check_writable(str(target))
        pdf_bytes = compile_report(report, files)
    pdf_only = pdf_alone(output, pdf)
    if output and output != "-" and not pdf_only:
        from derivations.files import is_regular
        real = os.path.realpath(output)
        if fmt in ("markdown", "latex") and files and os.path.exists(real) and not is_regular(real):
            click.echo(f"derive: note: the figures are written only beside a regular file, not beside {output}",
                       err=True)
        elif fmt in ("markdown", "latex"):
            # figures the report refers to, beside it (through a link, beside its target: the report names them
            # relative to itself)
            for figure, data in files.items():
                if Path(figure).name != figure:
                    raise UserError(f"refusing to write {figure!r} outside the report's folder")
                figure_path = Path(real).parent / figure
                write_atomically(str(figure_path), data)
                click.echo(f"wrote {figure_path}", err=True)
        write_atomically(output, report)
        click.echo(f"wrote {output}", err=True)
    elif not pdf:
        click.echo(report, nl=False)
    if pdf:
        write_atomically(str(target), pdf_bytes)
        click.echo(f"wrote {target}", err=True)


EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".json": "json", ".txt": "text"}


def chosen_format(fmt: str, output: str | None, pdf: bool) -> tuple[str, bool]:
    """(format, pdf): what --format says when it was given; else what -o FILE's extension says (.md, .tex,
    .json, .txt; .pdf compiles the LaTeX report to that PDF); else the default, text."""
    context = click.get_current_context()
    from click.core import ParameterSource
    explicit = context.get_parameter_source("fmt") not in (ParameterSource.DEFAULT, None)
    if explicit or not output or output == "-":
        return fmt, pdf
    suffix = Path(output).suffix.lower()
    if suffix == ".pdf":
        return "latex", True
    return EXTENSIONS.get(suffix, fmt), pdf


def output_options(command):
    """--format, -o, --pdf and --no-cache, shared by every derivation command."""
    command = click.option("--no-cache", "no_cache", is_flag=True,
                           help="Build and verify the report again instead of using the verified-report cache.")(command)
    command = click.option("--pdf", is_flag=True,
                           help="Also compile the LaTeX report to PDF (needs pdflatex).")(command)
    command = click.option("-o", "--output", metavar="FILE",
                           help="Write the report to FILE (atomically) instead of printing it; its extension (.md, "
                                ".tex, .json, .txt, .pdf) picks the format unless --format is given.")(command)
    command = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                           help="Report format.")(command)
    return command


def example_options(command):
    """--scores, --label, --classes and --no-example: the worked example of a derivation."""
    command = click.option("--no-example", "no_example", is_flag=True,
                           help="Leave out the worked example (by default the homework's: scores 3,-1,4, label 0, "
                                "classes cat,dog,bird; with --wrt batch a small built-in batch).")(command)
    command = click.option("--classes", metavar="NAMES",
                           help="Class names, comma-separated, e.g. cat,dog,bird.")(command)
    command = click.option("--label", metavar="N", help="Index of the correct class (0-based).")(command)
    command = click.option("--scores", metavar="S0,S1,...",
                           help="Class scores for a worked example, e.g. 3,-1,4.")(command)
    return command


def weight_options(command):
    """--wrt and the options of the gradients with respect to the weights (one example, or a batch)."""
    command = click.option("--reg-form", type=click.Choice(("full", "half")), default=None,
                           help="--wrt batch: lambda sum W^2 (full, gradient 2 lambda W; the default) or "
                                "(1/2) lambda sum W^2 (half, gradient lambda W).")(command)
    command = click.option("--reg", metavar="LAMBDA",
                           help="--wrt batch: the regularisation strength lambda >= 0 (default 0).")(command)
    command = click.option("--data", metavar="FILE",
                           help="--wrt batch: a .npz or .json file holding X (N x D), y (N labels) and W (D x K).")(
        command)
    command = click.option("--weights", metavar="ROW;ROW;...",
                           help="--wrt weights: W as D rows of K numbers, e.g. \"1,0,2;1,-1,1\".")(command)
    command = click.option("--inputs", metavar="X0,X1,...",
                           help="--wrt weights: the input x of the example, D numbers, e.g. 1,2.")(command)
    command = click.option("--wrt", type=click.Choice(("scores", "weights", "batch")), default="scores",
                           show_default=True,
                           help="Differentiate with respect to the scores, the weights of one example, or the "
                                "weights of a regularised batch.")(command)
    return command


def weight_arguments(wrt, inputs, weights, data, reg, reg_form) -> dict:
    """The keyword arguments of svm.gradient / softmax.gradient for --wrt and its options (only those given)."""
    given = {"inputs": inputs, "weights": weights, "data": data, "reg": reg, "reg_form": reg_form}
    return {"wrt": wrt, **{key: value for key, value in given.items() if value is not None}}


def run(make, fmt, output, pdf, no_cache=False, cacheable=True):
    """Build a derivation with ``make()`` and emit it; input errors become one line and exit 2.

    A report whose every step verified is kept in the verified-report cache (see ``derivations.cache``),
    keyed by the command, its parameters (and the contents of a --data file) and the format: the same
    command then gives the same bytes without building it again (nor importing SymPy). ``--no-cache``
    builds and verifies it anew. Returns the derivation (None when the report came from the cache).
    ``cacheable=False`` (gradcheck, train: their result is more than the report) always builds.
    """
    check_writable(output)
    fmt, pdf = chosen_format(fmt, output, pdf)
    context = click.get_current_context()
    command = context.info_name
    if pdf and not pdf_alone(output, pdf):
        check_writable(str(pdf_target(output, command)))
    parameters = {name: value for name, value in context.params.items()
                  if name not in ("fmt", "output", "pdf", "no_cache")}
    shown = "latex" if pdf else fmt
    from derivations import cache
    entry_key = None
    if cacheable:
        data = parameters.get("data")
        if data:                                   # a data file: its contents are part of what the report says
            parameters["data"] = [data, cache.file_digest(data)]
        spec = parameters.get("spec")
        if spec and "\n" not in spec and os.path.exists(spec):    # derive grad FILE: the file's contents too
            parameters["spec"] = [spec, cache.file_digest(spec)]
        entry_key = cache.key(command, parameters, shown, extra_code=(__file__,))
    if entry_key is not None and not no_cache:
        hit = cache.load(entry_key)
        if hit is not None:
            write_report(hit.report, hit.files, command, fmt, output, pdf)
            return None
    from derivations.engine.inputs import InputError
    try:
        derivation = make()
    except InputError as error:
        raise UserError(str(error)) from None
    from derivations.report.render import render
    report = render(derivation, shown)
    files = getattr(derivation, "files", {}) or {}
    if entry_key is not None and derivation.verified:      # never a report with a step that did not verify
        cache.store(entry_key, report, files)
    write_report(report, files, derivation.name, fmt, output, pdf)
    return derivation


#: the exit status of diff and backprop when a derivative is left unevaluated (no rule applies to it)
UNEVALUATED_STATUS = 3


def exit_if_unevaluated(derivation) -> None:
    """Exit with status 3, saying so on stderr, when the report leaves a derivative unevaluated (it was written)."""
    left = getattr(derivation, "unevaluated", None) if derivation is not None else None
    if left:
        click.echo(f"derive: the result is incomplete: no rule applies to {', '.join(dict.fromkeys(left))}, "
                   f"left unevaluated (exit status {UNEVALUATED_STATUS})", err=True)
        raise click.exceptions.Exit(UNEVALUATED_STATUS)


# --- commands -----------------------------------------------------------------------------

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="derive")
def cli():
    """Machine-checked, step-by-step derivations of the gradients of ML losses.

    Every step shown was verified before it was shown (the report says how: symbolically, or at random points).

    \b
    Examples:
      derive svm-grad --delta 1
      derive svm-grad --scores 3,-1,4 --label 0 --classes cat,dog,bird
      derive softmax-grad --scores 3,-1,4 --label 0 --scale 2
      derive logistic-grad --weights 0.5,-1 --inputs 2,1 --target 1
      derive compare --scores "10,-2,3;10,9,9;10,-100,-100" --label 0 -o cmp.md
      derive diff "log(1 + exp(-z))" --wrt z
      derive backprop "(x + y)*z" --at x=-2,y=5,z=-4
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
@weight_options
@output_options
def svm_grad(delta, scores, label, classes, no_example, wrt, inputs, weights, data, reg, reg_form, fmt, output, pdf,
             no_cache):
    """Gradient of the multiclass SVM (hinge) loss with respect to the scores (or, with --wrt, the weights).

    \b
    Examples:
      derive svm-grad --scores 3,-1,4 --label 0
      derive svm-grad --wrt weights --inputs 1,2 --weights "1,0,2;1,-1,1" --label 0
      derive svm-grad --wrt batch --data batch.npz --reg 0.1 --reg-form half
    """
    def make():
        from derivations import svm
        return svm.gradient(delta=delta, scores=scores, label=label, classes=classes, example=not no_example,
                            **weight_arguments(wrt, inputs, weights, data, reg, reg_form))
    run(make, fmt, output, pdf, no_cache)


@cli.command("softmax-grad")
@example_options
@click.option("--scale", default="1", show_default=True, metavar="C",
              help="Multiply the scores by C before the loss (C != 0); the report compares with C = 1.")
@weight_options
@output_options
def softmax_grad(scores, label, classes, no_example, scale, wrt, inputs, weights, data, reg, reg_form, fmt, output, pdf, no_cache):
    """Gradient of the softmax cross-entropy loss with respect to the scores (or, with --wrt, the weights).

    \b
    Examples:
      derive softmax-grad --scores 3,-1,4 --label 0 --scale 2
      derive softmax-grad --wrt weights --inputs 1,2 --weights "1,0,2;1,-1,1" --label 0
      derive softmax-grad --wrt batch --data batch.npz --reg 0.1
    """
    def make():
        from derivations import softmax
        return softmax.gradient(scores=scores, label=label, classes=classes, scale=scale, example=not no_example,
                                **weight_arguments(wrt, inputs, weights, data, reg, reg_form))
    run(make, fmt, output, pdf, no_cache)


@cli.command("softmax-jacobian")
@click.option("--scores", metavar="S0,S1,...", help="Class scores for the numeric Jacobian, e.g. 3,-1,4.")
@output_options
def softmax_jacobian(scores, fmt, output, pdf, no_cache):
    """Jacobian of the softmax probabilities with respect to the scores."""
    def make():
        from derivations import jacobian
        return jacobian.jacobian(scores=scores)
    run(make, fmt, output, pdf, no_cache)


@cli.command("bce-reduction")
@output_options
def bce_reduction(fmt, output, pdf, no_cache):
    """Two-class cross-entropy reduces to binary cross-entropy with the sigmoid."""
    def make():
        from derivations import bce
        return bce.reduction()
    run(make, fmt, output, pdf, no_cache)


@cli.command("logistic-grad")
@click.option("--weights", metavar="W0,W1,...", help="Weights for a worked example, e.g. 0.5,-1.")
@click.option("--inputs", metavar="X0,X1,...", help="Inputs (features) of the example, one per weight, e.g. 2,1.")
@click.option("--target", metavar="T", help="The target t, between 0 and 1 (a class 0/1 or a probability).")
@output_options
def logistic_grad(weights, inputs, target, fmt, output, pdf, no_cache):
    """Gradient of the logistic-regression (binary cross-entropy) loss with respect to the weights."""
    def make():
        from derivations import logistic
        return logistic.gradient(weights=weights, inputs=inputs, target=target)
    run(make, fmt, output, pdf, no_cache)


@cli.command("compare")
@click.option("--scores", metavar="S0,S1,...[;S0,S1,...]",
              help="One or more score vectors of the same length, separated by ';', e.g. \"10,-2,3;10,9,9\".")
@click.option("--label", metavar="N", help="Index of the correct class (0-based), for every vector.")
@click.option("--delta", default="1", show_default=True, metavar="D", help="The SVM margin Delta.")
@click.option("--classes", metavar="NAMES", help="Class names, comma-separated.")
@click.option("--wrt", type=click.Choice(("scores", "weights")), default="scores", show_default=True,
              help="Compare the gradients with respect to the scores, or to the weights of one example.")
@click.option("--inputs", metavar="X0,X1,...", help="--wrt weights: the input x of the example, D numbers.")
@click.option("--weights", metavar="ROW;ROW;...", help="--wrt weights: W as D rows of K numbers.")
@output_options
def compare(scores, label, delta, classes, wrt, inputs, weights, fmt, output, pdf, no_cache):
    """SVM and softmax losses and gradients side by side, with a figure (or, --wrt weights, their weight gradients).

    \b
    Examples:
      derive compare --scores "3,-1,4;10,9,9" --label 0
      derive compare --wrt weights --inputs 1,2 --weights "1,0,2;1,-1,1" --label 0
    """
    def make():
        from derivations import compare as module
        if wrt == "scores" and (scores is None or label is None):
            from derivations.engine.inputs import InputError
            raise InputError("derive compare needs --scores and --label (or --wrt weights with --inputs, "
                             "--weights and --label)")
        return module.compare(scores=scores, label=label, delta=delta, classes=classes, wrt=wrt, inputs=inputs,
                              weights=weights)
    run(make, fmt, output, pdf, no_cache)


@cli.command("diff", context_settings={"ignore_unknown_options": True})
@click.argument("expression")
@click.option("--wrt", required=True, metavar="VAR[,VAR...]",
              help="The variable, e.g. z, s_j or s_{y_i}; several separated by commas give the gradient.")
@output_options
def diff(expression, wrt, fmt, output, pdf, no_cache):
    """Step-by-step derivative of EXPRESSION with respect to VAR (or the gradient, for x,y).

    EXPRESSION may start with a minus ("-x^2"); or put it after --: derive diff --wrt x -- -x^2.
    Functions: sin cos tan cot sec csc, arcsin arccos arctan arccot, sinh cosh tanh coth sech csch,
    arsinh arcosh artanh, exp log log(x, b) sqrt cbrt pow(a, b) abs |x|, sigmoid (\\sigma), relu,
    leaky_relu(x[, a]) (slope 0.01 unless given), softplus, erf, gelu, max and min of any number of
    arguments, indicators [x > 0]; plain text or LaTeX (\\tanh x, \\frac{a}{b}, \\max). A letter followed
    by digits is one name (w0 is w_0, b2 a variable); a product needs a space or * (2x is 2*x).
    Exit status: 0 a report, 2 bad input, 3 a derivative left unevaluated (no rule applies).

    \b
    Examples:
      derive diff "log(1 + exp(-z))" --wrt z
      derive diff "exp(a*x)/(1+exp(a*x))" --wrt x
      derive diff "x^2*y + sin(y)" --wrt x,y
      derive diff "max(0, s_j - s_y + 1)" --wrt s_j
    """
    def make():
        from derivations import calculus
        return calculus.derivative(expression, wrt)
    exit_if_unevaluated(run(make, fmt, output, pdf, no_cache))


@cli.command("grad", context_settings={"ignore_unknown_options": True})
@click.argument("spec", required=False)
@click.option("--wrt", metavar="NAMES", help="The arrays to differentiate with respect to, e.g. W1,b1,W2,b2 "
                                             "(default: the spec's own wrt line).")
@click.option("--data", metavar="F.npz", help="The arrays by the spec's names (X, y, W, reg, ...): the loss and "
                                              "gradients at these numbers.")
@click.option("--list", "list_builtins", is_flag=True, help="List the built-in specs, and exit.")
@output_options
def grad(spec, wrt, data, list_builtins, fmt, output, pdf, no_cache):
    """The gradient of a loss or layer written in the loss language, step by step, every step verified.

    SPEC is a built-in's name (derive grad --list), a file holding a spec, or the spec's text. A spec declares
    its arrays (X: N x D, W: D x K, b: K, y: labels, reg: scalar = 0.1) and defines the loss (L = ...) or a
    layer's output (out = ..., whose upstream gradient is dout); see the README, "The loss language".

    \b
    Examples:
      derive grad --list
      derive grad two_layer
      derive grad batchnorm --format markdown -o bn.md
      derive grad "X: N x D; W: D x K; y: labels; S = X W; L = mean_n (logsumexp_k S[n, k] - S[n, y[n]])" --wrt W
      derive grad my_loss.txt --wrt W --data batch.npz --format json
    """
    if list_builtins:
        from derivations.grad.specs import catalogue
        entries = catalogue()
        width = max(len(name) for name, _ in entries)
        for name, title in entries:
            click.echo(f"{name.ljust(width)}  {title}")
        return
    if spec is None:
        raise UserError("give a spec: a built-in's name (derive grad --list), a file, or the spec's text")

    def make():
        from derivations.grad.derivation import gradient
        return gradient(spec, wrt, data)
    run(make, fmt, output, pdf, no_cache)


@cli.group("cache")
def cache_group():
    """The verified-report cache: where it is, what it holds; clear it."""


@cache_group.command("info")
def cache_info():
    """Where the cache is and how many reports it holds."""
    from derivations import cache
    found = cache.info()
    click.echo(f"folder   {found['folder']}")
    click.echo(f"reports  {found['reports']}")
    click.echo(f"size     {found['bytes'] / 1e6:.1f} MB")
    click.echo(f"state    {'not used: ' + found['problem'] if found['problem'] else 'in use'}")


@cache_group.command("clear")
def cache_clear():
    """Remove every cached report, compiled template and parser table (and the cache's key)."""
    from derivations import cache
    removed = cache.clear()
    click.echo(f"removed {removed} cached report{'s' if removed != 1 else ''} from {cache.folder()}")


def read_standard_input() -> str:
    """Standard input as text, at most as many bytes as verify reads from a file; one line and exit 2 past that."""
    from derivations.check.written import MAX_BYTES
    from derivations.files import FileProblem, read_stream
    binary = getattr(sys.stdin, "buffer", None)          # a text stream without one (tests) is read as text
    try:
        data = read_stream(binary if binary is not None else sys.stdin, MAX_BYTES, "standard input")
        return data.decode("utf-8") if isinstance(data, bytes) else data
    except FileProblem as error:
        raise UserError(str(error)) from None
    except UnicodeDecodeError:
        raise UserError("standard input is not UTF-8 text") from None


@cli.command("verify")
@click.argument("files", nargs=-1, metavar="FILE|-")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Report format.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE (atomically) instead of printing it.")
@click.option("--pdf", is_flag=True, help="Also compile the LaTeX report to PDF (needs pdflatex).")
@click.option("--timeout", type=FiniteRange(0.1, 600), default=10.0, show_default=True,
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

    Exit status: 0 when every line of maths was read and verified, 1 when a line is wrong, 3 when
    nothing is wrong but some line was not read (or no maths was found), 2 for a usage error.

    \b
    Examples:
      derive verify homework.md
      derive verify solution.tex --format markdown -o feedback.md
      cat steps.txt | derive verify - --loss softmax
    """
    if not files:
        raise UserError("no text given: derive verify FILE (or - for standard input)")
    check_writable(output)
    fmt, pdf = chosen_format(fmt, output, pdf)
    if pdf and not pdf_alone(output, pdf):
        check_writable(str(pdf_target(output, "verify")))
    from derivations.check.written import TextError, check_file, check_text
    from derivations.check.written.context import read_case, read_given
    from derivations.check.written.document import DocumentError
    from derivations.check.written.report import render_many
    try:
        for case in assume:
            read_case(case)
        if given:
            read_given(given)
    except ValueError as error:
        raise UserError(str(error)) from None
    hints = [f"assume {case}" for case in assume]
    if given:
        hints.append(f"given {given}")
    outcomes = []
    for name in files:
        try:
            if name == "-":
                text = read_standard_input()
                outcomes.append(check_text(text, "standard input", timeout=timeout, hints=hints, loss=loss))
            elif name.lower().endswith(".ipynb"):
                outcomes.append(_check_notebook(name, timeout=timeout, hints=hints, loss=loss))
            else:
                outcomes.append(check_file(name, timeout=timeout, hints=hints, loss=loss))
        except (TextError, DocumentError) as error:
            raise UserError(str(error)) from None
        except ValueError as error:
            raise UserError(f"{name}: {error}") from None
    if pdf:
        fmt = "latex"
    report = render_many(outcomes, fmt)
    write_report(report, {}, "verify", fmt, output, pdf)
    status = max((outcome.status for outcome in outcomes), key=lambda s: {0: 0, 3: 1, 1: 2}[s])
    if status:
        raise click.exceptions.Exit(status)


def _check_notebook(name: str, **options):
    """derive verify of a Jupyter notebook: its Markdown cells, each report line naming its cell and line."""
    from derivations.check.notebook import NotebookError, markdown_text, read
    from derivations.check.written import check_text
    try:
        found = markdown_text(read(name))
    except NotebookError as error:
        raise UserError(str(error)) from None
    if not found.text.strip():
        raise UserError(f"{name}: the notebook has no Markdown cell to check")
    outcome = check_text(found.text, name, **options)
    outcome.origins = found.origins
    return outcome


#: the losses codegen and gradcheck know by their own derivations; any other name is a spec of derive grad
HOMEWORK_LOSSES = ("svm", "softmax", "logistic")


def given(name: str) -> bool:
    """Whether the option ``name`` was given on the command line (not left at its default)."""
    from click.core import ParameterSource
    return click.get_current_context().get_parameter_source(name) not in (ParameterSource.DEFAULT, None)


@cli.command("codegen", context_settings={"ignore_unknown_options": True})
@click.argument("loss", metavar="LOSS|SPEC")
@click.option("--reg-form", type=click.Choice(("full", "half")), default="full", show_default=True,
              help="svm, softmax, logistic: lambda sum W^2 (gradient 2 lambda W) or (1/2) lambda sum W^2.")
@click.option("--backend", type=click.Choice(("numpy", "torch")), default="numpy", show_default=True,
              help="Array library of the generated code (a spec: NumPy).")
@click.option("--wrt", metavar="NAMES", help="A spec: the arrays to differentiate with respect to (default: its wrt line).")
@click.option("-o", "--output", metavar="FILE.py", help="Write the module to FILE.py (atomically) instead of printing it.")
def codegen(loss, reg_form, backend, wrt, output):
    """A standalone module printed from the verified matrix forms: loss_and_grad(W, X, y, reg) for svm, softmax
    and logistic; for a spec of derive grad (a built-in's name, a file or its text) loss and loss_and_grad, or a
    layer's forward and backward.

    \b
    Examples:
      derive codegen svm -o svm_loss.py && python svm_loss.py
      derive codegen softmax --reg-form half --backend torch
      derive codegen two_layer -o two_layer.py && python two_layer.py
    """
    check_writable(output)
    if loss in HOMEWORK_LOSSES:
        if wrt is not None:
            raise UserError(f"--wrt is for a spec of derive grad; {loss} differentiates with respect to W")
        from derivations.codegen.module import generate
        source = generate(loss, reg_form, backend)
    else:
        if given("reg_form") or backend != "numpy":
            raise UserError("--reg-form and --backend are for svm, softmax and logistic; a spec's code is NumPy and "
                            "its penalty is written in the spec")
        from derivations.engine.inputs import InputError
        try:
            from derivations.gradcode.module import generate as generate_spec
            source = generate_spec(loss, wrt)
        except InputError as error:
            raise UserError(str(error)) from None
    if output and output != "-":
        write_atomically(output, source)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(source, nl=False)


@cli.command("gradcheck", context_settings={"ignore_unknown_options": True})
@click.argument("loss", required=False, metavar="[LOSS|SPEC]")
@click.option("--data", metavar="FILE", help="A .npz or .json file holding X (N x D), y (N labels) and W (D x K); "
                                             "for a spec, .npz with its arrays by name.")
@click.option("--random", "random_shape", metavar="N,D,K", help="Random data of this shape instead of --data "
                                                                "(a spec: sizes by name, N=500,D=3073,H=100,K=10).")
@click.option("--wrt", metavar="NAMES", help="A spec: the arrays to check the gradients of (default: its wrt line).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**32 - 1), help="Seed of --random.")
@click.option("--delta", default="1", show_default=True, metavar="D", help="The SVM margin Delta.")
@click.option("--reg", default="0", show_default=True, metavar="LAMBDA", help="The regularisation strength.")
@click.option("--reg-form", type=click.Choice(("full", "half")), default="full", show_default=True)
@click.option("--h", "step", default="1e-5", show_default=True, metavar="H", help="Step of the centred difference.")
@click.option("--num-checks", default=10, show_default=True, type=click.IntRange(1, 1_000_000),
              help="How many random entries of W to check (seeded by the data).")
@click.option("--all", "all_entries", is_flag=True, help="Check every entry of W.")
@click.option("--kink-demo", is_flag=True, help="Seed 002, Question 1: the one-dimensional example and how often "
                                                "a check fails against Delta and h (a simulation).")
@output_options
def gradcheck(loss, data, random_shape, wrt, seed, delta, reg, reg_form, step, num_checks, all_entries, kink_demo,
              fmt, output, pdf, no_cache):
    """Check the generated analytic gradient against centred differences, naming the kinks.

    Exit status 1 when an entry fails that no kink explains.

    \b
    Examples:
      derive gradcheck svm --random 500,3073,10
      derive gradcheck softmax --data batch.npz --all --format json
      derive gradcheck --kink-demo -o kinks.md
      derive gradcheck two_layer --random N=50,D=20,H=10,K=5
    """
    def make():
        from derivations.codegen import checking
        if kink_demo:
            return checking.kink_demo(h=step, seed=seed)
        if loss is None:
            raise UserError("name the loss: derive gradcheck svm|softmax|logistic|SPEC (or --kink-demo)")
        if loss not in HOMEWORK_LOSSES:
            if given("delta") or given("reg") or given("reg_form"):
                raise UserError("--delta, --reg and --reg-form are for svm, softmax and logistic; a spec gives its "
                                "scalars in --data or in the spec")
            from derivations.gradcode import checking as spec_checking
            return spec_checking.gradcheck(loss, wrt, data=data, random=random_shape, seed=seed, h=step,
                                           num_checks=num_checks, all_entries=all_entries)
        if wrt is not None:
            raise UserError(f"--wrt is for a spec of derive grad; {loss} checks W")
        return checking.gradcheck(loss, data=data, random=random_shape, seed=seed, delta=delta, reg=reg,
                                  reg_form=reg_form, h=step, num_checks=num_checks, all_entries=all_entries)
    report = run(make, fmt, output, pdf, cacheable=False)
    if not report.passed:
        raise click.exceptions.Exit(1)


@cli.command("train")
@click.argument("loss", type=click.Choice(("svm", "softmax")), metavar="LOSS")
@click.option("--dataset", type=click.Choice(("digits",)), help="scikit-learn's 8x8 digits (needs derive[train]).")
@click.option("--data", metavar="FILE", help="Your own .npz or .json file holding X (N x D) and y (N labels).")
@click.option("--epochs", default="20", show_default=True, metavar="E")
@click.option("--lr", default="0.5", show_default=True, metavar="RATE", help="Learning rate.")
@click.option("--reg", default="0.001", show_default=True, metavar="LAMBDA", help="Regularisation strength.")
@click.option("--batch-size", default="64", show_default=True, metavar="B")
@click.option("--delta", default="1", show_default=True, metavar="D", help="The SVM margin Delta.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**32 - 1))
@click.option("--save-weights", "save_weights", metavar="FILE.npz",
              help="Also write the trained weights to FILE.npz (NumPy: W, a row per feature, the last the bias, a "
                   "column per class; and the class names), atomically.")
@output_options
def train(loss, dataset, data, epochs, lr, reg, batch_size, delta, seed, save_weights, fmt, output, pdf, no_cache):
    """Train a linear classifier by minibatch SGD with the generated loss_and_grad; show the learned weights.

    \b
    Examples:
      derive train softmax --dataset digits -o digits.md
      derive train svm --dataset digits --epochs 30 --lr 0.1 --pdf
      derive train softmax --dataset digits --save-weights W.npz --format json -o run.json
    """
    if save_weights is not None:
        if not save_weights.lower().endswith(".npz") or save_weights == "-":
            raise UserError(f"--save-weights must name a .npz file (NumPy's format), not {save_weights!r}")
        check_writable(save_weights)

    def make():
        from derivations.codegen.training import train as train_model
        from derivations.codegen.training import weights_npz
        if sys.stderr.isatty():
            total = int(epochs) if str(epochs).isdigit() else 0
            with click.progressbar(length=total, label="training", file=sys.stderr) as bar:
                report = train_model(loss, dataset=dataset, data=data, epochs=epochs, lr=lr, reg=reg,
                                     batch_size=batch_size, seed=seed, delta=delta, progress=bar.update)
        else:
            report = train_model(loss, dataset=dataset, data=data, epochs=epochs, lr=lr, reg=reg,
                                 batch_size=batch_size, seed=seed, delta=delta)
        if save_weights is not None:                    # before the report: a failure leaves no report behind
            write_atomically(save_weights, weights_npz(report))
            click.echo(f"wrote {save_weights}", err=True)
        return report
    run(make, fmt, output, pdf, cacheable=False)


@cli.command("backprop", context_settings={"ignore_unknown_options": True})
@click.argument("expression")
@click.option("--at", "at", required=True, metavar="X=V,...",
              help="The point: a value for each variable, e.g. x=-2,y=5,z=-4 (or w=[2,-3,-3] for w_0..w_2).")
@output_options
def backprop(expression, at, fmt, output, pdf, no_cache):
    """Backpropagation of EXPRESSION at a point, through its computational graph.

    The expression is staged into gates (add, multiply, *-1, 1/x, exp, max, sigma, ...); the report
    has the forward pass, the backward pass (upstream x local gradient), the gradients of the inputs
    checked against derive diff, every local gradient verified, and a picture of the graph (with -o,
    written beside a Markdown or LaTeX report, and in the PDF; needs Graphviz's dot). Names as in derive
    diff (w0 is w_0). Exit status: 0 a report, 2 bad input or a value beyond double precision, 3 a
    derivative left unevaluated.

    \b
    Examples:
      derive backprop "(x + y)*z" --at x=-2,y=5,z=-4
      derive backprop "1/(1 + exp(-(w_0*x_0 + w_1*x_1 + w_2)))" --at "w=[2,-3,-3],x=[-1,-2]"
      derive backprop "1/(1+exp(-(w0*x0+w1*x1+w2)))" --at w0=2,x0=-1,w1=-3,x1=-2,w2=-3
      derive backprop "(x + sigma(y))/(sigma(x) + (x + y)^2)" --at x=3,y=-4 -o graph.md
    """
    def make():
        from derivations.calculus.backprop import backprop as run_backprop
        return run_backprop(expression, at)
    exit_if_unevaluated(run(make, fmt, output, pdf, no_cache))


@cli.command("check")
@click.argument("sheets", nargs=-1, metavar="SHEET_OR_DIR...")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "csv", "grades", "gradescope", "markdown", "latex")),
              default="text", show_default=True,
              help="Report format: grades is one CSV row per student (with --roster, the roster's rows); gradescope "
                   "is Gradescope's autograder results.json for one sheet.")
@click.option("--roster", metavar="ROSTER.csv", help="--format grades: the LMS's roster CSV, its rows and columns kept, "
                                                     "the grades added.")
@click.option("--feedback-dir", metavar="DIR", help="Also write one Markdown feedback file per student into DIR.")
@click.option("--key", "keys", metavar="DIR", help="Grade each sheet as its key in DIR sets it (derive problems' "
                                                  "keys/ or sheets/): only the answers come from the student's sheet.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE (atomically).")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option("--timeout", type=FiniteRange(0.1, 600), default=2.0, show_default=True,
              help="Seconds allowed to check one answer.")
@click.option("--follow-through", type=FiniteRange(0, 1), default=None,
              help="Credit (0..1) for an answer that follows from the student's own wrong intermediate.")
@click.option("--list-quantities", is_flag=True, help="List the quantities a sheet can ask for, and exit.")
def check(sheets, fmt, roster, feedback_dir, keys, output, jobs, timeout, follow_through, list_quantities):
    """Grade answer sheets (YAML or JSON files, or folders of them) against the derivations.

    Exit status: 0 when every sheet was graded, 1 when some could not be read, 2 for a usage error.

    \b
    Examples:
      derive check sheets/ --jobs 2 --format csv -o grades.csv
      derive check sheets/ --format grades --roster canvas_roster.csv -o grades.csv --feedback-dir feedback/
      derive check /autograder/submission/sheet.yaml --format gradescope -o /autograder/results/results.json
      derive check filled/ --key hw3/keys/ --format grades -o grades.csv
    """
    from derivations.check.quantities import all_quantities
    if list_quantities:
        from derivations.check.precision import DEFAULT
        quantities = all_quantities()
        width = max(len(q.name) for q in quantities)
        for q in quantities:
            needs = f"  (needs {', '.join(q.needs)})" if q.needs else ""
            click.echo(f"{q.name.ljust(width)}  {q.kind:10}  {q.notation}{needs}")
        click.echo("")
        click.echo(f"Default precision: {DEFAULT.describe()}; a sheet's or an item's "
                   f"precision: {{sig_figs: N, intermediate_figures: N, truncation: false}} changes it.")
        click.echo("Numbers may carry words or units (2 (hinge loss), 1.318 nats), ≈, a decimal comma "
                   "(when the sheet uses it, or says options: {decimal_comma: true}); vectors [-1 0 1], -1, 0, 1, "
                   "tensor([...]), array([...]). A formula quantity needs a formula unless the item says "
                   "accept_numbers: true.")
        return
    if not sheets:
        raise UserError("no sheets given: derive check SHEET_OR_DIR...")
    check_writable(output)
    if roster and fmt != "grades":
        raise UserError("--roster goes with --format grades")
    if feedback_dir is not None:
        _check_folder(feedback_dir, "--feedback-dir")
    from derivations.check import batch, lms, report
    from derivations.engine.inputs import InputError
    roster_text = None
    if roster:
        try:
            roster_text = lms.read_roster(roster)
        except ValueError as error:
            raise UserError(str(error)) from None
    defaults = {} if follow_through is None else {"follow_through": follow_through}
    if keys is not None:
        try:
            defaults["keys"] = batch.key_paths(keys)
        except InputError as error:
            raise UserError(str(error)) from None
    # formulas as read and worked derivations: only Markdown and LaTeX show them
    detail = fmt in ("markdown", "latex") or feedback_dir is not None
    try:
        files = batch.find_sheets(sheets)
    except InputError as error:
        raise UserError(str(error)) from None
    if not files:
        raise UserError("no .yaml, .yml or .json sheets found in " + ", ".join(sheets))
    if fmt == "gradescope" and len(files) != 1:
        raise UserError(f"--format gradescope writes the results of one submission (Gradescope runs the autograder "
                        f"once per student); {len(files)} sheets were given")
    if sys.stderr.isatty():
        with click.progressbar(length=len(files), label="grading", file=sys.stderr) as bar:
            results = batch.grade_paths(files, jobs=jobs, timeout=timeout, defaults=defaults, progress=bar.update,
                                        detail=detail)
    else:
        results = batch.grade_paths(files, jobs=jobs, timeout=timeout, defaults=defaults, detail=detail)
    if fmt == "gradescope":
        text = lms.gradescope(results[0])
    elif fmt == "grades":
        try:
            text = lms.grades_csv(results, roster_text)
        except ValueError as error:
            raise UserError(str(error)) from None
    else:
        text = report.render(results, fmt)
    if feedback_dir is not None:
        folder = Path(feedback_dir)
        folder.mkdir(parents=True, exist_ok=True)
        written = lms.feedback_files(results)
        for name, content in written.items():
            write_atomically(str(folder / name), content)
        click.echo(f"wrote {len(written)} feedback file{'s' if len(written) != 1 else ''} into {folder}", err=True)
    if output and output != "-":
        write_atomically(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
    if any(result.error for result in results):
        raise click.exceptions.Exit(1)


@cli.command("check-code")
@click.argument("paths", nargs=-1, metavar="FILE_OR_DIR...")
@click.option("--loss", type=click.Choice(("svm", "softmax", "logistic")), required=True,
              help="The loss the functions compute.")
@click.option("--function", "functions", metavar="NAME[,NAME]",
              help="The functions to check (default: svm_loss_naive,svm_loss_vectorized and likewise).")
@click.option("--delta", default="1", show_default=True, metavar="D", help="The SVM margin Delta.")
@click.option("--reg-form", type=click.Choice(("full", "half", "auto")), default="auto", show_default=True,
              help="The penalty: λΣW² (full), ½λΣW² (half), or either, named (auto).")
@click.option("--format", "fmt", type=click.Choice(("text", "markdown", "json", "gradescope")), default="text",
              show_default=True, help="Report format (gradescope: Gradescope's results.json).")
@click.option("-o", "--output", metavar="FILE",
              help="Write the report to FILE (atomically); for gradescope and several submissions, a folder.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Submissions at a time.")
@click.option("--timeout", type=click.FloatRange(0.5, 3600), default=20.0, show_default=True,
              help="Seconds of wall time for each function (all its calls), and for loading a file.")
@click.option("--memory", "memory_mb", type=click.IntRange(256, 65536), default=2048, show_default=True,
              help="Megabytes a submission may allocate beyond Python and NumPy.")
@click.option("--no-bwrap", is_flag=True, help="Resource limits alone, even where bubblewrap works.")
def check_code(paths, loss, functions, delta, reg_form, fmt, output, jobs, timeout, memory_mb, no_bwrap):
    """Run students' loss-and-gradient functions in a sandbox and grade them against the verified derivation.

    Each function f(W, X, y, reg) -> (loss, dW) runs on generated inputs (margins exactly 0, ties, a label
    never used, scores near 1,000, the CIFAR shape N = 500, D = 3073, K = 10); its loss and dW are compared
    with the reference printed from the verified matrix form, and a wrong one is matched against the
    generated mistakes to name the mistake.

    Exit status: 0 when every submission was graded, 1 when some file could not be loaded, 2 for a usage error.
    """
    import re
    if not paths:
        raise UserError("no submissions given: derive check-code FILE_OR_DIR... --loss svm|softmax|logistic")
    names = tuple(n.strip() for n in functions.split(",")) if functions else ()
    if len(names) > 10 or any(not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,79}", n) for n in names):
        raise UserError("--function must be one to ten Python names separated by commas, e.g. "
                        "svm_loss_naive,svm_loss_vectorized")
    from derivations.engine.inputs import InputError, number
    try:
        delta_value = float(number(delta, "--delta"))
    except InputError as error:
        raise UserError(str(error)) from None
    if not 0 < delta_value <= 1e6:
        raise UserError(f"--delta must be a positive number, not {delta}")
    from derivations.checkcode import batch
    try:
        submissions = batch.find_submissions(paths)
    except InputError as error:
        raise UserError(str(error)) from None
    if not submissions:
        raise UserError("no .py files found in " + ", ".join(paths))
    several_for_gradescope = fmt == "gradescope" and len(submissions) > 1
    if several_for_gradescope:
        if not output or not Path(output).is_dir():
            raise UserError("--format gradescope with several submissions needs -o FOLDER (an existing folder): "
                            "one results.json is written for each submission")
    else:
        check_writable(output)
    from derivations.checkcode import gradescope, report
    from derivations.checkcode.grade import Grader, Settings
    from derivations.checkcode.sandbox import Limits
    settings = Settings(loss, names, delta_value, reg_form, Limits(timeout=timeout, memory_mb=memory_mb),
                        allow_bwrap=not no_bwrap)
    with Grader(settings) as grader:
        if sys.stderr.isatty():
            with click.progressbar(length=len(submissions), label="checking", file=sys.stderr) as bar:
                results = batch.grade_all(grader, submissions, jobs, progress=bar.update)
        else:
            results = batch.grade_all(grader, submissions, jobs)
        header = {"loss": loss, "functions": grader.functions, "reg_form": reg_form, "delta": delta_value,
                  "isolation": grader.describe_isolation(),
                  "isolation_details": grader.isolation.to_dict(settings.limits),
                  "regs": {name: i.reg for name, i in grader.inputs.items()}}
    if several_for_gradescope:
        for result in results:
            folder = Path(output) / str(Path(result.name).with_suffix(""))
            folder.mkdir(parents=True, exist_ok=True)
            write_atomically(str(folder / "results.json"), gradescope.render(result))
        click.echo(f"wrote {len(results)} results.json under {output}", err=True)
    else:
        text = gradescope.render(results[0]) if fmt == "gradescope" else report.render(results, fmt, header)
        if output and output != "-":
            write_atomically(output, text)
            click.echo(f"wrote {output}", err=True)
        else:
            click.echo(text, nl=False)
    if any(result.error for result in results):
        raise click.exceptions.Exit(1)


@cli.command("problems")
@click.argument("family", type=click.Choice(("svm", "softmax", "weights", "batch", "logistic")), metavar="FAMILY")
@click.option("--students", required=True, metavar="N|ROSTER.csv",
              help="How many students (ids s001 ...), or a roster CSV whose id column names them.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="The course's seed: the same seed and student id give the same variant.")
@click.option("-o", "--output", "folder", required=True, metavar="DIR",
              help="Folder for sheets/ (to fill in), problems/ (the text) and keys/ (the answer keys).")
@click.option("--pdf", is_flag=True, help="Also compile each problem text to PDF (needs pdflatex).")
@click.option("--tie", is_flag=True, help="SVM families: put one margin exactly on its kink (0) in each variant.")
def problems(family, students, seed, folder, pdf, tie):
    """Per-student variants of a problem: a sheet to fill in, the problem text and an answer key each.

    FAMILY is svm, softmax, weights (one example's dW), batch (X, y, W, reg) or logistic. Each variant is
    drawn from the seed and the student's id, and again until it exercises every case (violated and cleared
    margins, no margin near its kink, probabilities that need 3 figures, ...). Grade the filled-in sheets
    with derive check DIR/sheets/; each is graded against its own given.

    \b
    Examples:
      derive problems svm --students 120 --seed 2024 -o hw2/
      derive problems batch --students roster.csv --seed 7 -o hw3/ --pdf
    """
    from derivations.check import problems as made
    try:
        ids = made.students_from(students)
    except ValueError as error:
        raise UserError(str(error)) from None
    if tie and family not in ("svm", "weights", "batch"):
        raise UserError(f"--tie puts an SVM margin on its kink: it is for svm, weights or batch, not {family}")
    _check_folder(folder, "-o")
    if pdf:
        from derivations.report.latex import pdflatex
        if pdflatex() is None:
            raise UserError("--pdf needs pdflatex (Debian: apt-get install texlive-latex-base "
                            "texlive-latex-recommended lmodern); leave out --pdf for Markdown only")
    root = Path(folder)
    for sub in ("sheets", "problems", "keys"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    count = 0
    for name, problem, files in made.files_for(family, ids, seed, tie):
        for relative, text in files.items():
            write_atomically(str(root / relative), text)
        if pdf:
            from derivations.report.latex import LatexFailed, compile_pdf
            try:
                write_atomically(str(root / "problems" / f"{name}.pdf"), compile_pdf(made.latex_text(problem, seed)))
            except LatexFailed as error:
                raise click.ClickException(f"the problem text of {problem.student} did not compile: {error}") from None
        count += 1
    click.echo(f"wrote {count} variant{'s' if count != 1 else ''} of {family} into {root}/ (sheets/, problems/, "
               f"keys/)", err=True)


def _check_folder(path: str, what: str) -> None:
    """Fail before any work when ``path`` cannot be a folder to write into (made when missing)."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{what} {path}: not a folder")
    parent = folder if folder.exists() else next((p for p in folder.resolve().parents if p.exists()), Path("."))
    if not os.access(parent, os.W_OK):
        raise UserError(f"{what} {path}: permission denied")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; another than this machine's own (127.0.0.1) lets others reach it.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: a free one, printed).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes that build derivations and check texts and sheets.")
@click.option("--timeout", type=FiniteRange(0.1, 600), default=10.0, show_default=True,
              help="Seconds one line of a derivation may take to check (as derive verify --timeout).")
def serve(host, port, workers, timeout):
    """A local web app: the derivations with typeset maths, "Check my derivation", "Check my answers".

    Needs the web extra: pip install "derive[web]". Open the address it prints in a browser.
    The pages and their JSON API (/api/derive/COMMAND, /api/verify, /api/check) need no network.

    \b
    Examples:
      derive serve
      derive serve --port 8080 --workers 4
    """
    from derivations.web import INSTALL_HINT, missing_packages
    missing = missing_packages()
    if missing:
        raise UserError(f"derive serve needs the web extra ({', '.join(missing)} missing): {INSTALL_HINT}")
    from derivations.web.app import is_loopback
    from derivations.web.app import serve as run_server
    from derivations.web.limits import Limits
    if not is_loopback(host):
        click.echo(f"derive serve: warning: listening on {host}: anyone who can reach this machine there can use "
                   f"it; the default, 127.0.0.1, is reachable from this machine only", err=True)
    try:
        run_server(host, port, Limits(workers=workers, line_timeout=timeout), announce=click.echo)
    except OSError as error:
        raise UserError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


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
