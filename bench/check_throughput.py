"""Grading throughput of `derive check`, side by side with Math-Verify on the same numeric items.

Writes --sheets answer sheets of ten numeric items each (a class's worth of
right and wrong answers to the SVM and softmax worked examples), then, in one
run and interleaved over --runs rounds:

* `derive check DIR --jobs 2 --format json` as a fresh process (wall time,
  references and worker start-up included) -> numeric items per second;
* Math-Verify (`pip install math-verify`) verifying the same answers against
  the same expected values, in one process -> items per second;
* symbolic items (formulas) judged one at a time in this process -> median ms.

    python bench/check_throughput.py --sheets 1000 --runs 3
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ITEMS = [  # (quantity, expected, right answers, wrong answers)
    ("svm.loss", "2", ["2", "2.0"], ["3", "-1", "5"]),
    ("svm.dscores", "[-1, 0, 1]", ["[-1, 0, 1]"], ["[1, 0, 1]", "[1, 0, -1]"]),
    ("softmax.loss", "1.3182", ["1.318", "1.3182", "1.317"], ["0.5725", "-1.318", "2.249"]),
    ("softmax.probs", "[0.2676, 0.0049, 0.7275]", ["[0.268, 0.005, 0.727]", "[0.2676, 0.0049, 0.7275]"],
     ["[20.09, 0.368, 54.6]"]),
]
SYMBOLIC = [
    ("svm.dscore_incorrect", r"\mathbb{1}(s_k - s_{y_i} + \Delta > 0)"),
    ("svm.dscore_incorrect", "1"),
    ("svm.dscore_correct", r"-\sum_{j \neq y_i} \mathbb{1}(s_j - s_{y_i} + \Delta > 0)"),
    ("softmax.dscore_correct", "p_{y_i} - 1"),
    ("softmax.dscore_incorrect", r"\frac{e^{s_k}}{\sum_{m=1}^{K} e^{s_m}}"),
]


def write_sheets(folder: Path, count: int, seed: int = 1) -> list[tuple[str, str]]:
    """``count`` sheets of ten items; returns the (expected, answer) pairs of every item."""
    rng = random.Random(seed)
    pairs = []
    for n in range(count):
        lines = ["given: {scores: [3, -1, 4], label: 0, delta: 1}", "items:"]
        for i in range(10):
            quantity, expected, right, wrong = ITEMS[i % len(ITEMS)]
            answer = rng.choice(right if rng.random() < 0.6 else wrong)
            lines += [f"  - id: q{i}", f"    quantity: {quantity}", f"    answer: '{answer}'"]
            pairs.append((expected, answer))
        (folder / f"student{n:05d}.yaml").write_text("\n".join(lines) + "\n")
    return pairs


def time_derive(folder: Path, jobs: int) -> float:
    derive = shutil.which("derive") or "derive"
    start = time.perf_counter()
    subprocess.run([derive, "check", str(folder), "--jobs", str(jobs), "--format", "json",
                    "-o", str(folder / "out.json")], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def time_math_verify(pairs) -> float | None:
    try:
        from math_verify import parse, verify
    except ImportError:
        return None
    start = time.perf_counter()
    for expected, answer in pairs:
        verify(parse(f"${expected}$"), parse(f"${answer}$"))
    return time.perf_counter() - start


def symbolic_ms() -> list[float]:
    from derivations.check.grade import reference_for
    from derivations.check.judge import judge
    from derivations.check.quantities import lookup
    from derivations.check.registry import Given
    given = Given.read({"scores": [3, -1, 4], "label": 0, "delta": 1})
    times = []
    for quantity_name, answer in SYMBOLIC * 4:
        quantity = lookup(quantity_name)
        reference = reference_for(quantity, given if quantity.needs else Given())
        start = time.perf_counter()
        judge("q", quantity, reference, answer, options={"delta": given.delta})
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pairs = write_sheets(folder, args.sheets)
        derive_times, single_times, verify_times = [], [], []
        for _ in range(args.runs):
            derive_times.append(time_derive(folder, 2))
            single_times.append(time_derive(folder, 1))
            mv = time_math_verify(pairs)
            if mv is not None:
                verify_times.append(mv)
    items = len(pairs)
    d = statistics.median(derive_times)
    one = statistics.median(single_times)
    print(f"numeric items: {items} ({args.sheets} sheets x 10), median of {args.runs} runs")
    print(f"  derive check --jobs 2 : {d:7.2f} s  {items / d:8.0f} items/s  (fresh process, all included)")
    print(f"  derive check --jobs 1 : {one:7.2f} s  {items / one:8.0f} items/s  (fresh process, all included)")
    if verify_times:
        m = statistics.median(verify_times)
        print(f"  Math-Verify (1 proc.) : {m:7.2f} s  {items / m:8.0f} items/s  (verify only: no reading of "
              f"sheets, no diagnosis)")
        print(f"  ratio derive / Math-Verify throughput: {(items / d) / (items / m):.2f}")
    else:
        print("  Math-Verify not installed: pip install math-verify")
    ms = symbolic_ms()
    print(f"symbolic items: median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms over {len(ms)} answers")


if __name__ == "__main__":
    sys.exit(main())
