"""The numbers of a spec: its arrays read from a file (or drawn at random), the loss and gradients evaluated from
the verified matrix forms with NumPy, and a check of the gradients against centred finite differences.

Vectors are columns inside (a vector b of K entries is K x 1); the results are given back in the shapes the
spec declares (b as K numbers).
"""
from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

import numpy as np

from ..engine.arrays import ArrayEvaluator
from ..engine.inputs import InputError
from ..lang import names as nm
from ..lang.lower import Program

#: the sizes of the random data of the finite-difference check
CHECK_SIZES = {"N": 4, "D": 3, "H": 5, "K": 3}
#: the largest file --data reads, and the largest array in it
MAX_FILE_BYTES = 1 << 30
MAX_ENTRIES = 50_000_000
#: entries of each variable checked against finite differences, the step, and the largest relative error passed
CHECKED_ENTRIES = 6
STEP = 1e-6
TOLERANCE = 1e-6


@dataclass
class Data:
    """The arrays of a spec by name (labels as integers, scalars as floats) and the size of each dimension."""

    arrays: dict
    sizes: dict              # dimension name -> size
    source: str | None = None


def seed_of(*parts) -> int:
    """A seed from what is checked (the spec's text): the same spec draws the same numbers in every run."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def random_data(program: Program, upstream=None, sizes=None, seed: int = 0) -> Data:
    """Random arrays for every input of the spec: entries of arrays standard normal (a scale of 0.5 for a
    layer's parameters does not matter here), labels uniform among the classes, scalars their declared value
    (or 0.1; positive ones 0.5)."""
    sizes = dict(CHECK_SIZES if sizes is None else sizes)
    rng = np.random.default_rng(seed)
    arrays = {}
    items = list(program.inputs.values()) + ([upstream] if upstream is not None else [])
    for item in items:
        if item.kind == "array":
            shape = tuple(sizes[_dim(d)] for d in item.dims)
            arrays[item.name] = rng.standard_normal(shape)
        elif item.kind == "labels":
            arrays[item.name] = rng.integers(0, sizes["K"], sizes["N"])
        else:
            arrays[item.name] = float(item.default) if item.default is not None else (0.5 if item.positive else 0.1)
    if program.labels is not None:
        arrays[program.labels.name][: sizes["K"]] = np.arange(min(sizes["K"], sizes["N"]))   # every class a label
    return Data(arrays, sizes)


def _dim(symbol) -> str:
    return next(name for name, s in nm.DIMENSIONS.items() if s == symbol)


def read_data(program: Program, source, upstream=None) -> Data:
    """The arrays of a .npz file (or a mapping) by the spec's names; InputError naming what is missing or wrong."""
    if isinstance(source, dict):
        found, where = dict(source), None
    else:
        found, where = _load_npz(str(source)), str(source)
    items = list(program.inputs.values()) + ([upstream] if upstream is not None else [])
    sizes, arrays = {}, {}
    missing = [i.name for i in items if i.name not in found and not (i.kind == "scalar" and i.default is not None)]
    if missing:
        raise InputError(f"--data {where or ''}: no array named {', '.join(missing)} (the spec's names: "
                         f"{', '.join(i.name for i in items)})".replace("--data : ", "--data: "))
    for item in items:
        if item.name not in found:
            arrays[item.name] = float(item.default)
            continue
        value = np.asarray(found[item.name])
        if item.kind == "scalar":
            if value.size != 1 or not np.issubdtype(value.dtype, np.number):
                raise InputError(f"--data: {item.name} is a scalar: one number, not an array of shape {value.shape}")
            number = float(value.reshape(()))
            if not np.isfinite(number) or (item.positive and number <= 0):
                raise InputError(f"--data: {item.name} must be a {'positive' if item.positive else 'finite'} "
                                 f"number, not {number}")
            arrays[item.name] = number
            continue
        if item.kind == "labels":
            if value.ndim != 1 or not (np.issubdtype(value.dtype, np.integer) or
                                       (np.issubdtype(value.dtype, np.floating) and np.all(value == np.round(value)))):
                raise InputError(f"--data: {item.name} holds the labels: one whole number per example")
            _bind(sizes, "N", value.shape[0], item.name)
            arrays[item.name] = value.astype(np.int64)
            continue
        if not np.issubdtype(value.dtype, np.number) or np.issubdtype(value.dtype, np.complexfloating):
            raise InputError(f"--data: {item.name} must hold real numbers")
        if value.ndim != len(item.dims):
            shape = " x ".join(map(str, item.dims))
            raise InputError(f"--data: {item.name} is {shape} in the spec, but the file's array has shape "
                             f"{value.shape}")
        for dim, size in zip(item.dims, value.shape):
            _bind(sizes, _dim(dim), size, item.name)
        if value.size > MAX_ENTRIES:
            raise InputError(f"--data: {item.name} has {value.size:,} entries; at most {MAX_ENTRIES:,}")
        value = value.astype(np.float64)
        if not np.all(np.isfinite(value)):
            raise InputError(f"--data: {item.name} holds a value that is not a finite number")
        arrays[item.name] = value
    labels = program.labels
    if labels is not None:
        if "K" not in sizes:
            raise InputError("--data: the number of classes K is not given by any array's shape")
        y = arrays[labels.name]
        if y.size and (y.min() < 0 or y.max() >= sizes["K"]):
            raise InputError(f"--data: the labels {labels.name} must lie in 0 .. K - 1 = {sizes['K'] - 1}")
    return Data(arrays, sizes, where)


def _bind(sizes, dim, size, name):
    if size < 1:
        raise InputError(f"--data: {name} has an empty axis")
    if sizes.setdefault(dim, size) != size:
        raise InputError(f"--data: {name} makes {dim} = {size}, but another array makes it {sizes[dim]}")


def _load_npz(path: str) -> dict:
    import os
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise InputError(f"--data {path}: larger than {MAX_FILE_BYTES >> 20} MB")
        with np.load(path, allow_pickle=False) as archive:
            if not hasattr(archive, "files"):
                raise InputError(f"--data {path}: an .npz file (numpy.savez) holding the arrays by name")
            return {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise InputError(f"--data {path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"--data {path}: a folder, not a file") from None
    except PermissionError:
        raise InputError(f"--data {path}: cannot read it (permission denied)") from None
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise InputError(f"--data {path}: not a readable .npz file ({type(error).__name__})") from None


class Numbers:
    """Values of a spec's matrix forms for one set of arrays."""

    def __init__(self, program: Program, backprop, data: Data):
        self.program, self.backprop, self.data = program, backprop, data
        self.named = [(n.symbol, n.matrix) for n in program.nodes]
        if backprop is not None:
            self.named += [(g.symbol, g.total) for g in reversed(list(backprop.gradients.values()))
                           if g.of.name not in program.inputs]
        self.evaluator = self._evaluator(data.arrays)

    def _evaluator(self, arrays) -> ArrayEvaluator:
        program = self.program
        matrices, scalars = {}, {}
        items = list(program.inputs.values())
        if self.backprop is not None and self.backprop.upstream is not None:
            items.append(self.backprop.upstream)
        for item in items:
            value = arrays[item.name]
            if item.kind == "array":
                matrices[item.symbol] = value.reshape(-1, 1) if value.ndim == 1 else value
            elif item.kind == "labels":
                onehot = np.zeros((len(value), self.data.sizes["K"]))
                onehot[np.arange(len(value)), value] = 1.0
                matrices[item.onehot] = onehot
            else:
                scalars[item.symbol] = value
        for name, size in self.data.sizes.items():
            scalars[nm.DIMENSIONS[name]] = size
        return ArrayEvaluator(matrices, scalars, named=self.named)

    def value(self, expr, arrays=None):
        evaluator = self.evaluator if arrays is None else self._evaluator(arrays)
        return evaluator.value(expr)

    def loss(self, arrays=None) -> float:
        """L, or for a layer sum(dout * out) (the loss whose gradient the layer's backward pass gives)."""
        program = self.program
        if program.is_loss:
            return float(self.value(program.output.symbol, arrays))
        out = np.asarray(self.value(program.output.symbol, arrays), dtype=float)
        upstream = (arrays or self.data.arrays)[self.backprop.upstream.name]
        return float(np.sum(out.reshape(upstream.shape) * upstream))

    def output(self):
        value = self.value(self.program.output.symbol)
        return value

    def gradient(self, item, expr=None) -> np.ndarray:
        """d<item> in the shape the spec gives the item."""
        expr = self.backprop.final(item) if expr is None else expr
        value = np.asarray(self.value(expr), dtype=float)
        return value.reshape(np.shape(self.data.arrays[item.name]))


@dataclass
class CheckedEntry:
    variable: str
    index: tuple
    analytic: float
    numeric: float

    @property
    def error(self) -> float:
        scale = max(abs(self.analytic) + abs(self.numeric), 1e-12)
        return abs(self.analytic - self.numeric) / scale

    @property
    def passed(self) -> bool:
        return self.error < TOLERANCE or abs(self.analytic - self.numeric) < 1e-9


def finite_differences(numbers: Numbers, seed: int, entries: int = CHECKED_ENTRIES) -> list:
    """Entries of each gradient against (L(A + h E) - L(A - h E)) / 2h at the data of ``numbers``."""
    rng = np.random.default_rng(seed)
    checked = []
    for item in numbers.backprop.variables:
        analytic = numbers.gradient(item)
        base = numbers.data.arrays[item.name]
        flat = rng.choice(base.size, size=min(entries, base.size), replace=False)
        for position in sorted(int(f) for f in flat):
            index = np.unravel_index(position, base.shape)
            up, down = dict(numbers.data.arrays), dict(numbers.data.arrays)
            up[item.name], down[item.name] = base.copy(), base.copy()
            up[item.name][index] += STEP
            down[item.name][index] -= STEP
            numeric = (numbers.loss(up) - numbers.loss(down)) / (2 * STEP)
            checked.append(CheckedEntry(item.name, tuple(int(i) for i in index), float(analytic[index]), numeric))
    return checked


__all__ = ["Data", "random_data", "read_data", "Numbers", "finite_differences", "CheckedEntry", "seed_of",
           "CHECK_SIZES"]
