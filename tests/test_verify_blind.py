"""derive verify on the blind dev corpus (tests/data/written_blind): sixteen derivations written without
reading derive's code, in the styles of different students, with each mathematical line's verdict and
each file's exit status recorded before the first run (verdicts.yaml, kept as recorded).

Every line recorded correct is verified (read and not called wrong), every planted slip is wrong at
its line, and the exit status is the one recorded. The first run's figures are in FIRST_RUN.md.
"""

import pytest

from .recorded_corpus import checked, found_and_recorded, recorded, recorded_corpus_tests

RECORDED, outcomes, test_every_line_gets_its_recorded_verdict, test_the_exit_status_is_the_one_recorded = \
    recorded_corpus_tests("written_blind")


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

OWN_RECORDED = recorded("written_own")


@pytest.mark.parametrize("name", sorted(OWN_RECORDED))
def test_other_styles_get_their_recorded_verdicts(name):
    outcome = checked("written_own", [name])[name]
    found, expected = found_and_recorded(outcome, OWN_RECORDED[name])
    assert found == expected
    assert outcome.status == OWN_RECORDED[name]["expected_exit"]
