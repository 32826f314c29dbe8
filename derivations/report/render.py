"""Turning a derivation into text, Markdown, LaTeX or JSON.

The Jinja templates (``templates/<format>/``) place the blocks; the filters
here only *write* things: an expression in the format's notation, words
escaped for the format. No template and no filter does mathematics.
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from sympy import Indexed

from ..engine.steps import Case, CaseSplit, Chain, Claim, Code, Derivation, Paragraph, Quote, Result, Step, Text
from . import printing

FORMATS = ("text", "markdown", "latex", "json")


def template_folder() -> Path:
    """Where the templates are: the ones that sit beside this code first.

    Installed, they are ``derivations/templates``; in a checkout, ``templates/``
    beside ``derivations/``. Those beside the code come first, so that a second
    checkout (a git worktree) renders its own templates even when another
    checkout is the one installed in editable mode.
    """
    package = Path(__file__).resolve().parent.parent          # derivations/
    for folder in (package / "templates", package.parent / "templates"):
        if (folder / "text").is_dir() and (folder / "math").is_dir():
            return folder
    from importlib import resources
    try:
        installed = Path(str(resources.files("derivations.templates")))
        if (installed / "text").is_dir():
            return installed
    except ModuleNotFoundError:
        pass
    return package.parent / "templates"


# --- escaping ------------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", '"': "''",
}
_LIGATURE_HALVES = "-,'`"
_LATEX_UNICODE = {"Δ": r"$\Delta$", "δ": r"$\delta$", "σ": r"$\sigma$", "≠": r"$\neq$", "≤": r"$\leq$",
                  "≥": r"$\geq$", "−": "-", "·": r"$\cdot$", "×": r"$\times$", "—": "---", "–": "--",
                  "’": "'", "‘": "`", "“": "``", "”": "''", "…": r"\dots{}", "⋱": r"$\ddots$", "✓": r"$\checkmark$",
                  "≈": r"$\approx$", "ᵀ": r"$^{T}$", "→": r"$\to$", "←": r"$\leftarrow$", "∞": r"$\infty$",
                  "β": r"$\beta$", "λ": r"$\lambda$", "α": r"$\alpha$", "Σ": r"$\Sigma$", "∘": r"$\circ$",
                  "𝟙": r"$\mathbf{1}$", "∇": r"$\nabla$", "∂": r"$\partial$", "⋮": r"$\vdots$", "⋯": r"$\cdots$",
                  "±": r"$\pm$", "²": r"$^{2}$", "ᵢ": r"$_{i}$", "ⱼ": r"$_{j}$", "ₖ": r"$_{k}$", "ₘ": r"$_{m}$",
                  "ₙ": r"$_{n}$", "ₛ": r"$_{s}$", "⁽": r"$^{(}$", "⁾": r"$^{)}$"}


def escape_latex(text: str) -> str:
    """Words as LaTeX that prints them literally: ``50%_off`` and ``\\input{x}`` stay text, and ``--wrt``
    keeps its two hyphens (TeX's ligatures -- and ,, and '' and `` are broken with an empty group)."""
    out = []
    previous = ""
    for char in str(text):
        if char in _LIGATURE_HALVES and char == previous:
            out.append("{}")
        previous = char
        if char in _LATEX_SPECIAL:
            out.append(_LATEX_SPECIAL[char])
        elif char in _LATEX_UNICODE:
            out.append(_LATEX_UNICODE[char])
        elif ord(char) < 32:
            out.append(" ")
        elif ord(char) > 255:
            out.append(r"\texttt{[U+%04X]}" % ord(char))
        else:
            out.append(char)
    return "".join(out)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]|$~>])")


