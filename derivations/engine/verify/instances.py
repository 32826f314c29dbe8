"""Choosing the instances a step is checked on: class counts (and D, N) and index values.

SymPy cannot decide a sum over a symbolic number of classes K, so K is set
to each of the class counts (2, 3, 4, 5 by default) and the free indices
(y_i, k, ...) to values the case's conditions allow (k != y_i ...). When
several counts appear in one step they take different values (K = 2, D = 3,
N = 4, ...), so that a count used in place of another is caught.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import sympy

from ..evaluate import Instance
from ..notation import K, N

CLASS_COUNTS = (2, 3, 4, 5)


@dataclass
class Sample:
    """One choice of class count and indices: its evaluator and its sample points (kept between steps)."""

    key: tuple
    env: dict
    evaluator: Instance
    points: list = field(default_factory=list)
    domain_points: dict = field(default_factory=dict)     # points drawn inside a domain, by its conditions


class Instances:
    """The instantiations of one derivation; a Sample, once made, is shared by every step that needs it."""

    def __init__(self, class_counts=CLASS_COUNTS, max_index_choices: int = 2):
        self.class_counts = class_counts
        self.max_index_choices = max_index_choices
        self._samples: dict[tuple, Sample] = {}
        self._choices: dict[tuple, list[dict]] = {}

    def index_choices(self, symbols, n, conditions) -> list[dict]:
        """Values in 0..n-1 for ``symbols`` that satisfy ``conditions``: all of them, or the first, middle, last.

        Remembered per (symbols, n, conditions): the steps of a chain share them. The dictionaries
        returned are shared; callers copy them.
        """
        symbols = sorted(symbols, key=str)
        memo = (tuple(symbols), n, tuple(conditions))
        if memo not in self._choices:
            self._choices[memo] = self._index_choices(symbols, n, conditions)
        return self._choices[memo]

    def _index_choices(self, symbols, n, conditions) -> list[dict]:
        allowed = []
        for values in itertools.product(range(n), repeat=len(symbols)):
            sub = dict(zip(symbols, values))
            if all(bool(c.xreplace({s_: sympy.Integer(v) for s_, v in sub.items()})) for c in conditions):
                allowed.append(sub)
        if len(allowed) <= self.max_index_choices:
            return allowed
        picks = sorted({0, len(allowed) - 1, len(allowed) // 2})
        return [allowed[i] for i in picks][: self.max_index_choices]

    def samples_for(self, indices, conditions, counts, labels=()) -> list[Sample]:
        """The instantiations to check on: counts and index choices allowed by ``conditions``.

        ``counts`` are the symbolic counts to set (``True`` means K alone): the
        first takes each of ``class_counts``, the next one more, and so on.
        ``labels`` are the label names y_n of a batch: each instance gives every
        example a class (see :func:`assign_labels`).
        """
        counts = (K,) if counts is True else tuple(counts or ())
        sizes = self.class_counts if counts or indices or labels else (None,)
        samples = []
        for n in sizes:
            choices = self.index_choices(indices, n, conditions) if indices else [{}]
            for ordinal, choice in enumerate(choices):
                env = dict(choice)
                if n is not None:
                    for offset, count in enumerate(counts or (K,)):
                        env[count] = n + offset
                    for base in sorted(labels, key=str):
                        env.update(assign_labels(base, env, n, ordinal))
                key = tuple(sorted((_name(s_), v) for s_, v in env.items()))
                if key not in self._samples:
                    self._samples[key] = Sample(key, env, Instance(env))
                samples.append(self._samples[key])
        return samples


def assign_labels(base, env, size, shift) -> dict:
    """A class for every example: y_n = (n + shift) mod K, for n = 0 .. N-1.

    N and K are the instance's (or ``size`` + 2 examples and ``size`` classes when it sets
    neither), so every class is some example's label and some class is the label of two:
    a formula that confuses c = y_n with c != y_n, for any n, is caught.
    """
    examples = env.get(N, size + 2)
    classes = env.get(K, size)
    return {(base, (n,)): (n + shift) % classes for n in range(examples)}


def _name(key) -> str:
    """How an instance names what it set: K, y_i, or y_0 for the label of example 0."""
    if isinstance(key, tuple):
        return f"{key[0]}_{','.join(map(str, key[1]))}"
    return str(key)
