"""A folder of written derivations with each mathematical line's verdict and each file's exit status recorded
by hand before the checker ran (its verdicts.yaml): read it, check every file, and compare line by line."""
from pathlib import Path

import yaml

from derivations.check.written import check_text

DATA = Path(__file__).parent / "data"
#: a recorded verdict ("correct", "wrong", "unread", possibly followed by a comment) as the checker names it
CHECKER_WORD = {"correct": "verified", "wrong": "wrong", "unread": "unread"}


def recorded(folder: str) -> dict:
    """{file name: {"lines": {line: verdict}, "expected_exit": status, ...}} of ``tests/data/<folder>``."""
    return yaml.safe_load((DATA / folder / "verdicts.yaml").read_text(encoding="utf-8"))["files"]


def checked(folder: str, names) -> dict:
    """{file name: the checker's outcome} for each file of ``tests/data/<folder>`` named."""
    return {name: check_text((DATA / folder / name).read_text(encoding="utf-8"), name, timeout=None)
            for name in sorted(names)}


def found_and_recorded(outcome, entry: dict) -> tuple:
    """(the checker's verdict of each recorded line, the recorded verdict in the checker's words)."""
    found = outcome.line_verdicts()
    expected = {int(line): CHECKER_WORD[str(verdict).split()[0]] for line, verdict in entry["lines"].items()}
    return {line: found.get(line, "nothing read") for line in expected}, expected