def escape_markdown(text: str) -> str:
    """Words as Markdown that GitHub and Jupyter show literally (no emphasis, links, maths or HTML)."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return "\\" + text if text[:1] in ("#", "+", "-", "=") else text


def escape_text(text: str) -> str:
    """Words for a terminal: control characters removed."""
    return "".join(c if c.isprintable() else " " for c in str(text))


# --- filters -------------------------------------------------------------------------

def _math_filter(style):
    def show(expr):
        if isinstance(expr, (list, tuple)):
            return [show(e) for e in expr]
        return printing.latex(expr) if style == "latex" else printing.text(expr)
    return show


def _code(text: str, escape) -> str:
    """Typed text (an option, a command) as code: \\texttt in LaTeX, backticks in Markdown, as is in a terminal."""
    if escape is escape_latex:
        return r"\texttt{" + escape_latex(text) + "}"
    if escape is escape_markdown:
        return "`" + str(text).replace("`", "'") + "`"
    return escape(text)


def code_span(text: str) -> str:
    """``text`` as a Markdown code span that shows it literally (backticks in it included)."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _code_filter(escape):
    """Typed text as code in each format: a code span in Markdown, \\texttt in LaTeX, as is in a terminal."""
    if escape is escape_markdown:
        return code_span
    if escape is escape_latex:
        return lambda text: r"\texttt{" + escape_latex(text) + "}"
    return escape


def _segments_filter(style, escape):
    math = _math_filter(style)

    def show(segments):
        if isinstance(segments, str):                   # a message written as plain words
            return escape(segments)
        if isinstance(segments, Paragraph):
            segments = segments.segments
        out = []
        for segment in segments:
            if isinstance(segment, Text):
                out.append(escape(segment.text))
            elif isinstance(segment, Quote) and escape is escape_text:
                out.append("'" + escape(segment.text) + "'")        # a terminal has no code type: quotes
            elif isinstance(segment, Code):
                out.append(_code(segment.text, escape))
            elif style == "latex" and segment.display:      # a formula too wide for a line of words: its own line
                shown = math(segment.expr)
                out.append("\n\n$$\n" + shown + "\n$$\n\n" if escape is escape_markdown else "\n\\[" + shown + "\\]\n")
            elif style == "latex":
                out.append("$" + math(segment.expr) + "$")
            else:
                out.append(math(segment.expr))
        return "".join(out)
    return show


def _kind(block) -> str:
    return type(block).__name__.lower()


def _shown_width(expr) -> int:
    """How many characters ``expr`` takes printed on one line (the terminal's form): a measure of how
    wide a formula is on the page, whatever its markup (layout only, no maths)."""
    return len(_math_filter("text")(expr))


def _latex_width(source) -> int:
    """About how many characters a LaTeX snippet shows: its text without commands, braces and scripts
    (a layout estimate for words such as a step's reason)."""
    import re
    visible = re.sub(r"\\[A-Za-z]+\*?|[{}_^$&]|\\.", "", str(source))
    return len(" ".join(visible.split()))


def _wrap(text: str, indent: str = "", width: int = 88) -> str:
    """Words wrapped for a terminal, every line indented by ``indent``."""
    import textwrap
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


#: a compiled template larger than this is not read from the cache
MAX_BYTECODE_BYTES = 4 << 20


def _bytecode_cache():
    """Jinja's compiled templates, kept in the private cache folder (like Python's __pycache__).

    Compiling the templates of a report takes 70 to 130 ms; loading them, a few. The compiled form is
    marshalled code behind a pickled checksum, so it is kept only where :mod:`derivations.private` keeps
    files: a folder of this user's, every file authenticated with the per-user key before Jinja reads
    it. A planted or edited file is ignored (the template is compiled again), never loaded.
    """
    import jinja2

    from .. import private

    class AuthenticatedBytecodeCache(jinja2.BytecodeCache):
        """Compiled templates stored and read through :mod:`derivations.private` (subfolder ``templates``)."""

        def load_bytecode(self, bucket):
            data = private.load("templates", f"{bucket.key}.cache", MAX_BYTECODE_BYTES)
            if data is not None:
                bucket.bytecode_from_string(data)

        def dump_bytecode(self, bucket):
            private.store("templates", f"{bucket.key}.cache", bucket.bytecode_to_string())

    return AuthenticatedBytecodeCache()


