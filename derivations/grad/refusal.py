"""The one line that refuses a wrong ``simplify`` line: the entry where the stated form and the gradient differ,
both values, the sizes and the point (the spec's names, numbers to 4 significant figures).

    simplify dx: the form stated is not the gradient: entry dx[0, 0] is 0.4038 but the form stated gives 0.03370
    (at N = 1, H = 1; dout = [[1.417]], x = [[1.241]])

The verifier's counterexample is (sizes and indices set, the point, the gradient's value, the stated form's).
"""
from __future__ import annotations

import numpy as np

from ..engine.verify.verifier import COL, ROW
from ..lang import names as nm

#: values of the point listed before the rest is summarised
MAX_LISTED = 60


def number(value) -> str:
    """A value to 4 significant figures (0 as 0)."""
    value = float(value)
    return "0" if value == 0 else f"{value:.4g}"


def refusal(statement: str, item, mismatch, program, upstream=None) -> str:
    """Why ``simplify d<item> = ...`` is refused, in one line: ``program`` names the arrays and their shapes
    (``upstream``: a layer's dout when the spec does not declare it)."""
    head = f"{statement}: the form stated is not the gradient"
    if mismatch is None:
        return head
    env, point, gradient, stated = mismatch
    where = _where(env, point, program, upstream)
    return f"{head}: {_entry(item, env)} is {number(gradient)} but the form stated gives {number(stated)}" + (
        f" (at {where})" if where else "")


def _entry(item, env) -> str:
    indices = [env.get(ROW), env.get(COL)][: len(item.dims)]
    if any(i is None for i in indices):
        return f"an entry of d{item.name}"
    return f"entry d{item.name}[{', '.join(str(int(i)) for i in indices)}]" if indices else f"d{item.name}"


def _where(env, point, program, upstream) -> str:
    items = list(program.inputs.values()) + list(program.nodes) + ([upstream] if upstream is not None else [])
    by_shown = {program.shown.get(i.name, i.name): i for i in items}
    used = {d for i in items for d in i.dims}
    sizes = [f"{name} = {env[symbol]}" for name, symbol in nm.DIMENSIONS.items() if symbol in env and symbol in used]
    labels, arrays, scalars = {}, {}, []
    for key, value in env.items():
        if isinstance(key, tuple):
            labels.setdefault(str(key[0]), {})[tuple(key[1])] = value
    for key, value in point.items():
        if isinstance(key, tuple):
            arrays.setdefault(str(key[0]), {})[tuple(int(i) for i in key[1])] = value
        else:
            scalars.append((_spec_name(str(key), by_shown), value))
    values = [_listed(name, entries, str, env, by_shown) for name, entries in sorted(labels.items())]
    values += [f"{name} = {number(value)}" for name, value in sorted(scalars)]
    values += [_listed(name, entries, number, env, by_shown) for name, entries in sorted(arrays.items())]
    return "; ".join(part for part in (", ".join(sizes), ", ".join(values)) if part)


def _spec_name(shown: str, by_shown) -> str:
    item = by_shown.get(shown)
    return item.name if item is not None else shown


def _listed(shown: str, entries: dict, show, env, by_shown) -> str:
    """An array's entries: the whole array as a nested list ([[1.2, 0.5], [...]]) where the point holds every
    entry at the sizes set, else entry by entry (x[0, 0] = 1.241: the entries the sides read)."""
    item = by_shown.get(shown)
    name = item.name if item is not None else shown
    rank = len(next(iter(entries)))
    dims = tuple(item.dims) if item is not None else ()
    shape = tuple(env.get(d) for d in dims) if len(dims) == rank else None
    whole = shape is not None and None not in shape and len(entries) == int(np.prod(shape)) \
        and len(entries) <= MAX_LISTED
    if not whole:
        return ", ".join(f"{name}[{', '.join(map(str, k))}] = {show(v)}" for k, v in sorted(entries.items()))
    if rank == 1:
        return f"{name} = [" + ", ".join(show(entries[(i,)]) for i in range(shape[0])) + "]"
    return f"{name} = [" + ", ".join("[" + ", ".join(show(entries[(i, j)]) for j in range(shape[1])) + "]"
                                     for i in range(shape[0])) + "]"


__all__ = ["refusal", "number"]
