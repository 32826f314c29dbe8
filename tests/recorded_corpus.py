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


def recorded_corpus_tests(folder: str):
    """The fixture and the two tests every recorded corpus has, for a test module to take as its own names:
    every recorded line gets its recorded verdict, every file its recorded exit status.

        RECORDED, outcomes, test_every_line_gets_its_recorded_verdict, test_the_exit_status_is_the_one_recorded = \\
            recorded_corpus_tests("written_dev5")
    """
    import pytest

    records = recorded(folder)

    @pytest.fixture(scope="module")
    def outcomes():
        return checked(folder, records)

    @pytest.mark.parametrize("name", sorted(records))
    def test_every_line_gets_its_recorded_verdict(outcomes, name):
        found, expected = found_and_recorded(outcomes[name], records[name])
        assert found == expected

    @pytest.mark.parametrize("name", sorted(records))
    def test_the_exit_status_is_the_one_recorded(outcomes, name):
        assert outcomes[name].status == records[name]["expected_exit"]

    return records, outcomes, test_every_line_gets_its_recorded_verdict, test_the_exit_status_is_the_one_recorded
