"""What the written checker says, in words and mathematics: one model for every format of its report.

The checker's readings (a definition, a given value, a case), its reasons, notes, diagnoses and
counterexamples are made with :func:`said`: words (strings) and formulas (SymPy objects, each shown as
the text writes it by :func:`shown`), as :func:`~derivations.check.feedback.words` makes the grader's
feedback. The result is a :class:`Said`: the plain text a terminal and the JSON report show (the formulas
as the terminal printer writes them: ``Lᵢ = Σ_{j≠yᵢ} ...``), carrying the paragraph it was made from, which
the Markdown and LaTeX reports typeset (each formula through the printers, ``$...$``). A plain string the
checker passes on (a parse error's message) is shown by :func:`paragraph` as
:func:`~derivations.check.feedback.foreign` shows another layer's message: its names and quotes in code type.
"""
from __future__ import annotations

import re

import sympy
from sympy import Indexed, Symbol

from ...engine.steps import Text
from ..feedback import Code, Math, Paragraph, Quote, decimal, foreign, plain, words

__all__ = ["Code", "Quote", "Said", "said", "joined_said", "paragraph", "shown", "Shown", "displayed", "show", "reason",
           "sigmoid_said", "number", "numbers", "compared", "counterexample_said", "described", "not_read"]


class Said(str):
    """Plain text (as a terminal and the JSON report show it) that carries its paragraph of words and maths.

    It is a string wherever the checker's callers read one (``in``, ``startswith``, JSON); what is built from
    it with string operations is a plain string again (shown as another layer's message)."""

    paragraph: Paragraph

    def __new__(cls, paragraph: Paragraph, text: str | None = None):
        made = super().__new__(cls, plain(paragraph) if text is None else text)
        made.paragraph = paragraph
        return made

    def __reduce__(self):
        """Pickled (from the worker that checks a text to its parent) with its paragraph, each formula's relations
        rebuilt unevaluated: SymPy rebuilds Eq(s, [3, -1, 4]) or 2 > 0 from its arguments, which would evaluate
        them to False and True."""
        paragraph = self.paragraph
        segments = [(_frozen(s.expr), s.display) if isinstance(s, Math) else s for s in paragraph.segments]
        return (_thawed, (str(self), segments, paragraph.kind))


def _frozen(expr):
    """``expr`` for pickling: a relation (and what holds one: a formula as shown, a ≈ b) as its parts."""
    from ...engine.notation import Infix
    if isinstance(expr, (sympy.core.relational.Relational, Shown, Infix)):
        return ("built", type(expr), tuple(_frozen(a) for a in expr.args))
    return ("expr", expr)


def _unfrozen(frozen):
    if frozen[0] == "expr":
        return frozen[1]
    kind, args = frozen[1], [_unfrozen(a) for a in frozen[2]]
    if issubclass(kind, sympy.core.relational.Relational):
        return kind(*args, evaluate=False)
    return kind(*args)


def _thawed(text: str, segments: list, kind: str) -> Said:
    shown = [Math(_unfrozen(s[0]), display=s[1]) if isinstance(s, tuple) else s for s in segments]
    return Said(Paragraph(shown, kind), text)


def said(*parts) -> Said:
    """Words (strings) and formulas (SymPy objects, :class:`Said` and paragraphs) as one :class:`Said`."""
    return Said(words(*[part.paragraph if isinstance(part, Said) else part for part in parts]))


def joined_said(parts, separator: str = ", ") -> Said:
    """``parts`` (each something :func:`said` takes) separated by ``separator``."""
    out = []
    for part in parts:
        if out:
            out.append(separator)
        out.append(part)
    return said(*out)


def paragraph(value) -> Paragraph:
    """What the reports typeset for ``value``: a :class:`Said`'s paragraph, a paragraph itself, and a plain
    string as another layer's message (its names in code type)."""
    if isinstance(value, Said):
        found = value.paragraph
    elif isinstance(value, Paragraph):
        found = value
    else:
        found = foreign(str(value or ""))
    return Paragraph(_with_sizes(found.segments), found.kind)


#: the sizes a verification set, as the engine writes them: "K = 2..5", "D = 3..5", "K = 3"
_SIZES = re.compile(r"\b([KDN]) = (\d+)(?:\.\.(\d+))?\b")


