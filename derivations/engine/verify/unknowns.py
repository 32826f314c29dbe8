"""What a step's two sides are made of: the indices and counts to instantiate, the real unknowns to sample.

* integer symbols other than the counts (y_i, k, j, ...) take index values;
* the counts K, D, N (:data:`~derivations.engine.notation.COUNTS`) take sizes;
* real symbols (Delta, z, t) and every entry of an indexed name (s_0 .. s_{K-1}, x_{n,d}) take random values;
* the labels y_n of a batch (an integer indexed name) take classes, set by the instance.
"""
from __future__ import annotations

import functools

import sympy
from sympy import Indexed, Symbol

from ..notation import COUNTS, SumExcept, plain_symbols


@functools.lru_cache(maxsize=4096)
def integer_symbols(expr) -> frozenset:
    """The free integer symbols of ``expr`` other than the counts K, D, N: the indices y_i, k, j, ...

    The index of a variable of differentiation counts too: k in d(-log p_{y_i}) / d s_k.
    Remembered per expression (the two sides of a step are the sides of its neighbours).
    """
    free = set(expr.free_symbols)
    for node in expr.atoms(sympy.Derivative):
        for variable, _ in node.variable_count:
            free |= variable.free_symbols
    names = {a.base.label for a in expr.atoms(Indexed)}            # y of the labels y_n is a name, not an index
    return frozenset(a for a in free if isinstance(a, Symbol) and a.is_integer and a not in COUNTS
                     and a not in names)


def real_symbols(expr) -> set:
    """The real unknowns that are not indexed: Delta, z, t, ... (and x in x_0 x, where x also names x_0)."""
    free = expr.free_symbols
    bases = {a.base.label for a in free if isinstance(a, Indexed)}
    found = {a for a in free if isinstance(a, Symbol) and not a.is_integer and a not in bases}
    if bases & free:
        found |= {a for a in plain_symbols(expr) & bases & free if not a.is_integer}
    return found


def indexed_bases(expr) -> set:
    """(name, number of indices) of every real indexed name: (s, 1) for s_j, (x, 2) for x_{n,d}.

    The labels y_n of a batch (an integer indexed name) are not sampled: the instance sets them
    (see :func:`label_bases`).
    """
    return {(a.base, len(a.indices)) for a in expr.atoms(Indexed) if not a.base.is_integer}


def label_bases(*exprs) -> set:
    """The integer indexed names (the labels y_n of a batch) in ``exprs``."""
    return {a.base for e in exprs for a in e.atoms(Indexed) if a.base.is_integer}


def symbolic_counts(*exprs) -> tuple:
    """The symbolic counts (K, D, N) that occur in ``exprs``, in the order of COUNTS."""
    return tuple(c for c in COUNTS if any(e.has(c) for e in exprs))


def concrete_indices(expr) -> set:
    """The class indices ``expr`` names: s_2's 2, and the last index of a sum with concrete bounds."""
    found = {int(i) for a in expr.atoms(Indexed) for i in a.indices if i.is_Integer}
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, SumExcept) and node.upper.is_Integer:
            found.add(int(node.upper))
        elif isinstance(node, sympy.Sum):
            found |= {int(hi) for _, _, hi in node.limits if hi.is_Integer}
    return found


_UNKNOWNS: dict = {}


def unknowns(expr):
    """(real symbols, (indexed name, rank) pairs, concrete indices) of ``expr``, computed once per expression."""
    found = _UNKNOWNS.get(expr)
    if found is None:
        found = _UNKNOWNS[expr] = (real_symbols(expr), indexed_bases(expr), concrete_indices(expr))
    return found


def describe_point(point) -> str:
    """A sample point as the reader writes it: ``s_0=1.2, s_1=-0.4, Delta=0.7``."""
    def name(key):
        return f"{key[0]}_{','.join(map(str, key[1]))}" if isinstance(key, tuple) else str(key)
    return ", ".join(f"{name(k_)}={v:.4g}" for k_, v in sorted(point.items(), key=lambda kv: name(kv[0])))
