"""How long `derive problems FAMILY --students N` takes (sheets, Markdown texts and keys; no PDFs), per family.

Each command runs as a fresh process (start-up included), median of --runs; beside it, the same command for one
student, measured in the same run, so that the start-up (imports, the derivations behind the formula keys) can
be told from the cost per student. Issue 19's target: 500 students under 30 s with PDFs off, keys included.

    python bench/problems_speed.py --students 500 --runs 3
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
FAMILIES = ("svm", "softmax", "weights", "batch", "logistic")


def run(family: str, students: int, folder: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh `derive problems` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "problems", family, "--students", str(students),
                           "--seed", "1", "-o", str(folder)], check=False, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise SystemExit(f"derive problems failed: {done.stderr.decode(errors='replace').strip()}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"derive problems FAMILY --students {args.students} (a fresh process each, median of {args.runs}; "
          f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)")
    print(f"  {'family':9} {'wall':>8} {'CPU':>8} {'1 student':>10} {'per student':>12}  target (< 30 s)")
    with tempfile.TemporaryDirectory() as tmp:
        for family in FAMILIES:
            many, one = [], []
            for n in range(args.runs):
                many.append(run(family, args.students, Path(tmp, f"{family}-{n}")))
                one.append(run(family, 1, Path(tmp, f"{family}-one-{n}")))
            wall = statistics.median(w for w, _ in many)
            cpu = statistics.median(c for _, c in many)
            single = statistics.median(w for w, _ in one)
            per = (wall - single) / max(1, args.students - 1) * 1000
            print(f"  {family:9} {wall:7.2f}s {cpu:7.2f}s {single:9.2f}s {per:10.1f} ms  "
                  f"{'met' if wall < 30 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
