"""A standalone module from a verified matrix form: ``loss_and_grad(W, X, y, reg)`` and ``loss(W, X, y, reg)``.

The function bodies are printed by :class:`~.printer.ArrayCodePrinter` from the
matrix forms that :func:`derivations.losses.batch.matrix_form` returns (every
step behind them verified); what is written here by hand is only the frame
around them: the imports, reading the labels into the one-hot Y, and a
self-check that ``python FILE.py`` runs (centred differences on random data,
exit status 1 on a mismatch). The docstring carries the formulas and the
kink convention.
"""
from __future__ import annotations

import textwrap

from sympy import MatrixSymbol

from .. import __version__
from ..engine.notation import Delta, N, lam
from ..report.printing import text
from .printer import HELPERS, ArrayCodePrinter

LOSSES = ("svm", "softmax", "logistic")
BACKENDS = ("numpy", "torch")

_IMPORTS = {"numpy": "import numpy as np", "torch": "import numpy as np\nimport torch"}

_ONE_HOT = {
    "numpy": ("Y = np.zeros((N, W.shape[1]), dtype=X.dtype)      # one-hot labels: Y[n, y_n] = 1\n"
              "Y[np.arange(N), y] = 1"),
    "torch": ("Y = torch.zeros((N, W.shape[1]), dtype=X.dtype)   # one-hot labels: Y[n, y_n] = 1\n"
              "Y[torch.arange(N), y] = 1"),
}

_TARGETS = {
    "numpy": ("shape = np.shape(W)\n"
              "w = np.asarray(W, dtype=X.dtype).reshape(-1, 1)     # the D weights as a column\n"
              "t = np.asarray(y, dtype=X.dtype).reshape(-1, 1)     # the N targets as a column"),
    "torch": ("shape = W.shape\n"
              "w = W.reshape(-1, 1)                                # the D weights as a column\n"
              "t = y.to(X.dtype).reshape(-1, 1)                    # the N targets as a column"),
}

_LOGISTIC_CHECK = {
    "numpy": ("    X = rng.standard_normal((N, D))\n    y = rng.integers(0, 2, N).astype(float)\n"
              "    W = rng.standard_normal(D)\n"),
    "torch": ("    X = torch.tensor(rng.standard_normal((N, D)), dtype=torch.float64)\n"
              "    y = torch.tensor(rng.integers(0, 2, N), dtype=torch.float64)\n"
              "    W = torch.tensor(rng.standard_normal(D), dtype=torch.float64)\n"),
}

_SELF_CHECK = {
    "numpy": '''
def _self_check(seed=0, entries=10, h=1e-6):
    """Centred differences of loss() against loss_and_grad()'s dW at random entries of random data."""
    rng = np.random.default_rng(seed)
    N, D, K = 7, 5, 4
    X = rng.standard_normal((N, D))
    y = rng.integers(0, K, N)
    W = 0.01 * rng.standard_normal((D, K))
    reg = 0.1
    _, dW = loss_and_grad(W, X, y, reg)
    worst = 0.0
    for flat in rng.choice(W.size, size=min(entries, W.size), replace=False):
        index = np.unravel_index(int(flat), W.shape)
        up, down = W.copy(), W.copy()
        up[index] += h
        down[index] -= h
        numeric = (loss(up, X, y, reg) - loss(down, X, y, reg)) / (2 * h)
        error = abs(numeric - dW[index]) / max(abs(numeric) + abs(dW[index]), 1e-12)
        worst = max(worst, error)
        print(f"W{list(index)}  analytic {dW[index]: .10f}  numeric {numeric: .10f}  relative error {error:.1e}")
    print("gradient check", "passed" if worst < 1e-6 else "FAILED", f"(largest relative error {worst:.1e})")
    return 0 if worst < 1e-6 else 1
''',
    "torch": '''
def _self_check(seed=0, entries=10, h=1e-6):
    """Centred differences of loss() against loss_and_grad()'s dW at random entries of random data (float64)."""
    rng = np.random.default_rng(seed)
    N, D, K = 7, 5, 4
    X = torch.tensor(rng.standard_normal((N, D)), dtype=torch.float64)
    y = torch.tensor(rng.integers(0, K, N))
    W = torch.tensor(0.01 * rng.standard_normal((D, K)), dtype=torch.float64)
    reg = 0.1
    _, dW = loss_and_grad(W, X, y, reg)
    worst = 0.0
    for flat in rng.choice(W.numel(), size=min(entries, W.numel()), replace=False):
        index = tuple(int(i) for i in np.unravel_index(int(flat), tuple(W.shape)))
        up, down = W.clone(), W.clone()
        up[index] += h
        down[index] -= h
        numeric = float(loss(up, X, y, reg) - loss(down, X, y, reg)) / (2 * h)
        analytic = float(dW[index])
        error = abs(numeric - analytic) / max(abs(numeric) + abs(analytic), 1e-12)
        worst = max(worst, error)
        print(f"W{list(index)}  analytic {analytic: .10f}  numeric {numeric: .10f}  relative error {error:.1e}")
    print("gradient check", "passed" if worst < 1e-6 else "FAILED", f"(largest relative error {worst:.1e})")
    return 0 if worst < 1e-6 else 1
''',
}


