"""How long ``derive verify`` takes on a 40-line derivation, beside a reference, in one run.

The derivation (written out below, 40 steps) is the gradient of the SVM loss case by case, its
worked example, the softmax gradient and its numbers, the Jacobian of softmax, logistic
regression by the chain rule and its batch average: the kind of text a student hands in. Each
command runs as a fresh process, the way users run it, interleaved, ``--runs`` times; the table
shows medians and their ratio to ``derive svm-grad --delta 1 --no-cache`` (the engine deriving and
verifying its own SVM derivation, not answered from the report cache), measured in the same run. The machine is shared: compare ratios.

    python bench/verify_speed.py --runs 5
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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


def _run(command, env) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-300:]}")
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        text = Path(folder) / "forty.md"
        text.write_text(FORTY_LINES, encoding="utf-8")
        sys.path.insert(0, str(ROOT))
        from derivations.check.written import check_text
        outcome = check_text(FORTY_LINES, "forty", timeout=None)
        summary = outcome.summary()
        if summary["steps"] < 40 or summary["verified"] != summary["steps"]:
            raise SystemExit(f"the benchmark derivation must have 40 verified steps: {summary}")
        commands = {
            "derive verify forty.md (40 steps)": [sys.executable, "cli.py", "verify", str(text)],
            "derive svm-grad --delta 1 (reference)": [sys.executable, "cli.py", "svm-grad", "--delta", "1",
                                                      "--no-cache"],
        }
        times = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(_run(command, env))
        in_process = []
        for _ in range(args.runs):
            started = time.perf_counter()
            check_text(FORTY_LINES, "forty", timeout=None)
            in_process.append(time.perf_counter() - started)
    reference = statistics.median(times["derive svm-grad --delta 1 (reference)"])
    print(f"{summary['steps']} steps, all verified; {os.cpu_count()} cores; median of {args.runs} runs\n")
    print("| command | median | ratio to the reference |")
    print("| --- | --- | --- |")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| `{name}` | {median:.2f} s | {median / reference:.2f} |")
    print(f"| checking in-process, parser and caches warm | {statistics.median(in_process):.2f} s | "
          f"{statistics.median(in_process) / reference:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
