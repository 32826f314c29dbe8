"""Grading throughput of `derive check` on realistic sheets, fresh processes, side by side in one run.

Writes two classes of answer sheets (seeded, so every run grades the same bytes):

* **mixed**: --sheets sheets of 8 numeric and 2 formula items each, a third of
  the answers wrong (generated mistakes: the wrong label, the j = y_i term
  kept, log base 10, the -1 left out, a flipped sign, Delta left out, slips),
  the right ones in the notations students use (2, 2.0, 1.32, 1.318 nats,
  ≈ 1.318, [-1 0 1], tensor([...]), P_{y_i} - 1, \\begin{cases} ...), on three
  givens (the 3-class and 4-class worked examples and a 5-class one);
* **numeric**: the same number of sheets of 10 numeric items each;
* **batch**: the same number of sheets of 10 batch items each (S = XW, P, the SVM's and softmax's loss and dW
  under both reg_forms), every sheet with its own X (5 x 4), y, W (4 x 3), reg and reg_form, as per-student
  variants are, a third of the answers wrong (transposed, the 1/N missing, ...).

Then, interleaved over --runs rounds, times `derive check DIR --format json -o
FILE` as a fresh process (start-up, reading, references, judging, report:
everything included) with --jobs 2 and --jobs 1, and prints the medians as
items per second, with the CPU time the grader's processes used (user + sys),
so that a figure can be checked against the cores it ran on. With
``--math-verify N`` and Math-Verify installed (`pip install ".[bench]"`), it
also times `verify(parse(gold), parse(answer))` on N of the numeric answers,
in this process, once (it is slow on these notations: tens of ms each).

    python bench/check_throughput.py --sheets 1000 --runs 3 [--math-verify 500]

The machine's other load shows up in the figures: compare the ratios of one
run, and re-measure on a quiet machine before publishing.
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
import time
from pathlib import Path

GIVENS = [([3, -1, 4], 0), ([2, 1, -1, 0.5], 1), ([-2, 0, 1.5, 0.5, 1], 3)]

FORMULAS = {  # quantity: (right answers, wrong answers)
    "svm.dscore_incorrect": (
        [r"\mathbb{1}(s_k - s_{y_i} + \Delta > 0)", r"\mathbb{1}[s_j - s_{y_i} + \Delta > 0]",
         r"1(s_k - s_yi + \Delta > 0)", r"\mathbb{1}_{s_k - s_{y_i} + \Delta > 0}",
         r"\begin{cases} 1 & \text{if } s_k - s_{y_i} + \Delta > 0 \\ 0 & \text{otherwise} \end{cases}"],
        [r"\mathbb{1}(s_k - s_{y_i} > 0)", r"\mathbb{1}(s_{y_i} - s_k + \Delta > 0)", r"-\mathbb{1}(s_k - s_{y_i} + \Delta > 0)",
         r"\max(0, s_k - s_{y_i} + \Delta)", "1"]),
    "softmax.dscore_correct": (
        ["p_{y_i} - 1", "P_{y_i} - 1", "p_k - 1", r"\frac{e^{s_{y_i}}}{\sum_j e^{s_j}} - 1",
         r"p_k - \mathbb{1}[k = y_i]"],
        ["p_{y_i}", "1 - p_{y_i}", "e^{s_{y_i}} - 1", r"\frac{p_{y_i} - 1}{\ln 10}", "-1"]),
}


def _softmax(scores, scale=1):
    top = max(scale * v for v in scores)
    e = [math.exp(scale * v - top) for v in scores]
    total = math.fsum(e)
    return [v / total for v in e]


def _svm(scores, label, delta=1):
    loss, grad = 0.0, [0.0] * len(scores)
    for j, v in enumerate(scores):
        margin = v - scores[label] + delta
        if j != label and margin > 0:
            loss += margin
            grad[j] += 1
            grad[label] -= 1
    return loss, grad


def _num(v, rng, figures=None):
    figures = figures or rng.choice([3, 4, 4, 5])
    if v == int(v) and abs(v) < 100:
        return rng.choice([str(int(v)), f"{v:.1f}"])
    return f"{v:#.{figures}g}" if abs(v) >= 0.1 else f"{v:.{figures - 1}e}" if abs(v) < 1e-3 else f"{v:.{figures + 1}f}"


def _vec(values, rng):
    entries = [_num(v, rng, 4) if v != int(v) else str(int(v)) for v in values]
    style = rng.random()
    if style < 0.55:
        return "[" + ", ".join(entries) + "]"
    if style < 0.75:
        return "[" + " ".join(entries) + "]"
    if style < 0.9:
        return "tensor([" + ", ".join(entries) + "])"
    return ", ".join(entries)


def _numeric_items(scores, label, rng, wrong: bool):
    """The 8 numeric items of a sheet (right, or with one of the usual mistakes)."""
    probs, probs2 = _softmax(scores), _softmax(scores, 2)
    loss = -math.log(probs[label])
    others = [c for c in range(len(scores)) if c != label]
    svm_loss, svm_grad = _svm(scores, label)
    items = []

    def add(quantity, right, mistakes, given=None):
        gold = right()
        answer = rng.choice(mistakes)() if wrong and rng.random() < 1 / 3 else gold
        items.append((quantity, answer, given, gold))

    add("svm.loss", lambda: rng.choice([_num(svm_loss, rng), f"{_num(svm_loss, rng)} (hinge loss)"]),
        [lambda: _num(svm_loss + 1, rng), lambda: _num(_svm(scores, rng.choice(others))[0], rng),
         lambda: _num(_svm(scores, label, 0)[0], rng), lambda: _num(svm_loss + 0.5, rng)])
    add("svm.loss", lambda: _num(_svm(scores, label, 2)[0], rng),
        [lambda: _num(svm_loss, rng), lambda: _num(_svm(scores, label, 2)[0] + 2, rng)], {"delta": 2})
    add("svm.dscores", lambda: _vec(svm_grad, rng),
        [lambda: _vec([0 if i == label else g for i, g in enumerate(svm_grad)], rng),
         lambda: _vec([-g for g in svm_grad], rng), lambda: _vec(_svm(scores, rng.choice(others))[1], rng)])
    add("softmax.probs", lambda: _vec(probs, rng),
        [lambda: _vec([math.exp(v) for v in scores], rng), lambda: _vec([p * 1.1 for p in probs], rng)])
    add("softmax.loss", lambda: rng.choice([_num(loss, rng), f"{loss:.3f} nats", f"≈ {loss:.3g}",
                                            f"{-math.log(float(f'{probs[label]:.3g}')):.4f}"]),
        [lambda: _num(-math.log10(probs[label]), rng), lambda: _num(-math.log(probs[rng.choice(others)]), rng),
         lambda: _num(-loss, rng), lambda: f"{-math.log(round(probs[label], 1)):.2f}"])
    add("softmax.loss", lambda: _num(-math.log(probs2[label]), rng),
        [lambda: _num(loss, rng), lambda: _num(-math.log(probs2[label]) * 1.05, rng)], {"scale": 2})
    dscores = [p - (i == label) for i, p in enumerate(probs)]
    add("softmax.dscores", lambda: _vec(dscores, rng),
        [lambda: _vec(probs, rng), lambda: _vec([-d for d in dscores], rng)])
    jacobian = [[probs[a] * ((a == b) - probs[b]) for b in range(len(probs))] for a in range(len(probs))]
    add("softmax.jacobian", lambda: "[" + ", ".join("[" + ", ".join(f"{v:.4f}" for v in row) + "]"
                                                   for row in jacobian) + "]",
        [lambda: "[" + ", ".join("[" + ", ".join(f"{-probs[a] * probs[b]:.4f}" for b in range(len(probs))) + "]"
                                 for a in range(len(probs))) + "]"])
    return items


def _batch_numbers(X, y, W, reg, reg_form):
    """S, the SVM's and softmax's loss and dW of a batch, in NumPy (the bench's own answers, not the grader's)."""
    import numpy as np
    n = X.shape[0]
    S = X @ W
    factor = 1.0 if reg_form == "full" else 0.5
    rows = np.arange(n)
    margins = S - S[rows, y][:, None] + 1
    margins[rows, y] = 0
    B = (margins > 0).astype(float)
    B[rows, y] = -B.sum(axis=1)
    svm_loss = np.maximum(margins, 0).sum() / n + factor * reg * (W ** 2).sum()
    svm_dW = X.T @ B / n + 2 * factor * reg * W
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    softmax_loss = -np.log(P[rows, y]).mean() + factor * reg * (W ** 2).sum()
    G = P.copy()
    G[rows, y] -= 1
    softmax_dW = X.T @ G / n + 2 * factor * reg * W
    return S, P, svm_loss, svm_dW, softmax_loss, softmax_dW, factor * reg * (W ** 2).sum(), 2 * factor * reg * W


def _matrix(array, rng, figures=4):
    return "[" + ", ".join("[" + ", ".join(_num(float(v), rng, figures) if v != int(v) else str(int(v))
                                           for v in row) + "]" for row in array) + "]"


def _batch_items(rng, wrong: bool):
    """A batch sheet's given (X 5x4, y, W 4x3, reg, reg_form: every sheet its own) and 10 items on it."""
    import numpy as np
    X = np.array([[rng.randint(-20, 20) / 10 for _ in range(4)] for _ in range(5)])
    W = np.array([[rng.randint(-10, 10) / 10 for _ in range(3)] for _ in range(4)])
    y = np.array([rng.randrange(3) for _ in range(5)])
    reg, reg_form = rng.choice([0.1, 0.05, 0.2]), rng.choice(["full", "half"])
    other = "half" if reg_form == "full" else "full"
    given = (f"{{X: {X.tolist()}, y: {y.tolist()}, W: {W.tolist()}, reg: {reg}, reg_form: {reg_form}}}")
    items = []
    for form, override in ((reg_form, None), (other, {"reg_form": other})):
        S, P, svm_loss, svm_dW, softmax_loss, softmax_dW, penalty, penalty_dW = _batch_numbers(X, y, W, reg, form)
        n = X.shape[0]

        def add(quantity, right, mistakes):
            answer = rng.choice(mistakes)() if wrong and rng.random() < 1 / 3 else right()
            items.append((quantity, answer, override, None))
        if override is None:
            add("svm.scores", lambda: _matrix(S, rng, 6), [lambda: _matrix(S.T, rng, 6)])
            add("softmax.probs", lambda: _matrix(P, rng), [lambda: _matrix(np.exp(S), rng)])
        # the mistakes: the 1/N missing, the j = y_i term kept (+ Delta), the penalty left out, a transposed dW,
        # a slip (10 % off)
        add("svm.loss", lambda: _num(svm_loss, rng), [lambda: _num((svm_loss - penalty) * n + penalty, rng),
                                                     lambda: _num(svm_loss + 1, rng),
                                                     lambda: _num(svm_loss - penalty, rng)])
        add("svm.dW", lambda: _matrix(svm_dW, rng), [lambda: _matrix(svm_dW.T, rng),
                                                     lambda: _matrix((svm_dW - penalty_dW) * n + penalty_dW, rng)])
        add("softmax.loss", lambda: _num(softmax_loss, rng), [lambda: _num(softmax_loss * 1.1, rng),
                                                             lambda: _num(softmax_loss - penalty, rng)])
        add("softmax.dW", lambda: _matrix(softmax_dW, rng), [lambda: _matrix(-softmax_dW, rng),
                                                             lambda: _matrix(softmax_dW - penalty_dW, rng)])
    return given, items


