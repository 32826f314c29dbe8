"""derive verify on the blind dev corpus (tests/data/written_blind): sixteen derivations written without
reading derive's code, in the styles of different students, with each mathematical line's verdict and
each file's exit status recorded before the first run (verdicts.yaml, kept as recorded).

Every line recorded correct is verified (read and not called wrong), every planted slip is wrong at
its line, and the exit status is the one recorded. The first run's figures are in FIRST_RUN.md.
"""
from pathlib import Path

import pytest
import yaml

from derivations.check.written import check_text

CORPUS = Path(__file__).parent / "data" / "written_blind"
RECORDED = yaml.safe_load((CORPUS / "verdicts.yaml").read_text(encoding="utf-8"))["files"]
EXPECTED = {"correct": "verified", "wrong": "wrong"}


@pytest.fixture(scope="module")
def outcomes():
    return {name: check_text((CORPUS / name).read_text(encoding="utf-8"), name, timeout=None)
            for name in sorted(RECORDED)}


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_every_line_gets_its_recorded_verdict(outcomes, name):
    found = outcomes[name].line_verdicts()
    recorded = {int(line): EXPECTED[str(verdict).split()[0]] for line, verdict in RECORDED[name]["lines"].items()}
    assert {line: found.get(line, "nothing read") for line in recorded} == recorded


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_the_exit_status_is_the_one_recorded(outcomes, name):
    assert outcomes[name].status == RECORDED[name]["expected_exit"]


def test_the_planted_slips_are_named(outcomes):
    def diagnosis(name, line):
        return next(e.diagnosis for e in outcomes[name].entries if e.source_line == line and e.verdict == "wrong")
    assert diagnosis("09_batch_softmax_index.tex", 15).startswith("normalisation: the 1/N")
    assert diagnosis("09_batch_softmax_index.tex", 18).startswith("normalisation: the 1/N")
    assert diagnosis("06_logsumexp.txt", 16).startswith("shift: the shift m is applied to one side only")
    assert diagnosis("02_svm_scores.md", 7).startswith("margin-dropped")
    assert diagnosis("03_svm_weights.txt", 9).startswith("index")
    assert diagnosis("08_logistic_regression.md", 29).startswith("sign")


def test_no_line_is_left_unread_and_the_summary_says_so(outcomes):
    for name, outcome in outcomes.items():
        summary = outcome.summary()
        assert summary["unread_lines"] == [], name
        assert summary["lines_read"] == summary["lines"], name


# --- a corpus of my own, in other students' styles (tests/data/written_own) ---------------------------

OWN = Path(__file__).parent / "data" / "written_own"
OWN_RECORDED = yaml.safe_load((OWN / "verdicts.yaml").read_text(encoding="utf-8"))["files"]


@pytest.mark.parametrize("name", sorted(OWN_RECORDED))
def test_other_styles_get_their_recorded_verdicts(name):
    outcome = check_text((OWN / name).read_text(encoding="utf-8"), name, timeout=None)
    found = outcome.line_verdicts()
    recorded = {int(line): EXPECTED[str(verdict)] for line, verdict in OWN_RECORDED[name]["lines"].items()}
    assert {line: found.get(line, "nothing read") for line in recorded} == recorded
    assert outcome.status == OWN_RECORDED[name]["expected_exit"]
