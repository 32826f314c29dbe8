"""Putting the text's definitions into an expression before its sides are compared.

A derivative with respect to a defined name (dL/dy with y := sigma(z), dL_i/ds_j with
s_j := w_j^T x_i, dL/dy_T with y_k := softmax) holds that name as the variable: the expression is
expanded with every definition but that name's and differentiated by SymPy, and only then is
the name put in (the engine's :func:`~derivations.engine.verify.differentiate_by_names` does
the same for plain symbols; here indexed names and functions are held too).
"""
from __future__ import annotations

import sympy
from sympy import Derivative, Indexed, IndexedBase, Max, Min, Symbol
from sympy.core.function import AppliedUndef

from ...parse.errors import ParseError

#: how deep definitions may refer to one another
MAX_DEPTH = 12


def definition_key(variable, definitions):
    """The key under which ``variable`` (a Symbol, an Indexed, f(x)) is defined, or None."""
    if isinstance(variable, Symbol) and variable in definitions:
        return variable
    if isinstance(variable, Indexed) and variable.base in definitions:
        if definitions[variable.base].apply(variable.indices) is not None:
            return variable.base
    if isinstance(variable, AppliedUndef) and variable.func in definitions:
        return variable.func
    return None


def expand(expr, definitions: dict):
    """``expr`` with every defined name replaced by its definition (repeatedly, at most MAX_DEPTH deep)."""
    if not definitions or not isinstance(expr, sympy.Basic):
        return expr
    for _ in range(MAX_DEPTH):
        replaced = _once(expr, definitions)
        if replaced == expr:
            return replaced
        expr = replaced
    raise ParseError("the definitions refer to each other in a loop")


def _once(e, definitions):
    if isinstance(e, Derivative):
        return _derivative(e, definitions)
    if isinstance(e, Symbol):
        definition = definitions.get(e)
        return definition.value if definition is not None and definition.value is not None else e
    if isinstance(e, Indexed):
        indices = tuple(_once(i, definitions) for i in e.indices)
        definition = definitions.get(e.base)
        if definition is not None:
            value = definition.apply(indices)
            if value is not None:
                return value
        return e.base[indices] if indices != tuple(e.indices) else e
    if isinstance(e, AppliedUndef):
        args = tuple(_once(a, definitions) for a in e.args)
        definition = definitions.get(e.func)
        if definition is not None and definition.body is not None and len(definition.parameters) == len(args):
            return definition.body.xreplace(dict(zip(definition.parameters, args)))
        return e.func(*args)
    if not e.args or isinstance(e, IndexedBase):
        return e
    args = [_once(a, definitions) for a in e.args]
    if all(a is b for a, b in zip(args, e.args)):
        return e
    if isinstance(e, (Max, Min)):
        return e.func(*args, evaluate=False)
    return e.func(*args)


def fold(expr, key, definition):
    """``expr`` with each occurrence of an indexed name's definition written as that name again.

    d L_i / d s_j with s_j := w_j^T x_i and L_i written in w^T x: the w_j^T x_i in L_i are s_j, so the
    derivative holding s is taken of L_i written in s.
    """
    if not isinstance(key, IndexedBase) or definition.body is None or not definition.parameters:
        return expr
    wilds = [sympy.Wild(f"fold{i}") for i in range(len(definition.parameters))]
    pattern = definition.body.xreplace(dict(zip(definition.parameters, wilds)))
    if pattern.is_Atom or isinstance(pattern, sympy.Wild):
        return expr
    try:
        return expr.replace(pattern, key[tuple(wilds)])
    except (TypeError, ValueError, AttributeError):
        return expr


def _derivative(node: Derivative, definitions):
    """d f / d v: holding v when it is a defined name, else f expanded and the derivative left for the evaluator."""
    variables = [v for v, n in node.variable_count for _ in range(n)]
    held = {definition_key(v, definitions) for v in variables} - {None}
    if held:
        rest = {k: d for k, d in definitions.items() if k not in held}
        inner = expand(node.expr, rest)
        for key in held:
            inner = fold(inner, key, definitions[key])
        return sympy.diff(inner, *variables)
    inner = expand(node.expr, definitions)
    variables = [expand(v, definitions) if isinstance(v, Indexed) else v for v in variables]
    if not all(isinstance(v, (Symbol, Indexed)) for v in variables):
        raise ParseError("a derivative with respect to a defined expression is not read")
    return Derivative(inner, *variables)
