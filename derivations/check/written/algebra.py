"""SymPy helpers of the checker: names that can be defined, relations of indices, facts solved for
a name, Einstein's convention, how a step is shown as read."""
from __future__ import annotations

import sympy
from sympy import Eq, Indexed, IndexedBase, Ne, Symbol

from ...engine import notation
from ...engine.notation import COUNTS
from ...parse.written import BOUND_MARK
from .verdicts import Unread

#: expressions longer than this (operations) are not written out in a report
MAX_SHOWN_OPERATIONS = 120


def read_as_written(left, right, relation):
    """(text, (LaTeX left, LaTeX right)) of a step as read, or ("", ()) when a side is too long to show."""
    from ...report.printing import latex
    from .said import displayed, show
    try:
        sides = [displayed(v) for v in (left, right)]
        if any(isinstance(v, sympy.Basic) and sympy.count_ops(v) > MAX_SHOWN_OPERATIONS for v in sides):
            return "", ()
        symbol = {"approx": "≈", "<=": "≤", ">=": "≥", "!=": "≠"}.get(relation, relation if relation in
                                                                      ("<", ">", "=") else "=")
        written = f"{show(sides[0])} {symbol} {show(sides[1])}"
        return written, (latex(sides[0]).replace("~", ""), latex(sides[1]).replace("~", ""))
    except Exception:  # noqa: BLE001 - how a step was read is a courtesy of the report
        return "", ()


def is_number(value) -> bool:
    return isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixBase) and value.is_number \
        and not value.has(sympy.Derivative)


def cannot_evaluate(verification) -> bool:
    detail = verification.detail or ""
    if getattr(verification, "undecided", False):
        return True                                     # too few points compared: neither verified nor refuted
    return detail.startswith("cannot evaluate") or detail.startswith("no point where") or \
        "cannot evaluate a side" in detail


def is_quantity_name(name: str) -> bool:
    base = name.split("_")[0].split("^")[0].rstrip("'")
    return base in ("L", "J", "CE", "E", "R", "ell") or (len(base) > 1 and base.isupper())


def name_key(value):
    """(key, parameters, concrete indices) when ``value`` is a name that can be defined, else (None, (), None)."""
    if isinstance(value, Symbol) and not value.is_integer and value not in COUNTS:
        return value, (), None
    if isinstance(value, Indexed):
        indices = value.indices
        if all(isinstance(i, Symbol) and i.is_integer and not i.name.startswith("y_(") for i in indices) \
                and len(set(indices)) == len(indices):
            return value.base, tuple(indices), None
        if all(i.is_Integer for i in indices):
            return value.base, (), tuple(indices)
    return None, (), None


def letter_of(key) -> str:
    if isinstance(key, IndexedBase):
        return key.label.name
    return str(key)


def relation_indicator(relation):
    if isinstance(relation, Eq):
        return sympy.KroneckerDelta(relation.lhs, relation.rhs)
    if isinstance(relation, Ne):
        return 1 - sympy.KroneckerDelta(relation.lhs, relation.rhs)
    raise Unread(f"the condition {relation} is not read")


def negation_of(relation):
    if isinstance(relation, Eq):
        return Ne(relation.lhs, relation.rhs)
    if isinstance(relation, Ne):
        return Eq(relation.lhs, relation.rhs)
    return sympy.Not(relation)


def index_pairs(indices):
    label = [i for i in indices if i == notation.y]
    others = [i for i in indices if i != notation.y]
    pairs = [(o, label[0]) for o in others] if label else []
    pairs += [(a, b) for n, a in enumerate(others) for b in others[n + 1:]]
    return pairs


def show_relation(relation):
    """A case (k = y_i, j ≠ k) as the text writes it: words and maths (:class:`~.said.Said`)."""
    from .said import said, shown
    if isinstance(relation, (Eq, Ne)):
        return said(shown(relation))
    return said(shown(relation))


def plain_text(value):
    """An expression as the text writes it, for a reading or a reason (:class:`~.said.Said`); a name with indices
    (an IndexedBase) as its letter."""
    from .said import said, shown
    if isinstance(value, sympy.IndexedBase):
        value = value.label
    return said(shown(value))


