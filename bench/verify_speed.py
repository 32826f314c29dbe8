"""How long ``derive verify`` takes per file on a corpus of realistic derivations, beside a reference.

The corpus is the derivations of ``tests/data/written_blind`` (the blind dev corpus: sixteen texts in
LaTeX, Markdown and plain text, a batch SVM and a batch softmax with sums over n, j, d among them),
``tests/data/written_own`` and ``tests/data/written``, and a forty-step text written out below. Each
file is checked as users run it, ``derive verify FILE`` in a fresh process (the interpreter, SymPy and
the grammar loaded each time), ``--runs`` times, interleaved with the reference ``derive svm-grad
--delta 1 --no-cache`` (the engine deriving and verifying its own SVM derivation). The table shows each
file's median wall time and CPU time (user + system of the process and its worker) and their ratio to
the reference's, then the median and the worst over the files. The machine is shared: compare ratios,
and read the CPU column when the load average is high.

    python bench/verify_speed.py --runs 3
    python bench/verify_speed.py --runs 1 tests/data/written_blind      # one folder
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("tests/data/written_blind", "tests/data/written_own", "tests/data/written")
SUFFIXES = (".md", ".tex", ".txt")
#: the targets of issue 18, seconds per file (an idle machine)
TARGET_MEDIAN, TARGET_WORST = 1.5, 4.0

FORTY_LINES = r"""# A derivation of 40 steps

The SVM loss of example $i$:

$$L_i = \sum_{j \neq y_i} \max(0, s_j - s_{y_i} + \Delta)$$

When $k \neq y_i$:

$$
\begin{aligned}
\frac{\partial L_i}{\partial s_k} &= \sum_{j \neq y_i} \frac{\partial}{\partial s_k} \max(0, s_j - s_{y_i} + \Delta) \\
&= \sum_{j \neq y_i} \mathbb{1}(s_j - s_{y_i} + \Delta > 0) \, \delta_{jk} \\
&= \mathbb{1}(s_k - s_{y_i} + \Delta > 0)
\end{aligned}
$$

When $k = y_i$:

$$
\begin{aligned}
\frac{\partial L_i}{\partial s_k} &= \sum_{j \neq y_i} \mathbb{1}(s_j - s_{y_i} + \Delta > 0) \cdot (-1) \\
&= -\sum_{j \neq y_i} \mathbb{1}(s_j - s_{y_i} + \Delta > 0)
\end{aligned}
$$

With the scores $s = [3, -1, 4]$, $y_i = 0$ and $\Delta = 1$:

$$
\begin{aligned}
L_i &= \max(0, s_1 - s_0 + 1) + \max(0, s_2 - s_0 + 1) \\
&= \max(0, -1 - 3 + 1) + \max(0, 4 - 3 + 1) \\
&= 0 + 2 \\
&= 2
\end{aligned}
$$

## Softmax

$$p_j = \frac{e^{s_j}}{\sum_{m=1}^{K} e^{s_m}}$$

$$L_i^{softmax} = -\log p_{y_i} = -s_{y_i} + \log \sum_{m=1}^{K} e^{s_m}$$

$$
\begin{aligned}
\frac{\partial L_i^{softmax}}{\partial s_k} &= -\frac{\partial s_{y_i}}{\partial s_k} + \frac{1}{\sum_m e^{s_m}} \frac{\partial}{\partial s_k} \sum_m e^{s_m} \\
&= -\delta_{k y_i} + \frac{e^{s_k}}{\sum_m e^{s_m}} \\
&= p_k - \delta_{k y_i}
\end{aligned}
$$

$$\frac{\partial L_i^{softmax}}{\partial s_k} = \begin{cases} p_k - 1 & k = y_i \\ p_k & k \neq y_i \end{cases}$$

$$p_0 = \frac{e^3}{e^3 + e^{-1} + e^4} \approx 0.2676$$

$$L_i^{softmax} = -\log p_0 = -\log 0.2676 \approx 1.318$$

$$\frac{\partial L_i^{softmax}}{\partial s} = [p_0 - 1, p_1, p_2] = [-0.732, 0.0049, 0.7275]$$

## The Jacobian of softmax

When $j = k$:

$$\frac{\partial p_j}{\partial s_k} = \frac{e^{s_j} \sum_m e^{s_m} - e^{s_j} e^{s_k}}{(\sum_m e^{s_m})^2} = p_j - p_j p_k = p_j (1 - p_k)$$

When $j \neq k$:

$$\frac{\partial p_j}{\partial s_k} = \frac{0 - e^{s_j} e^{s_k}}{(\sum_m e^{s_m})^2} = -p_j p_k = -p_k p_j$$

In one formula, for all $j$ and $k$:

$$\frac{\partial p_j}{\partial s_k} = p_j (\delta_{jk} - p_k)$$