@lru_cache(maxsize=None)
def environment(style: str):
    """The Jinja environment of a format: ``text``, ``markdown`` or ``latex``."""
    import jinja2

    escape = {"text": escape_text, "markdown": escape_markdown, "latex": escape_latex}[style]
    math_style = "text" if style == "text" else "latex"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_folder())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["math"] = _math_filter(math_style)
    env.filters["esc"] = escape
    env.filters["code"] = _code_filter(escape)
    env.filters["segments"] = _segments_filter(math_style, escape)
    env.filters["kind"] = _kind
    env.filters["basename"] = lambda path: str(path).replace("\\", "/").rsplit("/", 1)[-1]
    env.filters["ljust"] = lambda s, width: str(s).ljust(width)
    env.filters["wrap"] = _wrap
    env.tests["indexed"] = lambda expr: isinstance(expr, Indexed)
    env.filters["width"] = lambda s: len(str(s))
    env.filters["shown_width"] = _shown_width
    env.filters["latex_width"] = _latex_width
    segments = env.filters["segments"]
    env.filters["column_widths"] = lambda table: [
        max(len(segments(row[i])) for row in [table.header] + table.rows) for i in range(len(table.header))]
    return env


def render(derivation: Derivation, fmt: str) -> str:
    """The derivation as ``text``, ``markdown``, ``latex`` (a whole document), ``latex-fragment`` or ``json``."""
    if fmt == "json":
        # strict JSON: a number float64 cannot hold is null (see _number), never Infinity or NaN
        return json.dumps(to_dict(derivation), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "latex-fragment":
        return environment("latex").get_template("latex/fragment.tex.j2").render(d=derivation)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    name = {"text": "text/document.txt.j2", "markdown": "markdown/document.md.j2",
            "latex": "latex/document.tex.j2"}[fmt]
    return environment(fmt).get_template(name).render(d=derivation)


# --- JSON ----------------------------------------------------------------------------

def _number(value):
    """A JSON number, or None (null) where float64 cannot hold the value (beyond about 1.8e308)."""
    if value is None:
        return None
    if hasattr(value, "tolist") and getattr(value, "ndim", 0):        # a NumPy array: rows of floats
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_number(v) for v in value]
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _exact(expr) -> str:
    """Every entry of a result, exactly, as ``sstr`` writes it; a long vector whose entries share one long
    denominator (softmax's p_j = e^{s_j} / sum_m e^{s_m}) is written with it once:
    ``Matrix([[e_0, e_1, ...]])/(sum) + Matrix([[c_0, c_1, ...]])``, which ``sympify`` reads back."""
    from sympy import MatrixBase, sstr
    if isinstance(expr, MatrixBase):
        if expr.cols == 1 or expr.rows == 1:
            return _exact(list(expr))
        return _exact([list(expr.row(r)) for r in range(expr.rows)])
    if isinstance(expr, (list, tuple)):
        shared = _shared_denominator(expr)
        if shared is not None:
            return shared
        return "[" + ", ".join(_exact(e) for e in expr) + "]"
    return sstr(expr)


def _shared_denominator(entries):
    """The compact exact form of a long vector n_i / d + c_i with one shared denominator d, or None."""
    from sympy import Add, Mul, Pow, sstr

    from ..engine.sizes import is_long
    if not is_long(len(entries)) or any(isinstance(e, (list, tuple)) for e in entries):
        return None
    denominator, numerators, offsets = None, [], []
    for entry in entries:
        offset = sum((t for t in Add.make_args(entry) if t.is_Number), start=0)
        rest = entry - offset
        factors = Mul.make_args(rest)
        powers = [f for f in factors if isinstance(f, Pow) and f.exp == -1 and isinstance(f.base, Add)]
        if len(powers) != 1 or (denominator is not None and powers[0].base is not denominator
                                and powers[0].base != denominator):
            return None
        denominator = powers[0].base
        numerators.append(Mul(*[f for f in factors if f is not powers[0]]))
        offsets.append(offset)
    if not is_long(len(denominator.args)):
        return None
    text = f"Matrix([[{', '.join(sstr(n) for n in numerators)}]])/({sstr(denominator)})"
    if any(o != 0 for o in offsets):
        text += f" + Matrix([[{', '.join(sstr(o) for o in offsets)}]])"
    return text


