"""Putting in what defined names stand for, before two sides are compared.

A derivation defines names (L_i := sum_{j != y_i} max(0, ...), p_j := e^{s_j} / sum_m e^{s_m},
y := sigma(z)); a step written with them holds when it holds with the definitions put in.
"""
from __future__ import annotations

import sympy
from sympy import Indexed, IndexedBase, Symbol


def expand_definitions(expr, definitions: dict, memo: dict | None = None):
    """``expr`` with every defined name replaced by its definition (repeatedly).

    ``definitions`` maps a Symbol to an expression, an IndexedBase to a
    function of the index (``p -> lambda i: e^{s_i} / sum_m e^{s_m}``), or a
    SymPy function class to a function of its arguments (``Sigmoid -> lambda u: 1 / (1 + e^{-u})``).

    A derivative with respect to a defined name (dL/dy with y := sigma(z)) is
    a partial derivative that holds that name as a variable: it is taken by
    ``sympy.diff`` with the name's own definition left out, and only then is
    the name replaced (see :func:`differentiate_by_names`).

    Each distinct subexpression is expanded once; ``memo`` (for one set of
    definitions) carries that work over between calls, so that the entries of
    a vector sharing one long denominator cost its length once, not once each.
    """
    if not definitions:
        return expr
    return _expand(expr, definitions, {} if memo is None else memo, 0)


#: how deep definitions may refer to other definitions (L_i -> p_{y_i} -> e^{s} / sum)
_MAX_DEPTH = 10


_SAME = object()        # memo: the expression is its own expansion (return it, not an equal copy)
_SIZES = object()       # memo key of the sizes (nodes) of the expansions
#: a log or e^u of more nodes than this is rebuilt as it stands: SymPy's evaluation would ask a K-term
#: sum about its sign, which takes longer than all the rest of a worked example (only large K get there)
_LARGE = 200


def _size(e, sizes) -> int:
    found = sizes.get(e)
    if found is None:
        found = sizes[e] = 1 + sum(_size(a, sizes) for a in e.args)
    return found


def _expand(e, definitions, memo, depth):
    found = memo.get(e)
    if found is not None:
        return e if found is _SAME else found
    result = e
    if isinstance(e, sympy.Derivative) and any(
            v in definitions or (isinstance(v, Indexed) and v.base in definitions) for v, _ in e.variable_count):
        # a derivative with respect to a defined name holds that name as the variable (see below)
        result = _expand(differentiate_by_names(e, definitions), definitions, memo, depth)
    elif depth < _MAX_DEPTH and isinstance(e, Symbol) and e in definitions:
        result = _expand(sympy.sympify(definitions[e]), definitions, memo, depth + 1)
    elif depth < _MAX_DEPTH and isinstance(e, Indexed) and e.base in definitions:
        result = _expand(definitions[e.base](*e.indices), definitions, memo, depth + 1)
    elif e.args and not isinstance(e, IndexedBase):          # a name's label is not an occurrence of it
        args = [_expand(a, definitions, memo, depth) for a in e.args]
        if any(new is not old for new, old in zip(args, e.args)):
            if isinstance(e, (sympy.log, sympy.exp)) and _size(args[0], memo.setdefault(_SIZES, {})) > _LARGE:
                result = e.func(*args, evaluate=False)
            else:
                result = e.func(*args)
    if depth < _MAX_DEPTH and isinstance(result, sympy.Function) and type(result) in definitions:
        # a defined function (sigma(u), w^T x with no argument at all), its arguments expanded first
        result = _expand(definitions[type(result)](*result.args), definitions, memo, depth + 1)
    memo[e] = _SAME if result is e else result
    return result


def differentiate_by_names(expr, definitions: dict):
    """``expr`` with each derivative with respect to a defined Symbol taken by ``sympy.diff``.

    In d L / d y with L := -t log y - (1 - t) log(1 - y) and y := sigma(z),
    y is the variable: L is expanded with every definition except y's and
    differentiated with respect to y; the caller then puts in y's definition.
    Likewise for an entry of a defined indexed name: in d L_i / d s_k with
    s_k := sum_d W_dk x_d, the score s_k is the variable.
    Derivatives with respect to anything else are left for the caller.
    """
    names = {name for name in definitions if isinstance(name, (Symbol, IndexedBase))}
    if not names or not expr.has(sympy.Derivative):
        return expr
    replacements = {}
    for node in expr.atoms(sympy.Derivative):
        held = {v for v, _ in node.variable_count if v in names}
        held |= {v.base for v, _ in node.variable_count if isinstance(v, Indexed) and v.base in names}
        if not held:
            continue
        rest = {name: value for name, value in definitions.items() if name not in held}
        inner = expand_definitions(node.expr, rest)
        variables = [v for v, n in node.variable_count for _ in range(n)]
        replacements[node] = sympy.diff(inner, *variables)
    return expr.xreplace(replacements) if replacements else expr
