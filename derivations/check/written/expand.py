"""Putting the text's definitions into an expression before its sides are compared.

A derivative with respect to a defined name (dL/dy with y := sigma(z), dL_i/ds_j with
s_j := w_j^T x_i, dL/dy_T with y_k := softmax) holds that name as the variable: the expression is
expanded with every definition but that name's and differentiated by SymPy, and only then is
the name put in (the engine's :func:`~derivations.engine.verify.differentiate_by_names` does
the same for plain symbols; here indexed names and functions are held too).
"""
from __future__ import annotations

import sympy
from sympy import Derivative, Indexed, IndexedBase, Max, Min, Sum, Symbol
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


def _diff(inner, variables):
    """``inner`` differentiated by ``variables``; a name written with one number of indices in one place and
    another elsewhere (S_n beside S_{nc}) is a ParseError, a plain "not read", not an internal error."""
    try:
        return sympy.diff(inner, *variables)
    except sympy.tensor.indexed.IndexException:
        raise ParseError("a name is written with one number of indices in one place and another elsewhere "
                         "(as S_n beside S_{nc})") from None


#: a sum with number bounds (sum_{i=1}^{2}) and at most this many terms is written out before definitions go in
WRITTEN_OUT_TERMS = 12


def _once(e, definitions):
    if isinstance(e, Derivative):
        return _derivative(e, definitions)
    if isinstance(e, Sum) and len(e.limits) == 1:
        index, lo, hi = e.limits[0]
        if lo.is_Integer and hi.is_Integer and 0 <= hi - lo < WRITTEN_OUT_TERMS \
                and any(isinstance(a, Indexed) and a.base in definitions for a in e.function.atoms(Indexed)):
            return sympy.Add(*[e.function.xreplace({index: sympy.Integer(v)}) for v in range(int(lo), int(hi) + 1)])
    if isinstance(e, Symbol):
        definition = definitions.get(e)
        return definition.value if definition is not None and definition.value is not None else e
    if isinstance(e, Indexed):
        indices = tuple(_once(i, definitions) for i in e.indices)
        definition = definitions.get(e.base)
        if definition is not None:
            value = definition.apply(indices)
            if value is None:
                value = _of_example(definition, indices, definitions)
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


def _of_example(definition, indices, definitions):
    """p_{nc} where the text defines p_c for its example i: p_c with example i's data and label made example
    n's (None when the name is not that: another number of indices, or no example first)."""
    if definition.body is None or len(definition.parameters) + 1 != len(indices):
        return None
    example, *rest = indices
    if not getattr(example, "is_integer", False):
        return None
    from ...engine import notation
    from .roles import _rename_bound, example_label, index_symbol
    avoid = set().union(*(getattr(index, "free_symbols", set()) for index in indices))
    body = expand(_rename_bound(definition.body, avoid).xreplace(dict(zip(definition.parameters, rest))), definitions)
    if not body.has(index_symbol("i")) and not body.has(notation.y):
        return None
    return body.xreplace({index_symbol("i"): example, notation.y: example_label(example)})


def fold(expr, key, definition):
    """``expr`` with each occurrence of a name's definition written as that name again.

    d L_i / d s_j with s_j := w_j^T x_i and L_i written in w^T x: the w_j^T x_i in L_i are s_j, so the
    derivative holding s is taken of L_i written in s; df/dq with q := x + y and f := (x + y) z: f is q z.
    """
    if isinstance(key, Symbol) and definition.value is not None:
        value = definition.value
        if not isinstance(value, sympy.Basic) or value.is_Atom or not expr.has(*value.free_symbols):
            return expr
        try:
            return expr.subs(value, key)
        except (TypeError, ValueError, AttributeError, RecursionError):
            return expr
    if not isinstance(key, IndexedBase) or definition.body is None or not definition.parameters:
        return expr
    wilds = [sympy.Wild(f"fold{i}") for i in range(len(definition.parameters))]
    pattern = definition.body.xreplace(dict(zip(definition.parameters, wilds)))
    if pattern.is_Atom or isinstance(pattern, sympy.Wild):
        return expr
    try:
        folded = canonical_bounds(expr).replace(canonical_bounds(pattern), key[tuple(wilds)])
    except (TypeError, ValueError, AttributeError):
        return expr
    if isinstance(pattern, sympy.Add):
        folded = _fold_terms(folded, canonical_bounds(pattern), key, wilds)
    return folded


