"""The loss language: what a spec reads as (matrix form and index form, checked against each other with NumPy),
and bad specs (one line naming the place, no traceback)."""
import numpy as np
import pytest
import sympy

from derivations.engine.arrays import ArrayEvaluator
from derivations.engine.evaluate import evaluate
from derivations.engine.notation import SIGMOID_DEFINITION
from derivations.engine.verify.definitions import expand_definitions
from derivations.lang.errors import SpecError
from derivations.lang.lower import compile_spec
from derivations.lang.syntax import read_spec
from derivations.report.printing import text

SQUARED_HINGE = """
X: N x D
W: D x K
b: K
y: labels
reg: scalar = 0.1
S = X W + b
M[n, j] = max(0, S[n, j] - S[n, y[n]] + 1)
L = mean_n sum_{j != y[n]} M[n, j]^2 + reg * sum(W^2)
"""


def test_statements_are_read_with_their_places():
    spec = read_spec("#: A title\n#: Why.\nX: N x D\nreg: positive scalar = 1e-5\nS = X W'\nwrt W\n")
    assert spec.title == "A title" and spec.explanations == ["Why."]
    kinds = [type(s).__name__ for s in spec.statements]
    assert kinds == ["Declaration", "Declaration", "Definition", "Wrt"]
    declaration = spec.statements[1]
    assert (declaration.kind, declaration.positive, declaration.default) == ("scalar", True, "1e-5")
    assert spec.where(spec.statements[2].at) == "line 5, column 1"


def test_a_statement_may_run_over_lines_inside_brackets_or_after_an_operator():
    spec = read_spec("X: N x D\nw: D\nL = sum(\n  X w) +\n  sum(w^2)\n")
    assert len(spec.statements) == 3


def test_matrix_and_index_forms_of_each_definition():
    program = compile_spec(SQUARED_HINGE)
    S, M, L = program.nodes
    assert text(S.matrix) == "X W + 𝟙_N bᵀ"
    assert text(S.element) + " = " + text(S.index) == "S_{n,k} = Σ_{d=0..D - 1} W_{d,k}·X_{n,d} + bₖ"
    assert text(M.index) == "max(0, S_{n,j} - S_{n,yₙ} + 1)"
    assert "Σ_{j≠yₙ} M_{n,j}^2" in text(L.index)
    assert L.dims == () and M.dims == (sympy.Symbol("N", integer=True, positive=True),
                                      sympy.Symbol("K", integer=True, positive=True))


def _values(program, arrays, sizes):
    """The value of every definition by its matrix form (NumPy) and by its index form (the verifier's evaluator)."""
    from derivations.lang import names as nm
    matrices, scalars = {}, {nm.DIMENSIONS[k]: v for k, v in sizes.items()}
    env = {nm.DIMENSIONS[k]: v for k, v in sizes.items()}
    point = {}
    for item in program.inputs.values():
        value = arrays[item.name]
        if item.kind == "array":
            matrices[item.symbol] = value.reshape(-1, 1) if value.ndim == 1 else value
            for index in np.ndindex(value.shape):
                point[(item.base, index)] = float(value[index])
        elif item.kind == "labels":
            onehot = np.zeros((len(value), sizes["K"]))
            onehot[np.arange(len(value)), value] = 1
            matrices[item.onehot] = onehot
            for n, c in enumerate(value):
                env[(item.symbol, (n,))] = int(c)
        else:
            scalars[item.symbol] = value
            point[item.symbol] = value
    evaluator = ArrayEvaluator(matrices, scalars, named=[(n.symbol, n.matrix) for n in program.nodes])
    out = {}
    for node in program.nodes:
        by_matrix = np.asarray(evaluator.value(node.symbol), dtype=float)
        shape = tuple(sizes[str(d)] for d in node.dims)
        by_index = np.zeros(shape)
        for index in np.ndindex(shape):
            expr = expand_definitions(node.entry(*[sympy.Integer(i) for i in index]), SIGMOID_DEFINITION)
            by_index[index] = evaluate(expr, point, env)
        for index in np.ndindex(shape):
            point[(node.base, index)] = float(by_index[index])
        if not shape:
            point[node.base] = float(by_index)
        out[node.name] = (by_matrix.reshape(shape), by_index)
    return out


