"""Putting verified derivations together: the pieces every loss module uses.

A :class:`Builder` holds the :class:`~derivations.verify.Verifier` of one
derivation and makes verified chains: a derivative from a definition through
the differentiator and the tidying moves, a numeric evaluation written out
term by term, a claim. Nothing leaves a builder unverified.
"""
from __future__ import annotations

import sympy
from sympy import Add, Integer, Mul, Number

from . import rules as R
from .algebra import tidy
from .differentiate import d, differentiate
from .inputs import number
from .notation import Approx, Assign, Equals, Infix, Scientific, Times
from .reading_order import ordered_terms
from .steps import Chain, Claim, Code, Math, Paragraph, Step, Text
from .verify import Verifier


class Builder:
    """Verified chains for one derivation whose names are defined by ``definitions``."""

    def __init__(self, definitions: dict | None = None, **verifier_options):
        self.definitions = dict(definitions or {})
        self.verifier = Verifier(self.definitions, **verifier_options)

    def chain(self, steps, conditions=()) -> Chain:
        """``steps`` as a chain, every one verified (raises VerificationError otherwise)."""
        return self.verifier.chain(steps, conditions)

    def derivative(self, name, definition, var, *, conditions=(), start=None, tidy_moves=None, rule=None,
                   finish=None) -> Chain:
        """d name / d var: substitute the definition, apply the rules, tidy deltas and sums.

        ``start`` may replace d name / d var as the first expression (a case
        may start from d L / d s_k and substitute k = y_i first: pass those
        steps as ``start``, a list of steps ending in d name / d var).
        ``rule`` is the reason for replacing ``name`` by ``definition`` (default:
        the definition itself; a rewritten form of it may say so with a Rewrite).
        ``finish(expr)`` may return more steps from the tidied result (writing
        it back in terms of defined names, say).
        """
        lhs = d(name, var)
        steps = list(start or [])
        steps.append(Step(lhs, d(definition, var), rule or R.Definition(name, definition)))
        steps += differentiate(definition, var)
        kwargs = {} if tidy_moves is None else {"moves": tidy_moves}
        steps += tidy(steps[-1].after, facts=conditions, **kwargs)
        if finish is not None:
            steps += finish(steps[-1].after)
        return self.chain(steps, conditions)

    def claim(self, lhs, rhs, rule, relation="=", conditions=()) -> Claim:
        return self.verifier.claim(Claim(lhs, rhs, rule, relation), conditions)

    def rewrite(self, expr, after, rule, conditions=()) -> Step:
        """One verified step ``expr = after`` by ``rule``."""
        return self.verifier.stamp(Step(expr, after, rule), conditions)


def written_out(expr, values: dict, memo: dict | None = None):
    """``expr`` with ``values`` put in but the arithmetic not done: max(0, -1 - 3 + 1).

    Sums of scores become sums of numbers in reading order; everything else is
    substituted normally. The result equals ``expr.subs(values)``. ``memo`` (for
    these values) lets the entries of a vector share the work on a common part.
    """
    memo = {} if memo is None else memo

    def is_score_term(term):
        _, rest = term.as_coeff_Mul()
        return rest.is_Atom or isinstance(rest, sympy.Indexed)

    def walk(e):
        found = memo.get(e)
        if found is None:
            found = memo[e] = write(e)
        return found if found != e else e

    def write(e):
        if isinstance(e, Add):
            terms = []
            for term in ordered_terms(e):
                value = term.xreplace(values)
                if value == 0 and is_score_term(term) and term.as_coeff_Mul()[0] < 0:
                    value = Mul(-1, value, evaluate=False)          # 1 - t at t = 0 is 1 - 0, not 1 + 0
                terms.append(value if isinstance(value, (Number, Mul)) and is_score_term(term) else walk(term))
            return Add(*terms, evaluate=False)
        if not e.args or isinstance(e, sympy.Indexed):
            return e.xreplace(values)
        return e.func(*[walk(a) for a in e.args], evaluate=False)

    return walk(expr)


_RELATIONS = {"=": sympy.Eq, "≠": sympy.Ne, "<": sympy.Lt, ">": sympy.Gt, "≤": sympy.Le, "≥": sympy.Ge,
              "≈": Approx, "←": Assign, "×": Times}


def sentence(*parts) -> Paragraph:
    """A paragraph from strings (words) and SymPy objects (inline maths).

    ``a, " = ", b`` (two expressions and a relation between them) is one formula, a = b, not two
    formulas and a word: ``Delta, " = ", 1`` is shown as the single formula Δ = 1.
    """
    segments = []
    for part in parts:
        if isinstance(part, str):
            segments.append(Text(part))
        elif isinstance(part, (Text, Code, Math)):
            segments.append(part)
        elif isinstance(part, Paragraph):                    # a message written as a sentence: its segments
            segments.extend(part.segments)
        else:
            segments.append(Math(part if isinstance(part, sympy.Basic) else number(part, "a number in prose")))
    return Paragraph(_join_relations(segments))


def _join_relations(segments):
    """Math, Text(" = "), Math as one Math of the relation (left unevaluated); a = b, " ≈ ", c as a = b ≈ c."""
    operands = (sympy.Expr, sympy.MatrixBase, sympy.MatrixExpr)
    out = []
    for segment in segments:
        out.append(segment)
        if not (len(out) >= 3 and isinstance(out[-1], Math) and isinstance(out[-2], Text)
                and isinstance(out[-3], Math) and out[-2].text.strip() in _RELATIONS
                and not out[-1].display and not out[-3].display and isinstance(out[-1].expr, operands)):
            continue
        left, right, join = out[-3].expr, out[-1].expr, _RELATIONS[out[-2].text.strip()]
        if isinstance(left, (sympy.Rel, Infix)):
            join = Equals if join is sympy.Eq else join
            if not isinstance(join, type) or not issubclass(join, Infix):
                continue
        elif not isinstance(left, operands):
            continue
        relation = join(left, right) if issubclass(join, Infix) else join(left, right, evaluate=False)
        del out[-3:]
        out.append(Math(relation))
    return out


def note(*parts) -> Paragraph:
    paragraph = sentence(*parts)
    paragraph.kind = "note"
    return paragraph


def warning(*parts) -> Paragraph:
    paragraph = sentence(*parts)
    paragraph.kind = "warning"
    return paragraph


def example_origin(scores, options=("--scores", "--label", "--classes")) -> Paragraph:
    """Where a worked example's numbers come from: the homework's example (and how to replace or omit it),
    or the scores given."""
    if scores is None:
        return sentence("The numbers are the homework's example: an image of a cat scored 3 for cat, ", Integer(-1),
                        " for dog and 4 for bird. Give ", Code(options[0]), " (with ", Code(options[1]), " and ",
                        Code(options[2]), ") to work other scores; ", Code("--no-example"),
                        " leaves this section out.")
    return sentence("The numbers are the scores given with ", Code(options[0]), ".")


def decimal_number(text: str):
    """A decimal as written (``"0.25"``, ``"1e-05"``, ``"2.5e-07"``) as SymPy shows it in prose: an integer
    as such, a power of ten as 10^-5, a mantissa times a power of ten, else a Float of the digits written."""
    mantissa, _, exponent = text.lower().partition("e")
    digits = mantissa.lstrip("-").replace(".", "").lstrip("0") or "0"
    number = sympy.Integer(int(float(mantissa))) if float(mantissa) == int(float(mantissa)) else \
        sympy.Float(mantissa, max(1, len(digits)))
    if not exponent:
        return number
    return Scientific(str(number), int(exponent))