def _fold_terms(expr, pattern, key, wilds):
    """The terms of a definition that is a sum (s_j := w_j^T x_i + b_j) found among the terms of a longer sum
    (1 + w_j^T x_i + b_j - w_y^T x_i - b_y), each time with one coefficient (1, -1): written as the name
    (1 + s_j - s_y)."""
    terms = list(pattern.args)

    def fold_add(node):
        args = list(node.args)
        for position, arg in enumerate(args):
            coefficient, rest = arg.as_coeff_Mul()
            found = rest.match(terms[0])
            if not found or not all(w in found for w in wilds):
                continue
            wanted = [coefficient * t.xreplace(found) for t in terms]
            remaining = list(args)
            if all(w in remaining and not remaining.remove(w) for w in wanted):
                return sympy.Add(*remaining) + coefficient * key[tuple(found[w] for w in wilds)]
        return node

    try:
        for _ in range(4):
            replaced = expr.replace(lambda e: isinstance(e, sympy.Add) and len(e.args) > len(terms), fold_add)
            if replaced == expr:
                break
            expr = replaced
    except (TypeError, ValueError, AttributeError):
        pass
    return expr


def canonical_bounds(expr):
    """``expr`` with the bound index of each sum named by the height of its sum (b0~ for a sum with no sum
    inside, b1~ around one ...), so that sums that differ only in the name of their bound index (d1~, d2~)
    are the same expression wherever they stand, and a sum inside another never shares its index."""
    if not isinstance(expr, sympy.Basic) or not expr.has(Sum):
        return expr

    def visit(e):
        if not e.args or isinstance(e, (IndexedBase, Symbol)):
            return e, -1
        if isinstance(e, Sum) and len(e.limits) == 1:
            index, lo, hi = e.limits[0]
            body, height = visit(e.function)
            name = Symbol(f"b{height + 1}~", integer=True)
            return Sum(body.xreplace({index: name}), (name, lo, hi)), height + 1
        visited = [visit(a) for a in e.args]
        args = [a for a, _ in visited]
        height = max((h for _, h in visited), default=-1)
        if all(a is b for a, b in zip(args, e.args)):
            return e, height
        return (e.func(*args, evaluate=False) if isinstance(e, (Max, Min)) else e.func(*args)), height
    return visit(expr)[0]


def _derivative(node: Derivative, definitions):
    """d f / d v: holding v when it is a defined name, else f expanded and the derivative left for the evaluator."""
    variables = [v for v, n in node.variable_count for _ in range(n)]
    held = {definition_key(v, definitions) for v in variables} - {None}
    if held:
        rest = {k: d for k, d in definitions.items() if k not in held}
        inner = expand(node.expr, rest)
        for key in held:
            inner = fold(inner, key, definitions[key])
        _undefined_of_the_weights(inner, definitions, held, variables)
        if len(variables) == 1 and isinstance(variables[0], Symbol) and not inner.has(variables[0]):
            through = _through(inner, variables[0], definitions)
            if through is not None:
                return through
        if len(variables) == 1 and isinstance(variables[0], Symbol) and inner.has(variables[0]):
            mixed = _mixed(inner, variables[0], definitions)     # L through p_1 (of z) and p_0 (of u = z_1 - z_0)
            if mixed is not None:
                return mixed
        return _diff(inner, variables)
    inner = expand(node.expr, definitions)
    variables = [expand(v, definitions) if isinstance(v, Indexed) else v for v in variables]
    if isinstance(inner, sympy.Basic):
        _undefined_of_the_weights(inner, definitions, set(), variables)
    if not all(isinstance(v, (Symbol, Indexed)) for v in variables):
        raise ParseError("a derivative with respect to a defined expression is not read")
    try:
        return Derivative(inner, *variables)
    except sympy.tensor.indexed.IndexException:
        raise ParseError("a name is written with one number of indices in one place and another elsewhere "
                         "(as S_n beside S_{nc})") from None