def _with_sizes(segments) -> list:
    """The sizes in a verification's words as maths, as the derivations' reports write them: $K$ = 2, ..., 5 and
    $K = 3$ (the words of the engine's detail, "instantiated: K = 2..5, 14 index choices", are a string)."""
    out = []
    for segment in segments:
        if type(segment) is not Text or not _SIZES.search(segment.text):
            out.append(segment)
            continue
        at = 0
        for found in _SIZES.finditer(segment.text):
            out.append(Text(segment.text[at:found.start()]))
            letter, low, high = found.groups()
            if high is None:
                out.append(Math(sympy.Eq(Symbol(letter), sympy.Integer(int(low)), evaluate=False)))
            else:
                out += [Math(Symbol(letter)), Text(f" = {low}, ..., {high}")]
            at = found.end()
        out.append(Text(segment.text[at:]))
    return [segment for segment in out if not (type(segment) is Text and not segment.text)]


# --- a formula as the text writes it -------------------------------------------------------------------

def displayed(expr):
    """``expr`` as the text writes it: y_n for an example's label, w_j for the entries W_{c,j} of the column
    w_j (a vector's component left out)."""
    from ...parse.written_arrays import ROW
    from .names_examples import FAMILY_MARK
    from .roles import COMPONENT, shown_labels
    expr = shown_labels(expr)
    if isinstance(expr, sympy.Basic):                                # L•[n]: the quantity L_n as written
        expr = expr.replace(
            lambda e: isinstance(e, Indexed) and e.base.label.name.endswith(FAMILY_MARK),
            lambda e: sympy.Symbol(e.base.label.name[:-len(FAMILY_MARK)].replace("^", "_" + ",".join(
                str(i) for i in e.indices) + "^", 1) if "^" in e.base.label.name else
                e.base.label.name[:-len(FAMILY_MARK)] + "_" + ",".join(str(i) for i in e.indices)))
    if isinstance(expr, sympy.Basic) and expr.has(ROW):             # a matrix: its entry (r, c)
        taken = {s.name for s in expr.free_symbols}
        row, column = ("r", "c") if not taken & {"r", "c"} else ("row", "col")
        return expr.xreplace({ROW: Symbol(row, integer=True), COMPONENT: Symbol(column, integer=True)})
    if isinstance(expr, sympy.Basic) and expr.has(COMPONENT):
        def vector(e):
            indices = [i for i in e.indices if i != COMPONENT]
            name = "w" if e.base.label.name == "W" else e.base.label.name
            shown = ",".join(str(i).replace("~", "") for i in indices)
            return sympy.Symbol(f"{name}_{{{shown}}}" if len(shown) > 1 else f"{name}_{shown}" if indices else name)
        expr = expr.replace(lambda e: isinstance(e, Indexed) and COMPONENT in e.indices, vector)
        expr = expr.replace(                                          # the one-hot vector e_y at its component
            lambda e: isinstance(e, sympy.KroneckerDelta) and COMPONENT in e.args,
            lambda e: sympy.Symbol("e_" + str(next(a for a in e.args if a != COMPONENT)).replace("~", "")))
    return expr


def show(expr) -> str:
    """An expression for a message: as :func:`displayed`, bound indices as their letters (j, not j~)."""
    from ...report.printing import text
    return text(displayed(expr)).replace("~", "")


class Shown(sympy.Expr):
    """A formula of the text, shown as the text writes it (:func:`displayed`: y_n for an example's
    label, w_j for a column of W; bound indices as their letters, j and not j~). Only shown, never computed
    with: the checker reads and judges the expression inside."""

    is_commutative = True

    def __new__(cls, expr):
        return sympy.Expr.__new__(cls, expr)

    @property
    def inner(self):
        return self.args[0]

    def _shown(self):
        inner = self.inner
        if isinstance(inner, (sympy.Eq, sympy.Ne)):       # a case: both sides, as show_relation writes it
            from .roles import shown_labels
            inner = shown_labels(inner)
            return inner.lhs, inner.rhs, "=" if isinstance(inner, sympy.Eq) else "≠"
        return displayed(inner), None, None

    def _derive_text(self, printer):
        from ...report.printing import text
        left, right, relation = self._shown()
        if relation is not None:
            return f"{text(left)} {relation} {text(right)}"
        return text(left).replace("~", "")

    def _derive_latex(self, printer):
        from ...report.printing import latex
        left, right, relation = self._shown()
        if relation is not None:
            shown = " ".join([latex(left), "=" if relation == "=" else r"\neq", latex(right)])
        else:
            shown = latex(left)
        return shown.replace("~", "")

    def _sympystr(self, printer):
        return self._derive_text(printer)


def shown(expr):
    """``expr`` as the text writes it, for :func:`said` (a number or a name as it is)."""
    if isinstance(expr, Shown) or not isinstance(expr, sympy.Basic):
        return expr
    return Shown(expr)


def reason(error: Exception):
    """What an error says: its :class:`Said` when it was raised with one (an :class:`~.verdicts.Unread` of the
    checker's), else its message as another layer's (what it quotes in code type)."""
    if error.args and isinstance(error.args[0], Said):
        return error.args[0]
    return Said(foreign(str(error)))


