"""The quantities an answer sheet can ask for: looked up by name, once every family has registered.

The families (:mod:`derivations.check.families`, which import SymPy) are
loaded on first use; the types live in :mod:`derivations.check.registry`.
"""
from __future__ import annotations

from ..engine.inputs import InputError
from .registry import REGISTRY, Quantity


def _load():
    """Register the quantities of every derivation family (importing the package registers them)."""
    from . import families  # noqa: F401


def lookup(name: str) -> Quantity:
    _load()
    try:
        return REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown quantity {name!r}; see derive check --list-quantities") from None


def all_quantities() -> list[Quantity]:
    _load()
    return list(REGISTRY.values())
