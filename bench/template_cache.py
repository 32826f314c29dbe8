"""What the authenticated template and grammar caches save a first run, measured in one process.

For each format, the svm-grad report is rendered with a fresh Jinja environment (a new process's first
render) in three ways, interleaved: with no bytecode cache (every template compiled), with the
authenticated cache of :mod:`derivations.private` (compiled templates read and their HMAC checked), and
with the environment warm (the render alone). Then lark's expression parser is built from the grammar
and read back from the cache. Medians of --runs; the cache folder is a fresh temporary one.

    python bench/template_cache.py --runs 15
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    os.environ["DERIVE_CACHE_DIR"] = tempfile.mkdtemp(prefix="derive-bench-")

    from derivations import svm
    from derivations.parse import grammar
    from derivations.report import render as R

    derivation = svm.gradient(delta=1)
    authenticated = R._bytecode_cache
    ways = {"no cache (compile)": lambda: None, "authenticated cache": authenticated}
    print(f"{'render of svm-grad':34} {'median ms':>10}")
    for fmt in ("text", "markdown", "latex"):
        times = {name: [] for name in [*ways, "warm environment"]}
        for _ in range(args.runs):
            for name, make in ways.items():
                R._bytecode_cache = make
                R.environment.cache_clear()
                start = time.perf_counter()
                R.render(derivation, fmt)
                times[name].append(time.perf_counter() - start)
            start = time.perf_counter()
            R.render(derivation, fmt)                 # the environment of the last way, warm
            times["warm environment"].append(time.perf_counter() - start)
        for name, values in times.items():
            print(f"{fmt + ', ' + name:34} {statistics.median(values) * 1e3:10.1f}")
    R._bytecode_cache = authenticated

    built, loaded = [], []
    for _ in range(args.runs):
        folder = tempfile.mkdtemp(prefix="derive-bench-")
        os.environ["DERIVE_CACHE_DIR"] = folder
        for bucket in (built, loaded):                # the first call builds and stores, the second reads
            grammar.parser.cache_clear()
            start = time.perf_counter()
            grammar.parser()
            bucket.append(time.perf_counter() - start)
    print(f"{'lark tables, built (and stored)':34} {statistics.median(built) * 1e3:10.1f}")
    print(f"{'lark tables, read (HMAC checked)':34} {statistics.median(loaded) * 1e3:10.1f}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