def _latex(expr) -> str:
    if isinstance(expr, (list, tuple)):
        return r"\left[" + ", ".join(_latex(e) for e in expr) + r"\right]"
    return printing.latex(expr)


def _side(expr) -> str:
    """One side of a step in SymPy's notation; a long written-out sum or vector with "..." in the middle."""
    from sympy import MatrixBase
    if isinstance(expr, MatrixBase) and (expr.cols == 1 or expr.rows == 1):
        return printing.short_str(list(expr)) if len(expr) <= 10 else printing.short_str(expr)
    if isinstance(expr, MatrixBase):
        return printing.short_str([list(expr.row(r)) for r in range(expr.rows)]) \
            if expr.rows <= 10 and expr.cols <= 10 else printing.short_str(expr)
    return printing.short_str(expr)


def _step_dict(step: Step) -> dict:
    return {
        "rule": step.rule.name,
        "latex": printing.latex(step.before) + " = " + printing.latex(step.after),
        "before": _side(step.before),
        "after": _side(step.after),
        "verified": step.verified,
        "verified_by": step.verification.verified_by if step.verification else None,
    }


def _block_steps(block) -> list[dict]:
    if isinstance(block, Chain):
        return [_step_dict(step) for step in block.steps]
    if isinstance(block, Claim):
        relation = {"=": " = ", "iff": r" \iff "}.get(block.relation, f" {block.relation} ")
        return [{
            "rule": block.rule.name,
            "latex": printing.latex(block.lhs) + relation + printing.latex(block.rhs),
            "before": _side(block.lhs),
            "after": _side(block.rhs),
            "relation": block.relation,
            "verified": block.verified,
            "verified_by": block.verification.verified_by if block.verification else None,
        }]
    if isinstance(block, CaseSplit):
        return [{
            "rule": block.rule.name,
            "latex": ", ".join(printing.latex(case.condition) for case in block.cases),
            "verified": block.verified,
            "verified_by": "each case verified",
            "cases": [_case_dict(case) for case in block.cases],
        }]
    return []


def _case_dict(case: Case) -> dict:
    steps = []
    for block in case.blocks:
        steps += _block_steps(block)
    return {"condition": printing.latex(case.condition), "label": case.label, "verified": case.verified,
            "steps": steps}


def _result_dict(result: Result) -> dict:
    return {"value": _number(result.value), "latex": result.latex if result.latex is not None else _latex(result.expr),
            "exact": result.exact if result.exact is not None else _exact(result.expr),
            "description": result.description}


def plain(words) -> str:
    """A message (plain words, or a paragraph of words and maths) as a terminal shows it."""
    return _segments_filter("text", escape_text)(words)


def markdown_words(words) -> str:
    """A message (plain words, or a paragraph of words and maths) in Markdown: words escaped, formulas $...$."""
    return _segments_filter("latex", escape_markdown)(words)


def exact_text(expr) -> str:
    """Every entry of ``expr`` exactly (a long vector sharing a denominator writes it once)."""
    return _exact(expr)


def to_dict(derivation: Derivation) -> dict:
    """The JSON contract: derivation, parameters, steps, results, warnings, verified."""
    steps = []
    for section in derivation.sections:
        for block in section.blocks:
            for step in _block_steps(block):
                step.setdefault("section", plain(section.title))
                steps.append(step)
    return {
        "derivation": derivation.name,
        "title": derivation.title,
        "parameters": derivation.parameters,
        "steps": steps,
        "results": {name: _result_dict(result) for name, result in derivation.results.items()},
        "warnings": [plain(message) for message in derivation.warnings],
        "verified": derivation.verified,
    }


__all__ = ["render", "to_dict", "plain", "environment", "escape_latex", "escape_markdown", "escape_text",
           "template_folder", "FORMATS"]
