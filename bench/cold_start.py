"""Cold wall time of `derive` commands against a bare `python -c "import sympy"`, in one run.

Each command is started as a new process (with Python's bytecode cache on,
as on a user's machine: PYTHONDONTWRITEBYTECODE is dropped from the
children's environment); the commands are interleaved
(round robin) so that load on the machine hits them alike; the figure is the
median over --runs rounds. Prints the medians and the ratios to the bare
SymPy import.

    python bench/cold_start.py --runs 9
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

BASELINE = [sys.executable, "-c", "import sympy"]


def commands():
    derive = shutil.which("derive") or "derive"
    return {
        "python -c 'import sympy'": BASELINE,
        "derive svm-grad --delta 1": [derive, "svm-grad", "--delta", "1"],
        "derive softmax-grad --scores 3,-1,4 --label 0": [derive, "softmax-grad", "--scores", "3,-1,4",
                                                           "--label", "0"],
        "derive --help": [derive, "--help"],
    }


ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def wall_time(command) -> float | None:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENVIRONMENT)
    elapsed = time.perf_counter() - start
    return elapsed if done.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    table = commands()
    times = {name: [] for name in table}
    for command in table.values():          # warm the file cache once
        wall_time(command)
    for _ in range(args.runs):
        for name, command in table.items():
            elapsed = wall_time(command)
            if elapsed is not None:
                times[name].append(elapsed)
    baseline = statistics.median(times["python -c 'import sympy'"])
    print(f"{'command':50} {'median s':>9} {'ratio':>7}  runs")
    for name, values in times.items():
        if not values:
            print(f"{name:50} {'failed':>9}")
            continue
        median = statistics.median(values)
        print(f"{name:50} {median:9.3f} {median / baseline:7.2f}  {len(values)}")


if __name__ == "__main__":
    main()