def _yaml(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_sheets(folder: Path, count: int, mixed: bool, seed: int = 11, batch: bool = False) -> list:
    """``count`` sheets; returns (a right answer, the answer) of every numeric item, for Math-Verify. ``batch``:
    sheets of 10 batch items, each sheet with its own X, y, W (per-student givens)."""
    rng = random.Random(seed)
    pairs = []
    for n in range(count):
        if batch:
            given, items = _batch_items(rng, rng.random() < 0.75)
            lines = [f"student: b{n:05d}", f"given: {given}", "items:"]
            for i, (quantity, answer, override, _) in enumerate(items):
                extra = f", given: {{reg_form: {override['reg_form']}}}" if override else ""
                lines.append(f"  - {{id: q{i}, quantity: {quantity}, answer: {_yaml(answer)}{extra}}}")
            (folder / f"b{n:05d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
            continue
        scores, label = GIVENS[n % len(GIVENS)]
        wrong = rng.random() < 0.75            # three sheets in four hold mistakes: about a third of the answers
        items = _numeric_items(scores, label, rng, wrong)
        if mixed:
            for quantity, (right, mistakes) in FORMULAS.items():
                items.append((quantity, rng.choice(mistakes if wrong and rng.random() < 0.45 else right), None, None))
        else:
            items += _numeric_items(scores, label, rng, wrong)[:2]
        lines = [f"student: s{n:05d}", f"given: {{scores: {scores}, label: {label}, delta: 1}}", "items:"]
        for i, (quantity, answer, given, gold) in enumerate(items):
            extra = f", given: {{{', '.join(f'{k}: {v}' for k, v in given.items())}}}" if given else ""
            lines.append(f"  - {{id: q{i}, quantity: {quantity}, answer: {_yaml(answer)}{extra}}}")
            if gold is not None:
                pairs.append((gold, answer))
        (folder / f"s{n:05d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pairs


ROOT = Path(__file__).resolve().parent.parent


def time_derive(folder: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the grader's processes) for one fresh `derive check` run.

    The command is `python cli.py check ...` of this checkout (what the `derive` script runs), so that the
    code measured is the code beside this script, whatever `derive` is installed.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(folder), "--jobs", str(jobs),
                           "--format", "json", "-o", str(folder.parent / f"{folder.name}.json")],
                          check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
    if done.returncode not in (0, 1):
        raise SystemExit(f"derive check failed: {done.stderr.decode(errors='replace').strip()}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_math_verify(pairs) -> float | None:
    try:
        from math_verify import parse, verify
    except ImportError:
        return None
    start = time.perf_counter()
    for gold, answer in pairs:
        verify(parse(f"${gold}$"), parse(f"${answer}$"))
    return time.perf_counter() - start


def formula_costs(repeats: int = 200) -> tuple[float, float, int]:
    """(median ms of a distinct formula's first judgement, median µs of a repeated one, distinct answers),
    in this process, references built beforehand: what a worker pays per new formula and per copy."""
    sys.path.insert(0, str(ROOT))
    from derivations.check import grade
    from derivations.check.sheet import parse
    answers = [(q, a) for q, (right, wrong) in FORMULAS.items() for a in right + wrong]
    items = "".join(f"  - {{id: f{i}, quantity: {q}, answer: {_yaml(a)}}}\n" for i, (q, a) in enumerate(answers))
    sheet = parse("given: {scores: [3, -1, 4], label: 0, delta: 1}\nitems:\n" + items, "formulas.yaml")
    context = grade.sheet_context(sheet)
    for quantity in FORMULAS:                                   # the grammar and the references, once
        grade.grade_item(next(item for item in sheet.items if item.quantity == quantity), context)
    grade._JUDGEMENTS.clear()
    first = []
    for item in sheet.items:
        start = time.perf_counter()
        grade.grade_item(item, context)
        first.append((time.perf_counter() - start) * 1000)
    again = []
    for _ in range(repeats // len(sheet.items) + 1):
        for item in sheet.items:
            start = time.perf_counter()
            grade.grade_item(item, context)
            again.append((time.perf_counter() - start) * 1e6)
    return statistics.median(first), statistics.median(again), len(answers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--math-verify", type=int, default=0, metavar="N",
                        help="also time Math-Verify on N numeric answers (0: not at all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        mixed_folder, numeric_folder, batch_folder = Path(tmp, "mixed"), Path(tmp, "numeric"), Path(tmp, "batch")
        mixed_folder.mkdir()
        numeric_folder.mkdir()
        batch_folder.mkdir()
        write_sheets(mixed_folder, args.sheets, mixed=True)
        pairs = write_sheets(numeric_folder, args.sheets, mixed=False)
        write_sheets(batch_folder, args.sheets, mixed=False, batch=True)
        runs = {"mixed, --jobs 2": [], "mixed, --jobs 1": [], "numeric, --jobs 2": [], "numeric, --jobs 1": [],
                "batch, --jobs 2": [], "batch, --jobs 1": []}
        folders = {"mixed": mixed_folder, "numeric": numeric_folder, "batch": batch_folder}
        verify_times = []
        for _ in range(args.runs):
            for name in runs:
                kind, jobs = name.split(", --jobs ")
                runs[name].append(time_derive(folders[kind], int(jobs)))
        sample = pairs[:args.math_verify]
        mv = time_math_verify(sample) if sample else None
        if mv is not None:
            verify_times.append(mv)
    items = args.sheets * 10
    print(f"{args.sheets} sheets x 10 items = {items} items per class; median of {args.runs} runs; "
          f"{os.cpu_count()} cores; `derive check DIR --format json -o FILE`, a fresh process each")
    print(f"  {'class, jobs':20} {'wall':>8} {'CPU':>8} {'items/s':>9}")
    for name, measured in runs.items():
        wall = statistics.median(w for w, _ in measured)
        cpu = statistics.median(c for _, c in measured)
        print(f"  {name:20} {wall:7.2f}s {cpu:7.2f}s {items / wall:9,.0f}")
    mixed2 = statistics.median(w for w, _ in runs["mixed, --jobs 2"])
    numeric2 = statistics.median(w for w, _ in runs["numeric, --jobs 2"])
    batch2 = statistics.median(w for w, _ in runs["batch, --jobs 2"])
    print(f"  targets (issue 11): mixed --jobs 2 >= 1,000 items/s: {items / mixed2:,.0f} "
          f"({'met' if items / mixed2 >= 1000 else 'NOT met'}); numeric --jobs 2 >= 3,000 items/s: "
          f"{items / numeric2:,.0f} ({'met' if items / numeric2 >= 3000 else 'NOT met'}); (issue 19) batch, every "
          f"sheet its own X 5x4 and W 4x3, --jobs 2 >= 2,000 items/s: {items / batch2:,.0f} "
          f"({'met' if items / batch2 >= 2000 else 'NOT met'}); load average {os.getloadavg()[0]:.1f}")
    first, again, distinct = formula_costs()
    print(f"  formulas ({distinct} distinct answers, in one process): a new answer {first:.1f} ms (median: read, "
          f"probe, at most one full check), a repeated one {again:.0f} µs (cached)")
    if verify_times:
        m = verify_times[0]
        print(f"  Math-Verify, one process, parse + verify of {len(sample)} numeric answers only (no sheets, no "
              f"diagnosis): {m:.2f}s, {len(sample) / m:,.0f} items/s")
    elif args.math_verify:
        print("  Math-Verify not installed (pip install \".[bench]\"): no comparison")
    return 0


if __name__ == "__main__":
    sys.exit(main())