## Logistic regression

The model $z = \sum_d w_d x_d$, $y = \sigma(z)$ and the loss

$$L = -t \log y - (1 - t) \log(1 - y)$$

$$
\begin{aligned}
\frac{\partial L}{\partial y} &= -\frac{t}{y} + \frac{1 - t}{1 - y} \\
\frac{\partial y}{\partial z} &= \frac{e^{-z}}{(1 + e^{-z})^2} \\
&= y (1 - y) \\
\frac{\partial z}{\partial w_j} &= x_j \\
\frac{\partial L}{\partial w_j} &= \frac{\partial L}{\partial y} \frac{\partial y}{\partial z} \frac{\partial z}{\partial w_j} \\
&= \left(-\frac{t}{y} + \frac{1 - t}{1 - y}\right) y (1 - y) x_j \\
&= \left(-t (1 - y) + (1 - t) y\right) x_j \\
&= (y - t) x_j
\end{aligned}
$$

The batch objective is the mean of the examples' losses:

$$J = \frac{1}{N} \sum_{n=1}^{N} L^{(n)}$$

$$
\begin{aligned}
\frac{\partial J}{\partial w_j} &= \frac{1}{N} \sum_{n=1}^{N} \frac{\partial L^{(n)}}{\partial w_j} \\
&= \frac{1}{N} \sum_{n=1}^{N} (y^{(n)} - t^{(n)}) x_j^{(n)}
\end{aligned}
$$

$$w_j \leftarrow w_j - \alpha \frac{\partial J}{\partial w_j} = w_j - \frac{\alpha}{N} \sum_{n=1}^{N} (y^{(n)} - t^{(n)}) x_j^{(n)}$$
"""


def _run(command, env) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one run; the exit status is not
    judged (a text with a slip exits 1)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1, 3):
        raise SystemExit(f"{' '.join(map(str, command))} failed ({done.returncode}): {done.stderr.decode()[-300:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def corpus(folders) -> list[Path]:
    files = []
    for folder in folders:
        path = Path(folder)
        path = path if path.is_absolute() else ROOT / path
        files += sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file()
                        and not p.stem.isupper())            # FIRST_RUN.md, README.md: notes, not derivations
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", default=list(FOLDERS))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        forty = Path(folder) / "forty.md"
        forty.write_text(FORTY_LINES, encoding="utf-8")
        files = corpus(args.folders) + [forty]
        reference = [sys.executable, "cli.py", "svm-grad", "--delta", "1", "--no-cache"]
        walls = {f: [] for f in files}
        cpus = {f: [] for f in files}
        reference_wall, reference_cpu = [], []
        for _ in range(args.runs):
            wall, cpu = _run(reference, env)
            reference_wall.append(wall)
            reference_cpu.append(cpu)
            for f in files:
                wall, cpu = _run([sys.executable, "cli.py", "verify", str(f)], env)
                walls[f].append(wall)
                cpus[f].append(cpu)
    ref_wall, ref_cpu = statistics.median(reference_wall), statistics.median(reference_cpu)
    print(f"{len(files)} files, median of {args.runs} runs each; {os.cpu_count()} cores; load average "
          f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after\n")
    print("| file | lines | wall (s) | CPU (s) | wall / reference | CPU / reference |")
    print("| --- | --- | --- | --- | --- | --- |")
    file_walls, file_cpus = [], []
    for f in files:
        wall, cpu = statistics.median(walls[f]), statistics.median(cpus[f])
        file_walls.append(wall)
        file_cpus.append(cpu)
        name = f.name if f.name != "forty.md" else "forty.md (40 steps)"
        lines = len(f.read_text(encoding="utf-8").splitlines()) if f.exists() else 40
        print(f"| {name} | {lines} | {wall:.2f} | {cpu:.2f} | {wall / ref_wall:.2f} | {cpu / ref_cpu:.2f} |")
    print(f"| reference: derive svm-grad --delta 1 --no-cache | | {ref_wall:.2f} | {ref_cpu:.2f} | 1.00 | 1.00 |")
    median_wall, worst_wall = statistics.median(file_walls), max(file_walls)
    median_cpu, worst_cpu = statistics.median(file_cpus), max(file_cpus)
    print(f"\nper file: wall median {median_wall:.2f} s, worst {worst_wall:.2f} s; CPU median {median_cpu:.2f} s, "
          f"worst {worst_cpu:.2f} s (targets on an idle machine: median <= {TARGET_MEDIAN} s, worst <= "
          f"{TARGET_WORST} s)")
    print(f"ratios to the reference: median {median_wall / ref_wall:.2f} (CPU {median_cpu / ref_cpu:.2f}), worst "
          f"{worst_wall / ref_wall:.2f} (CPU {worst_cpu / ref_cpu:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