def sigmoid_said(function=None) -> Said:
    """σ(u) = 1 / (1 + e^(-u)) (or f(u) = ... for the name a text gives the sigmoid): the definition taken."""
    u = sympy.Symbol("u")
    name = function(u) if function is not None else sympy.Function("sigma")(u)
    return said(name, " = ", 1 / (1 + sympy.exp(-u)))


def number(value, text: str | None = None):
    """A number as the report shows it in maths: ``text`` (the digits written) when it is a decimal, else
    ``value`` to 6 significant figures (an integer as such)."""
    from ..feedback import shown as feedback_shown
    if text is not None:
        try:
            return decimal(text.strip())
        except ValueError:
            return Quote(text.strip())
    return feedback_shown(value)


def numbers(values) -> sympy.ImmutableMatrix:
    """A vector of numbers as a row, each to 6 significant figures."""
    return sympy.ImmutableMatrix([[number(v) for v in values]])


#: relations between two numbers, as SymPy writes them (unevaluated)
_RELATIONS = {"<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge}


def compared(left, relation: str, right, negated: bool = False) -> list:
    """``left relation right`` for :func:`said`: one formula (0.3 < 0.5), or, negated, the two numbers with the
    relation in words (0.7 is not less than 0.5); ≫ and ≪ in words."""
    if relation in _RELATIONS and not negated:
        return [_RELATIONS[relation](left, right, evaluate=False)]
    words = {"<": "less than", ">": "greater than", "<=": "at most", ">=": "at least", ">>": "much greater than",
             "<<": "much less than"}.get(relation, relation)
    return [left, f" is {'not ' if negated else ''}{words} ", right]


# --- a counterexample ---------------------------------------------------------------------------------

#: Greek letters as the written checker may name them, and SymPy's names for them
_GREEK = {"Δ": "Delta", "δ": "delta", "σ": "sigma", "α": "alpha", "λ": "lambda", "β": "beta"}


def _name(name: str):
    """A name the written checker gives a value of (``K``, ``y_i``, ``s_0``, ``W_1,2``, ``Delta``) as SymPy."""
    base, _, indices = name.partition("_")
    parts = indices.split(",") if indices else []
    if base and parts and all(part.lstrip("-").isdigit() for part in parts):
        return sympy.Indexed(sympy.IndexedBase(base), *[sympy.Integer(int(part)) for part in parts])
    return sympy.Symbol(name)


_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", "0123456789aehijklmnoprstuvx")


def _ascii_name(name: str) -> str:
    """A name the terminal printer wrote with subscript characters (sₖ, t₁) as the text writes it (s_k, t_1)."""
    at = next((i for i, char in enumerate(name) if char.translate(_SUBSCRIPTS) != char), None)
    if at is None or at == 0 or "_" in name:
        return name
    head, tail = name[:at], name[at:].translate(_SUBSCRIPTS)
    head = _GREEK.get(head, head)
    return head + "_" + tail if tail.isascii() else name


def _value(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return sympy.Integer(value) if isinstance(value, int) else decimal(f"{value:.6g}")


def counterexample_said(counterexample) -> Said:
    """Where the two sides of a wrong line differ, in words and maths: at K = 2, s_0 = 0.5: the left side is
    0.3, the right side 1.2."""
    parts = []
    for name, value in list(counterexample.instance.items()) + list(counterexample.values.items()):
        parts += [", "] if parts else []
        name = _ascii_name(_GREEK.get(name, name))
        if name == "...":
            parts.append(f"and {value}")
        elif name in ("component", "entry", "row", "column"):
            parts.append(f"{name} {value}")
        elif (name.isidentifier() or "_" in name) and name.isascii():
            parts += [_name(name), " = ", _value(value)]
        else:
            parts += [f"{name} ", _value(value)]
    where = ["at ", *parts, ": "] if parts else []
    return said(*where, "the left side is ", _value(counterexample.left), ", the right side ",
                _value(counterexample.right))


def not_read(error: Exception) -> Said:
    """Why a definition could not be read: what the error says."""
    return said("a definition that could not be read: ", reason(error))


def described(diagnosis) -> Paragraph:
    """A diagnosis ("tag: what the slip is") without its tag, in words and maths (a plain string as another
    layer's message)."""
    found = paragraph(diagnosis)
    segments = list(found.segments)
    if segments and type(segments[0]) is Text and ": " in segments[0].text:
        rest = segments[0].text.split(": ", 1)[1]
        segments = ([Text(rest)] if rest else []) + segments[1:]
    elif not isinstance(diagnosis, Said):
        return foreign(str(diagnosis).split(": ", 1)[-1])
    return Paragraph(segments, found.kind)
