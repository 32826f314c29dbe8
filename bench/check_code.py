"""How long `derive check-code` takes for a class: 200 submissions, mixed, --jobs 2, and its cost beyond the students' code.

Writes --submissions SVM files (seeded: every run grades the same bytes), each defining svm_loss_naive and
svm_loss_vectorized:

* correct (40 %): loops and arrays, the half-lambda convention, the kink counted, einsum;
* buggy (35 %): one generated-style mistake each (tests/data/check_code/mutants/svm.py's functions);
* slow (10 %): a naive function that does its loops ten times over (about 10x the usual time);
* crashing (15 %): an exception in one function, a syntax error, a missing module, a list for dW.

Then times `derive check-code DIR --loss svm --jobs 2 --format json -o FILE` as a fresh process
(everything included: start-up, the verified matrix form, the inputs, the sandbox of every submission,
the report), --runs times, and reads from the report each submission's wall time in its sandbox and the
time its own code ran (loading the file, its calls, as the harness timed them): the difference is what
derive adds per submission (a process, Python and NumPy, the inputs, the channel, the comparisons). The
reference, measured in the same run, is the bare cost of one fresh process that imports NumPy
(`python -I -c "import numpy"`, median of 7), the floor any per-submission process pays.

    python bench/check_code.py [--submissions 200] [--runs 1] [--jobs 2]

The machine's other load shows in the figures (the load average is printed): compare ratios of one run.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "tests" / "data" / "check_code" / "mutants" / "svm.py"

VECTORIZED = '''
def svm_loss_vectorized(W, X, y, reg):
    n = X.shape[0]
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[np.arange(n), y][:, None] + 1)
    margins[np.arange(n), y] = 0
    binary = (margins > 0).astype(float)
    binary[np.arange(n), y] = -binary.sum(axis=1)
    return margins.sum() / n + reg * np.sum(W * W), X.T.dot(binary) / n + 2 * reg * W
'''
NAIVE = '''
def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    loss = 0.0
    for _ in range({repeat}):
        dW[:] = 0.0
        loss = 0.0
        for i in range(X.shape[0]):
            scores = X[i].dot(W)
            for j in range(W.shape[1]):
                if j == y[i]:
                    continue
                margin = scores[j] - scores[y[i]] + 1
                if margin {compare} 0:
                    loss += margin
                    dW[:, j] += X[i]
                    dW[:, y[i]] -= X[i]
    loss = loss / X.shape[0] + {half}reg * np.sum(W * W)
    dW = dW / X.shape[0] + {twice}reg * W
    return loss, dW
'''
EINSUM = '''
def svm_loss_vectorized(W, X, y, reg):
    n = X.shape[0]
    scores = np.einsum("nd,dk->nk", X, W)
    margins = np.maximum(0, scores - np.take_along_axis(scores, y[:, None], axis=1) + 1)
    margins[np.arange(n), y] = 0
    binary = (margins > 0).astype(float)
    binary[np.arange(n), y] = -binary.sum(axis=1)
    return margins.sum() / n + reg * np.sum(W * W), np.einsum("nd,nk->dk", X, binary) / n + 2 * reg * W
'''
CRASHES = [
    VECTORIZED + "\n\ndef svm_loss_naive(W, X, y, reg):\n    return W[W.shape[0] + 1, 0], W\n",
    VECTORIZED + "\n\ndef svm_loss_naive(W, X, y, reg):\n    for i in xrange(X.shape[0]):\n        pass\n",
    VECTORIZED + "\n\ndef svm_loss_naive(W, X, y, reg:\n    pass\n",
    "from hw1_helpers import hinge\n" + VECTORIZED,
    VECTORIZED + "\n\ndef svm_loss_naive(W, X, y, reg):\n    loss, dW = svm_loss_vectorized(W, X, y, reg)\n"
                 "    return loss, dW.tolist()[0]\n",
]


def _mutants():
    source = MUTANTS.read_text()
    tree = ast.parse(source)
    helpers = "\n\n".join(ast.get_source_segment(source, n) for n in tree.body
                          if isinstance(n, ast.FunctionDef) and n.name.startswith("_"))
    functions = {n.name: ast.get_source_segment(source, n) for n in tree.body
                 if isinstance(n, ast.FunctionDef) and not n.name.startswith(("_", "correct"))}
    return helpers, functions


def write_class(folder: Path, count: int, seed: int = 0) -> dict:
    """``count`` submissions in ``folder``; how many of each kind."""
    rng = random.Random(seed)
    helpers, mutants = _mutants()
    names = sorted(mutants)
    kinds = {"correct": 0, "buggy": 0, "slow": 0, "crashing": 0}
    for index in range(count):
        draw = rng.random()
        head = "import numpy as np\n\n"
        if draw < 0.40:
            kind = "correct"
            choice = index % 4
            naive = NAIVE.format(repeat=1, compare=">=" if choice == 2 else ">", half="0.5 * " if choice == 1 else "",
                                 twice="" if choice == 1 else "2 * ")
            vectorized = EINSUM if choice == 3 else (VECTORIZED if choice != 1 else
                                                     VECTORIZED.replace("+ reg * np.sum", "+ 0.5 * reg * np.sum")
                                                     .replace("+ 2 * reg * W", "+ reg * W"))
            body = head + naive + vectorized
        elif draw < 0.75:
            kind = "buggy"
            mutant = names[rng.randrange(len(names))]
            body = (head + helpers + "\n\n" + mutants[mutant] + f"\n\nsvm_loss_naive = {mutant}\n" + VECTORIZED)
        elif draw < 0.85:
            kind = "slow"
            body = head + NAIVE.format(repeat=10, compare=">", half="", twice="2 * ") + VECTORIZED
        else:
            kind = "crashing"
            body = head + CRASHES[rng.randrange(len(CRASHES))]
        kinds[kind] += 1
        (folder / f"student_{index:03d}.py").write_text(body)
    return kinds


def _median_spawn(args, runs=7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="derive-bench-check-code-") as raw:
        folder = Path(raw) / "class"
        folder.mkdir()
        kinds = write_class(folder, options.submissions)
        print(f"{options.submissions} submissions: " + ", ".join(f"{v} {k}" for k, v in kinds.items()))
        print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
        reference = _median_spawn([sys.executable, "-I", "-c", "import numpy"])
        print(f"reference: a fresh `python -I -c 'import numpy'` takes {reference * 1e3:.0f} ms (median of 7)")
        walls, overheads, own = [], [], []
        for run in range(options.runs):
            report = Path(raw) / f"report-{run}.json"
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "cli", "check-code", str(folder), "--loss", "svm", "--jobs",
                                   str(options.jobs), "--format", "json", "-o", str(report)],
                                  cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True)
            walls.append(time.perf_counter() - start)
            if done.returncode not in (0, 1):
                print(done.stderr)
                return 1
            document = json.loads(report.read_text())
            for submission in document["submissions"]:
                seconds = submission["seconds"]
                overheads.append(seconds["wall"] - seconds["own_code"])
                own.append(seconds["own_code"])
            verdicts = document["summary"]["functions"]
            print(f"run {run + 1}: {walls[-1]:.1f} s wall for {options.submissions} submissions (--jobs {options.jobs}); "
                  f"functions: {verdicts}; isolation: {document['isolation']['kind']}")
        overheads.sort()
        print(f"wall time: median {statistics.median(walls):.1f} s (target: at most 120 s)")
        print(f"students' own code: {sum(own) / len(walls):.1f} s in all per run")
        print(f"time per submission beyond the student's code: median {statistics.median(overheads):.3f} s, "
              f"mean {statistics.fmean(overheads):.3f} s, 90th percentile {overheads[int(0.9 * len(overheads))]:.3f} s "
              f"(target: at most 0.3 s); {statistics.median(overheads) / reference:.1f}x the reference")
        print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