def _needed(expr, named: dict) -> list:
    """The named matrices ``expr`` reads, through their definitions, in order of definition."""
    found, todo = set(), [expr]
    while todo:
        current = todo.pop()
        for symbol in current.atoms(MatrixSymbol):
            if symbol in named and symbol not in found:
                found.add(symbol)
                todo.append(named[symbol])
    return [symbol for symbol in named if symbol in found]


def _body(printer, form, named, result_exprs):
    """Lines that compute the named matrices ``result_exprs`` need, then the results."""
    needed = []
    for expr in result_exprs.values():
        needed += [s for s in _needed(expr, named) if s not in needed]
    needed.sort(key=list(named).index)
    lines = [f"{symbol.name} = {printer.code(named[symbol])}" for symbol in needed]
    lines += [f"{name} = {printer.code(expr)}" for name, expr in result_exprs.items()]
    return lines


def matrix_form(loss: str, reg_form: str):
    """The verified matrix forms the code is printed from."""
    if loss == "logistic":
        from ..losses import logistic_batch
        return logistic_batch.matrix_form(reg_form)
    from ..losses import batch
    return batch.matrix_form(loss, reg_form)


_TITLES = {"svm": "Multiclass SVM (hinge) loss", "softmax": "Softmax cross-entropy loss",
           "logistic": "Logistic-regression (binary cross-entropy) loss"}
_COMMANDS = {"svm": "svm-grad", "softmax": "softmax-grad", "logistic": "logistic-grad"}
_SHAPES = {
    "svm": "Shapes: X is N x D (one example a row), W is D x K (column c is w_c), y holds the N labels 0..K-1,\n"
           "Y is y one-hot (N x K), reg is lambda, delta is Delta.\n",
    "softmax": "Shapes: X is N x D (one example a row), W is D x K (column c is w_c), y holds the N labels 0..K-1,\n"
               "Y is y one-hot (N x K), reg is lambda.\n",
    "logistic": "Shapes: X is N x D (one example a row), W holds the D weights w (any shape with D entries; dW has\n"
                "the same), y holds the N targets t in [0, 1], reg is lambda.\n",
}
_NOTES = {
    "svm": "Kink convention: 1[M > 0] is 0 where a margin is exactly 0 (``margins > 0`` in code); the\n"
           "loss has no derivative there, and this is the subgradient the derivation uses.\n",
    "softmax": "The softmax and log-sum-exp of each row subtract the row's maximum first, so e^S never overflows.\n",
    "logistic": "sigma(z) is evaluated as exp(-log(1 + e^{-z})) and softplus(z) = log(1 + e^z) with logaddexp, so\n"
                "neither overflows (the loss of one example is softplus(z) - t z, the stable log-sigmoid form).\n",
}


