"""derive grad: each built-in derived and verified from scratch, and the generated code against hand-written NumPy.

    python bench/grad.py [--runs 5] [--derive-runs 3] [--skip-derive]

1. Each built-in is derived and verified from scratch in a fresh Python process (nothing cached: no report
   cache, no compiled expressions from a previous built-in), --derive-runs times; the median CPU time of the
   derivation (imports excluded) and of the whole process are printed. The issue's target: at most 5 s each.
2. The code `derive codegen` prints for the two-layer network (N = 500, D = 3073, H = 100, K = 10: the CIFAR-10
   development batch and CS231n's hidden size) and for batch normalisation (500 x 100, forward and backward),
   against the course's hand-written vectorised NumPy, on the same float64 data, checked to agree first; each is
   timed --runs times, interleaved, and the medians and their ratio are printed. The target: at most 1.1x.

The machine's load average is printed: on a shared machine wall times stretch, CPU times much less.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_DERIVE = """
import time, resource
start = time.process_time()
from derivations.grad.derivation import gradient
imported = time.process_time()
report = gradient({name!r})
assert report.verified
done = time.process_time()
print(done - imported, done)
"""


def derive_times(name: str, runs: int) -> tuple[float, float]:
    """(median CPU seconds of the derivation, median CPU seconds of the whole process) over ``runs`` fresh processes."""
    derivation, whole = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _DERIVE.format(name=name)], capture_output=True, text=True,
                             cwd=ROOT, env={**os.environ, "DERIVE_CACHE_DIR": "/nonexistent-derive-bench"},
                             check=True)
        first, second = out.stdout.split()
        derivation.append(float(first))
        whole.append(float(second))
    return statistics.median(derivation), statistics.median(whole)


# --- hand-written references (CS231n's vectorised NumPy) ----------------------------------------------------------

def two_layer_hand(X, y, W1, b1, W2, b2, reg):
    N = X.shape[0]
    z = X.dot(W1) + b1
    h = np.maximum(0, z)
    scores = h.dot(W2) + b2
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    probs = exp / exp.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).sum() / N + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dW2 = h.T.dot(dscores) + 2 * reg * W2
    db2 = dscores.sum(axis=0)
    dh = dscores.dot(W2.T)
    dz = dh * (z > 0)
    dW1 = X.T.dot(dz) + 2 * reg * W1
    db1 = dz.sum(axis=0)
    return loss, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def batchnorm_hand(dout, x, gamma, beta, eps=1e-5):
    """The forward pass and the one-line backward pass of CS231n's batchnorm_backward_alt."""
    N = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc ** 2).mean(axis=0)
    istd = 1.0 / np.sqrt(var + eps)
    xhat = xc * istd
    out = gamma * xhat + beta
    dxhat = dout * gamma
    dx = (istd / N) * (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return out, {"dx": dx, "dgamma": (dout * xhat).sum(axis=0), "dbeta": dout.sum(axis=0)}


def timed(functions: dict, runs: int) -> dict:
    """Median seconds of each function, the calls interleaved."""
    times = {name: [] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def codegen_comparison(runs: int) -> list:
    from derivations.gradcode.module import generate
    rng = np.random.default_rng(0)
    rows = []

    namespace: dict = {"__name__": "two_layer"}
    exec(compile(generate("two_layer"), "two_layer", "exec"), namespace)  # noqa: S102 - the package's printout
    N, D, H, K = 500, 3073, 100, 10
    X = rng.standard_normal((N, D))
    y = rng.integers(0, K, N)
    W1, b1 = 1e-4 * rng.standard_normal((D, H)), np.zeros(H)
    W2, b2 = 1e-4 * rng.standard_normal((H, K)), np.zeros(K)
    reg = 0.25
    loss, grads = namespace["loss_and_grad"](X, y, W1, b1, W2, b2, reg)
    hand_loss, hand = two_layer_hand(X, y, W1, b1, W2, b2, reg)
    assert abs(loss - hand_loss) < 1e-10 * abs(hand_loss)
    for key in hand:
        np.testing.assert_allclose(grads[key], hand[key], rtol=1e-9, atol=1e-14)
    medians = timed({"generated": lambda: namespace["loss_and_grad"](X, y, W1, b1, W2, b2, reg),
                     "hand": lambda: two_layer_hand(X, y, W1, b1, W2, b2, reg)}, runs)
    rows.append(("two_layer loss_and_grad", "N=500, D=3073, H=100, K=10", medians))

    namespace = {"__name__": "batchnorm"}
    exec(compile(generate("batchnorm"), "batchnorm", "exec"), namespace)  # noqa: S102
    x = 3 * rng.standard_normal((500, 100)) + 1
    gamma, beta, dout = rng.standard_normal(100), rng.standard_normal(100), rng.standard_normal((500, 100))
    out, hand = batchnorm_hand(dout, x, gamma, beta)
    np.testing.assert_allclose(namespace["forward"](x, gamma, beta), out, rtol=1e-10)
    generated = namespace["backward"](dout, x, gamma, beta)
    for key in hand:
        np.testing.assert_allclose(generated[key], hand[key], rtol=1e-9, atol=1e-12)
    medians = timed({"generated": lambda: namespace["backward"](dout, x, gamma, beta),
                     "hand": lambda: batchnorm_hand(dout, x, gamma, beta)}, runs * 10)
    rows.append(("batchnorm forward + backward", "500 x 100", medians))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--derive-runs", type=int, default=3)
    parser.add_argument("--skip-derive", action="store_true")
    parser.add_argument("--only", help="built-ins to derive, comma-separated")
    args = parser.parse_args(argv)
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    worst = 0.0
    if not args.skip_derive:
        from derivations.grad.specs import builtin_names
        names = args.only.split(",") if args.only else builtin_names()
        print(f"\n{'built-in':18} {'derive + verify (CPU s)':>24} {'whole process (CPU s)':>22}")
        for name in names:
            derivation, whole = derive_times(name, args.derive_runs)
            worst = max(worst, derivation)
            print(f"{name:18} {derivation:24.2f} {whole:22.2f}")
        print(f"slowest derivation: {worst:.2f} s (target: at most 5 s)")
    print(f"\n{'generated code':30} {'shape':28} {'generated':>10} {'hand-written':>13} {'ratio':>7}")
    for what, shape, medians in codegen_comparison(args.runs):
        ratio = medians["generated"] / medians["hand"]
        print(f"{what:30} {shape:28} {1e3 * medians['generated']:8.2f}ms {1e3 * medians['hand']:11.2f}ms "
              f"{ratio:7.3f}")
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
