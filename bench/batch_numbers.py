"""The numbers part of `derive svm-grad --wrt batch --data F.npz` against hand-written NumPy, in one run.

The CS231n development batch (N = 500, D = 3073, K = 10; random data of that
shape, W ~ 0.0001 N(0, 1) as in the course's notebook) is written to an .npz.
The derivation is built once (it does not depend on the data); then, interleaved
round robin, --runs times each:

* derive: what the command does after the derivation: read and check the .npz,
  evaluate the verified matrix forms with NumPy, check dW by finite differences at
  sampled entries, find the margins on a kink, and build the report's numbers
  section (batch_numbers.read_batch + batch_numbers.worked_numbers);
* reference: np.load of the same file and a hand-written vectorised loss and
  gradient (svm_loss_vectorized / softmax_loss_vectorized as students write them).

Prints the medians of wall time and of CPU time and their ratios, and the peak memory (tracemalloc) of each with
the batch already loaded, in units of an N x K and a D x K float64 array. BLAS runs on
one thread (OPENBLAS_NUM_THREADS=1 unless set), so that the two sides do not fight
other jobs on a shared machine for a second core.

    python bench/batch_numbers.py --runs 15 [--loss svm|softmax]
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import statistics
import sys
import tempfile
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

N, D, K = 500, 3073, 10
DELTA, REG = 1.0, 0.000005


def svm_loss_vectorized(W, X, y, reg):
    scores = X @ W
    n = X.shape[0]
    correct = scores[np.arange(n), y][:, None]
    margins = np.maximum(0, scores - correct + DELTA)
    margins[np.arange(n), y] = 0
    loss = margins.sum() / n + reg * np.sum(W * W)
    binary = (margins > 0).astype(float)
    binary[np.arange(n), y] = -binary.sum(axis=1)
    return loss, X.T @ binary / n + 2 * reg * W


def softmax_loss_vectorized(W, X, y, reg):
    scores = X @ W
    n = X.shape[0]
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).sum() / n + reg * np.sum(W * W)
    probs[np.arange(n), y] -= 1
    return loss, X.T @ probs / n + 2 * reg * W


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--loss", choices=("svm", "softmax"), default="svm")
    args = parser.parse_args()

    from derivations.losses import batch as batch_module
    from derivations.losses import batch_numbers
    from derivations.report import Report

    rng = np.random.default_rng(231)
    X = rng.standard_normal((N, D))
    W = 0.0001 * rng.standard_normal((D, K))
    y = rng.integers(0, K, N)
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "dev.npz")
    np.savez(path, X=X, y=y, W=W)

    form = batch_module.matrix_form(args.loss, "full")
    reference = svm_loss_vectorized if args.loss == "svm" else softmax_loss_vectorized

    def derive_numbers():
        data = batch_numbers.read_batch(path)
        report = Report("bench", "bench", {})
        batch_numbers.worked_numbers(report, form, data, DELTA, REG)
        return report.results["loss"].value, np.asarray(report.results["dW"].value)

    def hand_written():
        with np.load(path) as archive:
            return reference(archive["W"], archive["X"], archive["y"], REG)

    ours, theirs = derive_numbers(), hand_written()
    assert abs(ours[0] - theirs[0]) <= 1e-12 * max(1, abs(theirs[0])), (ours[0], theirs[0])
    assert np.allclose(ours[1], theirs[1], rtol=1e-10, atol=1e-14)

    times = {"derive": [], "reference": []}
    cpu = {"derive": [], "reference": []}
    for _ in range(args.runs):
        for name, job in (("derive", derive_numbers), ("reference", hand_written)):
            start, start_cpu = time.perf_counter(), time.process_time()
            job()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)

    loaded = batch_numbers.read_batch(path)
    peaks = {}
    for name, job in (("derive", lambda: batch_numbers.compute(form, loaded, DELTA, REG)),
                      ("reference", lambda: reference(loaded.W, loaded.X, loaded.y, REG))):
        tracemalloc.start()
        job()
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    nk, dk = N * K * 8, D * K * 8
    derive, ref = statistics.median(times["derive"]), statistics.median(times["reference"])
    print(f"{args.loss}: N = {N}, D = {D}, K = {K}, {args.runs} runs each, interleaved")
    print(f"{'':42} {'median ms':>10}")
    print(f"{'derive numbers part (read, evaluate, check)':42} {derive * 1e3:10.2f}")
    print(f"{'hand-written NumPy (np.load, loss, grad)':42} {ref * 1e3:10.2f}")
    print(f"ratio derive / hand-written: {derive / ref:.2f} (target <= 1.5)")
    derive_cpu, ref_cpu = statistics.median(cpu["derive"]), statistics.median(cpu["reference"])
    print(f"CPU time (process_time, less sensitive to other jobs): {derive_cpu * 1e3:.2f} ms vs "
          f"{ref_cpu * 1e3:.2f} ms, ratio {derive_cpu / ref_cpu:.2f}")
    for name, peak in peaks.items():
        print(f"peak memory beyond X, {name}: {peak / 1e6:.2f} MB = {peak / nk:.1f} N x K arrays "
              f"or {peak / dk:.1f} D x K arrays (X itself: {X.nbytes / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