def generate(loss: str = "svm", reg_form: str = "full", backend: str = "numpy") -> str:
    """The source of the module for ``loss`` (svm, softmax or logistic) under ``reg_form`` (full or half)."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose {', '.join(LOSSES)}")
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose {', '.join(BACKENDS)}")
    form = matrix_form(loss, reg_form)
    named = dict(form.named)
    names = {m: m.name for m in form.inputs}
    names.update({m: m.name for m in named})
    names.update({N: "N", lam: "reg", Delta: "delta"})
    printer = ArrayCodePrinter(names, backend)
    both = _body(printer, form, named, {"loss": form.loss, "dW": form.dW})
    alone = _body(printer, form, named, {"loss": form.loss})
    signature = "W, X, y, reg, delta=1.0" if loss == "svm" else "W, X, y, reg"
    if loss == "logistic":
        frame = ["N = X.shape[0]"] + _TARGETS[backend].split("\n")
        gradient_return = "dW.reshape(shape)"
    else:
        frame = ["N = X.shape[0]"] + _ONE_HOT[backend].split("\n")
        gradient_return = "dW"
    definitions = "\n".join(f"    {symbol.name} = {text(definition)}" for symbol, definition in named.items())
    scalar = "float(loss)" if backend == "numpy" else "loss"
    doc = (f"{_TITLES[loss]} of a batch and its gradient, for {backend}.\n\n"
           f"Generated by derive {__version__} (`derive codegen {loss} --reg-form {reg_form}"
           f"{' --backend torch' if backend == 'torch' else ''}`) from the verified matrix form of\n"
           f"`derive {_COMMANDS[loss]} --wrt batch --reg-form {reg_form}`:\n\n"
           f"    L  = {text(form.loss)}\n    dW = {text(form.dW)}\n\nwith\n{definitions}\n\n"
           + _SHAPES[loss] + _NOTES[loss])
    helpers = "\n\n".join(HELPERS[backend][name] for name in sorted(printer.helpers))
    source = [f'"""{doc}"""', _IMPORTS[backend], ""]
    if helpers:
        source += ["", helpers.rstrip("\n"), ""]
    source += ["", f"def loss_and_grad({signature}):",
               '    """The loss L and its gradient dW (the shape of W)."""']
    source += [f"    {line}" for line in frame + both]
    source += [f"    return {scalar}, {gradient_return}", "", "",
               f"def loss({signature}):", '    """The loss L alone."""']
    source += [f"    {line}" for line in frame + alone if not line.startswith("shape = ")]
    source += [f"    return {scalar}", ""]
    check = textwrap.dedent(_SELF_CHECK[backend]).rstrip("\n")
    if loss == "logistic":
        start = check.index("    X = ")
        end = check.index("    reg = 0.1")
        check = check[:start] + _LOGISTIC_CHECK[backend] + check[end:]
        check = check.replace("    N, D, K = 7, 5, 4\n", "    N, D = 7, 5\n")
    source.append(check)
    source += ["", "", 'if __name__ == "__main__":', "    raise SystemExit(_self_check())", ""]
    return "\n".join(source)


_LOADED: dict = {}


def load(loss: str = "svm", reg_form: str = "full", backend: str = "numpy") -> dict:
    """The generated module's namespace (``loss_and_grad``, ``loss``), compiled from :func:`generate`'s source.

    The source is this package's own printout of a verified expression (no user text is in it).
    """
    key = (loss, reg_form, backend)
    if key not in _LOADED:
        source = generate(loss, reg_form, backend)
        namespace = {"__name__": f"derive_generated_{loss}_{reg_form}_{backend}"}
        exec(compile(source, f"<derive codegen {loss} --reg-form {reg_form}>", "exec"), namespace)  # noqa: S102
        _LOADED[key] = namespace
    return _LOADED[key]