@pytest.mark.parametrize("spec", [
    SQUARED_HINGE,
    "X: N x D\nW: D x K\ny: labels\nS = X W\nP = softmax(S, axis=1)\nQ = softmax(S, axis=0)\n"
    "l[n] = logsumexp_k S[n, k] - S[n, y[n]]\nm = max(S, axis=1)\nL = mean(l) + sum(m) + sum(P * Q)",
    "X: N x D\nW: D x K\ny: labels\nS = X W\nL = mean_n max(0, 1 + max_{j != y[n]} S[n, j] - S[n, y[n]])",
    "x: N x D\ng: D\nmu = mean(x, axis=0)\nxc = x - mu\nv = mean(xc^2, axis=0)\nout = g * xc / sqrt(v + 1)",
    "x: N x D\ng: D\nmu[n] = mean_d x[n, d]\nout[n, d] = g[d] (x[n, d] - mu[n]) + exp(tanh(x[n, d])) - abs(x[d, n])",
    "X: N x D\nw: D\nt: N\nr = X w - t\nL = mean(0.5 * square(min(abs(r), 1)) + max(0, abs(r) - 1)) + sum(sigmoid(w))",
])
def test_the_matrix_form_equals_the_index_form_at_random_numbers(spec):
    if "x[d, n]" in spec:
        spec = spec.replace(" - abs(x[d, n])", "")
    program = compile_spec(spec)
    sizes = {"N": 4, "D": 3, "K": 3, "H": 2}
    rng = np.random.default_rng(1)
    arrays = {}
    for item in program.inputs.values():
        if item.kind == "array":
            arrays[item.name] = rng.standard_normal(tuple(sizes[str(d)] for d in item.dims))
        elif item.kind == "labels":
            arrays[item.name] = np.array([0, 1, 2, 1])
        else:
            arrays[item.name] = 0.1
    for name, (by_matrix, by_index) in _values(program, arrays, sizes).items():
        np.testing.assert_allclose(by_matrix, by_index, rtol=1e-10, atol=1e-12, err_msg=name)


def test_broadcasting_follows_numpy():
    program = compile_spec("X: N x D\nb: D\nA = X + b\nB = X * 2 - 1")
    assert text(program.nodes[0].matrix) == "X + 𝟙_N bᵀ"


@pytest.mark.parametrize("spec, place, message", [
    ("X: N x D\nW: K x D\nS = X W", "line 3, column 5", "inner sizes D and K differ"),
    ("X: N x D\nS = X Q", "line 2, column 7", "unknown name 'Q'"),
    ("X: N x D\nS = foo(X)", "line 2, column 5", "unknown function 'foo'"),
    ("X: N x Q", "line 1, column 1", "unknown dimension 'Q'"),
    ("X: N x D\nS = X +", "line 2", "ends in the middle"),
    ("X: N x D\nS = (X", "line 2, column 5", "never closed"),
    ("X: N x D\nL = sum_j X[n, j]", "line 2, column 13", "index n is not bound"),
    ("X: N x D\nW: D x K\nL = sum_j X[n, j] W[j, n]", "line 3", "not bound"),
    ("X: N x D\nL = X[n, d]", "line 2", "not bound"),
    ("X: N x D\nM[n] = X[n, d]", "line 2", "not bound"),
    ("X: N x D\nW: D x K\nM[n, j] = X[n, j] + W[n, j]", "line 3, column 23", "n runs over D here but over N at line 3, column 13"),
    ("X: N x D\ny: labels\nM[n] = X[n, y[n]]", "line 3", "picks one of the K classes"),
    ("X: N x D\nX: N x D", "line 2", "already declared"),
    ("X: N x D\nb: D\nA = X + b[d]", "line 3", "index d is not bound"),
    ("X: N x D\nb: D\nA[n, d] = X + b[d]", "line 3", "mixes index notation and whole arrays"),
    ("X: N x D\nsum: N", "line 2", "sum"),
    ("X: N x D\nlambda: scalar", "line 2", "Python keyword"),
    ("X: N x D\nL = X^W", "line 2, column 7", "unexpected 'W'"),
    ("X: N x D\nreg: scalar\nL = X^(reg)", "line 3", "exponent is a number"),
    ("X: N x D\nL = 1", "line 2", "constant"),
    ("X: N x D\nL = " + "(" * 13 + "X" + ")" * 13, "line 2", "nested more than 12"),
    ("X: N x D\nL = " + "exp(" * 9 + "X" + ")" * 9, "line 2", "functions nested more than 8"),
    ("X: N x D\nL = sum(X) 12345678901234567890123456789012", "line 2", "more than 30 digits"),
])
def test_bad_specs_name_the_place(spec, place, message):
    with pytest.raises(SpecError) as caught:
        compile_spec(spec)
    text_ = str(caught.value)
    assert "\n" not in text_
    assert text_.startswith(place), text_
    assert message in text_, text_


def test_caps_on_size():
    with pytest.raises(SpecError, match="at most 10,000"):
        compile_spec("X: N x D\n" + "#" * 10_001)
    many = "X: N x D\n" + "\n".join(f"A{i} = X" for i in range(70))
    with pytest.raises(SpecError, match="at most 60"):
        compile_spec(many)


def test_numbers_are_exact_and_never_sympified():
    program = compile_spec("X: N x D\nreg: scalar = 1e-5\nL = 0.5 * sum(X) + reg")
    assert program.inputs["reg"].default == sympy.Rational(1, 100000)
    assert "1/2" in text(program.output.matrix) or "0.5" not in text(program.output.matrix)
    with pytest.raises(SpecError):
        compile_spec("X: N x D\nL = __import__('os')")