def describe_definition(key, parameters, at, rhs):
    """A definition as read: L_i = ..., s_j = ..., p_{0,1} = ... (words and maths)."""
    from .said import said, shown
    if isinstance(key, IndexedBase):
        indices = at if at else parameters
        name = sympy.Indexed(key, *indices) if indices else key
    else:
        name = key
    return said(shown(name), " = ", shown(rhs))


def solved_for(lhs, rhs):
    """(atom, value) from an equation: a name on one side, or an unknown it is linear in."""
    for a, b in ((lhs, rhs), (rhs, lhs)):
        if is_atom(a) and not b.has(a) and not (isinstance(a, Symbol) and a in {i.base.label for i in b.atoms(Indexed)}):
            return a, b
    difference = lhs - rhs
    labels = {a.base.label for a in difference.atoms(Indexed)}
    atoms = sorted([x for x in difference.atoms(Indexed, sympy.core.function.AppliedUndef, Symbol)
                    if is_atom(x) and x not in labels and not (isinstance(x, Symbol) and x.name.endswith(BOUND_MARK))],
                   key=str, reverse=True)
    for atom in atoms:
        slope = sympy.diff(difference, atom) if not isinstance(atom, sympy.core.function.AppliedUndef) else None
        if slope is None:
            d = sympy.Dummy()
            slope = sympy.diff(difference.xreplace({atom: d}), d)
            rest = difference.xreplace({atom: d})
            if slope.is_number and slope != 0 and not slope.has(d):
                return atom, sympy.expand(atom - rest.xreplace({d: atom}) / slope)
            continue
        if slope.is_number and slope != 0:
            value = sympy.expand(atom - difference / slope)
            if not value.has(atom):             # c = (... c ...)/2 is no solution: c inside a sum or a function
                return atom, value
    return None


def is_atom(x) -> bool:
    return isinstance(x, (Indexed, sympy.core.function.AppliedUndef)) or \
        (isinstance(x, Symbol) and not x.is_integer and x not in COUNTS)


def summed_repeated_features(expr):
    """Products with a feature index repeated (x_{nd} W_{dj}) summed over it, as Einstein's convention says."""
    from .roles import ROLES

    def role(base, rank, position):
        letter = base.label.name if isinstance(base, IndexedBase) else str(base)
        return ROLES.get((letter, rank, position))

    def visit(e):
        if not e.args or isinstance(e, (Indexed, IndexedBase)):
            return e
        args = [visit(a) for a in e.args]
        e = e.func(*args) if any(a is not b for a, b in zip(args, e.args)) else e
        if isinstance(e, sympy.Mul):
            counts = {}
            for factor in e.args:
                if isinstance(factor, Indexed):
                    for position, index in enumerate(factor.indices):
                        if isinstance(index, Symbol) and index.is_integer and \
                                role(factor.base, len(factor.indices), position) == notation.D:
                            counts.setdefault(index, []).append(factor)
            for index, factors in counts.items():
                if len(factors) == 2 and not index.name.endswith(BOUND_MARK):
                    bound = Symbol(index.name + BOUND_MARK, integer=True)
                    return sympy.Sum(e.xreplace({index: bound}), (bound, 0, notation.D - 1))
        return e
    return visit(expr)

def written_out_sums(value):
    """``value`` with its sums over vectors written out (w = (0.5, -1.0): w_d = 0.5 δ_{0,d} - δ_{1,d}) done: the
    same number for any count past the last entry written, so the count is that; ``value`` when it is not."""
    constants = [a for delta in value.atoms(sympy.KroneckerDelta) for a in delta.args if a.is_Integer]
    counts = [c for c in (notation.K, notation.D) if value.has(c)]
    if not constants or not counts:
        return value
    last = max(int(c) for c in constants) + 1
    found = [value.xreplace({c: last + extra for c in counts}).doit() for extra in (0, 1)]
    return found[0] if found[0] == found[1] and found[0].is_number else value
