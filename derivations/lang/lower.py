"""From a spec's records to a :class:`Program`: its inputs, and each definition in matrix form and index form.

Shapes are checked as the spec is read: a product of arrays needs equal inner sizes, an index runs over one
dimension wherever it appears, a free index must be summed over or stand on the left. Every problem is one
line naming its place (line and column) and what is wrong.

The rules of the language (the README's section "The loss language" says the same for users):

* ``X W`` (or ``X @ W``) is the matrix product of whole arrays; ``*`` and ``/`` act entry by entry with
  NumPy's broadcasting (a vector of K entries is added to each row of an N x K array: ``X W + b``);
  ``A'``, ``A^T`` and ``A.T`` transpose.
* ``S[n, j]`` is an entry; ``S[n, y[n]]`` the entry of the label of example n; an index that is not summed
  over must stand on the left (``M[n, j] = ...``); side by side, entries multiply.
* ``sum_j``, ``sum_{n, j}``, ``sum_{j != y[n]}``, ``mean_n``, ``max_j``, ``max_{j != y[n]}`` and
  ``logsumexp_j`` reduce over indices; ``sum(A)``, ``mean(A)`` over every entry of a whole array, and with
  ``axis=0`` (down the rows) or ``axis=1`` (along each row) over one axis, like ``max``, ``logsumexp`` and
  ``softmax``.
* Functions entry by entry: exp, log, sqrt, tanh, sigmoid, relu, abs, sign, square, max(a, b), min(a, b);
  ``onehot(y)`` is the N x K one-hot matrix of the labels.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy
from sympy import Integer, KroneckerDelta, MatMul, Sum, Symbol, Transpose

from ..engine.elementwise import Abs, Exp, Log, RowMax, Sign, Tanh
from ..engine.matrices import Hinge, Ones, RowLogSumExp, RowSoftmax
from ..engine.matrix_functions import Logistic
from ..engine.maxima import MaxOver
from ..engine.notation import Sigmoid, SumExcept
from . import contraction as wide
from . import names as nm
from . import syntax as ast
from .errors import SpecError
from .values import Axis, Value, add, arrange, hadamard, ones_matrix, power, scale

#: functions of one argument entry by entry: name -> (matrix node, index form)
UNARY = {
    "exp": (Exp, sympy.exp),
    "log": (Log, sympy.log),
    "tanh": (Tanh, sympy.tanh),
    "abs": (Abs, sympy.Abs),
    "sign": (Sign, sympy.sign),
    "sigmoid": (Logistic, Sigmoid),
    "relu": (Hinge, lambda u: sympy.Max(0, u, evaluate=False)),
}
FUNCTIONS = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "sign", "square", "max", "min", "softmax",
             "logsumexp", "sum", "mean", "onehot")


# --- what a program is made of ------------------------------------------------------------------------------

@dataclass
class Input:
    """A declared name: an array (matrix or vector), a scalar constant, or labels."""

    name: str
    kind: str                    # "array", "scalar", "labels"
    dims: tuple                  # SymPy dimensions (), (K,), (N, D)
    symbol: object               # SpecArray, Symbol (scalar) or IndexedBase (labels)
    base: object = None          # the entries in index form (IndexedBase or Symbol) of an array
    positive: bool = False
    default: object = None       # a SymPy number, or None
    onehot: object = None        # the one-hot matrix of labels
    at: int = 0
    dim_names: tuple = ()


@dataclass
class Node:
    """A definition: its matrix form in the matrix symbols of what it uses, and its index form."""

    name: str
    dims: tuple                  # SymPy dimensions of the result
    symbol: object               # its SpecArray
    base: object                 # IndexedBase (or Symbol for a 1 x 1)
    matrix: object               # the matrix form (MatrixExpr)
    indices: tuple               # index symbols of its entry
    index: object                # the index form of entry ``indices``
    at: int = 0
    written: tuple = ()          # the indices as written on the left (M[n, j] = ...), or ()
    dim_names: tuple = ()

    def entry(self, *indices):
        """The index form of entry ``indices`` (symbols or numbers)."""
        if not self.indices:
            return self.index
        return self.index.xreplace(dict(zip(self.indices, indices)))

    @property
    def element(self):
        """Its entry as a name: P[n, j], b[k], or the symbol of a scalar."""
        return self.base[self.indices] if self.indices else self.base

    def uses(self) -> set:
        """The matrix symbols its matrix form reads."""
        return set(self.matrix.atoms(nm.SpecArray))


@dataclass
class Program:
    """A spec compiled: inputs, definitions in order, the result (the last definition), the variables asked for."""

    spec: ast.Spec
    inputs: dict
    nodes: list
    wrt: tuple | None
    simplifications: list = field(default_factory=list)
    shown: dict = field(default_factory=dict)       # spec name -> the name SymPy shows

    @property
    def output(self) -> Node:
        return self.nodes[-1]

    @property
    def is_loss(self) -> bool:
        """Whether the result is a scalar (a loss); else a layer, with an upstream gradient d<name>."""
        return not self.output.dims

    def node(self, name):
        return next((n for n in self.nodes if n.name == name), None)

    def by_symbol(self) -> dict:
        """Every matrix symbol -> its Input or Node."""
        found = {i.symbol: i for i in self.inputs.values() if i.kind == "array"}
        found.update({i.onehot: i for i in self.inputs.values() if i.kind == "labels"})
        found.update({n.symbol: n for n in self.nodes})
        return found

    @property
    def labels(self):
        return next((i for i in self.inputs.values() if i.kind == "labels"), None)


# --- compiling -----------------------------------------------------------------------------------------------

def compile_spec(text: str) -> Program:
    """The program of the spec ``text`` (SpecError naming the place of the first problem)."""
    spec = ast.read_spec(text)
    return Compiler(spec).program()


class Compiler:
    """Reads the statements of one spec in order."""

    def __init__(self, spec: ast.Spec):
        self.spec = spec
        self.inputs: dict = {}
        self.nodes: list = []
        self.known: dict = {}           # name -> Input or Node
        self.wrt = None
        self.simplifications = []
        self.shown: dict = {}
        self.counter = 0
        self.index_dims: dict = {}      # index name -> (dimension, where it was first used)

    def error(self, message, at) -> SpecError:
        return self.spec.error(message, at)

    # --- statements ----------------------------------------------------------------------------------------

    def program(self) -> Program:
        declared = [s.name for s in self.spec.statements if isinstance(s, (ast.Declaration, ast.Definition))]
        for name in declared:
            self.shown[name] = nm.display_name(name, taken=set(declared) - {name})
        for statement in self.spec.statements:
            if isinstance(statement, ast.Declaration):
                self.declare(statement)
            elif isinstance(statement, ast.Definition):
                self.define(statement)
            elif isinstance(statement, ast.Wrt):
                if self.wrt is not None:
                    raise self.error("a second 'wrt': name every variable in one", statement.at)
                self.wrt = statement
            else:
                self.simplifications.append(statement)
        if not self.nodes:
            raise self.error("the spec defines nothing: define the loss (L = ...) or the layer's output "
                             "(out = ...)", len(self.spec.text.rstrip()))
        wrt = None
        if self.wrt is not None:
            wrt = tuple(self.wrt.names)
            for name in wrt:
                check_variable(self, name, self.wrt.at)
        return Program(self.spec, self.inputs, self.nodes, wrt, self.simplifications, self.shown)

    def check_new_name(self, name, at):
        if name in self.known:
            raise self.error(f"{name!r} is already {'declared' if name in self.inputs else 'defined'}", at)
        if name in ast.RESERVED:
            raise self.error(f"{name!r} is a word of the language", at)
        problem = nm.check_identifier(name)
        if problem:
            raise self.error(f"{problem}: choose another name", at)

    def declare(self, d: ast.Declaration):
        self.check_new_name(d.name, d.at)
        if self.nodes:
            raise self.error(f"declare {d.name!r} before the definitions", d.at)
        shown = self.shown.get(d.name, d.name)
        default = nm.number(d.default) if d.default is not None else None
        if d.kind == "array":
            dims = []
            for dim in d.dims:
                if dim not in nm.DIMENSIONS:
                    raise self.error(f"unknown dimension {dim!r}: the dimensions are {nm.DIMENSION_WORDS}", d.at)
                dims.append(nm.DIMENSIONS[dim])
            if default is not None:
                raise self.error(f"an array ({d.name}) takes no value here: give it with --data", d.at)
            symbol = nm.array_symbol(d.name, tuple(dims), shown)
            item = Input(d.name, "array", tuple(dims), symbol, nm.entries_of(d.name, tuple(dims), shown), at=d.at,
                         dim_names=tuple(d.dims))
        elif d.kind == "scalar":
            if d.positive and default is not None and default <= 0:
                raise self.error(f"{d.name} is declared positive: its value {d.default} is not", d.at)
            item = Input(d.name, "scalar", (), nm.scalar_symbol(d.name, d.positive, shown), positive=d.positive,
                         default=default, at=d.at)
        else:
            if any(i.kind == "labels" for i in self.inputs.values()):
                raise self.error("only one set of labels", d.at)
            if default is not None:
                raise self.error("labels take no value here: give them with --data", d.at)
            base = nm.label_base(d.name)
            taken = set(self.shown) | set(self.shown.values())
            item = Input(d.name, "labels", (nm.DIMENSIONS["N"],), base, at=d.at,
                         onehot=nm.onehot_symbol(d.name, base, taken))
        self.inputs[d.name] = item
        self.known[d.name] = item

    def define(self, d: ast.Definition):
        self.check_new_name(d.name, d.at)
        self.index_dims = {}
        self.counter = 0
        for index in d.indices:
            if index in self.known or index in nm.DIMENSIONS or index in ast.RESERVED:
                raise self.error(f"{index!r} names something else; an index needs a name of its own", d.at)
        if len(set(d.indices)) != len(d.indices):
            raise self.error("an index appears twice on the left", d.at)
        if len(d.indices) > 2:
            raise self.error("at most two indices (a matrix): M[n, j]", d.at)
        self.bound = set(d.indices)
        value = self.lower(d.expr)
        if isinstance(value, wide.Wide):
            raise self.error(f"the right side of {d.name} has {len(value.axes)} free indices ({self.listed(value)}); "
                             "a definition has at most two (a matrix): sum over the others", d.expr.at)
        if d.indices:
            if value.positional:
                raise self.error(f"the right side of {d.name}[{', '.join(d.indices)}] is a whole array: index it "
                                 "(S[n, j]) or define it without indices", d.expr.at)
            free = {a.symbol.name for a in value.axes}
            missing = [i for i in d.indices if i not in free]
            if missing:
                raise self.error(f"the index {missing[0]} of {d.name}[{', '.join(d.indices)}] does not appear on "
                                 "the right", d.at)
            axes = tuple(next(a for a in value.axes if a.symbol.name == i) for i in d.indices)
            matrix = arrange(value, axes)
            indices = tuple(a.symbol for a in axes)
            index = value.index
        else:
            if value.named:
                free = ", ".join(a.symbol.name for a in value.axes if a.named)
                raise self.error(f"the index {free} is free on the right of {d.name} = ...: sum over it (sum_{free}, "
                                 f"mean_{free}) or write {d.name}[{free}] = ...", d.expr.at)
            axes = value.axes
            if value.constant:
                raise self.error(f"{d.name} is a constant: write the number where it is used, or declare it "
                                 f"({d.name}: scalar = ...)", d.at)
            matrix = value.matrix
            indices, index = self.name_positions(value)
        index = readable_bound_indices(index, set(indices) | self.reserved_symbols())
        dims = tuple(a.dim for a in axes)
        shown = self.shown.get(d.name, d.name)
        symbol = nm.array_symbol(d.name, dims, shown)
        dim_names = tuple(dim_name(a.dim) for a in axes)
        node = Node(d.name, dims, symbol, nm.entries_of(d.name, dims, shown), matrix, indices, index, d.at,
                    tuple(d.indices), dim_names)
        self.nodes.append(node)
        self.known[d.name] = node

    def reserved_symbols(self) -> set:
        """Names an index must not take: every declared or defined name as SymPy shows it."""
        found = set()
        for item in list(self.inputs.values()) + self.nodes:
            found.add(Symbol(self.shown.get(item.name, item.name)))
        return found

    def name_positions(self, value: Value):
        """Index symbols for the positions of a whole array (n over N, d over D, ...), put in its index form."""
        used = {s.name for s in value.index.free_symbols} | set(self.known) | {
            self.shown.get(n, n) for n in self.known}
        chosen = []
        for axis in value.axes:
            letter = nm.INDEX_LETTERS[dim_name(axis.dim)]
            name = letter
            k = 2
            while name in used or name in (c.name for c in chosen):
                name = f"{letter}{k}"
                k += 1
            chosen.append(nm.index_symbol(name))
        mapping = {a.symbol: c for a, c in zip(value.axes, chosen)}
        return tuple(chosen), value.index.xreplace(mapping)

    # --- expressions -----------------------------------------------------------------------------------------

    def fresh(self, dim) -> Symbol:
        """A symbol for a position of a whole array (renamed when the definition is done)."""
        self.counter += 1
        return Symbol(f"_{dim_name(dim).lower()}{self.counter}", integer=True)

    def lower(self, e) -> Value:
        method = getattr(self, "lower_" + type(e).__name__.lower())
        return method(e)

    def lower_number(self, e: ast.Number) -> Value:
        value = nm.number(e.text)
        return Value(value, value)

    def lower_name(self, e: ast.Name) -> Value:
        item = self.known.get(e.name)
        if item is None and e.name in nm.DIMENSIONS:          # a size as a number: eps / K, N * dxhat
            return Value(nm.DIMENSIONS[e.name], nm.DIMENSIONS[e.name])
        if item is None:
            if e.name in self.bound or e.name in self.index_dims:
                raise self.error(f"the index {e.name} stands alone: index an array with it (S[n, {e.name}])", e.at)
            raise self.error(f"unknown name {e.name!r}{suggest(e.name, self.known)}", e.at)
        if isinstance(item, Input) and item.kind == "scalar":
            return Value(item.symbol, item.symbol)
        if isinstance(item, Input) and item.kind == "labels":
            raise self.error(f"{e.name} holds labels: use {e.name}[n] as an index (S[n, {e.name}[n]]) or "
                             f"onehot({e.name})", e.at)
        axes = tuple(Axis(self.fresh(dim), dim, False) for dim in item.dims)
        return Value(item.symbol, self.entry_of(item, [a.symbol for a in axes]), axes)

    @staticmethod
    def entry_of(item, indices):
        if isinstance(item, Node):
            return item.base[tuple(indices)] if indices else item.base
        return item.base[tuple(indices)] if indices else item.base

    def use_index(self, name, dim, at):
        """Index ``name`` runs over ``dim`` here: the same dimension wherever it appears."""
        if name in self.known or name in nm.DIMENSIONS:
            raise self.error(f"{name!r} names something else; an index needs a name of its own", at)
        if name not in self.bound:
            raise self.error(f"the index {name} is not bound: put it on the left (M[{name}, ...] = ...) or sum "
                             f"over it (sum_{name} ...)", at)
        found = self.index_dims.get(name)
        if found is None:
            self.index_dims[name] = (dim, at)
        elif found[0] != dim:
            raise self.error(f"the index {name} runs over {dim} here but over {found[0]} at "
                             f"{self.spec.where(found[1])}", at)
        return nm.index_symbol(name)

    def lower_entry(self, e: ast.Entry) -> Value:
        item = self.known.get(e.name)
        if item is None:
            raise self.error(f"unknown name {e.name!r}{suggest(e.name, self.known)}", e.at)
        if isinstance(item, Input) and item.kind == "scalar":
            raise self.error(f"{e.name} is a scalar: it takes no index", e.at)
        if isinstance(item, Input) and item.kind == "labels":
            raise self.error(f"{e.name}[...] is a label: use it as an index, S[n, {e.name}[n]]", e.at)
        dims = item.dims
        if len(e.indices) != len(dims):
            shape = " x ".join(str(d) for d in dims) or "a scalar"
            raise self.error(f"{e.name} is {shape}: it takes {len(dims)} ind{'ex' if len(dims) == 1 else 'ices'}, "
                             f"not {len(e.indices)}", e.at)
        labels = self.inputs_of_kind("labels")
        positions, plain = [], []
        for index, dim in zip(e.indices, dims):
            if index.label is None:
                symbol = self.use_index(index.name, dim, index.at)
                positions.append(("index", symbol, dim))
                plain.append(symbol)
            else:
                if labels is None or index.label != labels.name:
                    raise self.error(f"{index.label}[{index.name}] looks up a label, but {index.label!r} is not "
                                     "declared as labels (y: labels)", index.at)
                if dim != nm.DIMENSIONS["K"]:
                    raise self.error(f"a label picks one of the K classes; this index of {e.name} runs over {dim}",
                                     index.at)
                example = self.use_index(index.name, nm.DIMENSIONS["N"], index.at)
                positions.append(("label", example, dim))
                plain.append(labels.symbol[example])
        index_form = item.base[tuple(plain)]
        if len({p[1] for p in positions if p[0] == "index"}) < sum(p[0] == "index" for p in positions):
            raise self.error("the same index twice (a diagonal) is not supported", e.at)
        m = item.symbol
        kinds = [p[0] for p in positions]
        if kinds == ["index"] * len(kinds):
            axes = tuple(Axis(p[1], p[2], True) for p in positions)
            return Value(m, index_form, axes)
        onehot = labels.onehot
        n_axis = lambda example: Axis(example, nm.DIMENSIONS["N"], True)  # noqa: E731
        if len(positions) == 1:                                   # b[y[n]]: (Y b)_n
            return Value(MatMul(onehot, m), index_form, (n_axis(positions[0][1]),))
        (k0, s0, d0), (k1, s1, d1) = positions
        if k0 == "index" and k1 == "label":
            if s0 == s1:                                          # S[n, y[n]]: ((S o Y) 1_K)_n
                if d0 != nm.DIMENSIONS["N"]:
                    raise self.error(f"the label of example {s0.name} needs {s0.name} to run over N", e.at)
                return Value(MatMul(hadamard(m, onehot), Ones(d1)), index_form, (n_axis(s0),))
            return Value(MatMul(m, Transpose(onehot)), index_form, (Axis(s0, d0, True), n_axis(s1)))   # (A Y^T)_in
        if k0 == "label" and k1 == "index":
            if s0 == s1:                                          # A[y[n], n]: ((A^T o Y) 1_K)_n
                return Value(MatMul(hadamard(Transpose(m), onehot), Ones(d0)), index_form, (n_axis(s0),))
            return Value(MatMul(onehot, m), index_form, (n_axis(s0), Axis(s1, d1, True)))               # (Y A)_nj
        raise self.error("two labels as the two indices are not supported", e.at)

    def inputs_of_kind(self, kind):
        return next((i for i in self.inputs.values() if i.kind == kind), None)

    # --- operators -------------------------------------------------------------------------------------------------

    def lower_unary(self, e: ast.Unary) -> Value:
        v = self.lower(e.operand)
        if isinstance(v, wide.Wide):
            return wide.negate(v)
        return Value(-v.matrix if v.constant else scale(-1, v.matrix), -v.index, v.axes)

    def lower_binary(self, e: ast.Binary) -> Value:
        a, b = self.lower(e.left), self.lower(e.right)
        if e.operator in ("@", "juxt"):
            if e.operator == "@" and (a.named or b.named):
                raise self.error("'@' multiplies whole arrays; with indices write the sum "
                                 "(sum_k A[n, k] B[k, j])", e.at)
            if a.positional and b.positional:
                return self.matrix_product(a, b, e)
            if e.operator == "@" and (not a.axes or not b.axes):
                raise self.error("'@' multiplies two arrays; use '*' for a scalar", e.at)
            return self.elementwise("*", a, b, e)
        return self.elementwise(e.operator, a, b, e)

    def axes_of(self, a: Value, b: Value, e) -> tuple:
        """The axes of an entry-by-entry combination of a and b, with b's positions identified with a's (or a's
        with b's) as NumPy broadcasts: from the right, a vector of K entries along each row of an N x K array."""
        if a.positional and b.named or a.named and b.positional:
            raise self.error("this mixes index notation and whole arrays: index the whole array too "
                             "(b[k] rather than b)", e.at)
        if a.named or b.named:
            axes = list(a.axes)
            for axis in b.axes:
                if all(axis.symbol != x.symbol for x in axes):
                    axes.append(axis)
            if len(axes) > 2:
                raise self.error(f"more than two free indices ({', '.join(x.symbol.name for x in axes)}): at most "
                                 "two (a matrix); sum over one of them", e.at)
            return tuple(axes), a, b
        longer, shorter = (a, b) if len(a.axes) >= len(b.axes) else (b, a)
        if not shorter.axes:
            return longer.axes, a, b
        pairs = list(zip(reversed(shorter.axes), reversed(longer.axes)))
        for short, long in pairs:
            if short.dim != long.dim:
                raise self.error(f"the shapes do not fit: {shape_words(a)} and {shape_words(b)} (NumPy's "
                                 f"broadcasting lines up the last axes: {short.dim} against {long.dim})", e.at)
        mapping = {short.symbol: long.symbol for short, long in pairs}
        renamed = Value(shorter.matrix, shorter.index.xreplace(mapping),
                        tuple(Axis(mapping[x.symbol], x.dim, False) for x in shorter.axes))
        if shorter is a:
            return longer.axes, renamed, b
        return longer.axes, a, renamed

    def elementwise(self, op, a: Value, b: Value, e) -> Value:
        if a.constant and b.constant:
            return Value(_scalar_op(op, a.matrix, b.matrix), _scalar_op(op, a.index, b.index))
        if isinstance(a, wide.Wide) or isinstance(b, wide.Wide) or (
                a.named and b.named and len(wide.union_axes(a, b)) > 2):
            return self.wide_elementwise(op, a, b, e)
        value = self.narrow_elementwise(op, a, b, e)
        if value.named and not (a.positional or b.positional):   # index notation: its terms, for a sum to contract
            try:
                value = replace(value, terms=wide.combine(op, a, b, value.index).terms)
            except wide.Contraction:
                pass
        return value

    def narrow_elementwise(self, op, a: Value, b: Value, e) -> Value:
        axes, a, b = self.axes_of(a, b, e)
        index = _scalar_op(op, a.index, b.index)
        if op in ("+", "-"):
            right = b if op == "+" else Value(-b.matrix if b.constant else scale(-1, b.matrix), -b.index, b.axes)
            if a.constant and a.matrix == 0:
                return Value(arrange(right, axes), index, axes)
            if right.constant and right.matrix == 0:
                return Value(arrange(a, axes), index, axes)
            return Value(add(arrange(a, axes), arrange(right, axes)), index, axes)
        if op == "*":
            if a.constant:
                return Value(scale(a.matrix, arrange(b, axes)), index, axes)
            if b.constant:
                return Value(scale(b.matrix, arrange(a, axes)), index, axes)
            return Value(hadamard(arrange(a, axes), arrange(b, axes)), index, axes)
        if op == "/":
            if b.constant:
                if b.matrix == 0:
                    raise self.error("division by 0", e.at)
                return Value(scale(1 / b.matrix, arrange(a, axes)), index, axes)
            inverse = arrange(Value(power(b.matrix, -1), 1 / b.index, b.axes), axes)   # (1_N v^T)^-1 = 1_N (v^-1)^T
            if a.constant:
                return Value(scale(a.matrix, inverse), index, axes)
            return Value(hadamard(arrange(a, axes), inverse), index, axes)
        raise self.error(f"unknown operator {op}", e.at)  # pragma: no cover

    def wide_elementwise(self, op, a, b, e):
        """An entry-by-entry combination with more than two free indices (X[n, d] W[d, j]): kept as terms until a
        sum over an index contracts them to a matrix (:mod:`.contraction`)."""
        if a.positional or b.positional:
            raise self.error("this mixes index notation and whole arrays: index the whole array too "
                             "(b[k] rather than b)", e.at)
        try:
            return wide.combine(op, a, b, _scalar_op(op, a.index, b.index))
        except wide.Contraction as problem:
            raise self.error(f"{problem}: sum over an index first", e.at) from None

    def narrow(self, v, e, what: str):
        """``v`` itself, or the error for ``what`` applied to an expression with more than two free indices."""
        if isinstance(v, wide.Wide):
            raise self.error(f"{what} of an expression with {len(v.axes)} free indices ({self.listed(v)}): sum over "
                             "one of them first (sum_d X[n, d] W[d, j] is entry (n, j) of X W)", e.at)
        return v

    @staticmethod
    def listed(v) -> str:
        return ", ".join(a.symbol.name for a in v.axes)

    def matrix_product(self, a: Value, b: Value, e) -> Value:
        """A @ B of whole arrays, as NumPy: matrix times matrix, matrix times vector, vector times vector."""
        if not a.axes or not b.axes:
            return self.elementwise("*", a, b, e)
        inner_a, inner_b = a.axes[-1], b.axes[0]
        if inner_a.dim != inner_b.dim:
            raise self.error(f"the product of {shape_words(a)} and {shape_words(b)}: the inner sizes "
                             f"{inner_a.dim} and {inner_b.dim} differ", e.at)
        k = Symbol(f"_k{self.next()}", integer=True)
        index = Sum(a.index.xreplace({inner_a.symbol: k}) * b.index.xreplace({inner_b.symbol: k}),
                    (k, 0, inner_a.dim - 1))
        if len(a.axes) == 2 and len(b.axes) == 2:
            matrix, axes = MatMul(a.matrix, b.matrix), (a.axes[0], b.axes[1])
        elif len(a.axes) == 2:
            matrix, axes = MatMul(a.matrix, b.matrix), (a.axes[0],)
        elif len(b.axes) == 2:
            matrix, axes = MatMul(Transpose(b.matrix), a.matrix), (b.axes[1],)
        else:
            matrix, axes = MatMul(Transpose(a.matrix), b.matrix), ()
        return Value(matrix, index, axes)

    def next(self) -> int:
        self.counter += 1
        return self.counter

    def lower_power(self, e: ast.Power) -> Value:
        base = self.narrow(self.lower(e.base), e, "a power")
        exponent = self.lower(e.exponent)
        if not exponent.constant or exponent.matrix.free_symbols:
            raise self.error("an exponent is a number (x^2, x^-1, x^(1/2))", e.exponent.at)
        p = exponent.matrix
        if base.constant:
            return Value(base.matrix ** p, base.index ** p)
        return Value(power(base.matrix, p), base.index ** p, base.axes)

    def lower_transposed(self, e: ast.Transposed) -> Value:
        v = self.lower(e.operand)
        if v.named:
            raise self.error("a transpose applies to a whole array; with indices swap them (W[k, d])", e.at)
        if len(v.axes) < 2:
            return v
        return Value(Transpose(v.matrix), v.index, (v.axes[1], v.axes[0]))

    # --- functions ---------------------------------------------------------------------------------------------------

    def lower_call(self, e: ast.Call) -> Value:
        f = e.function
        if f not in FUNCTIONS:
            raise self.error(f"unknown function {f!r}{suggest(f, FUNCTIONS)} (the functions: "
                             f"{', '.join(FUNCTIONS)})", e.at)
        if f == "onehot":                      # its argument is the labels themselves, not a value
            return self.onehot(e)
        arguments = [self.narrow(self.lower(a), a, f"{f}(...)") for a in e.arguments]
        if f in ("max", "min") and len(arguments) == 2:
            if e.axis is not None:
                raise self.error(f"{f}(a, b) of two takes no axis", e.at)
            return self.extreme_of_two(f, *arguments, e)
        if len(arguments) != 1:
            raise self.error(f"{f} takes one argument{' (or two: max(0, u))' if f in ('max', 'min') else ''}, "
                             f"not {len(arguments)}", e.at)
        v = arguments[0]
        if f in ("softmax", "logsumexp", "sum", "mean", "max", "min"):
            return self.along_axis(f, v, e)
        if e.axis is not None:
            raise self.error(f"{f} acts entry by entry: it takes no axis", e.at)
        if f in UNARY:
            node, scalar = UNARY[f]
            if v.constant:
                return Value(scalar(v.matrix), scalar(v.index))
            return Value(node(v.matrix), scalar(v.index), v.axes)
        exponent = sympy.Rational(1, 2) if f == "sqrt" else Integer(2)
        if v.constant:
            return Value(v.matrix ** exponent, v.index ** exponent)
        return Value(power(v.matrix, exponent), v.index ** exponent, v.axes)

    def onehot(self, e) -> Value:
        labels = self.inputs_of_kind("labels")
        if labels is None:
            raise self.error("onehot(...) is the one-hot matrix of labels: declare them first (y: labels)", e.at)
        if len(e.arguments) != 1 or not isinstance(e.arguments[0], ast.Name) or e.arguments[0].name != labels.name \
                or e.axis is not None:
            raise self.error(f"onehot takes the labels alone: onehot({labels.name})", e.at)
        n, k = nm.DIMENSIONS["N"], nm.DIMENSIONS["K"]
        axes = (Axis(self.fresh(n), n, False), Axis(self.fresh(k), k, False))
        return Value(labels.onehot, KroneckerDelta(axes[1].symbol, labels.symbol[axes[0].symbol]), axes)

    def extreme_of_two(self, f, a: Value, b: Value, e) -> Value:
        """max(a, b) = a + max(0, b - a), min(a, b) = a - max(0, a - b), entry by entry."""
        index_of = sympy.Max if f == "max" else sympy.Min
        if a.constant and b.constant:
            return Value(index_of(a.matrix, b.matrix), index_of(a.index, b.index))
        axes, a, b = self.axes_of(a, b, e)
        index = index_of(a.index, b.index, evaluate=False)
        if f == "max" and a.constant and a.matrix == 0:
            return Value(Hinge(arrange(b, axes)), index, axes)
        if f == "max" and b.constant and b.matrix == 0:
            return Value(Hinge(arrange(a, axes)), index, axes)
        first, second = arrange(a, axes), arrange(b, axes)
        if f == "max":
            return Value(add(first, Hinge(add(second, scale(-1, first)))), index, axes)
        return Value(add(first, scale(-1, Hinge(add(first, scale(-1, second))))), index, axes)

    def along_axis(self, f, v: Value, e) -> Value:
        """softmax, logsumexp, sum, mean, max of a whole array: over every entry, or along axis 0 or 1."""
        if v.named:
            raise self.error(f"{f}(...) takes a whole array; with indices write {f}_j ... over an index", e.at)
        if v.constant or not v.axes:
            if f in ("sum", "mean", "max", "min") and e.axis is None:
                return v
            raise self.error(f"{f} of a scalar", e.at)
        if f == "min":
            raise self.error("min over an axis is not supported: write -max(-A, axis=...)", e.at)
        axes, m = v.axes, v.matrix
        if len(axes) == 1:
            if e.axis == 1:
                raise self.error("a vector has one axis: axis=0, or none", e.at)
            row = Transpose(m)
            (axis,) = axes
            if f == "softmax":
                return Value(Transpose(RowSoftmax(row)), softmax_index(v.index, axis.symbol, axis.dim), axes)
            return self.reduce_row(f, row, v.index, axis, (), e)
        axis = 1 if e.axis is None else e.axis
        if f in ("sum", "mean", "max") and e.axis is None:
            if f == "max":
                raise self.error("max of a whole matrix needs an axis: max(A, axis=1)", e.at)
            total = MatMul(Transpose(Ones(axes[0].dim)), m, Ones(axes[1].dim))
            index = Sum(Sum(v.index, (axes[1].symbol, 0, axes[1].dim - 1)), (axes[0].symbol, 0, axes[0].dim - 1))
            if f == "mean":
                return Value(scale(1 / (axes[0].dim * axes[1].dim), total), index / (axes[0].dim * axes[1].dim))
            return Value(total, index)
        rows = m if axis == 1 else Transpose(m)
        kept, reduced = (axes[0], axes[1]) if axis == 1 else (axes[1], axes[0])
        if f == "softmax":
            matrix = RowSoftmax(rows) if axis == 1 else Transpose(RowSoftmax(rows))
            return Value(matrix, softmax_index(v.index, reduced.symbol, reduced.dim), axes)
        return self.reduce_row(f, rows, v.index, reduced, (kept,), e)

    def reduce_row(self, f, rows, index, reduced: Axis, kept: tuple, e) -> Value:
        """Reduce each row of ``rows`` (its columns run over ``reduced``): sum, mean, max or logsumexp."""
        j, dim = reduced.symbol, reduced.dim
        if f == "logsumexp":
            return Value(RowLogSumExp(rows), sympy.log(Sum(sympy.exp(index), (j, 0, dim - 1))), kept)
        if f == "max":
            return Value(RowMax(rows), MaxOver(index, j, None, 0, dim - 1), kept)
        total = MatMul(rows, Ones(dim))
        index = Sum(index, (j, 0, dim - 1))
        if f == "mean":
            return Value(scale(1 / dim, total), index / dim, kept)
        return Value(total, index, kept)

    # --- reductions over named indices ------------------------------------------------------------------------

    def lower_reduction(self, e: ast.Reduction) -> Value:
        names = e.indices
        for name in names:
            if name in self.bound:
                raise self.error(f"the index {name} is already in use here: give the sum's index another name",
                                 e.at)
            if name in self.known or name in nm.DIMENSIONS or name in ast.RESERVED:
                raise self.error(f"{name!r} names something else; an index needs a name of its own", e.at)
        if len(set(names)) != len(names):
            raise self.error("an index twice under one reduction", e.at)
        if e.operator in ("max", "logsumexp", "min") and len(names) > 1:
            raise self.error(f"{e.operator} runs over one index", e.at)
        if e.operator == "min":
            raise self.error("min_j is not supported: write -max_j (-...)", e.at)
        if e.excluded is not None and e.operator not in ("sum", "max"):
            raise self.error(f"{e.operator} over j != y[n] is not supported (sum and max are)", e.at)
        saved = dict(self.index_dims)
        self.bound |= set(names)
        body = self.lower(e.body)
        self.bound -= set(names)
        value = body
        for name in reversed(names):
            dim = self.index_dims.get(name, (None,))[0]
            if dim is None:
                raise self.error(f"{e.operator}_{name}: the index {name} does not appear in what it runs over",
                                 e.at)
            value = self.reduce_named(e, name, dim, value)
            self.index_dims.pop(name, None)
        for name in names:
            if name in saved:
                self.index_dims[name] = saved[name]
        return value

    def reduce_named(self, e, name, dim, body: Value) -> Value:
        j = nm.index_symbol(name)
        if not isinstance(body, wide.Wide) and body.terms is not None and e.operator in ("sum", "mean") \
                and e.excluded is None and any(a.symbol == j for a in body.axes):
            body = wide.Wide(body.terms, body.index, body.axes)   # a product of entries: contracted (X w, not X ∘ w)
        if isinstance(body, wide.Wide):
            if e.operator not in ("sum", "mean") or e.excluded is not None:
                self.narrow(body, e, f"{e.operator}_{name}" if e.excluded is None else
                            f"{e.operator} over {name} != {e.excluded.label}[{e.excluded.name}]")
            axis = next(a for a in body.axes if a.symbol == j)
            index = Sum(body.index, (j, 0, dim - 1))
            try:
                return wide.reduce(body, axis, index / dim if e.operator == "mean" else index, e.operator == "mean")
            except wide.Contraction as problem:
                raise self.error(str(problem), e.at) from None
        if body.positional:
            raise self.error(f"{e.operator}_{name} runs over entries: index the arrays (S[n, {name}])", e.body.at)
        others = tuple(a for a in body.axes if a.symbol != j)
        axis = next(a for a in body.axes if a.symbol == j)
        if e.excluded is not None:
            return self.reduce_except(e, axis, others, body)
        rows = arrange(body, others + (axis,))
        if e.operator in ("sum", "mean"):
            # the sum of each row (A 1), or of a column's entries (1^T v)
            total = MatMul(rows, Ones(dim)) if others else MatMul(Transpose(Ones(dim)), rows)
            index = Sum(body.index, (j, 0, dim - 1))
            if e.operator == "mean":
                return Value(scale(1 / dim, total), index / dim, others)
            return Value(total, index, others)
        if len(others) == 0:
            rows = Transpose(rows)                  # a row: the one entry of the result
        if e.operator == "max":
            return Value(RowMax(rows), MaxOver(body.index, j, None, 0, dim - 1), others)
        return Value(RowLogSumExp(rows), sympy.log(Sum(sympy.exp(body.index), (j, 0, dim - 1))), others)

    def reduce_except(self, e, axis: Axis, others, body: Value) -> Value:
        """sum_{j != y[n]} and max_{j != y[n]}: over the classes other than the label of example n."""
        labels = self.inputs_of_kind("labels")
        excluded = e.excluded
        if excluded.label is None or labels is None or excluded.label != labels.name:
            raise self.error(f"{e.operator}_{{{axis.symbol.name} != ...}} leaves out the label of an example: "
                             f"{axis.symbol.name} != y[n] (declare y: labels)", excluded.at)
        if axis.dim != nm.DIMENSIONS["K"]:
            raise self.error(f"the index {axis.symbol.name} must run over the classes K to leave out a label; it "
                             f"runs over {axis.dim}", e.at)
        example = nm.index_symbol(excluded.name)
        if excluded.name not in self.bound:
            raise self.error(f"the index {excluded.name} of {excluded.label}[{excluded.name}] is not bound",
                             excluded.at)
        self.use_index(excluded.name, nm.DIMENSIONS["N"], excluded.at)
        n_axis = next((a for a in others if a.symbol == example), Axis(example, nm.DIMENSIONS["N"], True))
        rest = tuple(a for a in others if a.symbol != example)
        if rest:
            raise self.error(f"{e.operator}_{{{axis.symbol.name} != {excluded.label}[{excluded.name}]}} of an "
                             f"expression with another free index ({rest[0].symbol.name}) is not supported", e.at)
        rows = arrange(body, (n_axis, axis))
        j, k = axis.symbol, axis.dim
        label = labels.symbol[example]
        if e.operator == "sum":
            mask = add(ones_matrix(nm.DIMENSIONS["N"], k), scale(-1, labels.onehot))
            return Value(MatMul(hadamard(mask, rows), Ones(k)), SumExcept(body.index, j, label, 0, k - 1), (n_axis,))
        return Value(RowMax(rows, labels.onehot), MaxOver(body.index, j, label, 0, k - 1), (n_axis,))


def lower_expression(program: Program, expr, extra: dict, dims: tuple, at: int, what: str):
    """The matrix form of ``expr`` (a record of the spec) with the names of ``program`` and ``extra`` (name ->
    Node, the gradients dV) known: a whole array of shape ``dims`` (SpecError otherwise)."""
    compiler = Compiler(program.spec)
    compiler.inputs = dict(program.inputs)
    compiler.known = {**program.inputs, **{n.name: n for n in program.nodes}, **extra}
    compiler.shown = dict(program.shown)
    compiler.bound = set()
    value = compiler.lower(expr)
    if value.named:
        raise compiler.error(f"the right side of {what} is a whole array: no free index", at)
    got = tuple(a.dim for a in value.axes)
    if value.constant or got != tuple(dims):
        shape = " x ".join(map(str, dims)) or "a scalar"
        raise compiler.error(f"{what} is {shape}, but the right side is {shape_words(value)}", at)
    return value.matrix


# --- helpers -----------------------------------------------------------------------------------------------------

def _scalar_op(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b


def softmax_index(index, j, dim):
    """e^{A_ij} / sum_m e^{A_im}: entry j of the softmax of a row."""
    m = Symbol(f"{j.name}_m", integer=True)
    return sympy.exp(index) / Sum(sympy.exp(index.xreplace({j: m})), (m, 0, dim - 1))


def dim_name(dim) -> str:
    return next(name for name, symbol in nm.DIMENSIONS.items() if symbol == dim)


def shape_words(v: Value) -> str:
    if not v.axes:
        return "a scalar"
    return " x ".join(str(a.dim) for a in v.axes) if len(v.axes) > 1 else f"a vector of {v.axes[0].dim}"


def suggest(name, known) -> str:
    import difflib
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_variable(compiler, name, at):
    """A variable to differentiate with respect to: a declared matrix or vector."""
    item = compiler.inputs.get(name)
    if item is None:
        if any(n.name == name for n in compiler.nodes):
            raise compiler.error(f"{name} is defined in the spec, not given: differentiate with respect to what "
                                 "it is made of", at)
        raise compiler.error(f"the spec has no {name!r} to differentiate with respect to"
                             f"{suggest(name, compiler.inputs)}", at)
    if item.kind != "array":
        raise compiler.error(f"{name} is {'a scalar' if item.kind == 'scalar' else 'labels'}: derive grad "
                             "differentiates with respect to matrices and vectors", at)


def readable_bound_indices(expr, avoid: set):
    """``expr`` with the indices its sums bind named by their dimension (k over K, d over D, h over H), no name
    clashing with a free symbol or an enclosing sum's index."""
    taken = {s.name for s in expr.free_symbols} | {s.name for s in avoid if isinstance(s, Symbol)}
    return _rename(expr, taken, {})


def bound_as_dummies(expr):
    """``expr`` with the index of every sum (and max over an index) a Dummy of the same name: what a verifier is
    given as a definition, so that no bound index of it can ever be taken for a free index of a step (a sum over
    d differentiated with respect to W_dh)."""
    if isinstance(expr, Sum):
        body, limits = expr.function, []
        for index, lo, hi in expr.limits:
            dummy = sympy.Dummy(index.name, integer=True)
            body = body.xreplace({index: dummy})
            limits.append((dummy, lo, hi))
        return Sum(bound_as_dummies(body), *limits)
    if isinstance(expr, (SumExcept, MaxOver)) or type(expr).__name__ == "Argmax":
        dummy = sympy.Dummy(expr.index.name, integer=True)
        body = bound_as_dummies(expr.function.xreplace({expr.index: dummy}))
        return type(expr)(body, dummy, *[bound_as_dummies(a) for a in expr.args[2:]])
    if not expr.args:
        return expr
    args = [bound_as_dummies(a) for a in expr.args]
    if all(a is b for a, b in zip(args, expr.args)):
        return expr
    if isinstance(expr, (sympy.Max, sympy.Min)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _readable(index, upper, taken) -> Symbol:
    """A readable name for a bound index running up to ``upper`` (by its dimension), not among ``taken``."""
    if not index.name.startswith("_") and index.name not in taken:
        return index
    dim = next((d for d in nm.DIMENSIONS.values() if upper.has(d)), None)
    letters = _LETTERS.get(dim_name(dim) if dim is not None else "", ("i", "p", "q"))
    name = next((x for x in letters if x not in taken), None)
    k = 2
    while name is None:
        candidate = f"{letters[0]}{k}"
        name = candidate if candidate not in taken else None
        k += 1
    return Symbol(name, integer=True)


#: the names a bound index over each dimension takes, in order of preference
_LETTERS = {"K": ("k", "m", "c", "j"), "D": ("d", "q", "e"), "H": ("h", "l", "g"), "N": ("n", "i", "p"),
            "M": ("m", "r", "t")}


def _rename(e, taken, memo):
    if isinstance(e, Sum):
        body, limits, inner_taken = e.function, [], set(taken)
        for index, lo, hi in reversed(e.limits):              # outermost first
            new = _readable(index, hi, inner_taken)
            inner_taken.add(new.name)
            body = body.xreplace({index: new})
            limits.append((new, lo, hi))
        return Sum(_rename(body, inner_taken, memo), *reversed(limits))
    if isinstance(e, (SumExcept, MaxOver)) or type(e).__name__ == "Argmax":
        new = _readable(e.index, e.upper, taken)
        body = _rename(e.function.xreplace({e.index: new}), taken | {new.name}, memo)
        rest = [_rename(a, taken, memo) for a in e.args[2:]]
        return type(e)(body, new, *rest)
    if not e.args:
        return e
    args = [_rename(a, taken, memo) for a in e.args]
    if all(a is b for a, b in zip(args, e.args)):
        return e
    if isinstance(e, (sympy.Max, sympy.Min)):
        return e.func(*args, evaluate=False)
    return e.func(*args)


__all__ = ["compile_spec", "Program", "Node", "Input", "Compiler", "FUNCTIONS", "lower_expression",
           "readable_bound_indices", "bound_as_dummies"]
