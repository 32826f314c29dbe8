"""Putting in what defined names stand for, before two sides are compared.

A derivation defines names (L_i := sum_{j != y_i} max(0, ...), p_j := e^{s_j} / sum_m e^{s_m},
y := sigma(z)); a step written with them holds when it holds with the definitions put in.
"""
from __future__ import annotations

import sympy
from sympy import Indexed, IndexedBase, Symbol


def expand_definitions(expr, definitions: dict):
    """``expr`` with every defined name replaced by its definition (repeatedly).

    ``definitions`` maps a Symbol to an expression, an IndexedBase to a
    function of the index (``p -> lambda i: e^{s_i} / sum_m e^{s_m}``), or a
    SymPy function class to a function of its arguments (``Sigmoid -> lambda u: 1 / (1 + e^{-u})``).

    A derivative with respect to a defined name (dL/dy with y := sigma(z)) is
    a partial derivative that holds that name as a variable: it is taken by
    ``sympy.diff`` with the name's own definition left out, and only then is
    the name replaced (see :func:`differentiate_by_names`).
    """
    expr = differentiate_by_names(expr, definitions)
    for _ in range(10):
        replaced = expr
        for name, definition in definitions.items():
            if isinstance(name, IndexedBase):
                replaced = replaced.replace(
                    lambda e, n=name: isinstance(e, Indexed) and e.base == n,
                    lambda e, f=definition: f(*e.indices))
            elif isinstance(name, sympy.FunctionClass):
                found = replaced.atoms(name)
                if any(a.has(name) for e in found for a in e.args):         # nested: innermost first
                    replaced = replaced.replace(lambda e, n=name: isinstance(e, n), lambda e, f=definition: f(*e.args))
                elif found:
                    replaced = replaced.xreplace({e: definition(*e.args) for e in found})
            else:
                replaced = replaced.xreplace({name: definition})
        if replaced == expr:
            return expr
        expr = replaced
    return expr


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
