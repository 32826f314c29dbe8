"""Cold wall time of `derive` commands against a bare `python -c "import sympy"`, in one run.

Each command is started as a new process (with Python's bytecode cache on, as on a user's machine:
PYTHONDONTWRITEBYTECODE is dropped from the children's environment), in two ways:

* first run: the report is not in the verified-report cache (``--no-cache``: built and verified, as
  the first time a user runs a command with new parameters; Jinja's compiled templates are cached);
* repeated run: the same command again, answered from the cache (SymPy is not imported);
* first run without any cache: the cache folder unusable (``DERIVE_CACHE_DIR`` a path that cannot be made),
  so Jinja compiles every template and lark builds its tables: the cost of dropping those caches.

The commands are interleaved (round robin) so that load on the machine hits them alike; the figure is
the median over --runs rounds. Prints the medians and the ratios to the bare SymPy import.

    python bench/cold_start.py --runs 9

Targets (issue 13): a repeated run at most 0.3x `import sympy`; a first run at most 1.4x for
svm-grad and 1.6x for softmax-grad.
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
BASELINE = [sys.executable, "-c", "import sympy"]
DERIVE = [sys.executable, str(ROOT / "cli.py")]
SVM = ["svm-grad", "--delta", "1"]
SOFTMAX = ["softmax-grad", "--scores", "3,-1,4", "--label", "0"]


#: a cache folder that cannot be made (its parent is a file): every cache off
NO_CACHE_FOLDER = {"DERIVE_CACHE_DIR": os.devnull + "/derive-cache"}


def commands():
    """name -> (command, environment changes)."""
    return {
        "python -c 'import sympy'": (BASELINE, {}),
        "derive svm-grad --delta 1 (first run)": (DERIVE + SVM + ["--no-cache"], {}),
        "derive svm-grad --delta 1 (first run, no cache at all)": (DERIVE + SVM, NO_CACHE_FOLDER),
        "derive svm-grad --delta 1 (repeated)": (DERIVE + SVM, {}),
        "derive softmax-grad --scores 3,-1,4 --label 0 (first run)": (DERIVE + SOFTMAX + ["--no-cache"], {}),
        "derive softmax-grad ... (first run, no cache at all)": (DERIVE + SOFTMAX, NO_CACHE_FOLDER),
        "derive softmax-grad --scores 3,-1,4 --label 0 (repeated)": (DERIVE + SOFTMAX, {}),
        "derive --help": (DERIVE + ["--help"], {}),
    }


def wall_time(command, env) -> float | None:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    elapsed = time.perf_counter() - start
    return elapsed if done.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(ROOT), DERIVE_CACHE_DIR=tempfile.mkdtemp(prefix="derive-cold-"))
    table = commands()
    times = {name: [] for name in table}
    for command, changes in table.values():  # warm the file cache, the bytecode and the report cache once
        wall_time(command, {**env, **changes})
    for _ in range(args.runs):
        for name, (command, changes) in table.items():
            elapsed = wall_time(command, {**env, **changes})
            if elapsed is not None:
                times[name].append(elapsed)
    baseline = statistics.median(times["python -c 'import sympy'"])
    print(f"{'command':62} {'median s':>9} {'ratio':>7}  runs")
    for name, values in times.items():
        if not values:
            print(f"{name:62} {'failed':>9}")
            continue
        median = statistics.median(values)
        print(f"{name:62} {median:9.3f} {median / baseline:7.2f}  {len(values)}")


if __name__ == "__main__":
    main()
