"""Worked examples at course sizes: CPU time of each command against the number of classes (or features).

Each measurement is one `derive ... --no-cache` process (so the report is built and verified, not read
from the cache); the child's CPU time (user + system) is taken from getrusage. The sizes are run
interleaved, round robin, and the figure is the median over --runs rounds. Printed per command: the
time at each size, the time beyond the K = 3 run, and the growth exponent between the two largest sizes
(time beyond K = 3 ~ K^exponent; 1 is linear).

    python bench/scaling.py --runs 3
    python bench/scaling.py --runs 1 --quick      # sizes up to 100 only

Targets (issue 13): K = 1000 for svm-grad and softmax-grad and D = 1000 for logistic-grad each under
3 s beyond the K = 3 run, growing about linearly; the softmax Jacobian (K x K) at K = 300 under 5 s.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, str(ROOT / "cli.py")]


def numbers(count: int, seed: int, scale: float = 10.0) -> str:
    rng = random.Random(seed)
    return ",".join(str(rng.randint(-50, 50) / scale) for _ in range(count))


def command(name: str, size: int) -> list:
    if name == "svm-grad":
        return ["svm-grad", "--scores", numbers(size, 1), "--label", "0"]
    if name == "softmax-grad":
        return ["softmax-grad", "--scores", numbers(size, 1), "--label", "0"]
    if name == "logistic-grad":
        return ["logistic-grad", "--weights", numbers(size, 2, 1000.0), "--inputs", numbers(size, 3), "--target", "1"]
    if name == "softmax-jacobian":
        return ["softmax-jacobian", "--scores", numbers(size, 1)]
    if name == "compare":
        return ["compare", "--scores", numbers(size, 1) + ";" + numbers(size, 4), "--label", "0"]
    raise ValueError(name)


SIZES = {
    "svm-grad": (3, 10, 30, 100, 300, 1000),
    "softmax-grad": (3, 10, 30, 100, 300, 1000),
    "logistic-grad": (3, 10, 30, 100, 300, 1000),
    "softmax-jacobian": (3, 10, 30, 100, 300),
    "compare": (3, 30, 300),
}
TARGETS = {("svm-grad", 1000): 3.0, ("softmax-grad", 1000): 3.0, ("logistic-grad", 1000): 3.0,
           ("softmax-jacobian", 300): 5.0}


def cpu_time(arguments, env) -> float:
    """CPU seconds (user + system) of one child process running ``derive ARGUMENTS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(CLI + arguments + ["--no-cache", "--format", "text"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{arguments[0]} failed: {done.stderr.decode()[:300]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="sizes up to 100 only")
    parser.add_argument("--only", help="one command, e.g. softmax-grad")
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="derive-bench-")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DERIVE_CACHE_DIR": cache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    plan = [(name, size) for name, sizes in SIZES.items() for size in sizes
            if (not args.quick or size <= 100) and (not args.only or name == args.only)]
    times = {key: [] for key in plan}
    for key in plan:                                       # warm the file and bytecode caches once
        cpu_time(command(*key), env)
    for _ in range(args.runs):
        for key in plan:
            times[key].append(cpu_time(command(*key), env))
    print(f"CPU seconds, median of {args.runs} interleaved runs (each a fresh process, --no-cache)\n")
    print(f"{'command':18} {'size':>5} {'time s':>8} {'beyond K=3':>11} {'target':>7}")
    for name in SIZES:
        rows = [(size, statistics.median(times[(name, size)])) for size in SIZES[name] if (name, size) in times]
        if not rows:
            continue
        base = rows[0][1]
        for size, value in rows:
            target = TARGETS.get((name, size))
            mark = "" if target is None else (f"< {target:g}" + (" ok" if value - base < target else " MISSED"))
            print(f"{name:18} {size:5} {value:8.2f} {value - base:11.2f} {mark:>7}")
        if len(rows) >= 3:
            (k1, t1), (k2, t2) = rows[-2], rows[-1]
            beyond1, beyond2 = max(t1 - base, 1e-3), max(t2 - base, 1e-3)
            exponent = math.log(beyond2 / beyond1) / math.log(k2 / k1)
            print(f"{'':18} growth exponent between {k1} and {k2}: {exponent:.2f}")
        print()


if __name__ == "__main__":
    main()
