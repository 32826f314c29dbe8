"""How ``derive verify`` does on a corpus of written derivations whose verdicts a TA recorded.

The folder holds the derivations and ``verdicts.yaml``::

    files:
      02_svm_scores.md:
        lines: {3: correct, 7: wrong, 11: correct}    # each mathematical line: correct or wrong
        expected_exit: 1

Each file is checked as users run it (``derive verify FILE --format json``, a fresh process) and
scored line by line:

* **false alarms**: lines recorded correct that the checker calls wrong (the figure that must be 0);
* **slips flagged**: lines recorded wrong that the checker calls wrong;
* **lines read**: recorded lines on which something was read (a step verified or wrong, a
  definition, a given value, a case) and nothing was left unread;
* **exit status**: files whose status is the one recorded (0 all read and verified, 1 a line
  wrong, 3 nothing wrong but a line not read);
* seconds per file (median and worst).

    python bench/verify_corpus.py tests/data/written_blind [--show] [--json scores.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: context kinds that mean a line was read (it set something up)
READ_CONTEXT = {"definition", "given", "condition", "assumption", "loss"}


@dataclass
class FileScore:
    name: str
    expected_exit: int | None
    exit: int
    seconds: float
    lines: dict                                   # line -> (expected, found): found is verified | wrong | unread | none
    reasons: dict = field(default_factory=dict)   # line -> why it was not read / why it is wrong

    @property
    def false_alarms(self):
        return [n for n, (want, got) in self.lines.items() if want == "correct" and got == "wrong"]

    @property
    def slips(self):
        return [n for n, (want, _) in self.lines.items() if want == "wrong"]

    @property
    def flagged(self):
        return [n for n, (want, got) in self.lines.items() if want == "wrong" and got == "wrong"]

    @property
    def read(self):
        return [n for n, (_, got) in self.lines.items() if got in ("verified", "wrong")]


def load_verdicts(folder: Path) -> dict:
    import yaml
    with open(folder / "verdicts.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return data.get("files", data)


def line_verdicts(report: dict) -> tuple[dict, dict]:
    """Each source line's verdict from a JSON report: wrong > unread > verified (a definition,
    a given value or a case counts as verified: it was read); and the reason shown for it."""
    found, reasons = {}, {}
    rank = {"verified": 0, "unread": 1, "wrong": 2}
    for entry in report.get("lines", []):
        line, verdict = entry["source_line"], entry["verdict"]
        if line not in found or rank[verdict] > rank[found[line]]:
            found[line] = verdict
            reasons[line] = entry.get("diagnosis") or entry.get("verified_by") or ""
    for context in report.get("context", []):
        line = context["source_line"]
        if line not in found and context["kind"] in READ_CONTEXT:
            found[line] = "verified"
            reasons[line] = f"{context['kind']}: {context.get('meaning', '')}"
    return found, reasons


def score_file(folder: Path, name: str, expected: dict, env=None, root: Path = ROOT) -> FileScore:
    command = [sys.executable, str(root / "cli.py"), "verify", str(folder.resolve() / name), "--format", "json"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    try:
        report = json.loads(done.stdout) if done.stdout.strip() else {}
    except json.JSONDecodeError:
        report = {}
    if isinstance(report, list):
        report = report[0] if report else {}
    found, reasons = line_verdicts(report)
    lines = {}
    for line, want in (expected.get("lines") or {}).items():
        lines[int(line)] = (str(want).split()[0], found.get(int(line), "none"))
    if done.returncode == 2:
        reasons[0] = done.stderr.strip()[-200:]
    return FileScore(name, expected.get("expected_exit"), done.returncode, seconds, lines, reasons)


def summary(scores: list[FileScore]) -> dict:
    correct = sum(1 for s in scores for want, _ in s.lines.values() if want == "correct")
    total = sum(len(s.lines) for s in scores)
    times = [s.seconds for s in scores]
    return {
        "files": len(scores),
        "false_alarms": sum(len(s.false_alarms) for s in scores), "correct_lines": correct,
        "slips_flagged": sum(len(s.flagged) for s in scores), "slips": sum(len(s.slips) for s in scores),
        "lines_read": sum(len(s.read) for s in scores), "lines": total,
        "exit_matches": sum(1 for s in scores if s.exit == s.expected_exit),
        "median_seconds": round(statistics.median(times), 2) if times else 0.0,
        "worst_seconds": round(max(times), 2) if times else 0.0,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--show", action="store_true", help="list every line that is not as recorded")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose cli.py runs (default: this one)")
    args = parser.parse_args(argv)
    verdicts = load_verdicts(args.folder)
    env = dict(os.environ, PYTHONPATH=str(args.root))
    scores = [score_file(args.folder, name, verdicts[name], env, args.root) for name in sorted(verdicts)]
    figures = summary(scores)
    print(f"{figures['files']} files; load average {os.getloadavg()[0]:.2f}")
    print(f"correct lines called wrong: {figures['false_alarms']} of {figures['correct_lines']}")
    print(f"planted slips flagged at their line: {figures['slips_flagged']} of {figures['slips']}")
    share = 100 * figures["lines_read"] / figures["lines"] if figures["lines"] else 0.0
    print(f"lines read: {figures['lines_read']} of {figures['lines']} ({share:.0f} %)")
    print(f"exit status as recorded: {figures['exit_matches']} of {figures['files']} files")
    print(f"seconds per file: median {figures['median_seconds']:.2f}, worst {figures['worst_seconds']:.2f}")
    if args.show:
        for s in scores:
            problems = []
            for line, (want, got) in sorted(s.lines.items()):
                if (want == "correct" and got != "verified") or (want == "wrong" and got != "wrong"):
                    problems.append(f"  line {line}: recorded {want}, found {got}: {s.reasons.get(line, '')[:150]}")
            if problems or s.exit != s.expected_exit:
                print(f"\n{s.name}: exit {s.exit} (recorded {s.expected_exit}), {s.seconds:.1f} s")
                if 0 in s.reasons:
                    print(f"  {s.reasons[0]}")
                print("\n".join(problems))
    if args.json:
        args.json.write_text(json.dumps({"summary": figures, "files": [
            {"name": s.name, "exit": s.exit, "expected_exit": s.expected_exit, "seconds": round(s.seconds, 2),
             "lines": {str(k): list(v) for k, v in s.lines.items()}} for s in scores]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
