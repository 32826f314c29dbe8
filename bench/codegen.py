"""Generated loss_and_grad against the course's hand-written vectorised NumPy, PyTorch autograd and sympy.lambdify.

    python bench/codegen.py [--runs 15] [--n 500 --d 3073 --k 10]

Every implementation computes the loss and dW of the same random float64 batch
(the CS231n development batch's shape: N = 500, D = 3073, K = 10); each is
timed --runs times, interleaved, and the medians are printed with their ratio
to the hand-written reference. Also timed: `derive gradcheck` of 10 entries on
that batch (compute only, the data already in memory) and 20 epochs of
training on scikit-learn's digits. The implementations are checked to agree
before anything is timed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def svm_loss_vectorized(W, X, y, reg, delta=1.0):
    """The course's usual vectorised SVM loss and gradient (CS231n assignment 1)."""
    N = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(N), y][:, None]
    margins = np.maximum(0, scores - correct + delta)
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
    binary = (margins > 0).astype(float)
    binary[np.arange(N), y] = -binary.sum(axis=1)
    dW = X.T.dot(binary) / N + 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    """The course's usual vectorised softmax loss and gradient."""
    N = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).sum() / N + reg * np.sum(W * W)
    probs[np.arange(N), y] -= 1
    dW = X.T.dot(probs) / N + 2 * reg * W
    return loss, dW


def autograd(loss_name):
    import torch

    def run(W, X, y, reg, delta=1.0):
        Wt = torch.tensor(W, requires_grad=True)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        scores = Xt @ Wt
        N = X.shape[0]
        if loss_name == "svm":
            correct = scores[torch.arange(N), yt][:, None]
            margins = torch.clamp(scores - correct + delta, min=0)
            margins = margins * (1 - torch.nn.functional.one_hot(yt, W.shape[1]).to(scores.dtype))
            loss = margins.sum() / N + reg * (Wt * Wt).sum()
        else:
            loss = torch.nn.functional.cross_entropy(scores, yt) + reg * (Wt * Wt).sum()
        loss.backward()
        return float(loss.detach()), Wt.grad.numpy()
    return run


def lambdified(loss_name):
    """sympy.lambdify of the same verified matrix forms (named matrices put in, common subexpressions shared)."""
    import sympy
    from sympy.printing.numpy import NumPyPrinter

    from derivations.codegen.module import matrix_form
    from derivations.engine.matrices import Hinge, Ones, Positive, RowLogSumExp, RowSoftmax
    from derivations.engine.notation import Delta, N, lam

    class Printer(NumPyPrinter):
        def _print_Ones(self, e):
            return f"numpy.ones(({self._print(e.args[0])}, 1))"

        def _print_Hinge(self, e):
            return f"numpy.maximum(0, {self._print(e.matrix)})"

        def _print_Positive(self, e):
            return f"({self._print(e.matrix)} > 0)"

        def _print_RowSoftmax(self, e):
            s = self._print(e.matrix)
            return f"(numpy.exp({s}) / numpy.exp({s}).sum(axis=1, keepdims=True))"

        def _print_RowLogSumExp(self, e):
            return f"numpy.log(numpy.exp({self._print(e.matrix)}).sum(axis=1, keepdims=True))"

        def _print_HadamardPower(self, e):
            return f"({self._print(e.base)} ** {self._print(e.exp)})"

    form = matrix_form(loss_name, "full")
    named = dict(form.named)
    expressions = [form.loss, form.dW]
    for symbol in reversed(list(named)):
        expressions = [e.xreplace({symbol: named[symbol]}) for e in expressions]
    X, W, Y = form.inputs
    K = sympy.Symbol("K", integer=True, positive=True)
    D = sympy.Symbol("D", integer=True, positive=True)
    arguments = [X, W, Y, N, lam, Delta, K, D] if loss_name == "svm" else [X, W, Y, N, lam, K, D]
    function = sympy.lambdify(arguments, expressions, modules="numpy", printer=Printer, cse=True)
    del Ones, Hinge, Positive, RowSoftmax, RowLogSumExp

    def run(W_, X_, y, reg, delta=1.0):
        Y_ = np.zeros((X_.shape[0], W_.shape[1]))
        Y_[np.arange(X_.shape[0]), y] = 1
        extra = [delta] if loss_name == "svm" else []
        loss, dW = function(X_, W_, Y_, X_.shape[0], reg, *extra, W_.shape[1], W_.shape[0])
        return float(np.asarray(loss).sum()), dW
    return run


def median_times(functions, arguments, runs):
    times = {name: [] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            start = time.perf_counter()
            function(*arguments)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--d", type=int, default=3073)
    parser.add_argument("--k", type=int, default=10)
    options = parser.parse_args()
    from derivations.codegen.module import load

    rng = np.random.default_rng(0)
    X = rng.standard_normal((options.n, options.d))
    y = rng.integers(0, options.k, options.n)
    W = 0.0001 * rng.standard_normal((options.d, options.k))
    reg = 2.5e4 / options.d / 1000
    print(f"N = {options.n}, D = {options.d}, K = {options.k}, float64, median of {options.runs} interleaved runs\n")
    print("| loss | implementation | median | ratio to hand-written |")
    print("| --- | --- | --- | --- |")
    for loss_name, reference in (("svm", svm_loss_vectorized), ("softmax", softmax_loss_vectorized)):
        functions = {"hand-written vectorised NumPy (reference)": reference,
                     "derive codegen (generated)": load(loss_name, "full")["loss_and_grad"]}
        try:
            functions["PyTorch autograd (CPU)"] = autograd(loss_name)
        except ImportError:
            pass
        functions["sympy.lambdify of the matrix form"] = lambdified(loss_name)
        expected = reference(W, X, y, reg)
        for name, function in functions.items():
            loss, dW = function(W, X, y, reg)
            assert abs(loss - expected[0]) <= 1e-9 * abs(expected[0]), (name, loss, expected[0])
            assert np.allclose(dW, expected[1], rtol=1e-7, atol=1e-12), name
        medians = median_times(functions, (W, X, y, reg), options.runs)
        base = medians["hand-written vectorised NumPy (reference)"]
        for name, value in medians.items():
            print(f"| {loss_name} | {name} | {value * 1000:.2f} ms | {value / base:.2f} |")

    from derivations.codegen.checking import gradcheck
    from derivations.codegen.module import matrix_form
    matrix_form("svm", "full")                       # the derivation is built once, before timing
    data = {"X": X, "y": y, "W": W}
    times = []
    for _ in range(5):
        start = time.perf_counter()
        gradcheck("svm", data=data, num_checks=10)
        times.append(time.perf_counter() - start)
    print(f"\n`gradcheck` of 10 entries at this shape (compute, data in memory, derivation built): "
          f"median {statistics.median(times):.3f} s of 5")
    try:
        from derivations.codegen.training import train
        matrix_form("softmax", "full")
        start = time.perf_counter()
        train("softmax", dataset="digits", epochs=20)
        print(f"training softmax on digits, 20 epochs (1,438 training images), one run: "
              f"{time.perf_counter() - start:.2f} s")
    except ImportError:
        print("training not timed: scikit-learn is not installed")


if __name__ == "__main__":
    main()