#: matrices of a batch that, in the course's notation, depend on the weights (probabilities, scores, activations)
OF_THE_WEIGHTS = ("P", "S", "Z", "A", "H")


#: what, in the course's notation, depends on the weights for one example or a batch (scores, probabilities,
#: activations): undefined, a derivative by the weights through them is not known
OF_THE_WEIGHTS_PER_EXAMPLE = ("p", "s", "f", "z", "a", "h", "y_hat", "p_hat")


def _undefined_of_the_weights(inner, definitions, held, variables=()):
    """dL/dS_{nc} with L written through P_{nc} and P never defined (dL/dW_{dj} through p_{ij}): L goes through
    S (W) by P in the course's notation, but the text does not say how; the derivative would be taken as 0 and a
    correct line called wrong, so it is a ParseError (not read), naming P."""
    names = {str(getattr(v, "base", v)) for v in variables}
    by_weights = bool(names & {"W", "w"})
    bases = {getattr(v, "base", None) for v in variables}
    for atom in inner.atoms(Indexed):
        name = atom.base.label.name
        if by_weights and name in ("W", "w") and name not in names and atom.base not in held:
            other = "w" if name == "W" else "W"
            raise ParseError(f"the derivative by {other} of an expression written with {name}: the text does not "
                             f"say how {other} and {name} are related (a row or a column of it?)")
        if atom.base in held or atom.base in bases:
            continue
        if atom.base in definitions and definitions[atom.base].apply(atom.indices) is not None:
            continue                                    # p_j defined, p_{ij} of a batch not: not known either
        if name in OF_THE_WEIGHTS or by_weights and name in OF_THE_WEIGHTS_PER_EXAMPLE:
            raise ParseError(f"{name} is not defined in the text ({name}_{{...}}): what it depends on is not "
                             f"stated, so the derivative through it is not known")


def _mixed(inner, name, definitions):
    """d inner / d name where ``inner`` shows the name and also the variables of its definition (L = -t log p_1 -
    (1 - t) log p_0 with p_1 written through z, p_0 through u = z_1 - z_0): the name put in, then d/d name through
    its variables (:func:`_through`); None when the name's definition is a number or not a formula of variables."""
    definition = definitions.get(name)
    value = getattr(definition, "value", None)
    if not isinstance(value, sympy.Basic) or value.is_number:
        return None
    value = expand(value, definitions)
    own = {v for v in value.free_symbols | value.atoms(Indexed) if not getattr(v, "is_integer", False)}
    if not own or not any(inner.has(v) for v in own):
        return None
    return _through(inner.xreplace({name: value}), name, definitions)


def _through(expr, name, definitions):
    """d expr / d name for a defined ``name`` that ``expr`` does not show but depends on through its
    variables (f = (x + y) z, q := x + y): (d expr/dv) / (d name/dv) for each variable v of the name's
    definition, when they all agree (f depends on x and y only through q); None when expr does not
    depend on the name's variables (the derivative is 0); a ParseError when they disagree (expr depends
    on a variable other than through the name: which derivative is meant is not said)."""
    value = expand(definitions[name].value, definitions)
    if not isinstance(value, sympy.Basic):
        return None
    variables = sorted((v for v in value.free_symbols | value.atoms(Indexed)
                        if isinstance(v, (Symbol, Indexed)) and not v.is_integer and expr.has(v)
                        and not (isinstance(v, Symbol) and any(i.base.label == v for i in value.atoms(Indexed)))),
                       key=str)
    if not variables:
        return None
    found = []
    for variable in variables:
        slope = sympy.diff(value, variable)
        if slope == 0:
            continue
        found.append(sympy.diff(expr, variable) / slope)
    if not found:
        return None
    first = found[0]
    for other in found[1:]:
        if sympy.simplify(first - other) != 0:
            raise ParseError(f"d/d{name}: the expression depends on the variables of {name} other than through "
                             f"{name}, so which derivative is meant is not said")
    return first
